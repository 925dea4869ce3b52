//! Shapes whose element holds only text (`text = true` members): GetBucketLocation's
//! `LocationConstraint` document.
//!
//! The document is the one the official Go SDK v2 reads in `TestUnmarshalOutput_GetBucketLocation`
//! (`oss/api_op_bucket_test.go`); expected values are read from it by hand.

use oss_model::LocationConstraint;
use oss_model::xml::XmlDocument;

const GO_SDK_DOCUMENT: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<LocationConstraint>oss-cn-hangzhou</LocationConstraint>";

#[test]
fn location_constraint_reads_the_element_text() {
    let doc = LocationConstraint::from_xml(GO_SDK_DOCUMENT.as_bytes()).expect("document");
    assert_eq!(doc.location_constraint, "oss-cn-hangzhou");
}

#[test]
fn location_constraint_writes_the_element_text() {
    let doc = LocationConstraint {
        location_constraint: "oss-cn-chengdu".to_string(),
    };
    assert_eq!(
        doc.to_xml(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint>oss-cn-chengdu</LocationConstraint>"
    );
}

#[test]
fn location_constraint_resolves_entities_and_keeps_empty_text() {
    let doc = LocationConstraint::from_xml(b"<LocationConstraint>a&amp;b</LocationConstraint>")
        .expect("document");
    assert_eq!(doc.location_constraint, "a&b");
    let empty = LocationConstraint::from_xml(b"<LocationConstraint/>").expect("document");
    assert_eq!(empty.location_constraint, "");
}

#[test]
fn location_constraint_rejects_a_child_element_and_another_root() {
    assert!(
        LocationConstraint::from_xml(
            b"<LocationConstraint><Region>x</Region></LocationConstraint>"
        )
        .is_err()
    );
    assert!(LocationConstraint::from_xml(b"<Location>oss-cn-hangzhou</Location>").is_err());
}
