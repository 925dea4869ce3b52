//! Copies of an object over CopyObject's 1 GB limit: the emulator (disk store) refuses
//! CopyObject for it as OSS does, and the adapter falls back to a multipart copy of
//! UploadPartCopy parts (oss-transfer's Copier), for `copy`, `copy_if_not_exists` and
//! `rename`. The source is a sparse file on the emulator's disk (zeros except for a few
//! patterned extents), so nobody writes 1 GiB to set it up, and the emulator keeps the holes
//! when copying. A small copy stays one CopyObject request.
#![allow(clippy::unwrap_used)] // helpers outside #[test] functions

mod common;

use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use oss_client::Client;
use oss_emulator::{Emulator, EmulatorConfig};
use oss_object_store::OssObjectStore;

/// Just over 1 GiB: CopyObject refuses it.
const SIZE: u64 = (1 << 30) + (3 << 20) + 17;
/// Where the object holds non-zero data: its start, a stretch deep inside (across a part
/// boundary of the 64 MiB parts), and its end.
const EXTENTS: [(u64, u64); 3] = [
    (0, 8 << 10),
    ((640 << 20) - (100 << 10), 256 << 10),
    (SIZE - (1 << 20), 1 << 20),
];

/// The object's byte at `offset`: a pattern inside the extents, zero elsewhere.
fn byte_at(offset: u64) -> u8 {
    common::patterned_byte(&EXTENTS, offset)
}

async fn crc_of(client: &Client, key: &str) -> String {
    client
        .head_object()
        .bucket("big")
        .key(key)
        .send()
        .await
        .unwrap()
        .hash_crc64ecma
        .unwrap()
}

/// `path` is a full copy of the source: size, a few ranges (extents, holes, the edges of
/// parts, the end), and the CRC-64 OSS reports.
async fn assert_copy_of_source(store: &OssObjectStore, client: &Client, path: &Path, crc: &str) {
    assert_eq!(store.head(path).await.unwrap().size, SIZE, "{path}");
    let ranges = [
        0..10_000,
        (64 << 20) - 10..(64 << 20) + 10,
        (640 << 20) - (101 << 10)..(640 << 20) + (200 << 10),
        (1 << 30) - 5..(1 << 30) + 5,
        SIZE - (1 << 20) - 3..SIZE,
    ];
    let got = store.get_ranges(path, &ranges).await.unwrap();
    for (r, bytes) in ranges.iter().zip(&got) {
        let expected: Vec<u8> = r.clone().map(byte_at).collect();
        assert!(bytes[..] == expected[..], "{path}: range {r:?} differs");
    }
    assert_eq!(crc_of(client, path.as_ref()).await, crc, "{path}: CRC-64");
}

/// The requests of a copy: CopyObject refused, then the multipart copy.
fn assert_fell_back(emulator: &Emulator, what: &str) {
    let requests = emulator.take_requests();
    let part_copies = requests
        .iter()
        .filter(|r| r.starts_with("PUT ") && r.contains("partNumber="))
        .count();
    let completes = requests
        .iter()
        .filter(|r| r.starts_with("POST ") && r.contains("uploadId="))
        .count();
    assert_eq!(
        (part_copies, completes),
        (17, 1),
        "{what}: 17 parts of 64 MiB, one completion: {requests:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_over_the_copy_object_limit_are_multipart() {
    let dir = tempfile::tempdir().unwrap();
    let emulator = Emulator::start(EmulatorConfig::new("ak", "sk").data_dir(dir.path())).unwrap();
    let client = common::client_for(&emulator);
    client.put_bucket().bucket("big").send().await.unwrap();
    common::put_sparse(&emulator, "big", "src", SIZE, &EXTENTS);
    let crc = crc_of(&client, "src").await;

    // CopyObject itself refuses the source, as OSS does over 1 GB.
    let refused = client
        .copy_object()
        .bucket("big")
        .key("direct")
        .copy_source(oss_model::CopySource::new("big", "src"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        refused
            .service_error()
            .map(|s| (s.status.as_u16(), s.code.as_str())),
        Some((400, "EntityTooLarge")),
        "{refused:?}"
    );

    let store = OssObjectStore::new(client.clone(), "big", "");
    let src = Path::from("src");
    emulator.take_requests();

    store.copy(&src, &Path::from("copy")).await.unwrap();
    assert_fell_back(&emulator, "copy");
    assert_copy_of_source(&store, &client, &Path::from("copy"), &crc).await;

    store
        .copy_if_not_exists(&src, &Path::from("fresh"))
        .await
        .unwrap();
    assert_fell_back(&emulator, "copy_if_not_exists");
    assert_copy_of_source(&store, &client, &Path::from("fresh"), &crc).await;

    // Onto an existing key: refused, and the existing object is untouched.
    client
        .put_object()
        .bucket("big")
        .key("taken")
        .body(&b"keep me"[..])
        .send()
        .await
        .unwrap();
    let err = store
        .copy_if_not_exists(&src, &Path::from("taken"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, object_store::Error::AlreadyExists { ref path, .. } if path == "taken"),
        "{err:?}"
    );
    let kept = store.get(&Path::from("taken")).await.unwrap().bytes().await;
    assert_eq!(&kept.unwrap()[..], b"keep me");
    let uploads = client
        .list_multipart_uploads()
        .bucket("big")
        .send()
        .await
        .unwrap();
    assert!(uploads.uploads.is_empty(), "no upload left behind");

    emulator.take_requests();
    store.rename(&src, &Path::from("moved")).await.unwrap();
    assert_fell_back(&emulator, "rename");
    assert_copy_of_source(&store, &client, &Path::from("moved"), &crc).await;
    assert!(matches!(
        store.head(&src).await.unwrap_err(),
        object_store::Error::NotFound { .. }
    ));

    // A missing source is NotFound against the source path.
    let err = store
        .copy(&Path::from("nothing"), &Path::from("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, object_store::Error::NotFound { ref path, .. } if path == "nothing"),
        "{err:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_copy_is_one_request() {
    let emulator = Emulator::start(EmulatorConfig::new("ak", "sk")).unwrap();
    let client = common::client_for(&emulator);
    client.put_bucket().bucket("big").send().await.unwrap();
    let store = OssObjectStore::new(client, "big", "");
    store
        .put(&Path::from("a"), vec![7u8; 300_000].into())
        .await
        .unwrap();
    emulator.take_requests();
    store
        .copy(&Path::from("a"), &Path::from("b"))
        .await
        .unwrap();
    store
        .copy_if_not_exists(&Path::from("a"), &Path::from("c"))
        .await
        .unwrap();
    let requests = emulator.take_requests();
    assert_eq!(requests.len(), 2, "one CopyObject each: {requests:?}");
    assert_eq!(
        &store
            .get(&Path::from("c"))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()[..],
        &[7u8; 300_000][..]
    );
}

/// The multipart path's `copy_if_not_exists` rests on CompleteMultipartUpload honouring
/// `x-oss-forbid-overwrite`: a key taken after the upload started is not overwritten.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complete_with_forbid_overwrite_refuses_a_key_taken_meanwhile() {
    let emulator = Emulator::start(EmulatorConfig::new("ak", "sk")).unwrap();
    let client = common::client_for(&emulator);
    client.put_bucket().bucket("big").send().await.unwrap();
    let upload_id = client
        .initiate_multipart_upload()
        .bucket("big")
        .key("k")
        .forbid_overwrite(true)
        .send()
        .await
        .unwrap()
        .upload_id;
    let part = client
        .upload_part()
        .bucket("big")
        .key("k")
        .upload_id(&upload_id)
        .part_number(1)
        .body(vec![1u8; 1000])
        .send()
        .await
        .unwrap();
    client
        .put_object()
        .bucket("big")
        .key("k")
        .body(&b"first"[..])
        .send()
        .await
        .unwrap();
    let err = client
        .complete_multipart_upload()
        .bucket("big")
        .key("k")
        .upload_id(&upload_id)
        .parts(oss_model::CompleteMultipartUpload {
            parts: vec![oss_model::CompletedPart {
                part_number: 1,
                etag: part.etag.unwrap(),
            }],
        })
        .forbid_overwrite(true)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FileAlreadyExists"), "{err:?}");
    let (_, body) = client
        .get_object()
        .bucket("big")
        .key("k")
        .send()
        .await
        .unwrap();
    assert_eq!(&body.collect().await.unwrap()[..], b"first");
}
