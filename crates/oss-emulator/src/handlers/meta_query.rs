//! Data indexing (meta query): OpenMetaQuery, GetMetaQueryStatus, DoMetaQuery, CloseMetaQuery.
//!
//! The index is the bucket itself: once opened (state kept in the bucket's record, persisted
//! with `--data-dir`), DoMetaQuery answers from the bucket's current objects, so it is always
//! up to date (`Running`, `IncrementalScanning`).
//!
//! Scalar queries (`mode=basic`) take OSS's condition documents: `{"Field", "Value",
//! "Operation"}` with `eq`, `gt`, `gte`, `lt`, `lte`, `match` (substring) and `prefix`, or
//! `{"Operation": "and" | "or" | "not", "SubQueries": [...]}` (`not`: none of them holds), over
//! `Filename`, `Size`, `FileModifiedTime`, `OSSObjectType`, `OSSStorageClass`, `ObjectACL`,
//! `ETag`, `OSSCRC64`, `OSSTaggingCount`, the content headers, `OSSTagging.<key>` and
//! `OSSUserMeta.<x-oss-meta-key>`. Results are sorted by `Sort` (default `Filename`) in `Order`
//! (default `desc` with a `Sort`, `asc` without), at most `MaxResults` (1 to 100, default 100)
//! per page, resumed with `NextToken`. Aggregations (`sum`, `min`, `max`, `average` over
//! numbers; `count`, `distinct`, `group` over any field) are computed over every match.
//!
//! Semantic queries (`mode=semantic`) have no embedding model here: an object matches when its
//! name contains a word of the query (case-insensitive), ranked by how many, filtered by
//! `MediaTypes` (from the content type) and the `SimpleQuery` conditions.

use std::collections::BTreeMap;

use base64::Engine as _;
use http::StatusCode;
use oss_model::{
    MetaQueryAggregation, MetaQueryFile, MetaQueryGroup, MetaQueryMode, MetaQueryOrder,
    MetaQueryTagging, MetaQueryUserMeta,
};
use oss_proto::generated as ops;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{ObjectMeta, from_ms, now_ms};
use crate::typed;

/// Where the index state lives in the bucket's record.
const KEY: &str = "meta-query";
/// The most results one page may hold.
const MAX_RESULTS: usize = 100;

/// A bucket's index as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct IndexRecord {
    /// `basic` or `semantic`.
    mode: String,
    created_ms: i64,
    updated_ms: i64,
}

fn not_open(bucket: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "MetaQueryNotExist",
        "The metadata index of this bucket does not exist.",
    )
    .with("BucketName", bucket)
}

fn index(ctx: &Context, bucket: &str) -> Result<IndexRecord, OssError> {
    ctx.store
        .bucket(bucket)?
        .configs
        .get(KEY)
        .and_then(|v| serde_json::from_str(v).ok())
        .ok_or_else(|| not_open(bucket))
}

fn rfc3339(ms: i64) -> String {
    from_ms(ms).format(&Rfc3339).unwrap_or_default()
}

fn invalid(message: impl Into<String>) -> OssError {
    OssError::invalid_argument(message)
}

/// POST /bucket?metaQuery&comp=add — OpenMetaQuery.
pub(crate) fn open(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    ctx.store.bucket(req.bucket())?;
    let mode = match req.q("mode").filter(|m| !m.is_empty()) {
        None | Some("basic") => "basic",
        Some("semantic") => "semantic",
        Some(other) => {
            return Err(invalid(format!(
                "The mode {other:?} is not valid: basic or semantic."
            ))
            .with("ArgumentName", "mode")
            .with("ArgumentValue", other));
        }
    };
    let now = now_ms();
    let text = serde_json::to_string(&IndexRecord {
        mode: mode.to_owned(),
        created_ms: now,
        updated_ms: now,
    })
    .map_err(|e| OssError::internal(format!("cannot store the index: {e}")))?;
    let mut exists = false;
    ctx.store.update_bucket(req.bucket(), |b| {
        if b.configs.contains_key(KEY) {
            exists = true;
        } else {
            b.configs.insert(KEY.to_owned(), text);
        }
    })?;
    if exists {
        return Err(OssError::new(
            StatusCode::CONFLICT,
            "MetaQueryAlreadyExist",
            "The metadata index of this bucket already exists.",
        )
        .with("BucketName", req.bucket()));
    }
    Ok(Reply::ok())
}

/// GET /bucket?metaQuery — GetMetaQueryStatus.
pub(crate) fn status(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let ix = index(ctx, req.bucket())?;
    typed::reply::<ops::GetMetaQueryStatus>(&oss_model::GetMetaQueryStatusOutput {
        request_id: None,
        state: Some("Running".to_owned()),
        phase: Some("IncrementalScanning".to_owned()),
        create_time: Some(rfc3339(ix.created_ms)),
        update_time: Some(rfc3339(ix.updated_ms.max(now_ms()))),
        meta_query_mode: Some(ix.mode),
    })
}

/// POST /bucket?metaQuery&comp=delete — CloseMetaQuery.
pub(crate) fn close(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    index(ctx, req.bucket())?;
    ctx.store.update_bucket(req.bucket(), |b| {
        b.configs.remove(KEY);
    })?;
    Ok(Reply::ok())
}

/// A field's value on one object.
#[derive(Debug, Clone, PartialEq)]
enum Field {
    Int(i64),
    Time(OffsetDateTime),
    Text(String),
}

impl Field {
    fn text(&self) -> String {
        match self {
            Field::Int(n) => n.to_string(),
            Field::Time(t) => t.format(&Rfc3339).unwrap_or_default(),
            Field::Text(s) => s.clone(),
        }
    }

    fn cmp(&self, other: &Field) -> std::cmp::Ordering {
        match (self, other) {
            (Field::Int(a), Field::Int(b)) => a.cmp(b),
            (Field::Time(a), Field::Time(b)) => a.cmp(b),
            _ => self.text().cmp(&other.text()),
        }
    }
}

/// The kind of a known field: numbers, times or text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Time,
    Text,
}

fn kind(field: &str) -> Option<Kind> {
    match field {
        "Size" | "OSSTaggingCount" => Some(Kind::Int),
        "FileModifiedTime" => Some(Kind::Time),
        "Filename" | "OSSObjectType" | "OSSStorageClass" | "ObjectACL" | "ETag" | "OSSCRC64"
        | "ContentType" | "ContentEncoding" | "ContentLanguage" | "ContentDisposition"
        | "CacheControl" => Some(Kind::Text),
        f if f.starts_with("OSSTagging.") || f.starts_with("OSSUserMeta.") => Some(Kind::Text),
        _ => None,
    }
}

fn value_of(meta: &ObjectMeta, field: &str) -> Option<Field> {
    let header = |h: &str| meta.headers.get(h).cloned().map(Field::Text);
    match field {
        "Filename" => Some(Field::Text(meta.key.clone())),
        "Size" => i64::try_from(meta.size).ok().map(Field::Int),
        "FileModifiedTime" => Some(Field::Time(from_ms(meta.modified_ms))),
        "OSSObjectType" => Some(Field::Text(meta.object_type.clone())),
        "OSSStorageClass" => Some(Field::Text(meta.storage_class.clone())),
        "ObjectACL" => Some(Field::Text(meta.acl.clone())),
        "ETag" => Some(Field::Text(meta.etag.clone())),
        "OSSCRC64" => Some(Field::Text(meta.crc64.to_string())),
        "OSSTaggingCount" => i64::try_from(meta.tags.len()).ok().map(Field::Int),
        "ContentType" => Some(Field::Text(meta.content_type.clone())),
        "ContentEncoding" => header("content-encoding"),
        "ContentLanguage" => header("content-language"),
        "ContentDisposition" => header("content-disposition"),
        "CacheControl" => header("cache-control"),
        f => {
            if let Some(tag) = f.strip_prefix("OSSTagging.") {
                meta.tags
                    .iter()
                    .find(|(k, _)| k == tag)
                    .map(|(_, v)| Field::Text(v.clone()))
            } else if let Some(name) = f.strip_prefix("OSSUserMeta.") {
                let name = name.to_ascii_lowercase();
                let name = name.strip_prefix("x-oss-meta-").unwrap_or(&name);
                meta.user_meta.get(name).cloned().map(Field::Text)
            } else {
                None
            }
        }
    }
}

/// One parsed condition.
#[derive(Debug, Clone)]
enum Condition {
    Compare {
        field: String,
        op: String,
        value: Field,
    },
    All(Vec<Condition>),
    Any(Vec<Condition>),
    None(Vec<Condition>),
}

fn parse_value(field: &str, text: &str) -> Result<Field, OssError> {
    match kind(field) {
        Some(Kind::Int) => text
            .trim()
            .parse()
            .map(Field::Int)
            .map_err(|_| invalid(format!("The value {text:?} of {field} is not an integer."))),
        Some(Kind::Time) => OffsetDateTime::parse(text.trim(), &Rfc3339)
            .map(Field::Time)
            .map_err(|_| {
                invalid(format!(
                    "The value {text:?} of {field} is not an RFC 3339 time."
                ))
            }),
        Some(Kind::Text) => Ok(Field::Text(text.to_owned())),
        None => {
            Err(invalid(format!("The field {field:?} cannot be queried.")).with("Field", field))
        }
    }
}

fn parse_condition(v: &Value) -> Result<Condition, OssError> {
    let op = v
        .get("Operation")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("A query condition needs an Operation."))?;
    match op {
        "and" | "or" | "not" => {
            let subs = v
                .get("SubQueries")
                .and_then(Value::as_array)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| invalid(format!("The operation {op} needs SubQueries.")))?
                .iter()
                .map(parse_condition)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(match op {
                "and" => Condition::All(subs),
                "or" => Condition::Any(subs),
                _ => Condition::None(subs),
            })
        }
        "eq" | "gt" | "gte" | "lt" | "lte" | "match" | "prefix" => {
            let field = v
                .get("Field")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid("A query condition needs a Field."))?;
            let text = match v.get("Value") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => return Err(invalid(format!("The condition on {field} needs a Value."))),
            };
            let value = parse_value(field, &text)?;
            if matches!(op, "match" | "prefix") && kind(field) != Some(Kind::Text) {
                return Err(invalid(format!(
                    "The operation {op} does not apply to {field}."
                )));
            }
            Ok(Condition::Compare {
                field: field.to_owned(),
                op: op.to_owned(),
                value,
            })
        }
        other => Err(invalid(format!("The operation {other:?} is not valid."))),
    }
}

fn holds(c: &Condition, meta: &ObjectMeta) -> bool {
    match c {
        Condition::All(cs) => cs.iter().all(|c| holds(c, meta)),
        Condition::Any(cs) => cs.iter().any(|c| holds(c, meta)),
        Condition::None(cs) => !cs.iter().any(|c| holds(c, meta)),
        Condition::Compare { field, op, value } => {
            let Some(actual) = value_of(meta, field) else {
                return false;
            };
            let ord = actual.cmp(value);
            match op.as_str() {
                "eq" => ord.is_eq(),
                "gt" => ord.is_gt(),
                "gte" => ord.is_ge(),
                "lt" => ord.is_lt(),
                "lte" => ord.is_le(),
                "match" => actual.text().contains(&value.text()),
                "prefix" => actual.text().starts_with(&value.text()),
                _ => false,
            }
        }
    }
}

fn parse_query(text: &str) -> Result<Condition, OssError> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| invalid(format!("The query is not a JSON document: {e}")))?;
    parse_condition(&v)
}

fn media_type(meta: &ObjectMeta) -> &'static str {
    let ct = meta.content_type.as_str();
    if ct.starts_with("image/") {
        "image"
    } else if ct.starts_with("video/") {
        "video"
    } else if ct.starts_with("audio/") {
        "audio"
    } else {
        "document"
    }
}

fn file(bucket: &str, meta: &ObjectMeta) -> MetaQueryFile {
    let header = |h: &str| meta.headers.get(h).cloned();
    MetaQueryFile {
        uri: Some(format!("oss://{bucket}/{}", meta.key)),
        filename: Some(meta.key.clone()),
        size: i64::try_from(meta.size).ok(),
        file_modified_time: Some(rfc3339(meta.modified_ms)),
        oss_object_type: Some(meta.object_type.clone()),
        oss_storage_class: Some(meta.storage_class.clone()),
        object_acl: Some(meta.acl.clone()),
        etag: Some(meta.etag.clone()),
        oss_crc64: Some(meta.crc64.to_string()),
        oss_tagging_count: i64::try_from(meta.tags.len()).ok(),
        oss_tagging: meta
            .tags
            .iter()
            .map(|(k, v)| MetaQueryTagging {
                key: k.clone(),
                value: Some(v.clone()),
            })
            .collect(),
        oss_user_meta: meta
            .user_meta
            .iter()
            .map(|(k, v)| MetaQueryUserMeta {
                key: format!("x-oss-meta-{k}"),
                value: Some(v.clone()),
            })
            .collect(),
        content_type: Some(meta.content_type.clone()),
        content_encoding: header("content-encoding"),
        content_language: header("content-language"),
        content_disposition: header("content-disposition"),
        cache_control: header("cache-control"),
        media_type: Some(media_type(meta).to_owned()),
        ..Default::default()
    }
}

/// Formats a float as OSS writes decimals: no trailing `.0` for whole numbers.
fn decimal(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

fn aggregate(
    asked: &MetaQueryAggregation,
    matches: &[ObjectMeta],
) -> Result<MetaQueryAggregation, OssError> {
    let field = asked
        .field
        .clone()
        .ok_or_else(|| invalid("An aggregation needs a Field."))?;
    let op = asked
        .operation
        .clone()
        .ok_or_else(|| invalid("An aggregation needs an Operation."))?;
    let k = kind(&field)
        .ok_or_else(|| invalid(format!("The field {field:?} cannot be aggregated.")))?;
    let values: Vec<Field> = matches.iter().filter_map(|m| value_of(m, &field)).collect();
    let mut out = MetaQueryAggregation {
        field: Some(field.clone()),
        operation: Some(op.clone()),
        ..Default::default()
    };
    let numbers = || -> Result<Vec<i64>, OssError> {
        if k != Kind::Int {
            return Err(invalid(format!(
                "The operation {op} needs a numeric field, not {field}."
            )));
        }
        Ok(values
            .iter()
            .filter_map(|v| match v {
                Field::Int(n) => Some(*n),
                _ => None,
            })
            .collect())
    };
    match op.as_str() {
        "sum" => out.value = Some(numbers()?.iter().sum::<i64>().to_string()),
        "min" => out.value = Some(numbers()?.iter().min().map_or(0, |n| *n).to_string()),
        "max" => out.value = Some(numbers()?.iter().max().map_or(0, |n| *n).to_string()),
        "average" => {
            let ns = numbers()?;
            let avg = if ns.is_empty() {
                0.0
            } else {
                ns.iter().map(|n| *n as f64).sum::<f64>() / ns.len() as f64
            };
            out.value = Some(decimal(avg));
        }
        "count" => out.value = Some(values.len().to_string()),
        "distinct" => {
            let distinct: std::collections::BTreeSet<String> =
                values.iter().map(Field::text).collect();
            out.value = Some(distinct.len().to_string());
        }
        "group" => {
            let mut counts: BTreeMap<String, i64> = BTreeMap::new();
            for v in &values {
                *counts.entry(v.text()).or_default() += 1;
            }
            let mut groups: Vec<(String, i64)> = counts.into_iter().collect();
            groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            out.groups = groups
                .into_iter()
                .map(|(value, count)| MetaQueryGroup {
                    value: Some(value),
                    count: Some(count),
                })
                .collect();
        }
        other => return Err(invalid(format!("The aggregation {other:?} is not valid."))),
    }
    Ok(out)
}

fn token_offset(token: Option<&str>) -> Result<usize, OssError> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(0);
    };
    base64::engine::general_purpose::STANDARD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("offset:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| invalid("The NextToken is not valid.").with("ArgumentName", "NextToken"))
}

/// POST /bucket?metaQuery&comp=query — DoMetaQuery.
pub(crate) fn query(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let bucket = req.bucket().to_owned();
    let ix = index(ctx, &bucket)?;
    let input = typed::input::<ops::DoMetaQuery>(req)?;
    let q = input.body;
    let semantic = match input.mode {
        None | Some(MetaQueryMode::Basic) => false,
        Some(MetaQueryMode::Semantic) => true,
        Some(other) => {
            return Err(
                invalid(format!("The mode {:?} is not valid.", other.as_str()))
                    .with("ArgumentName", "mode"),
            );
        }
    };
    if semantic != (ix.mode == "semantic") {
        return Err(invalid(format!(
            "The metadata index of this bucket was opened in {} mode.",
            ix.mode
        ))
        .with("ArgumentName", "mode"));
    }
    let max = match q.max_results {
        None | Some(0) => MAX_RESULTS,
        Some(n) if (1..=MAX_RESULTS as i64).contains(&n) => n as usize,
        Some(n) => {
            return Err(
                invalid(format!("MaxResults must be between 0 and {MAX_RESULTS}."))
                    .with("ArgumentName", "MaxResults")
                    .with("ArgumentValue", n.to_string()),
            );
        }
    };
    let offset = token_offset(q.next_token.as_deref())?;
    let objects: Vec<ObjectMeta> = ctx.store.with_bucket(&bucket, |b| {
        b.objects
            .values()
            .filter_map(|versions| versions.first().filter(|v| !v.delete_marker).cloned())
            .collect()
    })?;
    let mut matches: Vec<ObjectMeta> = if semantic {
        let words: Vec<String> = q.query.split_whitespace().map(str::to_lowercase).collect();
        let simple = match q.simple_query.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(text) => Some(parse_query(text)?),
            None => None,
        };
        let media: Vec<&str> = q.media_types.iter().map(String::as_str).collect();
        let mut scored: Vec<(usize, ObjectMeta)> = objects
            .into_iter()
            .filter(|m| media.is_empty() || media.contains(&media_type(m)))
            .filter(|m| simple.as_ref().is_none_or(|c| holds(c, m)))
            .filter_map(|m| {
                let name = m.key.to_lowercase();
                let score = words.iter().filter(|w| name.contains(w.as_str())).count();
                (score > 0).then_some((score, m))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.key.cmp(&b.1.key)));
        scored.into_iter().map(|(_, m)| m).collect()
    } else {
        let condition = parse_query(&q.query)?;
        let mut found: Vec<ObjectMeta> = objects
            .into_iter()
            .filter(|m| holds(&condition, m))
            .collect();
        let sort = q.sort.clone().filter(|s| !s.is_empty());
        let descending = match (&q.order, &sort) {
            (Some(MetaQueryOrder::Asc), _) => false,
            (Some(MetaQueryOrder::Desc), _) => true,
            (Some(other), _) => {
                return Err(invalid(format!(
                    "The order {:?} is not valid: asc or desc.",
                    other.as_str()
                ))
                .with("ArgumentName", "Order"));
            }
            (None, Some(_)) => true,
            (None, None) => false,
        };
        let sort = sort.unwrap_or_else(|| "Filename".to_owned());
        if kind(&sort).is_none() {
            return Err(invalid(format!("The field {sort:?} cannot be sorted by."))
                .with("ArgumentName", "Sort"));
        }
        found.sort_by(|a, b| {
            let ord = match (value_of(a, &sort), value_of(b, &sort)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            };
            let ord = if descending { ord.reverse() } else { ord };
            ord.then_with(|| a.key.cmp(&b.key))
        });
        found
    };
    let aggregations = q
        .aggregations
        .iter()
        .map(|a| aggregate(a, &matches))
        .collect::<Result<Vec<_>, _>>()?;
    let total = matches.len();
    let page: Vec<ObjectMeta> = matches.drain(..).skip(offset).take(max).collect();
    let next = (offset + page.len() < total).then(|| {
        base64::engine::general_purpose::STANDARD.encode(format!("offset:{}", offset + page.len()))
    });
    typed::reply::<ops::DoMetaQuery>(&oss_model::DoMetaQueryOutput {
        request_id: None,
        next_token: Some(next.unwrap_or_default()),
        files: page.iter().map(|m| file(&bucket, m)).collect(),
        aggregations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_parse_and_refuse_what_oss_refuses() {
        assert!(parse_query(r#"{"Field":"Size","Value":"10","Operation":"gt"}"#).is_ok());
        assert!(parse_query(
            r#"{"Operation":"and","SubQueries":[{"Field":"Filename","Value":"a","Operation":"prefix"}]}"#
        )
        .is_ok());
        assert!(parse_query(r#"{"Field":"Size","Value":"ten","Operation":"gt"}"#).is_err());
        assert!(parse_query(r#"{"Field":"Size","Value":"1","Operation":"prefix"}"#).is_err());
        assert!(parse_query(r#"{"Field":"Nope","Value":"1","Operation":"eq"}"#).is_err());
        assert!(parse_query(r#"{"Field":"Size","Value":"1","Operation":"near"}"#).is_err());
        assert!(parse_query(r#"{"Operation":"and","SubQueries":[]}"#).is_err());
        assert!(parse_query("not json").is_err());
    }

    #[test]
    fn decimals_are_written_without_a_trailing_zero() {
        assert_eq!(decimal(3.0), "3");
        assert_eq!(decimal(2.5), "2.5");
    }

    #[test]
    fn tokens_round_trip_and_bad_ones_are_refused() {
        let t = base64::engine::general_purpose::STANDARD.encode("offset:7");
        assert_eq!(token_offset(Some(&t)).unwrap(), 7);
        assert_eq!(token_offset(None).unwrap(), 0);
        assert!(token_offset(Some("garbage!")).is_err());
    }
}
