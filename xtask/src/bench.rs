//! `cargo xtask bench [--sizes 1M,64M,1G] [--rounds 3] [--stores disk,memory] [--ops put,get,upload,download,copy] [--files 1000]`:
//! the transfer benchmark.
//!
//! Builds the release emulator and the release Rust bench client (`oss-transfer`'s
//! `transfer_bench` example), starts one emulator per store on loopback, and times every
//! operation with our client and with the official Python SDK v2 (set up in `.venv` the way
//! `cargo xtask test` does) against the same emulator process. Prints one table: MB/s (median
//! of the rounds; objects under 64 MiB get more rounds, up to 25) for each SDK and their ratio, and the peak RSS of each client process and of
//! the emulator during the operation (`OSS_RS_PYTHON` names an interpreter that already has the
//! SDK, as for the interop tests) (the emulator's peak is reset before each run through
//! `/proc/PID/clear_refs`).
//!
//! The release `ossx` is measured too: an `ossx MB/s` column (`ossx cp` of one object for
//! upload, download and copy) and, after the table, `ossx cp -r` of `--files` small files
//! (default 1,000 of 4 KiB; 0 skips them) up and down, in files/s and MB/s. `bench_ossx.py`
//! times the ossx processes and reads their peak RSS.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// One measured client run.
#[derive(Debug, Clone)]
struct Measure {
    mbps: f64,
    client_rss_kib: u64,
    emulator_rss_kib: u64,
}

/// One row of the table: an operation on one store at one size, per client.
#[derive(Debug, Clone)]
struct Row {
    store: String,
    op: String,
    size: u64,
    rust: Option<Measure>,
    python: Option<Measure>,
    /// Further clients (name, measure): see [`extra_clients`].
    extra: Vec<(String, Measure)>,
}

struct Options {
    sizes: Vec<u64>,
    rounds: usize,
    stores: Vec<String>,
    ops: Vec<String>,
    /// Files of the `ossx cp -r` rows (0: none).
    files: u64,
}

/// What the ossx measurements need.
struct Ossx {
    python: PathBuf,
    script: PathBuf,
    bin: PathBuf,
    rounds: usize,
}

/// The size of each file of the `ossx cp -r` rows.
const TREE_FILE_SIZE: u64 = 4 << 10;

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last() {
        Some('K' | 'k') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M' | 'm') => (&s[..s.len() - 1], 1 << 20),
        Some('G' | 'g') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>()
        .map(|n| n * mult)
        .map_err(|_| format!("bad size {s:?}"))
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        sizes: vec![1 << 20, 64 << 20, 1 << 30],
        rounds: 3,
        stores: vec!["disk".into(), "memory".into()],
        ops: ["put", "get", "upload", "download", "copy"]
            .map(String::from)
            .to_vec(),
        files: 1000,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let list = || value.split(',').map(str::to_owned).collect::<Vec<_>>();
        match flag.as_str() {
            "--sizes" => o.sizes = value.split(',').map(parse_size).collect::<Result<_, _>>()?,
            "--rounds" => o.rounds = value.parse().map_err(|_| "bad --rounds")?,
            "--stores" => o.stores = list(),
            "--ops" => o.ops = list(),
            "--files" => o.files = value.parse().map_err(|_| "bad --files")?,
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(o)
}

/// Rounds moving less than this much data are repeated up to [`MAX_ROUNDS`] times: a 1 MiB
/// round takes a few milliseconds, and a median of three of those is one scheduling hiccup
/// away from noise.
const MIN_BYTES_PER_ROW: u64 = 64 << 20;

/// The most rounds [`rounds_for`] asks for.
const MAX_ROUNDS: usize = 25;

/// The rounds for objects of `size`: at least `asked`, more for small objects (see
/// [`MIN_BYTES_PER_ROW`]).
fn rounds_for(asked: usize, size: u64) -> usize {
    let to_fill = MIN_BYTES_PER_ROW.div_ceil(size.max(1));
    asked.max(
        usize::try_from(to_fill)
            .unwrap_or(MAX_ROUNDS)
            .min(MAX_ROUNDS),
    )
}

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let opts = options(args)?;
    let root = crate::workspace_root();
    // An interpreter with the SDK already installed may be named (as the interop tests accept);
    // otherwise `.venv` is set up exactly as `cargo xtask test` does on a fresh machine.
    let python = match std::env::var_os("OSS_RS_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => crate::test::ensure_venv(&root)?,
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    crate::test::run_checked(
        Command::new(&cargo)
            .current_dir(&root)
            .args([
                "build",
                "--release",
                "-p",
                "oss-emulator",
                "--bin",
                "oss-emulator",
            ])
            .args(["-p", "oss-transfer", "--example", "transfer_bench"])
            .args(["-p", "ossx", "--bin", "ossx"]),
    )?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let emulator_bin = target.join("release").join("oss-emulator");
    let client_bin = target
        .join("release")
        .join("examples")
        .join("transfer_bench");
    let script = std::env::temp_dir().join(format!("oss-rs-bench-{}.py", std::process::id()));
    std::fs::write(&script, include_str!("bench.py")).map_err(|e| e.to_string())?;
    let work = std::env::temp_dir().join(format!("oss-rs-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let ossx_script =
        std::env::temp_dir().join(format!("oss-rs-bench-ossx-{}.py", std::process::id()));
    std::fs::write(&ossx_script, include_str!("bench_ossx.py")).map_err(|e| e.to_string())?;
    let ossx = Ossx {
        python: python.clone(),
        script: ossx_script.clone(),
        bin: target.join("release").join("ossx"),
        rounds: opts.rounds,
    };
    let mut tree_rows = Vec::new();

    let mut rows = Vec::new();
    for store in &opts.stores {
        let data_dir = work.join(format!("data-{store}"));
        let mut emulator = Emulator::start(&emulator_bin, (store == "disk").then_some(&data_dir))?;
        for &size in &opts.sizes {
            let rounds = rounds_for(opts.rounds, size).to_string();
            for op in &opts.ops {
                eprintln!("bench: {store} {op} {}", human(size));
                let rust = measure(
                    &emulator,
                    Command::new(&client_bin)
                        .args(["--endpoint", &emulator.endpoint, "--bucket", "bench-rs"])
                        .args(["--op", op, "--size", &size.to_string()])
                        .args(["--rounds", &rounds])
                        .arg("--dir")
                        .arg(&work),
                );
                let py = measure(
                    &emulator,
                    Command::new(&python)
                        .arg(&script)
                        .args([&emulator.endpoint, "ak", "sk", "bench-py", op])
                        .args([size.to_string(), rounds.clone()])
                        .arg(&work),
                );
                let extra = extra_clients(&ossx, &emulator.endpoint, op, size, &work)
                    .into_iter()
                    .filter_map(|(name, mut cmd)| {
                        report(measure(&emulator, &mut cmd)).map(|m| (name, m))
                    })
                    .collect();
                rows.push(Row {
                    store: store.clone(),
                    op: op.clone(),
                    size,
                    rust: report(rust),
                    python: report(py),
                    extra,
                });
            }
            // The `ossx cp -r` rows, once per store.
            if size == opts.sizes[0] && opts.files > 0 {
                for op in ["tree-up", "tree-down"] {
                    eprintln!("bench: {store} ossx cp -r {} files", opts.files);
                    let mut cmd = ossx.command(&emulator.endpoint, op, TREE_FILE_SIZE, &work);
                    cmd.arg(opts.files.to_string());
                    match measure_tree(&emulator, &mut cmd) {
                        Ok(m) => tree_rows.push((store.clone(), op, m)),
                        Err(e) => eprintln!("bench: {e}"),
                    }
                }
            }
            // Keep the store small between sizes.
            if store == "disk" {
                emulator.stop();
                let _ = std::fs::remove_dir_all(&data_dir);
                emulator = Emulator::start(&emulator_bin, Some(&data_dir))?;
            }
        }
        emulator.stop();
    }
    let _ = std::fs::remove_dir_all(&work);
    let _ = std::fs::remove_file(&script);
    let _ = std::fs::remove_file(&ossx_script);
    print_table(&rows);
    print_tree_table(opts.files, &tree_rows);
    Ok(())
}

impl Ossx {
    /// `bench_ossx.py` timing `ossx cp` for `op` on `size` bytes.
    fn command(&self, endpoint: &str, op: &str, size: u64, work: &Path) -> Command {
        let mut cmd = Command::new(&self.python);
        cmd.arg(&self.script)
            .arg(&self.bin)
            .args([endpoint, op, &size.to_string(), &self.rounds.to_string()])
            .arg(work.join("ossx"));
        cmd
    }
}

/// One `ossx cp -r` measurement: MB/s, files/s, peak RSS.
struct TreeMeasure {
    mbps: f64,
    files_per_sec: f64,
    client_rss_kib: u64,
    emulator_rss_kib: u64,
}

fn measure_tree(emulator: &Emulator, cmd: &mut Command) -> Result<TreeMeasure, String> {
    emulator.reset_peak_rss();
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |prefix: &str, i: usize| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(i).map(str::to_owned))
            .ok_or_else(|| format!("{cmd:?} printed no {prefix}({})", out.status))
    };
    let num = |v: String| v.parse::<f64>().unwrap_or(0.0);
    Ok(TreeMeasure {
        mbps: num(field("RESULT ", 3)?),
        client_rss_kib: num(field("RESULT ", 4)?) as u64,
        files_per_sec: num(field("FILES ", 3)?),
        emulator_rss_kib: emulator.peak_rss_kib(),
    })
}

fn print_tree_table(files: u64, rows: &[(String, &str, TreeMeasure)]) {
    if rows.is_empty() {
        return;
    }
    println!();
    println!(
        "ossx cp -r of {files} files of {} each (-j 16), median of the rounds:",
        human(TREE_FILE_SIZE)
    );
    let header = format!(
        "{:<7} {:<10} {:>10} {:>10} {:>12} {:>12}",
        "store", "op", "files/s", "MB/s", "ossx MiB", "emu MiB"
    );
    println!("{header}");
    println!("{}", "-".repeat(header.len()));
    for (store, op, m) in rows {
        println!(
            "{store:<7} {op:<10} {:>10.1} {:>10.2} {:>12.1} {:>12.1}",
            m.files_per_sec,
            m.mbps,
            m.client_rss_kib as f64 / 1024.0,
            m.emulator_rss_kib as f64 / 1024.0
        );
    }
}

/// HOOK: further clients measured on every row, each a command printing
/// `RESULT <op> <size> <MB/s> <peak RSS KiB>` for `op` on an object of `size` bytes against
/// `endpoint` (access key `ak` / `sk`, path style): `ossx cp` for upload, download and copy.
fn extra_clients(
    ossx: &Ossx,
    endpoint: &str,
    op: &str,
    size: u64,
    work: &Path,
) -> Vec<(String, Command)> {
    match op {
        "upload" | "download" | "copy" => {
            vec![("ossx".into(), ossx.command(endpoint, op, size, work))]
        }
        _ => Vec::new(),
    }
}

fn report(result: Result<Measure, String>) -> Option<Measure> {
    match result {
        Ok(m) => Some(m),
        Err(e) => {
            eprintln!("bench: {e}");
            None
        }
    }
}

/// Runs one client command (its emulator's peak RSS reset first) and reads its RESULT line.
fn measure(emulator: &Emulator, cmd: &mut Command) -> Result<Measure, String> {
    emulator.reset_peak_rss();
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .ok_or_else(|| format!("{cmd:?} printed no RESULT ({})", out.status))?;
    let f: Vec<&str> = line.split_whitespace().collect();
    let mbps = f.get(3).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let client_rss_kib = f.get(4).and_then(|v| v.parse().ok()).unwrap_or(0);
    Ok(Measure {
        mbps,
        client_rss_kib,
        emulator_rss_kib: emulator.peak_rss_kib(),
    })
}

struct Emulator {
    child: Child,
    endpoint: String,
}

impl Emulator {
    fn start(bin: &Path, data_dir: Option<&PathBuf>) -> Result<Emulator, String> {
        let mut cmd = Command::new(bin);
        cmd.args([
            "--addr",
            "127.0.0.1:0",
            "--access-key-id",
            "ak",
            "--access-key-secret",
            "sk",
        ]);
        if let Some(d) = data_dir {
            std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
            cmd.arg("--data-dir").arg(d);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let stdout = child.stdout.take().ok_or("no emulator stdout")?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        let endpoint = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("unexpected emulator output {line:?}"))?
            .to_owned();
        Ok(Emulator { child, endpoint })
    }

    fn reset_peak_rss(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5");
    }

    fn peak_rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
            })
            .unwrap_or(0)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop();
    }
}

fn human(size: u64) -> String {
    match size {
        s if s >= 1 << 30 && s % (1 << 30) == 0 => format!("{} GiB", s >> 30),
        s if s >= 1 << 20 && s % (1 << 20) == 0 => format!("{} MiB", s >> 20),
        s if s >= 1 << 10 && s % (1 << 10) == 0 => format!("{} KiB", s >> 10),
        s => format!("{s} B"),
    }
}

fn print_table(rows: &[Row]) {
    let mib = |k: u64| format!("{:.1}", k as f64 / 1024.0);
    let mut extra_names: Vec<String> = Vec::new();
    for r in rows {
        for (n, _) in &r.extra {
            if !extra_names.contains(n) {
                extra_names.push(n.clone());
            }
        }
    }
    let mut header = format!(
        "{:<7} {:<9} {:>8} {:>10} {:>10} {:>7} {:>11} {:>11} {:>11} {:>11}",
        "store",
        "op",
        "size",
        "rust MB/s",
        "py MB/s",
        "ratio",
        "rs cli MiB",
        "rs emu MiB",
        "py cli MiB",
        "py emu MiB"
    );
    for n in &extra_names {
        header.push_str(&format!(" {:>12}", format!("{n} MB/s")));
    }
    println!("{header}");
    println!("{}", "-".repeat(header.len()));
    for r in rows {
        let mbps =
            |m: &Option<Measure>| m.as_ref().map_or("-".into(), |m| format!("{:.1}", m.mbps));
        let ratio = match (&r.rust, &r.python) {
            (Some(a), Some(b)) if b.mbps > 0.0 => format!("{:.2}x", a.mbps / b.mbps),
            _ => "-".into(),
        };
        let rss = |m: &Option<Measure>, emu: bool| {
            m.as_ref().map_or("-".into(), |m| {
                mib(if emu {
                    m.emulator_rss_kib
                } else {
                    m.client_rss_kib
                })
            })
        };
        let mut line = format!(
            "{:<7} {:<9} {:>8} {:>10} {:>10} {:>7} {:>11} {:>11} {:>11} {:>11}",
            r.store,
            r.op,
            human(r.size),
            mbps(&r.rust),
            mbps(&r.python),
            ratio,
            rss(&r.rust, false),
            rss(&r.rust, true),
            rss(&r.python, false),
            rss(&r.python, true),
        );
        for n in &extra_names {
            let v = r
                .extra
                .iter()
                .find(|(x, _)| x == n)
                .map_or("-".into(), |(_, m)| format!("{:.1}", m.mbps));
            line.push_str(&format!(" {v:>12}"));
        }
        println!("{line}");
    }
    println!(
        "MB/s: median of the rounds (10^6 bytes/s). RSS: peak resident set (VmHWM) of the client process and of the emulator during that run."
    );
}

#[cfg(test)]
mod tests {
    use super::rounds_for;

    #[test]
    fn small_objects_get_more_rounds_and_large_ones_what_was_asked() {
        assert_eq!(rounds_for(3, 1 << 20), 25);
        assert_eq!(rounds_for(3, 16 << 20), 4);
        assert_eq!(rounds_for(3, 64 << 20), 3);
        assert_eq!(rounds_for(3, 1 << 30), 3);
        assert_eq!(rounds_for(40, 1 << 20), 40);
        assert_eq!(rounds_for(1, 0), 25);
    }
}
