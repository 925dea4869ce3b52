//! Multipart uploads: initiate, upload part (and part copy), complete, abort, list uploads, list parts.

use std::collections::BTreeMap;

use http::StatusCode;

use super::{
    check_acl, check_content_md5, enc, max_param, meta_from_headers, tags_from_header, url_encoding,
};
use crate::checksum;
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{Data, ObjectMeta, PartRecord, UploadRecord, from_ms, now_ms};
use crate::typed;

/// The smallest size of every part but the last (100 KiB).
pub(crate) const MIN_PART_SIZE: u64 = 100 * 1024;

/// POST /bucket/key?uploads — InitiateMultipartUpload.
pub(crate) fn initiate(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    super::object::check_forbid_overwrite(ctx, req)?;
    let (content_type, mut headers, user_meta) = meta_from_headers(req);
    let encryption = super::encryption::for_write(ctx, req)?;
    headers.extend(encryption.iter().cloned());
    let acl = req
        .header("x-oss-object-acl")
        .unwrap_or("default")
        .to_owned();
    check_acl(&acl, true)?;
    let seq = ctx.store.next_seq();
    let upload_id = format!("{:016X}{:016X}", seq, now_ms() as u64);
    ctx.store.create_upload(
        req.bucket(),
        UploadRecord {
            upload_id: upload_id.clone(),
            key: req.key().to_owned(),
            initiated_ms: now_ms(),
            content_type,
            headers,
            user_meta,
            acl,
            tags: tags_from_header(req),
            storage_class: req
                .header("x-oss-storage-class")
                .unwrap_or("Standard")
                .to_owned(),
        },
    )?;
    let output = oss_model::InitiateMultipartUploadOutput {
        bucket: Some(req.bucket().to_owned()),
        key: Some(req.key().to_owned()),
        upload_id,
        encoding_type: url_encoding(req).then(|| "url".into()),
        request_id: None,
    };
    let mut reply = typed::reply::<oss_proto::generated::InitiateMultipartUpload>(&output)?;
    for (name, value) in encryption {
        reply = reply.header(name, value);
    }
    Ok(reply)
}

fn part_number(req: &Request) -> Result<u32, OssError> {
    let raw = req.q("partNumber").unwrap_or_default();
    match raw.parse::<u32>() {
        Ok(n) if (1..=10_000).contains(&n) => Ok(n),
        _ => Err(OssError::invalid_argument(
            "Part number must be an integer between 1 and 10000, inclusive.",
        )
        .ec("0042-00000205")
        .with("ArgumentName", "partNumber")
        .with("ArgumentValue", raw)),
    }
}

fn upload_id(req: &Request) -> &str {
    req.q("uploadId").unwrap_or_default()
}

/// What a part's data digests to.
struct PartDigest {
    md5: [u8; 16],
    crc64: u64,
    size: u64,
}

fn store_part(
    ctx: &Context,
    req: &Request,
    digest: &PartDigest,
    data: Data<'_>,
) -> Result<PartRecord, OssError> {
    let number = part_number(req)?;
    let (upload, _) = ctx.store.upload(req.bucket(), upload_id(req))?;
    if upload.key != req.key() {
        return Err(OssError::no_such_upload(upload_id(req)));
    }
    let md5 = digest.md5;
    ctx.store.put_part(
        req.bucket(),
        PartRecord {
            upload_id: upload.upload_id,
            number,
            seq: 0,
            blob: String::new(),
            etag: format!("\"{}\"", checksum::hex_upper(&md5)),
            md5_hex: checksum::hex_upper(&md5),
            size: digest.size,
            modified_ms: now_ms(),
            crc64: digest.crc64,
        },
        data,
    )
}

/// PUT /bucket/key?partNumber=N&uploadId=U — UploadPart.
pub(crate) fn upload_part(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    check_content_md5(req)?;
    let digest = PartDigest {
        md5: req.body_md5(),
        crc64: req.body_crc64(),
        size: req.body_len(),
    };
    let part = store_part(ctx, req, &digest, req.body_data())?;
    Ok(Reply::ok()
        .header("ETag", part.etag)
        .header("Content-MD5", checksum::base64_md5(&digest.md5))
        .header("x-oss-hash-crc64ecma", part.crc64.to_string()))
}

/// PUT /bucket/key?partNumber=N&uploadId=U with x-oss-copy-source — UploadPartCopy.
pub(crate) fn upload_part_copy(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let (src_bucket, src_key, src_version) = super::object::copy_source(req)?;
    let src = ctx
        .store
        .object(&src_bucket, &src_key, src_version.as_deref())?;
    super::object::check_conditions(req, &src, "x-oss-copy-source-", false)?;
    super::archive::check_readable(&src)?;
    let (first, end) = match req.header("x-oss-copy-source-range") {
        None => (0, src.size),
        Some(range) => match super::object::parse_range(Some(range), src.size) {
            super::object::RangeOutcome::Part(a, b) => (a, b + 1),
            super::object::RangeOutcome::Whole => (0, src.size),
            super::object::RangeOutcome::Unsatisfiable => {
                return Err(OssError::new(
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    "InvalidRange",
                    "The requested range cannot be satisfied",
                )
                .ec("0026-00000101"));
            }
        },
    };
    // On disk, only the range is read (and its holes kept); in memory, it is a slice of the
    // source's data (joined when the range spans segments).
    let part = match ctx.store.stage_range(&src_bucket, &src, first, end)? {
        Some(staged) => {
            let digest = PartDigest {
                md5: staged.md5,
                crc64: staged.crc64,
                size: staged.len,
            };
            store_part(ctx, req, &digest, Data::Staged(&staged))?
        }
        None => {
            let data = crate::storage::join(ctx.store.read_range(&src_bucket, &src, first, end)?);
            let digest = PartDigest {
                md5: checksum::md5(&data),
                crc64: checksum::crc64(&data),
                size: data.len() as u64,
            };
            store_part(ctx, req, &digest, Data::Bytes(&data))?
        }
    };
    let output = oss_model::UploadPartCopyOutput {
        copy_source_version_id: (src.version_id != "null").then_some(src.version_id),
        etag: Some(part.etag.clone()),
        last_modified: Some(from_ms(part.modified_ms)),
        request_id: None,
    };
    Ok(
        typed::reply::<oss_proto::generated::UploadPartCopy>(&output)?
            .header("x-oss-hash-crc64ecma", part.crc64.to_string()),
    )
}

fn invalid_part(number: u32, etag: &str) -> OssError {
    OssError::new(
        StatusCode::BAD_REQUEST,
        "InvalidPart",
        "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.",
    )
    .ec("0042-00000209")
    .with("PartNumber", number.to_string())
    .with("ETag", etag)
}

/// POST /bucket/key?uploadId=U — CompleteMultipartUpload.
pub(crate) fn complete(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let id = upload_id(req).to_owned();
    let (upload, parts) = ctx.store.upload(req.bucket(), &id)?;
    if upload.key != req.key() {
        return Err(OssError::no_such_upload(&id));
    }
    super::object::check_forbid_overwrite(ctx, req)?;
    let chosen: Vec<PartRecord> = if req
        .header("x-oss-complete-all")
        .is_some_and(|v| v.eq_ignore_ascii_case("yes"))
    {
        if !req.body.is_empty() {
            return Err(OssError::invalid_argument(
                "Should not specify both complete all header and http body.",
            ));
        }
        parts.values().cloned().collect()
    } else {
        let input = typed::input::<oss_proto::generated::CompleteMultipartUpload>(req)?;
        let mut listed: Vec<(u32, String)> = Vec::new();
        for p in input.parts.map(|d| d.parts).unwrap_or_default() {
            let number = u32::try_from(p.part_number).map_err(|_| OssError::malformed_xml())?;
            listed.push((number, p.etag.trim().to_owned()));
        }
        if listed.is_empty() {
            return Err(OssError::malformed_xml());
        }
        if listed.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(OssError::new(StatusCode::BAD_REQUEST, "InvalidPartOrder", "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
                .ec("0042-00000208"));
        }
        let mut chosen = Vec::with_capacity(listed.len());
        for (number, etag) in &listed {
            let part = parts
                .get(number)
                .ok_or_else(|| invalid_part(*number, etag))?;
            if !etag
                .trim_matches('"')
                .eq_ignore_ascii_case(part.etag.trim_matches('"'))
            {
                return Err(invalid_part(*number, etag));
            }
            chosen.push(part.clone());
        }
        chosen
    };
    if chosen.is_empty() {
        return Err(OssError::malformed_xml());
    }
    if let Some(small) = chosen[..chosen.len() - 1]
        .iter()
        .find(|p| p.size < MIN_PART_SIZE)
    {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed object size.",
        )
        .ec("0042-00000206")
        .with("MinSizeAllowed", MIN_PART_SIZE.to_string())
        .with("ProposedSize", small.size.to_string())
        .with("PartNumber", small.number.to_string())
        .with("ETag", small.etag.clone()));
    }
    let mut digests = Vec::with_capacity(chosen.len());
    for p in &chosen {
        let mut d = [0u8; 16];
        for (i, byte) in d.iter_mut().enumerate() {
            *byte = u8::from_str_radix(p.md5_hex.get(i * 2..i * 2 + 2).unwrap_or("00"), 16)
                .unwrap_or(0);
        }
        digests.push(d);
    }
    let meta = ObjectMeta {
        key: upload.key.clone(),
        version_id: String::new(),
        seq: 0,
        blob: String::new(),
        delete_marker: false,
        etag: checksum::multipart_etag(&digests),
        size: 0,
        modified_ms: now_ms(),
        crc64: 0,
        object_type: "Multipart".to_owned(),
        content_type: upload.content_type.clone(),
        headers: upload.headers.clone(),
        user_meta: upload.user_meta.clone(),
        acl: upload.acl.clone(),
        tags: upload.tags.clone(),
        storage_class: upload.storage_class.clone(),
        symlink_target: None,
        restore: None,
        segments: Vec::new(),
    };
    // Size and CRC-64 follow from the parts'; on disk, the parts' files become the data.
    let stored = ctx
        .store
        .complete_upload(req.bucket(), meta, &id, &chosen)?;
    let output = oss_model::CompleteMultipartUploadOutput {
        version_id: (stored.version_id != "null").then(|| stored.version_id.clone()),
        hash_crc64ecma: Some(stored.crc64.to_string()),
        encoding_type: url_encoding(req).then(|| "url".into()),
        location: Some(format!("/{}/{}", req.bucket(), enc(&upload.key, true))),
        bucket: Some(req.bucket().to_owned()),
        key: Some(upload.key),
        etag: Some(stored.etag),
        request_id: None,
    };
    typed::reply::<oss_proto::generated::CompleteMultipartUpload>(&output)
}

/// DELETE /bucket/key?uploadId=U — AbortMultipartUpload.
pub(crate) fn abort(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let (upload, _) = ctx.store.upload(req.bucket(), upload_id(req))?;
    if upload.key != req.key() {
        return Err(OssError::no_such_upload(upload_id(req)));
    }
    ctx.store.remove_upload(req.bucket(), upload_id(req))?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

/// GET /bucket?uploads — ListMultipartUploads.
pub(crate) fn list_uploads(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let prefix = req.q("prefix").unwrap_or_default().to_owned();
    let delimiter = req.q("delimiter").unwrap_or_default().to_owned();
    let key_marker = req.q("key-marker").unwrap_or_default().to_owned();
    let id_marker = req.q("upload-id-marker").unwrap_or_default().to_owned();
    let max = max_param(req, "max-uploads", 1000, 1000)?;
    let encode = url_encoding(req);
    let mut uploads: Vec<UploadRecord> = ctx.store.with_bucket(req.bucket(), |b| {
        b.uploads.values().map(|(u, _)| u.clone()).collect()
    })?;
    uploads.sort_by(|a, b| {
        a.key
            .cmp(&b.key)
            .then(a.initiated_ms.cmp(&b.initiated_ms))
            .then(a.upload_id.cmp(&b.upload_id))
    });
    // Entries after the markers: (key, Some(upload)) or (common prefix, None).
    let mut entries: Vec<(String, Option<UploadRecord>)> = Vec::new();
    let mut seen_prefixes = std::collections::BTreeSet::new();
    for u in uploads {
        if !u.key.starts_with(&prefix) {
            continue;
        }
        let after = if id_marker.is_empty() || key_marker.is_empty() {
            u.key > key_marker || key_marker.is_empty()
        } else {
            u.key > key_marker || (u.key == key_marker && u.upload_id > id_marker)
        };
        if !after {
            continue;
        }
        if !delimiter.is_empty()
            && let Some(pos) = u.key[prefix.len()..].find(&delimiter)
        {
            let cp = u.key[..prefix.len() + pos + delimiter.len()].to_owned();
            if cp.as_str() <= key_marker.as_str() && key_marker.starts_with(&cp) {
                continue;
            }
            if seen_prefixes.insert(cp.clone()) {
                entries.push((cp, None));
            }
            continue;
        }
        entries.push((u.key.clone(), Some(u)));
    }
    let truncated = entries.len() > max;
    entries.truncate(max);
    let (next_key, next_id) = match entries.last() {
        Some((k, Some(u))) if truncated => (Some(k.clone()), Some(u.upload_id.clone())),
        Some((k, None)) if truncated => (Some(k.clone()), Some(String::new())),
        _ => (None, None),
    };
    let mut uploads_out = Vec::new();
    let mut prefixes = Vec::new();
    for (name, upload) in &entries {
        match upload {
            Some(u) => uploads_out.push(oss_model::MultipartUpload {
                key: u.key.clone(),
                upload_id: u.upload_id.clone(),
                storage_class: Some(u.storage_class.as_str().into()),
                initiated: Some(from_ms(u.initiated_ms)),
            }),
            None => prefixes.push(oss_model::CommonPrefix {
                prefix: name.clone(),
            }),
        }
    }
    let output = oss_model::ListMultipartUploadsOutput {
        bucket: Some(req.bucket().to_owned()),
        encoding_type: encode.then(|| "url".into()),
        key_marker: Some(key_marker),
        upload_id_marker: Some(id_marker),
        next_key_marker: next_key,
        next_upload_id_marker: next_id,
        delimiter: Some(delimiter),
        prefix: Some(prefix),
        max_uploads: i64::try_from(max).ok(),
        is_truncated: Some(truncated),
        uploads: uploads_out,
        common_prefixes: prefixes,
        ..Default::default()
    };
    typed::reply::<oss_proto::generated::ListMultipartUploads>(&output)
}

/// GET /bucket/key?uploadId=U — ListParts.
pub(crate) fn list_parts(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let (upload, parts): (UploadRecord, BTreeMap<u32, PartRecord>) =
        ctx.store.upload(req.bucket(), upload_id(req))?;
    let marker: u32 = req
        .q("part-number-marker")
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let max = max_param(req, "max-parts", 1000, 1000)?;
    let encode = url_encoding(req);
    let after: Vec<&PartRecord> = parts
        .range(marker.saturating_add(1)..)
        .map(|(_, p)| p)
        .collect();
    let truncated = after.len() > max;
    let page = &after[..after.len().min(max)];
    let output = oss_model::ListPartsOutput {
        bucket: Some(req.bucket().to_owned()),
        encoding_type: encode.then(|| "url".into()),
        key: Some(upload.key.clone()),
        upload_id: Some(upload.upload_id.clone()),
        storage_class: Some(upload.storage_class.as_str().into()),
        part_number_marker: Some(i64::from(marker)),
        next_part_number_marker: Some(i64::from(page.last().map(|p| p.number).unwrap_or(marker))),
        max_parts: i64::try_from(max).ok(),
        is_truncated: Some(truncated),
        parts: page
            .iter()
            .map(|p| oss_model::PartSummary {
                part_number: i64::from(p.number),
                last_modified: Some(from_ms(p.modified_ms)),
                etag: Some(p.etag.clone()),
                size: i64::try_from(p.size).ok(),
                hash_crc64ecma: Some(p.crc64.to_string()),
            })
            .collect(),
        ..Default::default()
    };
    typed::reply::<oss_proto::generated::ListParts>(&output)
}
