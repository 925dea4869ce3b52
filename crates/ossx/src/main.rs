//! `ossx`: a command-line tool for Alibaba Cloud OSS with ossutil 2.0's commands and flags, on
//! oss-client (and oss-transfer for `cp`, `sync`).
//!
//! ```text
//! ossx --endpoint http://127.0.0.1:9000 --region cn-hangzhou mb oss://examplebucket
//! ossx cp -r ./site oss://examplebucket/site/
//! ossx ls oss://examplebucket/site/ --human-readable
//! ```
//!
//! Exit codes: 0 ok, 1 bad parameters, 2 server error, 3 client error, 4 some objects in a batch
//! failed (the others done), 5 interrupted.
#![forbid(unsafe_code)]

mod cli;
mod commands;
mod context;
mod error;
mod filter;
mod generated;
mod ini;
mod listing;
mod mime;
mod output;
mod progress;
mod settings;
mod units;
mod url;

use std::io::Write as _;

use clap::{CommandFactory as _, FromArgMatches as _};

use crate::cli::Cli;
use crate::context::Context;
use crate::error::{CliError, ExitCode};

fn main() -> std::process::ExitCode {
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return std::process::ExitCode::from(if e.use_stderr() {
                ExitCode::Usage as u8
            } else {
                ExitCode::Ok as u8
            });
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return std::process::ExitCode::from(ExitCode::Usage as u8);
        }
    };
    let order = filter_order(&matches);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return report(&CliError::io("starting the runtime", e)),
    };
    let result = runtime.block_on(async move {
        let ctx = Context::new(cli.global.clone(), order);
        tokio::select! {
            r = commands::run(&ctx, cli.command) => r,
            _ = tokio::signal::ctrl_c() => Err(CliError::Interrupted),
        }
    });
    // In-flight requests are dropped with the runtime; checkpoints stay on disk.
    runtime.shutdown_background();
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => report(&e),
    }
}

fn report(e: &CliError) -> std::process::ExitCode {
    let mut err = std::io::stderr().lock();
    let _ = match e {
        CliError::Interrupted => writeln!(
            err,
            "ossx: interrupted; run the same command again (with the same --checkpoint-dir) to resume"
        ),
        other => writeln!(err, "ossx: {other}"),
    };
    std::process::ExitCode::from(e.exit_code() as u8)
}

/// `--include` / `--exclude` in command-line order (first match wins), when the command has them.
fn filter_order(matches: &clap::ArgMatches) -> Option<Vec<(bool, String)>> {
    let (_, sub) = matches.subcommand()?;
    let mut out: Vec<(usize, bool, String)> = Vec::new();
    for (id, include) in [("include", true), ("exclude", false)] {
        let Ok(Some(values)) = sub.try_get_many::<String>(id) else {
            continue;
        };
        let Some(indices) = sub.indices_of(id) else {
            continue;
        };
        for (i, v) in indices.zip(values) {
            out.push((i, include, v.clone()));
        }
    }
    out.sort_by_key(|(i, _, _)| *i);
    Some(out.into_iter().map(|(_, inc, v)| (inc, v)).collect())
}
