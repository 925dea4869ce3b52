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
            .range_size(PART)
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
            .part_size(PART)
            .progress(cb)
            .copy(input)
            .await
            .unwrap();
        assert_eq!(copied.size, size);
        assert_eq!(u64::from(copied.parts), expected_parts);
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
