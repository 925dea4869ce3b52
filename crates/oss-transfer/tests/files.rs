//! The file-like objects against the emulator: a read-only file serving random seeks and reads,
//! prefetching for a sequential reader, refusing a replaced object and a wrong CRC; an
//! append-only file that opens at the object's length, applies creation options only on
//! creation, and survives a retried append whose first attempt landed.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::SeekFrom;
use std::time::Duration;

use common::*;
use oss_emulator::Faults;
use oss_transfer::{AppendOnlyFile, Error, ReadOnlyFile};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

const CHUNK: u64 = 64 * KB;

async fn put(client: &oss_client::Client, key: &str, bytes: &[u8]) {
    client
        .put_object()
        .bucket(BUCKET)
        .key(key)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
}

fn gets_of(requests: &[String], key: &str) -> usize {
    requests
        .iter()
        .filter(|r| r.starts_with("GET ") && r.contains(key))
        .count()
}

fn transfer_error(e: &std::io::Error) -> &Error {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<Error>())
        .unwrap_or_else(|| panic!("not a transfer error: {e:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_file_serves_random_seeks_and_reads_identical_to_the_data() {
    let (_emu, client) = setup().await;
    let size = 16 * CHUNK + 13;
    let bytes = data(size, 5);
    put(&client, "random", &bytes).await;
    let mut file = ReadOnlyFile::options(client.clone())
        .chunk_size(CHUNK)
        .prefetch_chunks(2)
        .open(get_input("random"))
        .await
        .unwrap();
    assert_eq!(file.len(), size);
    assert_eq!(
        file.stat().content_length,
        Some(i64::try_from(size).unwrap())
    );
    assert!(file.etag().is_some());

    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for round in 0..300 {
        let offset = next() % (size + 10);
        let len = next() % (2 * CHUNK + 7);
        let at = match round % 3 {
            0 => file.seek(SeekFrom::Start(offset)).await.unwrap(),
            1 => {
                let back = i64::try_from(size).unwrap() - i64::try_from(offset).unwrap();
                file.seek(SeekFrom::End(-back)).await.unwrap()
            }
            _ => {
                let here = i64::try_from(file.position()).unwrap();
                let delta = i64::try_from(offset).unwrap() - here;
                file.seek(SeekFrom::Current(delta)).await.unwrap()
            }
        };
        assert_eq!(at, offset);
        let mut got = Vec::new();
        (&mut file).take(len).read_to_end(&mut got).await.unwrap();
        let start = usize::try_from(offset.min(size)).unwrap();
        let end = usize::try_from((offset + len).min(size)).unwrap();
        assert!(
            got == bytes[start..end],
            "round {round}: {len} bytes at {offset} differ"
        );
    }
    // A seek before the start is refused; positional reads leave the position alone.
    assert!(file.seek(SeekFrom::Current(-(1 << 40))).await.is_err());
    let here = file.position();
    let piece = file.read_at(3 * CHUNK - 5, 10).await.unwrap();
    assert_eq!(
        &piece[..],
        &bytes[usize::try_from(3 * CHUNK - 5).unwrap()..usize::try_from(3 * CHUNK + 5).unwrap()]
    );
    assert_eq!(file.position(), here);
    assert!(file.read_at(size, 10).await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sequential_reader_is_prefetched_for_and_each_chunk_is_fetched_once() {
    let (emu, client) = setup().await;
    let chunks = 12;
    let bytes = data(chunks * CHUNK, 9);
    put(&client, "sequential", &bytes).await;
    let mut file = ReadOnlyFile::options(client.clone())
        .chunk_size(CHUNK)
        .prefetch_chunks(3)
        .open(get_input("sequential"))
        .await
        .unwrap();
    emu.take_requests();

    // Three chunks read in order make the reader sequential: the next three are fetched
    // before it asks for them.
    let mut first = vec![0u8; usize::try_from(3 * CHUNK).unwrap()];
    file.read_exact(&mut first).await.unwrap();
    assert!(first[..] == bytes[..first.len()]);
    let mut waited = 0;
    while gets_of(&emu.requests(), "sequential") < 6 {
        assert!(waited < 500, "no prefetch: {:?}", emu.requests());
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += 1;
    }

    let mut rest = Vec::new();
    file.read_to_end(&mut rest).await.unwrap();
    assert!(rest[..] == bytes[first.len()..]);
    assert_eq!(
        gets_of(&emu.take_requests(), "sequential"),
        usize::try_from(chunks).unwrap(),
        "each chunk fetched exactly once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_file_refuses_an_object_replaced_under_it_and_a_wrong_crc() {
    let (emu, client) = setup().await;
    let bytes = data(8 * CHUNK, 3);
    put(&client, "replaced", &bytes).await;
    let mut file = ReadOnlyFile::options(client.clone())
        .chunk_size(CHUNK)
        .prefetch_chunks(0)
        .open(get_input("replaced"))
        .await
        .unwrap();
    let mut head = vec![0u8; 100];
    file.read_exact(&mut head).await.unwrap();
    assert!(head[..] == bytes[..100]);

    put(&client, "replaced", &data(8 * CHUNK, 4)).await;
    file.seek(SeekFrom::Start(5 * CHUNK)).await.unwrap();
    let err = file.read_exact(&mut head).await.unwrap_err();
    assert!(
        matches!(transfer_error(&err), Error::ObjectChanged { .. }),
        "{err:?}"
    );
    let err = file.read_at(0, 10).await.unwrap_err();
    assert!(matches!(err, Error::ObjectChanged { .. }), "{err:?}");

    // A wrong CRC-64 is caught by a reader that went through the whole object in order.
    put(&client, "crc", &bytes).await;
    emu.set_faults(Faults::none().with_wrong_crc());
    let mut file = ReadOnlyFile::options(client.clone())
        .chunk_size(CHUNK)
        .open(get_input("crc"))
        .await
        .unwrap();
    let mut all = Vec::new();
    let err = file.read_to_end(&mut all).await.unwrap_err();
    assert!(transfer_error(&err).is_integrity_error(), "{err:?}");

    // A range or a process is not a file.
    let mut ranged = get_input("crc");
    ranged.range = Some("bytes=0-9".into());
    let err = ReadOnlyFile::open(client.clone(), ranged)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    let err = ReadOnlyFile::open(client, get_input("absent"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Client(c) if c.is_not_found()),
        "{err:?}"
    );
}

fn append_input(key: &str) -> oss_model::AppendObjectInput {
    oss_model::AppendObjectInput::builder()
        .bucket(BUCKET)
        .key(key)
        .position(0)
        .content_type("text/x-log")
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn append_only_file_opens_at_the_length_and_applies_creation_options_once() {
    let (emu, client) = setup().await;
    let bytes = data(5 * 100 * KB + 17, 8);
    let (cb, seen) = recorder();
    let mut file = AppendOnlyFile::options(client.clone())
        .buffer_size(usize::try_from(100 * KB).unwrap())
        .progress(cb)
        .open(append_input("log"))
        .await
        .unwrap();
    assert_eq!(file.position(), 0);
    let half = bytes.len() / 2;
    for piece in bytes[..half].chunks(7 * 1024) {
        file.write_all(piece).await.unwrap();
    }
    file.shutdown().await.unwrap();
    assert_eq!(file.position(), u64::try_from(half).unwrap());
    assert_progress(&seen, u64::try_from(half).unwrap());
    let appends = count(&emu.take_requests(), &["POST", "append"]);
    assert_eq!(
        appends,
        half.div_ceil(100 * 1024),
        "one append per full buffer"
    );

    // Reopened with other creation options: it continues at the length and keeps the first.
    let mut other = append_input("log");
    other.content_type = Some("application/octet-stream".into());
    let mut file = AppendOnlyFile::open(client.clone(), other).await.unwrap();
    assert_eq!(file.position(), u64::try_from(half).unwrap());
    file.write_all(&bytes[half..]).await.unwrap();
    file.flush().await.unwrap();
    file.shutdown().await.unwrap();
    assert!(object(&client, "log").await == bytes);
    let head = client
        .head_object()
        .bucket(BUCKET)
        .key("log")
        .send()
        .await
        .unwrap();
    assert_eq!(head.content_type.as_deref(), Some("text/x-log"));
    assert_eq!(head.object_type, Some(oss_model::ObjectType::Appendable));

    // A normal object cannot be appended to.
    put(&client, "normal", b"x").await;
    let err = AppendOnlyFile::open(client, append_input("normal"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn append_only_file_survives_a_retried_append_whose_first_attempt_landed() {
    let (emu, client) = setup().await;
    let mut file = AppendOnlyFile::open(client.clone(), append_input("retried"))
        .await
        .unwrap();
    file.write_all(b"first;").await.unwrap();
    file.flush().await.unwrap();

    // The next append is committed and its answer lost (503): the client retries it, and
    // OSS refuses the retry with PositionNotEqualToLength.
    emu.take_requests();
    emu.set_faults(Faults::none().with_lost_responses(1));
    file.write_all(b"second;").await.unwrap();
    file.flush().await.unwrap();
    assert_eq!(
        count(&emu.take_requests(), &["POST", "position=6"]),
        2,
        "the append was sent twice"
    );
    file.write_all(b"third").await.unwrap();
    file.shutdown().await.unwrap();
    assert_eq!(object(&client, "retried").await, b"first;second;third");

    // Another writer appending in between is an error, not a silent interleave.
    let mut file = AppendOnlyFile::open(client.clone(), append_input("retried"))
        .await
        .unwrap();
    client
        .append_object()
        .bucket(BUCKET)
        .key("retried")
        .position(18)
        .body("!")
        .send()
        .await
        .unwrap();
    file.write_all(b"late").await.unwrap();
    let err = file.flush().await.unwrap_err();
    assert!(
        matches!(transfer_error(&err), Error::ObjectChanged { .. }),
        "{err:?}"
    );
    assert!(
        file.write_all(b"more").await.is_err(),
        "a failed file stays failed"
    );
    assert_eq!(object(&client, "retried").await, b"first;second;third!");
}
