//! The hand-written machinery driving generated operations, no sockets: typed input →
//! `build_request` → `Endpoint::build_request` → URL and headers, and response head + body →
//! `read_response` → typed output or typed error. Expected URLs are the official Python SDK
//! v2's (`/work/shared/vectors/python-sdk/signed.jsonl`) or written by hand from the OSS docs.

use bytes::Bytes;
use oss_proto::Error;
use oss_proto::endpoint::{AddressingStyle, Endpoint, EndpointKind};
use oss_proto::generated::{
    DeleteMultipleObjects, GetBucketAcl, GetObject, HeadObject, InitiateMultipartUpload,
    ListObjectsV2,
};
use oss_proto::operation::Operation;
use oss_proto::response::read_response;

fn hangzhou() -> Endpoint {
    Endpoint::from_region("cn-hangzhou", EndpointKind::Public).expect("endpoint")
}

fn request<O: Operation>(endpoint: &Endpoint, input: &O::Input) -> http::Request<()> {
    let parts = O::build_request(input).expect("parts");
    endpoint
        .build_request(O::METADATA.scope, &parts, ())
        .expect("request")
}

fn head(status: u16, headers: &[(&str, &str)]) -> http::response::Parts {
    let mut builder = http::Response::builder().status(status);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder.body(()).expect("response").into_parts().0
}

#[test]
fn get_object_unicode_key_matches_the_python_sdk() {
    let input = oss_model::GetObjectInput::builder()
        .bucket("oss-example")
        .key("dir one/子目录/file name ü+&=?#.txt")
        .range("bytes=0-99")
        .build()
        .expect("input");
    let r = request::<GetObject>(&hangzhou(), &input);
    assert_eq!(r.method(), http::Method::GET);
    assert_eq!(
        r.uri().to_string(),
        "https://oss-example.oss-cn-hangzhou.aliyuncs.com/dir%20one/%E5%AD%90%E7%9B%AE%E5%BD%95/file%20name%20%C3%BC%2B%26%3D%3F%23.txt"
    );
    assert_eq!(r.headers()["range"], "bytes=0-99");
    assert_eq!(
        r.headers()["host"],
        "oss-example.oss-cn-hangzhou.aliyuncs.com"
    );
}

#[test]
fn list_objects_v2_query_matches_the_python_sdk() {
    let input = oss_model::ListObjectsV2Input::builder()
        .bucket("oss-example")
        .prefix("photos/2025 年/")
        .delimiter("/")
        .continuation_token("ChR0ZXN0L2ZpbGUrbmFtZT0xLnR4dBAA")
        .max_keys(100)
        .build()
        .expect("input");
    let r = request::<ListObjectsV2>(&hangzhou(), &input);
    let uri = r.uri();
    assert_eq!(uri.host(), Some("oss-example.oss-cn-hangzhou.aliyuncs.com"));
    assert_eq!(uri.path(), "/");
    // The same pairs as the Python SDK's URL; the order of query parameters is free.
    let mut got: Vec<&str> = uri.query().expect("query").split('&').collect();
    let mut want: Vec<&str> = "list-type=2&prefix=photos%2F2025%20%E5%B9%B4%2F&delimiter=%2F&continuation-token=ChR0ZXN0L2ZpbGUrbmFtZT0xLnR4dBAA&max-keys=100&encoding-type=url"
        .split('&')
        .collect();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want);
}

#[test]
fn valueless_subresources() {
    let input = oss_model::InitiateMultipartUploadInput::builder()
        .bucket("oss-example")
        .key("big/object.bin")
        .build()
        .expect("input");
    let r = request::<InitiateMultipartUpload>(&hangzhou(), &input);
    assert_eq!(r.method(), http::Method::POST);
    assert_eq!(
        r.uri().host(),
        Some("oss-example.oss-cn-hangzhou.aliyuncs.com")
    );
    assert_eq!(r.uri().path(), "/big/object.bin");
    // The sub-resource is written bare (the spec may add `encoding-type=url` after it).
    let query = r.uri().query().expect("query");
    assert_eq!(query.split('&').next(), Some("uploads"));

    let input = oss_model::GetBucketAclInput::builder()
        .bucket("oss-example")
        .build()
        .expect("input");
    let path_style = hangzhou().with_style(AddressingStyle::Path);
    let r = request::<GetBucketAcl>(&path_style, &input);
    assert_eq!(
        r.uri().to_string(),
        "https://oss-cn-hangzhou.aliyuncs.com/oss-example/?acl"
    );
}

#[test]
fn content_md5_for_operations_that_require_it() {
    let metadata = DeleteMultipleObjects::METADATA;
    assert!(metadata.requires_content_md5);
    let input = oss_model::DeleteMultipleObjectsInput::builder()
        .bucket("oss-example")
        .delete(oss_model::Delete {
            quiet: Some(true),
            objects: vec![oss_model::ObjectIdentifier {
                key: "multipart.data".into(),
                version_id: None,
            }],
        })
        .build()
        .expect("input");
    let mut parts = DeleteMultipleObjects::build_request(&input).expect("parts");
    oss_proto::crc::ensure_content_md5(&DeleteMultipleObjects::METADATA, &mut parts).expect("md5");
    let oss_proto::operation::RequestBody::Bytes(body) = &parts.body else {
        panic!("DeleteMultipleObjects has an XML body");
    };
    // Compared with an independent MD5: the `md-5` crate over the exact bytes sent.
    use base64::Engine as _;
    use md5::Digest as _;
    let expected = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(body));
    assert_eq!(parts.headers["content-md5"], expected.as_str());
    let r = hangzhou()
        .build_request(DeleteMultipleObjects::METADATA.scope, &parts, body.clone())
        .expect("request");
    let query = r.uri().query().expect("query");
    assert_eq!(query.split('&').next(), Some("delete"));
    assert_eq!(r.headers()["content-type"], "application/xml");
    assert_eq!(
        r.headers()["content-length"],
        body.len().to_string().as_str()
    );
}

#[test]
fn success_goes_to_the_generated_parser() {
    // The GetBucketAcl response example of the OSS API reference.
    let body = r#"<?xml version="1.0" ?>
<AccessControlPolicy>
    <Owner>
        <ID>0022012****</ID>
        <DisplayName>user_example</DisplayName>
    </Owner>
    <AccessControlList>
        <Grant>public-read</Grant>
    </AccessControlList>
</AccessControlPolicy>"#;
    let h = head(
        200,
        &[
            ("content-type", "application/xml"),
            ("x-oss-request-id", "534B371674E88A4D8906****"),
        ],
    );
    let out = read_response::<GetBucketAcl>(&h, Bytes::from(body)).expect("output");
    assert_eq!(out.owner.id, "0022012****");
    assert_eq!(out.request_id.as_deref(), Some("534B371674E88A4D8906****"));
}

#[test]
fn error_document_instead_of_output() {
    let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchBucket</Code>
  <Message>The specified bucket does not exist.</Message>
  <RequestId>5C3D9175B6FC201293AD****</RequestId>
  <HostId>test.oss-cn-hangzhou.aliyuncs.com</HostId>
  <BucketName>test</BucketName>
  <EC>0015-00000101</EC>
</Error>"#;
    let h = head(404, &[("x-oss-request-id", "5C3D9175B6FC201293AD****")]);
    let err = read_response::<GetBucketAcl>(&h, Bytes::from(body)).expect_err("error");
    assert!(err.is_not_found());
    assert_eq!(err.code(), Some("NoSuchBucket"));
    let Error::Service(service) = &err else {
        panic!("service error expected, got {err:?}");
    };
    assert_eq!(service.extra["BucketName"], "test");
    assert_eq!(oss_proto::retry::classify(&err), None);
}

#[test]
fn head_object_error_from_x_oss_err() {
    use base64::Engine as _;
    let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>NoSuchKey</Code>\n  \
               <Message>The specified key does not exist.</Message>\n  \
               <RequestId>5C3D9175B6FC201293AD****</RequestId>\n  <EC>0026-00000001</EC>\n</Error>";
    let encoded = base64::engine::general_purpose::STANDARD.encode(doc);
    let h = head(
        404,
        &[
            ("x-oss-request-id", "5C3D9175B6FC201293AD****"),
            ("x-oss-ec", "0026-00000001"),
            ("x-oss-err", &encoded),
        ],
    );
    let err = read_response::<HeadObject>(&h, Bytes::new()).expect_err("error");
    assert_eq!(err.code(), Some("NoSuchKey"));
    assert_eq!(err.request_id(), Some("5C3D9175B6FC201293AD****"));
}

#[test]
fn throttling_is_retryable() {
    let h = head(503, &[("x-oss-request-id", "r")]);
    let err = read_response::<GetBucketAcl>(&h, Bytes::from_static(b"<html>busy</html>"))
        .expect_err("error");
    assert_eq!(
        oss_proto::retry::classify(&err),
        Some(oss_proto::retry::RetryReason::ServerError)
    );
}
