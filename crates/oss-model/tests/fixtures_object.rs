//! Object-level documents from the OSS API reference examples (as also used by the official Go SDK
//! v2 tests), parsed with the generated readers and checked field by field against values read from
//! the documents by hand. Request bodies are also written back and re-read.

use oss_model::xml::XmlDocument;
use oss_model::{
    CopyObjectResult, Delete, DeleteResult, EncodingType, ListVersionsResult,
    ObjectAccessControlPolicy, ObjectAcl, ObjectType, RestoreRequest, RestoreTier, StorageClass,
    Tagging,
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
fn copy_object() {
    let doc: CopyObjectResult = parse("CopyObject.xml");
    assert_eq!(
        doc.etag.as_deref(),
        Some("\"F2064A169EE92E9775EE5324D0B1****\"")
    );
    assert_eq!(doc.last_modified, Some(datetime!(2018-02-24 09:41:56 UTC)));
}

#[test]
fn delete_multiple_objects_request() {
    let doc: Delete = parse("DeleteMultipleObjects.request.xml");
    assert_eq!(doc.quiet, Some(false));
    let keys: Vec<&str> = doc.objects.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, ["multipart.data", "test.jpg", "demo.jpg"]);
    assert!(doc.objects.iter().all(|o| o.version_id.is_none()));
    round_trip(&doc);
}

#[test]
fn delete_multiple_object_versions_request() {
    let doc: Delete = parse("DeleteMultipleObjects.versions.request.xml");
    assert_eq!(doc.quiet, Some(true));
    assert_eq!(doc.objects.len(), 2);
    assert_eq!(doc.objects[0].key, "key1.txt");
    assert_eq!(
        doc.objects[0].version_id.as_deref(),
        Some("CAEQNRiBgIDyz.6C0BYiIGQ2NWEwNmVhNTA3ZTQ3MzM5ODliYjM1ZTdjYjA4****")
    );
    assert_eq!(doc.objects[1].key, "key2.txt");
    assert_eq!(
        doc.objects[1].version_id.as_deref(),
        Some("CAEQNRiBgIDyz.6C0BYiIGQ2NWEwNmVhNTA3ZTQ3MzM5ODliYjM1ZTdjYjA5****")
    );
    round_trip(&doc);
}

#[test]
fn delete_multiple_objects_result() {
    let doc: DeleteResult = parse("DeleteMultipleObjects.xml");
    assert_eq!(doc.encoding_type, Some(EncodingType::Url));
    assert_eq!(doc.deleted.len(), 2);
    let d = &doc.deleted[0];
    assert_eq!(d.key, "key1.txt");
    assert_eq!(d.delete_marker, Some(true));
    assert_eq!(d.version_id, None);
    assert_eq!(
        d.delete_marker_version_id.as_deref(),
        Some("CAEQHxiBgMCEld7a3hgiIDYyMmZlNWVhMDU5NDQ3ZTFhODI1ZjZhMTFlMGQz****")
    );
    let d = &doc.deleted[1];
    assert_eq!(d.key, "key2.txt");
    assert_eq!(d.delete_marker, Some(true));
    assert_eq!(
        d.delete_marker_version_id.as_deref(),
        Some("CAEQHxiBgICJld7a3hgiIDJmZGE0OTU5MjMzZDQxNjlhY2NjMmI3YWRkYWI4****")
    );
}

#[test]
fn restore_object_request() {
    let doc: RestoreRequest = parse("RestoreObject.request.xml");
    assert_eq!(doc.days, 2);
    assert_eq!(
        doc.job_parameters.as_ref().map(|j| &j.tier),
        Some(&RestoreTier::Standard)
    );
    round_trip(&doc);
}

#[test]
fn get_object_acl() {
    let doc: ObjectAccessControlPolicy = parse("GetObjectAcl.xml");
    assert_eq!(doc.owner.id, "0022012****");
    assert_eq!(doc.owner.display_name.as_deref(), Some("0022012****"));
    assert_eq!(doc.access_control_list.grant, ObjectAcl::PublicRead);
}

#[test]
fn get_object_tagging() {
    let doc: Tagging = parse("GetObjectTagging.xml");
    assert_eq!(doc.tag_set.tags.len(), 1);
    assert_eq!(doc.tag_set.tags[0].key, "age");
    assert_eq!(doc.tag_set.tags[0].value.as_deref(), Some("18"));
}

#[test]
fn put_object_tagging_request() {
    let doc: Tagging = parse("PutObjectTagging.request.xml");
    let tags: Vec<(&str, Option<&str>)> = doc
        .tag_set
        .tags
        .iter()
        .map(|t| (t.key.as_str(), t.value.as_deref()))
        .collect();
    assert_eq!(tags, [("a", Some("1")), ("b", Some("2"))]);
    round_trip(&doc);
}

#[test]
fn list_object_versions() {
    let doc: ListVersionsResult = parse("ListObjectVersions.xml");
    assert_eq!(doc.name.as_deref(), Some("examplebucket-1250000000"));
    assert_eq!(doc.prefix.as_deref(), Some(""));
    assert_eq!(doc.key_marker.as_deref(), Some(""));
    assert_eq!(doc.version_id_marker.as_deref(), Some(""));
    assert_eq!(doc.max_keys, Some(1000));
    assert_eq!(doc.is_truncated, Some(false));
    assert!(doc.delete_markers.is_empty());
    assert_eq!(doc.versions.len(), 4);
    let v = &doc.versions[0];
    assert_eq!(v.key, "example-object-1.jpg");
    assert_eq!(v.version_id, "");
    assert_eq!(v.is_latest, Some(true));
    assert_eq!(v.last_modified, Some(datetime!(2019-08-05 12:03:10 UTC)));
    assert_eq!(
        v.etag.as_deref(),
        Some("5B3C1A2E053D763E1B669CC607C5A0FE1****")
    );
    assert_eq!(v.size, Some(20));
    assert_eq!(
        v.storage_class,
        Some(StorageClass::Unknown("STANDARD".to_string()))
    );
    assert_eq!(v.owner.as_ref().map(|o| o.id.as_str()), Some("1250000000"));
    let v = &doc.versions[3];
    assert_eq!(v.key, "demo.jpg");
    assert_eq!(v.version_id, "null");
    assert_eq!(v.object_type, Some(ObjectType::Normal));
    assert_eq!(v.size, Some(21839));
    assert_eq!(v.storage_class, Some(StorageClass::ColdArchive));
    assert_eq!(
        v.restore_info.as_deref(),
        Some("ongoing-request=\"false\", expiry-date=\"Fri, 08 Nov 2024 08:15:52 GMT\"")
    );
    assert_eq!(v.transition_time, Some(datetime!(2024-10-31 00:24:17 UTC)));
}

#[test]
fn list_object_versions_url_encoded() {
    let doc: ListVersionsResult = parse("ListObjectVersions.encoded.xml");
    assert_eq!(doc.name.as_deref(), Some("demo-bucket"));
    assert_eq!(doc.encoding_type, Some(EncodingType::Url));
    assert_eq!(doc.prefix.as_deref(), Some("demo/"));
    assert_eq!(doc.delimiter.as_deref(), Some("/"));
    assert_eq!(doc.max_keys, Some(20));
    assert_eq!(doc.is_truncated, Some(true));
    assert_eq!(doc.next_key_marker.as_deref(), Some("demo/README-CN.md"));
    assert_eq!(
        doc.next_version_id_marker.as_deref(),
        Some("CAEQEhiBgICDzK6NnBgiIGRlZWJhYmNlMGUxZDQ4YTZhNTU2MzM4Mzk5NDBl****")
    );
    assert_eq!(doc.versions.len(), 9);
    assert_eq!(doc.delete_markers.len(), 9);
    assert_eq!(doc.common_prefixes.len(), 2);

    let m = &doc.delete_markers[0];
    assert_eq!(m.key, "demo/");
    assert_eq!(
        m.version_id,
        "CAEQFxiBgIDh3b_tuRgiIGRjMjExMjVmMzcwMTQ2Njc4NjhhNTA0MzEzMDkx****"
    );
    assert_eq!(m.is_latest, Some(true));
    assert_eq!(m.last_modified, Some(datetime!(2023-04-01 05:52:31 UTC)));
    assert_eq!(
        m.owner.as_ref().map(|o| o.id.as_str()),
        Some("150692521021****")
    );

    let v = &doc.versions[0];
    assert_eq!(v.key, "demo/");
    assert_eq!(
        v.version_id,
        "CAEQFxiBgICI173TtRgiIDFlMmYyMzFjNmJmMDQ0NTBiNmIyYThkZjA1YjA5****"
    );
    assert_eq!(v.is_latest, Some(false));
    assert_eq!(v.last_modified, Some(datetime!(2023-03-06 03:02:28 UTC)));
    assert_eq!(
        v.etag.as_deref(),
        Some("\"D41D8CD98F00B204E9800998ECF8427E\"")
    );
    assert_eq!(v.size, Some(0));
    assert_eq!(v.storage_class, Some(StorageClass::Standard));

    assert_eq!(doc.delete_markers[4].key, "demo/.gitignore");
    assert_eq!(doc.versions[8].key, "demo/README-CN.md");
    assert_eq!(doc.common_prefixes[0].prefix, "demo/.git/");
    assert_eq!(doc.common_prefixes[1].prefix, "demo/.idea/");
}
