//! `sync`: make a destination like a source (local ↔ OSS, OSS → OSS): copy what is missing or
//! differs, optionally delete what the source does not have.

use std::collections::HashSet;
use std::time::Instant;

use serde_json::json;

use super::cp::{Engine, SkipRules, backup_file, cleanup_checkpoint_dir, finish_batch, plan_tree};
use crate::cli::SyncArgs;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::listing::{list_objects, walk_local};
use crate::url::Location;

pub(crate) async fn run(ctx: &Context, args: SyncArgs) -> CliResult {
    let started = Instant::now();
    // Both sides are folders.
    let as_folder = |l: Location| match l {
        Location::Oss(u) => Location::Oss(u.with_key(u.dir_prefix())),
        other => other,
    };
    let src = as_folder(Location::parse(&args.source)?);
    let dest = as_folder(Location::parse(&args.dest)?);
    if let Location::Local(dir) = &dest {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::io(format!("creating {}", dir.display()), e))?;
    }
    if args.backup_dir.is_some() && !matches!(dest, Location::Local(_)) {
        return Err(CliError::usage(
            "--backup-dir keeps replaced local files: the destination must be local",
        ));
    }
    let filter = ctx.filter(&args.transfer.filters)?;
    let mut engine = Engine::new(
        ctx,
        &args.transfer,
        SkipRules::from_args(&args.transfer, true),
    )?;
    if let (Some(backup), Location::Local(root)) = (&args.backup_dir, &dest) {
        let abs = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        if abs(backup).starts_with(abs(root)) {
            return Err(CliError::usage(
                "--backup-dir must be outside the destination (a later sync would see the backups)",
            ));
        }
        engine = engine.with_backup(root.clone(), backup.clone());
    }
    let plan = plan_tree(ctx, &src, &dest, &filter, true).await?;

    // What the destination has that the source does not (within the filter).
    let mut extra_local = Vec::new();
    let mut extra_remote = Vec::new();
    if args.delete {
        let wanted: HashSet<String> = plan.items.iter().map(|i| i.dest_key()).collect();
        match &dest {
            Location::Local(dir) => {
                for e in walk_local(dir, &filter)? {
                    if !wanted.contains(&e.path.display().to_string()) {
                        extra_local.push(e.path);
                    }
                }
            }
            Location::Oss(to) => {
                for e in list_objects(&ctx.client()?, to, &filter, false).await? {
                    if !wanted.contains(&e.key) {
                        extra_remote.push(e.key);
                    }
                }
            }
            Location::Stdio => {}
        }
    }

    if args.dry_run {
        let mut copies = 0;
        for item in &plan.items {
            let listed = plan.dests.get(&item.dest_key()).copied();
            if engine.would_copy(item, listed).await? {
                copies += 1;
                ctx.out.record(
                    || format!("would copy {}", item.describe()),
                    || json!({"copy": item.describe()}),
                );
            }
        }
        for p in &extra_local {
            ctx.out.record(
                || format!("would delete {}", p.display()),
                || json!({"delete": p.display().to_string()}),
            );
        }
        if let Location::Oss(to) = &dest {
            for k in &extra_remote {
                ctx.out.record(
                    || format!("would delete oss://{}/{k}", to.bucket),
                    || json!({"delete": k}),
                );
            }
        }
        let deletes = extra_local.len() + extra_remote.len();
        ctx.out
            .summary(&format!("dry run: {copies} to copy, {deletes} to delete"));
        ctx.out.finish_json(Some(
            json!({"dry_run": true, "copy": copies, "delete": deletes}),
        ));
        return Ok(());
    }

    let mut stats = engine.run_batch(ctx, plan).await;
    cleanup_checkpoint_dir(engine.checkpoint_dir());
    let mut deleted = 0u64;
    if stats.failures.is_empty() {
        for p in &extra_local {
            let result = match (&args.backup_dir, &dest) {
                (Some(backup), Location::Local(root)) => backup_file(root, backup, p),
                _ => std::fs::remove_file(p)
                    .map_err(|e| CliError::io(format!("deleting {}", p.display()), e)),
            };
            match result {
                Ok(()) => deleted += 1,
                Err(e) => {
                    ctx.out.warn(&e.to_string());
                    stats.fail(format!("delete {}", p.display()), &e);
                }
            }
        }
        if let Location::Oss(to) = &dest {
            let targets: Vec<(String, Option<String>)> =
                extra_remote.iter().map(|k| (k.clone(), None)).collect();
            let client = ctx.client()?;
            for chunk in targets.chunks(1000) {
                let result = super::rm::delete_batch(&client, &to.bucket, chunk).await;
                let n = *result.as_ref().unwrap_or(&0);
                deleted += n;
                if n < chunk.len() as u64 {
                    let (why, class) = match &result {
                        Err(e) => (e.to_string(), e.exit_code()),
                        Ok(_) => (
                            "OSS did not delete all of them".to_string(),
                            crate::error::ExitCode::Server,
                        ),
                    };
                    ctx.out.warn(&why);
                    stats.first_failure.get_or_insert(class);
                    stats.failures.push((
                        format!(
                            "delete {} object(s) of oss://{}/{}",
                            chunk.len() as u64 - n,
                            to.bucket,
                            to.key
                        ),
                        why,
                    ));
                }
            }
        }
    } else if !extra_local.is_empty() || !extra_remote.is_empty() {
        ctx.out.warn("some copies failed: nothing was deleted");
    }
    if args.delete {
        stats.deleted = Some(deleted);
    }
    finish_batch(ctx, "synced", &stats, started, json!({}))
}
