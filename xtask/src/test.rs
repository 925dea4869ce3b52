//! `cargo xtask test`: prepare what the tests need, then run every test of the workspace.
//!
//! The official Python SDK (`alibabacloud-oss-v2`) goes into `.venv/` at the workspace root; the interop
//! tests find its interpreter through the `OSS_RS_PYTHON` variable this command sets. The browser
//! test (PostObject from a real form) needs Debian's `chromium`: it is installed with apt-get when
//! missing (CI runs as root on a fresh Debian machine) and found through `OSS_RS_CHROMIUM`. The
//! terminal test of ossx's progress bars runs it under Debian's `tmux`, installed the same way and
//! found through `OSS_RS_TMUX`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The official Python SDK the interop tests drive, pinned so results are reproducible.
const PYTHON_SDK: &str = "alibabacloud-oss-v2==1.4.1";

pub(crate) fn run(extra_args: &[String]) -> Result<(), String> {
    let root = crate::workspace_root();
    let python = ensure_venv(&root)?;
    let chromium = ensure_chromium()?;
    let tmux = ensure_tmux()?;
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo
        .current_dir(&root)
        .env("OSS_RS_PYTHON", &python)
        .env("OSS_RS_CHROMIUM", &chromium)
        .env("OSS_RS_TMUX", &tmux)
        .args(["test", "--workspace", "--all-targets"])
        .args(extra_args);
    run_checked(&mut cargo)?;
    let mut doc = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    doc.current_dir(&root)
        .args(["test", "--workspace", "--doc"]);
    run_checked(&mut doc)
}

/// Creates `.venv` with the official SDK unless it is already there; returns its interpreter.
pub(crate) fn ensure_venv(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join(".venv");
    let python = venv.join("bin").join("python");
    let marker = venv.join(format!(".installed-{PYTHON_SDK}"));
    if marker.exists() {
        return Ok(python);
    }
    let system_python = ["python3.11", "python3"]
        .into_iter()
        .find(|name| Command::new(name).arg("--version").output().is_ok())
        .ok_or("no python3 found: the interop tests need Python 3 with venv and pip")?;
    let with_pip = Command::new(system_python)
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .status()
        .is_ok_and(|status| status.success());
    let mut install = if with_pip {
        let mut pip = Command::new(&python);
        pip.args(["-m", "pip"]);
        pip
    } else {
        // Debian's python3 without python3-venv has no ensurepip: make the venv without pip and
        // let the system pip install into it (`pip --python`, pip >= 22.3).
        eprintln!("xtask: `venv` without ensurepip here; creating it --without-pip");
        run_checked(
            Command::new(system_python)
                .args(["-m", "venv", "--clear", "--without-pip"])
                .arg(&venv),
        )?;
        let mut pip = Command::new(system_python);
        pip.args(["-m", "pip", "--python"]).arg(&python);
        pip
    };
    run_checked(
        install
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(PYTHON_SDK),
    )?;
    std::fs::write(&marker, b"").map_err(|e| format!("writing {}: {e}", marker.display()))?;
    Ok(python)
}

/// Finds Chromium (`OSS_RS_CHROMIUM`, else `/usr/bin/chromium`), installing Debian's package
/// when it is missing.
fn ensure_chromium() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("OSS_RS_CHROMIUM") {
        return Ok(PathBuf::from(path));
    }
    let path = PathBuf::from("/usr/bin/chromium");
    if path.exists() {
        return Ok(path);
    }
    eprintln!("xtask: installing Debian's chromium for the browser test");
    run_checked(Command::new("apt-get").args(["update", "-q"]))?;
    run_checked(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-q", "--no-install-recommends", "chromium"]),
    )?;
    if path.exists() {
        Ok(path)
    } else {
        Err("apt-get installed chromium but /usr/bin/chromium is missing".into())
    }
}

/// Finds tmux (`OSS_RS_TMUX`, else `/usr/bin/tmux`), installing Debian's package when it is
/// missing.
fn ensure_tmux() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("OSS_RS_TMUX") {
        return Ok(PathBuf::from(path));
    }
    let path = PathBuf::from("/usr/bin/tmux");
    if path.exists() {
        return Ok(path);
    }
    eprintln!("xtask: installing Debian's tmux for the terminal test of ossx");
    run_checked(Command::new("apt-get").args(["update", "-q"]))?;
    run_checked(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-q", "--no-install-recommends", "tmux"]),
    )?;
    if path.exists() {
        Ok(path)
    } else {
        Err("apt-get installed tmux but /usr/bin/tmux is missing".into())
    }
}

pub(crate) fn run_checked(command: &mut Command) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("running {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed with {status}"))
    }
}
