//! A range read of a 1 GiB object fetches only its range: the emulator (disk store) counts the
//! response body bytes it sends. The object is a sparse file on the emulator's disk (zeros
//! except for a few patterned extents), so nobody writes or sends 1 GiB to set it up.
#![allow(clippy::unwrap_used)] // helpers outside #[test] functions

mod common;

use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt};
use oss_emulator::{Emulator, EmulatorConfig};
use oss_object_store::OssObjectStore;

const SIZE: u64 = 1 << 30;
/// Where the object holds non-zero data: its start, a stretch deep inside, and its end.
const EXTENTS: [(u64, u64); 3] = [
    (0, 8 << 10),
    (800 << 20, 256 << 10),
    (SIZE - (1 << 20), 1 << 20),
];

/// The object's byte at `offset`: a pattern inside the extents, zero elsewhere.
fn byte_at(offset: u64) -> u8 {
    common::patterned_byte(&EXTENTS, offset)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_of_a_1_gib_object_reads_only_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let emulator = Emulator::start(EmulatorConfig::new("ak", "sk").data_dir(dir.path())).unwrap();
    let client = common::client_for(&emulator);
    client.put_bucket().bucket("big").send().await.unwrap();
    common::put_sparse(&emulator, "big", "one-gib", SIZE, &EXTENTS);

    let store = OssObjectStore::new(client, "big", "");
    let path = Path::from("one-gib");
    assert_eq!(store.head(&path).await.unwrap().size, SIZE);

    // A range deep into the object, across the start of an extent (zeros, then data).
    let start = (800 << 20) - 1000;
    let range = start..start + 64 * 1024;
    let before = emulator.body_bytes_sent();
    let data = store.get_range(&path, range.clone()).await.unwrap();
    let sent = emulator.body_bytes_sent() - before;
    assert_eq!(data.len() as u64, range.end - range.start);
    assert_eq!(
        (data[999], data[1000] != 0),
        (0, true),
        "the hole, then the extent"
    );
    for (i, b) in data.iter().enumerate() {
        assert_eq!(*b, byte_at(range.start + i as u64), "byte {i}");
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
    let expected: Vec<u8> = (SIZE - 10..SIZE).map(byte_at).collect();
    assert_eq!(&tail[..], &expected[..]);

    // Coalesced ranges: two nearby ranges are one request of their span, a far one another.
    let before = emulator.body_bytes_sent();
    let ranges = [1000..2000, 3000..4000, SIZE - 100..SIZE];
    let got = store.get_ranges(&path, &ranges).await.unwrap();
    assert_eq!(emulator.body_bytes_sent() - before, 3000 + 100);
    for (r, bytes) in ranges.iter().zip(&got) {
        let expected: Vec<u8> = r.clone().map(byte_at).collect();
        assert_eq!(&bytes[..], &expected[..]);
    }
}
