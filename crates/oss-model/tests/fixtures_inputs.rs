//! Input builders of the core operations: members the OSS API reference marks as required are
//! refused with a typed error when missing, and set members arrive unchanged.

use oss_model::xml::XmlDocument;
use oss_model::{
    AppendObjectInput, BucketAcl, BuildError, CompleteMultipartUploadInput, CopyObjectInput,
    Delete, DeleteMultipleObjectsInput, MetadataDirective, ObjectAcl, OptionObjectInput,
    PutBucketAclInput, PutObjectAclInput, PutObjectInput, PutSymlinkInput, SealAppendObjectInput,
    ServerSideEncryption, StorageClass, UploadPartCopyInput, UploadPartInput,
};

fn missing(type_name: &'static str, field: &'static str) -> BuildError {
    BuildError::MissingField { type_name, field }
}

#[test]
fn bucket_and_key_are_required() {
    assert_eq!(
        PutObjectInput::builder().key("k").build().unwrap_err(),
        missing("PutObjectInput", "bucket")
    );
    assert_eq!(
        PutObjectInput::builder().bucket("b").build().unwrap_err(),
        missing("PutObjectInput", "key")
    );
}

#[test]
fn acl_headers_are_required() {
    assert_eq!(
        PutBucketAclInput::builder()
            .bucket("b")
            .build()
            .unwrap_err(),
        missing("PutBucketAclInput", "acl")
    );
    assert_eq!(
        PutObjectAclInput::builder()
            .bucket("b")
            .key("k")
            .build()
            .unwrap_err(),
        missing("PutObjectAclInput", "acl")
    );
    let input = PutBucketAclInput::builder()
        .bucket("b")
        .acl(BucketAcl::PublicReadWrite)
        .build()
        .expect("complete");
    assert_eq!(input.acl.as_str(), "public-read-write");
    let input = PutObjectAclInput::builder()
        .bucket("b")
        .key("k")
        .acl(ObjectAcl::Default)
        .version_id("v1")
        .build()
        .expect("complete");
    assert_eq!(input.acl.as_str(), "default");
    assert_eq!(input.version_id.as_deref(), Some("v1"));
}

#[test]
fn put_object_headers_arrive_unchanged() {
    let input = PutObjectInput::builder()
        .bucket("examplebucket")
        .key("exampleobject.txt")
        .content_type("text/plain")
        .forbid_overwrite(true)
        .server_side_encryption(ServerSideEncryption::Kms)
        .storage_class(StorageClass::ColdArchive)
        .traffic_limit(819200)
        .metadata([("author".to_string(), "alice".to_string())].into())
        .build()
        .expect("complete");
    assert_eq!(input.bucket, "examplebucket");
    assert_eq!(input.key, "exampleobject.txt");
    assert_eq!(input.content_type.as_deref(), Some("text/plain"));
    assert_eq!(input.forbid_overwrite, Some(true));
    assert_eq!(
        input.server_side_encryption.as_ref().map(|s| s.as_str()),
        Some("KMS")
    );
    assert_eq!(
        input.storage_class.as_ref().map(|s| s.as_str()),
        Some("ColdArchive")
    );
    assert_eq!(input.traffic_limit, Some(819200));
    assert_eq!(
        input.metadata.get("author").map(String::as_str),
        Some("alice")
    );
    assert_eq!(input.object_acl, None);
}

#[test]
fn append_and_seal_need_a_position() {
    assert_eq!(
        AppendObjectInput::builder()
            .bucket("b")
            .key("k")
            .build()
            .unwrap_err(),
        missing("AppendObjectInput", "position")
    );
    assert_eq!(
        SealAppendObjectInput::builder()
            .bucket("b")
            .key("k")
            .build()
            .unwrap_err(),
        missing("SealAppendObjectInput", "position")
    );
    let input = AppendObjectInput::builder()
        .bucket("b")
        .key("k")
        .position(0)
        .build()
        .expect("complete");
    assert_eq!(input.position, 0);
}

#[test]
fn copies_need_a_source() {
    assert_eq!(
        CopyObjectInput::builder()
            .bucket("b")
            .key("k")
            .build()
            .unwrap_err(),
        missing("CopyObjectInput", "copy_source")
    );
    let input = CopyObjectInput::builder()
        .bucket("b")
        .key("k")
        .copy_source(oss_model::CopySource::new("srcbucket", "src object.txt").version_id("v1"))
        .metadata_directive(MetadataDirective::Replace)
        .build()
        .expect("complete");
    assert_eq!(
        oss_model::value::TextValue::to_text(&input.copy_source),
        "/srcbucket/src%20object.txt?versionId=v1"
    );
    assert_eq!(
        input.metadata_directive.as_ref().map(|m| m.as_str()),
        Some("REPLACE")
    );

    let err = UploadPartCopyInput::builder()
        .bucket("b")
        .key("k")
        .upload_id("u")
        .part_number(1)
        .build()
        .unwrap_err();
    assert_eq!(err, missing("UploadPartCopyInput", "copy_source"));
}

#[test]
fn parts_need_an_upload_id_and_number() {
    let err = UploadPartInput::builder()
        .bucket("b")
        .key("k")
        .part_number(1)
        .build()
        .unwrap_err();
    assert_eq!(err, missing("UploadPartInput", "upload_id"));
    let err = UploadPartInput::builder()
        .bucket("b")
        .key("k")
        .upload_id("u")
        .build()
        .unwrap_err();
    assert_eq!(err, missing("UploadPartInput", "part_number"));
    let err = CompleteMultipartUploadInput::builder()
        .bucket("b")
        .key("k")
        .build()
        .unwrap_err();
    assert_eq!(err, missing("CompleteMultipartUploadInput", "upload_id"));
    // `x-oss-complete-all: yes` completes without a part list: the body is optional.
    let input = CompleteMultipartUploadInput::builder()
        .bucket("b")
        .key("k")
        .upload_id("u")
        .complete_all("yes")
        .build()
        .expect("complete");
    assert_eq!(input.parts, None);
}

#[test]
fn symlinks_need_a_target() {
    assert_eq!(
        PutSymlinkInput::builder()
            .bucket("b")
            .key("k")
            .build()
            .unwrap_err(),
        missing("PutSymlinkInput", "target")
    );
}

#[test]
fn preflight_needs_origin_and_method() {
    assert_eq!(
        OptionObjectInput::builder()
            .bucket("b")
            .key("k")
            .access_control_request_method("PUT")
            .build()
            .unwrap_err(),
        missing("OptionObjectInput", "origin")
    );
    assert_eq!(
        OptionObjectInput::builder()
            .bucket("b")
            .key("k")
            .origin("http://example.com")
            .build()
            .unwrap_err(),
        missing("OptionObjectInput", "access_control_request_method")
    );
}

#[test]
fn delete_multiple_objects_takes_the_fixture_document() {
    assert_eq!(
        DeleteMultipleObjectsInput::builder()
            .bucket("b")
            .build()
            .unwrap_err(),
        missing("DeleteMultipleObjectsInput", "delete")
    );
    let path = format!(
        "{}/tests/fixtures/DeleteMultipleObjects.request.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    let doc = Delete::from_xml(&std::fs::read(path).expect("fixture")).expect("parse");
    let input = DeleteMultipleObjectsInput::builder()
        .bucket("b")
        .delete(doc.clone())
        .build()
        .expect("complete");
    assert_eq!(input.delete, doc);
    assert_eq!(input.delete.objects.len(), 3);
}
