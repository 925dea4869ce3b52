//! Bucket-level documents from the OSS API reference examples (as also used by the official Go SDK
//! v2 tests), parsed with the generated readers and checked field by field against values read from
//! the documents by hand. Request bodies are also written back and re-read.

use oss_model::xml::XmlDocument;
use oss_model::{
    AccessControlPolicy, AccessMonitorStatus, BucketAcl, BucketInfo, BucketStat, CORSConfiguration,
    CreateBucketConfiguration, DataRedundancyType, EncodingType, ListAllMyBucketsResult,
    ListBucketResult, ListBucketResultV2, ObjectType, RegionInfoList, StorageClass, Tagging,
    VersioningConfiguration, VersioningStatus,
};
use time::macros::datetime;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn parse<T: XmlDocument>(name: &str) -> T {
    T::from_xml(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Writes `value` and reads it back: the request-body round trip.
fn round_trip<T: XmlDocument + PartialEq + std::fmt::Debug>(value: &T) {
    let xml = value.to_xml();
    let back = T::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("re-reading {xml}: {e}"));
    assert_eq!(&back, value, "round trip through {xml}");
}

#[test]
fn list_buckets() {
    let doc: ListAllMyBucketsResult = parse("ListBuckets.xml");
    let owner = doc.owner.as_ref().expect("owner");
    assert_eq!(owner.id, "51264");
    assert_eq!(owner.display_name.as_deref(), Some("51264"));
    assert_eq!(doc.prefix, None);
    assert_eq!(doc.is_truncated, None);
    assert_eq!(doc.buckets.len(), 2);
    let b = &doc.buckets[0];
    assert_eq!(b.name, "app-base-oss");
    assert_eq!(b.creation_date, Some(datetime!(2014-02-17 18:12:43 UTC)));
    assert_eq!(
        b.extranet_endpoint.as_deref(),
        Some("oss-cn-shanghai.aliyuncs.com")
    );
    assert_eq!(
        b.intranet_endpoint.as_deref(),
        Some("oss-cn-shanghai-internal.aliyuncs.com")
    );
    assert_eq!(b.location.as_deref(), Some("oss-cn-shanghai"));
    assert_eq!(b.region.as_deref(), Some("cn-shanghai"));
    assert_eq!(b.storage_class, Some(StorageClass::Standard));
    let b = &doc.buckets[1];
    assert_eq!(b.name, "mybucket");
    assert_eq!(b.creation_date, Some(datetime!(2014-02-25 11:21:04 UTC)));
    assert_eq!(b.location.as_deref(), Some("oss-cn-hangzhou"));
    assert_eq!(b.region.as_deref(), Some("cn-hangzhou"));
    assert_eq!(b.storage_class, Some(StorageClass::Ia));
}

#[test]
fn list_buckets_truncated_page() {
    let doc: ListAllMyBucketsResult = parse("ListBuckets.truncated.xml");
    assert_eq!(doc.prefix.as_deref(), Some("my"));
    assert_eq!(doc.marker.as_deref(), Some("mybucket"));
    assert_eq!(doc.max_keys, Some(10));
    assert_eq!(doc.is_truncated, Some(true));
    assert_eq!(doc.next_marker.as_deref(), Some("mybucket10"));
    assert_eq!(
        doc.owner.as_ref().map(|o| o.id.as_str()),
        Some("ut_test_put_bucket")
    );
    assert_eq!(doc.buckets.len(), 1);
    assert_eq!(doc.buckets[0].name, "mybucket01");
    assert_eq!(
        doc.buckets[0].creation_date,
        Some(datetime!(2014-05-14 11:18:32 UTC))
    );
}

#[test]
fn list_objects() {
    let doc: ListBucketResult = parse("ListObjects.xml");
    assert_eq!(doc.name.as_deref(), Some("examplebucket"));
    assert_eq!(doc.prefix.as_deref(), Some("fun"));
    assert_eq!(doc.marker.as_deref(), Some("test1.txt"));
    assert_eq!(doc.max_keys, Some(100));
    assert_eq!(doc.delimiter.as_deref(), Some("/"));
    assert_eq!(doc.is_truncated, Some(true));
    assert_eq!(doc.encoding_type, None);
    assert!(doc.common_prefixes.is_empty());
    assert_eq!(doc.contents.len(), 4);

    let o = &doc.contents[0];
    assert_eq!(o.key, "exampleobject1.txt");
    assert_eq!(o.last_modified, Some(datetime!(2020-06-22 11:42:32 UTC)));
    assert_eq!(
        o.etag.as_deref(),
        Some("\"5B3C1A2E053D763E1B002CC607C5A0FE1****\"")
    );
    assert_eq!(o.object_type, Some(ObjectType::Normal));
    assert_eq!(o.size, Some(344606));
    assert_eq!(o.storage_class, Some(StorageClass::ColdArchive));
    let owner = o.owner.as_ref().expect("owner");
    assert_eq!(owner.id, "0022012****");
    assert_eq!(owner.display_name.as_deref(), Some("user-example"));
    assert_eq!(o.restore_info, None);

    assert_eq!(
        doc.contents[1].restore_info.as_deref(),
        Some("ongoing-request=\"true\"")
    );
    // Without EncodingType the key is taken literally, `%01` and all.
    assert_eq!(
        doc.contents[2].key,
        "go-sdk-v1%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13%14%15%16%17%18%19%1A%1B%1C%1D%1E%1F"
    );
    assert_eq!(
        doc.contents[2].restore_info.as_deref(),
        Some("ongoing-request=\"false\", expiry-date=\"Thu, 24 Sep 2020 12:40:33 GMT\"")
    );
    let o = &doc.contents[3];
    assert_eq!(o.key, "demo.jpg");
    assert_eq!(o.size, Some(21839));
    assert_eq!(
        o.etag.as_deref(),
        Some("\"1C71822C6C732797FA709920F142****\"")
    );
    assert_eq!(o.transition_time, Some(datetime!(2024-10-31 00:24:17 UTC)));
}

#[test]
fn list_objects_url_encoded() {
    // Root with an xmlns attribute, `&quot;` entities, and EncodingType=url.
    let doc: ListBucketResult = parse("ListObjects.encoded.xml");
    assert_eq!(doc.name.as_deref(), Some("oss-example"));
    assert_eq!(doc.encoding_type, Some(EncodingType::Url));
    assert_eq!(doc.prefix.as_deref(), Some("hello world!"));
    assert_eq!(doc.marker.as_deref(), Some("hello "));
    assert_eq!(doc.delimiter.as_deref(), Some("hello !world"));
    assert_eq!(doc.max_keys, Some(100));
    assert_eq!(doc.is_truncated, Some(false));
    let keys: Vec<&str> = doc.contents.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["fun/movie/001.avi", "fun/movie/007.avi", "oss.jpg"]);
    assert_eq!(
        doc.contents[0].etag.as_deref(),
        Some("\"5B3C1A2E053D763E1B002CC607C5A0FE\"")
    );
    assert_eq!(
        doc.contents[0].last_modified,
        Some(datetime!(2012-02-24 08:43:07 UTC))
    );
    assert_eq!(
        doc.contents[2].last_modified,
        Some(datetime!(2012-02-24 06:07:48 UTC))
    );
    assert_eq!(
        doc.contents[1].owner.as_ref().map(|o| o.id.as_str()),
        Some("00220120222")
    );
}

#[test]
fn list_objects_v2() {
    let doc: ListBucketResultV2 = parse("ListObjectsV2.xml");
    assert_eq!(doc.name.as_deref(), Some("examplebucket"));
    assert_eq!(doc.prefix.as_deref(), Some(""));
    assert_eq!(doc.start_after.as_deref(), Some("b"));
    assert_eq!(doc.max_keys, Some(3));
    assert_eq!(doc.encoding_type, Some(EncodingType::Url));
    assert_eq!(doc.is_truncated, Some(true));
    assert_eq!(doc.next_continuation_token.as_deref(), Some("CgJiYw--"));
    assert_eq!(doc.continuation_token, None);
    assert_eq!(doc.key_count, Some(4));
    let keys: Vec<&str> = doc.contents.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["b/c", "ba", "bc", "demo.jpg"]);
    let o = &doc.contents[0];
    assert_eq!(o.last_modified, Some(datetime!(2020-05-18 05:45:54 UTC)));
    assert_eq!(
        o.etag.as_deref(),
        Some("\"35A27C2B9EAEEB6F48FD7FB5861D****\"")
    );
    assert_eq!(o.size, Some(25));
    // The reference example spells the class in capitals: kept, not lost.
    assert_eq!(
        o.storage_class,
        Some(StorageClass::Unknown("STANDARD".to_string()))
    );
    assert_eq!(
        o.owner.as_ref().map(|o| o.id.as_str()),
        Some("1686240967192623")
    );
    let o = &doc.contents[3];
    assert_eq!(o.object_type, Some(ObjectType::Normal));
    assert_eq!(o.storage_class, Some(StorageClass::ColdArchive));
    assert_eq!(
        o.restore_info.as_deref(),
        Some("ongoing-request=\"false\", expiry-date=\"Fri, 08 Nov 2024 08:15:52 GMT\"")
    );
    assert_eq!(o.transition_time, Some(datetime!(2024-10-31 00:24:17 UTC)));
}

#[test]
fn list_objects_v2_with_delimiter() {
    let doc: ListBucketResultV2 = parse("ListObjectsV2.delimiter.xml");
    assert_eq!(doc.prefix.as_deref(), Some("a/"));
    assert_eq!(doc.delimiter.as_deref(), Some("/"));
    assert_eq!(doc.key_count, Some(2));
    assert_eq!(doc.is_truncated, Some(false));
    assert_eq!(doc.contents.len(), 1);
    assert_eq!(doc.contents[0].key, "a/b");
    assert_eq!(doc.common_prefixes.len(), 1);
    assert_eq!(doc.common_prefixes[0].prefix, "a/b/");
}

#[test]
fn get_bucket_info() {
    let doc: BucketInfo = parse("GetBucketInfo.xml");
    let b = &doc.bucket;
    assert_eq!(b.name, "oss-example");
    assert_eq!(b.access_monitor, Some(AccessMonitorStatus::Enabled));
    assert_eq!(b.block_public_access, Some(true));
    assert_eq!(b.comment.as_deref(), Some("test"));
    assert_eq!(b.creation_date, Some(datetime!(2013-07-31 10:56:21 UTC)));
    assert_eq!(
        b.extranet_endpoint.as_deref(),
        Some("oss-cn-hangzhou.aliyuncs.com")
    );
    assert_eq!(
        b.intranet_endpoint.as_deref(),
        Some("oss-cn-hangzhou-internal.aliyuncs.com")
    );
    assert_eq!(b.location.as_deref(), Some("oss-cn-hangzhou"));
    assert_eq!(b.storage_class, Some(StorageClass::Standard));
    assert_eq!(b.transfer_acceleration.as_deref(), Some("Disabled"));
    assert_eq!(b.cross_region_replication.as_deref(), Some("Disabled"));
    assert_eq!(b.resource_group_id.as_deref(), Some("rg-aek27tc********"));
    assert_eq!(b.data_redundancy_type, None);
    assert_eq!(b.versioning, None);
    let owner = b.owner.as_ref().expect("owner");
    assert_eq!(owner.id, "27183473914****");
    assert_eq!(owner.display_name.as_deref(), Some("username"));
    assert_eq!(
        b.access_control_list.as_ref().map(|a| &a.grant),
        Some(&BucketAcl::Private)
    );
    let sse = b
        .server_side_encryption_rule
        .as_ref()
        .expect("encryption rule");
    assert_eq!(sse.sse_algorithm.as_deref(), Some("KMS"));
    assert_eq!(sse.kms_master_key_id.as_deref(), Some(""));
    assert_eq!(sse.kms_data_encryption.as_deref(), Some("SM4"));
    let logging = b.bucket_policy.as_ref().expect("logging");
    assert_eq!(logging.log_bucket.as_deref(), Some("examplebucket"));
    assert_eq!(logging.log_prefix.as_deref(), Some("log/"));
}

#[test]
fn get_bucket_stat() {
    let doc: BucketStat = parse("GetBucketStat.xml");
    assert_eq!(doc.storage, Some(1600));
    assert_eq!(doc.object_count, Some(230));
    assert_eq!(doc.multipart_upload_count, Some(40));
    assert_eq!(doc.live_channel_count, Some(4));
    assert_eq!(doc.multipart_part_count, Some(1));
    assert_eq!(doc.delete_marker_count, Some(6276));
    assert_eq!(doc.last_modified_time, Some(1643341269));
    assert_eq!(doc.standard_storage, Some(430));
    assert_eq!(doc.standard_object_count, Some(66));
    assert_eq!(doc.infrequent_access_storage, Some(2359296));
    assert_eq!(doc.infrequent_access_real_storage, Some(360));
    assert_eq!(doc.infrequent_access_object_count, Some(54));
    assert_eq!(doc.archive_storage, Some(2949120));
    assert_eq!(doc.archive_real_storage, Some(450));
    assert_eq!(doc.archive_object_count, Some(74));
    assert_eq!(doc.cold_archive_storage, Some(2359296));
    assert_eq!(doc.cold_archive_real_storage, Some(360));
    assert_eq!(doc.cold_archive_object_count, Some(36));
    assert_eq!(doc.deep_cold_archive_storage, Some(2340340840));
    assert_eq!(doc.deep_cold_archive_real_storage, Some(2340340840));
    assert_eq!(doc.deep_cold_archive_object_count, Some(2));
}

#[test]
fn describe_regions() {
    let doc: RegionInfoList = parse("DescribeRegions.xml");
    assert_eq!(doc.region_infos.len(), 2);
    let r = &doc.region_infos[0];
    assert_eq!(r.region, "oss-cn-hangzhou");
    assert_eq!(
        r.internet_endpoint.as_deref(),
        Some("oss-cn-hangzhou.aliyuncs.com")
    );
    assert_eq!(
        r.internal_endpoint.as_deref(),
        Some("oss-cn-hangzhou-internal.aliyuncs.com")
    );
    assert_eq!(
        r.accelerate_endpoint.as_deref(),
        Some("oss-accelerate.aliyuncs.com")
    );
    let r = &doc.region_infos[1];
    assert_eq!(r.region, "oss-cn-shanghai");
    assert_eq!(
        r.internet_endpoint.as_deref(),
        Some("oss-cn-shanghai.aliyuncs.com")
    );
    assert_eq!(
        r.internal_endpoint.as_deref(),
        Some("oss-cn-shanghai-internal.aliyuncs.com")
    );
}

#[test]
fn get_bucket_acl() {
    let doc: AccessControlPolicy = parse("GetBucketAcl.xml");
    assert_eq!(doc.owner.id, "0022012****");
    assert_eq!(doc.owner.display_name.as_deref(), Some("user_example"));
    assert_eq!(doc.access_control_list.grant, BucketAcl::PublicRead);
}

#[test]
fn get_bucket_versioning() {
    let doc: VersioningConfiguration = parse("GetBucketVersioning.xml");
    assert_eq!(doc.status, Some(VersioningStatus::Suspended));
}

#[test]
fn put_bucket_versioning_request() {
    let doc: VersioningConfiguration = parse("PutBucketVersioning.request.xml");
    assert_eq!(doc.status, Some(VersioningStatus::Enabled));
    round_trip(&doc);
}

#[test]
fn get_bucket_tags() {
    let doc: Tagging = parse("GetBucketTags.xml");
    let tags: Vec<(&str, Option<&str>)> = doc
        .tag_set
        .tags
        .iter()
        .map(|t| (t.key.as_str(), t.value.as_deref()))
        .collect();
    assert_eq!(tags, [("a", Some("1")), ("b", Some("2"))]);
}

#[test]
fn put_bucket_tags_request() {
    let doc: Tagging = parse("PutBucketTags.request.xml");
    let tags: Vec<(&str, Option<&str>)> = doc
        .tag_set
        .tags
        .iter()
        .map(|t| (t.key.as_str(), t.value.as_deref()))
        .collect();
    assert_eq!(tags, [("key1", Some("value1")), ("key2", Some("value2"))]);
    round_trip(&doc);
}

fn check_cors_example(doc: &CORSConfiguration) {
    assert_eq!(doc.response_vary, Some(false));
    assert_eq!(doc.rules.len(), 2);
    let r = &doc.rules[0];
    assert_eq!(r.allowed_origins, ["*"]);
    assert_eq!(r.allowed_methods, ["PUT", "GET"]);
    assert_eq!(r.allowed_headers, ["Authorization"]);
    assert!(r.expose_headers.is_empty());
    assert_eq!(r.max_age_seconds, None);
    let r = &doc.rules[1];
    assert_eq!(
        r.allowed_origins,
        ["http://example.com", "http://example.net"]
    );
    assert_eq!(r.allowed_methods, ["GET"]);
    assert_eq!(r.allowed_headers, ["Authorization"]);
    assert_eq!(r.expose_headers, ["x-oss-test", "x-oss-test1"]);
    assert_eq!(r.max_age_seconds, Some(100));
}

#[test]
fn get_bucket_cors() {
    // This example has no XML declaration.
    let doc: CORSConfiguration = parse("GetBucketCors.xml");
    check_cors_example(&doc);
}

#[test]
fn put_bucket_cors_request() {
    let doc: CORSConfiguration = parse("PutBucketCors.request.xml");
    check_cors_example(&doc);
    round_trip(&doc);
}

#[test]
fn put_bucket_request() {
    let doc: CreateBucketConfiguration = parse("PutBucket.request.xml");
    assert_eq!(doc.storage_class, Some(StorageClass::Standard));
    assert_eq!(doc.data_redundancy_type, Some(DataRedundancyType::Lrs));
    round_trip(&doc);
}
