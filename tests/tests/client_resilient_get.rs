//! A plain `get_object` whose body breaks off midway is resumed from the next byte (Range +
//! If-Match on the first response's ETag): the caller reads one unbroken, CRC-checked body,
//! and an object replaced between the pieces ends the stream with an error.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use futures_util::StreamExt as _;
use oss_client::credentials::StaticProvider;
use oss_client::{Client, Config, RetryPolicy};
use oss_emulator::{Emulator, EmulatorConfig, Faults};
use oss_tests::pseudo_random as data;

const BUCKET: &str = "resilient-get";
const CUT: u64 = 40 * 1024;

async fn setup(disk: bool) -> (Emulator, Client, Option<tempfile::TempDir>) {
    let dir = disk.then(|| tempfile::tempdir().unwrap());
    let mut config = EmulatorConfig::new("ak", "sk");
    if let Some(dir) = &dir {
        config = config.data_dir(dir.path());
    }
    let emu = Emulator::start(config).unwrap();
    let client = Client::new(
        Config::builder()
            .region(emu.region())
            .endpoint(emu.endpoint())
            .credentials(StaticProvider::from_keys("ak", "sk"))
            .retry(
                RetryPolicy::default()
                    .max_attempts(4)
                    .base_delay(Duration::from_millis(1))
                    .max_delay(Duration::from_millis(5)),
            )
            .build()
            .unwrap(),
    );
    client.put_bucket().bucket(BUCKET).send().await.unwrap();
    (emu, client, dir)
}

/// Puts `key` in the test bucket.
async fn put(client: &Client, key: &str, body: Vec<u8>) {
    client
        .put_object()
        .bucket(BUCKET)
        .key(key)
        .body(body)
        .send()
        .await
        .unwrap();
}

/// A plain GetObject of `key` in the test bucket: its metadata and its (resuming) body.
async fn get(client: &Client, key: &str) -> (oss_model::GetObjectOutput, oss_client::ByteStream) {
    client
        .get_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .unwrap()
}

fn gets(emu: &Emulator, key: &str) -> usize {
    emu.take_requests()
        .iter()
        .filter(|r| r.starts_with("GET ") && r.contains(key))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_body_is_resumed_and_reads_identical_on_both_stores() {
    for disk in [false, true] {
        let (emu, client, _dir) = setup(disk).await;
        let bytes = data(10 * CUT as usize + 123, 7);
        let body = bytes.clone();
        put(&client, "big", body).await;
        // Every response body longer than 40 KiB is cut after 40 KiB.
        emu.set_faults(Faults::none().with_reset_after_bytes(CUT));
        emu.take_requests();
        let (out, stream) = get(&client, "big").await;
        assert_eq!(out.content_length, Some(bytes.len() as i64));
        let got = stream.collect().await.unwrap();
        assert!(got[..] == bytes[..], "disk={disk}: resumed body differs");
        assert_eq!(
            gets(&emu, "big"),
            11,
            "disk={disk}: one request per 40 KiB piece"
        );

        // A range is resumed within its bounds.
        let (_, stream) = client
            .get_object()
            .bucket(BUCKET)
            .key("big")
            .range("bytes=1000-200999")
            .send()
            .await
            .unwrap();
        let got = stream.collect().await.unwrap();
        assert!(
            got[..] == bytes[1000..201_000],
            "disk={disk}: resumed range differs"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_crc_over_resumed_pieces_is_reported() {
    let (emu, client, _dir) = setup(false).await;
    let bytes = data(3 * CUT as usize, 2);
    put(&client, "crc", bytes).await;
    emu.set_faults(Faults::none().with_reset_after_bytes(CUT).with_wrong_crc());
    let (_, stream) = get(&client, "crc").await;
    let err = stream.collect().await.unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err:?}");
}

/// The CRC-64 of a GetObject body is checked once, by the resuming wrapper: a wrong CRC is
/// still caught on a body that never broke (the transport's stream no longer checks it), the
/// mismatch ends the stream as its one error after all the data, and a range is not checked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_crc_over_an_unbroken_body_is_reported() {
    for disk in [false, true] {
        let (emu, client, _dir) = setup(disk).await;
        let bytes = data(3 * CUT as usize, 5);
        put(&client, "whole", bytes.clone()).await;
        emu.set_faults(Faults::none().with_wrong_crc());
        emu.take_requests();
        let (_, mut stream) = get(&client, "whole").await;
        let mut received = Vec::new();
        let err = loop {
            match stream.next().await {
                Some(Ok(chunk)) => received.extend_from_slice(&chunk),
                Some(Err(err)) => break err,
                None => panic!("disk={disk}: a wrong CRC went unnoticed"),
            }
        };
        assert!(err.is_checksum_mismatch(), "disk={disk}: {err:?}");
        assert!(
            received[..] == bytes[..],
            "disk={disk}: all data came first"
        );
        assert!(stream.next().await.is_none(), "disk={disk}: one error");
        assert_eq!(gets(&emu, "whole"), 1, "disk={disk}: nothing resumed");

        // A range carries no whole-object CRC to check.
        let (_, stream) = client
            .get_object()
            .bucket(BUCKET)
            .key("whole")
            .range("bytes=10-99")
            .send()
            .await
            .unwrap();
        assert!(stream.collect().await.unwrap()[..] == bytes[10..100]);

        // And with the right CRC, the unbroken body passes.
        emu.set_faults(Faults::none());
        let (_, stream) = get(&client, "whole").await;
        assert!(stream.collect().await.unwrap()[..] == bytes[..]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_replaced_between_pieces_ends_the_stream() {
    let (emu, client, _dir) = setup(false).await;
    let bytes = data(4 * CUT as usize, 3);
    put(&client, "replaced", bytes.clone()).await;
    emu.set_faults(Faults::none().with_reset_after_bytes(CUT));
    let (_, mut stream) = get(&client, "replaced").await;
    let first = stream.next().await.unwrap().unwrap();
    assert!(first[..] == bytes[..first.len()]);
    emu.set_faults(Faults::none());
    client
        .put_object()
        .bucket(BUCKET)
        .key("replaced")
        .body(data(4 * CUT as usize, 4))
        .send()
        .await
        .unwrap();
    emu.set_faults(Faults::none().with_reset_after_bytes(CUT));
    let mut received = first.len();
    let err = loop {
        match stream.next().await {
            Some(Ok(chunk)) => {
                assert!(
                    chunk[..] == bytes[received..received + chunk.len()],
                    "data of the new object spliced in"
                );
                received += chunk.len();
            }
            Some(Err(e)) => break e,
            None => panic!("the stream ended without an error"),
        }
    };
    assert_eq!(err.code(), Some("PreconditionFailed"), "{err:?}");
    assert!(received <= CUT as usize);
}
