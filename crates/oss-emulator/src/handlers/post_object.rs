//! PostObject: a browser form upload (`POST /` to the bucket, `multipart/form-data`).
//!
//! The form authenticates itself: a V4 form (`x-oss-signature-version`, `x-oss-credential`,
//! `x-oss-date`, `x-oss-signature`) or a V1 form (`OSSAccessKeyId`, `Signature`) signs its
//! base64 `policy`, whose `expiration` and every condition are then checked against the
//! fields and the file. A form without `policy` is accepted only by a `public-read-write`
//! bucket. Field names are case-insensitive; fields after `file` are ignored, as OSS does.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::StatusCode;
use oss_sign::Credentials;
use oss_sign::post_policy::{self, PostForm};
use oss_sign::verify::VerifyOptions;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::STORED_HEADERS;
use super::form_data::{self, FormField};
use crate::checksum;
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{ObjectMeta, now_ms};
use crate::xml::XmlWriter;

/// The largest object a form may carry (5 GiB).
const MAX_OBJECT: u64 = 5 * 1024 * 1024 * 1024;

/// True when a bucket-scope POST is a form upload (its body is `multipart/form-data`).
pub(crate) fn is_form_upload(req: &Request) -> bool {
    req.header("content-type")
        .is_some_and(|ct| form_data::boundary(ct).is_some())
}

fn malformed() -> OssError {
    OssError::new(
        StatusCode::BAD_REQUEST,
        "MalformedPOSTRequest",
        "The body of your POST request is not well-formed multipart/form-data.",
    )
}

fn invalid_policy(message: &str, ec: &'static str) -> OssError {
    OssError::new(StatusCode::BAD_REQUEST, "InvalidPolicyDocument", message).ec(ec)
}

fn condition_failed(condition: &Value) -> OssError {
    OssError::access_denied(format!(
        "Invalid according to Policy: Policy Condition failed: {condition}"
    ))
    .ec("0006-00000227")
}

/// The received form: text fields by lower-case name, and the file.
struct Form<'a> {
    fields: BTreeMap<String, String>,
    file: FormField<'a>,
}

impl Form<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

fn read_form<'a>(req: &'a Request) -> Result<Form<'a>, OssError> {
    let boundary = req
        .header("content-type")
        .and_then(form_data::boundary)
        .ok_or_else(malformed)?;
    let parts = form_data::parse(&req.body, &boundary).ok_or_else(malformed)?;
    let mut fields = BTreeMap::new();
    for part in parts {
        if part.name.eq_ignore_ascii_case("file") {
            return Ok(Form { fields, file: part });
        }
        let value = String::from_utf8(part.value.to_vec()).map_err(|_| malformed())?;
        fields.insert(part.name.to_ascii_lowercase(), value);
    }
    Err(
        OssError::invalid_argument("The file field is missing from the form.")
            .with("ArgumentName", "file"),
    )
}

/// The parsed policy document.
struct Policy {
    expiration: OffsetDateTime,
    conditions: Vec<Value>,
}

fn read_policy(encoded: &str) -> Result<Policy, OssError> {
    let json = BASE64
        .decode(encoded.trim())
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok())
        .ok_or_else(|| {
            invalid_policy("Invalid Policy: Invalid Base64 Encoding.", "0006-00000201")
        })?;
    let doc: Value = serde_json::from_str(&json).map_err(|_| {
        invalid_policy(
            "Invalid Policy: Invalid JSON: the policy is not a JSON object.",
            "0006-00000204",
        )
    })?;
    let Value::Object(doc) = doc else {
        return Err(invalid_policy(
            "Invalid Policy: Invalid JSON: the policy is not a JSON object.",
            "0006-00000204",
        ));
    };
    let expiration = match doc.get("expiration") {
        Some(Value::String(s)) => OffsetDateTime::parse(s, &Rfc3339).map_err(|_| {
            invalid_policy(
                "Invalid Policy: Invalid 'expiration' value: it must be ISO 8601 GMT.",
                "0000-00000000",
            )
        })?,
        _ => {
            return Err(invalid_policy(
                "Invalid Policy: Policy missing expiration.",
                "0000-00000000",
            ));
        }
    };
    let conditions = match doc.get("conditions") {
        Some(Value::Array(c)) => c.clone(),
        Some(_) => {
            return Err(invalid_policy(
                "Invalid Policy: Invalid 'conditions' value: it must be an array.",
                "0006-00000214",
            ));
        }
        None => {
            return Err(invalid_policy(
                "Invalid Policy: Policy missing conditions.",
                "0006-00000207",
            ));
        }
    };
    Ok(Policy {
        expiration,
        conditions,
    })
}

/// What a condition's `$name` (or `{"name": ...}`) refers to.
fn subject(form: &Form<'_>, bucket: &str, key: &str, name: &str) -> Option<String> {
    let name = name.strip_prefix('$').unwrap_or(name).to_ascii_lowercase();
    match name.as_str() {
        "bucket" => Some(bucket.to_owned()),
        "key" => Some(key.to_owned()),
        "content-type" => form
            .get("content-type")
            .map(str::to_owned)
            .or_else(|| form.file.content_type.clone()),
        other => form.get(other).map(str::to_owned),
    }
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn as_len(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Checks every condition of the policy against the form.
fn check_conditions(
    conditions: &[Value],
    form: &Form<'_>,
    bucket: &str,
    key: &str,
) -> Result<(), OssError> {
    let unknown = || {
        invalid_policy(
            "Invalid Policy: Invalid Simple-Condition: the condition is not understood.",
            "0000-00000000",
        )
    };
    let size = form.file.value.len() as u64;
    for condition in conditions {
        match condition {
            Value::Object(map) => {
                for (name, want) in map {
                    let want = as_text(want).ok_or_else(unknown)?;
                    let got = subject(form, bucket, key, name);
                    if got.as_deref() != Some(want.as_str()) {
                        return Err(condition_failed(condition));
                    }
                }
            }
            Value::Array(items) => {
                let op = items.first().and_then(Value::as_str).ok_or_else(unknown)?;
                match op.to_ascii_lowercase().as_str() {
                    "content-length-range" => {
                        let (Some(min), Some(max)) =
                            (items.get(1).and_then(as_len), items.get(2).and_then(as_len))
                        else {
                            return Err(unknown());
                        };
                        if size > max {
                            return Err(OssError::new(
                                StatusCode::BAD_REQUEST,
                                "EntityTooLarge",
                                "Your proposed upload exceeds the maximum allowed size.",
                            )
                            .with("MaxSizeAllowed", max.to_string())
                            .with("ProposedSize", size.to_string()));
                        }
                        if size < min {
                            return Err(OssError::new(
                                StatusCode::BAD_REQUEST,
                                "EntityTooSmall",
                                "Your proposed upload is smaller than the minimum allowed size.",
                            )
                            .with("MinSizeAllowed", min.to_string())
                            .with("ProposedSize", size.to_string()));
                        }
                    }
                    op @ ("eq" | "starts-with") => {
                        let name = items.get(1).and_then(Value::as_str).ok_or_else(unknown)?;
                        let want = items.get(2).and_then(as_text).ok_or_else(unknown)?;
                        let got = subject(form, bucket, key, name).unwrap_or_default();
                        let ok = if op == "eq" {
                            got == want
                        } else {
                            got.starts_with(&want)
                        };
                        if !ok {
                            return Err(condition_failed(condition));
                        }
                    }
                    op @ ("in" | "not-in") => {
                        let name = items.get(1).and_then(Value::as_str).ok_or_else(unknown)?;
                        let Some(Value::Array(list)) = items.get(2) else {
                            return Err(unknown());
                        };
                        let got = subject(form, bucket, key, name).unwrap_or_default();
                        let found = list.iter().filter_map(as_text).any(|v| v == got);
                        if found != (op == "in") {
                            return Err(condition_failed(condition));
                        }
                    }
                    _ => return Err(unknown()),
                }
            }
            _ => return Err(unknown()),
        }
    }
    Ok(())
}

/// Verifies the form's signature; `Ok(false)` when it has no policy (anonymous).
fn authenticate(ctx: &Context, req: &Request, form: &Form<'_>) -> Result<bool, OssError> {
    let Some(policy) = form.get("policy") else {
        return Ok(false);
    };
    let lookup = |ak: &str| {
        (ak == ctx.access_key_id)
            .then(|| Credentials::new(ctx.access_key_id.clone(), ctx.access_key_secret.clone()))
    };
    let verified = if let Some(version) = form.get("x-oss-signature-version") {
        let missing = |name: &'static str| {
            OssError::invalid_argument(format!("The form field {name} is missing."))
                .with("ArgumentName", name)
        };
        let post = PostForm {
            policy,
            signature_version: version,
            credential: form
                .get("x-oss-credential")
                .ok_or_else(|| missing("x-oss-credential"))?,
            date: form
                .get("x-oss-date")
                .ok_or_else(|| missing("x-oss-date"))?,
            signature: form
                .get("x-oss-signature")
                .ok_or_else(|| missing("x-oss-signature"))?,
            security_token: form.get("x-oss-security-token"),
        };
        post_policy::verify(&post, lookup, &VerifyOptions::new(ctx.now()))
    } else {
        let (Some(ak), Some(signature)) = (form.get("ossaccesskeyid"), form.get("signature"))
        else {
            return Err(OssError::access_denied(
                "The form has a policy but no signature (OSSAccessKeyId and Signature, or the x-oss-signature fields).",
            ));
        };
        post_policy::verify_v1(policy, ak, signature, lookup)
    };
    let verified = verified.map_err(|e| match e {
        oss_sign::VerifyError::SignatureDoesNotMatch { string_to_sign, .. } => OssError::new(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        )
        .ec("0002-00000040")
        .with("OSSAccessKeyId", ctx.access_key_id.clone())
        .with("StringToSign", string_to_sign),
        other => crate::auth::verify_error(ctx, req, other),
    })?;
    let token = verified
        .security_token
        .as_deref()
        .or(form.get("x-oss-security-token"));
    if let Some(token) = token
        && !ctx.security_tokens.is_empty()
        && !ctx.security_tokens.iter().any(|t| t == token)
    {
        return Err(OssError::new(
            StatusCode::FORBIDDEN,
            "InvalidSecurityToken",
            "The security token you provided is invalid.",
        )
        .ec("0002-00000009"));
    }
    Ok(true)
}

fn stored_meta(form: &Form<'_>, key: &str) -> Result<ObjectMeta, OssError> {
    let data = form.file.value;
    let content_type = form
        .get("content-type")
        .map(str::to_owned)
        .or_else(|| form.file.content_type.clone())
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let mut headers = BTreeMap::new();
    for name in STORED_HEADERS {
        if let Some(v) = form.get(name) {
            headers.insert(name.to_owned(), v.to_owned());
        }
    }
    let user_meta = form
        .fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("x-oss-meta-")?.to_owned(), v.clone())))
        .collect();
    let acl = form.get("x-oss-object-acl").unwrap_or("default").to_owned();
    super::check_acl(&acl, true)?;
    let storage_class = form
        .get("x-oss-storage-class")
        .unwrap_or("Standard")
        .to_owned();
    crate::router::check_storage_class(&storage_class)?;
    Ok(ObjectMeta {
        key: key.to_owned(),
        version_id: String::new(),
        seq: 0,
        blob: String::new(),
        delete_marker: false,
        etag: checksum::simple_etag(data),
        size: data.len() as u64,
        modified_ms: now_ms(),
        crc64: checksum::crc64(data),
        object_type: "Normal".to_owned(),
        content_type,
        headers,
        user_meta,
        acl,
        tags: Vec::new(),
        storage_class,
        symlink_target: None,
        restore: None,
        segments: Vec::new(),
    })
}

fn url_param(value: &str) -> String {
    super::enc(value, true)
}

/// POST /bucket (multipart/form-data) — PostObject.
pub(crate) fn post_object(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let form = read_form(req)?;
    let bucket = req.bucket();
    let raw_key = form.get("key").ok_or_else(|| {
        OssError::invalid_argument("The form field key is missing.").with("ArgumentName", "key")
    })?;
    let key = match &form.file.filename {
        Some(name) => raw_key.replace("${filename}", name),
        None => raw_key.to_owned(),
    };
    crate::router::check_object_name(&key)?;
    if authenticate(ctx, req, &form)? {
        let policy = read_policy(form.get("policy").unwrap_or_default())?;
        if policy.expiration <= ctx.now() {
            return Err(OssError::access_denied(
                "Invalid according to Policy: Policy expired.",
            ));
        }
        check_conditions(&policy.conditions, &form, bucket, &key)?;
    } else if ctx.store.bucket(bucket)?.acl != "public-read-write" {
        return Err(OssError::access_denied(
            "You have no right to access this object because of bucket acl.",
        )
        .ec("0003-00000001"));
    }
    if form.file.value.len() as u64 > MAX_OBJECT {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size.",
        ));
    }
    // A `callback` field: checked before anything is stored, performed once it is.
    let callback = form
        .get("callback")
        .filter(|c| !c.is_empty())
        .map(|c| {
            super::callback::from_form(c, form.fields.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        })
        .transpose()?;
    let meta = stored_meta(&form, &key)?;
    let _lock = ctx.store.lock_key(bucket, &key);
    if form.get("x-oss-forbid-overwrite") == Some("true")
        && ctx.store.object(bucket, &key, None).is_ok()
    {
        return Err(OssError::new(
            StatusCode::CONFLICT,
            "FileAlreadyExists",
            "The object you specified already exists and can not be overwritten.",
        )
        .ec("0026-00000005"));
    }
    let data = bytes::Bytes::copy_from_slice(form.file.value);
    let stored = ctx.store.put_object(bucket, meta, &data)?;
    let mut reply = Reply::ok()
        .header("ETag", stored.etag.clone())
        .header("x-oss-hash-crc64ecma", stored.crc64.to_string());
    if stored.version_id != "null" {
        reply = reply.header("x-oss-version-id", stored.version_id.clone());
    }
    // With a callback, the application's answer is the response (success_action_* aside).
    if let Some(spec) = &callback {
        return super::callback::perform_for(ctx, bucket, &key, spec, reply);
    }
    if let Some(redirect) = form
        .get("success_action_redirect")
        .filter(|r| !r.is_empty())
    {
        let sep = if redirect.contains('?') { '&' } else { '?' };
        let location = format!(
            "{redirect}{sep}bucket={}&key={}&etag={}",
            url_param(bucket),
            url_param(&key),
            url_param(stored.etag.trim_matches('"')),
        );
        return Ok(reply
            .status(StatusCode::SEE_OTHER)
            .header("Location", location));
    }
    Ok(match form.get("success_action_status") {
        Some("200") => reply,
        Some("201") => {
            let mut w = XmlWriter::new("PostResponse");
            w.elem("Bucket", bucket)
                .elem("Location", &format!("/{bucket}/{key}"))
                .elem("Key", &key)
                .elem("ETag", &stored.etag);
            reply
                .status(StatusCode::CREATED)
                .header("Content-Type", "application/xml")
                .body(bytes::Bytes::from(w.finish()))
        }
        _ => reply.status(StatusCode::NO_CONTENT),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form<'a>(fields: &[(&str, &str)], file: &'a [u8]) -> Form<'a> {
        Form {
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), (*v).to_owned()))
                .collect(),
            file: FormField {
                name: "file".into(),
                filename: Some("a.txt".into()),
                content_type: Some("text/plain".into()),
                value: file,
            },
        }
    }

    fn conditions(json: &str) -> Vec<Value> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn every_condition_kind_is_checked() {
        let f = form(
            &[("success_action_status", "201"), ("x-oss-meta-a", "1")],
            b"12345",
        );
        let ok = conditions(
            r#"[{"bucket":"b"},["eq","$key","u/a.txt"],["starts-with","$key","u/"],
                ["content-length-range",1,5],["in","$content-type",["text/plain"]],
                ["not-in","$cache-control",["no-cache"]],{"success_action_status":"201"},
                ["eq","$x-oss-meta-a","1"]]"#,
        );
        assert!(check_conditions(&ok, &f, "b", "u/a.txt").is_ok());
        for (bad, code) in [
            (r#"[{"bucket":"other"}]"#, "AccessDenied"),
            (r#"[["starts-with","$key","v/"]]"#, "AccessDenied"),
            (r#"[["content-length-range",1,4]]"#, "EntityTooLarge"),
            (r#"[["content-length-range",6,10]]"#, "EntityTooSmall"),
            (r#"[["in","$content-type",["image/png"]]]"#, "AccessDenied"),
            (r#"[["eq","$x-oss-meta-a","2"]]"#, "AccessDenied"),
            (r#"[["frobnicate","$key","x"]]"#, "InvalidPolicyDocument"),
        ] {
            let err = check_conditions(&conditions(bad), &f, "b", "u/a.txt").unwrap_err();
            assert_eq!(err.code, code, "{bad}");
        }
    }

    #[test]
    fn policy_documents_are_validated() {
        let enc = |s: &str| BASE64.encode(s);
        assert!(
            read_policy(&enc(
                r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":[]}"#
            ))
            .is_ok()
        );
        for (bad, ec) in [
            ("not base64!".to_owned(), "0006-00000201"),
            (enc("[1]"), "0006-00000204"),
            (enc(r#"{"conditions":[]}"#), "0000-00000000"),
            (
                enc(r#"{"expiration":"2030-01-01T00:00:00.000Z"}"#),
                "0006-00000207",
            ),
            (
                enc(r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":123}"#),
                "0006-00000214",
            ),
        ] {
            let err = read_policy(&bad).err().unwrap();
            assert_eq!((err.code, err.ec), ("InvalidPolicyDocument", ec));
        }
    }
}
