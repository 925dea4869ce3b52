//! Spec-format extensions seen through the generated operations: text-root documents, fixed
//! sub-resources given a value by a member, JSON text bodies' content type, empty optional
//! bodies. Expected wire values are the official Go SDK v2's (its `oss/*_test.go` unit tests) or
//! the OSS API reference's, written here by hand.

use bytes::Bytes;
use oss_proto::generated::GetBucketLocation;
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
