//! A range read of a 1 GiB object fetches only its range: the emulator (disk store) counts the
//! response body bytes it sends. The object is assembled server-side with UploadPartCopy from
//! one 8 MiB source, so the test sends 8 MiB, not 1 GiB, and nothing holds 1 GiB in memory.
#![allow(clippy::unwrap_used)] // helpers outside #[test] functions

use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt};
use oss_client::credentials::StaticProvider;
use oss_client::{Client, Config};
use oss_emulator::{Emulator, EmulatorConfig};
use oss_object_store::OssObjectStore;

const SOURCE: u64 = 8 << 20;
const PARTS: u64 = 128;
const SIZE: u64 = SOURCE * PARTS;

/// The source's byte at `offset`: a pattern no two nearby ranges share.
fn byte_at(offset: u64) -> u8 {
    (offset.wrapping_mul(2_654_435_761) >> 13) as u8
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_of_a_1_gib_object_reads_only_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let emulator = Emulator::start(EmulatorConfig::new("ak", "sk").data_dir(dir.path())).unwrap();
    let client = Client::new(
        Config::builder()
            .region(emulator.region())
            .endpoint(emulator.endpoint())
            .credentials(StaticProvider::from_keys("ak", "sk"))
            // Completing the 1 GiB upload writes 1 GiB on the emulator's disk: no read limit,
            // so a slow disk does not turn into a retried (and then unknown) upload.
            .read_timeout(None)
            .build()
            .unwrap(),
    );
    client.put_bucket().bucket("big").send().await.unwrap();
    let source: Vec<u8> = (0..SOURCE).map(byte_at).collect();
    client
        .put_object()
        .bucket("big")
        .key("source")
        .body(source)
        .send()
        .await
        .unwrap();
    let upload = client
        .initiate_multipart_upload()
        .bucket("big")
        .key("one-gib")
        .send()
        .await
        .unwrap()
        .upload_id;
    let mut parts = Vec::new();
    for n in 1..=PARTS as i64 {
        let out = client
            .upload_part_copy()
            .bucket("big")
            .key("one-gib")
            .upload_id(&upload)
            .part_number(n)
            .copy_source(oss_model::CopySource::new("big", "source"))
            .send()
            .await
            .unwrap();
        parts.push(oss_model::CompletedPart {
            part_number: n,
            etag: out.etag.unwrap(),
        });
    }
    client
        .complete_multipart_upload()
        .bucket("big")
        .key("one-gib")
        .upload_id(&upload)
        .parts(oss_model::CompleteMultipartUpload { parts })
        .send()
        .await
        .unwrap();

    let store = OssObjectStore::new(client, "big", "");
    let path = Path::from("one-gib");
    assert_eq!(store.head(&path).await.unwrap().size, SIZE);

    // A range across a part boundary, deep into the object.
    let start = 100 * SOURCE - 1000;
    let range = start..start + 64 * 1024;
    let before = emulator.body_bytes_sent();
    let data = store.get_range(&path, range.clone()).await.unwrap();
    let sent = emulator.body_bytes_sent() - before;
    assert_eq!(data.len() as u64, range.end - range.start);
    for (i, b) in data.iter().enumerate() {
        assert_eq!(*b, byte_at((range.start + i as u64) % SOURCE), "byte {i}");
    }
    assert_eq!(
        sent,
        range.end - range.start,
        "the emulator sent only the range"
    );

    // The last bytes, as a suffix, with the full size reported.
    let before = emulator.body_bytes_sent();
    let tail = store
        .get_opts(
            &path,
            GetOptions::new().with_range(Some(GetRange::Suffix(10))),
        )
        .await
        .unwrap();
    assert_eq!(tail.meta.size, SIZE);
    assert_eq!(tail.range, SIZE - 10..SIZE);
    let tail = tail.bytes().await.unwrap();
    assert_eq!(emulator.body_bytes_sent() - before, 10);
    let expected: Vec<u8> = (SOURCE - 10..SOURCE).map(byte_at).collect();
    assert_eq!(&tail[..], &expected[..]);

    // Coalesced ranges: two nearby ranges are one request of their span, a far one another.
    let before = emulator.body_bytes_sent();
    let ranges = [1000..2000, 3000..4000, SIZE - 100..SIZE];
    let got = store.get_ranges(&path, &ranges).await.unwrap();
    assert_eq!(emulator.body_bytes_sent() - before, 3000 + 100);
    for (r, bytes) in ranges.iter().zip(&got) {
        let expected: Vec<u8> = r.clone().map(|o| byte_at(o % SOURCE)).collect();
        assert_eq!(&bytes[..], &expected[..]);
    }
}
