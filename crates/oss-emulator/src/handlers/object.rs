//! Object operations: put, get (ranges, overrides, conditions), head, meta, delete, multi-delete,
//! copy, append, ACL, tagging, symlinks.

use bytes::{Bytes, BytesMut};
use http::StatusCode;

use super::{
    check_acl, check_content_md5, checked_tags, enc, meta_from_headers, object_headers,
    tags_from_header, url_encoding,
};
use crate::checksum;
use crate::context::Context;
use crate::error::OssError;
use crate::request::{Request, decode};
use crate::response::{FileBody, Reply};
use crate::storage::{Data, ObjectMeta, from_ms, now_ms};
use crate::timefmt::{http_date, parse_http_date, seconds};
use crate::typed;

/// A fresh record for data written by `req`, with metadata from its headers.
fn new_meta(req: &Request, data: &[u8], object_type: &str) -> Result<ObjectMeta, OssError> {
    let (content_type, headers, user_meta) = meta_from_headers(req);
    let acl = req
        .header("x-oss-object-acl")
        .unwrap_or("default")
        .to_owned();
    check_acl(&acl, true)?;
    Ok(ObjectMeta {
        key: req.key().to_owned(),
        version_id: String::new(),
        seq: 0,
        blob: String::new(),
        delete_marker: false,
        etag: checksum::simple_etag(data),
        size: data.len() as u64,
        modified_ms: now_ms(),
        crc64: checksum::crc64(data),
        object_type: object_type.to_owned(),
        content_type,
        headers,
        user_meta,
        acl,
        tags: tags_from_header(req),
        storage_class: req
            .header("x-oss-storage-class")
            .unwrap_or("Standard")
            .to_owned(),
        symlink_target: None,
        restore: None,
        segments: Vec::new(),
    })
}

fn with_version(reply: Reply, meta: &ObjectMeta) -> Reply {
    if meta.version_id == "null" {
        reply
    } else {
        reply.header("x-oss-version-id", meta.version_id.clone())
    }
}

/// `FileAlreadyExists` when `x-oss-forbid-overwrite: true` and the object exists (PutObject,
/// CopyObject, AppendObject, InitiateMultipartUpload, CompleteMultipartUpload); before that,
/// `FileImmutable` when a retention protects the data the write would replace.
pub(crate) fn check_forbid_overwrite(ctx: &Context, req: &Request) -> Result<(), OssError> {
    super::worm::check_removable(ctx, req, req.key(), None)?;
    if (req.header("x-oss-forbid-overwrite") == Some("true") || overwrite_rule_forbids(ctx, req)?)
        && ctx.store.object(req.bucket(), req.key(), None).is_ok()
    {
        return Err(OssError::new(
            StatusCode::CONFLICT,
            "FileAlreadyExists",
            "The object you specified already exists and can not be overwritten.",
        )
        .ec("0026-00000005"));
    }
    Ok(())
}

/// Whether the bucket's overwrite configuration (PutBucketOverwriteConfig) forbids replacing
/// the addressed object: a `forbid` rule whose prefix and suffix match the key and whose
/// principals are empty (everyone) or name the requester (the emulator's one account).
fn overwrite_rule_forbids(ctx: &Context, req: &Request) -> Result<bool, OssError> {
    use oss_model::xml::XmlDocument as _;
    let Some(config) = ctx
        .store
        .bucket(req.bucket())?
        .configs
        .get("overwriteConfig")
        .and_then(|doc| oss_model::OverwriteConfiguration::from_xml(doc.as_bytes()).ok())
    else {
        return Ok(false);
    };
    let key = req.key();
    Ok(config.rules.iter().any(|rule| {
        rule.action == oss_model::OverwriteAction::Forbid
            && rule.prefix.as_deref().is_none_or(|p| key.starts_with(p))
            && rule.suffix.as_deref().is_none_or(|s| key.ends_with(s))
            && (rule.principals.is_empty()
                || rule
                    .principals
                    .iter()
                    .any(|p| p == "*" || *p == ctx.account_id))
    }))
}

/// PUT /bucket/key — PutObject.
pub(crate) fn put_object(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    check_content_md5(req)?;
    check_forbid_overwrite(ctx, req)?;
    let md5 = req.body_md5();
    let mut meta = new_meta(req, b"", "Normal")?;
    let retention = super::worm::upload_retention(ctx, req)?;
    let legal_hold = super::worm::upload_legal_hold(ctx, req)?;
    let encryption = super::encryption::for_write(ctx, req)?;
    meta.headers.extend(encryption.iter().cloned());
    meta.etag = checksum::etag_of_md5(&md5);
    meta.size = req.body_len();
    meta.crc64 = req.body_crc64();
    let stored = ctx
        .store
        .put_object_from(req.bucket(), meta, req.body_data())?;
    super::worm::record_upload_retention(ctx, req, &stored.version_id, retention)?;
    super::worm::record_upload_legal_hold(ctx, req, &stored.version_id, legal_hold)?;
    let mut reply = Reply::ok()
        .header("ETag", stored.etag.clone())
        .header("Content-MD5", checksum::base64_md5(&md5))
        .header("x-oss-hash-crc64ecma", stored.crc64.to_string());
    for (name, value) in encryption {
        reply = reply.header(name, value);
    }
    Ok(with_version(reply, &stored))
}

fn etag_matches(condition: &str, etag: &str) -> bool {
    let bare = etag.trim_matches('"');
    condition
        .split(',')
        .map(|c| c.trim().trim_start_matches("W/").trim_matches('"'))
        .any(|c| c == "*" || c.eq_ignore_ascii_case(bare))
}

/// Evaluates If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since (header names
/// carry `prefix`, e.g. `x-oss-copy-source-` for copies).
pub(crate) fn check_conditions(
    req: &Request,
    meta: &ObjectMeta,
    prefix: &str,
    not_modified: bool,
) -> Result<(), OssError> {
    let h = |name: &str| req.header(&format!("{prefix}{name}")).map(str::to_owned);
    let modified = seconds(from_ms(meta.modified_ms));
    if let Some(m) = h("if-match")
        && !etag_matches(&m, &meta.etag)
    {
        return Err(OssError::precondition_failed("If-Match"));
    }
    if let Some(t) = h("if-unmodified-since")
        .as_deref()
        .and_then(parse_http_date)
        && modified > seconds(t)
    {
        return Err(OssError::precondition_failed("If-Unmodified-Since"));
    }
    let fail = |cond: &str| {
        if not_modified {
            OssError::not_modified()
        } else {
            OssError::precondition_failed(cond)
        }
    };
    if let Some(m) = h("if-none-match") {
        if etag_matches(&m, &meta.etag) {
            return Err(fail("If-None-Match")
                .header("ETag", meta.etag.clone())
                .header("Last-Modified", http_date(from_ms(meta.modified_ms))));
        }
    } else if let Some(t) = h("if-modified-since").as_deref().and_then(parse_http_date)
        && modified <= seconds(t)
    {
        return Err(fail("If-Modified-Since")
            .header("ETag", meta.etag.clone())
            .header("Last-Modified", http_date(from_ms(meta.modified_ms))));
    }
    Ok(())
}

/// A range request's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeOutcome {
    /// No (usable) range: the whole object.
    Whole,
    /// Inclusive byte range.
    Part(u64, u64),
    /// Outside the object.
    Unsatisfiable,
}

/// Parses `Range: bytes=a-b | a- | -n` against an object of `size` bytes.
pub(crate) fn parse_range(header: Option<&str>, size: u64) -> RangeOutcome {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeOutcome::Whole;
    };
    if spec.contains(',') {
        return RangeOutcome::Whole;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeOutcome::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    match (a.parse::<u64>().ok(), b.parse::<u64>().ok()) {
        (Some(start), Some(end)) if a.len() + b.len() > 0 => {
            if start > end {
                RangeOutcome::Whole
            } else if start >= size {
                RangeOutcome::Unsatisfiable
            } else {
                RangeOutcome::Part(start, end.min(size - 1))
            }
        }
        (Some(start), None) if b.is_empty() => {
            if start >= size {
                RangeOutcome::Unsatisfiable
            } else {
                RangeOutcome::Part(start, size - 1)
            }
        }
        (None, Some(n)) if a.is_empty() => {
            if n == 0 || size == 0 {
                RangeOutcome::Unsatisfiable
            } else {
                RangeOutcome::Part(size.saturating_sub(n), size - 1)
            }
        }
        _ => RangeOutcome::Whole,
    }
}

/// Resolves a symlink to its target's record (one level, as OSS does).
fn follow(ctx: &Context, req: &Request, meta: ObjectMeta) -> Result<ObjectMeta, OssError> {
    match (&meta.object_type[..], &meta.symlink_target) {
        ("Symlink", Some(target)) => {
            let t = ctx.store.object(req.bucket(), target, None).map_err(|e| {
                if e.code == "NoSuchKey" {
                    OssError::new(
                        StatusCode::NOT_FOUND,
                        "SymlinkTargetNotExist",
                        "The symlink target object does not exist",
                    )
                    .with("SymlinkTarget", target.clone())
                } else {
                    e
                }
            })?;
            Ok(t)
        }
        _ => Ok(meta),
    }
}

/// GET or HEAD /bucket/key — GetObject / HeadObject.
pub(crate) fn get_object(ctx: &Context, req: &Request, head: bool) -> Result<Reply, OssError> {
    let meta = ctx
        .store
        .object(req.bucket(), req.key(), req.q("versionId"))?;
    let link_version = meta.version_id.clone();
    let link = (meta.object_type == "Symlink").then(|| meta.clone());
    let meta = follow(ctx, req, meta)?;
    check_conditions(req, &meta, "", true)?;
    if !head {
        super::archive::check_readable(&meta)?;
    }
    let mut reply = Reply::ok();
    for (k, v) in object_headers(&meta) {
        if link.is_some() && (k == "x-oss-object-type" || k.starts_with("x-oss-meta-")) {
            continue;
        }
        reply = reply.header(k, v);
    }
    if let Some(link) = &link {
        reply = reply.header("x-oss-object-type", "Symlink");
        for (k, v) in &link.user_meta {
            reply = reply.header(format!("x-oss-meta-{k}"), v.clone());
        }
    }
    let addressed = link.as_ref().unwrap_or(&meta);
    for (k, v) in
        super::worm::object_headers(ctx, req.bucket(), &addressed.key, &addressed.version_id)?
    {
        reply = reply.header(k, v);
    }
    if link_version != meta.version_id && link_version != "null" {
        reply.headers.retain(|(k, _)| k != "x-oss-version-id");
        reply = reply.header("x-oss-version-id", link_version);
    }
    if !head {
        for (param, header) in [
            ("response-content-type", "Content-Type"),
            ("response-content-language", "content-language"),
            ("response-expires", "expires"),
            ("response-cache-control", "cache-control"),
            ("response-content-disposition", "content-disposition"),
            ("response-content-encoding", "content-encoding"),
        ] {
            if let Some(v) = req.q(param) {
                reply
                    .headers
                    .retain(|(k, _)| !k.eq_ignore_ascii_case(header));
                reply = reply.header(header, v);
            }
        }
    }
    if !head && let Some(spec) = req.q("x-oss-process").and_then(super::process::image_spec) {
        return super::process::get_processed(ctx, req, reply, spec);
    }
    let range = parse_range(req.header("range"), meta.size);
    let standard = req.header("x-oss-range-behavior") == Some("standard");
    let (status, start, end) = match range {
        RangeOutcome::Whole => (StatusCode::OK, 0, meta.size),
        RangeOutcome::Part(a, b) => (StatusCode::PARTIAL_CONTENT, a, b + 1),
        RangeOutcome::Unsatisfiable if standard => {
            return Err(OssError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "InvalidRange",
                "The requested range cannot be satisfied",
            )
            .ec("0026-00000101")
            .with("RangeRequested", req.header("range").unwrap_or_default())
            .with("ActualObjectSize", meta.size.to_string())
            .header("Content-Range", format!("bytes */{}", meta.size)));
        }
        RangeOutcome::Unsatisfiable => (StatusCode::OK, 0, meta.size),
    };
    reply = reply.status(status);
    if status == StatusCode::PARTIAL_CONTENT {
        reply = reply.header(
            "Content-Range",
            format!("bytes {start}-{}/{}", end - 1, meta.size),
        );
    }
    if head {
        reply.head_length = Some(end - start);
        return Ok(reply);
    }
    if let Some(data) = ctx.store.open_data(req.bucket(), &meta, start, end)? {
        reply.file = Some(FileBody {
            len: data.len(),
            data,
        });
        return Ok(reply);
    }
    let pieces = ctx.store.read_range(req.bucket(), &meta, start, end)?;
    Ok(reply.pieces(pieces))
}

/// HEAD /bucket/key?objectMeta — GetObjectMeta.
pub(crate) fn get_object_meta(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let meta = ctx
        .store
        .object(req.bucket(), req.key(), req.q("versionId"))?;
    let mut reply = Reply::ok()
        .header("ETag", meta.etag.clone())
        .header("Last-Modified", http_date(from_ms(meta.modified_ms)))
        .header(
            "x-oss-last-access-time",
            http_date(from_ms(meta.modified_ms)),
        )
        .header("x-oss-hash-crc64ecma", meta.crc64.to_string());
    reply.head_length = Some(meta.size);
    Ok(with_version(reply, &meta))
}

/// DELETE /bucket/key — DeleteObject.
pub(crate) fn delete_object(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    super::worm::check_removable(ctx, req, req.key(), req.q("versionId"))?;
    let out = ctx
        .store
        .delete_object(req.bucket(), req.key(), req.q("versionId"))?;
    super::worm::forget(ctx, req.bucket(), req.key(), req.q("versionId"))?;
    let mut reply = Reply::ok().status(StatusCode::NO_CONTENT);
    if out.delete_marker {
        reply = reply.header("x-oss-delete-marker", "true");
    }
    if let Some(v) = out
        .version_id
        .filter(|v| v != "null" || req.q("versionId").is_some())
    {
        reply = reply.header("x-oss-version-id", v);
    }
    Ok(reply)
}

/// POST /bucket?delete — DeleteMultipleObjects.
pub(crate) fn delete_multiple(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    check_content_md5(req)?;
    let input = typed::input::<oss_proto::generated::DeleteMultipleObjects>(req)?;
    let quiet = input.delete.quiet.unwrap_or(false);
    let objects = input.delete.objects;
    if objects.is_empty() || objects.len() > 1000 {
        return Err(OssError::malformed_xml());
    }
    let encode = url_encoding(req);
    ctx.store.bucket(req.bucket())?;
    let mut deleted = Vec::new();
    for o in &objects {
        // `encoding-type=url` encodes the keys of the response only: request keys are plain
        // (XML-escaped) text, as the official SDKs send them, so a key may hold `%`.
        let key = o.key.clone();
        let version = o.version_id.as_deref().filter(|v| !v.is_empty());
        super::worm::check_removable(ctx, req, &key, version)?;
        let out = {
            let _object_lock = ctx.store.lock_key(req.bucket(), &key);
            ctx.store.delete_object(req.bucket(), &key, version)?
        };
        super::worm::forget(ctx, req.bucket(), &key, version)?;
        if quiet {
            continue;
        }
        deleted.push(oss_model::DeletedObject {
            key,
            version_id: version.map(str::to_owned),
            delete_marker: out.delete_marker.then_some(true),
            delete_marker_version_id: if out.delete_marker {
                out.version_id
            } else {
                None
            },
        });
    }
    let output = oss_model::DeleteMultipleObjectsOutput {
        encoding_type: encode.then(|| "url".into()),
        deleted,
        request_id: None,
    };
    typed::reply::<oss_proto::generated::DeleteMultipleObjects>(&output)
}

/// Parses `x-oss-copy-source: /bucket/key[?versionId=v]` (decoded once, `+` kept as a plus),
/// with the same reader the client's `CopySource` writes with.
pub(crate) fn copy_source(req: &Request) -> Result<(String, String, Option<String>), OssError> {
    use oss_model::value::TextValue as _;
    let raw = req
        .header("x-oss-copy-source")
        .ok_or_else(|| OssError::invalid_argument("x-oss-copy-source is required"))?;
    let source = oss_model::CopySource::from_text(raw).map_err(|_| {
        OssError::invalid_argument(
            "Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.",
        )
    })?;
    Ok((
        source.bucket().to_owned(),
        source.key().to_owned(),
        source.version().map(str::to_owned),
    ))
}

/// The largest source CopyObject copies: 1 GB (OSS documents "1 GB"; taken as 1 GiB). Larger
/// objects are copied with UploadPartCopy.
pub(crate) const COPY_OBJECT_MAX_SIZE: u64 = 1 << 30;

/// PUT /bucket/key with x-oss-copy-source — CopyObject.
pub(crate) fn copy_object(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let (src_bucket, src_key, src_version) = copy_source(req)?;
    let src = ctx
        .store
        .object(&src_bucket, &src_key, src_version.as_deref())?;
    check_conditions(req, &src, "x-oss-copy-source-", false)?;
    super::archive::check_readable(&src)?;
    if src.size > COPY_OBJECT_MAX_SIZE {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "The source object of CopyObject is larger than 1 GB: copy it with UploadPartCopy.",
        )
        .with("MaxSizeAllowed", COPY_OBJECT_MAX_SIZE.to_string())
        .with("ProposedSize", src.size.to_string()));
    }
    check_forbid_overwrite(ctx, req)?;
    // On disk the copy's data is the source's files, hard-linked; where they cannot be
    // linked, they are copied file to file. In memory the copy shares the source's bytes
    // (its segments' pieces, when it has segments).
    let linked = ctx.store.link_copy(&src_bucket, &src, req.bucket())?;
    let staged = match linked {
        Some(_) => None,
        None => ctx.store.stage_copy(&src_bucket, &src)?,
    };
    let pieces = match (&linked, &staged) {
        (None, None) => ctx.store.read_range(&src_bucket, &src, 0, src.size)?,
        _ => Vec::new(),
    };
    let directive = req.header("x-oss-metadata-directive").unwrap_or("COPY");
    let mut meta = match directive {
        "COPY" => {
            let mut m = src.clone();
            m.key = req.key().to_owned();
            m.restore = None;
            m.acl = "default".to_owned();
            m
        }
        "REPLACE" => {
            // The same data: its ETag, size and CRC-64 are the source's.
            let mut m = new_meta(req, b"", &src.object_type)?;
            m.etag = src.etag.clone();
            m.size = src.size;
            m.crc64 = src.crc64;
            m.tags = src.tags.clone();
            m
        }
        other => {
            return Err(
                OssError::invalid_argument(format!("Invalid metadata directive: {other}"))
                    .with("ArgumentName", "x-oss-metadata-directive")
                    .with("ArgumentValue", other),
            );
        }
    };
    if let Some(acl) = req.header("x-oss-object-acl") {
        check_acl(acl, true)?;
        acl.clone_into(&mut meta.acl);
    }
    if req
        .header("x-oss-tagging-directive")
        .is_some_and(|d| d.eq_ignore_ascii_case("replace"))
    {
        meta.tags = tags_from_header(req);
    }
    if meta.object_type == "Appendable" {
        "Normal".clone_into(&mut meta.object_type);
    }
    meta.modified_ms = now_ms();
    // The copy is encrypted as its request or the target bucket says, not as its source.
    for name in [
        super::encryption::ALGORITHM,
        super::encryption::KEY_ID,
        super::encryption::DATA_ENCRYPTION,
    ] {
        meta.headers.remove(name);
    }
    meta.headers.extend(super::encryption::for_write(ctx, req)?);
    let stored = match (linked, &staged) {
        (Some(linked), _) => ctx.store.put_object_linked(req.bucket(), meta, linked)?,
        (None, Some(staged)) => {
            ctx.store
                .put_object_from(req.bucket(), meta, Data::Staged(staged))?
        }
        (None, None) => ctx.store.put_object_pieces(req.bucket(), meta, &pieces)?,
    };
    let output = oss_model::CopyObjectOutput {
        hash_crc64ecma: Some(stored.crc64.to_string()),
        version_id: (stored.version_id != "null").then(|| stored.version_id.clone()),
        copy_source_version_id: (src.version_id != "null").then_some(src.version_id),
        etag: Some(stored.etag.clone()),
        last_modified: Some(from_ms(stored.modified_ms)),
        ..Default::default()
    };
    typed::reply::<oss_proto::generated::CopyObject>(&output)
}

/// POST /bucket/key?append&position=N — AppendObject.
pub(crate) fn append_object(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let position: u64 = req
        .q("position")
        .ok_or_else(|| {
            OssError::invalid_argument("position is required for append")
                .with("ArgumentName", "position")
        })?
        .parse()
        .map_err(|_| {
            OssError::invalid_argument("position must be a non-negative integer")
                .with("ArgumentName", "position")
        })?;
    check_content_md5(req)?;
    let current = ctx
        .store
        .versions(req.bucket(), req.key())?
        .into_iter()
        .next()
        .filter(|m| !m.delete_marker);
    let mismatch = |next: u64| {
        OssError::new(
            StatusCode::CONFLICT,
            "PositionNotEqualToLength",
            "Position is not equal to file length",
        )
        .ec("0026-00000016")
        .header("x-oss-next-append-position", next.to_string())
    };
    let base = match current {
        None => {
            if position != 0 {
                return Err(mismatch(0));
            }
            None
        }
        Some(m) if m.object_type != "Appendable" => {
            return Err(OssError::new(
                StatusCode::CONFLICT,
                "ObjectNotAppendable",
                "The object is not appendable",
            )
            .ec("0026-00000015"));
        }
        Some(m) if super::seal::is_sealed(&m) => return Err(super::seal::not_appendable()),
        Some(m) => {
            if position != m.size {
                return Err(mismatch(m.size));
            }
            Some(m)
        }
    };
    let staged_whole = match &req.staged {
        Some(tail) => Some(
            ctx.store
                .stage_appended(req.bucket(), base.as_ref(), tail)?
                .ok_or_else(|| OssError::no_such_bucket(req.bucket()))?,
        ),
        None => None,
    };
    let mut meta = match base.clone() {
        Some(m) => m,
        None => {
            let mut m = new_meta(req, b"", "Appendable")?;
            m.headers.extend(super::encryption::for_write(ctx, req)?);
            m
        }
    };
    meta.modified_ms = now_ms();
    let stored = if let Some(whole) = &staged_whole {
        meta.etag = checksum::etag_of_md5(&whole.md5);
        meta.crc64 = whole.crc64;
        meta.size = whole.len;
        ctx.store
            .put_object_from(req.bucket(), meta, Data::Staged(whole))?
    } else {
        let data = match &base {
            None => req.body.clone(),
            Some(m) => {
                let old = ctx.store.read(req.bucket(), m)?;
                let mut all = BytesMut::with_capacity(old.len() + req.body.len());
                all.extend_from_slice(&old);
                all.extend_from_slice(&req.body);
                all.freeze()
            }
        };
        meta.etag = checksum::simple_etag(&data);
        meta.crc64 = checksum::crc64(&data);
        meta.size = data.len() as u64;
        ctx.store.put_object(req.bucket(), meta, &data)?
    };
    let reply = Reply::ok()
        .header("ETag", stored.etag.clone())
        .header("x-oss-next-append-position", stored.size.to_string())
        .header("x-oss-hash-crc64ecma", stored.crc64.to_string());
    Ok(with_version(reply, &stored))
}

/// PUT /bucket/key?acl — PutObjectAcl.
pub(crate) fn put_object_acl(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let acl = req
        .header("x-oss-object-acl")
        .ok_or_else(|| OssError::invalid_argument("x-oss-object-acl is required"))?
        .to_owned();
    check_acl(&acl, true)?;
    crate::access::check_public_grant(
        ctx,
        req.bucket(),
        acl.starts_with("public"),
        "A public object ACL",
    )?;
    let m = ctx
        .store
        .update_object(req.bucket(), req.key(), req.q("versionId"), |m| m.acl = acl)?;
    Ok(with_version(Reply::ok(), &m))
}

/// GET /bucket/key?acl — GetObjectAcl.
pub(crate) fn get_object_acl(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let m = ctx
        .store
        .object(req.bucket(), req.key(), req.q("versionId"))?;
    let output = oss_model::GetObjectAclOutput {
        version_id: (m.version_id != "null").then(|| m.version_id.clone()),
        owner: super::owner_model(),
        access_control_list: oss_model::ObjectAccessControlList {
            grant: m.acl.as_str().into(),
        },
        request_id: None,
    };
    typed::reply::<oss_proto::generated::GetObjectAcl>(&output)
}

/// PUT /bucket/key?tagging — PutObjectTagging.
pub(crate) fn put_object_tagging(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<oss_proto::generated::PutObjectTagging>(req)?;
    let tags = checked_tags(input.tagging, 10)?;
    let m = ctx
        .store
        .update_object(req.bucket(), req.key(), req.q("versionId"), |m| {
            m.tags = tags;
        })?;
    Ok(with_version(Reply::ok(), &m))
}

/// GET /bucket/key?tagging — GetObjectTagging.
pub(crate) fn get_object_tagging(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let m = ctx
        .store
        .object(req.bucket(), req.key(), req.q("versionId"))?;
    let output = oss_model::GetObjectTaggingOutput {
        version_id: (m.version_id != "null").then(|| m.version_id.clone()),
        tag_set: super::tag_set(&m.tags),
        ..Default::default()
    };
    typed::reply::<oss_proto::generated::GetObjectTagging>(&output)
}

/// DELETE /bucket/key?tagging — DeleteObjectTagging.
pub(crate) fn delete_object_tagging(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let m = ctx
        .store
        .update_object(req.bucket(), req.key(), req.q("versionId"), |m| {
            m.tags.clear();
        })?;
    Ok(with_version(Reply::ok().status(StatusCode::NO_CONTENT), &m))
}

/// PUT /bucket/key?symlink — PutSymlink.
pub(crate) fn put_symlink(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let target = req.header("x-oss-symlink-target").ok_or_else(|| {
        OssError::invalid_argument("x-oss-symlink-target is required")
            .with("ArgumentName", "x-oss-symlink-target")
    })?;
    let target = decode(target, false);
    check_forbid_overwrite(ctx, req)?;
    let mut meta = new_meta(req, target.as_bytes(), "Symlink")?;
    meta.size = 0;
    meta.crc64 = 0;
    meta.symlink_target = Some(target);
    let stored = ctx.store.put_object(req.bucket(), meta, &Bytes::new())?;
    Ok(with_version(
        Reply::ok().header("ETag", stored.etag.clone()),
        &stored,
    ))
}

/// GET /bucket/key?symlink — GetSymlink.
pub(crate) fn get_symlink(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let m = ctx
        .store
        .object(req.bucket(), req.key(), req.q("versionId"))?;
    let Some(target) = m.symlink_target.clone() else {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "NotSymlink",
            "The specified object is not a symlink.",
        )
        .ec("0026-00000010"));
    };
    let mut reply = Reply::ok()
        .header("x-oss-symlink-target", enc(&target, true))
        .header("ETag", m.etag.clone())
        .header("Last-Modified", http_date(from_ms(m.modified_ms)))
        .header("Content-Type", m.content_type.clone());
    for (k, v) in &m.user_meta {
        reply = reply.header(format!("x-oss-meta-{k}"), v.clone());
    }
    Ok(with_version(reply, &m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_7233_within_the_object() {
        assert_eq!(
            parse_range(Some("bytes=0-9"), 100),
            RangeOutcome::Part(0, 9)
        );
        assert_eq!(
            parse_range(Some("bytes=90-200"), 100),
            RangeOutcome::Part(90, 99)
        );
        assert_eq!(
            parse_range(Some("bytes=10-"), 100),
            RangeOutcome::Part(10, 99)
        );
        assert_eq!(
            parse_range(Some("bytes=-10"), 100),
            RangeOutcome::Part(90, 99)
        );
        assert_eq!(
            parse_range(Some("bytes=-200"), 100),
            RangeOutcome::Part(0, 99)
        );
        assert_eq!(
            parse_range(Some("bytes=100-"), 100),
            RangeOutcome::Unsatisfiable
        );
        assert_eq!(parse_range(Some("bytes=9-1"), 100), RangeOutcome::Whole);
        assert_eq!(parse_range(Some("bytes=a-b"), 100), RangeOutcome::Whole);
        assert_eq!(parse_range(None, 100), RangeOutcome::Whole);
    }

    #[test]
    fn etag_conditions_ignore_quotes_and_case() {
        assert!(etag_matches("\"abc\"", "\"ABC\""));
        assert!(etag_matches("abc", "\"ABC\""));
        assert!(etag_matches("*", "\"X\""));
        assert!(etag_matches("\"x\", \"abc\"", "\"ABC\""));
        assert!(!etag_matches("\"abd\"", "\"ABC\""));
    }
}
