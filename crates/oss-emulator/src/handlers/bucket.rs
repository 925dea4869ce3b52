//! Bucket operations: create, delete, list, info, location, stat, ACL, versioning, tags.

use http::StatusCode;

use super::{body_xml, check_acl, checked_tags, max_param, owner, owner_model, tag_set};
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{BucketRecord, from_ms, now_ms};
use crate::timefmt::iso8601;
use crate::typed;
use crate::xml::XmlWriter;

/// OSS's bucket naming rule: 3–63 of `a-z0-9-`, not starting or ending with `-`.
pub(crate) fn valid_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

fn invalid_bucket_name(name: &str) -> OssError {
    OssError::new(
        StatusCode::BAD_REQUEST,
        "InvalidBucketName",
        "The specified bucket is not valid.",
    )
    .ec("0015-00000001")
    .with("BucketName", name)
}

/// GET / — ListBuckets.
pub(crate) fn list_buckets(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let prefix = req.q("prefix").unwrap_or_default();
    let marker = req.q("marker").unwrap_or_default();
    let max = max_param(req, "max-keys", 100, 1000)?;
    let all: Vec<BucketRecord> = ctx
        .store
        .buckets()
        .into_iter()
        .filter(|b| b.name.starts_with(prefix) && b.name.as_str() > marker)
        .collect();
    let truncated = all.len() > max;
    let page = &all[..all.len().min(max)];
    let paged =
        req.q("max-keys").is_some() || req.q("prefix").is_some() || req.q("marker").is_some();
    let output = oss_model::ListBucketsOutput {
        prefix: req.q("prefix").map(str::to_owned),
        marker: req.q("marker").map(str::to_owned),
        max_keys: req.q("max-keys").and(i64::try_from(max).ok()),
        is_truncated: (paged || truncated).then_some(truncated),
        next_marker: if truncated {
            page.last().map(|b| b.name.clone())
        } else {
            None
        },
        owner: Some(owner_model()),
        buckets: page
            .iter()
            .map(|b| oss_model::BucketSummary {
                name: b.name.clone(),
                location: Some(b.location.clone()),
                creation_date: Some(from_ms(b.created_ms)),
                storage_class: Some(b.storage_class.as_str().into()),
                extranet_endpoint: Some(format!("{}.aliyuncs.com", b.location)),
                intranet_endpoint: Some(format!("{}-internal.aliyuncs.com", b.location)),
                region: Some(b.location.trim_start_matches("oss-").to_owned()),
                ..Default::default()
            })
            .collect(),
        request_id: None,
    };
    typed::reply::<oss_proto::generated::ListBuckets>(&output)
}

/// PUT /bucket — PutBucket.
pub(crate) fn put_bucket(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let name = req.bucket();
    if !valid_bucket_name(name) {
        return Err(invalid_bucket_name(name));
    }
    let acl = req.header("x-oss-acl").unwrap_or("private").to_owned();
    check_acl(&acl, false)?;
    let configs = super::hns::new_bucket_configs(req)?;
    let mut storage_class = "Standard".to_owned();
    let mut redundancy = "LRS".to_owned();
    if !req.body.is_empty() {
        let root = body_xml(req)?;
        if let Some(sc) = root.child_text("StorageClass") {
            storage_class = sc.to_owned();
        }
        if let Some(r) = root.child_text("DataRedundancyType") {
            redundancy = r.to_owned();
        }
    }
    ctx.store.create_bucket(BucketRecord {
        name: name.to_owned(),
        created_ms: now_ms(),
        location: ctx.location(),
        acl,
        storage_class,
        redundancy,
        versioning: None,
        tags: Vec::new(),
        cors: None,
        configs,
    })?;
    Ok(Reply::ok().header("Location", format!("/{name}")))
}

/// DELETE /bucket — DeleteBucket. A bucket that still has access points is not empty: OSS
/// documents no code of its own for it, so it is answered `BucketNotEmpty` (409), as for
/// objects and uploads, naming the access points in the message.
pub(crate) fn delete_bucket(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let name = req.bucket();
    let points: Vec<String> = super::access_point::all(ctx)
        .into_iter()
        .filter(|ap| ap.bucket == name)
        .map(|ap| ap.name)
        .collect();
    if !points.is_empty() && ctx.store.has_bucket(name) {
        return Err(OssError::new(
            StatusCode::CONFLICT,
            "BucketNotEmpty",
            format!(
                "The bucket you tried to delete still has access points ({}); delete them first.",
                points.join(", ")
            ),
        )
        .ec("0015-00000301")
        .with("BucketName", name));
    }
    ctx.store.delete_bucket(name)?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

/// GET /bucket?bucketInfo — GetBucketInfo.
pub(crate) fn get_bucket_info(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let b = ctx.store.bucket(req.bucket())?;
    let mut w = XmlWriter::new("BucketInfo");
    w.open("Bucket")
        .elem("AccessMonitor", "Disabled")
        .elem("CreationDate", &iso8601(from_ms(b.created_ms)))
        .elem("ExtranetEndpoint", &format!("{}.aliyuncs.com", b.location))
        .elem(
            "IntranetEndpoint",
            &format!("{}-internal.aliyuncs.com", b.location),
        )
        .elem("Location", &b.location)
        .elem("StorageClass", &b.storage_class)
        .elem("TransferAcceleration", "Disabled")
        .elem("CrossRegionReplication", "Disabled")
        .elem("HierarchicalNamespace", super::hns::info_status(&b))
        .elem("Name", &b.name)
        .elem("ResourceGroupId", "rg-default")
        .elem("DataRedundancyType", &b.redundancy)
        .elem("Comment", "");
    if let Some(v) = &b.versioning {
        w.elem("Versioning", v);
    }
    owner(&mut w);
    w.open("AccessControlList").elem("Grant", &b.acl).close();
    w.open("ServerSideEncryptionRule")
        .elem("SSEAlgorithm", "None")
        .close();
    w.open("BucketPolicy")
        .elem("LogBucket", "")
        .elem("LogPrefix", "")
        .close();
    Ok(Reply::xml(w.finish()))
}

/// GET /bucket?location — GetBucketLocation.
pub(crate) fn get_bucket_location(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let b = ctx.store.bucket(req.bucket())?;
    let doc = crate::xml::text_document("LocationConstraint", &b.location);
    Ok(Reply::xml(doc))
}

/// GET /bucket?stat — GetBucketStat.
pub(crate) fn get_bucket_stat(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let channels = super::live_channel::count(&ctx.store.bucket(req.bucket())?);
    let (storage, objects, uploads, last) = ctx.store.with_bucket(req.bucket(), |b| {
        let mut storage = 0u64;
        let mut objects = 0u64;
        let mut last = 0i64;
        for versions in b.objects.values() {
            for v in versions.iter().filter(|v| !v.delete_marker) {
                storage += v.size;
                objects += 1;
                last = last.max(v.modified_ms);
            }
        }
        (storage, objects, b.uploads.len() as u64, last)
    })?;
    let n = |v: u64| i64::try_from(v).ok();
    let output = oss_model::GetBucketStatOutput {
        storage: n(storage),
        object_count: n(objects),
        multipart_upload_count: n(uploads),
        live_channel_count: i64::try_from(channels).ok(),
        last_modified_time: Some(last / 1000),
        standard_storage: n(storage),
        standard_object_count: n(objects),
        infrequent_access_storage: Some(0),
        infrequent_access_real_storage: Some(0),
        infrequent_access_object_count: Some(0),
        archive_storage: Some(0),
        archive_real_storage: Some(0),
        archive_object_count: Some(0),
        cold_archive_storage: Some(0),
        cold_archive_real_storage: Some(0),
        cold_archive_object_count: Some(0),
        ..Default::default()
    };
    typed::reply::<oss_proto::generated::GetBucketStat>(&output)
}

/// PUT /bucket?acl — PutBucketAcl.
pub(crate) fn put_bucket_acl(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let acl = req
        .header("x-oss-acl")
        .ok_or_else(|| OssError::invalid_argument("x-oss-acl is required"))?
        .to_owned();
    check_acl(&acl, false)?;
    crate::access::check_public_grant(ctx, req.bucket(), acl != "private", "A public bucket ACL")?;
    ctx.store.update_bucket(req.bucket(), |b| b.acl = acl)?;
    Ok(Reply::ok())
}

/// GET /bucket?acl — GetBucketAcl.
pub(crate) fn get_bucket_acl(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let b = ctx.store.bucket(req.bucket())?;
    let output = oss_model::GetBucketAclOutput {
        owner: owner_model(),
        access_control_list: oss_model::AccessControlList {
            grant: b.acl.as_str().into(),
        },
        request_id: None,
    };
    typed::reply::<oss_proto::generated::GetBucketAcl>(&output)
}

/// PUT /bucket?versioning — PutBucketVersioning.
pub(crate) fn put_bucket_versioning(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<oss_proto::generated::PutBucketVersioning>(req)?;
    let status = input
        .configuration
        .status
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    if status != "Enabled" && status != "Suspended" {
        return Err(OssError::malformed_xml());
    }
    ctx.store
        .update_bucket(req.bucket(), |b| b.versioning = Some(status))?;
    Ok(Reply::ok())
}

/// GET /bucket?versioning — GetBucketVersioning.
pub(crate) fn get_bucket_versioning(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let b = ctx.store.bucket(req.bucket())?;
    let output = oss_model::GetBucketVersioningOutput {
        status: b.versioning.as_deref().map(Into::into),
        ..Default::default()
    };
    typed::reply::<oss_proto::generated::GetBucketVersioning>(&output)
}

/// PUT /bucket?tagging — PutBucketTags.
pub(crate) fn put_bucket_tags(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<oss_proto::generated::PutBucketTags>(req)?;
    let tags = checked_tags(input.tagging, 20)?;
    ctx.store.update_bucket(req.bucket(), |b| b.tags = tags)?;
    Ok(Reply::ok())
}

/// GET /bucket?tagging — GetBucketTags.
pub(crate) fn get_bucket_tags(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let b = ctx.store.bucket(req.bucket())?;
    let output = oss_model::GetBucketTagsOutput {
        tag_set: tag_set(&b.tags),
        ..Default::default()
    };
    typed::reply::<oss_proto::generated::GetBucketTags>(&output)
}

/// DELETE /bucket?tagging[=k1,k2] — DeleteBucketTags (all, or the listed keys).
pub(crate) fn delete_bucket_tags(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let only: Vec<String> = req
        .q("tagging")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    ctx.store.update_bucket(req.bucket(), |b| {
        if only.is_empty() {
            b.tags.clear();
        } else {
            b.tags.retain(|(k, _)| !only.contains(k));
        }
    })?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

#[cfg(test)]
mod tests {
    use super::valid_bucket_name;

    #[test]
    fn bucket_names_follow_oss_rules() {
        assert!(valid_bucket_name("examplebucket"));
        assert!(valid_bucket_name("a-1"));
        assert!(!valid_bucket_name("ab"));
        assert!(!valid_bucket_name("-abc"));
        assert!(!valid_bucket_name("Abc"));
        assert!(!valid_bucket_name("a_bc"));
        assert!(!valid_bucket_name(&"a".repeat(64)));
    }
}
