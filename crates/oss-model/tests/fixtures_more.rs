//! Documents of the vector-bucket, vector-index, vectors, resource-pool QoS, LiveChannel and
//! anti-DDoS operations, read with the generated models.
//!
//! Sources of the fixtures under `tests/fixtures/`, named per test below:
//! - "Python SDK v2": the JSON documents the official Python SDK v2 replays in its unit tests
//!   (`tests/unit/vectors/models/test_*.py`);
//! - "Go SDK v2": the documents of the official Go SDK v2 unit tests (`oss/api_op_*_test.go`);
//! - "oss2": the documents of the official Python SDK v1 unit tests (`unittests/test_bucket.py`,
//!   `tests/test_mock_bucket.py`); no v2 SDK covers resource pools or LiveChannel;
//! - "API reference": the examples of the OSS API reference pages. Two of those examples are not
//!   well-formed XML as published (`<Name>test-group<Name/>`, unclosed `<GroupBucketInfo>`); the
//!   fixtures close the tags and keep every value.
//!
//! Expected values are read from those documents by hand, never produced by the code under test.
//! Request bodies (`*.request.*`) are also written back and read again, which must give the same
//! value.

use std::fmt::Debug;

use oss_model::json::JsonDocument;
use oss_model::xml::XmlDocument;
use oss_model::*;
use time::macros::datetime;

/// The bytes of `tests/fixtures/<name>`.
fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// Reads an XML fixture as `T`.
fn read_xml<T: XmlDocument>(name: &str) -> T {
    T::from_xml(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Reads a JSON fixture as `T`.
fn read_json<T: JsonDocument>(name: &str) -> T {
    T::from_json(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Writes `value` as XML and reads it back: the result must equal `value`.
fn assert_xml_round_trip<T: XmlDocument + PartialEq + Debug>(value: &T) {
    let xml = value.to_xml();
    let again = T::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{e} reading back {xml}"));
    assert_eq!(&again, value, "written as {xml}");
}

/// Writes `value` as JSON and reads it back: the result must equal `value`.
fn assert_json_round_trip<T: JsonDocument + PartialEq + Debug>(value: &T) {
    let json = value.to_json();
    let again = T::from_json(&json)
        .unwrap_or_else(|e| panic!("{e} reading back {}", String::from_utf8_lossy(&json)));
    assert_eq!(
        &again,
        value,
        "written as {}",
        String::from_utf8_lossy(&json)
    );
}

/// The JSON document a request body is written as, parsed (key order does not matter).
fn json_value<T: JsonDocument>(value: &T) -> serde_json::Value {
    serde_json::from_slice(&value.to_json()).expect("the written document is JSON")
}

/// A fixture parsed as a plain JSON value.
fn fixture_json_value(name: &str) -> serde_json::Value {
    serde_json::from_slice(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

// ------------------------------------------------------------------------------------------------
// Vector buckets (JSON)

/// GetVectorBucket response (Python SDK v2).
#[test]
fn get_vector_bucket_response() {
    let doc: VectorBucketInfoDocument = read_json("GetVectorBucket.json");
    let info = doc.bucket_info;
    assert_eq!(info.name.as_deref(), Some("oss-example"));
    assert_eq!(info.location.as_deref(), Some("oss-cn-hangzhou"));
    assert_eq!(info.creation_date, Some(datetime!(2013-07-31 10:56:21 UTC)));
    assert_eq!(
        info.extranet_endpoint.as_deref(),
        Some("oss-cn-hangzhou.aliyuncs.com")
    );
    assert_eq!(
        info.intranet_endpoint.as_deref(),
        Some("oss-cn-hangzhou-internal.aliyuncs.com")
    );
    assert_eq!(info.resource_group_id.as_deref(), Some("rg-aek27t"));
    assert_eq!(info.region, None);
}

/// ListVectorBuckets response (Python SDK v2).
#[test]
fn list_vector_buckets_response() {
    let doc: VectorListBucketsDocument = read_json("ListVectorBuckets.json");
    let page = doc.list_all_my_buckets_result;
    assert_eq!(page.prefix.as_deref(), Some("test"));
    assert_eq!(page.marker.as_deref(), Some("marker1"));
    assert_eq!(page.max_keys, Some(100));
    assert_eq!(page.is_truncated, Some(false));
    assert_eq!(page.next_marker.as_deref(), Some(""));
    assert_eq!(page.buckets.len(), 2);
    let first = &page.buckets[0];
    assert_eq!(first.name.as_deref(), Some("test-bucket-3"));
    assert_eq!(first.location.as_deref(), Some("oss-cn-shanghai"));
    assert_eq!(first.region.as_deref(), Some("cn-shanghai"));
    assert_eq!(
        first.creation_date,
        Some(datetime!(2014-02-07 18:12:43 UTC))
    );
    assert_eq!(
        first.extranet_endpoint.as_deref(),
        Some("oss-cn-shanghai.oss-vectors.aliyuncs.com")
    );
    assert_eq!(
        first.intranet_endpoint.as_deref(),
        Some("oss-cn-shanghai-internal.oss-vectors.aliyuncs.com")
    );
    assert_eq!(first.resource_group_id.as_deref(), Some("rg-default-id"));
    let second = &page.buckets[1];
    assert_eq!(second.name.as_deref(), Some("test-bucket-4"));
    assert_eq!(second.location.as_deref(), Some("oss-cn-hangzhou"));
    assert_eq!(second.region.as_deref(), Some("cn-hangzhou"));
    assert_eq!(
        second.creation_date,
        Some(datetime!(2014-02-05 11:21:04 UTC))
    );
}

/// Vector PutBucketLogging request (Python SDK v2): read, and written back as the same JSON.
#[test]
fn vector_put_bucket_logging_request() {
    let doc: VectorBucketLoggingDocument = read_json("VectorPutBucketLogging.request.json");
    let enabled = doc
        .bucket_logging_status
        .logging_enabled
        .as_ref()
        .expect("logging is on");
    assert_eq!(enabled.target_bucket, "examplebucket");
    assert_eq!(enabled.target_prefix.as_deref(), Some("MyLog-"));
    assert_eq!(
        enabled.logging_role.as_deref(),
        Some("AliyunOSSLoggingDefaultRole")
    );
    assert_json_round_trip(&doc);
    assert_eq!(
        json_value(&doc),
        fixture_json_value("VectorPutBucketLogging.request.json")
    );
}

/// Vector GetBucketLogging response with logging on (Python SDK v2).
#[test]
fn vector_get_bucket_logging_response() {
    let doc: VectorBucketLoggingDocument = read_json("VectorGetBucketLogging.json");
    let enabled = doc
        .bucket_logging_status
        .logging_enabled
        .expect("logging is on");
    assert_eq!(enabled.target_bucket, "mybucketlogs");
    assert_eq!(
        enabled.target_prefix.as_deref(),
        Some("mybucket-access_log/")
    );
    assert_eq!(
        enabled.logging_role.as_deref(),
        Some("AliyunOSSLoggingDefaultRole")
    );
}

/// Vector GetBucketLogging response with logging off (Python SDK v2).
#[test]
fn vector_get_bucket_logging_response_when_off() {
    let doc: VectorBucketLoggingDocument = read_json("VectorGetBucketLogging.disabled.json");
    assert_eq!(doc.bucket_logging_status.logging_enabled, None);
}

#[test]
fn vector_logging_without_its_target_bucket_is_an_error() {
    let err = VectorBucketLoggingDocument::from_json(
        br#"{"BucketLoggingStatus": {"LoggingEnabled": {"TargetPrefix": "p/"}}}"#,
    )
    .expect_err("TargetBucket is required");
    assert!(err.to_string().contains("TargetBucket"), "{err}");
}

// ------------------------------------------------------------------------------------------------
// Vector indexes (JSON)

/// PutVectorIndex request (Python SDK v2).
#[test]
fn put_vector_index_request() {
    let doc: VectorIndexConfiguration = read_json("PutVectorIndex.request.json");
    assert_eq!(doc.index_name, "test-index");
    assert_eq!(doc.data_type, "vector");
    assert_eq!(doc.dimension, 128);
    assert_eq!(doc.distance_metric, "EUCLIDEAN");
    let metadata = doc.metadata.as_ref().expect("metadata is given");
    assert_eq!(metadata.non_filterable_metadata_keys, ["key1", "key2"]);
    assert_json_round_trip(&doc);
    assert_eq!(
        json_value(&doc),
        fixture_json_value("PutVectorIndex.request.json")
    );
}

/// GetVectorIndex and DeleteVectorIndex request (Python SDK v2).
#[test]
fn get_vector_index_request() {
    let doc: VectorIndexName = read_json("GetVectorIndex.request.json");
    assert_eq!(doc.index_name, "test-index");
    assert_json_round_trip(&doc);
    assert_eq!(
        json_value(&doc),
        fixture_json_value("GetVectorIndex.request.json")
    );
}

/// GetVectorIndex response (Python SDK v2).
#[test]
fn get_vector_index_response() {
    let doc: VectorIndexDocument = read_json("GetVectorIndex.json");
    let index = doc.index;
    assert_eq!(index.create_time, Some(datetime!(2023-12-17 00:20:57 UTC)));
    assert_eq!(index.data_type.as_deref(), Some("vector"));
    assert_eq!(index.dimension, Some(128));
    assert_eq!(index.distance_metric.as_deref(), Some("EUCLIDEAN"));
    assert_eq!(index.index_name.as_deref(), Some("test-index"));
    assert_eq!(index.status.as_deref(), Some("Active"));
    assert_eq!(index.vector_bucket_name.as_deref(), Some("test-bucket"));
    assert_eq!(
        index
            .metadata
            .expect("metadata is present")
            .non_filterable_metadata_keys,
        ["key1", "key2"]
    );
}

/// ListVectorIndexes request (Python SDK v2).
#[test]
fn list_vector_indexes_request() {
    let doc: VectorIndexListRequest = read_json("ListVectorIndexes.request.json");
    assert_eq!(doc.max_results, Some(100));
    assert_eq!(doc.next_token.as_deref(), Some("test-token"));
    assert_eq!(doc.prefix.as_deref(), Some("test-"));
    assert_json_round_trip(&doc);
    assert_eq!(
        json_value(&doc),
        fixture_json_value("ListVectorIndexes.request.json")
    );
}

/// An empty ListVectorIndexes request is the empty JSON object.
#[test]
fn empty_list_vector_indexes_request_is_an_empty_object() {
    let doc = VectorIndexListRequest::default();
    assert_eq!(json_value(&doc), serde_json::json!({}));
}

/// ListVectorIndexes response (Python SDK v2).
#[test]
fn list_vector_indexes_response() {
    let doc: VectorIndexList = read_json("ListVectorIndexes.json");
    assert_eq!(doc.next_token.as_deref(), Some("next-token"));
    assert_eq!(doc.indexes.len(), 1);
    let index = &doc.indexes[0];
    assert_eq!(index.create_time, Some(datetime!(2023-12-17 00:20:57 UTC)));
    assert_eq!(index.index_name.as_deref(), Some("test-index1"));
    assert_eq!(index.data_type.as_deref(), Some("vector"));
    assert_eq!(index.dimension, Some(128));
    assert_eq!(index.distance_metric.as_deref(), Some("EUCLIDEAN"));
    assert_eq!(index.vector_bucket_name.as_deref(), Some("test-bucket"));
    assert_eq!(index.status.as_deref(), Some("Active"));
    assert_eq!(
        index
            .metadata
            .as_ref()
            .expect("metadata is present")
            .non_filterable_metadata_keys,
        ["key1", "key2"]
    );
}

// ------------------------------------------------------------------------------------------------
// Vectors (JSON)

/// GetVectors request (Python SDK v2).
#[test]
fn get_vectors_request() {
    let doc: VectorsGetRequest = read_json("GetVectors.request.json");
    assert_eq!(doc.index_name, "test-index");
    assert_eq!(doc.keys, ["key1", "key2"]);
    assert_eq!(doc.return_data, Some(true));
    assert_eq!(doc.return_metadata, Some(false));
    assert_json_round_trip(&doc);
    assert_eq!(
        json_value(&doc),
        fixture_json_value("GetVectors.request.json")
    );
}

/// ListVectors request (Python SDK v2).
#[test]
fn list_vectors_request() {
    let doc: VectorsListRequest = read_json("ListVectors.request.json");
    assert_eq!(doc.index_name, "test-index");
    assert_eq!(doc.max_results, Some(100));
    assert_eq!(doc.next_token.as_deref(), Some("test-token"));
    assert_eq!(doc.return_data, Some(true));
    assert_eq!(doc.return_metadata, Some(false));
    assert_eq!(doc.segment_count, Some(5));
    assert_eq!(doc.segment_index, Some(2));
    assert_json_round_trip(&doc);
    assert_eq!(
        json_value(&doc),
        fixture_json_value("ListVectors.request.json")
    );
}

/// DeleteVectors request (Python SDK v2).
#[test]
fn delete_vectors_request() {
    let doc: VectorsDeleteRequest = read_json("DeleteVectors.request.json");
    assert_eq!(doc.index_name, "test-index");
    assert_eq!(doc.keys, ["key1", "key2", "key3"]);
    assert_json_round_trip(&doc);
    assert_eq!(
        json_value(&doc),
        fixture_json_value("DeleteVectors.request.json")
    );
}

#[test]
fn vectors_request_without_its_index_is_an_error() {
    let err =
        VectorsDeleteRequest::from_json(br#"{"keys": ["k"]}"#).expect_err("indexName is required");
    assert!(err.to_string().contains("indexName"), "{err}");
}

// ------------------------------------------------------------------------------------------------
// Resource pool QoS (XML)

/// Asserts the nine limits of a `QoSConfiguration`, in document order.
fn assert_limits(qos: &QoSConfiguration, expected: [Option<i64>; 9]) {
    let actual = [
        qos.total_upload_bandwidth,
        qos.intranet_upload_bandwidth,
        qos.extranet_upload_bandwidth,
        qos.total_download_bandwidth,
        qos.intranet_download_bandwidth,
        qos.extranet_download_bandwidth,
        qos.total_qps,
        qos.intranet_qps,
        qos.extranet_qps,
    ];
    assert_eq!(actual, expected);
}

/// PutBucketQoSInfo API reference, sample request (six bandwidth limits, no QPS).
#[test]
fn put_bucket_qos_info_request() {
    let doc: QoSConfiguration = read_xml("PutBucketQoSInfo.request.xml");
    assert_limits(
        &doc,
        [
            Some(10),
            Some(-1),
            Some(-1),
            Some(10),
            Some(-1),
            Some(-1),
            None,
            None,
            None,
        ],
    );
    assert_xml_round_trip(&doc);
}

/// GetBucketQoSInfo API reference, sample response.
#[test]
fn get_bucket_qos_info_response() {
    let doc: QoSConfiguration = read_xml("GetBucketQoSInfo.xml");
    assert_eq!(doc.total_upload_bandwidth, Some(10));
    assert_eq!(doc.intranet_upload_bandwidth, Some(-1));
    assert_eq!(doc.total_download_bandwidth, Some(10));
    assert_eq!(doc.extranet_download_bandwidth, Some(-1));
    assert_eq!(doc.total_qps, None);
}

/// PutBucketRequesterQoSInfo request (oss2): all nine limits.
#[test]
fn put_bucket_requester_qos_info_request() {
    let doc: QoSConfiguration = read_xml("PutBucketRequesterQoSInfo.request.xml");
    assert_limits(
        &doc,
        [
            Some(10),
            Some(-1),
            Some(-2),
            Some(11),
            Some(-4),
            Some(-5),
            Some(1000),
            Some(-6),
            Some(-7),
        ],
    );
    assert_xml_round_trip(&doc);
}

/// PutResourcePoolRequesterQoSInfo request (oss2).
#[test]
fn put_resource_pool_requester_qos_info_request() {
    let doc: QoSConfiguration = read_xml("PutResourcePoolRequesterQoSInfo.request.xml");
    assert_eq!(doc.total_qps, Some(1000));
    assert_eq!(doc.extranet_qps, Some(-7));
    assert_xml_round_trip(&doc);
}

/// PutResourcePoolBucketGroupQoSInfo API reference, sample request.
#[test]
fn put_resource_pool_bucket_group_qos_info_request() {
    let doc: QoSConfiguration = read_xml("PutResourcePoolBucketGroupQoSInfo.request.xml");
    assert_limits(
        &doc,
        [
            Some(10),
            Some(-1),
            Some(-1),
            Some(10),
            Some(-1),
            Some(-1),
            None,
            None,
            None,
        ],
    );
    assert_xml_round_trip(&doc);
}

/// GetBucketRequesterQoSInfo response (oss2).
#[test]
fn get_bucket_requester_qos_info_response() {
    let doc: RequesterQoSInfo = read_xml("GetBucketRequesterQoSInfo.xml");
    assert_eq!(doc.requester.as_deref(), Some("21234567890123"));
    assert_limits(
        doc.qos_configuration.as_ref().expect("limits are present"),
        [
            Some(10),
            Some(-1),
            Some(-2),
            Some(11),
            Some(-3),
            Some(-4),
            Some(1000),
            Some(-5),
            Some(-6),
        ],
    );
}

/// GetResourcePoolRequesterQoSInfo response (oss2).
#[test]
fn get_resource_pool_requester_qos_info_response() {
    let doc: RequesterQoSInfo = read_xml("GetResourcePoolRequesterQoSInfo.xml");
    assert_eq!(doc.requester.as_deref(), Some("20123345678903"));
    assert_limits(
        doc.qos_configuration.as_ref().expect("limits are present"),
        [
            Some(200),
            Some(16),
            Some(112),
            Some(210),
            Some(120),
            Some(150),
            Some(400),
            Some(260),
            Some(270),
        ],
    );
}

/// ListBucketRequesterQoSInfos response (oss2); the third requester has an empty configuration.
#[test]
fn list_bucket_requester_qos_infos_response() {
    let doc: ListBucketRequesterQoSInfosResult = read_xml("ListBucketRequesterQoSInfos.xml");
    assert_eq!(doc.bucket.as_deref(), Some("BucketName"));
    assert_eq!(doc.continuation_token.as_deref(), Some("123456789"));
    assert_eq!(doc.next_continuation_token.as_deref(), Some("234567890"));
    assert_eq!(doc.is_truncated, Some(true));
    assert_eq!(doc.requester_qos_infos.len(), 3);
    let first = &doc.requester_qos_infos[0];
    assert_eq!(first.requester.as_deref(), Some("133456789"));
    assert_limits(
        first.qos_configuration.as_ref().expect("limits"),
        [
            Some(10),
            Some(-1),
            Some(-12),
            Some(10),
            Some(-13),
            Some(-14),
            Some(1000),
            Some(-15),
            Some(-16),
        ],
    );
    let second = &doc.requester_qos_infos[1];
    assert_eq!(second.requester.as_deref(), Some("1335567892"));
    assert_eq!(
        second.qos_configuration.as_ref().and_then(|q| q.total_qps),
        Some(1000)
    );
    let third = &doc.requester_qos_infos[2];
    assert_eq!(third.requester.as_deref(), Some("1335567893"));
    assert_limits(
        third
            .qos_configuration
            .as_ref()
            .expect("the element is present"),
        [None; 9],
    );
}

/// ListResourcePoolRequesterQoSInfos response (oss2).
#[test]
fn list_resource_pool_requester_qos_infos_response() {
    let doc: ListResourcePoolRequesterQoSInfosResult =
        read_xml("ListResourcePoolRequesterQoSInfos.xml");
    assert_eq!(doc.resource_pool.as_deref(), Some("resource-pool-for-ai"));
    assert_eq!(doc.continuation_token.as_deref(), Some("1105678"));
    assert_eq!(doc.next_continuation_token.as_deref(), Some("3105678"));
    assert_eq!(doc.is_truncated, Some(false));
    assert_eq!(doc.requester_qos_infos.len(), 3);
    assert_eq!(
        doc.requester_qos_infos[0].requester.as_deref(),
        Some("21234567890")
    );
    assert_eq!(
        doc.requester_qos_infos[0]
            .qos_configuration
            .as_ref()
            .and_then(|q| q.intranet_qps),
        Some(260)
    );
    assert_eq!(
        doc.requester_qos_infos[1].requester.as_deref(),
        Some("21234667890")
    );
    assert_eq!(
        doc.requester_qos_infos[1]
            .qos_configuration
            .as_ref()
            .and_then(|q| q.extranet_upload_bandwidth),
        Some(-1)
    );
}

/// ListResourcePools response (oss2); the third entry is an empty element.
#[test]
fn list_resource_pools_response() {
    let doc: ListResourcePoolsResult = read_xml("ListResourcePools.xml");
    assert_eq!(doc.region.as_deref(), Some("oss-cn-shanghai"));
    assert_eq!(doc.owner.as_deref(), Some("1032307xxxx72056"));
    assert_eq!(doc.continuation_token.as_deref(), Some("abcd"));
    assert_eq!(doc.next_continuation_token.as_deref(), Some("xyz"));
    assert_eq!(doc.is_truncated, Some(true));
    assert_eq!(doc.resource_pools.len(), 3);
    assert_eq!(
        doc.resource_pools[0].name.as_deref(),
        Some("resource-pool-for-ai")
    );
    assert_eq!(
        doc.resource_pools[0].create_time,
        Some(datetime!(2024-07-24 08:42:32 UTC))
    );
    assert_eq!(
        doc.resource_pools[1].name.as_deref(),
        Some("resource-pool-for-video")
    );
    assert_eq!(
        doc.resource_pools[1].create_time,
        Some(datetime!(2024-07-24 08:42:32 UTC))
    );
    assert_eq!(doc.resource_pools[2], ResourcePoolSummary::default());
}

/// GetResourcePoolInfo response (oss2).
#[test]
fn get_resource_pool_info_response() {
    let doc: GetResourcePoolInfoResponse = read_xml("GetResourcePoolInfo.xml");
    assert_eq!(doc.region.as_deref(), Some("oss-cn-shanghai"));
    assert_eq!(doc.name.as_deref(), Some("resource-pool-for-ai"));
    assert_eq!(doc.owner.as_deref(), Some("1032307xxxx72056"));
    assert_eq!(doc.create_time, Some(datetime!(2024-07-24 08:42:32 UTC)));
    assert_limits(
        doc.qos_configuration.as_ref().expect("limits are present"),
        [
            Some(200),
            Some(16),
            Some(112),
            Some(210),
            Some(120),
            Some(150),
            Some(400),
            Some(260),
            Some(270),
        ],
    );
}

/// ListResourcePoolBuckets response (oss2); the second bucket has no name, the third is empty.
#[test]
fn list_resource_pool_buckets_response() {
    let doc: ListResourcePoolBucketsResult = read_xml("ListResourcePoolBuckets.xml");
    assert_eq!(doc.resource_pool.as_deref(), Some("resource-pool-for-ai"));
    assert_eq!(doc.continuation_token.as_deref(), Some("abcd"));
    assert_eq!(doc.next_continuation_token.as_deref(), Some("defg"));
    assert_eq!(doc.is_truncated, Some(false));
    assert_eq!(doc.resource_pool_buckets.len(), 3);
    assert_eq!(
        doc.resource_pool_buckets[0].name.as_deref(),
        Some("bucket-1")
    );
    assert_eq!(
        doc.resource_pool_buckets[0].join_time,
        Some(datetime!(2024-07-24 08:42:32 UTC))
    );
    assert_eq!(doc.resource_pool_buckets[1].name, None);
    assert_eq!(
        doc.resource_pool_buckets[1].join_time,
        Some(datetime!(2024-05-24 08:42:33 UTC))
    );
    assert_eq!(doc.resource_pool_buckets[2], ResourcePoolBucket::default());
}

/// ListResourcePoolBucketGroups API reference, sample response (tags closed, see the top).
#[test]
fn list_resource_pool_bucket_groups_response() {
    let doc: ListResourcePoolBucketGroupsResult = read_xml("ListResourcePoolBucketGroups.xml");
    assert_eq!(doc.resource_pool.as_deref(), Some("rp-for-ai"));
    assert_eq!(doc.continuation_token.as_deref(), Some("abcd"));
    assert_eq!(doc.next_continuation_token.as_deref(), Some("defg"));
    assert_eq!(doc.is_truncated, Some(true));
    assert_eq!(doc.resource_pool_bucket_groups.len(), 1);
    let group = &doc.resource_pool_bucket_groups[0];
    assert_eq!(group.name.as_deref(), Some("test-group"));
    let buckets: Vec<_> = group
        .group_bucket_infos
        .iter()
        .map(|b| b.bucket_name.as_deref())
        .collect();
    assert_eq!(buckets, [Some("bucket-01"), Some("bucket-02")]);
}

/// GetResourcePoolBucketGroupQoSInfo API reference, sample response.
#[test]
fn get_resource_pool_bucket_group_qos_info_response() {
    let doc: ResourcePoolBucketGroupQoSInfo = read_xml("GetResourcePoolBucketGroupQoSInfo.xml");
    assert_eq!(doc.bucket_group.as_deref(), Some("test-group"));
    assert_limits(
        doc.qos_configuration.as_ref().expect("limits are present"),
        [
            Some(10),
            Some(-1),
            Some(-1),
            Some(10),
            Some(-1),
            Some(-1),
            None,
            None,
            None,
        ],
    );
}

/// ListResourcePoolBucketGroupQoSInfos API reference, sample response (tags closed).
#[test]
fn list_resource_pool_bucket_group_qos_infos_response() {
    let doc: ListResourcePoolBucketGroupQoSInfosResult =
        read_xml("ListResourcePoolBucketGroupQoSInfos.xml");
    assert_eq!(doc.resource_pool.as_deref(), Some("resource-pool-for-ai"));
    assert_eq!(doc.continuation_token.as_deref(), Some("1105678"));
    assert_eq!(doc.next_continuation_token.as_deref(), Some("3105678"));
    assert_eq!(doc.is_truncated, Some(true));
    let groups: Vec<_> = doc
        .resource_pool_bucket_group_qos_infos
        .iter()
        .map(|g| g.bucket_group.as_deref())
        .collect();
    assert_eq!(groups, [Some("test-group"), Some("test-group-02")]);
    for info in &doc.resource_pool_bucket_group_qos_infos {
        let qos = info.qos_configuration.as_ref().expect("limits are present");
        assert_eq!(qos.total_upload_bandwidth, Some(10));
        assert_eq!(qos.extranet_download_bandwidth, Some(-1));
    }
}

#[test]
fn qos_limit_that_is_not_a_number_is_an_error() {
    let err = QoSConfiguration::from_xml(
        b"<QoSConfiguration><TotalUploadBandwidth>ten</TotalUploadBandwidth></QoSConfiguration>",
    )
    .expect_err("not an integer");
    assert!(err.to_string().contains("TotalUploadBandwidth"), "{err}");
}

// ------------------------------------------------------------------------------------------------
// LiveChannel (XML)

/// PutLiveChannel request (oss2): compact, with an empty description.
#[test]
fn put_live_channel_request() {
    let doc: LiveChannelConfiguration = read_xml("PutLiveChannel.request.xml");
    assert_eq!(doc.description.as_deref(), Some(""));
    assert_eq!(doc.status, Some(LiveChannelStatus::Enabled));
    assert_eq!(doc.target.target_type, LiveChannelTargetType::Hls);
    assert_eq!(doc.target.frag_duration, Some(5));
    assert_eq!(doc.target.frag_count, Some(3));
    assert_eq!(doc.target.playlist_name.as_deref(), Some("test.m3u8"));
    assert_eq!(doc.snapshot, None);
    assert_xml_round_trip(&doc);
}

/// A LiveChannel configuration with a snapshot setting survives writing and reading.
#[test]
fn live_channel_configuration_with_snapshot_round_trips() {
    let doc = LiveChannelConfiguration {
        description: Some("lobby camera".into()),
        status: Some(LiveChannelStatus::Disabled),
        target: LiveChannelTarget {
            target_type: LiveChannelTargetType::Hls,
            frag_duration: Some(2),
            frag_count: Some(3),
            playlist_name: Some("playlist.m3u8".into()),
        },
        snapshot: Some(LiveChannelSnapshot {
            role_name: Some("role_for_snapshot".into()),
            dest_bucket: Some("snapshotdest".into()),
            notify_topic: Some("snapshotnotify".into()),
            interval: Some(1),
        }),
    };
    assert_xml_round_trip(&doc);
}

/// PutLiveChannel response (oss2).
#[test]
fn put_live_channel_response() {
    let doc: CreateLiveChannelResult = read_xml("PutLiveChannel.xml");
    assert_eq!(
        doc.publish_urls,
        ["rtmp://ming-oss-share.oss-cn-hangzhou.aliyuncs.com/live/lc"]
    );
    assert_eq!(
        doc.play_urls,
        ["http://ming-oss-share.oss-cn-hangzhou.aliyuncs.com/lc/test.m3u8"]
    );
}

/// GetLiveChannelInfo API reference, sample response.
#[test]
fn get_live_channel_info_response() {
    let doc: LiveChannelConfiguration = read_xml("GetLiveChannelInfo.xml");
    assert_eq!(doc.description.as_deref(), Some(""));
    assert_eq!(doc.status, Some(LiveChannelStatus::Enabled));
    assert_eq!(doc.target.target_type, LiveChannelTargetType::Hls);
    assert_eq!(doc.target.frag_duration, Some(2));
    assert_eq!(doc.target.frag_count, Some(3));
    assert_eq!(doc.target.playlist_name.as_deref(), Some("playlist.m3u8"));
}

#[test]
fn live_channel_configuration_without_target_is_an_error() {
    let err = LiveChannelConfiguration::from_xml(
        b"<LiveChannelConfiguration><Status>enabled</Status></LiveChannelConfiguration>",
    )
    .expect_err("Target is required");
    assert!(err.to_string().contains("Target"), "{err}");
}

/// GetLiveChannelStat response while live (oss2).
#[test]
fn get_live_channel_stat_response() {
    let doc: LiveChannelStat = read_xml("GetLiveChannelStat.xml");
    assert_eq!(doc.status, Some(LiveChannelStreamStatus::Live));
    assert_eq!(doc.connected_time, Some(datetime!(2016-08-08 05:59:28 UTC)));
    assert_eq!(doc.remote_addr.as_deref(), Some("8.8.8.8:57186"));
    let video = doc.video.expect("video stream");
    assert_eq!(video.width, Some(1280));
    assert_eq!(video.height, Some(536));
    assert_eq!(video.frame_rate, Some(24));
    assert_eq!(video.bandwidth, Some(214146));
    assert_eq!(video.codec.as_deref(), Some("H264"));
    let audio = doc.audio.expect("audio stream");
    assert_eq!(audio.bandwidth, Some(11444));
    assert_eq!(audio.sample_rate, Some(22050));
    assert_eq!(audio.codec.as_deref(), Some("AAC"));
}

#[test]
fn idle_live_channel_stat_has_only_a_status() {
    let doc = LiveChannelStat::from_xml(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LiveChannelStat><Status>Idle</Status></LiveChannelStat>",
    )
    .expect("an idle channel");
    assert_eq!(doc.status, Some(LiveChannelStreamStatus::Idle));
    assert_eq!(doc.connected_time, None);
    assert_eq!(doc.video, None);
}

/// GetLiveChannelHistory response (oss2).
#[test]
fn get_live_channel_history_response() {
    let doc: LiveChannelHistory = read_xml("GetLiveChannelHistory.xml");
    assert_eq!(doc.live_records.len(), 2);
    let first = &doc.live_records[0];
    assert_eq!(first.start_time, Some(datetime!(2016-08-06 05:59:28 UTC)));
    assert_eq!(first.end_time, Some(datetime!(2016-08-06 06:02:43 UTC)));
    assert_eq!(first.remote_addr.as_deref(), Some("8.8.8.8:57186"));
    let second = &doc.live_records[1];
    assert_eq!(second.start_time, Some(datetime!(2016-08-06 06:16:20 UTC)));
    assert_eq!(second.end_time, Some(datetime!(2016-08-06 06:16:25 UTC)));
    assert_eq!(second.remote_addr.as_deref(), Some("1.1.1.1:57365"));
}

/// ListLiveChannel response (oss2).
#[test]
fn list_live_channel_response() {
    let doc: ListLiveChannelResult = read_xml("ListLiveChannel.xml");
    assert_eq!(doc.prefix.as_deref(), Some("test"));
    assert_eq!(doc.marker.as_deref(), Some(""));
    assert_eq!(doc.max_keys, Some(2));
    assert_eq!(doc.is_truncated, Some(true));
    assert_eq!(doc.next_marker.as_deref(), Some("test3"));
    assert_eq!(doc.live_channels.len(), 2);
    let first = &doc.live_channels[0];
    assert_eq!(first.name.as_deref(), Some("test1"));
    assert_eq!(first.description.as_deref(), Some("test1"));
    assert_eq!(first.status, Some(LiveChannelStatus::Enabled));
    assert_eq!(
        first.last_modified,
        Some(datetime!(2016-04-01 07:04:00 UTC))
    );
    assert_eq!(
        first.publish_urls,
        ["rtmp://ming-oss-share.oss-cn-hangzhou.aliyuncs.com/live/test1"]
    );
    assert_eq!(
        first.play_urls,
        ["http://ming-oss-share.oss-cn-hangzhou.aliyuncs.com/test1/playlist.m3u8"]
    );
    let second = &doc.live_channels[1];
    assert_eq!(second.name.as_deref(), Some("test2"));
    assert_eq!(second.status, Some(LiveChannelStatus::Disabled));
    assert_eq!(
        second.last_modified,
        Some(datetime!(2016-04-01 08:04:50 UTC))
    );
    assert_eq!(
        second.publish_urls,
        ["rtmp://ming-oss-share.oss-cn-hangzhou.aliyuncs.com/live/test2"]
    );
}

// ------------------------------------------------------------------------------------------------
// Anti-DDoS (XML)

/// GetUserAntiDDosInfo response (Go SDK v2).
#[test]
fn get_user_anti_ddos_info_response() {
    let doc: AntiDDOSListConfiguration = read_xml("GetUserAntiDDosInfo.xml");
    assert_eq!(doc.marker, None);
    assert_eq!(doc.is_truncated, None);
    assert_eq!(doc.anti_ddos_configurations.len(), 1);
    let instance = &doc.anti_ddos_configurations[0];
    assert_eq!(
        instance.instance_id.as_deref(),
        Some("cbcac8d2-4f75-4d6d-9f2e-c3447f73****")
    );
    assert_eq!(instance.owner.as_deref(), Some("114893010724****"));
    assert_eq!(instance.ctime, Some(12345667));
    assert_eq!(instance.mtime, Some(12345667));
    assert_eq!(instance.active_time, Some(12345680));
    assert_eq!(instance.status, Some(AntiDDoSStatus::Init));
    assert_eq!(instance.bucket, None);
    assert!(instance.cnames.is_empty());
}

/// ListBucketAntiDDosInfo API reference, sample response.
#[test]
fn list_bucket_anti_ddos_info_response() {
    let doc: AntiDDOSListConfiguration = read_xml("ListBucketAntiDDosInfo.xml");
    assert_eq!(doc.marker.as_deref(), Some("nextMarker"));
    assert_eq!(doc.is_truncated, Some(true));
    assert_eq!(doc.anti_ddos_configurations.len(), 2);
    let first = &doc.anti_ddos_configurations[0];
    assert_eq!(
        first.instance_id.as_deref(),
        Some("cbcac8d2-4f75-4d6d-9f2e-c3447f73****")
    );
    assert_eq!(first.owner.as_deref(), Some("114893010724****"));
    assert_eq!(first.bucket.as_deref(), Some("examplebucket"));
    assert_eq!(first.ctime, Some(1626769503));
    assert_eq!(first.mtime, Some(1626769840));
    assert_eq!(first.active_time, Some(1626769845));
    assert_eq!(first.status, Some(AntiDDoSStatus::Defending));
    assert_eq!(first.instance_type.as_deref(), Some("AntiDDosPremimum"));
    assert_eq!(first.cnames, ["abc1.example.cn", "abc2.example.cn"]);
    let second = &doc.anti_ddos_configurations[1];
    assert_eq!(
        second.instance_id.as_deref(),
        Some("cbcae8u6-4f75-4d6d-9f2e-c3446g89****")
    );
    assert_eq!(second.bucket.as_deref(), Some("test-antiddos2"));
    assert_eq!(second.active_time, Some(0));
    assert_eq!(second.status, Some(AntiDDoSStatus::Init));
    assert_eq!(second.cnames, ["abc3.example.cn", "abc4.example.cn"]);
}

/// InitBucketAntiDDosInfo API reference, sample request body.
#[test]
fn init_bucket_anti_ddos_info_request() {
    let doc: AntiDDOSConfiguration = read_xml("InitBucketAntiDDosInfo.request.xml");
    assert_eq!(doc.cnames, ["abc1.example.cn", "abc2.example.cn"]);
    assert_xml_round_trip(&doc);
}

#[test]
fn anti_ddos_status_keeps_values_it_does_not_know() {
    let doc = AntiDDOSListConfiguration::from_xml(
        b"<AntiDDOSListConfiguration><AntiDDOSConfiguration><Status>Released</Status></AntiDDOSConfiguration></AntiDDOSListConfiguration>",
    )
    .expect("an unknown status is not an error");
    assert_eq!(
        doc.anti_ddos_configurations[0].status,
        Some(AntiDDoSStatus::Unknown("Released".into()))
    );
}

// ------------------------------------------------------------------------------------------------
// Input builders: members the official SDKs require are refused with a typed error when missing.

fn missing(type_name: &'static str, field: &'static str) -> BuildError {
    BuildError::MissingField { type_name, field }
}

/// The Go SDK v2 refuses InitBucketAntiDDosInfo without `DefenderInstance`, then without
/// `DefenderType`; the domains body is optional.
#[test]
fn init_bucket_anti_ddos_info_needs_instance_and_type() {
    assert_eq!(
        InitBucketAntiDDosInfoInput::builder()
            .bucket("bucket")
            .build()
            .unwrap_err(),
        missing("InitBucketAntiDDosInfoInput", "defender_instance")
    );
    assert_eq!(
        InitBucketAntiDDosInfoInput::builder()
            .bucket("bucket")
            .defender_instance("cbcac8d2-4f75-4d6d-9f2e-c3447f73****")
            .build()
            .unwrap_err(),
        missing("InitBucketAntiDDosInfoInput", "defender_type")
    );
    let input = InitBucketAntiDDosInfoInput::builder()
        .bucket("bucket")
        .defender_instance("cbcac8d2-4f75-4d6d-9f2e-c3447f73****")
        .defender_type("AntiDDosPremimum")
        .build()
        .expect("complete without a body");
    assert_eq!(input.defender_type, "AntiDDosPremimum");
    assert_eq!(input.body, None);
}

/// The Go SDK v2 refuses UpdateUserAntiDDosInfo without `DefenderInstance`, then without
/// `DefenderStatus`.
#[test]
fn update_user_anti_ddos_info_needs_instance_and_status() {
    assert_eq!(
        UpdateUserAntiDDosInfoInput::builder().build().unwrap_err(),
        missing("UpdateUserAntiDDosInfoInput", "defender_instance")
    );
    assert_eq!(
        UpdateUserAntiDDosInfoInput::builder()
            .defender_instance("cbcac8d2-4f75-4d6d-9f2e-c3447f73****")
            .build()
            .unwrap_err(),
        missing("UpdateUserAntiDDosInfoInput", "defender_status")
    );
    let input = UpdateUserAntiDDosInfoInput::builder()
        .defender_instance("cbcac8d2-4f75-4d6d-9f2e-c3447f73****")
        .defender_status(AntiDDoSStatus::HaltDefending)
        .build()
        .expect("complete");
    assert_eq!(input.defender_status.as_str(), "HaltDefending");
}

/// oss2 refuses a requester limit without the requester's UID.
#[test]
fn requester_qos_needs_the_requester() {
    assert_eq!(
        PutBucketRequesterQoSInfoInput::builder()
            .bucket("b")
            .body(QoSConfiguration::default())
            .build()
            .unwrap_err(),
        missing("PutBucketRequesterQoSInfoInput", "qos_requester")
    );
    assert_eq!(
        PutBucketRequesterQoSInfoInput::builder()
            .bucket("b")
            .qos_requester("uid-test")
            .build()
            .unwrap_err(),
        missing("PutBucketRequesterQoSInfoInput", "body")
    );
}

/// The API reference requires the resource pool and the bucket group of a bucket-group limit.
#[test]
fn bucket_group_qos_needs_pool_and_group() {
    assert_eq!(
        PutResourcePoolBucketGroupQoSInfoInput::builder()
            .resource_pool_bucket_group("test-group")
            .body(QoSConfiguration::default())
            .build()
            .unwrap_err(),
        missing("PutResourcePoolBucketGroupQoSInfoInput", "resource_pool")
    );
    assert_eq!(
        PutResourcePoolBucketGroupQoSInfoInput::builder()
            .resource_pool("resource-pool-for-ai")
            .body(QoSConfiguration::default())
            .build()
            .unwrap_err(),
        missing(
            "PutResourcePoolBucketGroupQoSInfoInput",
            "resource_pool_bucket_group"
        )
    );
}

/// The API reference requires both ends of the time range of a VOD playlist.
#[test]
fn vod_playlist_needs_the_time_range() {
    assert_eq!(
        PostVodPlaylistInput::builder()
            .bucket("b")
            .key("lc/test.m3u8")
            .end_time(1470792140)
            .build()
            .unwrap_err(),
        missing("PostVodPlaylistInput", "start_time")
    );
    let input = PostVodPlaylistInput::builder()
        .bucket("b")
        .key("lc/test.m3u8")
        .start_time(1470788540)
        .end_time(1470792140)
        .build()
        .expect("complete");
    assert_eq!((input.start_time, input.end_time), (1470788540, 1470792140));
}

/// PutLiveChannelStatus needs the status; an unknown status is kept as given.
#[test]
fn live_channel_status_is_required() {
    assert_eq!(
        PutLiveChannelStatusInput::builder()
            .bucket("b")
            .key("lc")
            .build()
            .unwrap_err(),
        missing("PutLiveChannelStatusInput", "status")
    );
    let input = PutLiveChannelStatusInput::builder()
        .bucket("b")
        .key("lc")
        .status(LiveChannelStatus::Disabled)
        .build()
        .expect("complete");
    assert_eq!(input.status.as_str(), "disabled");
}

/// PutVectorIndex sends the index configuration as its body.
#[test]
fn put_vector_index_needs_its_configuration() {
    assert_eq!(
        PutVectorIndexInput::builder()
            .bucket("b")
            .build()
            .unwrap_err(),
        missing("PutVectorIndexInput", "body")
    );
}
