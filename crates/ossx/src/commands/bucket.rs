//! `mb` and `rb`.

use futures_util::TryStreamExt as _;
use oss_model::{BucketAcl, CreateBucketConfiguration, DataRedundancyType, StorageClass};

use crate::cli::{MbArgs, RbArgs};
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::url::OssUrl;

/// Checks `value` against an enum's known values (case-insensitive), returning the OSS spelling.
pub(crate) fn known_value<'a>(value: &str, known: &[&'a str], what: &str) -> CliResult<&'a str> {
    known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(value))
        .copied()
        .ok_or_else(|| {
            CliError::usage(format!(
                "{what} {value:?}: expected one of {}",
                known.join(", ")
            ))
        })
}

fn bucket_url(text: &str) -> CliResult<OssUrl> {
    let url = OssUrl::parse(text)?;
    if !url.key.is_empty() {
        return Err(CliError::usage(format!("{text:?}: expected oss://bucket")));
    }
    Ok(url)
}

pub(crate) async fn mb(ctx: &Context, args: MbArgs) -> CliResult {
    let url = bucket_url(&args.url)?;
    let client = ctx.client()?;
    let mut req = client.put_bucket().bucket(&url.bucket);
    if let Some(acl) = &args.acl {
        req = req.acl(BucketAcl::from(known_value(
            acl,
            BucketAcl::VALUES,
            "--acl",
        )?));
    }
    if args.storage_class.is_some() || args.redundancy_type.is_some() {
        let mut conf = CreateBucketConfiguration::default();
        if let Some(sc) = &args.storage_class {
            conf.storage_class = Some(StorageClass::from(known_value(
                sc,
                StorageClass::VALUES,
                "--storage-class",
            )?));
        }
        if let Some(rt) = &args.redundancy_type {
            conf.data_redundancy_type = Some(DataRedundancyType::from(known_value(
                rt,
                DataRedundancyType::VALUES,
                "--redundancy-type",
            )?));
        }
        req = req.configuration(conf);
    }
    req.send()
        .await
        .map_err(|e| CliError::oss(format!("making {url}"), e))?;
    ctx.out.summary(&format!("made oss://{}", url.bucket));
    Ok(())
}

pub(crate) async fn rb(ctx: &Context, args: RbArgs) -> CliResult {
    let url = bucket_url(&args.url)?;
    let client = ctx.client()?;
    if args.all {
        let removed = empty_bucket(&client, &url.bucket).await?;
        ctx.out.summary(&format!(
            "removed {removed} object version(s) and upload(s)"
        ));
    }
    client
        .delete_bucket()
        .bucket(&url.bucket)
        .send()
        .await
        .map_err(|e| CliError::oss(format!("removing {url}"), e))?;
    ctx.out.summary(&format!("removed oss://{}", url.bucket));
    Ok(())
}

/// Deletes every version, delete marker and multipart upload of `bucket`.
async fn empty_bucket(client: &oss_client::Client, bucket: &str) -> CliResult<u64> {
    let mut removed = 0u64;
    let mut pages = client
        .list_object_versions()
        .bucket(bucket)
        .into_paginator();
    let mut batch = Vec::new();
    while let Some(page) = pages
        .try_next()
        .await
        .map_err(|e| CliError::oss(format!("listing oss://{bucket}"), e))?
    {
        for v in page.versions {
            batch.push((v.key, Some(v.version_id)));
        }
        for d in page.delete_markers {
            batch.push((d.key, Some(d.version_id)));
        }
    }
    for chunk in batch.chunks(1000) {
        removed += super::rm::delete_batch(client, bucket, chunk).await?;
    }
    let mut uploads = client
        .list_multipart_uploads()
        .bucket(bucket)
        .into_paginator();
    let mut all = Vec::new();
    while let Some(page) = uploads
        .try_next()
        .await
        .map_err(|e| CliError::oss(format!("listing uploads of oss://{bucket}"), e))?
    {
        all.extend(page.uploads);
    }
    for u in all {
        client
            .abort_multipart_upload()
            .bucket(bucket)
            .key(&u.key)
            .upload_id(&u.upload_id)
            .send()
            .await
            .map_err(|e| {
                CliError::oss(format!("aborting upload {} of {}", u.upload_id, u.key), e)
            })?;
        removed += 1;
    }
    Ok(removed)
}
