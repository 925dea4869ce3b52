//! QueryVectors metadata filters: parsed once per query into a [`Filter`] tree, then evaluated
//! against each candidate's metadata.
//!
//! The operators are those of the QueryVectors reference: `$eq`, `$ne`, `$in`, `$nin`,
//! `$exists`, `$and`, `$or`. A field condition is `{"field": {"$op": operand}}` (several
//! operators in one object all apply) or the shorthand `{"field": value}` for `$eq`; an object
//! with several fields is their conjunction. `$eq` against an array-valued field matches when
//! any element equals the operand; `$ne` and `$nin` match a field that is absent.

use serde_json::Value;

/// The deepest nesting of `$and`/`$or` accepted (the reference allows 8 levels).
const MAX_DEPTH: usize = 8;
/// The most conditions in one filter (the reference's 1,024).
const MAX_CONDITIONS: usize = 1024;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Eq(String, Value),
    Ne(String, Value),
    In(String, Vec<Value>),
    Nin(String, Vec<Value>),
    Exists(String, bool),
}

/// Why a filter was refused (the message of the `InvalidArgument` answer).
pub(crate) type FilterError = String;

impl Filter {
    /// Parses a filter document. `non_filterable` keys may not appear in it.
    pub(crate) fn parse(value: &Value, non_filterable: &[String]) -> Result<Filter, FilterError> {
        let mut count = 0;
        let filter = parse(value, 0, &mut count)?;
        if let Some(key) = filter
            .fields()
            .into_iter()
            .find(|f| non_filterable.contains(f))
        {
            return Err(format!(
                "the metadata key {key:?} is non-filterable in this index"
            ));
        }
        Ok(filter)
    }

    fn fields(&self) -> Vec<&String> {
        match self {
            Filter::And(v) | Filter::Or(v) => v.iter().flat_map(Filter::fields).collect(),
            Filter::Eq(f, _)
            | Filter::Ne(f, _)
            | Filter::In(f, _)
            | Filter::Nin(f, _)
            | Filter::Exists(f, _) => vec![f],
        }
    }

    /// Whether a vector with this metadata passes.
    pub(crate) fn matches(&self, metadata: Option<&Value>) -> bool {
        let get = |field: &str| metadata.and_then(|m| m.get(field));
        match self {
            Filter::And(all) => all.iter().all(|f| f.matches(metadata)),
            Filter::Or(any) => any.iter().any(|f| f.matches(metadata)),
            Filter::Eq(field, v) => get(field).is_some_and(|m| equals(m, v)),
            Filter::Ne(field, v) => !get(field).is_some_and(|m| equals(m, v)),
            Filter::In(field, vs) => get(field).is_some_and(|m| vs.iter().any(|v| equals(m, v))),
            Filter::Nin(field, vs) => !get(field).is_some_and(|m| vs.iter().any(|v| equals(m, v))),
            Filter::Exists(field, want) => get(field).is_some() == *want,
        }
    }
}

/// Metadata value `m` equals operand `v`: numbers by value, an array when any element does.
fn equals(m: &Value, v: &Value) -> bool {
    match (m, v) {
        (Value::Array(items), _) if !v.is_array() => items.iter().any(|i| scalar_eq(i, v)),
        _ => scalar_eq(m, v),
    }
}

fn scalar_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn is_primitive(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

fn parse(value: &Value, depth: usize, count: &mut usize) -> Result<Filter, FilterError> {
    if depth > MAX_DEPTH {
        return Err(format!("the filter nests deeper than {MAX_DEPTH} levels"));
    }
    let Value::Object(map) = value else {
        return Err("a filter is a JSON object".into());
    };
    if map.is_empty() {
        return Err("a filter object is empty".into());
    }
    let mut parts = Vec::with_capacity(map.len());
    for (name, operand) in map {
        parts.push(match name.as_str() {
            "$and" | "$or" => {
                let Value::Array(items) = operand else {
                    return Err(format!("{name} takes a non-empty array of filters"));
                };
                if items.is_empty() {
                    return Err(format!("{name} takes a non-empty array of filters"));
                }
                let subs = items
                    .iter()
                    .map(|i| parse(i, depth + 1, count))
                    .collect::<Result<Vec<_>, _>>()?;
                if name == "$and" {
                    Filter::And(subs)
                } else {
                    Filter::Or(subs)
                }
            }
            op if op.starts_with('$') => return Err(format!("unknown filter operator {op}")),
            field => field_condition(field, operand, count)?,
        });
    }
    Ok(if parts.len() == 1 {
        parts.remove(0)
    } else {
        Filter::And(parts)
    })
}

fn field_condition(field: &str, operand: &Value, count: &mut usize) -> Result<Filter, FilterError> {
    if field.is_empty() {
        return Err("a filter names an empty metadata key".into());
    }
    let mut bump = || {
        *count += 1;
        if *count > MAX_CONDITIONS {
            Err(format!(
                "the filter has more than {MAX_CONDITIONS} conditions"
            ))
        } else {
            Ok(())
        }
    };
    let ops = match operand {
        Value::Object(ops) if ops.keys().any(|k| k.starts_with('$')) => ops,
        v if is_primitive(v) => {
            bump()?;
            return Ok(Filter::Eq(field.to_owned(), v.clone()));
        }
        _ => {
            return Err(format!(
                "the condition on {field:?} is neither a value nor an operator object"
            ));
        }
    };
    let mut conditions = Vec::with_capacity(ops.len());
    for (op, v) in ops {
        bump()?;
        let f = field.to_owned();
        conditions.push(match op.as_str() {
            "$eq" | "$ne" => {
                if !is_primitive(v) {
                    return Err(format!("{op} on {field:?} takes a string, number or boolean"));
                }
                if op == "$eq" {
                    Filter::Eq(f, v.clone())
                } else {
                    Filter::Ne(f, v.clone())
                }
            }
            "$in" | "$nin" => {
                let list = match v {
                    Value::Array(items) if !items.is_empty() && items.iter().all(is_primitive) => {
                        items.clone()
                    }
                    _ => {
                        return Err(format!(
                            "{op} on {field:?} takes a non-empty array of strings, numbers or booleans"
                        ));
                    }
                };
                if op == "$in" {
                    Filter::In(f, list)
                } else {
                    Filter::Nin(f, list)
                }
            }
            "$exists" => match v {
                Value::Bool(b) => Filter::Exists(f, *b),
                _ => return Err(format!("$exists on {field:?} takes true or false")),
            },
            other => return Err(format!("unknown filter operator {other}")),
        });
    }
    Ok(if conditions.len() == 1 {
        conditions.remove(0)
    } else {
        Filter::And(conditions)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[allow(clippy::needless_pass_by_value)]
    fn f(v: Value) -> Filter {
        Filter::parse(&v, &[]).expect("filter")
    }

    #[test]
    fn operators_match_as_documented() {
        let m = json!({"genre": "drama", "year": 2020, "tags": ["a", "b"], "ok": true});
        let m = Some(&m);
        assert!(f(json!({"genre": {"$eq": "drama"}})).matches(m));
        assert!(f(json!({"genre": "drama"})).matches(m));
        assert!(f(json!({"year": {"$eq": 2020.0}})).matches(m));
        assert!(f(json!({"tags": {"$eq": "b"}})).matches(m));
        assert!(!f(json!({"genre": {"$ne": "drama"}})).matches(m));
        assert!(f(json!({"missing": {"$ne": "x"}})).matches(m));
        assert!(f(json!({"genre": {"$in": ["comedy", "drama"]}})).matches(m));
        assert!(!f(json!({"genre": {"$nin": ["comedy", "drama"]}})).matches(m));
        assert!(f(json!({"missing": {"$nin": ["x"]}})).matches(m));
        assert!(f(json!({"ok": {"$exists": true}})).matches(m));
        assert!(f(json!({"nope": {"$exists": false}})).matches(m));
        assert!(f(json!({"$and": [{"genre": "drama"}, {"year": 2020}]})).matches(m));
        assert!(!f(json!({"$and": [{"genre": "drama"}, {"year": 2021}]})).matches(m));
        assert!(f(json!({"$or": [{"genre": "x"}, {"year": 2020}]})).matches(m));
        assert!(f(json!({"genre": "drama", "year": 2020})).matches(m));
        assert!(!f(json!({"genre": "drama"})).matches(None));
    }

    #[test]
    fn malformed_filters_are_refused() {
        for bad in [
            json!([]),
            json!({}),
            json!({"$and": []}),
            json!({"$and": {}}),
            json!({"$xor": [{"a": 1}]}),
            json!({"a": {"$gtx": 1}}),
            json!({"a": {"$in": []}}),
            json!({"a": {"$in": "x"}}),
            json!({"a": {"$eq": [1]}}),
            json!({"a": {"$exists": "yes"}}),
            json!({"a": null}),
        ] {
            assert!(Filter::parse(&bad, &[]).is_err(), "{bad}");
        }
        let deep = (0..10).fold(json!({"a": 1}), |acc, _| json!({"$and": [acc]}));
        assert!(Filter::parse(&deep, &[]).is_err());
        let err = Filter::parse(&json!({"secret": 1}), &["secret".to_owned()]).unwrap_err();
        assert!(err.contains("non-filterable"), "{err}");
    }
}
