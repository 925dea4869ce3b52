//! MetaQuery datasets behind DoMetaQueryAction (`POST /?metaQuery&action=<name>` on a bucket):
//! `createDataset`, `getDataset`, `updateDataset`, `deleteDataset` and `listDatasets`.
//!
//! A dataset lives in its bucket's record (`meta-query-dataset/<name>`, persisted with
//! `--data-dir`) and needs the bucket's metadata index opened by OpenMetaQuery (the `meta-query`
//! entry of handlers/meta_query.rs); without it OSS answers `OperationNotSupported`. Every
//! parameter travels in the query, the request body is empty, and the answers are XML documents
//! holding `<Dataset>` elements. The emulator routes no objects into datasets, so the statistics
//! of `getDataset&withStatistics=true` count nothing.

use http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::format_description::well_known::Rfc3339;

use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{from_ms, now_ms};

/// The metadata index's entry in the bucket's record (written by handlers/meta_query.rs).
const INDEX_KEY: &str = "meta-query";
/// Where datasets live in the bucket's record: this prefix and the dataset's name.
const PREFIX: &str = "meta-query-dataset/";
/// The most datasets one page of `listDatasets` holds.
const MAX_RESULTS: usize = 100;

/// A dataset as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct DatasetRecord {
    name: String,
    description: Option<String>,
    /// The `workflowParameters` JSON array as given.
    workflow_parameters: Option<String>,
    /// The `datasetConfig` JSON document as given.
    dataset_config: Option<String>,
    created_ms: i64,
    updated_ms: i64,
}

/// POST /bucket?metaQuery&action=<name> — DoMetaQueryAction.
pub(crate) fn action(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let bucket = req.bucket().to_owned();
    let record = ctx.store.bucket(&bucket)?;
    let action = req.q("action").unwrap_or_default().to_owned();
    let known = matches!(
        action.as_str(),
        "createDataset" | "getDataset" | "updateDataset" | "deleteDataset" | "listDatasets"
    );
    if !known {
        return Err(
            OssError::invalid_argument(format!("The action {action:?} is not supported."))
                .with("ArgumentName", "action")
                .with("ArgumentValue", action),
        );
    }
    if !record.configs.contains_key(INDEX_KEY) {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "OperationNotSupported",
            "The operation is not supported for this resource",
        )
        .ec("0037-00000001"));
    }
    match action.as_str() {
        "createDataset" => create(ctx, req, &bucket),
        "getDataset" => get(ctx, req, &bucket),
        "updateDataset" => update(ctx, req, &bucket),
        "deleteDataset" => delete(ctx, req, &bucket),
        _ => list(ctx, req, &bucket),
    }
}

fn rfc3339(ms: i64) -> String {
    from_ms(ms).format(&Rfc3339).unwrap_or_default()
}

fn valid_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn dataset_name(req: &Request) -> Result<String, OssError> {
    let name = req.q("datasetName").unwrap_or_default();
    if !valid_name(name) {
        return Err(OssError::invalid_argument(
            "The datasetName must be 1 to 128 characters of a-z, A-Z, 0-9, _ and -.",
        )
        .with("ArgumentName", "datasetName")
        .with("ArgumentValue", name));
    }
    Ok(name.to_owned())
}

fn not_exist(name: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "DatasetNotExist",
        "The specified dataset does not exist.",
    )
    .with("DatasetName", name)
}

/// The optional parameters of create and update, checked: a description of at most 256
/// characters, `workflowParameters` a JSON array of `{Name, Value}`, `datasetConfig` a JSON
/// object.
struct Params {
    description: Option<String>,
    workflow_parameters: Option<String>,
    dataset_config: Option<String>,
}

fn params(req: &Request) -> Result<Params, OssError> {
    let description = req.q("description").map(str::to_owned);
    if let Some(d) = &description
        && d.chars().count() > 256
    {
        return Err(
            OssError::invalid_argument("The description is longer than 256 characters.")
                .with("ArgumentName", "description"),
        );
    }
    let workflow_parameters = req.q("workflowParameters").map(str::to_owned);
    if let Some(w) = &workflow_parameters {
        let ok = serde_json::from_str::<Value>(w).ok().is_some_and(|v| {
            v.as_array().is_some_and(|items| {
                items
                    .iter()
                    .all(|i| i.get("Name").and_then(Value::as_str).is_some())
            })
        });
        if !ok {
            return Err(OssError::invalid_argument(
                "The workflowParameters must be a JSON array of {\"Name\", \"Value\"}.",
            )
            .with("ArgumentName", "workflowParameters"));
        }
    }
    let dataset_config = req.q("datasetConfig").map(str::to_owned);
    if let Some(c) = &dataset_config
        && !serde_json::from_str::<Value>(c).is_ok_and(|v| v.is_object())
    {
        return Err(
            OssError::invalid_argument("The datasetConfig must be a JSON object.")
                .with("ArgumentName", "datasetConfig"),
        );
    }
    Ok(Params {
        description,
        workflow_parameters,
        dataset_config,
    })
}

fn stored(ctx: &Context, bucket: &str, name: &str) -> Result<Option<DatasetRecord>, OssError> {
    Ok(ctx
        .store
        .bucket(bucket)?
        .configs
        .get(&format!("{PREFIX}{name}"))
        .and_then(|v| serde_json::from_str(v).ok()))
}

fn save(ctx: &Context, bucket: &str, d: &DatasetRecord) -> Result<(), OssError> {
    let text = serde_json::to_string(d)
        .map_err(|e| OssError::internal(format!("cannot store the dataset: {e}")))?;
    ctx.store.update_bucket(bucket, |b| {
        b.configs.insert(format!("{PREFIX}{}", d.name), text);
    })?;
    Ok(())
}

/// Writes a JSON value as XML under `name`: objects as child elements, arrays as one element
/// per item, scalars as text.
fn json_xml(out: &mut String, name: &str, v: &Value) {
    match v {
        Value::Array(items) => {
            for item in items {
                json_xml(out, name, item);
            }
        }
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (k, child) in map {
                json_xml(out, k, child);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Null => {}
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", escape(s))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The `<Dataset>` element of the Dataset data structure.
fn dataset_xml(d: &DatasetRecord, statistics: bool) -> String {
    let mut out = String::from("<Dataset>");
    out.push_str(&format!("<DatasetName>{}</DatasetName>", escape(&d.name)));
    if let Some(desc) = &d.description {
        out.push_str(&format!("<Description>{}</Description>", escape(desc)));
    }
    out.push_str(&format!(
        "<CreateTime>{}</CreateTime><UpdateTime>{}</UpdateTime>",
        rfc3339(d.created_ms),
        rfc3339(d.updated_ms)
    ));
    if let Some(w) = d
        .workflow_parameters
        .as_deref()
        .and_then(|w| serde_json::from_str::<Value>(w).ok())
    {
        out.push_str("<WorkflowParameters>");
        for p in w.as_array().into_iter().flatten() {
            out.push_str("<WorkflowParameter>");
            for field in ["Name", "Value"] {
                if let Some(v) = p.get(field) {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    out.push_str(&format!("<{field}>{}</{field}>", escape(&text)));
                }
            }
            out.push_str("</WorkflowParameter>");
        }
        out.push_str("</WorkflowParameters>");
    }
    if let Some(c) = d
        .dataset_config
        .as_deref()
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
    {
        json_xml(&mut out, "DatasetConfig", &c);
    }
    out.push_str(
        "<DatasetMaxFileCount>100000000</DatasetMaxFileCount>\
         <DatasetMaxEntityCount>10000000000</DatasetMaxEntityCount>\
         <DatasetMaxRelationCount>100000000000</DatasetMaxRelationCount>\
         <DatasetMaxTotalFileSize>90000000000000000</DatasetMaxTotalFileSize>",
    );
    if statistics {
        out.push_str("<FileCount>0</FileCount><TotalFileSize>0</TotalFileSize>");
    }
    out.push_str("</Dataset>");
    out
}

fn document(root: &str, inner: &str) -> Reply {
    Reply::xml(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root}>{inner}</{root}>"
    ))
}

fn create(ctx: &Context, req: &Request, bucket: &str) -> Result<Reply, OssError> {
    let name = dataset_name(req)?;
    let p = params(req)?;
    if stored(ctx, bucket, &name)?.is_some() {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "ResourceAlreadyExists",
            "The dataset already exists.",
        )
        .with("DatasetName", name));
    }
    let now = now_ms();
    let d = DatasetRecord {
        name,
        description: p.description,
        workflow_parameters: p.workflow_parameters,
        dataset_config: p.dataset_config,
        created_ms: now,
        updated_ms: now,
    };
    save(ctx, bucket, &d)?;
    Ok(document("CreateDatasetResponse", &dataset_xml(&d, false)))
}

fn get(ctx: &Context, req: &Request, bucket: &str) -> Result<Reply, OssError> {
    let name = dataset_name(req)?;
    let d = stored(ctx, bucket, &name)?.ok_or_else(|| not_exist(&name))?;
    let statistics = match req.q("withStatistics") {
        None | Some("") | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(
                OssError::invalid_argument("The withStatistics must be true or false.")
                    .with("ArgumentName", "withStatistics")
                    .with("ArgumentValue", other),
            );
        }
    };
    Ok(document("GetDatasetResponse", &dataset_xml(&d, statistics)))
}

fn update(ctx: &Context, req: &Request, bucket: &str) -> Result<Reply, OssError> {
    let name = dataset_name(req)?;
    let p = params(req)?;
    let mut d = stored(ctx, bucket, &name)?.ok_or_else(|| not_exist(&name))?;
    if p.description.is_some() {
        d.description = p.description;
    }
    if p.workflow_parameters.is_some() {
        d.workflow_parameters = p.workflow_parameters;
    }
    if p.dataset_config.is_some() {
        d.dataset_config = p.dataset_config;
    }
    d.updated_ms = now_ms().max(d.created_ms);
    save(ctx, bucket, &d)?;
    Ok(document("UpdateDatasetResponse", &dataset_xml(&d, false)))
}

fn delete(ctx: &Context, req: &Request, bucket: &str) -> Result<Reply, OssError> {
    let name = dataset_name(req)?;
    stored(ctx, bucket, &name)?.ok_or_else(|| not_exist(&name))?;
    ctx.store.update_bucket(bucket, |b| {
        b.configs.remove(&format!("{PREFIX}{name}"));
    })?;
    Ok(Reply::ok())
}

fn list(ctx: &Context, req: &Request, bucket: &str) -> Result<Reply, OssError> {
    let max = match req.q("maxResults").filter(|m| !m.is_empty()) {
        None => MAX_RESULTS,
        Some(m) => match m.parse::<usize>() {
            Ok(0) => MAX_RESULTS,
            Ok(n) if n <= MAX_RESULTS => n,
            _ => {
                return Err(OssError::invalid_argument(format!(
                    "The maxResults must be an integer between 0 and {MAX_RESULTS}."
                ))
                .with("ArgumentName", "maxResults")
                .with("ArgumentValue", m));
            }
        },
    };
    let prefix = req.q("prefix").unwrap_or_default();
    let after = req.q("nextToken").unwrap_or_default();
    let all: Vec<DatasetRecord> = ctx
        .store
        .bucket(bucket)?
        .configs
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(PREFIX).map(|name| (name, v)))
        .filter(|(name, _)| name.starts_with(prefix) && (after.is_empty() || *name > after))
        .filter_map(|(_, v)| serde_json::from_str(v).ok())
        .collect();
    let more = all.len() > max;
    let page = &all[..all.len().min(max)];
    let mut inner = String::new();
    if more && let Some(last) = page.last() {
        inner.push_str(&format!("<NextToken>{}</NextToken>", escape(&last.name)));
    }
    inner.push_str("<Datasets>");
    for d in page {
        inner.push_str(&dataset_xml(d, false));
    }
    inner.push_str("</Datasets>");
    Ok(document("ListDatasetsResponse", &inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_documented_rule() {
        assert!(valid_name("photos-2026"));
        assert!(valid_name("a_B-9"));
        assert!(valid_name(&"x".repeat(128)));
        assert!(!valid_name(""));
        assert!(!valid_name(&"x".repeat(129)));
        assert!(!valid_name("has space"));
        assert!(!valid_name("dot.name"));
    }

    #[test]
    fn json_config_becomes_elements() {
        let v: Value = serde_json::from_str(r#"{"A":{"B":"x<y"},"L":[1,2]}"#).unwrap();
        let mut out = String::new();
        json_xml(&mut out, "DatasetConfig", &v);
        assert_eq!(
            out,
            "<DatasetConfig><A><B>x&lt;y</B></A><L>1</L><L>2</L></DatasetConfig>"
        );
    }
}
