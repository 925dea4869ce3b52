//! `rm`: one object or version, every object (or version) under a prefix, or multipart uploads.

use futures_util::TryStreamExt as _;
use oss_model::{Delete, ObjectIdentifier};
use serde_json::json;

use crate::cli::RmArgs;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::listing::{list_objects, relative_key};
use crate::url::OssUrl;

pub(crate) async fn run(ctx: &Context, args: RmArgs) -> CliResult {
    let url = OssUrl::parse(&args.url)?;
    let client = ctx.client()?;
    let filter = ctx.filter(&args.filters)?;
    if args.multipart {
        return abort_uploads(ctx, &client, &url, &filter, args.dry_run).await;
    }
    if !args.recursive {
        if url.key.is_empty() {
            return Err(CliError::usage(format!(
                "{}: name an object, or pass -r for a prefix",
                args.url
            )));
        }
        if args.all_versions {
            let targets = versions(&client, &url, &filter, true).await?;
            return delete_targets(ctx, &client, &url, targets, args.dry_run).await;
        }
        if args.dry_run {
            ctx.out.record(
                || format!("would remove {url}"),
                || json!({"key": url.key, "dry_run": true}),
            );
            ctx.out.finish_json(None);
            return Ok(());
        }
        let mut req = client.delete_object().bucket(&url.bucket).key(&url.key);
        if let Some(v) = &args.version_id {
            req = req.version_id(v);
        }
        req.send()
            .await
            .map_err(|e| CliError::oss(format!("removing {url}"), e))?;
        ctx.out.summary(&format!("removed {url}"));
        ctx.out.finish_json(Some(json!({"removed": 1})));
        return Ok(());
    }
    if args.version_id.is_some() {
        return Err(CliError::usage("--version-id names one object: drop -r"));
    }
    let targets = if args.all_versions {
        versions(&client, &url, &filter, false).await?
    } else {
        list_objects(&client, &url, &filter, false)
            .await?
            .into_iter()
            .map(|e| (e.key, None))
            .collect()
    };
    delete_targets(ctx, &client, &url, targets, args.dry_run).await
}

/// Every version and delete marker under the prefix (or of exactly the key, with `exact`).
async fn versions(
    client: &oss_client::Client,
    url: &OssUrl,
    filter: &crate::filter::Filter,
    exact: bool,
) -> CliResult<Vec<(String, Option<String>)>> {
    let mut req = client.list_object_versions().bucket(&url.bucket);
    if !url.key.is_empty() {
        req = req.prefix(&url.key);
    }
    let mut pages = req.into_paginator();
    let mut out = Vec::new();
    while let Some(page) = pages
        .try_next()
        .await
        .map_err(|e| CliError::oss(format!("listing versions of {url}"), e))?
    {
        let keep = |key: &str| {
            if exact {
                key == url.key
            } else {
                filter.path_matches(&relative_key(&url.key, key))
            }
        };
        for v in page.versions {
            if keep(&v.key) {
                out.push((v.key, Some(v.version_id)));
            }
        }
        for d in page.delete_markers {
            if keep(&d.key) {
                out.push((d.key, Some(d.version_id)));
            }
        }
    }
    Ok(out)
}

async fn delete_targets(
    ctx: &Context,
    client: &oss_client::Client,
    url: &OssUrl,
    targets: Vec<(String, Option<String>)>,
    dry_run: bool,
) -> CliResult {
    if dry_run {
        for (key, version) in &targets {
            ctx.out.record(
                || match version {
                    Some(v) => format!("would remove oss://{}/{key} (version {v})", url.bucket),
                    None => format!("would remove oss://{}/{key}", url.bucket),
                },
                || json!({"key": key, "version_id": version, "dry_run": true}),
            );
        }
        ctx.out
            .summary(&format!("{} object(s) would be removed", targets.len()));
        ctx.out.finish_json(Some(json!({"count": targets.len()})));
        return Ok(());
    }
    let mut removed = 0u64;
    for chunk in targets.chunks(1000) {
        removed += delete_batch(client, &url.bucket, chunk).await?;
    }
    let failed = targets.len() as u64 - removed;
    ctx.out.summary(&format!("removed {removed} object(s)"));
    ctx.out
        .finish_json(Some(json!({"removed": removed, "failed": failed})));
    // The objects OSS did not delete were refused by OSS: a server-side failure.
    let mut tally = super::BatchTally {
        done: removed as usize,
        ..Default::default()
    };
    for _ in 0..failed {
        tally.failed(crate::error::ExitCode::Server);
    }
    tally.result()
}

/// Deletes up to 1,000 keys (or versions) with one DeleteMultipleObjects; returns how many OSS
/// reports deleted.
pub(crate) async fn delete_batch(
    client: &oss_client::Client,
    bucket: &str,
    chunk: &[(String, Option<String>)],
) -> CliResult<u64> {
    if chunk.is_empty() {
        return Ok(0);
    }
    let delete = Delete {
        quiet: Some(false),
        objects: chunk
            .iter()
            .map(|(key, version_id)| ObjectIdentifier {
                key: key.clone(),
                version_id: version_id.clone(),
            })
            .collect(),
    };
    let out = client
        .delete_multiple_objects()
        .bucket(bucket)
        .delete(delete)
        .send()
        .await
        .map_err(|e| CliError::oss(format!("removing objects of oss://{bucket}"), e))?;
    Ok(out.deleted.len() as u64)
}

async fn abort_uploads(
    ctx: &Context,
    client: &oss_client::Client,
    url: &OssUrl,
    filter: &crate::filter::Filter,
    dry_run: bool,
) -> CliResult {
    let mut req = client.list_multipart_uploads().bucket(&url.bucket);
    if !url.key.is_empty() {
        req = req.prefix(&url.key);
    }
    let mut pages = req.into_paginator();
    let mut uploads = Vec::new();
    while let Some(page) = pages
        .try_next()
        .await
        .map_err(|e| CliError::oss(format!("listing uploads of {url}"), e))?
    {
        uploads.extend(
            page.uploads
                .into_iter()
                .filter(|u| filter.path_matches(&relative_key(&url.key, &u.key))),
        );
    }
    let total = uploads.len();
    let tally = super::for_each_concurrent(
        ctx,
        uploads,
        8,
        |u| format!("upload {} of oss://{}/{}", u.upload_id, url.bucket, u.key),
        |u| async move {
            if dry_run {
                ctx.out.record(
                    || format!("would abort {} oss://{}/{}", u.upload_id, url.bucket, u.key),
                    || json!({"key": u.key, "upload_id": u.upload_id, "dry_run": true}),
                );
                return Ok(());
            }
            client
                .abort_multipart_upload()
                .bucket(&url.bucket)
                .key(&u.key)
                .upload_id(&u.upload_id)
                .send()
                .await
                .map_err(|e| CliError::oss("aborting", e))?;
            Ok(())
        },
    )
    .await;
    ctx.out
        .summary(&format!("aborted {} of {total} upload(s)", tally.done));
    ctx.out
        .finish_json(Some(json!({"aborted": tally.done, "failed": tally.failed})));
    tally.result()
}
