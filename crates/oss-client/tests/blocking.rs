//! The `blocking` facade against the embedded emulator (loopback only): object round trips with
//! `std::io::Read` bodies, the paginator iterator, a multipart upload, typed service errors, a
//! presigned GET fetched over a raw TCP socket, concurrent use from threads, the typed error
//! inside an async runtime, and the runtime's threads stopping when the client is dropped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read as _, Write as _};
use std::time::Duration;

use oss_client::credentials::StaticProvider;
use oss_client::{Config, Error, blocking};
use oss_emulator::{Emulator, EmulatorConfig};
use oss_model::{CompleteMultipartUpload, CompletedPart};

fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::new("ak", "sk")).unwrap()
}

fn config(emu: &Emulator) -> Config {
    Config::builder()
        .region("cn-hangzhou")
        .endpoint(emu.endpoint())
        .credentials(StaticProvider::from_keys("ak", "sk"))
        .build()
        .unwrap()
}

fn client_with_bucket(emu: &Emulator, bucket: &str) -> blocking::Client {
    let client = blocking::Client::new(config(emu));
    client.put_bucket().bucket(bucket).send().unwrap();
    client
}

/// Names of this process's threads (Linux: `/proc/self/task/*/comm`, at most 15 bytes each).
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .map(|dir| {
            dir.filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
                .map(|name| name.trim_end().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn count_threads(name: &str) -> usize {
    thread_names().iter().filter(|n| *n == name).count()
}

#[test]
fn put_get_head_with_a_read_body() {
    let emu = emulator();
    let c = client_with_bucket(&emu, "rw-bucket");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let put = c
        .put_object()
        .bucket("rw-bucket")
        .key("dir/data.bin")
        .content_type("application/octet-stream")
        .body(data.clone())
        .send()
        .unwrap();
    assert!(put.etag.is_some());

    let head = c
        .head_object()
        .bucket("rw-bucket")
        .key("dir/data.bin")
        .send()
        .unwrap();
    assert_eq!(head.content_length, Some(data.len() as i64));
    assert_eq!(
        head.content_type.as_deref(),
        Some("application/octet-stream")
    );

    // Read in small pieces through `std::io::Read`.
    let (meta, mut body) = c
        .get_object()
        .bucket("rw-bucket")
        .key("dir/data.bin")
        .send()
        .unwrap();
    assert_eq!(meta.content_length, Some(data.len() as i64));
    let mut got = Vec::new();
    let mut buf = [0u8; 1000];
    loop {
        let n = body.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, data);
    assert_eq!(body.read(&mut buf).unwrap(), 0, "stays at the end");

    // `collect` after a partial read returns the rest; a range is honoured.
    let (_, mut body) = c
        .get_object()
        .bucket("rw-bucket")
        .key("dir/data.bin")
        .send()
        .unwrap();
    let mut first = [0u8; 10];
    body.read_exact(&mut first).unwrap();
    assert_eq!(&first[..], &data[..10]);
    assert_eq!(&body.collect().unwrap()[..], &data[10..]);
    let (_, body) = c
        .get_object()
        .bucket("rw-bucket")
        .key("dir/data.bin")
        .range("bytes=5-9")
        .send()
        .unwrap();
    assert_eq!(&body.collect().unwrap()[..], &data[5..10]);

    // `to_file` and a `std::fs::File` as a request body.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("down.bin");
    let (_, body) = c
        .get_object()
        .bucket("rw-bucket")
        .key("dir/data.bin")
        .send()
        .unwrap();
    assert_eq!(body.to_file(&path).unwrap(), data.len() as u64);
    assert_eq!(std::fs::read(&path).unwrap(), data);
    c.put_object()
        .bucket("rw-bucket")
        .key("from-file")
        .body(std::fs::File::open(&path).unwrap())
        .send()
        .unwrap();
    let (meta, body) = c
        .get_object()
        .bucket("rw-bucket")
        .key("from-file")
        .send()
        .unwrap();
    assert_eq!(meta.content_length, Some(data.len() as i64));
    assert_eq!(&body.collect().unwrap()[..], &data[..]);
}

#[test]
fn paginator_iterates_every_page() {
    let emu = emulator();
    let c = client_with_bucket(&emu, "pages");
    for i in 0..7 {
        c.put_object()
            .bucket("pages")
            .key(format!("k{i}"))
            .body("x")
            .send()
            .unwrap();
    }
    let pages: Vec<_> = c
        .list_objects_v2()
        .bucket("pages")
        .max_keys(2)
        .into_paginator()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(pages.len(), 4, "7 keys, 2 a page");
    let keys: Vec<String> = pages
        .into_iter()
        .flat_map(|p| p.contents)
        .map(|o| o.key)
        .collect();
    let expected: Vec<String> = (0..7).map(|i| format!("k{i}")).collect();
    assert_eq!(keys, expected);

    // The generic entry point, and the end after a missing required member.
    let input = oss_model::ListObjectsV2Input::builder()
        .bucket("pages")
        .max_keys(3)
        .build()
        .unwrap();
    assert_eq!(
        c.paginate::<oss_proto::generated::ListObjectsV2>(input)
            .count(),
        3
    );
    let mut missing = c.list_objects_v2().into_paginator();
    assert!(missing.next().unwrap().is_err());
    assert!(missing.next().is_none());
}

#[test]
fn multipart_upload() {
    let emu = emulator();
    let c = client_with_bucket(&emu, "mpu");
    let upload = c
        .initiate_multipart_upload()
        .bucket("mpu")
        .key("big")
        .send()
        .unwrap();
    let part1 = vec![b'a'; 100 * 1024];
    let part2 = b"tail".to_vec();
    let mut parts = Vec::new();
    for (n, part) in [(1i64, part1.clone()), (2, part2.clone())] {
        // One part from a reader, to exercise `Body::from_read`.
        let len = part.len() as u64;
        let out = c
            .upload_part()
            .bucket("mpu")
            .key("big")
            .upload_id(&upload.upload_id)
            .part_number(n)
            .body(oss_client::Body::from_read(
                std::io::Cursor::new(part),
                Some(len),
            ))
            .send()
            .unwrap();
        parts.push(CompletedPart {
            part_number: n,
            etag: out.etag.unwrap(),
        });
    }
    c.complete_multipart_upload()
        .bucket("mpu")
        .key("big")
        .upload_id(&upload.upload_id)
        .parts(CompleteMultipartUpload { parts })
        .send()
        .unwrap();
    let mut whole = part1;
    whole.extend_from_slice(&part2);
    let (_, body) = c.get_object().bucket("mpu").key("big").send().unwrap();
    assert_eq!(&body.collect().unwrap()[..], &whole[..]);
}

#[test]
fn service_errors_are_typed() {
    let emu = emulator();
    let c = client_with_bucket(&emu, "errs");
    let err = c
        .get_object()
        .bucket("errs")
        .key("missing")
        .send()
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchKey"), "{err}");
    assert!(err.is_not_found());
    assert_eq!(err.status(), Some(http::StatusCode::NOT_FOUND));
    let err = c
        .head_object()
        .bucket("nobucket")
        .key("k")
        .send()
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    // A missing required member fails before sending.
    let err = c.put_object().key("k").send().unwrap_err();
    assert!(err.to_string().contains("bucket"), "{err}");
}

/// Sends `GET` for `url` (`http://host:port/path?query`) over a plain TCP socket; returns the
/// status and the body.
fn raw_get(url: &str) -> (u16, Vec<u8>) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = response[split + 4..].to_vec();
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{head}"
    );
    (status, body)
}

#[test]
fn presigned_get_with_a_plain_http_client() {
    let emu = emulator();
    let c = client_with_bucket(&emu, "presign");
    c.put_object()
        .bucket("presign")
        .key("a b.txt")
        .body("presigned payload")
        .send()
        .unwrap();
    let presigned = c
        .get_object()
        .bucket("presign")
        .key("a b.txt")
        .presigned(Duration::from_secs(300))
        .unwrap();
    assert_eq!(presigned.method, http::Method::GET);
    assert!(
        presigned
            .url
            .starts_with(&format!("{}/presign/a%20b.txt?", emu.endpoint())),
        "{}",
        presigned.url
    );
    let (status, body) = raw_get(&presigned.url);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(body, b"presigned payload");

    let v1 = c
        .get_object()
        .bucket("presign")
        .key("a b.txt")
        .presigned_with(
            oss_client::PresignOptions::new(Duration::from_secs(300))
                .signature_version(oss_client::SignatureVersion::V1),
        )
        .unwrap();
    assert_eq!(raw_get(&v1.url).0, 200, "{}", v1.url);
    // A tampered URL is refused, so the 200s above are the emulator's verdict.
    assert_eq!(raw_get(&presigned.url.replace("a%20b", "a%20c")).0, 403);
}

#[test]
fn usable_from_many_threads_at_once() {
    let emu = emulator();
    let c = client_with_bucket(&emu, "threads");
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let c = c.clone();
            std::thread::spawn(move || {
                for i in 0..5 {
                    let key = format!("t{t}/k{i}");
                    let data = format!("thread {t} object {i}").repeat(100);
                    c.put_object()
                        .bucket("threads")
                        .key(&key)
                        .body(data.clone())
                        .send()
                        .unwrap();
                    let (_, mut body) = c.get_object().bucket("threads").key(&key).send().unwrap();
                    let mut got = String::new();
                    body.read_to_string(&mut got).unwrap();
                    assert_eq!(got, data);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let listed: usize = c
        .list_objects_v2()
        .bucket("threads")
        .max_keys(10)
        .into_paginator()
        .map(|p| p.unwrap().contents.len())
        .sum();
    assert_eq!(listed, 40);
}

#[test]
fn inside_an_async_runtime_calls_are_refused_with_a_typed_error() {
    let emu = emulator();
    let c = client_with_bucket(&emu, "inrt");
    c.put_object()
        .bucket("inrt")
        .key("k")
        .body("data")
        .send()
        .unwrap();
    let (_, mut reader) = c.get_object().bucket("inrt").key("k").send().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let c2 = c.clone();
    let (reader_back, in_blocking) = rt.block_on(async move {
        // An operation: refused, nothing sent, no panic, no deadlock.
        let err = c2.head_object().bucket("inrt").key("k").send().unwrap_err();
        assert!(
            matches!(
                err,
                Error::BlockingInAsyncContext {
                    operation: "HeadObject",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("inside an async runtime"), "{err}");
        // A presign, a paginator (one error, then the end) and a body read too.
        assert!(matches!(
            c2.get_object()
                .bucket("inrt")
                .key("k")
                .presigned(Duration::from_secs(60)),
            Err(Error::BlockingInAsyncContext { .. })
        ));
        let mut pages = c2.list_objects_v2().bucket("inrt").into_paginator();
        assert!(matches!(
            pages.next(),
            Some(Err(Error::BlockingInAsyncContext {
                operation: "ListObjectsV2",
                ..
            }))
        ));
        assert!(pages.next().is_none());
        let mut buf = [0u8; 4];
        let io_err = reader.read(&mut buf).unwrap_err();
        assert!(
            io_err.to_string().contains("inside an async runtime"),
            "{io_err}"
        );
        // The async client underneath works here.
        let head = c2
            .as_async()
            .head_object()
            .bucket("inrt")
            .key("k")
            .send()
            .await
            .unwrap();
        assert_eq!(head.content_length, Some(4));
        // In `spawn_blocking` the thread is still in the runtime's context: refused as well.
        let c3 = c2.clone();
        let in_blocking =
            tokio::task::spawn_blocking(move || c3.head_object().bucket("inrt").key("k").send())
                .await
                .unwrap();
        // Dropping a clone inside the runtime is fine.
        drop(c2);
        (reader, in_blocking)
    });
    assert!(matches!(
        in_blocking,
        Err(Error::BlockingInAsyncContext { .. })
    ));
    // Outside the runtime again, the refused read can be retried.
    let mut reader = reader_back;
    let mut got = String::new();
    reader.read_to_string(&mut got).unwrap();
    assert_eq!(got, "data");
    // And a thread of its own is the way out of an async context.
    let c4 = c;
    let from_thread = rt.block_on(async move {
        std::thread::spawn(move || c4.head_object().bucket("inrt").key("k").send())
            .join()
            .unwrap()
    });
    assert_eq!(from_thread.unwrap().content_length, Some(4));
}

#[test]
fn dropping_the_last_handle_stops_the_runtime() {
    let emu = emulator();
    let name = "oss-blk-drop";
    let c = blocking::Client::builder()
        .worker_threads(2)
        .thread_name(name)
        .build(config(&emu))
        .unwrap();
    c.put_bucket().bucket("drop").send().unwrap();
    c.put_object()
        .bucket("drop")
        .key("k")
        .body("kept alive")
        .send()
        .unwrap();
    assert_eq!(count_threads(name), 2, "{:?}", thread_names());
    // A reader and a paginator keep the runtime (and their connection) alive after the client.
    let (_, reader) = c.get_object().bucket("drop").key("k").send().unwrap();
    let pages = c.list_objects_v2().bucket("drop").into_paginator();
    let clone = c.clone();
    drop(c);
    assert_eq!(
        clone
            .head_object()
            .bucket("drop")
            .key("k")
            .send()
            .unwrap()
            .content_length,
        Some(10)
    );
    drop(clone);
    assert_eq!(&reader.collect().unwrap()[..], b"kept alive");
    assert_eq!(
        count_threads(name),
        2,
        "the paginator still holds the runtime"
    );
    assert_eq!(pages.count(), 1);
    // The paginator was the last handle: its threads are gone once the drop returns.
    assert_eq!(count_threads(name), 0, "{:?}", thread_names());

    // Dropped inside another runtime: no panic (the threads stop in the background).
    let c = blocking::Client::builder()
        .thread_name("oss-blk-drop2")
        .build(config(&emu))
        .unwrap();
    c.get_bucket_info().bucket("drop").send().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move { drop(c) });
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while count_threads("oss-blk-drop2") > 0 {
        assert!(std::time::Instant::now() < deadline, "{:?}", thread_names());
        std::thread::sleep(Duration::from_millis(20));
    }
}
