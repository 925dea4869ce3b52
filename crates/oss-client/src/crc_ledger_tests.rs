//! The CRC-64 checks that need earlier responses (appends at P > 0, CompleteMultipartUpload)
//! against a local server playing OSS: it stores appended data and parts and answers with the
//! CRC of the whole object, computed over the stored bytes, or a wrong one when told to lie.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oss_model::{CompleteMultipartUpload, CompletedPart};
use oss_proto::crc::checksum;

use crate::test_server::{Reply, Request, TestServer};
use crate::{Client, Config, Error, RetryPolicy, credentials::StaticProvider};

#[derive(Default)]
struct Store {
    object: Vec<u8>,
    parts: BTreeMap<u32, Vec<u8>>,
}

struct FakeOss {
    server: TestServer,
    lie: Arc<AtomicBool>,
}

fn query(req: &Request, name: &str) -> Option<String> {
    req.query.as_deref()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| v.to_owned())
    })
}

fn crc_header(lie: bool, data: &[u8]) -> String {
    let crc = checksum(data);
    (if lie { crc ^ 0x5A5A } else { crc }).to_string()
}

/// The part numbers of a CompleteMultipartUpload document, in order.
fn listed_parts(body: &[u8]) -> Vec<u32> {
    let text = String::from_utf8_lossy(body);
    text.split("<PartNumber>")
        .skip(1)
        .filter_map(|s| s.split("</PartNumber>").next()?.trim().parse().ok())
        .collect()
}

impl FakeOss {
    async fn start() -> Self {
        let lie = Arc::new(AtomicBool::new(false));
        let store = Arc::new(Mutex::new(Store::default()));
        let lying = Arc::clone(&lie);
        let server = TestServer::start(move |req| {
            let lie = lying.load(Ordering::SeqCst);
            let mut store = store.lock().unwrap();
            let q = req.query.as_deref().unwrap_or("");
            match req.method.as_str() {
                "POST" if q.starts_with("append") => {
                    let position: usize = query(req, "position").unwrap().parse().unwrap();
                    if position != store.object.len() {
                        return Reply::status(409, "");
                    }
                    store.object.extend_from_slice(&req.body);
                    Reply::ok("")
                        .header("x-oss-next-append-position", store.object.len().to_string())
                        .header("x-oss-hash-crc64ecma", crc_header(lie, &store.object))
                }
                "POST" if query(req, "uploads").is_some() => {
                    store.parts.clear();
                    Reply::ok(
                        "<InitiateMultipartUploadResult><Bucket>bucket</Bucket><Key>k</Key>\
                         <UploadId>U1</UploadId></InitiateMultipartUploadResult>",
                    )
                }
                "PUT" if query(req, "uploadId").is_some() => {
                    let n: u32 = query(req, "partNumber").unwrap().parse().unwrap();
                    if req.header("x-oss-copy-source").is_some() {
                        store.parts.insert(n, b"copied".to_vec());
                        return Reply::ok(
                            "<CopyPartResult><ETag>\"c\"</ETag>\
                             <LastModified>2026-01-01T00:00:00.000Z</LastModified></CopyPartResult>",
                        )
                        .header("x-oss-hash-crc64ecma", checksum(b"copied").to_string());
                    }
                    store.parts.insert(n, req.body.to_vec());
                    Reply::ok("")
                        .header("etag", format!("\"E{n}\""))
                        .header("x-oss-hash-crc64ecma", checksum(&req.body).to_string())
                }
                "POST" if query(req, "uploadId").is_some() => {
                    let numbers = if req.header("x-oss-complete-all").is_some() {
                        store.parts.keys().copied().collect()
                    } else {
                        listed_parts(&req.body)
                    };
                    let data: Vec<u8> = numbers
                        .iter()
                        .filter_map(|n| store.parts.get(n).cloned())
                        .flatten()
                        .collect();
                    Reply::ok(
                        "<CompleteMultipartUploadResult><Bucket>bucket</Bucket><Key>k</Key>\
                         <ETag>\"M\"</ETag></CompleteMultipartUploadResult>",
                    )
                    .header("x-oss-hash-crc64ecma", crc_header(lie, &data))
                }
                "DELETE" => Reply::status(204, ""),
                _ => Reply::status(400, ""),
            }
        })
        .await;
        FakeOss { server, lie }
    }

    fn lie(&self, on: bool) {
        self.lie.store(on, Ordering::SeqCst);
    }

    fn client(&self) -> Client {
        Client::new(
            Config::builder()
                .region("cn-hangzhou")
                .endpoint(self.server.url())
                .credentials(StaticProvider::from_keys("ak", "sk"))
                .retry(
                    RetryPolicy::default()
                        .max_attempts(3)
                        .base_delay(Duration::from_millis(1)),
                )
                .build()
                .unwrap(),
        )
    }

    fn count(&self, method: &str, query_part: &str) -> usize {
        self.server
            .requests()
            .iter()
            .filter(|r| r.method == method && r.query.as_deref().unwrap_or("").contains(query_part))
            .count()
    }
}

async fn append(client: &Client, position: i64, data: &'static str) -> Result<(), Error> {
    client
        .append_object()
        .bucket("bucket")
        .key("k")
        .position(position)
        .body(data)
        .send()
        .await
        .map(drop)
}

async fn upload_parts(client: &Client, initiate: bool, parts: &[&'static str]) -> String {
    let upload_id = if initiate {
        client
            .initiate_multipart_upload()
            .bucket("bucket")
            .key("k")
            .send()
            .await
            .unwrap()
            .upload_id
    } else {
        "U1".to_owned()
    };
    for (n, data) in parts.iter().enumerate() {
        client
            .upload_part()
            .bucket("bucket")
            .key("k")
            .upload_id(&upload_id)
            .part_number(n as i64 + 1)
            .body(*data)
            .send()
            .await
            .unwrap();
    }
    upload_id
}

fn listed(numbers: &[i64]) -> CompleteMultipartUpload {
    CompleteMultipartUpload {
        parts: numbers
            .iter()
            .map(|&n| CompletedPart {
                part_number: n,
                etag: format!("\"E{n}\""),
            })
            .collect(),
    }
}

async fn complete(
    client: &Client,
    upload_id: &str,
    parts: Option<CompleteMultipartUpload>,
) -> Result<(), Error> {
    let request = client
        .complete_multipart_upload()
        .bucket("bucket")
        .key("k")
        .upload_id(upload_id);
    let request = match parts {
        Some(parts) => request.parts(parts),
        None => request.complete_all("yes"),
    };
    request.send().await.map(drop)
}

#[tokio::test]
async fn appends_after_the_first_are_checked_against_the_whole_object_crc() {
    let oss = FakeOss::start().await;
    let client = oss.client();
    append(&client, 0, "hello ").await.unwrap();
    append(&client, 6, "world").await.unwrap();
    oss.lie(true);
    let err = append(&client, 11, "!").await.unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");
    assert_eq!(
        oss.count("POST", "position=11"),
        1,
        "an append is not retried"
    );
    // The mismatch leaves the object unknown: the next append is not checked.
    append(&client, 12, "?").await.unwrap();
}

#[tokio::test]
async fn a_wrong_crc_for_a_first_append_is_reported_not_retried() {
    let oss = FakeOss::start().await;
    oss.lie(true);
    let err = append(&oss.client(), 0, "hello").await.unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");
    assert_eq!(oss.count("POST", "position=0"), 1);
}

#[tokio::test]
async fn an_append_at_an_unknown_position_is_not_checked() {
    let oss = FakeOss::start().await;
    append(&oss.client(), 0, "hello ").await.unwrap();
    oss.lie(true);
    // A fresh client has not seen the object: no false error.
    append(&oss.client(), 6, "world").await.unwrap();
}

#[tokio::test]
async fn a_declared_start_crc_checks_the_next_append() {
    let oss = FakeOss::start().await;
    append(&oss.client(), 0, "hello ").await.unwrap();
    let client = oss.client();
    client.expect_append_crc("bucket", "k", 6, checksum(b"hello "));
    append(&client, 6, "world").await.unwrap();
    oss.lie(true);
    let err = append(&client, 11, "!").await.unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");

    let other = oss.client();
    oss.lie(false);
    other.expect_append_crc("bucket", "k", 12, checksum(b"not the object"));
    let err = append(&other, 12, "?").await.unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");
}

#[tokio::test]
async fn complete_with_listed_parts_is_checked_and_not_retried() {
    let oss = FakeOss::start().await;
    let client = oss.client();
    let upload = upload_parts(&client, true, &["abc", "defg", "h"]).await;
    complete(&client, &upload, Some(listed(&[1, 2, 3])))
        .await
        .unwrap();

    let upload = upload_parts(&client, true, &["abc", "defg", "h"]).await;
    oss.lie(true);
    let err = complete(&client, &upload, Some(listed(&[1, 3])))
        .await
        .unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");
    assert_eq!(
        oss.count("POST", "uploadId="),
        2,
        "a completed upload is not completed again"
    );
}

#[tokio::test]
async fn complete_all_is_checked_when_this_client_saw_every_part() {
    let oss = FakeOss::start().await;
    let client = oss.client();
    let upload = upload_parts(&client, true, &["abc", "defg"]).await;
    complete(&client, &upload, None).await.unwrap();

    let upload = upload_parts(&client, true, &["abc", "defg"]).await;
    oss.lie(true);
    let err = complete(&client, &upload, None).await.unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");
}

#[tokio::test]
async fn uncertain_uploads_are_not_checked() {
    let oss = FakeOss::start().await;
    oss.lie(true);

    // Initiated elsewhere: complete-all cannot know every part.
    let client = oss.client();
    let upload = upload_parts(&client, false, &["abc", "defg"]).await;
    complete(&client, &upload, None).await.unwrap();

    // A listed part this client did not upload, or with another ETag.
    let upload = upload_parts(&client, true, &["abc"]).await;
    complete(&client, &upload, Some(listed(&[1, 2])))
        .await
        .unwrap();
    let mut parts = listed(&[1]);
    parts.parts[0].etag = "\"other\"".into();
    let upload = upload_parts(&client, true, &["abc"]).await;
    complete(&client, &upload, Some(parts)).await.unwrap();

    // A part copied without a range has an unknown size.
    let upload = upload_parts(&client, true, &["abc"]).await;
    client
        .upload_part_copy()
        .bucket("bucket")
        .key("k")
        .upload_id(&upload)
        .part_number(2)
        .copy_source(oss_model::CopySource::new("bucket", "src"))
        .send()
        .await
        .unwrap();
    complete(&client, &upload, None).await.unwrap();

    // An aborted upload is forgotten.
    let upload = upload_parts(&client, true, &["abc"]).await;
    client
        .abort_multipart_upload()
        .bucket("bucket")
        .key("k")
        .upload_id(&upload)
        .send()
        .await
        .unwrap();
    complete(&client, &upload, Some(listed(&[1])))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_copied_range_counts_as_a_known_part() {
    let oss = FakeOss::start().await;
    let client = oss.client();
    let upload = upload_parts(&client, true, &["abc"]).await;
    client
        .upload_part_copy()
        .bucket("bucket")
        .key("k")
        .upload_id(&upload)
        .part_number(2)
        .copy_source(oss_model::CopySource::new("bucket", "src"))
        .copy_source_range("bytes=10-15")
        .send()
        .await
        .unwrap();
    complete(&client, &upload, None).await.unwrap();
    let upload = upload_parts(&client, true, &["abc"]).await;
    client
        .upload_part_copy()
        .bucket("bucket")
        .key("k")
        .upload_id(&upload)
        .part_number(2)
        .copy_source(oss_model::CopySource::new("bucket", "src"))
        .copy_source_range("bytes=10-15")
        .send()
        .await
        .unwrap();
    oss.lie(true);
    let err = complete(&client, &upload, None).await.unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");
}

#[tokio::test]
async fn without_verify_crc_nothing_is_checked() {
    let oss = FakeOss::start().await;
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(oss.server.url())
            .credentials(StaticProvider::from_keys("ak", "sk"))
            .verify_crc(false)
            .build()
            .unwrap(),
    );
    append(&client, 0, "hello ").await.unwrap();
    let upload = upload_parts(&client, true, &["abc"]).await;
    oss.lie(true);
    append(&client, 6, "world").await.unwrap();
    complete(&client, &upload, None).await.unwrap();
}
