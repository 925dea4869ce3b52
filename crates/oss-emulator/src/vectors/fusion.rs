//! Fusion-mode indexes (PutVectorIndexFusion, QueryVectorsFusion), as far as the emulator goes:
//! a schema with one vector field plus scalar and text fields (the metadata of the vectors);
//! queries with `knn` clauses on that field, a scalar/full-text `query` (`$and`/`$or` with
//! `clauses`, `$eq`, `$ne`, `$in`, `$nin`, `$exists`, `$textMatch`), `limit`, `nextToken` and
//! `returnMetadata`/`returnMetadataFields`. Hits are scored `1 / (1 + distance)` (1 for a pure
//! scalar query), best first. Retrievers and explicit sort orders are refused with
//! `InvalidArgument`, as are schemas with several vector fields.

use std::collections::HashSet;

use serde_json::Value;

use super::index::{self, Index};
use super::{
    check_index_name, check_shape, check_top_k, check_vector, input, insert_index, invalid,
};
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use oss_proto::generated as ops;

const SCALAR_TYPES: &[&str] = &["string", "double", "long", "int", "bool"];
/// The default and largest `limit`.
const LIMIT_DEFAULT: usize = 10;
const LIMIT_MAX: i64 = 100;

pub(super) fn put_index(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::PutVectorIndexFusion>(req)?;
    let c = input.body;
    check_index_name(&c.index_name)?;
    if c.mode.as_deref().is_some_and(|m| m != "fusion") {
        return Err(invalid("The mode of a fusion index is `fusion`."));
    }
    let fields = &c.schema_configuration.fields;
    let mut names = HashSet::new();
    let mut vector = None;
    for f in fields {
        if f.name.is_empty() || !names.insert(f.name.as_str()) {
            return Err(invalid(format!(
                "The field name {:?} is empty or used twice.",
                f.name
            )));
        }
        if f.r#type == "vector" {
            if vector.is_some() {
                return Err(invalid(
                    "This emulator serves fusion indexes with one vector field.",
                ));
            }
            vector = Some(f);
        } else if !SCALAR_TYPES.contains(&f.r#type.as_str()) {
            return Err(invalid(format!(
                "The field type {:?} is not one of vector, {}.",
                f.r#type,
                SCALAR_TYPES.join(", ")
            )));
        }
    }
    let Some(v) = vector else {
        return Err(invalid("A fusion index needs a vector field."));
    };
    let (dimension, metric) = check_shape(
        v.data_type.as_deref().unwrap_or("float32"),
        v.dimension
            .ok_or_else(|| invalid("The vector field needs a dimension."))?,
        v.distance_metric.as_deref().unwrap_or("euclidean"),
    )?;
    let mut index = Index::new(
        c.index_name,
        "float32".into(),
        dimension,
        metric,
        Vec::new(),
        ctx.now(),
    );
    index.fusion = Some(c.schema_configuration);
    insert_index(ctx, &input.bucket, index)?;
    Ok(Reply::ok())
}

/// A parsed scalar / full-text query.
enum Query {
    And(Vec<Query>),
    Or(Vec<Query>),
    Eq(String, Value),
    Ne(String, Value),
    In(String, Vec<Value>),
    Nin(String, Vec<Value>),
    Exists(String, bool),
    TextMatch(String, Vec<String>),
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn parse_query(q: &Value, depth: usize) -> Result<Query, String> {
    if depth > 8 {
        return Err("the query nests deeper than 8 levels".into());
    }
    let Some((name, body)) = q
        .as_object()
        .filter(|m| m.len() == 1)
        .and_then(|m| m.iter().next())
    else {
        return Err("each query node is an object with one key".into());
    };
    if name == "$and" || name == "$or" {
        let clauses = body
            .get("clauses")
            .and_then(Value::as_array)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| {
                format!("{name} takes {{\"clauses\": [...]}} with at least one clause")
            })?;
        let subs = clauses
            .iter()
            .map(|c| parse_query(c, depth + 1))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(if name == "$and" {
            Query::And(subs)
        } else {
            Query::Or(subs)
        });
    }
    let field = name.clone();
    let Some((op, operand)) = body
        .as_object()
        .filter(|m| m.len() == 1)
        .and_then(|m| m.iter().next())
    else {
        return Err(format!("the condition on {field:?} is one operator object"));
    };
    let value = operand
        .get("value")
        .ok_or_else(|| format!("{op} on {field:?} takes {{\"value\": ...}}"))?;
    let list = match value {
        Value::Array(items) if !items.is_empty() => Ok(items.clone()),
        _ => Err(format!("{op} on {field:?} takes a non-empty array")),
    };
    Ok(match op.as_str() {
        "$eq" => Query::Eq(field, value.clone()),
        "$ne" => Query::Ne(field, value.clone()),
        "$in" => Query::In(field, list?),
        "$nin" => Query::Nin(field, list?),
        "$exists" => Query::Exists(
            field,
            value
                .as_bool()
                .ok_or_else(|| "$exists takes true or false".to_string())?,
        ),
        "$textMatch" => Query::TextMatch(
            field,
            words(value.as_str().ok_or("$textMatch takes a string")?),
        ),
        other => return Err(format!("unknown query operator {other}")),
    })
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

impl Query {
    fn matches(&self, m: Option<&Value>) -> bool {
        let get = |f: &str| m.and_then(|m| m.get(f));
        match self {
            Query::And(all) => all.iter().all(|q| q.matches(m)),
            Query::Or(any) => any.iter().any(|q| q.matches(m)),
            Query::Eq(f, v) => get(f).is_some_and(|x| same(x, v)),
            Query::Ne(f, v) => !get(f).is_some_and(|x| same(x, v)),
            Query::In(f, vs) => get(f).is_some_and(|x| vs.iter().any(|v| same(x, v))),
            Query::Nin(f, vs) => !get(f).is_some_and(|x| vs.iter().any(|v| same(x, v))),
            Query::Exists(f, want) => get(f).is_some() == *want,
            Query::TextMatch(f, wanted) => get(f).and_then(Value::as_str).is_some_and(|text| {
                let have = words(text);
                wanted.iter().any(|w| have.contains(w))
            }),
        }
    }
}

/// One `knn` clause.
struct Knn {
    query: Vec<f32>,
    top_k: usize,
}

fn parse_knn(index: &Index, vector_field: &str, clause: &Value) -> Result<Knn, OssError> {
    let field = clause
        .get("field")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if field != vector_field {
        return Err(invalid(format!(
            "knn names the field {field:?}; the index's vector field is {vector_field:?}."
        )));
    }
    let query: Vec<f32> = clause
        .get("queryVector")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("knn needs a queryVector array."))?
        .iter()
        .map(|x| x.as_f64().map(|f| f as f32))
        .collect::<Option<_>>()
        .ok_or_else(|| invalid("queryVector holds numbers."))?;
    check_vector(index, &query, "query vector")?;
    let top_k = check_top_k(clause.get("topK").and_then(Value::as_i64).unwrap_or(10))?;
    Ok(Knn { query, top_k })
}

pub(super) fn query(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::QueryVectorsFusion>(req)?;
    let r = input.body;
    if r.retriever.is_some() || !r.sort.is_empty() {
        return Err(invalid(
            "This emulator ranks fusion queries by score only: retriever and sort are not supported.",
        ));
    }
    let limit = match r.limit {
        None => LIMIT_DEFAULT,
        Some(n) if (1..=LIMIT_MAX).contains(&n) => n as usize,
        Some(n) => return Err(invalid(format!("limit {n} is outside 1 to {LIMIT_MAX}."))),
    };
    let offset: usize = match r.next_token.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => index::decode_token(t)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| invalid("The nextToken is not valid."))?,
        None => 0,
    };
    let query = r
        .query
        .as_ref()
        .map(|q| parse_query(q, 0))
        .transpose()
        .map_err(|e| invalid(format!("The query is not valid: {e}")))?;
    let buckets = ctx.vectors.read();
    let b = super::bucket(&buckets, &input.bucket)?;
    let i = super::index(b, &r.index_name)?;
    let Some(schema) = &i.fusion else {
        return Err(invalid(format!(
            "The index {:?} is not a fusion index; use QueryVectors.",
            r.index_name
        )));
    };
    let vector_field = schema
        .fields
        .iter()
        .find(|f| f.r#type == "vector")
        .map(|f| f.name.as_str())
        .unwrap_or_default();
    let clauses: Vec<Value> = match &r.knn {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(v @ Value::Object(_)) => vec![v.clone()],
        Some(_) => return Err(invalid("knn is an object or an array of objects.")),
    };
    let knns = clauses
        .iter()
        .map(|c| parse_knn(i, vector_field, c))
        .collect::<Result<Vec<_>, _>>()?;
    // (key, score, metadata): the best score of a key over the knn clauses.
    let mut hits: Vec<(&str, f32, Option<&Value>)> = Vec::new();
    if knns.is_empty() {
        let (all, _) = i.list(None, usize::MAX, None);
        for v in all {
            if query.as_ref().is_none_or(|q| q.matches(v.metadata)) {
                hits.push((v.key, 1.0, v.metadata));
            }
        }
    } else {
        let filter = |m: Option<&Value>| query.as_ref().is_none_or(|q| q.matches(m));
        for knn in &knns {
            for hit in i.query_where(&knn.query, knn.top_k, &filter) {
                let score = 1.0 / (1.0 + hit.distance);
                match hits.iter_mut().find(|(k, _, _)| *k == hit.key) {
                    Some(existing) if existing.1 < score => existing.1 = score,
                    Some(_) => {}
                    None => hits.push((hit.key, score, hit.metadata)),
                }
            }
        }
    }
    hits.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let more = hits.len() > offset + limit;
    let next_token = more.then(|| index::encode_token(&(offset + limit).to_string()));
    let return_metadata = r.return_metadata.unwrap_or(false);
    let vectors = hits
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(key, score, metadata)| oss_model::VectorFusionMatch {
            key: key.to_owned(),
            score: Some(score),
            metadata: return_metadata
                .then(|| metadata.map(|m| select(m, &r.return_metadata_fields)))
                .flatten(),
        })
        .collect();
    super::reply::<ops::QueryVectorsFusion>(&oss_model::QueryVectorsFusionOutput {
        request_id: None,
        vectors,
        next_token,
    })
}

/// The metadata restricted to `fields` (all of it when empty).
fn select(metadata: &Value, fields: &[String]) -> Value {
    match metadata {
        Value::Object(m) if !fields.is_empty() => Value::Object(
            m.iter()
                .filter(|(k, _)| fields.contains(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}
