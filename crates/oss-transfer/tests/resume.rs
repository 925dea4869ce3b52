//! Resumable transfers (uploads, downloads, multipart copies): interrupted (a dropped future; a
//! child process killed with SIGKILL), resumed from the checkpoint, re-sending only the
//! missing parts; changed sources refused.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use oss_emulator::Faults;
use oss_transfer::{Copier, Downloader, Error, Uploader};

const PARTS: u64 = 24;

fn uploader(client: &oss_client::Client, checkpoints: &Path) -> Uploader {
    Uploader::new(client.clone())
        .part_size(PART)
        .parallelism(2)
        .checkpoint_dir(checkpoints)
}

/// The parts the checkpoint at `path` records (0 when there is none yet).
fn recorded(path: &Path, field: &str) -> usize {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v.get(field).and_then(|p| p.as_array()).map(Vec::len))
        .unwrap_or(0)
}

/// The parts OSS holds for the only multipart upload of `key`.
async fn listed_parts(client: &oss_client::Client, key: &str) -> (String, usize) {
    let uploads = client
        .list_multipart_uploads()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap();
    let ids: Vec<_> = uploads
        .uploads
        .iter()
        .filter(|u| u.key == key)
        .map(|u| u.upload_id.clone())
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    let parts = client
        .list_parts()
        .bucket(BUCKET)
        .key(key)
        .upload_id(&ids[0])
        .send()
        .await
        .unwrap();
    (ids[0].clone(), parts.parts.len())
}

/// Resumes the upload of `src` to `key` and checks it sent exactly the parts OSS lacked.
async fn resume_and_check(
    emu: &oss_emulator::Emulator,
    client: &oss_client::Client,
    checkpoints: &Path,
    src: &Path,
    key: &str,
) {
    emu.set_faults(Faults::none());
    // Parts whose requests were in flight may still land; let them settle first.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (upload_id, listed) = listed_parts(client, key).await;
    assert!(
        listed > 0 && (listed as u64) < PARTS,
        "interrupted with {listed} parts"
    );
    emu.take_requests();
    let (cb, seen) = recorder();
    let out = uploader(client, checkpoints)
        .progress(cb)
        .upload_file(put_input(key), src)
        .await
        .unwrap();
    let requests = emu.take_requests();
    assert_eq!(out.upload_id.as_deref(), Some(upload_id.as_str()));
    assert_eq!(out.resumed_parts as usize, listed);
    assert_eq!(
        count(&requests, &["PUT ", "partNumber="]),
        PARTS as usize - listed,
        "re-sent parts: {requests:#?}"
    );
    assert_eq!(
        count(&requests, &["POST ", "uploads"]),
        0,
        "a new upload was started"
    );
    assert_progress(&seen, PARTS * PART);
    assert!(object(client, key).await == std::fs::read(src).unwrap());
    assert!(
        !uploader(client, checkpoints)
            .checkpoint_path(BUCKET, key, src)
            .unwrap()
            .exists()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_upload_resumes_sending_only_the_missing_parts() {
    let (emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    // The directory is given with a trailing slash; it is used as given.
    let checkpoints = PathBuf::from(format!("{}/cp/", dir.path().display()));
    let src = dir.path().join("src");
    std::fs::write(&src, data(PARTS * PART, 8)).unwrap();
    let cp = uploader(&client, &checkpoints)
        .checkpoint_path(BUCKET, "k", &src)
        .unwrap();
    emu.set_faults(Faults::none().with_latency_ms(40));
    let up = uploader(&client, &checkpoints);
    let upload = up.upload_file(put_input("k"), &src);
    let mut upload = Box::pin(upload);
    // Drop the upload once the checkpoint records a few parts.
    loop {
        tokio::select! {
            r = &mut upload => panic!("finished before it was interrupted: {r:?}"),
            () = tokio::time::sleep(Duration::from_millis(20)) => {
                if recorded(&cp, "parts") >= 5 { break; }
            }
        }
    }
    drop(upload);
    resume_and_check(&emu, &client, &checkpoints, &src, "k").await;
}

/// Run by the next test in a child process (ignored otherwise): uploads slowly with a
/// checkpoint until the parent kills it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child half of upload_killed_with_sigkill_resumes"]
async fn child_upload() {
    let Ok(endpoint) = std::env::var("OSS_TRANSFER_CHILD_ENDPOINT") else {
        return;
    };
    let client = oss_client::Client::new(
        oss_client::Config::builder()
            .region("cn-hangzhou")
            .endpoint(endpoint)
            .credentials(oss_client::credentials::StaticProvider::from_keys(
                "ak", "sk",
            ))
            .build()
            .unwrap(),
    );
    let src = PathBuf::from(std::env::var("OSS_TRANSFER_CHILD_SRC").unwrap());
    let checkpoints = PathBuf::from(std::env::var("OSS_TRANSFER_CHILD_CP").unwrap());
    let _ = uploader(&client, &checkpoints)
        .upload_file(put_input("killed"), &src)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_killed_with_sigkill_resumes() {
    let (emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let checkpoints = dir.path().join("cp");
    let src = dir.path().join("src");
    std::fs::write(&src, data(PARTS * PART, 9)).unwrap();
    let cp = uploader(&client, &checkpoints)
        .checkpoint_path(BUCKET, "killed", &src)
        .unwrap();
    emu.set_faults(Faults::none().with_latency_ms(40));
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_upload", "--ignored", "--nocapture"])
        .env("OSS_TRANSFER_CHILD_ENDPOINT", emu.endpoint())
        .env("OSS_TRANSFER_CHILD_SRC", &src)
        .env("OSS_TRANSFER_CHILD_CP", &checkpoints)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while recorded(&cp, "parts") < 5 {
        assert!(
            std::time::Instant::now() < deadline,
            "the child made no progress"
        );
        assert!(child.try_wait().unwrap().is_none(), "the child ended early");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // `Child::kill` sends SIGKILL on Unix: no destructor, no cleanup runs in the child.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
    resume_and_check(&emu, &client, &checkpoints, &src, "killed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkpoint_whose_source_changed_is_refused() {
    let (emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let checkpoints = dir.path().join("cp");
    let src = dir.path().join("src");
    std::fs::write(&src, data(PARTS * PART, 10)).unwrap();
    let cp = uploader(&client, &checkpoints)
        .checkpoint_path(BUCKET, "changing", &src)
        .unwrap();
    emu.set_faults(Faults::none().with_latency_ms(40));
    {
        let up = uploader(&client, &checkpoints);
        let upload = up.upload_file(put_input("changing"), &src);
        let mut upload = Box::pin(upload);
        loop {
            tokio::select! {
                r = &mut upload => panic!("finished before it was interrupted: {r:?}"),
                () = tokio::time::sleep(Duration::from_millis(20)) => {
                    if recorded(&cp, "parts") >= 2 { break; }
                }
            }
        }
    }
    emu.set_faults(Faults::none());
    // Same size, new content and modification time.
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(&src, data(PARTS * PART, 11)).unwrap();
    let err = uploader(&client, &checkpoints)
        .upload_file(put_input("changing"), &src)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Checkpoint { .. }), "{err}");
    assert!(err.to_string().contains("modification time"), "{err}");
    // A different part size is refused too.
    std::fs::write(&src, data(PARTS * PART, 10)).unwrap();
    let err = uploader(&client, &checkpoints)
        .part_size(2 * PART)
        .upload_file(put_input("changing"), &src)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Checkpoint { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_download_resumes_fetching_only_the_missing_ranges() {
    let (emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let checkpoints = dir.path().join("cp");
    let bytes = data(PARTS * PART, 12);
    client
        .put_object()
        .bucket(BUCKET)
        .key("down")
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    let dest = dir.path().join("dest");
    let downloader = Downloader::new(client.clone())
        .range_size(PART)
        .parallelism(2)
        .checkpoint_dir(&checkpoints);
    let cp = downloader.checkpoint_path(BUCKET, "down", &dest).unwrap();
    emu.set_faults(Faults::none().with_latency_ms(40));
    {
        let download = downloader.download_file(get_input("down"), &dest);
        let mut download = Box::pin(download);
        loop {
            tokio::select! {
                r = &mut download => panic!("finished before it was interrupted: {r:?}"),
                () = tokio::time::sleep(Duration::from_millis(20)) => {
                    if recorded(&cp, "ranges") >= 5 { break; }
                }
            }
        }
    }
    emu.set_faults(Faults::none());
    assert!(!dest.exists());
    let done = recorded(&cp, "ranges");
    emu.take_requests();
    let (cb, seen) = recorder();
    let out = downloader
        .clone()
        .progress(cb)
        .download_file(get_input("down"), &dest)
        .await
        .unwrap();
    let requests = emu.take_requests();
    assert_eq!(out.resumed_ranges as usize, done);
    assert_eq!(
        count(&requests, &["GET /transfer-bucket/down"]),
        PARTS as usize - done
    );
    assert_progress(&seen, PARTS * PART);
    assert!(std::fs::read(&dest).unwrap() == bytes);
    assert!(!cp.exists());

    // The object replaced since the checkpoint: the checkpoint is refused.
    std::fs::remove_file(&dest).unwrap();
    emu.set_faults(Faults::none().with_latency_ms(40));
    {
        let download = downloader.download_file(get_input("down"), &dest);
        let mut download = Box::pin(download);
        loop {
            tokio::select! {
                r = &mut download => panic!("finished before it was interrupted: {r:?}"),
                () = tokio::time::sleep(Duration::from_millis(20)) => {
                    if recorded(&cp, "ranges") >= 2 { break; }
                }
            }
        }
    }
    emu.set_faults(Faults::none());
    client
        .put_object()
        .bucket(BUCKET)
        .key("down")
        .body(data(PARTS * PART, 13))
        .send()
        .await
        .unwrap();
    let err = downloader
        .download_file(get_input("down"), &dest)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Checkpoint { .. }), "{err}");
    assert!(!dest.exists());
}

/// A multipart copier within one bucket (by parts, not as one shallow CopyObject).
fn copier(client: &oss_client::Client, checkpoints: &Path) -> Copier {
    Copier::new(client.clone())
        .threshold(PART)
        .part_size(PART)
        .parallelism(2)
        .shallow_copy(false)
        .checkpoint_dir(checkpoints)
}

fn copy_input(src: &str, dst: &str) -> oss_model::CopyObjectInput {
    oss_model::CopyObjectInput::builder()
        .bucket(BUCKET)
        .key(dst)
        .copy_source(oss_model::CopySource::new(BUCKET, src))
        .build()
        .unwrap()
}

/// Starts copying `src` to `dst` slowly and drops the copy once its checkpoint records
/// `parts` parts.
async fn interrupted_copy(
    emu: &oss_emulator::Emulator,
    client: &oss_client::Client,
    checkpoints: &Path,
    src: &str,
    dst: &str,
    parts: usize,
) {
    let cp = copier(client, checkpoints)
        .checkpoint_path(&oss_model::CopySource::new(BUCKET, src), BUCKET, dst)
        .unwrap();
    emu.set_faults(Faults::none().with_latency_ms(40));
    {
        let c = copier(client, checkpoints);
        let copy = c.copy(copy_input(src, dst));
        let mut copy = Box::pin(copy);
        loop {
            tokio::select! {
                r = &mut copy => panic!("finished before it was interrupted: {r:?}"),
                () = tokio::time::sleep(Duration::from_millis(20)) => {
                    if recorded(&cp, "parts") >= parts { break; }
                }
            }
        }
    }
    emu.set_faults(Faults::none());
    // Parts whose requests were in flight may still land; let them settle.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(cp.exists(), "the checkpoint is kept to resume from");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_copy_resumes_copying_only_the_missing_parts() {
    let (emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let checkpoints = PathBuf::from(format!("{}/cp/", dir.path().display()));
    let bytes = data(PARTS * PART + 777, 14);
    client
        .put_object()
        .bucket(BUCKET)
        .key("copy-src")
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    emu.take_requests();
    interrupted_copy(&emu, &client, &checkpoints, "copy-src", "copy-dst", 5).await;
    let first_run = count(
        &emu.requests(),
        &["PUT /transfer-bucket/copy-dst?", "partNumber="],
    );
    assert!(
        (5..PARTS as usize).contains(&first_run),
        "{first_run} UploadPartCopy before the drop"
    );
    assert!(
        object_missing(&client, "copy-dst").await,
        "completed before the drop"
    );
    let (upload_id, listed) = listed_parts(&client, "copy-dst").await;
    assert!(
        listed >= 5 && (listed as u64) < PARTS,
        "{listed} parts listed"
    );

    emu.take_requests();
    let (cb, seen) = recorder();
    let out = copier(&client, &checkpoints)
        .progress(cb)
        .copy(copy_input("copy-src", "copy-dst"))
        .await
        .unwrap();
    let requests = emu.requests();
    // PARTS full parts and a short last one.
    let total_parts = PARTS as usize + 1;
    assert_eq!(out.parts as usize, total_parts);
    assert_eq!(out.resumed_parts as usize, listed);
    assert_eq!(
        count(
            &requests,
            &["PUT /transfer-bucket/copy-dst?", "partNumber="]
        ),
        total_parts - listed,
        "re-copied parts: {requests:#?}"
    );
    assert_eq!(
        count(&requests, &["POST ", "uploads"]),
        0,
        "a new upload was started"
    );
    assert!(
        count(
            &requests,
            &["POST ", format!("uploadId={upload_id}").as_str()]
        ) == 1,
        "the checkpoint's upload was not the one completed: {requests:#?}"
    );
    assert_progress(&seen, PARTS * PART + 777);
    assert!(
        object(&client, "copy-dst").await == bytes,
        "the copy differs"
    );
    assert!(
        !copier(&client, &checkpoints)
            .checkpoint_path(
                &oss_model::CopySource::new(BUCKET, "copy-src"),
                BUCKET,
                "copy-dst"
            )
            .unwrap()
            .exists(),
        "the checkpoint is removed once done"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copy_checkpoint_whose_source_changed_is_refused() {
    let (emu, client) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let checkpoints = dir.path().join("cp");
    let put = |seed| {
        let client = client.clone();
        async move {
            client
                .put_object()
                .bucket(BUCKET)
                .key("changing-src")
                .body(data(PARTS * PART, seed))
                .send()
                .await
                .unwrap();
        }
    };
    put(15).await;
    interrupted_copy(
        &emu,
        &client,
        &checkpoints,
        "changing-src",
        "changing-dst",
        2,
    )
    .await;
    // A different part size is refused.
    let err = copier(&client, &checkpoints)
        .part_size(2 * PART)
        .copy(copy_input("changing-src", "changing-dst"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Checkpoint { .. }), "{err}");
    assert!(err.to_string().contains("part size"), "{err}");
    // The source overwritten (same size, new content): its ETag differs.
    put(16).await;
    emu.take_requests();
    let err = copier(&client, &checkpoints)
        .copy(copy_input("changing-src", "changing-dst"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Checkpoint { .. }), "{err}");
    assert!(err.to_string().contains("ETag"), "{err}");
    assert_eq!(
        count(&emu.requests(), &["PUT /transfer-bucket/changing-dst?"]),
        0,
        "a refused checkpoint copied parts"
    );
    assert!(object_missing(&client, "changing-dst").await);
}

async fn object_missing(client: &oss_client::Client, key: &str) -> bool {
    match client.head_object().bucket(BUCKET).key(key).send().await {
        Ok(_) => false,
        Err(e) if e.is_not_found() => true,
        Err(e) => panic!("{e}"),
    }
}
