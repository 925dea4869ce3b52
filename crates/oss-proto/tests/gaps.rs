//! Spec-format extensions seen through the generated operations: text-root documents, fixed
//! sub-resources given a value by a member, JSON text bodies' content type, empty optional
//! bodies. Expected wire values are the official Go SDK v2's (its `oss/*_test.go` unit tests) or
//! the OSS API reference's, written here by hand.

use bytes::Bytes;
use oss_proto::endpoint::{Endpoint, EndpointKind};
use oss_proto::generated::{
    DeleteBucketTags, DeleteMultipleObjects, DescribeRegions, GetBucketLocation, GetBucketPolicy,
    ProcessObject, PutAccessPointPolicy, PutBucketPolicy, PutVectors, QueryVectors,
    ServerOperation, VectorPutBucketPolicy,
};
use oss_proto::operation::Operation;

fn head(headers: &[(&str, &str)]) -> http::response::Parts {
    let mut builder = http::Response::builder().status(200);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder.body(()).expect("response").into_parts().0
}

#[test]
fn get_bucket_location_output_is_the_typed_region() {
    // The response of the Go SDK v2's TestUnmarshalOutput_GetBucketLocation.
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
                <LocationConstraint>oss-cn-hangzhou</LocationConstraint>";
    let out = GetBucketLocation::parse_output(
        &head(&[
            ("x-oss-request-id", "534B371674E88A4D8906****"),
            ("content-type", "application/xml"),
        ]),
        Bytes::from(body),
    )
    .expect("output");
    assert_eq!(out.location_constraint, "oss-cn-hangzhou");
    assert_eq!(out.request_id.as_deref(), Some("534B371674E88A4D8906****"));
}

#[test]
fn get_bucket_location_rejects_a_document_that_is_not_a_location() {
    let err = GetBucketLocation::parse_output(&head(&[]), Bytes::from("oss-cn-hangzhou"));
    assert!(err.is_err());
}

fn query_of<O: Operation>(input: &O::Input) -> Vec<(String, Option<String>)> {
    O::build_request(input).expect("parts").query
}

fn q(name: &str, value: Option<&str>) -> (String, Option<String>) {
    (name.to_string(), value.map(str::to_string))
}

#[test]
fn describe_regions_sends_a_bare_regions_or_its_value() {
    // The Go SDK v2's TestMarshalInput_DescribeRegions: `regions` is "" without a region and
    // "oss-cn-hangzhou" with one.
    let all = oss_model::DescribeRegionsInput::builder()
        .build()
        .expect("input");
    assert_eq!(query_of::<DescribeRegions>(&all), [q("regions", None)]);
    let one = oss_model::DescribeRegionsInput::builder()
        .regions("oss-cn-hangzhou")
        .build()
        .expect("input");
    assert_eq!(
        query_of::<DescribeRegions>(&one),
        [q("regions", Some("oss-cn-hangzhou"))]
    );
    let endpoint = Endpoint::from_region("cn-hangzhou", EndpointKind::Public).expect("endpoint");
    let parts = DescribeRegions::build_request(&one).expect("parts");
    let request = endpoint
        .build_request(DescribeRegions::METADATA.scope, &parts, ())
        .expect("request");
    assert_eq!(
        request.uri().to_string(),
        "https://oss-cn-hangzhou.aliyuncs.com/?regions=oss-cn-hangzhou"
    );
    let parts = DescribeRegions::build_request(&all).expect("parts");
    let request = endpoint
        .build_request(DescribeRegions::METADATA.scope, &parts, ())
        .expect("request");
    assert_eq!(
        request.uri().to_string(),
        "https://oss-cn-hangzhou.aliyuncs.com/?regions"
    );
}

#[test]
fn delete_bucket_tags_sends_a_bare_tagging_or_the_keys() {
    let all = oss_model::DeleteBucketTagsInput::builder()
        .bucket("examplebucket")
        .build()
        .expect("input");
    assert_eq!(query_of::<DeleteBucketTags>(&all), [q("tagging", None)]);
    let some = oss_model::DeleteBucketTagsInput::builder()
        .bucket("examplebucket")
        .tagging("k1,k2")
        .build()
        .expect("input");
    assert_eq!(
        query_of::<DeleteBucketTags>(&some),
        [q("tagging", Some("k1,k2"))]
    );
}

#[test]
fn a_server_reads_a_bare_sub_resource_as_unset() {
    let bare = oss_proto::operation::RequestParts {
        method: http::Method::DELETE,
        bucket: Some("examplebucket".into()),
        key: None,
        query: vec![q("tagging", None)],
        headers: http::HeaderMap::new(),
        body: oss_proto::operation::RequestBody::Empty,
    };
    let input = DeleteBucketTags::parse_request(&bare, b"").expect("input");
    assert_eq!(input.tagging, None);
    let mut empty = bare.clone();
    empty.query = vec![q("tagging", Some(""))];
    assert_eq!(
        DeleteBucketTags::parse_request(&empty, b"")
            .expect("input")
            .tagging,
        None
    );
    let mut keys = bare;
    keys.query = vec![q("tagging", Some("k1,k2"))];
    assert_eq!(
        DeleteBucketTags::parse_request(&keys, b"")
            .expect("input")
            .tagging
            .as_deref(),
        Some("k1,k2")
    );
}

fn content_type<O: Operation>(input: &O::Input) -> Option<String> {
    O::build_request(input)
        .expect("parts")
        .headers
        .get(http::header::CONTENT_TYPE)
        .map(|v| v.to_str().expect("ASCII").to_string())
}

#[test]
fn json_text_bodies_are_sent_as_application_json() {
    // The Go SDK v2 sets `Content-Type: application/json` on PutBucketPolicy
    // (`oss/api_op_bucket_policy.go`) and on PutVectors and QueryVectors (`oss/vectors/api_op_vector.go`).
    let policy = r#"{"Version":"1","Statement":[]}"#;
    let put_policy = oss_model::PutBucketPolicyInput::builder()
        .bucket("examplebucket")
        .body(policy)
        .build()
        .expect("input");
    assert_eq!(
        content_type::<PutBucketPolicy>(&put_policy).as_deref(),
        Some("application/json")
    );
    let parts = PutBucketPolicy::build_request(&put_policy).expect("parts");
    match parts.body {
        oss_proto::operation::RequestBody::Bytes(b) => assert_eq!(b, policy.as_bytes()),
        other => panic!("unexpected body {other:?}"),
    }
    let put_vectors = oss_model::PutVectorsInput::builder()
        .bucket("vbucket")
        .body(oss_model::VectorsPutRequest {
            index_name: "idx".into(),
            vectors: vec![oss_model::Vector {
                key: "k".into(),
                data: Some(oss_model::VectorData {
                    float32: vec![0.5, -1.25],
                }),
                metadata: Some(serde_json::json!({"genre": "drama"})),
            }],
        })
        .build()
        .expect("input");
    match PutVectors::build_request(&put_vectors).expect("parts").body {
        oss_proto::operation::RequestBody::Bytes(b) => assert_eq!(
            b,
            &br#"{"indexName":"idx","vectors":[{"key":"k","data":{"float32":[0.5,-1.25]},"metadata":{"genre":"drama"}}]}"#[..]
        ),
        other => panic!("unexpected body {other:?}"),
    }
    assert_eq!(
        content_type::<PutVectors>(&put_vectors).as_deref(),
        Some("application/json")
    );
    let query = oss_model::QueryVectorsInput::builder()
        .bucket("vbucket")
        .body(oss_model::VectorsQueryRequest {
            index_name: "idx".into(),
            query_vector: oss_model::VectorData { float32: vec![1.0] },
            top_k: 1,
            filter: None,
            return_distance: None,
            return_metadata: None,
        })
        .build()
        .expect("input");
    assert_eq!(
        content_type::<QueryVectors>(&query).as_deref(),
        Some("application/json")
    );
    let vector_policy = oss_model::VectorPutBucketPolicyInput::builder()
        .bucket("vbucket")
        .body(policy)
        .build()
        .expect("input");
    assert_eq!(
        content_type::<VectorPutBucketPolicy>(&vector_policy).as_deref(),
        Some("application/json")
    );
}

#[test]
fn access_point_policies_carry_the_go_sdk_content_type_and_untyped_text_none() {
    // The Go SDK v2 sends access-point policies as `application/xml`
    // (`oss/api_op_accesspoint.go`, PutAccessPointPolicy).
    let input = oss_model::PutAccessPointPolicyInput::builder()
        .bucket("examplebucket")
        .access_point_name("ap-01")
        .body("{}")
        .build()
        .expect("input");
    assert_eq!(
        content_type::<PutAccessPointPolicy>(&input).as_deref(),
        Some("application/xml")
    );
    // A text body without a declared type gets no Content-Type from the operation.
    let process = oss_model::ProcessObjectInput::builder()
        .bucket("examplebucket")
        .key("a.jpg")
        .body("x-oss-process=image/resize,w_100")
        .build()
        .expect("input");
    assert_eq!(content_type::<ProcessObject>(&process), None);
}

#[test]
fn a_server_answers_a_json_policy_as_application_json() {
    let output = oss_model::GetBucketPolicyOutput {
        request_id: None,
        body: r#"{"Version":"1","Statement":[]}"#.to_string(),
    };
    let (headers, body) = GetBucketPolicy::build_response(&output).expect("response");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(body, output.body.as_bytes());
}

#[test]
fn delete_multiple_objects_quiet_success_with_an_empty_body_is_the_default_output() {
    // Quiet mode: OSS answers 200 with `Content-Length: 0` when every object was deleted (API
    // reference, DeleteMultipleObjects: "in quiet mode ... the response body is empty").
    let quiet = head(&[
        ("x-oss-request-id", "5C3D9175B6FC201293AD****"),
        ("content-length", "0"),
    ]);
    let out = oss_proto::response::read_response::<DeleteMultipleObjects>(&quiet, Bytes::new())
        .expect("an empty body is a success");
    assert!(out.deleted.is_empty());
    assert_eq!(out.encoding_type, None);
    assert_eq!(out.request_id.as_deref(), Some("5C3D9175B6FC201293AD****"));
    // Whitespace only is empty too.
    let out = DeleteMultipleObjects::parse_output(&quiet, Bytes::from_static(b"\r\n"))
        .expect("blank body");
    assert!(out.deleted.is_empty());
}

#[test]
fn delete_multiple_objects_verbose_body_still_parses_and_garbage_is_an_error() {
    // The response document of the API reference page (keys URL-encoded: `encoding-type=url`).
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult>\n\
                <EncodingType>url</EncodingType>\n<Deleted>\n<Key>multipart%2Edata</Key>\n</Deleted>\n\
                </DeleteResult>";
    let out = DeleteMultipleObjects::parse_output(&head(&[]), Bytes::from(body)).expect("output");
    assert_eq!(out.deleted.len(), 1);
    assert_eq!(out.deleted[0].key, "multipart.data");
    assert!(DeleteMultipleObjects::parse_output(&head(&[]), Bytes::from("<Delete")).is_err());
}

/// Issue 14: every XML or JSON document body carries its Content-MD5, as the official SDKs send.
#[test]
fn document_bodies_carry_content_md5() {
    use oss_proto::operation::{Operation as _, RequestBody};
    let input = oss_model::PutBucketTagsInput::builder()
        .bucket("examplebucket")
        .tagging(oss_model::Tagging {
            tag_set: oss_model::TagSet {
                tags: vec![oss_model::Tag {
                    key: "k".into(),
                    value: Some("v".into()),
                }],
            },
        })
        .build()
        .unwrap();
    let parts = oss_proto::generated::PutBucketTags::build_request(&input).unwrap();
    let RequestBody::Bytes(body) = &parts.body else {
        panic!("a document body")
    };
    assert_eq!(
        parts.headers["content-md5"],
        oss_proto::crc::content_md5(body).as_str()
    );
    assert_eq!(parts.headers["content-type"], "application/xml");
}

/// Issue 14: `<FunctionCompute>` writes `FunctionAssumeRoleArn` before `FunctionArn`, as the API
/// reference and the Go SDK v2 order them.
#[test]
fn function_compute_element_order() {
    use oss_model::xml::XmlDocument as _;
    let fc = oss_model::ObjectProcessFunctionCompute {
        function_arn: Some(
            "acs:fc:cn-qingdao:111933544165****:services/test-oss-fc.LATEST/functions/fc-01".into(),
        ),
        function_assume_role_arn: Some("acs:ram::111933544165****:role/aliyunfcdefaultrole".into()),
    };
    let xml = fc.to_xml();
    let role = xml.find("<FunctionAssumeRoleArn>").unwrap();
    let arn = xml.find("<FunctionArn>").unwrap();
    assert!(role < arn, "{xml}");
}

/// Issue 14: inputs that were missing from the spec reach the wire.
#[test]
fn worm_bypass_tagging_and_wildcard_inputs() {
    use oss_proto::operation::Operation as _;
    let put = oss_model::PutObjectInput::builder()
        .bucket("examplebucket")
        .key("k")
        .object_worm_mode(oss_model::ObjectWormMode::Governance)
        .object_worm_retain_until_date("2026-12-31T00:00:00.000Z")
        .build()
        .unwrap();
    let p = oss_proto::generated::PutObject::build_request(&put).unwrap();
    assert_eq!(p.headers["x-oss-object-worm-mode"], "GOVERNANCE");
    assert_eq!(
        p.headers["x-oss-object-worm-retain-until-date"],
        "2026-12-31T00:00:00.000Z"
    );
    let del = oss_model::DeleteObjectInput::builder()
        .bucket("examplebucket")
        .key("k")
        .bypass_governance_retention(true)
        .build()
        .unwrap();
    let p = oss_proto::generated::DeleteObject::build_request(&del).unwrap();
    assert_eq!(p.headers["x-oss-bypass-governance-retention"], "true");
    let bucket = oss_model::PutBucketInput::builder()
        .bucket("examplebucket")
        .bucket_tagging("k1=v1&k2=v2")
        .build()
        .unwrap();
    let p = oss_proto::generated::PutBucket::build_request(&bucket).unwrap();
    assert_eq!(p.headers["x-oss-bucket-tagging"], "k1=v1&k2=v2");
    let token = oss_model::GetCnameTokenInput::builder()
        .bucket("examplebucket")
        .cname("*.example.com")
        .wildcard(true)
        .build()
        .unwrap();
    let p = oss_proto::generated::GetCnameToken::build_request(&token).unwrap();
    assert!(
        p.query
            .iter()
            .any(|(k, v)| k == "wildcard" && v.as_deref() == Some("true")),
        "{:?}",
        p.query
    );
}
