//! Hardening of the emulator: racing writers of one object, bodies that end early,
//! `x-oss-content-sha256` checks, DeleteBucketTags by key.

use std::io::Read;
use std::net::Shutdown;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use http::{HeaderMap, HeaderValue};
use oss_sign::request::{Resource, SignableRequest};
use oss_sign::v4::{self, SigningParams};
use oss_sign::{Credentials, SigningKey};
use oss_tests::{
    ACCESS_KEY_ID, ACCESS_KEY_SECRET, Client, EmulatorConfig, REGION, Response, send_raw,
    start_emulator, start_emulator_with,
};
use time::OffsetDateTime;

fn append(c: &Client, path: &str, position: u64, body: &[u8]) -> Response {
    c.post(path)
        .subresource("append")
        .query("position", Some(&position.to_string()))
        .body(body)
        .send()
}

/// Many tasks append at the same position at once: exactly one wins each round, the others get
/// `PositionNotEqualToLength` with the length the winner left.
#[test]
fn racing_appends_at_one_position_let_exactly_one_win() {
    const WRITERS: usize = 12;
    const ROUNDS: usize = 20;
    const CHUNK: usize = 1000;
    let emu = start_emulator();
    let c = Client::new(&emu);
    assert_eq!(c.put("/race-bucket").send().status, 200);
    let mut expected: Vec<u8> = Vec::new();
    for round in 0..ROUNDS {
        let position = expected.len() as u64;
        let barrier = Arc::new(Barrier::new(WRITERS));
        let handles: Vec<_> = (0..WRITERS)
            .map(|w| {
                let c = c.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    let body = vec![b'a' + (w % 26) as u8; CHUNK];
                    barrier.wait();
                    (w, append(&c, "/race-bucket/log", position, &body))
                })
            })
            .collect();
        let results: Vec<(usize, Response)> = handles
            .into_iter()
            .map(|h| h.join().expect("writer thread"))
            .collect();
        let winners: Vec<usize> = results
            .iter()
            .filter(|(_, r)| r.status == 200)
            .map(|(w, _)| *w)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: exactly one append wins");
        let next = (position as usize + CHUNK).to_string();
        for (_, r) in &results {
            if r.status == 200 {
                assert_eq!(r.header("x-oss-next-append-position"), Some(next.as_str()));
            } else {
                assert_eq!(
                    (r.status, r.code().as_deref()),
                    (409, Some("PositionNotEqualToLength")),
                    "round {round}: {}",
                    r.text()
                );
                assert_eq!(r.header("x-oss-next-append-position"), Some(next.as_str()));
            }
        }
        expected.extend(std::iter::repeat_n(b'a' + (winners[0] % 26) as u8, CHUNK));
    }
    let got = c.get("/race-bucket/log").send();
    assert_eq!(got.body.len(), expected.len());
    assert!(
        got.body == expected,
        "the object holds each round's winner, in order"
    );
}

/// Racing overwrites and deletes of one key leave one writer's whole data, never a mix.
#[test]
fn racing_puts_and_deletes_of_one_key_do_not_interleave() {
    let emu = start_emulator();
    let c = Client::new(&emu);
    assert_eq!(c.put("/race2-bucket").send().status, 200);
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8u8)
        .map(|w| {
            let c = c.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                for _ in 0..5 {
                    if w % 4 == 3 {
                        assert_eq!(c.delete("/race2-bucket/k").send().status, 204);
                    } else {
                        let r = c.put("/race2-bucket/k").body(vec![w; 4096]).send();
                        assert_eq!(r.status, 200);
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("writer thread");
    }
    let r = c.get("/race2-bucket/k").send();
    if r.status == 200 {
        assert_eq!(r.body.len(), 4096);
        assert!(r.body.iter().all(|b| *b == r.body[0]));
    } else {
        assert_eq!(r.code().as_deref(), Some("NoSuchKey"));
    }
}

fn read_all(mut stream: std::net::TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p.display().to_string());
            }
        }
    }
    out
}

/// A body that ends before its Content-Length stores nothing (disk and memory) and is answered
/// `IncompleteBody` 400.
#[test]
fn truncated_uploads_store_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    for config in [
        EmulatorConfig::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET).data_dir(dir.path()),
        EmulatorConfig::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET),
    ] {
        let emu = start_emulator_with(config);
        let c = Client::new(&emu);
        assert_eq!(c.put("/cut-bucket").send().status, 200);
        let r = c.post("/cut-bucket/mp").subresource("uploads").send();
        let upload_id = r.xml("UploadId").expect("UploadId");
        let sent = vec![7u8; 300 * 1024];
        let requests = [
            c.put("/cut-bucket/obj"),
            c.post("/cut-bucket/app")
                .subresource("append")
                .query("position", Some("0")),
            c.put("/cut-bucket/mp")
                .query("partNumber", Some("1"))
                .query("uploadId", Some(&upload_id)),
        ];
        for req in requests {
            let stream = req.send_partial(1 << 20, &sent).expect("partial");
            stream.shutdown(Shutdown::Write).expect("half close");
            let answer = read_all(stream);
            assert!(
                answer.starts_with("HTTP/1.1 400") && answer.contains("IncompleteBody"),
                "{answer}"
            );
        }
        for key in ["obj", "app"] {
            let r = c.get(&format!("/cut-bucket/{key}")).send();
            assert_eq!(r.code().as_deref(), Some("NoSuchKey"), "{key}");
        }
        let parts = c
            .get("/cut-bucket/mp")
            .query("uploadId", Some(&upload_id))
            .send();
        assert!(parts.xml_all("PartNumber").is_empty());
    }
    let blobs = files_under(&dir.path().join("cut-bucket").join("blobs"));
    assert!(blobs.is_empty(), "no data left behind: {blobs:?}");
    let tmp: Vec<String> = files_under(dir.path())
        .into_iter()
        .filter(|f| f.contains(".tmp-"))
        .collect();
    assert!(tmp.is_empty(), "no temporary files left behind: {tmp:?}");
}

/// Sends a V4-signed PUT whose `x-oss-content-sha256` is `payload_hash`. oss-sign always signs
/// `UNSIGNED-PAYLOAD`, so the emulator's `SignatureDoesNotMatch` answer supplies its string to
/// sign over the given hash, which is then signed with the derived V4 key.
fn put_with_payload_hash(
    emu: &oss_tests::Emulator,
    path: &str,
    body: &[u8],
    payload_hash: &str,
) -> Response {
    let (bucket, key) = path
        .trim_start_matches('/')
        .split_once('/')
        .expect("bucket/key");
    let now = OffsetDateTime::now_utc();
    let creds = Credentials::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET);
    let mut headers = HeaderMap::new();
    let req = SignableRequest::new("PUT", Resource::Object { bucket, key }).with_headers(&headers);
    let sig = v4::sign_headers(&req, &SigningParams::new(&creds, REGION, now)).expect("sign");
    let mut signed = HeaderMap::new();
    sig.apply_to(&mut signed).expect("apply");
    headers.extend(signed);
    headers.insert(
        "x-oss-content-sha256",
        HeaderValue::from_str(payload_hash).expect("header"),
    );
    let host = emu.addr().to_string();
    let first = send_raw(emu.addr(), "PUT", path, &host, &headers, body).expect("send");
    assert_eq!(first.code().as_deref(), Some("SignatureDoesNotMatch"));
    let string_to_sign = first.xml("StringToSign").expect("StringToSign");
    let date = &headers["x-oss-date"].to_str().expect("date")[..8];
    let signature = SigningKey::derive(ACCESS_KEY_SECRET, date, REGION, "oss")
        .sign_hex(string_to_sign.as_bytes());
    let auth = headers["authorization"].to_str().expect("auth").to_owned();
    let (prefix, _) = auth.split_once("Signature=").expect("signature");
    headers.insert(
        "authorization",
        HeaderValue::from_str(&format!("{prefix}Signature={signature}")).expect("header"),
    );
    send_raw(emu.addr(), "PUT", path, &host, &headers, body).expect("send")
}

#[test]
fn a_signed_payload_hash_must_match_the_body() {
    let dir = tempfile::tempdir().expect("tempdir");
    for config in [
        EmulatorConfig::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET),
        EmulatorConfig::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET).data_dir(dir.path()),
    ] {
        check_payload_hash(&start_emulator_with(config));
    }
}

fn check_payload_hash(emu: &oss_tests::Emulator) {
    let c = Client::new(emu);
    assert_eq!(c.put("/sha-bucket").send().status, 200);
    // SHA-256("hello world"), FIPS 180-4 algorithm; a widely published value.
    let hello = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
    let r = put_with_payload_hash(emu, "/sha-bucket/good", b"hello world", hello);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(c.get("/sha-bucket/good").send().text(), "hello world");

    let r = put_with_payload_hash(emu, "/sha-bucket/bad", b"hello world!", hello);
    assert_eq!(
        (r.status, r.code().as_deref()),
        (400, Some("InvalidArgument")),
        "{}",
        r.text()
    );
    assert_eq!(r.header("x-oss-ec"), Some("0002-00000214"));
    assert_eq!(
        c.get("/sha-bucket/bad").send().code().as_deref(),
        Some("NoSuchKey")
    );
}

fn put_tags(c: &Client, bucket: &str, tags: &[(&str, &str)]) {
    let mut doc = String::from("<Tagging><TagSet>");
    for (k, v) in tags {
        doc.push_str(&format!("<Tag><Key>{k}</Key><Value>{v}</Value></Tag>"));
    }
    doc.push_str("</TagSet></Tagging>");
    let r = c
        .put(&format!("/{bucket}"))
        .subresource("tagging")
        .body(doc)
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn delete_bucket_tags_removes_the_listed_keys_or_all() {
    let emu = start_emulator();
    let c = Client::new(&emu);
    assert_eq!(c.put("/tags-bucket").send().status, 200);
    put_tags(
        &c,
        "tags-bucket",
        &[("k1", "v1"), ("k2", "v2"), ("k3", "v3")],
    );
    let r = c
        .delete("/tags-bucket")
        .query("tagging", Some("k1,k3"))
        .send();
    assert_eq!(r.status, 204, "{}", r.text());
    let got = c.get("/tags-bucket").subresource("tagging").send();
    assert_eq!(got.xml_all("Key"), ["k2"]);
    assert_eq!(got.xml_all("Value"), ["v2"]);

    put_tags(&c, "tags-bucket", &[("k1", "v1"), ("k2", "v2")]);
    let r = c.delete("/tags-bucket").subresource("tagging").send();
    assert_eq!(r.status, 204);
    let got = c.get("/tags-bucket").subresource("tagging").send();
    assert!(got.xml_all("Key").is_empty(), "{}", got.text());
}

/// On the disk store object data is streamed to disk: puts, appends and parts keep OSS's
/// digests and content, a bad Content-MD5 or payload hash stores nothing, and no temporary
/// files remain.
#[test]
fn disk_store_streams_object_data_with_oss_digests() {
    // CRC-64/XZ of "123456789" (shared/vectors/crc64.json, from the official SDKs), decimal.
    const CRC_123456789: &str = "11051210869376104954";
    // MD5("123456789") = 25f9e794323b453885f5181f1b624d0b (well-known value).
    const ETAG_123456789: &str = "\"25F9E794323B453885F5181F1B624D0B\"";
    let dir = tempfile::tempdir().expect("tempdir");
    let emu = start_emulator_with(
        EmulatorConfig::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET).data_dir(dir.path()),
    );
    let c = Client::new(&emu);
    assert_eq!(c.put("/disk-bucket").send().status, 200);

    let r = c
        .put("/disk-bucket/digits")
        .body_with_md5("123456789")
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("etag"), Some(ETAG_123456789));
    assert_eq!(r.header("x-oss-hash-crc64ecma"), Some(CRC_123456789));
    assert_eq!(r.header("content-md5"), Some("JfnnlDI7RTiF9RgfG2JNCw=="));
    assert_eq!(c.get("/disk-bucket/digits").send().text(), "123456789");

    let r = c
        .put("/disk-bucket/bad-md5")
        .header("content-md5", "XrY7u+Ae7tCTyyK7j1rNww==")
        .body("123456789")
        .send();
    assert_eq!(r.code().as_deref(), Some("InvalidDigest"));
    assert_eq!(
        c.get("/disk-bucket/bad-md5").send().code().as_deref(),
        Some("NoSuchKey")
    );

    assert_eq!(append(&c, "/disk-bucket/log", 0, b"12345").status, 200);
    let r = append(&c, "/disk-bucket/log", 5, b"6789");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-oss-next-append-position"), Some("9"));
    assert_eq!(r.header("x-oss-hash-crc64ecma"), Some(CRC_123456789));
    let r = append(&c, "/disk-bucket/log", 5, b"x");
    assert_eq!(r.code().as_deref(), Some("PositionNotEqualToLength"));
    assert_eq!(r.header("x-oss-next-append-position"), Some("9"));
    assert_eq!(c.get("/disk-bucket/log").send().text(), "123456789");

    let r = c.post("/disk-bucket/mp").subresource("uploads").send();
    let upload_id = r.xml("UploadId").expect("UploadId");
    let part = |n: &str, body: &[u8]| {
        c.put("/disk-bucket/mp")
            .query("partNumber", Some(n))
            .query("uploadId", Some(&upload_id))
            .body(body)
            .send()
    };
    let first = vec![b'1'; 100 * 1024];
    let p1 = part("1", &first);
    let p2 = part("2", b"12345");
    assert_eq!((p1.status, p2.status), (200, 200));
    // MD5("12345") = 827ccb0eea8a706c4c34a16891f84e7b (well-known value).
    assert_eq!(
        p2.header("etag"),
        Some("\"827CCB0EEA8A706C4C34A16891F84E7B\"")
    );
    let doc = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{}</ETag></Part>\
         <Part><PartNumber>2</PartNumber><ETag>{}</ETag></Part></CompleteMultipartUpload>",
        p1.header("etag").expect("etag"),
        p2.header("etag").expect("etag")
    );
    let r = c
        .post("/disk-bucket/mp")
        .query("uploadId", Some(&upload_id))
        .body(doc)
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    let g = c.get("/disk-bucket/mp").send();
    assert_eq!(g.body.len(), first.len() + 5);
    assert!(g.body[..first.len()] == first[..] && &g.body[first.len()..] == b"12345");

    // A one-part upload of the CRC vector: the joined file's CRC-64 is the vector's.
    let r = c.post("/disk-bucket/mp9").subresource("uploads").send();
    let upload9 = r.xml("UploadId").expect("UploadId");
    let p = c
        .put("/disk-bucket/mp9")
        .query("partNumber", Some("1"))
        .query("uploadId", Some(&upload9))
        .body("123456789")
        .send();
    assert_eq!(p.status, 200);
    let r = c
        .post("/disk-bucket/mp9")
        .query("uploadId", Some(&upload9))
        .header("x-oss-complete-all", "yes")
        .send();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-oss-hash-crc64ecma"), Some(CRC_123456789));
    let g = c.get("/disk-bucket/mp9").send();
    assert_eq!(g.text(), "123456789");
    assert_eq!(g.header("x-oss-hash-crc64ecma"), Some(CRC_123456789));

    let tmp: Vec<String> = files_under(dir.path())
        .into_iter()
        .filter(|f| f.contains(".tmp-"))
        .collect();
    assert!(tmp.is_empty(), "no temporary files left behind: {tmp:?}");
}

/// A PUT whose signature is wrong (or which is anonymous on a private bucket) is refused from
/// its head: the answer comes while 256 MiB of announced body are still unsent, and nothing is
/// staged in the data directory.
#[test]
fn refused_uploads_are_answered_before_their_body_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let emu = start_emulator_with(
        EmulatorConfig::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET).data_dir(dir.path()),
    );
    let c = Client::new(&emu);
    assert_eq!(c.put("/early-bucket").send().status, 200);
    let r = c.post("/early-bucket/mp").subresource("uploads").send();
    let upload_id = r.xml("UploadId").expect("UploadId");
    let wrong = Client::new(&emu).credentials(Credentials::new(ACCESS_KEY_ID, "not-the-secret"));
    let announced = 256 << 20;
    let first_bytes = vec![9u8; 1024];
    let requests = [
        wrong.put("/early-bucket/obj"),
        wrong
            .post("/early-bucket/app")
            .subresource("append")
            .query("position", Some("0")),
        wrong
            .put("/early-bucket/mp")
            .query("partNumber", Some("1"))
            .query("uploadId", Some(&upload_id)),
    ];
    for req in requests {
        // The connection stays open for writing: a server waiting for the body would never answer.
        let stream = req.send_partial(announced, &first_bytes).expect("partial");
        let answer = read_all(stream);
        assert!(
            answer.starts_with("HTTP/1.1 403") && answer.contains("SignatureDoesNotMatch"),
            "{answer}"
        );
        let tmp: Vec<String> = files_under(dir.path())
            .into_iter()
            .filter(|f| f.contains(".tmp-"))
            .collect();
        assert!(tmp.is_empty(), "nothing staged: {tmp:?}");
    }
    // Anonymous, on a private bucket: AccessDenied, also from the head.
    let mut stream = std::net::TcpStream::connect(emu.addr()).expect("connect");
    let head = format!(
        "PUT /early-bucket/anon HTTP/1.1\r\nHost: {}\r\nContent-Length: {announced}\r\n\r\n",
        emu.addr()
    );
    std::io::Write::write_all(&mut stream, head.as_bytes()).expect("head");
    let answer = read_all(stream);
    assert!(
        answer.starts_with("HTTP/1.1 403") && answer.contains("AccessDenied"),
        "{answer}"
    );
    let blobs = files_under(&dir.path().join("early-bucket").join("blobs"));
    assert!(blobs.is_empty(), "no data stored: {blobs:?}");
    for key in ["obj", "app", "anon"] {
        let r = c.get(&format!("/early-bucket/{key}")).send();
        assert_eq!(r.code().as_deref(), Some("NoSuchKey"), "{key}");
    }
}

/// GetObject on the disk store streams the data from its file in chunks: whole objects, ranges
/// across chunk boundaries, the last byte and suffix ranges come back exactly as stored.
#[test]
fn disk_store_serves_whole_objects_and_ranges_from_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let emu = start_emulator_with(
        EmulatorConfig::new(ACCESS_KEY_ID, ACCESS_KEY_SECRET).data_dir(dir.path()),
    );
    let c = Client::new(&emu);
    assert_eq!(c.put("/stream-bucket").send().status, 200);
    // 1 MiB + 7 bytes of a pattern that differs at every offset within 251 bytes.
    let data: Vec<u8> = (0..(1u32 << 20) + 7).map(|i| (i % 251) as u8).collect();
    assert_eq!(c.put("/stream-bucket/big").body(&data).send().status, 200);
    let whole = c.get("/stream-bucket/big").send();
    assert_eq!(whole.status, 200);
    assert_eq!(whole.header("content-length"), Some("1048583"));
    assert!(whole.body == data, "whole object differs");
    for (range, start, end) in [
        ("bytes=262140-262150", 262_140, 262_151),
        ("bytes=1-1048582", 1, 1_048_583),
        ("bytes=1048582-", 1_048_582, 1_048_583),
        ("bytes=-300000", 748_583, 1_048_583),
    ] {
        let r = c.get("/stream-bucket/big").header("range", range).send();
        assert_eq!(r.status, 206, "{range}");
        assert_eq!(
            r.header("content-range"),
            Some(format!("bytes {start}-{}/1048583", end - 1).as_str()),
            "{range}"
        );
        assert!(r.body == data[start..end], "{range}: body differs");
    }
    let h = c.head("/stream-bucket/big").send();
    assert_eq!(h.header("content-length"), Some("1048583"));
    assert!(h.body.is_empty());
    assert_eq!(c.put("/stream-bucket/empty").send().status, 200);
    let e = c.get("/stream-bucket/empty").send();
    assert_eq!((e.status, e.body.len()), (200, 0));
}
