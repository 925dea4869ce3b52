//! Image processing requests: `GET /key?x-oss-process=image/...` (the processed image is
//! the response), ProcessObject (`POST /key?x-oss-process`, the result saved with
//! `sys/saveas`) and AsyncProcessObject (`POST /key?x-oss-async-process`, done at once here
//! and reported as a task). The processing is in [`crate::image_process`]; named styles
//! (`style/<name>`) are not handled here.

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use bytes::Bytes;
use http::StatusCode;

use crate::checksum;
use crate::context::Context;
use crate::error::OssError;
use crate::image_process;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{ObjectMeta, now_ms};

fn invalid(message: impl Into<String>) -> OssError {
    OssError::new(StatusCode::BAD_REQUEST, "InvalidArgument", message.into())
}

/// The image instructions of an `x-oss-process` value, when it asks for image processing.
pub(crate) fn image_spec(process: &str) -> Option<&str> {
    process
        .strip_prefix("image/")
        .or((process == "image").then_some(""))
}

/// The object's data, for processing (refusing an unrestored archived object).
fn source(ctx: &Context, req: &Request) -> Result<(ObjectMeta, Bytes), OssError> {
    let meta = ctx
        .store
        .object(req.bucket(), req.key(), req.q("versionId"))?;
    super::archive::check_readable(&meta)?;
    let data = ctx.store.read(req.bucket(), &meta)?;
    Ok((meta, data))
}

/// GetObject with `x-oss-process=image/...`: the object's headers that still describe the
/// result (user metadata, ACL-free ones) and the processed image as the body.
pub(crate) fn get_processed(
    ctx: &Context,
    req: &Request,
    mut reply: Reply,
    spec: &str,
) -> Result<Reply, OssError> {
    let (_, data) = source(ctx, req)?;
    let out = image_process::process(&data, spec)?;
    // The stored object's size, checksum and entity tag describe the original, not this.
    reply.headers.retain(|(k, _)| {
        let k = k.to_ascii_lowercase();
        !matches!(
            k.as_str(),
            "content-type" | "content-length" | "etag" | "x-oss-hash-crc64ecma" | "content-md5"
        )
    });
    Ok(reply
        .status(StatusCode::OK)
        .header("Content-Type", out.content_type)
        .body(Bytes::from(out.bytes)))
}

/// Base64url (padded or not) of a `sys/saveas` name.
fn b64url(value: &str, what: &str) -> Result<String, OssError> {
    URL_SAFE_NO_PAD
        .decode(value.trim_end_matches('='))
        .or_else(|_| URL_SAFE.decode(value))
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            invalid(format!(
                "the saveas {what} is not URL-safe Base64 of a name"
            ))
        })
}

/// Splits `<param>=image/...|sys/saveas,o_...,b_...` into the image instructions, the
/// target bucket and the target key.
fn saveas_request<'a>(
    body: &'a str,
    param: &str,
    source_bucket: &str,
) -> Result<(&'a str, String, String), OssError> {
    let body = body.trim();
    let instructions = body
        .strip_prefix(param)
        .and_then(|b| b.strip_prefix('='))
        .ok_or_else(|| invalid(format!("the body must start with {param}=")))?;
    let (process, saveas) = instructions
        .split_once('|')
        .ok_or_else(|| invalid("the instructions need |sys/saveas,o_<key>"))?;
    let spec = image_spec(process).ok_or_else(|| {
        invalid(format!(
            "the emulator processes images only (image/...), not '{process}'"
        ))
    })?;
    let params = saveas
        .strip_prefix("sys/saveas")
        .ok_or_else(|| invalid("the instructions need |sys/saveas,o_<key>"))?;
    let (mut key, mut bucket) = (None, None);
    for p in params.split(',').filter(|p| !p.is_empty()) {
        match p.split_once('_') {
            Some(("o", v)) => key = Some(b64url(v, "object")?),
            Some(("b", v)) => bucket = Some(b64url(v, "bucket")?),
            _ => return Err(invalid(format!("unknown saveas parameter '{p}'"))),
        }
    }
    let key = key.ok_or_else(|| invalid("sys/saveas needs o_<key>"))?;
    Ok((
        spec,
        bucket.unwrap_or_else(|| source_bucket.to_owned()),
        key,
    ))
}

/// Processes the request's object and saves the result; returns (bucket, key, size).
fn process_and_save(
    ctx: &Context,
    req: &Request,
    param: &str,
) -> Result<(String, String, u64), OssError> {
    let body = std::str::from_utf8(&req.body).map_err(|_| invalid("the body is not text"))?;
    let body = crate::request::decode(body, true);
    let (spec, bucket, key) = saveas_request(&body, param, req.bucket())?;
    let (src, data) = source(ctx, req)?;
    ctx.store.bucket(&bucket)?;
    let out = image_process::process(&data, spec)?;
    let bytes = Bytes::from(out.bytes);
    let meta = ObjectMeta {
        key: key.clone(),
        version_id: String::new(),
        seq: 0,
        blob: String::new(),
        delete_marker: false,
        etag: checksum::simple_etag(&bytes),
        size: bytes.len() as u64,
        modified_ms: now_ms(),
        crc64: checksum::crc64(&bytes),
        object_type: "Normal".to_owned(),
        content_type: out.content_type.to_owned(),
        headers: Default::default(),
        user_meta: Default::default(),
        acl: "default".to_owned(),
        tags: Vec::new(),
        storage_class: if super::archive::is_archived(&src.storage_class) {
            "Standard".to_owned()
        } else {
            src.storage_class
        },
        symlink_target: None,
        restore: None,
        segments: Vec::new(),
    };
    let size = meta.size;
    {
        let _lock = ctx.store.lock_key(&bucket, &key);
        ctx.store.put_object(&bucket, meta, &bytes)?;
    }
    Ok((bucket, key, size))
}

/// POST /bucket/key?x-oss-process — ProcessObject.
pub(crate) fn process_object(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let (bucket, key, size) = process_and_save(ctx, req, "x-oss-process")?;
    let doc = serde_json::json!({
        "bucket": bucket,
        "fileSize": size,
        "object": key,
        "status": "OK",
    });
    Ok(Reply::ok()
        .header("Content-Type", "application/json")
        .body(Bytes::from(doc.to_string())))
}

/// POST /bucket/key?x-oss-async-process — AsyncProcessObject: the emulator processes the
/// image at once (the result exists when the answer arrives) and reports it as a task.
pub(crate) fn async_process_object(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    process_and_save(ctx, req, "x-oss-async-process")?;
    let id = ctx.next_request_id();
    let doc = serde_json::json!({
        "EventId": format!("event-{id}"),
        "RequestId": id,
        "TaskId": format!("task-{id}"),
    });
    Ok(Reply::ok()
        .header("Content-Type", "application/json")
        .body(Bytes::from(doc.to_string())))
}
