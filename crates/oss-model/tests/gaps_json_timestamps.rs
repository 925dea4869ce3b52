//! `timestamp` members of JSON shapes: ISO 8601 strings in vector-bucket and vector-index
//! documents (`CreationDate`, `createTime`).
//!
//! Documents are the Python SDK v2's (the `tests/fixtures/` files the fixture tests also read) or
//! written here by hand from the OSS API reference's examples; expected values are read by hand.

use oss_model::json::JsonDocument;
use oss_model::{VectorBucketInfo, VectorBucketInfoDocument, VectorIndex};
use time::macros::datetime;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

#[test]
fn get_vector_bucket_creation_date_is_a_timestamp_and_writes_back_identically() {
    let doc = VectorBucketInfoDocument::from_json(&fixture("GetVectorBucket.json")).expect("doc");
    assert_eq!(
        doc.bucket_info.creation_date,
        Some(datetime!(2013-07-31 10:56:21 UTC))
    );
    let written: serde_json::Value = serde_json::from_slice(&doc.to_json()).expect("JSON");
    let original: serde_json::Value =
        serde_json::from_slice(&fixture("GetVectorBucket.json")).expect("JSON");
    assert_eq!(written, original);
}

#[test]
fn json_timestamps_are_written_as_iso8601_with_milliseconds() {
    let info = VectorBucketInfo {
        creation_date: Some(datetime!(2024-02-29 23:59:58.5 UTC)),
        ..VectorBucketInfo::default()
    };
    assert_eq!(
        String::from_utf8(info.to_json()).expect("UTF-8"),
        r#"{"CreationDate":"2024-02-29T23:59:58.500Z"}"#
    );
    assert_eq!(
        String::from_utf8(VectorBucketInfo::default().to_json()).expect("UTF-8"),
        "{}"
    );
}

#[test]
fn json_timestamps_accept_offsets_null_and_absence() {
    let index =
        VectorIndex::from_json(br#"{"createTime":"2023-12-17T08:20:57+08:00"}"#).expect("index");
    assert_eq!(index.create_time, Some(datetime!(2023-12-17 00:20:57 UTC)));
    let index = VectorIndex::from_json(br#"{"createTime":null}"#).expect("index");
    assert_eq!(index.create_time, None);
    let index = VectorIndex::from_json(br#"{"indexName":"a"}"#).expect("index");
    assert_eq!(index.create_time, None);
}

#[test]
fn malformed_json_timestamps_are_typed_errors() {
    for bad in [
        &br#"{"createTime":"2023-02-30T00:00:00.000Z"}"#[..],
        br#"{"createTime":"yesterday"}"#,
        br#"{"createTime":1702772457}"#,
    ] {
        let err = VectorIndex::from_json(bad).expect_err("rejected");
        assert!(
            err.to_string().starts_with("invalid JSON document:"),
            "{err}"
        );
    }
}
