//! Transfers under injected faults: 5xx answers, bodies cut mid-way, wrong CRCs, an object
//! overwritten during a download.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use oss_emulator::Faults;
use oss_transfer::{Copier, Downloader, Error, Uploader};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_complete_identical_under_503s_and_resets_with_correct_progress() {
    let (emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let size = 30 * PART + 11;
    let bytes = data(size, 77);
    let src = dir.path().join("src");
    std::fs::write(&src, &bytes).unwrap();
    // 20% of requests answered 500/503; 20% of responses longer than 40 KiB cut after it.
    emu.set_faults(
        Faults::none()
            .with_5xx_rate(0.2)
            .with_reset_after_bytes(40 * KB)
            .with_reset_rate(0.2)
            .with_seed(11),
    );

    let (cb, seen) = recorder();
    Uploader::new(client.clone())
        .part_size(PART)
        .parallelism(4)
        .progress(cb)
        .upload_file(put_input("faulty"), &src)
        .await
        .unwrap();
    assert_progress(&seen, size);

    let dest = dir.path().join("dest");
    let (cb, seen) = recorder();
    Downloader::new(client.clone())
        .range_size(PART)
        .parallelism(4)
        .progress(cb)
        .download_file(get_input("faulty"), &dest)
        .await
        .unwrap();
    assert_progress(&seen, size);
    assert!(
        std::fs::read(&dest).unwrap() == bytes,
        "downloaded data differs"
    );

    let (cb, seen) = recorder();
    let input = oss_model::CopyObjectInput::builder()
        .bucket(BUCKET)
        .key("faulty-copy")
        .copy_source(oss_model::CopySource::new(BUCKET, "faulty"))
        .build()
        .unwrap();
    Copier::new(client.clone())
        .threshold(PART)
        .part_size(PART)
        .shallow_copy(false)
        .progress(cb)
        .copy(input)
        .await
        .unwrap();
    assert_progress(&seen, size);

    // A stream too (its parts are held in memory, so they are resent on a 503).
    let chunks: Vec<std::io::Result<bytes::Bytes>> = bytes
        .chunks(50_000)
        .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
        .collect();
    Uploader::new(client.clone())
        .part_size(PART)
        .upload_stream(
            put_input("faulty-stream"),
            futures_util::stream::iter(chunks),
            None,
        )
        .await
        .unwrap();

    emu.set_faults(Faults::none());
    assert!(object(&client, "faulty").await == bytes);
    assert!(object(&client, "faulty-copy").await == bytes);
    assert!(object(&client, "faulty-stream").await == bytes);
    let requests = emu.requests();
    assert!(
        count(&requests, &["partNumber="]) > 31,
        "faults caused no retries"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_crc_is_an_integrity_error_and_leaves_no_final_file() {
    let (emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let bytes = data(3 * PART, 3);
    client
        .put_object()
        .bucket(BUCKET)
        .key("k")
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    let src = dir.path().join("src");
    std::fs::write(&src, &bytes).unwrap();
    emu.set_faults(Faults::none().with_wrong_crc());

    let dest = dir.path().join("dest");
    let err = Downloader::new(client.clone())
        .range_size(PART)
        .download_file(get_input("k"), &dest)
        .await
        .unwrap_err();
    assert!(err.is_integrity_error(), "{err}");
    assert!(!dest.exists());
    assert!(!Downloader::temp_path(&dest).exists());

    let err = Uploader::new(client.clone())
        .part_size(PART)
        .upload_file(put_input("up"), &src)
        .await
        .unwrap_err();
    assert!(err.is_integrity_error(), "{err}");
    emu.set_faults(Faults::none());
    // The multipart upload was aborted and never completed.
    assert!(
        client
            .head_object()
            .bucket(BUCKET)
            .key("up")
            .send()
            .await
            .unwrap_err()
            .is_not_found()
    );
    let uploads = client
        .list_multipart_uploads()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    assert!(uploads.uploads.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_overwritten_between_ranged_reads_fails_the_download() {
    let (emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let size = 8 * PART;
    client
        .put_object()
        .bucket(BUCKET)
        .key("moving")
        .body(data(size, 1))
        .send()
        .await
        .unwrap();
    let dest = dir.path().join("dest");
    std::fs::write(&dest, b"the old file").unwrap();
    // After the first range, another writer replaces the object (same size, other bytes).
    let writer = client_for(&emu);
    let overwritten = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = overwritten.clone();
    let on_progress: oss_transfer::ProgressFn = std::sync::Arc::new(move |p| {
        if p.transferred >= PART && !flag.swap(true, std::sync::atomic::Ordering::SeqCst) {
            let writer = writer.clone();
            std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(async {
                        writer
                            .put_object()
                            .bucket(BUCKET)
                            .key("moving")
                            .body(data(8 * PART, 2))
                            .send()
                            .await
                            .unwrap();
                    });
            })
            .join()
            .unwrap();
        }
    });
    let err = Downloader::new(client.clone())
        .range_size(PART)
        .parallelism(1)
        .progress(on_progress)
        .download_file(get_input("moving"), &dest)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ObjectChanged { .. }), "{err}");
    // The destination keeps what it had; no temporary file is left.
    assert_eq!(std::fs::read(&dest).unwrap(), b"the old file");
    assert!(!Downloader::temp_path(&dest).exists());
}
