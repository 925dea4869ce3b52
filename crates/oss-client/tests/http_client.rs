//! A mock transport behind the `HttpClient` seam: the client hands it exactly the request OSS
//! expects (URI, headers, body, a signature `oss_sign::verify` accepts) and reads its canned
//! responses into typed outputs and errors, retrying what it should.
#![allow(clippy::unwrap_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt as _;
use oss_client::credentials::StaticProvider;
use oss_client::transport::{
    HttpClient, HttpError, HttpErrorKind, HttpFuture, HttpRequest, HttpResponseBody, OperationName,
};
use oss_client::{Client, Config, Error, NotFollowed, RetryPolicy, TimeoutKind};
use oss_sign::request::{Headers, Query, Resource, SignableRequest};
use oss_sign::verify::{VerifyOptions, verify};

const AK: &str = "mock-ak";
const SK: &str = "mock-sk";

/// One request as the mock received it.
#[derive(Debug, Clone)]
struct Seen {
    method: http::Method,
    uri: http::Uri,
    headers: http::HeaderMap,
    body: Bytes,
    operation: Option<&'static str>,
}

enum Canned {
    Reply {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Bytes,
    },
    Fail(HttpErrorKind),
}

#[derive(Debug, Clone, Default)]
struct Mock {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    seen: Vec<Seen>,
    replies: VecDeque<Canned>,
}

impl std::fmt::Debug for Canned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Canned::Reply { status, .. } => write!(f, "Reply({status})"),
            Canned::Fail(kind) => write!(f, "Fail({kind:?})"),
        }
    }
}

impl Mock {
    fn reply(&self, status: u16, headers: &[(&'static str, &str)], body: &[u8]) -> &Self {
        self.state.lock().unwrap().replies.push_back(Canned::Reply {
            status,
            headers: headers.iter().map(|(n, v)| (*n, v.to_string())).collect(),
            body: Bytes::copy_from_slice(body),
        });
        self
    }

    fn fail(&self, kind: HttpErrorKind) -> &Self {
        self.state
            .lock()
            .unwrap()
            .replies
            .push_back(Canned::Fail(kind));
        self
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }
}

impl HttpClient for Mock {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        Box::pin(async move {
            let (head, body) = request.into_parts();
            let body = body.collect().await.expect("request body").to_bytes();
            let mut state = self.state.lock().unwrap();
            state.seen.push(Seen {
                method: head.method,
                uri: head.uri,
                headers: head.headers,
                body,
                operation: head.extensions.get::<OperationName>().map(|o| o.0),
            });
            match state.replies.pop_front().expect("a canned reply is left") {
                Canned::Reply {
                    status,
                    headers,
                    body,
                } => {
                    let mut response = http::Response::builder().status(status);
                    for (name, value) in headers {
                        response = response.header(name, value);
                    }
                    Ok(response.body(HttpResponseBody::from(body)).unwrap())
                }
                Canned::Fail(kind) => Err(HttpError::new(kind, "mock failure")),
            }
        })
    }
}

fn client(mock: &Mock) -> Client {
    Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials(StaticProvider::from_keys(AK, SK))
            .retry(
                RetryPolicy::default()
                    .max_attempts(3)
                    .base_delay(Duration::from_millis(1)),
            )
            .http_client(mock.clone())
            .build()
            .unwrap(),
    )
}

/// Checks `seen`'s signature with the server-side verifier, for `bucket` and `key`.
fn verify_signature(seen: &Seen, bucket: &str, key: &str) {
    let query = oss_sign::encoding::decode_query(seen.uri.query().unwrap_or(""));
    let signable = SignableRequest::new(seen.method.as_str(), Resource::Object { bucket, key })
        .with_query(Query::Owned(&query))
        .with_headers(Headers::Map(&seen.headers));
    let lookup = |ak: &str| (ak == AK).then(|| oss_sign::Credentials::new(AK, SK));
    verify(
        &signable,
        lookup,
        &VerifyOptions::new(time::OffsetDateTime::now_utc()),
    )
    .expect("the signature verifies");
}

fn header<'a>(seen: &'a Seen, name: &str) -> &'a str {
    seen.headers
        .get(name)
        .unwrap_or_else(|| panic!("header {name} is sent"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn the_mock_sees_the_exact_request_and_its_reply_is_read_into_the_output() {
    let mock = Mock::default();
    mock.reply(
        200,
        &[("x-oss-request-id", "5C1B138A109F4E405B2D0001")],
        b"",
    );
    let out = client(&mock)
        .put_object_tagging()
        .bucket("examplebucket")
        .key("dir/a b+c.txt")
        .tagging(oss_model::Tagging {
            tag_set: oss_model::TagSet {
                tags: vec![oss_model::Tag {
                    key: "project".into(),
                    value: Some("a & b".into()),
                }],
            },
        })
        .send()
        .await
        .expect("PutObjectTagging");
    assert_eq!(out.request_id.as_deref(), Some("5C1B138A109F4E405B2D0001"));

    let seen = mock.seen();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req.operation, Some("PutObjectTagging"));
    assert_eq!(req.method, http::Method::PUT);
    assert_eq!(
        req.uri.to_string(),
        "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/dir/a%20b%2Bc.txt?tagging"
    );
    assert_eq!(
        &req.body[..],
        &b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging><TagSet><Tag><Key>project</Key>\
<Value>a &amp; b</Value></Tag></TagSet></Tagging>"[..]
    );
    // MD5 and length of that body, computed with Python's hashlib.
    assert_eq!(header(req, "content-md5"), "jRBVwycpzwtIC5O+xbdnHA==");
    assert_eq!(header(req, "content-length"), "128");
    assert_eq!(header(req, "x-oss-content-sha256"), "UNSIGNED-PAYLOAD");
    assert!(header(req, "user-agent").starts_with("oss-rs/"));
    let auth = header(req, "authorization");
    let date = &header(req, "x-oss-date")[..8];
    assert!(
        auth.starts_with(&format!(
            "OSS4-HMAC-SHA256 Credential={AK}/{date}/cn-hangzhou/oss/aliyun_v4_request"
        )),
        "{auth}"
    );
    assert!(!auth.contains(SK));
    verify_signature(req, "examplebucket", "dir/a b+c.txt");
}

#[tokio::test]
async fn a_streamed_download_is_typed_and_its_crc_checked() {
    let mock = Mock::default();
    // CRC-64/ECMA-182 (XZ) of "hello mock", computed with a bitwise Python reference.
    let headers = [
        ("content-length", "10"),
        ("content-type", "text/plain"),
        ("etag", "\"5EB63BBBE01EEED093CB22BB8F5ACDC3\""),
        ("x-oss-hash-crc64ecma", "11210807882738003463"),
        ("x-oss-object-type", "Normal"),
        ("x-oss-meta-owner", "mock"),
        ("x-oss-request-id", "5C1B138A109F4E405B2D0002"),
    ];
    mock.reply(200, &headers, b"hello mock");
    let (out, body) = client(&mock)
        .get_object()
        .bucket("examplebucket")
        .key("hello.txt")
        .send()
        .await
        .expect("GetObject");
    assert_eq!(out.content_length, Some(10));
    assert_eq!(out.content_type.as_deref(), Some("text/plain"));
    assert_eq!(
        out.etag.as_deref(),
        Some("\"5EB63BBBE01EEED093CB22BB8F5ACDC3\"")
    );
    assert_eq!(out.object_type, Some(oss_model::ObjectType::Normal));
    assert_eq!(out.request_id.as_deref(), Some("5C1B138A109F4E405B2D0002"));
    assert_eq!(&body.collect().await.expect("body")[..], b"hello mock");
    let req = &mock.seen()[0];
    assert_eq!(req.method, http::Method::GET);
    assert_eq!(
        req.uri.to_string(),
        "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/hello.txt"
    );
    assert!(req.body.is_empty());
    verify_signature(req, "examplebucket", "hello.txt");

    // The same object with one corrupted byte fails its CRC when the stream ends.
    mock.reply(200, &headers, b"hellO mock");
    let (_, body) = client(&mock)
        .get_object()
        .bucket("examplebucket")
        .key("hello.txt")
        .send()
        .await
        .expect("GetObject");
    let err = body.collect().await.expect_err("checksum mismatch");
    assert!(err.is_checksum_mismatch(), "{err}");
}

#[tokio::test]
async fn error_documents_become_typed_errors_and_only_retryable_ones_are_retried() {
    let mock = Mock::default();
    let no_such_key = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\
<Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>\
<RequestId>5C1B138A109F4E405B2D0003</RequestId><HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>\
<Key>missing.txt</Key><EC>0026-00000001</EC></Error>";
    mock.reply(
        404,
        &[
            ("content-type", "application/xml"),
            ("x-oss-request-id", "5C1B138A109F4E405B2D0003"),
            ("x-oss-ec", "0026-00000001"),
        ],
        no_such_key,
    );
    let err = client(&mock)
        .delete_object_tagging()
        .bucket("examplebucket")
        .key("missing.txt")
        .send()
        .await
        .expect_err("NoSuchKey");
    assert_eq!(err.code(), Some("NoSuchKey"));
    assert_eq!(err.status(), Some(http::StatusCode::NOT_FOUND));
    assert!(err.is_not_found());
    let service = err.service_error().unwrap();
    assert_eq!(service.request_id, "5C1B138A109F4E405B2D0003");
    assert_eq!(service.ec.as_deref(), Some("0026-00000001"));
    assert_eq!(
        service.extra.get("Key").map(String::as_str),
        Some("missing.txt")
    );
    assert_eq!(mock.seen().len(), 1, "a 404 is not retried");

    // A 503, then a connection failure, then success: three attempts, all signed afresh.
    mock.reply(
        503,
        &[("x-oss-request-id", "5C1B138A109F4E405B2D0004")],
        b"<Error><Code>ServiceUnavailable</Code><Message>Please reduce your request rate.</Message></Error>",
    )
    .fail(HttpErrorKind::Request)
    .reply(204, &[("x-oss-request-id", "5C1B138A109F4E405B2D0005")], b"");
    let out = client(&mock)
        .delete_object_tagging()
        .bucket("examplebucket")
        .key("k")
        .send()
        .await
        .expect("retried to success");
    assert_eq!(out.request_id.as_deref(), Some("5C1B138A109F4E405B2D0005"));
    let seen = mock.seen();
    assert_eq!(seen.len(), 4);
    for req in &seen[1..] {
        assert_eq!(req.method, http::Method::DELETE);
        assert_eq!(
            req.uri.to_string(),
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/k?tagging"
        );
        verify_signature(req, "examplebucket", "k");
    }
}

#[tokio::test]
async fn transport_failures_are_typed() {
    let mock = Mock::default();
    mock.fail(HttpErrorKind::ConnectTimeout(Duration::from_secs(7)))
        .fail(HttpErrorKind::Connect)
        .fail(HttpErrorKind::Connect);
    let err = client(&mock)
        .get_bucket_acl()
        .bucket("examplebucket")
        .send()
        .await
        .expect_err("three failed attempts");
    assert_eq!(mock.seen().len(), 3);
    match &err {
        Error::Transport { operation, source } => {
            assert_eq!(*operation, "GetBucketAcl");
            let http = source.downcast_ref::<HttpError>().expect("an HttpError");
            assert_eq!(http.kind(), HttpErrorKind::Connect);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().contains("connect error: mock failure"),
        "{err}"
    );

    let mock = Mock::default();
    mock.fail(HttpErrorKind::ConnectTimeout(Duration::from_secs(7)));
    let one_attempt = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials(StaticProvider::from_keys(AK, SK))
            .retry(RetryPolicy::disabled())
            .http_client(mock.clone())
            .build()
            .unwrap(),
    );
    let err = one_attempt
        .get_bucket_acl()
        .bucket("examplebucket")
        .send()
        .await
        .expect_err("connect timeout");
    assert!(
        matches!(
            err,
            Error::Timeout {
                kind: TimeoutKind::Connect,
                after
            } if after == Duration::from_secs(7)
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn same_origin_redirects_are_followed_and_re_signed() {
    let mock = Mock::default();
    mock.reply(
        307,
        &[(
            "location",
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/moved/new%20name.txt?versionId=v2",
        )],
        b"",
    )
    .reply(302, &[("location", "/final.txt")], b"")
    .reply(
        200,
        &[
            ("content-length", "2"),
            ("x-oss-request-id", "5C1B138A109F4E405B2D0006"),
        ],
        b"ok",
    );
    let (out, body) = client(&mock)
        .get_object()
        .bucket("examplebucket")
        .key("old.txt")
        .send()
        .await
        .expect("redirected GetObject");
    assert_eq!(out.request_id.as_deref(), Some("5C1B138A109F4E405B2D0006"));
    assert_eq!(&body.collect().await.unwrap()[..], b"ok");
    let seen = mock.seen();
    let uris: Vec<String> = seen.iter().map(|r| r.uri.to_string()).collect();
    assert_eq!(
        uris,
        [
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/old.txt",
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/moved/new%20name.txt?versionId=v2",
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/final.txt",
        ]
    );
    // Each hop is signed for its own address.
    verify_signature(&seen[0], "examplebucket", "old.txt");
    verify_signature(&seen[1], "examplebucket", "moved/new name.txt");
    verify_signature(&seen[2], "examplebucket", "final.txt");
}

#[tokio::test]
async fn other_redirects_are_typed_errors_with_their_location() {
    // PermanentRedirect: the bucket lives in another region, named in the document.
    let mock = Mock::default();
    mock.reply(
        301,
        &[("x-oss-request-id", "5C1B138A109F4E405B2D0007")],
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>PermanentRedirect</Code>\
<Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message>\
<RequestId>5C1B138A109F4E405B2D0007</RequestId><HostId>examplebucket.oss-cn-hangzhou.aliyuncs.com</HostId>\
<Bucket>examplebucket</Bucket><Endpoint>oss-cn-beijing.aliyuncs.com</Endpoint></Error>",
    );
    let err = client(&mock)
        .get_object()
        .bucket("examplebucket")
        .key("a.txt")
        .send()
        .await
        .expect_err("301");
    let redirect = err.redirect().expect("a redirect");
    assert_eq!(redirect.status().as_u16(), 301);
    assert_eq!(redirect.reason(), NotFollowed::NoLocation);
    assert_eq!(redirect.endpoint(), Some("oss-cn-beijing.aliyuncs.com"));
    assert_eq!(redirect.location(), None);
    assert_eq!(err.code(), Some("PermanentRedirect"));
    assert_eq!(
        err.service_error().unwrap().request_id,
        "5C1B138A109F4E405B2D0007"
    );
    assert!(
        err.to_string()
            .contains("to endpoint oss-cn-beijing.aliyuncs.com"),
        "{err}"
    );
    assert_eq!(mock.seen().len(), 1, "not retried");

    let cases: [(u16, &str, NotFollowed); 4] = [
        // Another host: the signed request is not sent there.
        (
            302,
            "https://origin.example.com/a.txt",
            NotFollowed::CrossOrigin,
        ),
        // Same host, plain HTTP.
        (
            307,
            "http://examplebucket.oss-cn-hangzhou.aliyuncs.com/a.txt",
            NotFollowed::CrossOrigin,
        ),
        // The bucket itself, not an object.
        (
            307,
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/",
            NotFollowed::OtherResource,
        ),
        // Not a URI.
        (302, "http://[bad", NotFollowed::NoLocation),
    ];
    for (status, location, reason) in cases {
        let mock = Mock::default();
        mock.reply(status, &[("location", location)], b"");
        let err = client(&mock)
            .get_object()
            .bucket("examplebucket")
            .key("a.txt")
            .send()
            .await
            .expect_err("not followed");
        let redirect = err.redirect().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(redirect.reason(), reason, "{location}");
        assert_eq!(redirect.status().as_u16(), status);
        assert_eq!(redirect.location(), Some(location));
        assert_eq!(mock.seen().len(), 1);
    }

    // A 302 to a PUT would turn it into a GET: returned, not followed.
    let mock = Mock::default();
    mock.reply(302, &[("location", "/b.txt?tagging")], b"");
    let err = client(&mock)
        .put_object_tagging()
        .bucket("examplebucket")
        .key("a.txt")
        .tagging(oss_model::Tagging::default())
        .send()
        .await
        .expect_err("302 on PUT");
    assert_eq!(err.redirect().unwrap().reason(), NotFollowed::MethodChange);
    assert_eq!(
        err.redirect().unwrap().location(),
        Some("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/b.txt?tagging")
    );

    // A redirect loop stops after the configured number of hops.
    let mock = Mock::default();
    for _ in 0..4 {
        mock.reply(307, &[("location", "/a.txt")], b"");
    }
    let err = client(&mock)
        .get_object()
        .bucket("examplebucket")
        .key("a.txt")
        .send()
        .await
        .expect_err("loop");
    assert_eq!(err.redirect().unwrap().reason(), NotFollowed::TooMany(3));
    assert_eq!(mock.seen().len(), 4);

    // With following off, the first redirect is returned.
    let mock = Mock::default();
    mock.reply(307, &[("location", "/b.txt")], b"");
    let no_follow = Client::new(
        Config::builder()
            .region("cn-hangzhou")
            .credentials(StaticProvider::from_keys(AK, SK))
            .max_redirects(0)
            .http_client(mock.clone())
            .build()
            .unwrap(),
    );
    let err = no_follow
        .get_object()
        .bucket("examplebucket")
        .key("a.txt")
        .send()
        .await
        .expect_err("not followed");
    assert_eq!(err.redirect().unwrap().reason(), NotFollowed::TooMany(0));
    assert_eq!(mock.seen().len(), 1);
}
