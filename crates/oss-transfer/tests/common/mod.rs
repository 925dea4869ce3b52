//! Shared helpers: an emulator, a client for it, deterministic data, progress recording.
#![allow(clippy::unwrap_used)]
#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use oss_client::{Client, Config, RetryPolicy, credentials::StaticProvider};
use oss_emulator::{Emulator, EmulatorConfig};
use oss_transfer::{Progress, ProgressFn};

pub const BUCKET: &str = "transfer-bucket";
pub const KB: u64 = 1024;
/// The smallest part OSS accepts, used to keep many-part tests small.
pub const PART: u64 = 100 * KB;

pub fn client_for(emu: &Emulator) -> Client {
    Client::new(
        Config::builder()
            .region(emu.region())
            .endpoint(emu.endpoint())
            .credentials(StaticProvider::from_keys(
                emu.access_key_id(),
                emu.access_key_secret(),
            ))
            .retry(
                RetryPolicy::default()
                    .max_attempts(10)
                    .base_delay(Duration::from_millis(2))
                    .max_delay(Duration::from_millis(20)),
            )
            .build()
            .expect("config"),
    )
}

pub async fn setup() -> (Emulator, Client) {
    setup_with(EmulatorConfig::new("ak", "sk")).await
}

/// [`setup`] with the emulator's disk store in `dir` (where a multipart object's data stays
/// in its parts' files).
pub async fn setup_on_disk(dir: &std::path::Path) -> (Emulator, Client) {
    setup_with(EmulatorConfig::new("ak", "sk").data_dir(dir)).await
}

async fn setup_with(config: EmulatorConfig) -> (Emulator, Client) {
    let emu = Emulator::start(config).expect("emulator");
    let client = client_for(&emu);
    client
        .put_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("bucket");
    (emu, client)
}

/// `len` bytes of a fixed pseudo-random sequence (not a repeating pattern, so a misplaced
/// range is visible).
pub fn data(len: u64, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

pub fn put_input(key: &str) -> oss_model::PutObjectInput {
    oss_model::PutObjectInput::builder()
        .bucket(BUCKET)
        .key(key)
        .build()
        .expect("input")
}

pub fn get_input(key: &str) -> oss_model::GetObjectInput {
    oss_model::GetObjectInput::builder()
        .bucket(BUCKET)
        .key(key)
        .build()
        .expect("input")
}

pub async fn object(client: &Client, key: &str) -> Vec<u8> {
    let (_, body) = client
        .get_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .expect("get");
    body.collect().await.expect("body").to_vec()
}

/// A progress callback recording every report.
pub fn recorder() -> (ProgressFn, Arc<Mutex<Vec<Progress>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    (Arc::new(move |p| log.lock().unwrap().push(p)), seen)
}

/// Asserts the reports are monotonic, never above the total, and end exactly at `total`.
pub fn assert_progress(seen: &Mutex<Vec<Progress>>, total: u64) {
    let seen = seen.lock().unwrap();
    assert!(!seen.is_empty(), "no progress reported");
    for w in seen.windows(2) {
        assert!(
            w[1].transferred >= w[0].transferred,
            "progress went back: {:?} then {:?}",
            w[0],
            w[1]
        );
    }
    for p in seen.iter() {
        if let Some(t) = p.total {
            assert_eq!(t, total, "wrong total in {p:?}");
            assert!(p.transferred <= t, "progress above the total: {p:?}");
        }
    }
    let last = seen.last().unwrap();
    assert_eq!(last.transferred, total, "progress ended at {last:?}");
    assert_eq!(last.total, Some(total));
}

/// How many logged requests contain all of `needles`.
pub fn count(requests: &[String], needles: &[&str]) -> usize {
    requests
        .iter()
        .filter(|r| needles.iter().all(|n| r.contains(n)))
        .count()
}
