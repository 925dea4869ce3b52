//! Uploader, downloader and copier round trips against the emulator: every size class, a
//! stream of unknown length, progress, options passing through.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use oss_transfer::{Copier, Downloader, Uploader};

/// 0 bytes, 1 byte, exactly one part, one part + 1, and 101 parts.
const SIZES: [u64; 5] = [0, 1, PART, PART + 1, 100 * PART + 7];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_of_every_size_round_trip_through_uploader_downloader_and_copier() {
    let (_emu, client) = setup().await;
    round_trip_every_size(&client, PART, PART).await;
}

/// The same on the disk store, where a completed upload's data stays in its parts' files:
/// ranges of another size than the parts cross from one part's file into the next, and
/// copies (UploadPartCopy and CopyObject) read across them too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_of_every_size_round_trip_on_the_disk_store() {
    let data_dir = tempfile::tempdir().unwrap();
    let (_emu, client) = setup_on_disk(data_dir.path()).await;
    round_trip_every_size(&client, PART / 3 + 5, PART + 4097).await;
    for &size in &SIZES {
        let copy_key = format!("whole-copy-{size}");
        let input = oss_model::CopyObjectInput::builder()
            .bucket(BUCKET)
            .key(&copy_key)
            .copy_source(oss_model::CopySource::new(BUCKET, format!("obj-{size}")))
            .build()
            .unwrap();
        let copied = Copier::new(client.clone())
            .shallow_copy(false)
            .copy(input)
            .await
            .unwrap();
        assert_eq!(copied.parts, 0, "one CopyObject for {size}");
        assert_eq!(
            object(&client, &copy_key).await,
            object(&client, &format!("obj-{size}")).await,
            "copied whole {size}"
        );
    }
}

/// Uploads in parts of [`PART`], downloads in ranges of `range_size`, copies in parts of
/// `copy_part`.
async fn round_trip_every_size(client: &oss_client::Client, range_size: u64, copy_part: u64) {
    let client = client.clone();
    let dir = tempfile::tempdir().unwrap();
    for (i, &size) in SIZES.iter().enumerate() {
        let src = dir.path().join(format!("src-{size}"));
        let bytes = data(size, i as u64 + 1);
        std::fs::write(&src, &bytes).unwrap();
        let key = format!("obj-{size}");

        let (cb, seen) = recorder();
        let up = Uploader::new(client.clone())
            .part_size(PART)
            .parallelism(4)
            .progress(cb)
            .upload_file(put_input(&key), &src)
            .await
            .unwrap();
        assert_eq!(up.size, size);
        let expected_parts = if size < PART { 0 } else { size.div_ceil(PART) };
        assert_eq!(u64::from(up.parts), expected_parts, "parts for {size}");
        assert_eq!(up.crc64, Some(oss_proto::crc::checksum(&bytes)));
        assert_progress(&seen, size);
        assert_eq!(object(&client, &key).await, bytes, "uploaded {size}");

        let dest = dir.path().join(format!("dest-{size}"));
        let (cb, seen) = recorder();
        let down = Downloader::new(client.clone())
            .range_size(range_size)
            .parallelism(4)
            .progress(cb)
            .download_file(get_input(&key), &dest)
            .await
            .unwrap();
        assert_eq!(down.size, size);
        assert_eq!(std::fs::read(&dest).unwrap(), bytes, "downloaded {size}");
        assert!(!Downloader::temp_path(&dest).exists());
        assert_progress(&seen, size);

        // Multipart copy from one part up (threshold = part size).
        let copy_key = format!("copy-{size}");
        let input = oss_model::CopyObjectInput::builder()
            .bucket(BUCKET)
            .key(&copy_key)
            .copy_source(oss_model::CopySource::new(BUCKET, &key))
            .build()
            .unwrap();
        let (cb, seen) = recorder();
        let copied = Copier::new(client.clone())
            .threshold(PART)
            .part_size(copy_part)
            .shallow_copy(false)
            .progress(cb)
            .copy(input)
            .await
            .unwrap();
        assert_eq!(copied.size, size);
        let expected_copy_parts = if size < PART {
            0
        } else {
            size.div_ceil(copy_part)
        };
        assert_eq!(u64::from(copied.parts), expected_copy_parts);
        assert_eq!(object(&client, &copy_key).await, bytes, "copied {size}");
        assert_progress(&seen, size);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_of_unknown_length_round_trip() {
    let (_emu, client) = setup().await;
    for (i, size) in [0, 1, PART - 1, PART, 3 * PART + 5].into_iter().enumerate() {
        let bytes = data(size, 40 + i as u64);
        // Odd chunk sizes, so parts never align with chunks.
        let chunks: Vec<std::io::Result<bytes::Bytes>> = bytes
            .chunks(7777)
            .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
            .collect();
        let key = format!("stream-{size}");
        let (cb, seen) = recorder();
        let out = Uploader::new(client.clone())
            .part_size(PART)
            .progress(cb)
            .upload_stream(put_input(&key), futures_util::stream::iter(chunks), None)
            .await
            .unwrap();
        assert_eq!(out.size, size);
        assert_eq!(object(&client, &key).await, bytes);
        assert_progress(&seen, size);

        // An AsyncRead whose length is declared wrongly is refused.
        let reader = std::io::Cursor::new(bytes.clone());
        let err = Uploader::new(client.clone())
            .part_size(PART)
            .upload_reader(put_input("wrong-len"), reader, Some(size + 1))
            .await
            .unwrap_err();
        assert!(
            matches!(err, oss_transfer::Error::SourceChanged { .. }),
            "{err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_pass_through_to_single_and_multipart_uploads() {
    let (_emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    for size in [10, 2 * PART] {
        let src = dir.path().join("src");
        std::fs::write(&src, data(size, 9)).unwrap();
        let key = format!("opts-{size}");
        let input = oss_model::PutObjectInput::builder()
            .bucket(BUCKET)
            .key(&key)
            .content_type("text/x-test")
            .cache_control("no-cache")
            .metadata([("owner".to_string(), "me".to_string())].into())
            .tagging("a=1&b=2")
            .build()
            .unwrap();
        Uploader::new(client.clone())
            .part_size(PART)
            .upload_file(input, &src)
            .await
            .unwrap();
        let head = client
            .head_object()
            .bucket(BUCKET)
            .key(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(head.content_type.as_deref(), Some("text/x-test"), "{size}");
        assert_eq!(head.cache_control.as_deref(), Some("no-cache"));
        assert_eq!(head.metadata.get("owner").map(String::as_str), Some("me"));
        let tags = client
            .get_object_tagging()
            .bucket(BUCKET)
            .key(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(tags.tag_set.tags.len(), 2, "{size}");

        // forbid_overwrite passes through too: a second upload is refused.
        let input = oss_model::PutObjectInput::builder()
            .bucket(BUCKET)
            .key(&key)
            .forbid_overwrite(true)
            .build()
            .unwrap();
        let err = Uploader::new(client.clone())
            .part_size(PART)
            .upload_file(input, &src)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("FileAlreadyExists"), "{size}: {err}");
    }
    // A failed multipart upload was aborted: nothing is left in progress.
    let uploads = client
        .list_multipart_uploads()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    assert!(uploads.uploads.is_empty(), "{:?}", uploads.uploads);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copier_preserves_or_replaces_metadata_and_tags() {
    let (_emu, client) = setup().await;
    let src = data(3 * PART, 5);
    client
        .put_object()
        .bucket(BUCKET)
        .key("src")
        .content_type("image/x-src")
        .metadata([("m".to_string(), "src".to_string())].into())
        .tagging("t=src")
        .body(src.clone())
        .send()
        .await
        .unwrap();
    for (threshold, replace) in [
        (u64::MAX, false),
        (PART, false),
        (u64::MAX, true),
        (PART, true),
    ] {
        let key = format!("dst-{threshold}-{replace}");
        let mut b = oss_model::CopyObjectInput::builder()
            .bucket(BUCKET)
            .key(&key)
            .copy_source(oss_model::CopySource::new(BUCKET, "src"));
        if replace {
            b = b
                .metadata_directive(oss_model::MetadataDirective::Replace)
                .tagging_directive(oss_model::TaggingDirective::Replace)
                .content_type("text/x-new")
                .metadata([("m".to_string(), "new".to_string())].into())
                .tagging("t=new");
        }
        Copier::new(client.clone())
            .threshold(threshold)
            .part_size(PART)
            .shallow_copy(false)
            .copy(b.build().unwrap())
            .await
            .unwrap();
        assert_eq!(object(&client, &key).await, src);
        let head = client
            .head_object()
            .bucket(BUCKET)
            .key(&key)
            .send()
            .await
            .unwrap();
        let want = if replace { "new" } else { "src" };
        assert_eq!(
            head.metadata.get("m").map(String::as_str),
            Some(want),
            "{key}"
        );
        let ct = if replace { "text/x-new" } else { "image/x-src" };
        assert_eq!(head.content_type.as_deref(), Some(ct), "{key}");
        let tags = client
            .get_object_tagging()
            .bucket(BUCKET)
            .key(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(tags.tag_set.tags.len(), 1, "{key}");
        assert_eq!(tags.tag_set.tags[0].value.as_deref(), Some(want), "{key}");
    }
}

/// Above the threshold, a copy within one bucket is one CopyObject (a shallow copy); across
/// buckets, or when that CopyObject is slower than the shallow-copy timeout, it is by parts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_copies_within_a_bucket_are_shallow_and_fall_back_to_parts() {
    let (emu, client) = setup().await;
    let size = 3 * PART + 1;
    let bytes = data(size, 91);
    client
        .put_object()
        .bucket(BUCKET)
        .key("big")
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    client
        .put_bucket()
        .bucket("other-bucket")
        .send()
        .await
        .unwrap();
    let copy = |bucket: &str, key: &str| {
        oss_model::CopyObjectInput::builder()
            .bucket(bucket)
            .key(key)
            .copy_source(oss_model::CopySource::new(BUCKET, "big"))
            .build()
            .unwrap()
    };
    let copier = Copier::new(client.clone()).threshold(PART).part_size(PART);
    let part_copies = |requests: &[String]| {
        requests
            .iter()
            .filter(|r| r.starts_with("PUT ") && r.contains("partNumber="))
            .count()
    };

    emu.take_requests();
    let out = copier.copy(copy(BUCKET, "shallow")).await.unwrap();
    assert_eq!((out.size, out.parts), (size, 0));
    let requests = emu.take_requests();
    assert_eq!(part_copies(&requests), 0, "{requests:?}");
    assert!(
        requests
            .iter()
            .any(|r| r == &format!("PUT /{BUCKET}/shallow")),
        "{requests:?}"
    );
    assert_eq!(object(&client, "shallow").await, bytes);

    let out = copier.copy(copy("other-bucket", "by-parts")).await.unwrap();
    assert_eq!(out.parts, 4);
    assert_eq!(part_copies(&emu.take_requests()), 4);
    let (_, body) = client
        .get_object()
        .bucket("other-bucket")
        .key("by-parts")
        .send()
        .await
        .unwrap();
    assert_eq!(body.collect().await.unwrap(), bytes);

    // Every answer 150 ms late: the shallow CopyObject gives up at 50 ms, the parts complete.
    emu.set_faults(oss_emulator::Faults::none().with_latency_ms(150));
    let out = copier
        .shallow_copy_timeout(std::time::Duration::from_millis(50))
        .copy(copy(BUCKET, "slow"))
        .await
        .unwrap();
    emu.set_faults(oss_emulator::Faults::none());
    assert_eq!(out.parts, 4);
    assert_eq!(object(&client, "slow").await, bytes);
}

/// Every transfer's future is `Send`: it runs on a spawned task (this fails to compile
/// otherwise), as a server handling several transfers at once runs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_transfer_runs_on_a_spawned_task() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let (_emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let bytes = data(3 * PART + 11, 7);
    let src = dir.path().join("src");
    std::fs::write(&src, &bytes).unwrap();
    let uploader = Uploader::new(client.clone()).part_size(PART);

    let (up, path) = (uploader.clone(), src.clone());
    let from_file = tokio::spawn(async move { up.upload_file(put_input("file"), path).await });
    let (up, reader) = (uploader.clone(), std::io::Cursor::new(bytes.clone()));
    let from_reader =
        tokio::spawn(async move { up.upload_reader(put_input("reader"), reader, None).await });
    let (up, chunks) = (
        uploader,
        bytes
            .chunks(1000)
            .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
            .collect::<Vec<_>>(),
    );
    let from_stream = tokio::spawn(async move {
        up.upload_stream(
            put_input("stream"),
            futures_util::stream::iter(chunks),
            None,
        )
        .await
    });
    for task in [from_file, from_reader, from_stream] {
        assert_eq!(task.await.unwrap().unwrap().parts, 4);
    }

    let (down, dest) = (
        Downloader::new(client.clone()).range_size(PART),
        dir.path().join("dest"),
    );
    let to = dest.clone();
    tokio::spawn(async move { down.download_file(get_input("file"), to).await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), bytes);

    let copier = Copier::new(client.clone());
    let input = oss_model::CopyObjectInput::builder()
        .bucket(BUCKET)
        .key("copied")
        .copy_source(oss_model::CopySource::new(BUCKET, "stream"))
        .build()
        .unwrap();
    tokio::spawn(async move { copier.copy(input).await })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(object(&client, "copied").await, bytes);

    let c = client.clone();
    let read = tokio::spawn(async move {
        let mut file = oss_transfer::ReadOnlyFile::open(c, get_input("reader"))
            .await
            .unwrap();
        let mut all = Vec::new();
        file.read_to_end(&mut all).await.unwrap();
        all
    });
    assert_eq!(read.await.unwrap(), bytes);

    let (c, tail) = (client.clone(), bytes.clone());
    tokio::spawn(async move {
        let input = oss_model::AppendObjectInput::builder()
            .bucket(BUCKET)
            .key("appended")
            .position(0)
            .build()
            .unwrap();
        let mut file = oss_transfer::AppendOnlyFile::open(c, input).await.unwrap();
        file.write_all(&tail).await.unwrap();
        file.shutdown().await.unwrap();
    })
    .await
    .unwrap();
    assert_eq!(object(&client, "appended").await, bytes);
}
