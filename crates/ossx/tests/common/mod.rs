//! Runs the built `ossx` binary against an in-process emulator.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use oss_client::credentials::StaticProvider;
use oss_client::{Client, Config};
use oss_emulator::{Emulator, EmulatorConfig};

pub const AK: &str = "ossx-test-ak";
pub const SK: &str = "ossx-test-sk";

/// An emulator, a HOME without any configuration, and a scratch folder.
pub struct World {
    pub emulator: Emulator,
    pub home: tempfile::TempDir,
    pub scratch: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
}

/// The result of one run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub raw_stdout: Vec<u8>,
}

impl Run {
    fn from(out: Output) -> Self {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            raw_stdout: out.stdout,
        }
    }

    /// Panics with the output unless the exit code is `code`.
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "exit code {} (wanted {code})\nstdout:\n{}\nstderr:\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    pub fn ok(self) -> Self {
        self.expect(0)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

impl World {
    pub fn new() -> Self {
        Self::with_config(EmulatorConfig::new(AK, SK))
    }

    pub fn with_config(config: EmulatorConfig) -> Self {
        World {
            emulator: Emulator::start(config).unwrap(),
            home: tempfile::tempdir().unwrap(),
            scratch: tempfile::tempdir().unwrap(),
            runtime: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap(),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.scratch.path().join(rel)
    }

    /// `ossx` with no settings but a clean environment (HOME pointing at an empty folder).
    pub fn bare(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ossx"));
        c.env_clear()
            .env("HOME", self.home.path())
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
            .current_dir(self.scratch.path())
            .stdin(Stdio::null());
        c
    }

    /// `ossx` with the emulator's endpoint, region and keys on the command line.
    pub fn cmd(&self) -> Command {
        let mut c = self.bare();
        c.args([
            "--endpoint",
            self.emulator.endpoint(),
            "--region",
            self.emulator.region(),
            "-i",
            AK,
            "-k",
            SK,
        ]);
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd().args(args).output().unwrap())
    }

    pub fn run_with(&self, mut cmd: Command, args: &[&str]) -> Run {
        Run::from(cmd.args(args).output().unwrap())
    }

    /// A client of the emulator, for setting up and checking from outside the binary.
    pub fn client(&self) -> Client {
        Client::new(
            Config::builder()
                .region(self.emulator.region())
                .endpoint(self.emulator.endpoint())
                .credentials(StaticProvider::from_keys(AK, SK))
                .build()
                .unwrap(),
        )
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    pub fn put(&self, bucket: &str, key: &str, data: &[u8]) {
        let client = self.client();
        self.block_on(async {
            client
                .put_object()
                .bucket(bucket)
                .key(key)
                .body(data.to_vec())
                .send()
                .await
                .unwrap();
        });
    }

    pub fn get(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        let client = self.client();
        self.block_on(async {
            match client.get_object().bucket(bucket).key(key).send().await {
                Ok((_, body)) => Some(body.collect().await.unwrap().to_vec()),
                Err(e) if e.is_not_found() => None,
                Err(e) => panic!("{e}"),
            }
        })
    }

    pub fn keys(&self, bucket: &str) -> Vec<String> {
        let client = self.client();
        self.block_on(async {
            let out = client
                .list_objects_v2()
                .bucket(bucket)
                .max_keys(1000)
                .send()
                .await
                .unwrap();
            out.contents.into_iter().map(|o| o.key).collect()
        })
    }

    pub fn mb(&self, bucket: &str) {
        self.run(&["mb", &format!("oss://{bucket}")]).ok();
    }
}

/// Writes `data` to `path`, creating parent folders.
pub fn write(path: &Path, data: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
}

/// Deterministic pseudo-random bytes.
pub fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}
