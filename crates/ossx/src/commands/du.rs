//! `du`: objects and bytes under a bucket or prefix, by storage class.

use std::collections::BTreeMap;

use futures_util::TryStreamExt as _;
use serde_json::json;

use crate::cli::DuArgs;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::listing::{list_objects, relative_key};
use crate::units::human_size;
use crate::url::OssUrl;

pub(crate) async fn run(ctx: &Context, args: DuArgs) -> CliResult {
    let url = OssUrl::parse(&args.url)?;
    let client = ctx.client()?;
    let filter = ctx.filter(&args.filters)?;
    let mut by_class: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    if args.all_versions {
        let mut req = client.list_object_versions().bucket(&url.bucket);
        if !url.key.is_empty() {
            req = req.prefix(&url.key);
        }
        let mut pages = req.into_paginator();
        while let Some(page) = pages
            .try_next()
            .await
            .map_err(|e| CliError::oss(format!("listing {url}"), e))?
        {
            for v in page.versions {
                let n = u64::try_from(v.size.unwrap_or(0)).unwrap_or(0);
                if filter.matches(
                    &relative_key(&url.key, &v.key),
                    n,
                    v.last_modified.map(Into::into),
                ) {
                    let class = v
                        .storage_class
                        .as_ref()
                        .map_or("Standard", |s| s.as_str())
                        .to_string();
                    let e = by_class.entry(class).or_default();
                    e.0 += 1;
                    e.1 += n;
                }
            }
        }
    } else {
        for o in list_objects(&client, &url, &filter, false).await? {
            let e = by_class
                .entry(o.storage_class.unwrap_or_else(|| "Standard".into()))
                .or_default();
            e.0 += 1;
            e.1 += o.size;
        }
    }
    let size = |n: u64| {
        if args.human_readable {
            human_size(n)
        } else {
            n.to_string()
        }
    };
    let (mut objects, mut bytes) = (0, 0);
    for (class, (count, n)) in &by_class {
        objects += count;
        bytes += n;
        ctx.out.record(
            || format!("{class:<16} objects {count:>10}  size {}", size(*n)),
            || json!({"storage_class": class, "objects": count, "size": n}),
        );
    }
    ctx.out.summary(&format!(
        "total            objects {objects:>10}  size {}",
        size(bytes)
    ));
    ctx.out
        .finish_json(Some(json!({"objects": objects, "size": bytes})));
    Ok(())
}
