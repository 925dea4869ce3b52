//! Data pipeline rules behind DoDataPipeLineAction (`POST /?dataPipeline&action=<name>` on the
//! service): `putDataPipelineConfiguration`, `getDataPipelineConfiguration`,
//! `listDataPipelineConfigurations` and `deleteDataPipelineConfiguration`.
//!
//! A rule lives in the account record (`data-pipeline/<name>`, persisted with `--data-dir`):
//! the `<DataPipelineConfiguration>` document put (its elements kept as sent, the Model Studio
//! `ApiKey` masked when read back), the `role` parameter and the creation time. Rules run
//! nowhere here; once put they read as `Running` / `IncrementalScanning`.

use http::StatusCode;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;

use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{from_ms, now_ms};
use crate::xml::{self, Element};

/// Where rules live in the account record: this prefix and the rule's name.
const PREFIX: &str = "data-pipeline/";
/// The most rules one page of `listDataPipelineConfigurations` holds.
const MAX_RESULTS: usize = 100;

/// A rule as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct PipelineRecord {
    name: String,
    role: Option<String>,
    /// The children of the `<DataPipelineConfiguration>` put, serialized.
    config: String,
    created_ms: i64,
}

/// POST /?dataPipeline&action=<name> — DoDataPipeLineAction.
pub(crate) fn action(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    match req.q("action").unwrap_or_default() {
        "putDataPipelineConfiguration" => put(ctx, req),
        "getDataPipelineConfiguration" => get(ctx, req),
        "listDataPipelineConfigurations" => list(ctx, req),
        "deleteDataPipelineConfiguration" => delete(ctx, req),
        other => Err(
            OssError::invalid_argument(format!("The action {other:?} is not supported."))
                .with("ArgumentName", "action")
                .with("ArgumentValue", other),
        ),
    }
}

fn not_found(name: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "NoSuchDataPipeline",
        "The specified resource dataPipeline is not found.",
    )
    .with("DataPipelineName", name)
}

/// The rule's name: the `dataPipelineName` parameter (`DataPipelineName` accepted too), up to
/// 64 characters of letters, digits, `-` and `_`.
fn name_param(req: &Request) -> Result<String, OssError> {
    let name = req
        .q("dataPipelineName")
        .or_else(|| req.q("DataPipelineName"))
        .unwrap_or_default();
    let valid = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        return Err(OssError::invalid_argument(
            "The dataPipelineName must be 1 to 64 characters of letters, digits, - and _.",
        )
        .with("ArgumentName", "dataPipelineName")
        .with("ArgumentValue", name));
    }
    Ok(name.to_owned())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// Writes an element back as XML (text then children).
fn write(out: &mut String, e: &Element) {
    out.push_str(&format!("<{}>", e.name));
    out.push_str(&escape(&e.text));
    for c in &e.children {
        write(out, c);
    }
    out.push_str(&format!("</{}>", e.name));
}

/// Masks the Model Studio key: its first three characters (`sk-`) and `****`.
fn mask(e: &mut Element) {
    if e.name == "ApiKey" && !e.text.is_empty() {
        let head: String = e.text.chars().take(3).collect();
        e.text = format!("{head}****");
    }
    for c in &mut e.children {
        mask(c);
    }
}

fn stored(ctx: &Context, name: &str) -> Option<PipelineRecord> {
    ctx.store
        .account()
        .configs
        .get(&format!("{PREFIX}{name}"))
        .and_then(|v| serde_json::from_str(v).ok())
}

fn rule_xml(p: &PipelineRecord) -> String {
    let mut out = String::from("<DataPipelineConfiguration>");
    out.push_str(&format!(
        "<DataPipelineName>{}</DataPipelineName>",
        escape(&p.name)
    ));
    if let Some(role) = &p.role {
        out.push_str(&format!("<Role>{}</Role>", escape(role)));
    }
    if let Some(mut doc) = xml::parse(format!("<C>{}</C>", p.config).as_bytes()) {
        mask(&mut doc);
        for c in &doc.children {
            write(&mut out, c);
        }
    }
    let created = from_ms(p.created_ms).format(&Rfc3339).unwrap_or_default();
    out.push_str(&format!(
        "<Status>Running</Status><Phase>IncrementalScanning</Phase><CreateTime>{created}</CreateTime>"
    ));
    out.push_str("</DataPipelineConfiguration>");
    out
}

fn document(inner: &str) -> Reply {
    Reply::xml(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{inner}"
    ))
}

fn put(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let given = req
        .q("dataPipelineName")
        .or_else(|| req.q("DataPipelineName"))
        .unwrap_or_default()
        .to_owned();
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Err(not_found(&given));
    }
    let name = name_param(req)?;
    let doc = xml::parse(&req.body).ok_or_else(OssError::malformed_xml)?;
    if doc.name != "DataPipelineConfiguration" {
        return Err(OssError::malformed_xml());
    }
    let mut config = String::new();
    for c in doc
        .children
        .iter()
        .filter(|c| !matches!(c.name.as_str(), "DataPipelineName" | "Status" | "Phase"))
    {
        write(&mut config, c);
    }
    let created_ms = stored(ctx, &name).map_or_else(now_ms, |p| p.created_ms);
    let record = PipelineRecord {
        name: name.clone(),
        role: req.q("role").filter(|r| !r.is_empty()).map(str::to_owned),
        config,
        created_ms,
    };
    let text = serde_json::to_string(&record)
        .map_err(|e| OssError::internal(format!("cannot store the rule: {e}")))?;
    ctx.store.update_account(|a| {
        a.configs.insert(format!("{PREFIX}{name}"), text);
    })?;
    Ok(Reply::ok())
}

/// The name of a rule to read or delete: none given names no rule (`NoSuchDataPipeline`).
fn existing_name(req: &Request) -> Result<String, OssError> {
    match req
        .q("dataPipelineName")
        .or_else(|| req.q("DataPipelineName"))
    {
        None | Some("") => Err(not_found("")),
        Some(_) => name_param(req),
    }
}

fn get(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let name = existing_name(req)?;
    let p = stored(ctx, &name).ok_or_else(|| not_found(&name))?;
    Ok(document(&rule_xml(&p)))
}

fn delete(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let name = existing_name(req)?;
    stored(ctx, &name).ok_or_else(|| not_found(&name))?;
    ctx.store.update_account(|a| {
        a.configs.remove(&format!("{PREFIX}{name}"));
    })?;
    Ok(Reply::ok())
}

fn list(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
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
    let all: Vec<PipelineRecord> = ctx
        .store
        .account()
        .configs
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(PREFIX).map(|name| (name, v)))
        .filter(|(name, _)| name.starts_with(prefix) && (after.is_empty() || *name > after))
        .filter_map(|(_, v)| serde_json::from_str(v).ok())
        .collect();
    let page = &all[..all.len().min(max)];
    let mut inner =
        String::from("<ListDataPipelineConfigurationsResult><DataPipelineConfigurations>");
    for p in page {
        inner.push_str(&rule_xml(p));
    }
    inner.push_str("</DataPipelineConfigurations>");
    if all.len() > max
        && let Some(last) = page.last()
    {
        inner.push_str(&format!("<NextToken>{}</NextToken>", escape(&last.name)));
    }
    inner.push_str("</ListDataPipelineConfigurationsResult>");
    Ok(document(&inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_masked_and_elements_written_back() {
        let mut doc =
            xml::parse(b"<C><E><ApiKey>sk-secret</ApiKey><Model>m&amp;1</Model></E></C>").unwrap();
        mask(&mut doc);
        let mut out = String::new();
        for c in &doc.children {
            write(&mut out, c);
        }
        assert_eq!(out, "<E><ApiKey>sk-****</ApiKey><Model>m&amp;1</Model></E>");
    }
}
