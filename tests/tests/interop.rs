//! Interop suite: the official Python SDK (`alibabacloud-oss-v2`) drives our emulator.
//!
//! Each test starts its own `oss-emulator` on a free loopback port with a fresh data directory, runs one
//! script of `tests/interop/` with one signature version (V4 or V1), and fails with the script's report
//! and the emulator's log when any check of the script fails. `restart_*` kill the emulator between a
//! write and a read phase of `restart.py` and restart it on the same data directory. Checks listed in
//! `tests/interop/known_failures.txt` do not fail a test; they are reported on stderr.
//!
//! The interpreter comes from `OSS_RS_PYTHON` (set by `cargo xtask test`), else `.venv/bin/python` at the
//! workspace root. Without the SDK the tests fail, telling to run `cargo xtask test`: they never pass
//! silently.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The region every script signs for (V4 scopes its signatures to it).
const REGION: &str = "cn-hangzhou";
/// Test credentials the emulator is started with; they protect nothing.
const ACCESS_KEY_ID: &str = "LTAIinteropTestKeyId";
/// Test credentials the emulator is started with; they protect nothing.
const ACCESS_KEY_SECRET: &str = "interopTestKeySecretForTheEmulator";
/// The account id the emulator's vector buckets belong to.
const ACCOUNT_ID: &str = "1234567890123456";
/// How long the emulator may take to print its `listening on` line.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one script may run before it is killed.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(600);
/// The SDK version `cargo xtask test` installs.
const EXPECTED_SDK: &str = "1.4.1";

fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

fn cargo_program() -> String {
    std::env::var("CARGO")
        .ok()
        .or_else(|| option_env!("CARGO").map(str::to_owned))
        .unwrap_or_else(|| "cargo".to_owned())
}

/// Builds the emulator binary once per test process (cargo rebuilds it only when stale) and returns it.
fn emulator_binary() -> PathBuf {
    static BINARY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = BINARY.get_or_init(|| {
        let root = workspace_root();
        let output = Command::new(cargo_program())
            .current_dir(&root)
            .args([
                "build",
                "--quiet",
                "-p",
                "oss-emulator",
                "--bin",
                "oss-emulator",
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running `cargo build -p oss-emulator`: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "`cargo build -p oss-emulator --bin oss-emulator` failed ({}):\n{}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let target_dir = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .map(|dir| {
                if dir.is_absolute() {
                    dir
                } else {
                    root.join(dir)
                }
            })
            .unwrap_or_else(|| root.join("target"));
        let binary = target_dir
            .join("debug")
            .join(format!("oss-emulator{}", std::env::consts::EXE_SUFFIX));
        if binary.is_file() {
            Ok(binary)
        } else {
            Err(format!(
                "cargo built oss-emulator but {} does not exist",
                binary.display()
            ))
        }
    });
    match built {
        Ok(path) => path.clone(),
        Err(message) => panic!("{message}"),
    }
}

/// The Python interpreter with the official SDK; panics with the way to get one when there is none.
fn python_with_sdk() -> PathBuf {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let found = PYTHON.get_or_init(|| {
        let (python, origin) = match std::env::var_os("OSS_RS_PYTHON") {
            Some(path) if !path.is_empty() => (PathBuf::from(path), "OSS_RS_PYTHON"),
            _ => (
                workspace_root().join(".venv").join("bin").join("python"),
                "the workspace's .venv",
            ),
        };
        let probe = Command::new(&python)
            .args([
                "-c",
                "import alibabacloud_oss_v2 as oss; print(oss.__version__)",
            ])
            .stdin(Stdio::null())
            .output();
        match probe {
            Ok(output) if output.status.success() => {
                let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
                if version == EXPECTED_SDK {
                    Ok(python)
                } else {
                    Err(format!(
                        "{} ({origin}) has alibabacloud-oss-v2 {version}, the suite is pinned to \
                         {EXPECTED_SDK}: run `cargo xtask test` (or `pip install \
                         alibabacloud-oss-v2=={EXPECTED_SDK}` into it)",
                        python.display()
                    ))
                }
            }
            Ok(output) => Err(format!(
                "{} ({origin}) cannot import the official Python SDK alibabacloud_oss_v2: run \
                 `cargo xtask test`, which creates .venv with it, or set OSS_RS_PYTHON.\n{}",
                python.display(),
                String::from_utf8_lossy(&output.stderr)
            )),
            Err(e) => Err(format!(
                "no Python interpreter at {} ({origin}): {e}; run `cargo xtask test`, which creates \
                 .venv with the official Python SDK, or set OSS_RS_PYTHON",
                python.display()
            )),
        }
    });
    match found {
        Ok(path) => path.clone(),
        Err(message) => panic!("{message}"),
    }
}

/// A fresh data directory under the system temp dir, removed when dropped (also on panic).
struct DataDir(PathBuf);

impl DataDir {
    fn fresh(name: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!(
            "oss-rs-interop-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("creating the emulator's data directory");
        Self(dir)
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running emulator; killed (SIGKILL on Unix) when dropped, also on panic.
struct Emulator {
    child: Child,
    endpoint: String,
    /// The vector service (`vectors on http://ADDR`).
    vector_endpoint: Arc<Mutex<String>>,
    log: Arc<Mutex<String>>,
}

impl Emulator {
    /// Starts an emulator on a free port; retries twice when it exits before listening (the port picked
    /// may have been taken in between).
    fn start(data_dir: &Path) -> Self {
        let mut failures = Vec::new();
        for _ in 1..=3 {
            match Self::try_start(data_dir) {
                Ok(emulator) => return emulator,
                Err(StartError::Exited(message)) => failures.push(message),
                Err(StartError::Hung(message)) => panic!("{message}"),
            }
        }
        panic!(
            "the emulator exited before listening, three times:\n{}",
            failures.join("\n----\n")
        );
    }

    fn try_start(data_dir: &Path) -> Result<Self, StartError> {
        let binary = emulator_binary();
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let mut child = Command::new(&binary)
            .args(["--addr", &addr])
            .args(["--access-key-id", ACCESS_KEY_ID])
            .args(["--access-key-secret", ACCESS_KEY_SECRET])
            .args(["--vector-addr", "127.0.0.1:0"])
            .args(["--account-id", ACCOUNT_ID])
            .arg("--data-dir")
            .arg(data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
        let log = Arc::new(Mutex::new(String::new()));
        let vector_endpoint = Arc::new(Mutex::new(String::new()));
        let (ready_tx, ready_rx) = mpsc::channel::<String>();
        if let Some(stdout) = child.stdout.take() {
            let log = Arc::clone(&log);
            let vector_endpoint = Arc::clone(&vector_endpoint);
            thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Some(rest) = line.split("vectors on ").nth(1)
                        && let Ok(mut v) = vector_endpoint.lock()
                    {
                        *v = rest.trim().trim_end_matches('/').to_owned();
                    }
                    if let Some(rest) = line.split("listening on ").nth(1) {
                        // The receiver may be gone already; only the first line matters.
                        let _ = ready_tx.send(rest.trim().to_owned());
                    }
                    append_line(&log, &line);
                }
            });
        }
        if let Some(stderr) = child.stderr.take() {
            let log = Arc::clone(&log);
            thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    append_line(&log, &line);
                }
            });
        }
        // From here on the guard owns the process: every early return kills it.
        let mut emulator = Self {
            child,
            endpoint: format!("http://{addr}"),
            vector_endpoint,
            log,
        };
        match ready_rx.recv_timeout(STARTUP_TIMEOUT) {
            Ok(url) => {
                // Trust the address the emulator says it listens on when it names a real port.
                if url.starts_with("http://") && !url.ends_with(":0") {
                    emulator.endpoint = url.trim_end_matches('/').to_owned();
                }
                Ok(emulator)
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // Its stdout closed: it exited. Give the log readers a moment to drain.
                let status = emulator.child.wait().ok();
                thread::sleep(Duration::from_millis(100));
                Err(StartError::Exited(format!(
                    "the emulator on {addr} exited before listening (status {status:?}); its output:\n{}",
                    emulator.log_text()
                )))
            }
            Err(mpsc::RecvTimeoutError::Timeout) => Err(StartError::Hung(format!(
                "the emulator on {addr} did not print `listening on` within {STARTUP_TIMEOUT:?}; \
                 its output:\n{}",
                emulator.log_text()
            ))),
        }
    }

    /// The vector service's endpoint; it is printed right after `listening on`.
    fn vector_endpoint(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let v = self
                .vector_endpoint
                .lock()
                .map(|v| v.clone())
                .unwrap_or_default();
            if !v.is_empty() || Instant::now() > deadline {
                return v;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    fn log_text(&self) -> String {
        self.log.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

/// Why an emulator did not come up.
enum StartError {
    /// It exited before listening (worth another port).
    Exited(String),
    /// It neither listened nor exited in time.
    Hung(String),
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // Killing a process that already exited is an error we have no use for.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn append_line(log: &Mutex<String>, line: &str) {
    if let Ok(mut log) = log.lock() {
        log.push_str(line);
        log.push('\n');
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
    listener
        .local_addr()
        .expect("reading the bound loopback address")
        .port()
}

/// The last `count` lines of `text`.
fn tail(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(count)..].join("\n")
}

/// Runs `tests/interop/<script>` against a fresh emulator with the given signature version.
fn run_script(script: &str, signature_version: &str) {
    let python = python_with_sdk();
    let data = DataDir::fresh(&format!(
        "{}-{signature_version}",
        script.trim_end_matches(".py")
    ));
    let emulator = Emulator::start(&data.0);
    run_on(&python, &emulator, script, signature_version, &[]);
}

/// Kills the emulator after `restart.py` wrote its state, starts another on the same data directory, and
/// has `restart.py` read it all back.
fn run_restart(signature_version: &str) {
    let python = python_with_sdk();
    let data = DataDir::fresh(&format!("restart-{signature_version}"));
    {
        let first = Emulator::start(&data.0);
        run_on(
            &python,
            &first,
            "restart.py",
            signature_version,
            &[("OSS_RS_PHASE", "write")],
        );
    } // Dropped: killed without warning.
    let second = Emulator::start(&data.0);
    run_on(
        &python,
        &second,
        "restart.py",
        signature_version,
        &[("OSS_RS_PHASE", "read")],
    );
}

/// Runs `tests/interop/<script>` against `emulator`; panics with its report and the emulator's log when it
/// fails.
fn run_on(
    python: &Path,
    emulator: &Emulator,
    script: &str,
    signature_version: &str,
    extra_env: &[(&str, &str)],
) {
    let script_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("interop")
        .join(script);
    let mut child = Command::new(python)
        .envs(extra_env.iter().copied())
        .arg(&script_path)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("interop"))
        .env("OSS_RS_ENDPOINT", &emulator.endpoint)
        .env("OSS_RS_VECTOR_ENDPOINT", emulator.vector_endpoint())
        .env("OSS_RS_ACCOUNT_ID", ACCOUNT_ID)
        .env("OSS_RS_REGION", REGION)
        .env("OSS_RS_ACCESS_KEY_ID", ACCESS_KEY_ID)
        .env("OSS_RS_ACCESS_KEY_SECRET", ACCESS_KEY_SECRET)
        .env("OSS_RS_SIGNATURE_VERSION", signature_version)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", python.display()));
    let stdout = capture(child.stdout.take());
    let stderr = capture(child.stderr.take());
    let deadline = Instant::now() + SCRIPT_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(50)),
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let passed = status.is_some_and(|s| s.success());
    if !passed {
        let outcome = match status {
            Some(status) => format!("exited with {status}"),
            None => format!("was killed after {SCRIPT_TIMEOUT:?}"),
        };
        panic!(
            "interop script {script} ({signature_version}, {extra_env:?}) {outcome}\n\
             ---- script stdout ----\n{stdout}\n---- script stderr ----\n{stderr}\n\
             ---- emulator log (last 80 lines) ----\n{}",
            tail(&emulator.log_text(), 80)
        );
    }
    // Known failures pass the test but must stay visible: libtest captures `print!`, not direct writes.
    let known: Vec<&str> = stdout
        .lines()
        .filter(|line| line.starts_with("XFAIL ") || line.starts_with("XPASS "))
        .collect();
    if !known.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "interop {script} ({signature_version}, {extra_env:?}): {} entries of tests/interop/known_failures.txt \
             apply:\n  {}",
            known.len(),
            known.join("\n  ")
        );
    }
    // The whole per-check report shows with `--nocapture`.
    println!("{stdout}");
}

fn capture<R: Read + Send + 'static>(stream: Option<R>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut stream) = stream {
            let mut bytes = Vec::new();
            let _ = stream.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

macro_rules! interop_tests {
    ($($script:literal => $v4:ident, $v1:ident;)*) => {
        $(
            #[test]
            fn $v4() {
                run_script($script, "v4");
            }

            #[test]
            fn $v1() {
                run_script($script, "v1");
            }
        )*

        /// Every script in `tests/interop/` is run by a test in this file.
        #[test]
        fn every_script_is_run() {
            let listed = [$($script,)* "restart.py", "vectors.py"];
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("interop");
            let mut missing = Vec::new();
            for entry in std::fs::read_dir(&dir).expect("reading tests/interop") {
                let name = entry.expect("reading tests/interop").file_name();
                let name = name.to_string_lossy();
                if name.ends_with(".py") && !name.starts_with('_') && !listed.contains(&&*name) {
                    missing.push(name.into_owned());
                }
            }
            assert!(missing.is_empty(), "scripts without a test in interop.rs: {missing:?}");
        }
    };
}

interop_tests! {
    "buckets.py" => buckets_v4, buckets_v1;
    "objects.py" => objects_v4, objects_v1;
    "multipart.py" => multipart_v4, multipart_v1;
    "listing.py" => listing_v4, listing_v1;
    "versioning.py" => versioning_v4, versioning_v1;
    "presign.py" => presign_v4, presign_v1;
    "configs.py" => configs_v4, configs_v1;
    "worm.py" => worm_v4, worm_v1;
    "replication.py" => replication_v4, replication_v1;
    "domains.py" => domains_v4, domains_v1;
    "settings.py" => settings_v4, settings_v1;
    "helpers.py" => helpers_v4, helpers_v1;
    "access_points.py" => access_points_v4, access_points_v1;
    "meta_query.py" => meta_query_v4, meta_query_v1;
    "processing.py" => processing_v4, processing_v1;
}

/// The vectors client signs V4 only (`VectorsSignerV4`): one run.
#[test]
fn vectors_v4() {
    run_script("vectors.py", "v4");
}

#[test]
fn restart_v4() {
    run_restart("v4");
}

#[test]
fn restart_v1() {
    run_restart("v1");
}
