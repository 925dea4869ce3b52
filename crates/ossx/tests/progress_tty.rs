//! The progress bars on a real terminal: `ossx cp` runs inside tmux (a pseudo-terminal) while
//! the test reads the screen. The overall bar climbs, never shows more than 100% (retries
//! included: the emulator fails a share of the requests), and ends at 100%; with `-q` nothing is
//! drawn. tmux comes from `OSS_RS_TMUX` or /usr/bin/tmux (`cargo xtask test` installs it).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{AK, SK, World, bytes, write};

fn tmux_bin() -> PathBuf {
    let path = std::env::var_os("OSS_RS_TMUX")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/tmux"));
    assert!(
        path.exists(),
        "tmux is needed at {} (run `cargo xtask test`, which installs Debian's tmux package, \
         or `apt-get install tmux`, or set OSS_RS_TMUX)",
        path.display()
    );
    path
}

/// A tmux server of our own (its own socket), killed when dropped.
struct Tmux {
    bin: PathBuf,
    socket: String,
}

impl Tmux {
    fn new(name: &str) -> Self {
        Tmux {
            bin: tmux_bin(),
            socket: format!("ossx-{name}-{}", std::process::id()),
        }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(&self.bin);
        c.args(["-L", &self.socket]).env_remove("TMUX");
        c
    }

    /// Starts `shell_command` in a detached 160x40 session.
    fn start(&self, shell_command: &str) {
        let status = self
            .cmd()
            .args(["new-session", "-d", "-x", "160", "-y", "40", shell_command])
            .status()
            .unwrap();
        assert!(status.success(), "tmux new-session failed");
    }

    fn screen(&self) -> String {
        let out = self.cmd().args(["capture-pane", "-p"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

/// Every `N%` on the screen.
fn percentages(screen: &str) -> Vec<u64> {
    let mut out = Vec::new();
    for (i, _) in screen.match_indices('%') {
        let digits: String = screen[..i]
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if let Ok(n) = digits.parse() {
            out.push(n);
        }
    }
    out
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The shell command running ossx with `args` against the emulator, then printing its exit
/// code and waiting (so the screen stays to be read).
fn ossx_line(w: &World, args: &[&str]) -> String {
    let mut words: Vec<String> = vec![
        "env".into(),
        "-i".into(),
        format!("HOME={}", w.home.path().display()),
        "TERM=xterm-256color".into(),
        "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true".into(),
        env!("CARGO_BIN_EXE_ossx").into(),
        "--endpoint".into(),
        w.emulator.endpoint().into(),
        "--region".into(),
        w.emulator.region().into(),
        "-i".into(),
        AK.into(),
        "-k".into(),
        SK.into(),
        "--retry-times".into(),
        "10".into(),
    ];
    words.extend(args.iter().map(|s| s.to_string()));
    let line: Vec<String> = words.iter().map(|w| quote(w)).collect();
    format!(
        "cd {} && {}; echo \"ossx exited $?\"; sleep 120",
        quote(&w.scratch.path().display().to_string()),
        line.join(" ")
    )
}

/// Reads the screen until ossx has exited; returns every screen seen.
fn watch(tmux: &Tmux) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut screens = Vec::new();
    loop {
        let s = tmux.screen();
        let done = s.contains("ossx exited");
        screens.push(s);
        if done {
            return screens;
        }
        assert!(
            Instant::now() < deadline,
            "ossx did not finish; the screen:\n{}",
            screens.last().unwrap()
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn the_bar_climbs_to_100_percent_and_never_past_it() {
    let w = World::new();
    w.mb("tty");
    let file = w.path("large.bin");
    let data = bytes(48 * 1024 * 1024, 3);
    write(&file, &data);
    // Slow, and one request in six fails (500/503) and is retried.
    w.emulator.set_faults(
        oss_emulator::Faults::none()
            .with_latency_ms(25)
            .with_5xx_rate(0.15)
            .with_seed(11),
    );

    let tmux = Tmux::new("bar");
    tmux.start(&ossx_line(
        &w,
        &[
            "cp",
            file.to_str().unwrap(),
            "oss://tty/large.bin",
            "--bigfile-threshold",
            "1MiB",
            "--part-size",
            "1MiB",
            "--parallel",
            "2",
        ],
    ));
    let screens = watch(&tmux);
    let last = screens.last().unwrap();
    assert!(last.contains("ossx exited 0"), "{last}");
    let seen: Vec<u64> = screens.iter().flat_map(|s| percentages(s)).collect();
    assert!(
        seen.iter().all(|p| *p <= 100),
        "a bar passed 100%: {seen:?}\n{}",
        screens
            .iter()
            .find(|s| percentages(s).iter().any(|p| *p > 100))
            .unwrap()
    );
    assert!(
        seen.iter().any(|p| *p > 0 && *p < 100),
        "no bar in progress was ever seen: {seen:?}\n{last}"
    );
    let total_line = last
        .lines()
        .find(|l| l.contains("total") && l.contains('%'))
        .unwrap_or_else(|| panic!("no overall bar at the end:\n{last}"));
    assert!(total_line.contains("100%"), "{total_line}");
    assert!(total_line.contains("48.00 MiB/48.00 MiB"), "{total_line}");
    assert!(last.contains("copied 1 file(s)"), "{last}");
    drop(tmux);
    w.emulator.set_faults(oss_emulator::Faults::none());
    assert!(w.get("tty", "large.bin").unwrap() == data);

    // -q: nothing drawn on the same terminal.
    let tmux = Tmux::new("quiet");
    tmux.start(&ossx_line(
        &w,
        &["-q", "cp", file.to_str().unwrap(), "oss://tty/quiet.bin"],
    ));
    let screens = watch(&tmux);
    assert!(screens.last().unwrap().contains("ossx exited 0"));
    assert!(
        screens.iter().all(|s| percentages(s).is_empty()),
        "-q drew something:\n{}",
        screens.iter().find(|s| !percentages(s).is_empty()).unwrap()
    );
}

#[test]
fn no_bar_when_not_a_terminal() {
    let w = World::new();
    w.mb("pipe");
    let file = w.path("f.bin");
    write(&file, &bytes(3 * 1024 * 1024, 4));
    let r = w
        .run(&["cp", file.to_str().unwrap(), "oss://pipe/f.bin"])
        .ok();
    assert!(!r.stderr.contains('%'), "{}", r.stderr);
    assert!(r.stdout.starts_with("copied 1 file(s)"), "{}", r.stdout);
}
