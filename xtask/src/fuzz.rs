//! `cargo xtask fuzz [--seconds N] [TARGET...]`: builds the libFuzzer targets of
//! `fuzz/` on the stable toolchain and runs each for N seconds (default 60), printing the
//! executions, coverage and corpus of each; fails when a target crashes (the crashing input is
//! left in `fuzz/artifacts/TARGET/`).
//!
//! cargo-fuzz needs nightly only for its sanitizers; without one, the instrumentation libFuzzer
//! steers by is stable rustc's SanitizerCoverage pass, enabled here with the same flags
//! cargo-fuzz passes for `--sanitizer none` (8-bit counters, PC table, comparison tracing).
//! libfuzzer-sys builds libFuzzer's C++ sources, so a C++ compiler is needed: Debian's `g++`
//! is installed with apt-get when `c++` is missing.

use std::path::Path;
use std::process::Command;

use crate::test::run_checked;

/// Every target of `fuzz/Cargo.toml`.
const TARGETS: &[&str] = &[
    "xml_scanner",
    "responses",
    "error_reader",
    "signature",
    "endpoint_url",
    "requests",
];

const RUSTFLAGS: &[&str] = &[
    "-Cpasses=sancov-module",
    "-Cllvm-args=-sanitizer-coverage-level=4",
    "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
    "-Cllvm-args=-sanitizer-coverage-pc-table",
    "-Cllvm-args=-sanitizer-coverage-trace-compares",
    "--cfg",
    "fuzzing",
];

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut seconds = 60u64;
    let mut targets: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seconds" => {
                seconds = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--seconds takes a number")?;
            }
            name if TARGETS.contains(&name) => targets.push(name.to_owned()),
            other => {
                return Err(format!(
                    "unknown argument {other:?}; usage: cargo xtask fuzz [--seconds N] [{}]",
                    TARGETS.join(" | ")
                ));
            }
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|t| (*t).to_owned()).collect();
    }
    let root = crate::workspace_root();
    let fuzz = root.join("fuzz");
    ensure_cxx()?;
    let host = host_triple()?;
    let target_dir = root.join("target").join("fuzz");
    run_checked(
        Command::new(cargo())
            .current_dir(&fuzz)
            .env("RUSTFLAGS", RUSTFLAGS.join(" "))
            .args(["build", "--release", "--bins", "--target", &host])
            .arg("--target-dir")
            .arg(&target_dir),
    )?;
    let bin_dir = target_dir.join(&host).join("release");
    let mut failed = Vec::new();
    println!("target          executions      exec/s  coverage  corpus");
    for target in &targets {
        match run_target(&fuzz, &bin_dir, target, seconds) {
            Ok(stats) => println!(
                "{target:<14} {:>11} {:>11} {:>9} {:>7}",
                stats.executions,
                stats.executions / seconds.max(1),
                stats.coverage,
                stats.corpus
            ),
            Err(e) => {
                println!("{target:<14} FAILED: {e}");
                failed.push(target.clone());
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "fuzz target(s) crashed: {} (inputs in fuzz/artifacts/)",
            failed.join(", ")
        ))
    }
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// The host's target triple (`rustc -vV`): passing `--target` keeps the instrumentation off
/// build scripts and proc-macros.
fn host_triple() -> Result<String, String> {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .map_err(|e| format!("running rustc -vV: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .ok_or_else(|| "rustc -vV names no host".into())
}

/// A C++ compiler for libFuzzer's sources: installs Debian's `g++` when there is none.
fn ensure_cxx() -> Result<(), String> {
    let found = Command::new("c++")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Ok(());
    }
    eprintln!("xtask: installing Debian's g++ for libFuzzer");
    run_checked(Command::new("apt-get").args(["update", "-q"]))?;
    run_checked(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-q", "--no-install-recommends", "g++"]),
    )
}

/// What libFuzzer's final statistics say about one run.
struct Stats {
    executions: u64,
    coverage: u64,
    corpus: u64,
}

fn run_target(fuzz: &Path, bin_dir: &Path, target: &str, seconds: u64) -> Result<Stats, String> {
    let corpus = fuzz.join("corpus").join(target);
    let seeds = fuzz.join("seeds").join(target);
    let artifacts = fuzz.join("artifacts").join(target);
    for dir in [&corpus, &artifacts] {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let mut command = Command::new(bin_dir.join(target));
    command
        .arg(format!("-max_total_time={seconds}"))
        .arg("-print_final_stats=1")
        .arg("-max_len=65536")
        .arg("-rss_limit_mb=2048")
        .arg("-timeout=10")
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .arg(&corpus);
    if seeds.is_dir() {
        command.arg(&seeds);
    }
    let out = command
        .output()
        .map_err(|e| format!("running {target}: {e}"))?;
    let log = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        eprintln!("{}", tail.join("\n"));
        return Err(format!("exit status {}", out.status));
    }
    let stat = |name: &str| -> u64 {
        log.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_start_matches(':').trim().parse().ok())
            .unwrap_or(0)
    };
    let coverage = log
        .lines()
        .rev()
        .find_map(|l| l.split("cov: ").nth(1))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let corpus_files = std::fs::read_dir(&corpus)
        .map(|d| d.count() as u64)
        .unwrap_or(0);
    Ok(Stats {
        executions: stat("stat::number_of_executed_units"),
        coverage,
        corpus: corpus_files,
    })
}
