//! `ls`: buckets, objects (all levels or `-d` one level), versions, multipart uploads.

use futures_util::TryStreamExt as _;
use serde_json::json;

use crate::cli::LsArgs;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::listing::relative_key;
use crate::output::time_text;
use crate::units::human_size;
use crate::url::OssUrl;

pub(crate) async fn run(ctx: &Context, args: LsArgs) -> CliResult {
    let client = ctx.client()?;
    let filter = ctx.filter(&args.filters)?;
    let limit = args.limited_num.unwrap_or(u64::MAX);
    let size = |n: u64| {
        if args.human_readable {
            human_size(n)
        } else {
            n.to_string()
        }
    };
    let Some(url) = &args.url else {
        return list_buckets(ctx, &client, limit).await;
    };
    let url = OssUrl::parse(url)?;
    let mut count = 0u64;
    let mut dirs = 0u64;
    let mut total = 0u64;
    let ctx_err = |e| CliError::oss(format!("listing {url}"), e);
    if args.multipart {
        let mut req = client.list_multipart_uploads().bucket(&url.bucket);
        if !url.key.is_empty() {
            req = req.prefix(&url.key);
        }
        let mut pages = req.into_paginator();
        'pages: while let Some(page) = pages.try_next().await.map_err(ctx_err)? {
            for u in page.uploads {
                if count >= limit {
                    break 'pages;
                }
                if !filter.path_matches(&relative_key(&url.key, &u.key)) {
                    continue;
                }
                count += 1;
                ctx.out.record(
                    || format!("{:<25} {:<34} oss://{}/{}", time_text(u.initiated), u.upload_id, url.bucket, u.key),
                    || json!({"key": u.key, "upload_id": u.upload_id, "initiated": time_text(u.initiated)}),
                );
            }
        }
        ctx.out.summary(&format!("\nUploadId Number is: {count}"));
        ctx.out.finish_json(Some(json!({"count": count})));
        return Ok(());
    }
    if args.all_versions {
        let mut req = client.list_object_versions().bucket(&url.bucket);
        if !url.key.is_empty() {
            req = req.prefix(&url.key);
        }
        if args.directories {
            req = req.delimiter("/");
        }
        let mut pages = req.into_paginator();
        'vpages: while let Some(page) = pages.try_next().await.map_err(ctx_err)? {
            for v in page.versions {
                if count >= limit {
                    break 'vpages;
                }
                let n = u64::try_from(v.size.unwrap_or(0)).unwrap_or(0);
                if !filter.matches(
                    &relative_key(&url.key, &v.key),
                    n,
                    v.last_modified.map(Into::into),
                ) {
                    continue;
                }
                count += 1;
                total += n;
                ctx.out.record(
                    || {
                        if args.short_format {
                            format!("oss://{}/{}  {}", url.bucket, v.key, v.version_id)
                        } else {
                            format!(
                                "{:<25} {:>12} {:<12} {:<6} {:<34} oss://{}/{}",
                                time_text(v.last_modified),
                                size(n),
                                v.storage_class.as_ref().map_or("-", |s| s.as_str()),
                                if v.is_latest == Some(true) { "latest" } else { "" },
                                v.version_id,
                                url.bucket,
                                v.key
                            )
                        }
                    },
                    || json!({"key": v.key, "version_id": v.version_id, "is_latest": v.is_latest, "size": n,
                              "last_modified": time_text(v.last_modified), "etag": v.etag,
                              "storage_class": v.storage_class.as_ref().map(|s| s.as_str())}),
                );
            }
            for d in page.delete_markers {
                if count >= limit {
                    break 'vpages;
                }
                if !filter.path_matches(&relative_key(&url.key, &d.key)) {
                    continue;
                }
                count += 1;
                ctx.out.record(
                    || format!("{:<25} {:>12} {:<12} {:<6} {:<34} oss://{}/{}", time_text(d.last_modified), "-",
                        "DeleteMarker", if d.is_latest == Some(true) { "latest" } else { "" }, d.version_id, url.bucket, d.key),
                    || json!({"key": d.key, "version_id": d.version_id, "is_latest": d.is_latest, "delete_marker": true,
                              "last_modified": time_text(d.last_modified)}),
                );
            }
        }
        ctx.out.summary(&format!("\nObject Number is: {count}"));
        ctx.out
            .finish_json(Some(json!({"count": count, "total_size": total})));
        return Ok(());
    }
    let mut req = client.list_objects_v2().bucket(&url.bucket).max_keys(1000);
    if !url.key.is_empty() {
        req = req.prefix(&url.key);
    }
    if args.directories {
        req = req.delimiter("/");
    }
    let mut pages = req.into_paginator();
    'opages: while let Some(page) = pages.try_next().await.map_err(ctx_err)? {
        for p in page.common_prefixes {
            if count + dirs >= limit {
                break 'opages;
            }
            if !filter.path_matches(&relative_key(&url.key, &p.prefix)) {
                continue;
            }
            dirs += 1;
            ctx.out.record(
                || {
                    format!(
                        "{:<25} {:>12} {:<12} {:<34} oss://{}/{}",
                        "", "DIR", "", "", url.bucket, p.prefix
                    )
                },
                || json!({"prefix": p.prefix}),
            );
        }
        for o in page.contents {
            if count + dirs >= limit {
                break 'opages;
            }
            let n = u64::try_from(o.size.unwrap_or(0)).unwrap_or(0);
            if !filter.matches(
                &relative_key(&url.key, &o.key),
                n,
                o.last_modified.map(Into::into),
            ) {
                continue;
            }
            count += 1;
            total += n;
            ctx.out.record(
                || {
                    if args.short_format {
                        format!("oss://{}/{}", url.bucket, o.key)
                    } else {
                        format!(
                            "{:<25} {:>12} {:<12} {:<34} oss://{}/{}",
                            time_text(o.last_modified),
                            size(n),
                            o.storage_class.as_ref().map_or("-", |s| s.as_str()),
                            o.etag.as_deref().unwrap_or("-"),
                            url.bucket,
                            o.key
                        )
                    }
                },
                || json!({"key": o.key, "size": n, "last_modified": time_text(o.last_modified), "etag": o.etag,
                          "storage_class": o.storage_class.as_ref().map(|s| s.as_str()),
                          "object_type": o.object_type.as_ref().map(|s| s.as_str())}),
            );
        }
    }
    if args.directories {
        ctx.out.summary(&format!(
            "\nObject and Directory Number is: {}",
            count + dirs
        ));
    } else {
        ctx.out.summary(&format!("\nObject Number is: {count}"));
    }
    ctx.out.finish_json(Some(
        json!({"count": count, "directories": dirs, "total_size": total}),
    ));
    Ok(())
}

async fn list_buckets(ctx: &Context, client: &oss_client::Client, limit: u64) -> CliResult {
    let mut pages = client.list_buckets().into_paginator();
    let mut count = 0u64;
    'pages: while let Some(page) = pages
        .try_next()
        .await
        .map_err(|e| CliError::oss("listing buckets", e))?
    {
        for b in page.buckets {
            if count >= limit {
                break 'pages;
            }
            count += 1;
            ctx.out.record(
                || {
                    format!(
                        "{:<25} {:<20} {:<12} oss://{}",
                        time_text(b.creation_date),
                        b.region.as_deref().or(b.location.as_deref()).unwrap_or("-"),
                        b.storage_class.as_ref().map_or("-", |s| s.as_str()),
                        b.name
                    )
                },
                || {
                    json!({"name": b.name, "region": b.region, "location": b.location,
                          "creation_date": time_text(b.creation_date),
                          "storage_class": b.storage_class.as_ref().map(|s| s.as_str())})
                },
            );
        }
    }
    ctx.out.summary(&format!("\nBucket Number is: {count}"));
    ctx.out.finish_json(Some(json!({"count": count})));
    Ok(())
}
