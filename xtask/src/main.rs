//! Project chores for oss-rs.
//!
//! - `cargo xtask codegen [--check]`: generate Rust from `spec/` (or check it is up to date).
//! - `cargo xtask coverage`: compare the spec with the API catalogue; ends with `covered N/226`.
//! - `cargo xtask test`: the whole test suite, setting up what it needs (the Python virtualenv with the
//!   official OSS SDK for the interop tests).
//! - `cargo xtask fuzz [--seconds N] [TARGET...]`: the libFuzzer targets of `fuzz/` on the stable
//!   toolchain, N seconds each (see `fuzz.rs`).
//! - `cargo xtask bench`: the transfer benchmark (release emulator, our client and the official
//!   Python SDK side by side; see `bench.rs`).
#![forbid(unsafe_code)]
#![allow(clippy::print_stderr)]

mod bench;
mod codegen;
mod fuzz;
mod test;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("codegen") => codegen::run(&args[1..]),
        Some("coverage") => codegen::coverage::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <codegen [--check] | coverage | test | fuzz | bench> [args]"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of `xtask/`).
pub(crate) fn workspace_root() -> std::path::PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}
