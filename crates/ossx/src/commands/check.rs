//! `check`: a local folder against a prefix, by size and CRC-64; reports what differs.

use std::collections::BTreeMap;

use serde_json::json;

use crate::cli::CheckArgs;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::listing::{list_objects, walk_local};
use crate::url::OssUrl;

/// How one path compares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Difference {
    OnlyLocal,
    OnlyRemote,
    Size { local: u64, remote: u64 },
    Crc { local: u64, remote: Option<u64> },
}

impl Difference {
    fn text(&self) -> String {
        match self {
            Difference::OnlyLocal => "missing in OSS".into(),
            Difference::OnlyRemote => "missing locally".into(),
            Difference::Size { local, remote } => {
                format!("size differs (local {local}, OSS {remote})")
            }
            Difference::Crc {
                local,
                remote: Some(r),
            } => format!("CRC-64 differs (local {local}, OSS {r})"),
            Difference::Crc {
                local,
                remote: None,
            } => format!("OSS has no CRC-64 for it (local {local})"),
        }
    }
}

pub(crate) async fn run(ctx: &Context, args: CheckArgs) -> CliResult {
    let root = std::path::PathBuf::from(&args.local);
    if !root.is_dir() {
        return Err(CliError::usage(format!("{}: not a folder", root.display())));
    }
    let url = OssUrl::parse(&args.url)?;
    let url = url.with_key(url.dir_prefix());
    let filter = ctx.filter(&args.filters)?;
    let client = ctx.client()?;
    let local: BTreeMap<String, _> = walk_local(&root, &filter)?
        .into_iter()
        .map(|e| (e.rel.clone(), e))
        .collect();
    let remote: BTreeMap<String, _> = list_objects(&client, &url, &filter, false)
        .await?
        .into_iter()
        .filter(|e| !e.key.ends_with('/'))
        .map(|e| (e.rel.clone(), e))
        .collect();
    let mut diffs: BTreeMap<String, Difference> = BTreeMap::new();
    let mut to_hash = Vec::new();
    for (rel, l) in &local {
        match remote.get(rel) {
            None => {
                diffs.insert(rel.clone(), Difference::OnlyLocal);
            }
            Some(r) if r.size != l.size => {
                diffs.insert(
                    rel.clone(),
                    Difference::Size {
                        local: l.size,
                        remote: r.size,
                    },
                );
            }
            Some(r) if !args.size_only => {
                to_hash.push((rel.clone(), l.path.clone(), r.key.clone()));
            }
            Some(_) => {}
        }
    }
    for rel in remote.keys() {
        if !local.contains_key(rel) {
            diffs.insert(rel.clone(), Difference::OnlyRemote);
        }
    }
    let checked = local.len() + remote.keys().filter(|k| !local.contains_key(*k)).count();
    let bucket = url.bucket.clone();
    let results = std::sync::Mutex::new(Vec::new());
    let failed = super::for_each_concurrent(
        ctx,
        to_hash,
        8,
        |(rel, _, _)| rel.clone(),
        |(rel, path, key)| {
            let client = client.clone();
            let bucket = bucket.clone();
            let results = &results;
            async move {
                let (local_crc, _) = super::hash::file_crc64(&path).await?;
                let h = client
                    .head_object()
                    .bucket(&bucket)
                    .key(&key)
                    .send()
                    .await
                    .map_err(|e| CliError::oss(format!("stat oss://{bucket}/{key}"), e))?;
                let remote_crc = h.hash_crc64ecma.and_then(|v| v.parse::<u64>().ok());
                if remote_crc != Some(local_crc)
                    && let Ok(mut r) = results.lock()
                {
                    r.push((
                        rel,
                        Difference::Crc {
                            local: local_crc,
                            remote: remote_crc,
                        },
                    ));
                }
                Ok(())
            }
        },
    )
    .await
    .failed;
    diffs.extend(results.into_inner().unwrap_or_default());
    for (rel, d) in &diffs {
        ctx.out.record(
            || format!("{:<40} {}", rel, d.text()),
            || json!({"path": rel, "difference": d.text()}),
        );
    }
    ctx.out.summary(&format!(
        "checked {checked} path(s): {} differ{}",
        diffs.len(),
        if failed > 0 {
            format!(", {failed} could not be checked")
        } else {
            String::new()
        }
    ));
    ctx.out.finish_json(Some(
        json!({"checked": checked, "differ": diffs.len(), "errors": failed}),
    ));
    if diffs.is_empty() && failed == 0 {
        Ok(())
    } else {
        Err(CliError::Differ {
            differ: diffs.len(),
            unchecked: failed,
        })
    }
}
