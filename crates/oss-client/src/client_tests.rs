//! The attempt loop against a local server that verifies signatures with `oss_sign::verify`:
//! addressing, V4/V1 signing, retries, body replay, CRC-64 and Content-MD5, clock skew,
//! timeouts, presigning.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use oss_proto::operation::{
    Operation, OperationMetadata, RequestBody, RequestParts, ResponseBodyKind, Scope,
};
use oss_sign::request::{Headers, Resource, SignableRequest};
use oss_sign::verify::{VerifyOptions, verify};

use crate::credentials::{AnonymousProvider, Credentials, StaticProvider};
use crate::test_server::{Reply, Request, TestServer};
use crate::transport::FixedResolver;
use crate::{AddressingStyle, Body, Client, Config, Error, RetryPolicy, SignatureVersion};

const AK: &str = "test-ak";
const SK: &str = "test-sk";

fn parts(method: http::Method, key: Option<&str>, query: &[(&str, Option<&str>)]) -> RequestParts {
    RequestParts {
        method,
        bucket: Some("bucket".into()),
        key: key.map(str::to_owned),
        query: query
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_owned)))
            .collect(),
        headers: http::HeaderMap::new(),
        body: RequestBody::Empty,
    }
}

/// GET ?acl on a bucket; the output is the body text.
pub(crate) struct GetAcl;
impl Operation for GetAcl {
    type Input = ();
    type Output = String;
    const METADATA: OperationMetadata = OperationMetadata {
        name: "GetBucketAcl",
        method: http::Method::GET,
        scope: Scope::Bucket,
        response_body: ResponseBodyKind::Buffered,
        requires_content_md5: false,
    };
    fn build_request(_: &()) -> Result<RequestParts, oss_proto::Error> {
        Ok(parts(http::Method::GET, None, &[("acl", None)]))
    }
    fn parse_output(_: &http::response::Parts, body: Bytes) -> Result<String, oss_proto::Error> {
        Ok(String::from_utf8_lossy(&body).into_owned())
    }
}

/// PUT object data; the output is the ETag.
struct PutData;
impl Operation for PutData {
    type Input = String;
    type Output = Option<String>;
    const METADATA: OperationMetadata = OperationMetadata {
        name: "PutObject",
        method: http::Method::PUT,
        scope: Scope::Object,
        response_body: ResponseBodyKind::Empty,
        requires_content_md5: false,
    };
    fn build_request(key: &String) -> Result<RequestParts, oss_proto::Error> {
        let mut p = parts(http::Method::PUT, Some(key), &[]);
        p.body = RequestBody::Streaming;
        Ok(p)
    }
    fn parse_output(
        head: &http::response::Parts,
        _: Bytes,
    ) -> Result<Option<String>, oss_proto::Error> {
        Ok(head
            .headers
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned))
    }
}

/// GET object data, optionally a range.
struct GetData;
impl Operation for GetData {
    type Input = Option<&'static str>;
    type Output = u16;
    const METADATA: OperationMetadata = OperationMetadata {
        name: "GetObject",
        method: http::Method::GET,
        scope: Scope::Object,
        response_body: ResponseBodyKind::Streaming,
        requires_content_md5: false,
    };
    fn build_request(range: &Option<&'static str>) -> Result<RequestParts, oss_proto::Error> {
        let mut p = parts(http::Method::GET, Some("dir/a b.txt"), &[]);
        if let Some(r) = range {
            p.headers
                .insert(http::header::RANGE, http::HeaderValue::from_static(r));
        }
        Ok(p)
    }
    fn parse_output(head: &http::response::Parts, _: Bytes) -> Result<u16, oss_proto::Error> {
        Ok(head.status.as_u16())
    }
}

/// POST ?delete with a document that needs Content-MD5.
struct DeleteMulti;
impl Operation for DeleteMulti {
    type Input = ();
    type Output = ();
    const METADATA: OperationMetadata = OperationMetadata {
        name: "DeleteMultipleObjects",
        method: http::Method::POST,
        scope: Scope::Bucket,
        response_body: ResponseBodyKind::Buffered,
        requires_content_md5: true,
    };
    fn build_request(_: &()) -> Result<RequestParts, oss_proto::Error> {
        let mut p = parts(http::Method::POST, None, &[("delete", None)]);
        p.body = RequestBody::Bytes(Bytes::from_static(
            b"<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object></Delete>",
        ));
        Ok(p)
    }
    fn parse_output(_: &http::response::Parts, _: Bytes) -> Result<(), oss_proto::Error> {
        Ok(())
    }
}

/// Checks a request's signature as OSS would; `Err` carries the verifier's complaint.
fn check_signature(req: &Request, bucket: &str, key: Option<&str>) -> Result<(), String> {
    let query = oss_sign::encoding::decode_query(req.query.as_deref().unwrap_or(""));
    let resource = match key {
        Some(key) => Resource::Object { bucket, key },
        None => Resource::Bucket(bucket),
    };
    let method = req.method.clone();
    let signable = SignableRequest::new(&method, resource)
        .with_query(oss_sign::request::Query::Owned(&query))
        .with_headers(Headers::Map(&req.headers));
    let lookup = |ak: &str| (ak == AK).then(|| oss_sign::Credentials::new(AK, SK));
    verify(
        &signable,
        lookup,
        &VerifyOptions::new(time::OffsetDateTime::now_utc()),
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

fn forbidden(reason: &str) -> Reply {
    Reply::status(
        403,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SignatureDoesNotMatch</Code><Message>{reason}</Message><RequestId>r</RequestId></Error>"
        ),
    )
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .base_delay(Duration::from_millis(1))
}

fn client(server: &TestServer, version: SignatureVersion) -> Client {
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(server.url())
            .credentials(StaticProvider::from_keys(AK, SK))
            .signature_version(version)
            .retry(fast_retries())
            .build()
            .unwrap(),
    )
}

#[tokio::test]
async fn path_style_v4_and_v1_requests_verify() {
    let server = TestServer::start(|req| {
        if req.path != "/bucket/" || req.query.as_deref() != Some("acl") {
            return Reply::status(400, format!("unexpected {} {:?}", req.path, req.query));
        }
        match check_signature(req, "bucket", None) {
            Ok(()) => Reply::ok("<AccessControlPolicy/>").header("x-oss-request-id", "rid-1"),
            Err(e) => forbidden(&e),
        }
    })
    .await;
    for version in [SignatureVersion::V4, SignatureVersion::V1] {
        let out = client(&server, version).call::<GetAcl>(()).await.unwrap();
        assert_eq!(out, "<AccessControlPolicy/>");
    }
    let requests = server.requests();
    assert!(
        requests[0]
            .header("authorization")
            .unwrap()
            .starts_with("OSS4-HMAC-SHA256 ")
    );
    assert!(
        requests[1]
            .header("authorization")
            .unwrap()
            .starts_with("OSS test-ak:")
    );
    assert!(
        requests[0]
            .header("user-agent")
            .unwrap()
            .starts_with("oss-rs/")
    );
}

#[tokio::test]
async fn virtual_hosted_style_through_the_resolver() {
    let server = TestServer::start(|req| {
        let host = req.header("host").unwrap_or_default();
        if !host.starts_with("bucket.oss-cn-hangzhou.aliyuncs.com") || req.path != "/" {
            return Reply::status(400, format!("unexpected host {host} path {}", req.path));
        }
        match check_signature(req, "bucket", None) {
            Ok(()) => Reply::ok("vh"),
            Err(e) => forbidden(&e),
        }
    })
    .await;
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(format!(
                "http://oss-cn-hangzhou.aliyuncs.com:{}",
                server.port()
            ))
            .addressing_style(AddressingStyle::VirtualHosted)
            .resolver(FixedResolver::new([127, 0, 0, 1].into()))
            .credentials(StaticProvider::from_keys(AK, SK))
            .build()
            .unwrap(),
    );
    assert_eq!(client.call::<GetAcl>(()).await.unwrap(), "vh");
}

#[tokio::test]
async fn security_token_is_sent_and_anonymous_is_unsigned() {
    let server = TestServer::start(|_| Reply::ok("ok")).await;
    let sts = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(server.url())
            .credentials(StaticProvider::new(
                Credentials::new(AK, SK).with_security_token("sts-token"),
            ))
            .build()
            .unwrap(),
    );
    sts.call::<GetAcl>(()).await.unwrap();
    let anon = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(server.url())
            .credentials(AnonymousProvider)
            .build()
            .unwrap(),
    );
    anon.call::<GetAcl>(()).await.unwrap();
    let requests = server.requests();
    assert_eq!(
        requests[0].header("x-oss-security-token").as_deref(),
        Some("sts-token")
    );
    assert_eq!(requests[1].header("authorization"), None);
}

#[tokio::test]
async fn retries_503_then_succeeds() {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let server = TestServer::start(move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) < 2 {
            Reply::status(503, "<Error><Code>ServiceUnavailable</Code></Error>")
        } else {
            Reply::ok("finally")
        }
    })
    .await;
    let out = client(&server, SignatureVersion::V4)
        .call::<GetAcl>(())
        .await
        .unwrap();
    assert_eq!(out, "finally");
    assert_eq!(count.load(Ordering::SeqCst), 3);
    // Each attempt was signed afresh (V4 signs x-oss-date; all verify).
    for req in server.requests() {
        assert!(req.header("authorization").is_some());
    }
}

#[tokio::test]
async fn not_found_is_not_retried() {
    let server = TestServer::start(|_| {
        Reply::status(
            404,
            "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist.</Message><RequestId>abc</RequestId></Error>",
        )
        .header("x-oss-request-id", "abc")
    })
    .await;
    let err = client(&server, SignatureVersion::V4)
        .call::<GetAcl>(())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.code(), Some("NoSuchBucket"));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn file_bodies_are_replayed_streams_are_not() {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let server = TestServer::start(move |req| {
        if seen.fetch_add(1, Ordering::SeqCst).is_multiple_of(2) {
            return Reply::status(503, "");
        }
        let crc = oss_proto::crc::checksum(&req.body);
        Reply::ok("")
            .header("etag", "\"e\"")
            .header("x-oss-hash-crc64ecma", crc.to_string())
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.bin");
    std::fs::write(&path, b"file contents").unwrap();
    let client = client(&server, SignatureVersion::V4);
    let etag = client
        .call_with_body::<PutData>("k".into(), Body::from_path(&path).await.unwrap())
        .await
        .unwrap();
    assert_eq!(etag.as_deref(), Some("\"e\""));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(&requests[0].body[..], b"file contents");
    assert_eq!(&requests[1].body[..], b"file contents");
    assert_eq!(requests[1].header("content-length").as_deref(), Some("13"));
    assert!(check_signature(&requests[1], "bucket", Some("k")).is_ok());

    // A stream is sent once: the 503 is final.
    let stream = futures_util::stream::iter(vec![Ok(Bytes::from_static(b"once"))]);
    let err = client
        .call_with_body::<PutData>("k".into(), Body::from_stream(stream, Some(4)))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn upload_crc_mismatch_is_an_integrity_error_after_retries() {
    let server = TestServer::start(|_| Reply::ok("").header("x-oss-hash-crc64ecma", "12345")).await;
    let err = client(&server, SignatureVersion::V4)
        .call_with_body::<PutData>("k".into(), Body::from("payload"))
        .await
        .unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");
    assert_eq!(server.requests().len(), 3, "replayable bodies are retried");
}

#[tokio::test]
async fn download_crc_is_checked_for_full_gets_only() {
    let data = Bytes::from_static(b"object data for crc");
    let good = oss_proto::crc::checksum(&data);
    let server = TestServer::start(move |req| {
        let crc = if req.header("x-test-wrong").is_some() || req.header("range").is_some() {
            good ^ 1
        } else {
            good
        };
        let status = if req.header("range").is_some() {
            206
        } else {
            200
        };
        Reply::bytes(status, data.clone()).header("x-oss-hash-crc64ecma", crc.to_string())
    })
    .await;
    let client = client(&server, SignatureVersion::V4);
    let (status, stream) = client.call_streaming::<GetData>(None).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(&stream.collect().await.unwrap()[..], b"object data for crc");
    let (status, stream) = client
        .call_streaming::<GetData>(Some("bytes=0-3"))
        .await
        .unwrap();
    assert_eq!(status, 206);
    assert!(
        stream.collect().await.is_ok(),
        "ranges carry the whole object's CRC"
    );
    assert_eq!(server.requests()[0].path, "/bucket/dir/a%20b.txt");
}

#[tokio::test]
async fn download_crc_mismatch_surfaces_at_end_of_stream() {
    let server = TestServer::start(|_| {
        Reply::bytes(200, Bytes::from_static(b"tampered")).header("x-oss-hash-crc64ecma", "1")
    })
    .await;
    let (_, stream) = client(&server, SignatureVersion::V4)
        .call_streaming::<GetData>(None)
        .await
        .unwrap();
    let err = stream.collect().await.unwrap_err();
    assert!(err.is_checksum_mismatch(), "{err}");
}

#[tokio::test]
async fn content_md5_is_added_when_required() {
    let server = TestServer::start(|req| {
        let expected = oss_proto::crc::content_md5(&req.body);
        if req.header("content-md5").as_deref() == Some(expected.as_str()) {
            Reply::ok("<DeleteResult/>")
        } else {
            Reply::status(400, "<Error><Code>InvalidDigest</Code></Error>")
        }
    })
    .await;
    client(&server, SignatureVersion::V4)
        .call::<DeleteMulti>(())
        .await
        .unwrap();
}

#[tokio::test]
async fn clock_skew_is_corrected_from_server_time() {
    let server_time = time::OffsetDateTime::now_utc() + time::Duration::hours(2);
    let stamp = server_time
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let server = TestServer::start(move |req| {
        let date = req.header("x-oss-date").unwrap_or_default();
        let fmt = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
        let sent = time::PrimitiveDateTime::parse(&date, &fmt).unwrap().assume_utc();
        if (sent - server_time).abs() > time::Duration::minutes(15) {
            Reply::status(
                403,
                format!("<Error><Code>RequestTimeTooSkewed</Code><Message>skewed</Message><ServerTime>{stamp}</ServerTime></Error>"),
            )
        } else {
            Reply::ok("in sync")
        }
    })
    .await;
    let client = client(&server, SignatureVersion::V4);
    assert_eq!(client.call::<GetAcl>(()).await.unwrap(), "in sync");
    assert_eq!(server.requests().len(), 2);
    // Later calls use the corrected clock straight away.
    client.call::<GetAcl>(()).await.unwrap();
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn read_and_operation_timeouts() {
    let server = TestServer::start(|_| Reply::ok("late").delay(Duration::from_millis(500))).await;
    let base = || {
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(server.url())
            .credentials(StaticProvider::from_keys(AK, SK))
            .retry(RetryPolicy::disabled())
    };
    let read = Client::new(
        base()
            .read_timeout(Some(Duration::from_millis(50)))
            .build()
            .unwrap(),
    );
    let err = read.call::<GetAcl>(()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: crate::TimeoutKind::Read,
                ..
            }
        ),
        "{err}"
    );
    let op = Client::new(
        base()
            .operation_timeout(Duration::from_millis(50))
            .build()
            .unwrap(),
    );
    let err = op.call::<GetAcl>(()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: crate::TimeoutKind::Operation,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn presigned_url_is_accepted_by_the_verifier() {
    let server =
        TestServer::start(
            |req| match check_signature(req, "bucket", Some("dir/a b.txt")) {
                Ok(()) => Reply::ok("presigned ok"),
                Err(e) => forbidden(&e),
            },
        )
        .await;
    for version in [SignatureVersion::V4, SignatureVersion::V1] {
        let client = client(&server, version);
        let presigned = client
            .presign::<GetData>(&None, Duration::from_secs(300))
            .await
            .unwrap();
        assert_eq!(presigned.method, http::Method::GET);
        assert!(presigned.expires_at > std::time::SystemTime::now());
        // Fetch it with a plain HTTP client, no SDK involved.
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<http_body_util::Empty<Bytes>>();
        let response = http.get(presigned.url.parse().unwrap()).await.unwrap();
        assert_eq!(response.status(), 200, "{version}: {}", presigned.url);
    }
}

/// A listing whose input is a marker and whose output is (truncated, next marker, body).
struct ListPages;
impl Operation for ListPages {
    type Input = Option<String>;
    type Output = (bool, Option<String>, String);
    const METADATA: OperationMetadata = OperationMetadata {
        name: "ListObjects",
        method: http::Method::GET,
        scope: Scope::Bucket,
        response_body: ResponseBodyKind::Buffered,
        requires_content_md5: false,
    };
    fn build_request(marker: &Option<String>) -> Result<RequestParts, oss_proto::Error> {
        let mut p = parts(http::Method::GET, None, &[]);
        if let Some(m) = marker {
            p.query.push(("marker".into(), Some(m.clone())));
        }
        Ok(p)
    }
    fn parse_output(
        head: &http::response::Parts,
        body: Bytes,
    ) -> Result<Self::Output, oss_proto::Error> {
        let next = head
            .headers
            .get("x-test-next")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let truncated = head.headers.contains_key("x-test-truncated");
        Ok((truncated, next, String::from_utf8_lossy(&body).into_owned()))
    }
}
impl oss_proto::paginate::Paginated for ListPages {
    const ITEMS: &'static [&'static str] = &["body"];
    fn next_input(
        _: &Option<String>,
        out: &Self::Output,
    ) -> Result<Option<Option<String>>, oss_proto::Error> {
        match out {
            (false, _, _) => Ok(None),
            (true, Some(next), _) => Ok(Some(Some(next.clone()))),
            (true, None, _) => Err(oss_proto::Error::PaginationStalled {
                operation: "ListObjects",
            }),
        }
    }
}

#[tokio::test]
async fn paginator_streams_every_page() {
    use futures_util::TryStreamExt as _;
    let server = TestServer::start(|req| match req.query.as_deref() {
        None => Reply::ok("page1")
            .header("x-test-truncated", "1")
            .header("x-test-next", "m1"),
        Some("marker=m1") => Reply::ok("page2")
            .header("x-test-truncated", "1")
            .header("x-test-next", "m2"),
        Some("marker=m2") => Reply::ok("page3"),
        Some("marker=stall") => Reply::ok("stalled").header("x-test-truncated", "1"),
        other => Reply::status(400, format!("unexpected {other:?}")),
    })
    .await;
    let client = client(&server, SignatureVersion::V4);
    let pages: Vec<_> = client
        .paginate::<ListPages>(None)
        .try_collect()
        .await
        .unwrap();
    let bodies: Vec<&str> = pages.iter().map(|p| p.2.as_str()).collect();
    assert_eq!(bodies, ["page1", "page2", "page3"]);

    let mut stalled = client.paginate::<ListPages>(Some("stall".into()));
    assert_eq!(stalled.try_next().await.unwrap().unwrap().2, "stalled");
    let err = stalled.try_next().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Protocol(oss_proto::Error::PaginationStalled { .. })
        ),
        "{err}"
    );
    assert!(stalled.try_next().await.unwrap().is_none());
}

/// Records every span field and event field as `name=value` text.
#[derive(Default)]
struct Recorder {
    lines: std::sync::Mutex<Vec<String>>,
    next_id: AtomicUsize,
}

struct FieldText<'a>(&'a mut String);

impl tracing::field::Visit for FieldText<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut line = span.metadata().name().to_owned();
        span.record(&mut FieldText(&mut line));
        self.lines.lock().unwrap().push(line);
        tracing::span::Id::from_u64(self.next_id.fetch_add(1, Ordering::SeqCst) as u64 + 1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut line = "record".to_owned();
        values.record(&mut FieldText(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = "event".to_owned();
        event.record(&mut FieldText(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn spans_name_the_operation_and_never_a_secret() {
    let recorder = Arc::new(Recorder::default());
    let _guard = tracing::dispatcher::set_default(&tracing::Dispatch::from(Arc::clone(&recorder)));
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    let server = TestServer::start(move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::status(503, "<Error><Code>ServiceUnavailable</Code></Error>")
        } else {
            Reply::ok("").header("x-oss-request-id", "REQ-123")
        }
    })
    .await;
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(server.url())
            .credentials(StaticProvider::new(
                Credentials::new("AK-visible", "SECRET-sk-xyz").with_security_token("TOKEN-xyz"),
            ))
            .retry(fast_retries())
            .build()
            .unwrap(),
    );
    client
        .call_with_body::<PutData>("logged/key".into(), Body::from("data"))
        .await
        .unwrap();
    let lines = recorder.lines.lock().unwrap().join("\n");
    assert!(
        lines
            .contains("oss.operation operation=\"PutObject\" bucket=\"bucket\" key=\"logged/key\""),
        "{lines}"
    );
    assert!(lines.contains("oss.attempt attempt=2"), "{lines}");
    assert!(lines.contains("status=503"), "{lines}");
    assert!(lines.contains("status=200"), "{lines}");
    assert!(lines.contains("request_id=\"REQ-123\""), "{lines}");
    assert!(!lines.contains("SECRET-sk-xyz"), "{lines}");
    assert!(!lines.contains("TOKEN-xyz"), "{lines}");
}

/// An HTTPS server offering h2 and http/1.1 by ALPN, with a self-signed certificate for
/// `*.oss-cn-hangzhou.aliyuncs.com`; records the HTTP version of each request.
pub(crate) async fn tls_server() -> (u16, Vec<u8>, Arc<std::sync::Mutex<Vec<http::Version>>>) {
    let key =
        rcgen::generate_simple_self_signed(vec!["bucket.oss-cn-hangzhou.aliyuncs.com".to_owned()])
            .unwrap();
    let cert_der = key.cert.der().to_vec();
    let mut server_config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![key.cert.der().clone()],
        rustls::pki_types::PrivateKeyDer::Pkcs8(key.signing_key.serialize_der().into()),
    )
    .unwrap();
    server_config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server_config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let versions = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&versions);
    tokio::spawn(async move {
        for _ in 0..16 {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service =
                    hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        seen.lock().unwrap().push(req.version());
                        async {
                            Ok::<_, std::convert::Infallible>(http::Response::new(
                                http_body_util::Full::new(Bytes::from_static(b"over tls")),
                            ))
                        }
                    });
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                .await;
            });
        }
    });
    (port, cert_der, versions)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_negotiates_http2_by_alpn_and_checks_the_certificate() {
    let (port, cert, versions) = tls_server().await;
    let base = || {
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(format!("https://oss-cn-hangzhou.aliyuncs.com:{port}"))
            .resolver(FixedResolver::new([127, 0, 0, 1].into()))
            .credentials(StaticProvider::from_keys(AK, SK))
            .retry(RetryPolicy::disabled())
    };
    let trusted = Client::new(base().add_root_certificate(cert).build().unwrap());
    assert_eq!(trusted.call::<GetAcl>(()).await.unwrap(), "over tls");
    assert_eq!(versions.lock().unwrap().as_slice(), [http::Version::HTTP_2]);

    // Without the test CA the handshake fails: a transport error, not a response.
    let untrusted = Client::new(base().build().unwrap());
    let err = untrusted.call::<GetAcl>(()).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err}");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
}

#[test]
fn garbage_root_certificate_is_a_config_error() {
    let err = Config::builder()
        .region("cn-hangzhou")
        .credentials(AnonymousProvider)
        .add_root_certificate(b"not a certificate".to_vec())
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { .. }), "{err}");
}

#[tokio::test]
async fn slow_but_steady_upload_outlives_the_idle_read_timeout() {
    let server = TestServer::start(|req| {
        let crc = oss_proto::crc::checksum(&req.body);
        Reply::ok("").header("x-oss-hash-crc64ecma", crc.to_string())
    })
    .await;
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .endpoint(server.url())
            .credentials(StaticProvider::from_keys(AK, SK))
            .retry(RetryPolicy::disabled())
            .read_timeout(Some(Duration::from_millis(150)))
            .build()
            .unwrap(),
    );
    // 10 chunks, one every 50 ms: 500 ms in all, never idle for 150 ms.
    let chunks = futures_util::stream::unfold(0u8, |i| async move {
        if i == 10 {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        Some((Ok(Bytes::from(vec![i; 1000])), i + 1))
    });
    client
        .call_with_body::<PutData>("slow".into(), Body::from_stream(chunks, Some(10_000)))
        .await
        .unwrap();
    assert_eq!(server.requests()[0].body.len(), 10_000);

    // A body that stalls is cut off by the same idle limit.
    let stalled = futures_util::stream::unfold(0u8, |i| async move {
        if i == 1 {
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        Some((Ok(Bytes::from_static(b"x")), i + 1))
    });
    let err = client
        .call_with_body::<PutData>("stalled".into(), Body::from_stream(stalled, Some(100)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: crate::TimeoutKind::Read,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn debug_output_of_client_and_config_hides_secrets() {
    let client = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials(StaticProvider::new(
                Credentials::new("AK-shown", "SK-never-shown").with_security_token("TOK-never"),
            ))
            .build()
            .unwrap(),
    );
    let shown = format!("{client:?} {:?}", client.config());
    assert!(shown.contains("AK-shown"), "{shown}");
    assert!(!shown.contains("SK-never-shown"), "{shown}");
    assert!(!shown.contains("TOK-never"), "{shown}");
}

/// DELETE ?worm: `worm` is signed under V1 only because the spec says so for this operation.
struct AbortWorm;
impl Operation for AbortWorm {
    type Input = ();
    type Output = ();
    const METADATA: OperationMetadata = OperationMetadata {
        name: "AbortBucketWorm",
        method: http::Method::DELETE,
        scope: Scope::Bucket,
        response_body: ResponseBodyKind::Empty,
        requires_content_md5: false,
    };
    const V1_SIGNED_QUERY: &'static [&'static str] = &["worm"];
    fn build_request(_: &()) -> Result<RequestParts, oss_proto::Error> {
        Ok(parts(http::Method::DELETE, None, &[("worm", None)]))
    }
    fn parse_output(_: &http::response::Parts, _: Bytes) -> Result<(), oss_proto::Error> {
        Ok(())
    }
}

#[tokio::test]
async fn v1_signs_the_operations_extra_sub_resources() {
    let server = TestServer::start(|req| {
        let query = oss_sign::encoding::decode_query(req.query.as_deref().unwrap_or(""));
        let method = req.method.clone();
        let signable = SignableRequest::new(&method, Resource::Bucket("bucket"))
            .with_query(oss_sign::request::Query::Owned(&query))
            .with_headers(Headers::Map(&req.headers));
        let lookup = |ak: &str| (ak == AK).then(|| oss_sign::Credentials::new(AK, SK));
        let now = time::OffsetDateTime::now_utc();
        let with_worm = VerifyOptions::new(now).with_v1_sub_resources(&["worm"]);
        let without = VerifyOptions::new(now);
        match (
            verify(&signable, lookup, &with_worm),
            verify(&signable, lookup, &without),
        ) {
            (Ok(_), Err(_)) => Reply::status(204, ""),
            other => forbidden(&format!("{other:?}")),
        }
    })
    .await;
    client(&server, SignatureVersion::V1)
        .call::<AbortWorm>(())
        .await
        .unwrap();
}

/// A 203 carrying an OSS `<Error>` document (`CallbackFailed`: the upload landed, its callback
/// did not) is an error and is not retried; a 203 without one reads as a success.
#[tokio::test]
async fn non_authoritative_203_is_an_error_only_with_an_error_document() {
    let callback_failed = TestServer::start(|_| {
        Reply::status(
            203,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>CallbackFailed</Code><Message>Error status : 502.</Message><RequestId>rid-203</RequestId></Error>",
        )
    })
    .await;
    let err = client(&callback_failed, SignatureVersion::V4)
        .call::<GetAcl>(())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("CallbackFailed"));
    assert_eq!(
        err.status(),
        Some(http::StatusCode::NON_AUTHORITATIVE_INFORMATION)
    );
    assert_eq!(callback_failed.requests().len(), 1);

    let plain = TestServer::start(|_| Reply::status(203, "{\"callback\":\"ok\"}")).await;
    let out = client(&plain, SignatureVersion::V4)
        .call::<GetAcl>(())
        .await
        .unwrap();
    assert_eq!(out, "{\"callback\":\"ok\"}");
    assert_eq!(plain.requests().len(), 1);
}

/// An operation whose success body never parses.
struct Unreadable;
impl Operation for Unreadable {
    type Input = ();
    type Output = ();
    const METADATA: OperationMetadata = GetAcl::METADATA;
    fn build_request(_: &()) -> Result<RequestParts, oss_proto::Error> {
        GetAcl::build_request(&())
    }
    fn parse_output(_: &http::response::Parts, _: Bytes) -> Result<(), oss_proto::Error> {
        Err(oss_proto::Error::invalid_response(
            "GetBucketAcl",
            "not an AccessControlPolicy",
        ))
    }
}

/// The exchange succeeded, so a success body that does not parse is returned at once: it is
/// not retried, whatever the retry policy.
#[tokio::test]
async fn unparsable_success_body_is_not_retried() {
    let server = TestServer::start(|_| {
        Reply::ok("<NotAnAcl/>").header("x-oss-request-id", "5C3D9175B6FC201293AD4890")
    })
    .await;
    let err = client(&server, SignatureVersion::V4)
        .call::<Unreadable>(())
        .await
        .unwrap_err();
    // The request id of the unreadable response is kept for support.
    assert!(
        matches!(
            &err,
            Error::Protocol(oss_proto::Error::InvalidResponse { request_id: Some(id), .. })
                if id == "5C3D9175B6FC201293AD4890"
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("5C3D9175B6FC201293AD4890"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1);
}
