//! The `oss-emulator` binary's command line: `--help`, `--version`, bad arguments, and the
//! `listening on http://ADDR` line.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

fn emulator() -> Command {
    Command::new(env!("CARGO_BIN_EXE_oss-emulator"))
}

#[test]
fn help_prints_usage_and_succeeds() {
    for flag in ["--help", "-h"] {
        let out = emulator().arg(flag).output().unwrap();
        assert!(out.status.success(), "{flag}: {:?}", out.status);
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.starts_with("usage: oss-emulator --addr HOST:PORT"),
            "{text}"
        );
        for option in [
            "--access-key-id",
            "--data-dir",
            "--fault-wrong-crc",
            "--lifecycle-interval SECS",
            "--extra-user ID:SECRET:UID",
            "--version",
        ] {
            assert!(text.contains(option), "{option} missing from {text}");
        }
    }
}

#[test]
fn version_prints_the_crate_version() {
    let out = emulator().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("oss-emulator {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bad_arguments_exit_2_with_usage_on_stderr() {
    let out = emulator().arg("--bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stderr).unwrap();
    assert!(text.contains("unknown argument \"--bogus\""), "{text}");
    assert!(text.contains("usage: oss-emulator"), "{text}");
}

#[test]
fn the_documented_interface_still_listens() {
    let mut child = emulator()
        .args([
            "--addr",
            "127.0.0.1:0",
            "--access-key-id",
            "ak",
            "--access-key-secret",
            "sk",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.starts_with("listening on http://127.0.0.1:"), "{line}");
}
