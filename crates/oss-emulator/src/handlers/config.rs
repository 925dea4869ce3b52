//! Configuration documents (lifecycle, website, policy, encryption, referer, ...) served by
//! one mechanism driven by the spec: which document a put, get or delete addresses, its scope
//! and what a get of an absent one answers all come from
//! `oss_proto::generated::CONFIG_DOCUMENTS` (generated from the spec's `absent` entries).
//!
//! A put is read into its operation's typed input, which checks the document against its
//! shape: a document that does not read is `MalformedXML`, an enum value the spec does not
//! list is `InvalidArgument`, and nothing is stored. The document is stored as the shape
//! writes it back (text documents as sent, after their own checks), in the bucket's record
//! or the account's (both persisted with `--data-dir`). A get answers it; a delete removes
//! it; a get of an absent one answers OSS's `NoSuch…` error or the default document OSS
//! returns.

use bytes::Bytes;
use http::StatusCode;
use oss_proto::generated::{
    ConfigAbsent, ConfigDocument, ConfigInstance, ConfigRejection, canonical_config,
    config_document,
};
use oss_proto::operation::{RequestBody, RequestParts, Scope};

use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::router::Op;

/// The largest bucket policy OSS accepts (16 KB).
const MAX_POLICY: usize = 16 * 1024;

/// The document an operation addresses, when this mechanism serves it.
pub(crate) fn document(op: Op) -> Option<&'static ConfigDocument> {
    config_document(op).filter(|d| matches!(d.scope, Scope::Bucket | Scope::Service))
}

/// The key a document is stored under: its sub-resource, plus the instance name for one of
/// several (`inventory/<id>`).
fn storage_key(doc: &ConfigDocument, req: &Request) -> Result<String, OssError> {
    let name = match doc.instance {
        None => return Ok(doc.key.to_owned()),
        Some(ConfigInstance::Query(q)) => req.q(q).map(str::to_owned).map(|v| (q, v)),
        Some(ConfigInstance::Header(h)) => req.header(h).map(str::to_owned).map(|v| (h, v)),
    };
    match name {
        Some((_, value)) if !value.is_empty() => Ok(format!("{}/{value}", doc.key)),
        _ => {
            let member = match doc.instance {
                Some(ConfigInstance::Query(n) | ConfigInstance::Header(n)) => n,
                None => "",
            };
            Err(OssError::invalid_argument(format!("{member} is required."))
                .with("ArgumentName", member))
        }
    }
}

/// A get of an absent document: OSS's error, or its default document.
fn absent(doc: &ConfigDocument, req: &Request) -> Result<Reply, OssError> {
    match doc.absent {
        ConfigAbsent::Default(text) => Ok(Reply::xml(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{text}"
        ))),
        ConfigAbsent::Error {
            code,
            status,
            message,
            ec,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::NOT_FOUND);
            let mut err = OssError::new(status, code, message);
            if let Some(ec) = ec {
                err = err.ec(ec);
            }
            if let Some(bucket) = &req.bucket {
                err = err.with("BucketName", bucket.clone());
            }
            Err(err)
        }
    }
}

/// Checks a put's document and returns what the get will answer.
fn validated(
    ctx: &Context,
    op: Op,
    doc: &ConfigDocument,
    req: &Request,
) -> Result<Bytes, OssError> {
    super::check_content_md5(req)?;
    if doc.text && req.body.len() > MAX_POLICY {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "PolicyTooLarge",
            format!("The policy is larger than {MAX_POLICY} bytes."),
        ));
    }
    let parts = RequestParts {
        method: req.method.clone(),
        bucket: req.bucket.clone(),
        key: req.key.clone(),
        query: req.query.clone(),
        headers: req.headers.clone(),
        body: RequestBody::Empty,
    };
    let stored = canonical_config(op, &parts, &req.body)
        .ok_or_else(|| super::not_served(op))?
        .map_err(|e| match e {
            ConfigRejection::UnknownValue { element, value } => {
                OssError::invalid_argument(format!("The value of {element} is not valid: {value}"))
                    .with("ArgumentName", element)
                    .with("ArgumentValue", value)
            }
            other => OssError::malformed_xml().with("Detail", other.to_string()),
        })?;
    if op == Op::PutBucketLifecycle {
        check_lifecycle_limits(&stored)?;
    }
    if doc.text {
        let policy = check_policy(&stored)?;
        if doc.scope == Scope::Bucket {
            crate::access::check_public_grant(
                ctx,
                req.bucket(),
                crate::access::is_public(&policy),
                "A policy granting access to everyone",
            )?;
        }
    }
    Ok(stored)
}

/// The most rules a lifecycle configuration may hold.
const MAX_LIFECYCLE_RULES: usize = 1000;
/// The most `Transition` (and `NoncurrentVersionTransition`) elements of one lifecycle rule.
const MAX_TRANSITIONS: usize = 3;

/// OSS's counts for lifecycle configurations: at most 1,000 rules (EC `0014-00000014`), at
/// most 3 `Transition` (`0014-00000043`) and 3 `NoncurrentVersionTransition`
/// (`0014-00000067`) elements per rule, each answered `InvalidArgument`.
fn check_lifecycle_limits(stored: &[u8]) -> Result<(), OssError> {
    use oss_model::xml::XmlDocument as _;
    let conf = oss_model::LifecycleConfiguration::from_xml(stored)
        .map_err(|e| OssError::malformed_xml().with("Detail", e.to_string()))?;
    if conf.rules.len() > MAX_LIFECYCLE_RULES {
        return Err(OssError::invalid_argument(format!(
            "A lifecycle configuration holds at most {MAX_LIFECYCLE_RULES} rules; this one has {}.",
            conf.rules.len()
        ))
        .ec("0014-00000014"));
    }
    for rule in &conf.rules {
        if rule.transitions.len() > MAX_TRANSITIONS {
            return Err(OssError::invalid_argument(format!(
                "A lifecycle rule holds at most {MAX_TRANSITIONS} Transition elements."
            ))
            .ec("0014-00000043"));
        }
        if rule.noncurrent_version_transitions.len() > MAX_TRANSITIONS {
            return Err(OssError::invalid_argument(format!(
                "A lifecycle rule holds at most {MAX_TRANSITIONS} NoncurrentVersionTransition elements."
            ))
            .ec("0014-00000067"));
        }
    }
    Ok(())
}

/// A policy is a JSON object with a `Statement` list.
fn check_policy(text: &[u8]) -> Result<serde_json::Value, OssError> {
    let invalid = |why: String| {
        OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidPolicyDocument",
            format!("The policy document is not valid: {why}."),
        )
    };
    let value: serde_json::Value =
        serde_json::from_slice(text).map_err(|e| invalid(format!("not JSON ({e})")))?;
    if !value
        .get("Statement")
        .is_some_and(serde_json::Value::is_array)
    {
        return Err(invalid("no Statement list".to_owned()));
    }
    Ok(value)
}

/// GET /bucket?policyStatus — GetBucketPolicyStatus: whether the bucket's policy grants
/// anything to everyone.
pub(crate) fn get_policy_status(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let is_public = ctx
        .store
        .bucket(req.bucket())?
        .configs
        .get("policy")
        .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
        .is_some_and(|p| crate::access::is_public(&p));
    let output = oss_model::GetBucketPolicyStatusOutput {
        request_id: None,
        is_public,
    };
    crate::typed::reply::<oss_proto::generated::GetBucketPolicyStatus>(&output)
}

/// Puts, gets or deletes the configuration document the request's operation addresses.
pub(crate) fn handle(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let op = crate::router::route(req)?;
    let doc = document(op).ok_or_else(|| super::not_served(op))?;
    let key = storage_key(doc, req)?;
    let account = doc.scope == Scope::Service;
    if op == doc.put {
        let stored = validated(ctx, op, doc, req)?;
        let text = String::from_utf8(stored.to_vec()).map_err(|_| OssError::malformed_xml())?;
        if account {
            ctx.store.update_account(|a| {
                a.configs.insert(key, text);
            })?;
        } else {
            ctx.store.update_bucket(req.bucket(), |b| {
                b.configs.insert(key, text);
            })?;
        }
        return Ok(Reply::ok());
    }
    if Some(op) == doc.delete {
        if account {
            ctx.store.update_account(|a| {
                a.configs.remove(&key);
            })?;
        } else {
            ctx.store.update_bucket(req.bucket(), |b| {
                b.configs.remove(&key);
            })?;
        }
        return Ok(Reply::ok().status(StatusCode::NO_CONTENT));
    }
    let stored = if account {
        ctx.store.account().configs.get(&key).cloned()
    } else {
        ctx.store.bucket(req.bucket())?.configs.get(&key).cloned()
    };
    match stored {
        Some(text) if doc.text => Ok(Reply::ok()
            .header("Content-Type", "application/json")
            .body(Bytes::from(text))),
        Some(text) => Ok(Reply::xml(text)),
        None => absent(doc, req),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oss_proto::generated::CONFIG_DOCUMENTS;

    #[test]
    fn every_generated_document_is_served_by_its_three_operations() {
        assert!(CONFIG_DOCUMENTS.len() >= 19);
        for doc in CONFIG_DOCUMENTS {
            assert_eq!(document(doc.put).map(|d| d.get), Some(doc.get));
            assert_eq!(document(doc.get).map(|d| d.put), Some(doc.put));
            if let Some(delete) = doc.delete {
                assert_eq!(document(delete).map(|d| d.get), Some(doc.get));
            }
        }
    }

    #[test]
    fn policies_need_a_statement_list() {
        assert!(check_policy(br#"{"Version":"1","Statement":[]}"#).is_ok());
        assert!(check_policy(br#"{"Version":"1"}"#).is_err());
        assert!(check_policy(b"not json").is_err());
    }
}
