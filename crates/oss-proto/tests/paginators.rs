//! Every generated listing paginator walks a scripted sequence of responses to the end, and
//! stops with `PaginationStalled` on a truncated response that names no marker. ListObjectsV2
//! and ListParts are fed real XML through `read_response`, the others typed outputs.

use bytes::Bytes;
use oss_proto::Error;
use oss_proto::generated::{
    ListBucketInventory, ListBuckets, ListMultipartUploads, ListObjectVersions, ListObjects,
    ListObjectsV2, ListParts,
};
use oss_proto::paginate::{Paginated, Paginator};
use oss_proto::response::read_response;

/// Feeds `outputs` to a paginator started at `first`; returns the inputs it asked for and how
/// it ended.
fn walk<O>(first: O::Input, outputs: Vec<O::Output>) -> (Vec<O::Input>, Result<(), Error>)
where
    O: Paginated,
    O::Input: PartialEq + Clone,
{
    let mut paginator = Paginator::<O>::new(first);
    let mut inputs = Vec::new();
    for output in outputs {
        let input = paginator
            .next_input()
            .unwrap_or_else(|| panic!("{} ended early", O::METADATA.name))
            .clone();
        inputs.push(input);
        if let Err(e) = paginator.on_output(&output) {
            assert!(paginator.is_done());
            return (inputs, Err(e));
        }
    }
    assert!(
        paginator.is_done(),
        "{} wants more pages than scripted",
        O::METADATA.name
    );
    (inputs, Ok(()))
}

fn stalled(operation: &'static str) -> Result<(), Error> {
    Err(Error::PaginationStalled { operation })
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

fn ok_head() -> http::response::Parts {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/xml")
        .body(())
        .expect("response")
        .into_parts()
        .0
}

fn list_v2_page(truncated: bool, next: Option<&str>, keys: &[&str]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>\n  <Name>examplebucket</Name>\n  <Prefix>a/</Prefix>\n  <MaxKeys>2</MaxKeys>\n  <EncodingType>url</EncodingType>\n",
    );
    xml.push_str(&format!("  <IsTruncated>{truncated}</IsTruncated>\n"));
    if let Some(next) = next {
        xml.push_str(&format!(
            "  <NextContinuationToken>{next}</NextContinuationToken>\n"
        ));
    }
    for key in keys {
        xml.push_str(&format!(
            "  <Contents>\n    <Key>{key}</Key>\n    <LastModified>2020-06-22T11:42:32.000Z</LastModified>\n    <ETag>\"5B3C1A2E053D763E1B002CC607C5A0FE1****\"</ETag>\n    <Type>Normal</Type>\n    <Size>344606</Size>\n    <StorageClass>Standard</StorageClass>\n  </Contents>\n"
        ));
    }
    xml.push_str("  <KeyCount>2</KeyCount>\n</ListBucketResult>\n");
    xml
}

#[test]
fn list_objects_v2_from_xml_pages() {
    let pages = [
        list_v2_page(true, Some("CgJhYw--"), &["a/1.txt", "a/2.txt"]),
        list_v2_page(true, Some("CgJhZA--"), &["a/3.txt", "a/4.txt"]),
        list_v2_page(false, None, &["a/5.txt"]),
    ];
    let outputs: Vec<_> = pages
        .iter()
        .map(|xml| read_response::<ListObjectsV2>(&ok_head(), Bytes::from(xml.clone())))
        .collect::<Result<_, _>>()
        .expect("pages parse");
    let keys: Vec<_> = outputs
        .iter()
        .flat_map(|o| o.contents.iter().map(|c| c.key.clone()))
        .collect();
    assert_eq!(
        keys,
        ["a/1.txt", "a/2.txt", "a/3.txt", "a/4.txt", "a/5.txt"]
    );

    let first = oss_model::ListObjectsV2Input::builder()
        .bucket("examplebucket")
        .prefix("a/")
        .max_keys(2)
        .build()
        .expect("input");
    let (inputs, end) = walk::<ListObjectsV2>(first, outputs);
    assert_eq!(end, Ok(()));
    let tokens: Vec<_> = inputs
        .iter()
        .map(|i| i.continuation_token.clone())
        .collect();
    assert_eq!(tokens, [None, s("CgJhYw--"), s("CgJhZA--")]);
    assert!(
        inputs
            .iter()
            .all(|i| i.prefix == s("a/") && i.max_keys == Some(2))
    );

    // Truncated, but no token: stalled.
    let stuck = read_response::<ListObjectsV2>(
        &ok_head(),
        Bytes::from(list_v2_page(true, None, &["a/1.txt"])),
    )
    .expect("page parses");
    let first = oss_model::ListObjectsV2Input::builder()
        .bucket("examplebucket")
        .build()
        .expect("input");
    let (_, end) = walk::<ListObjectsV2>(first, vec![stuck]);
    assert_eq!(end, stalled("ListObjectsV2"));
}

fn list_parts_page(truncated: bool, next: Option<i64>, parts: &[i64]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListPartsResult>\n  <Bucket>multipart_upload</Bucket>\n  <Key>multipart.data</Key>\n  <UploadId>0004B999EF5A239BB9138C6227D6****</UploadId>\n  <MaxParts>2</MaxParts>\n",
    );
    xml.push_str(&format!("  <IsTruncated>{truncated}</IsTruncated>\n"));
    if let Some(next) = next {
        xml.push_str(&format!(
            "  <NextPartNumberMarker>{next}</NextPartNumberMarker>\n"
        ));
    }
    for n in parts {
        xml.push_str(&format!(
            "  <Part>\n    <PartNumber>{n}</PartNumber>\n    <LastModified>2012-02-23T07:01:34.000Z</LastModified>\n    <ETag>\"3349DC700140D7F86A0784842780****\"</ETag>\n    <Size>6291456</Size>\n  </Part>\n"
        ));
    }
    xml.push_str("</ListPartsResult>\n");
    xml
}

#[test]
fn list_parts_from_xml_pages() {
    let pages = [
        list_parts_page(true, Some(2), &[1, 2]),
        list_parts_page(true, Some(4), &[3, 4]),
        list_parts_page(false, None, &[5]),
    ];
    let outputs: Vec<_> = pages
        .iter()
        .map(|xml| read_response::<ListParts>(&ok_head(), Bytes::from(xml.clone())))
        .collect::<Result<_, _>>()
        .expect("pages parse");
    let first = oss_model::ListPartsInput::builder()
        .bucket("multipart-upload")
        .key("multipart.data")
        .upload_id("0004B999EF5A239BB9138C6227D6****")
        .build()
        .expect("input");
    let (inputs, end) = walk::<ListParts>(first, outputs);
    assert_eq!(end, Ok(()));
    let markers: Vec<_> = inputs.iter().map(|i| i.part_number_marker).collect();
    assert_eq!(markers, [None, Some(2), Some(4)]);
    assert!(
        inputs
            .iter()
            .all(|i| i.upload_id == "0004B999EF5A239BB9138C6227D6****")
    );

    let stuck =
        read_response::<ListParts>(&ok_head(), Bytes::from(list_parts_page(true, None, &[1])))
            .expect("page parses");
    let first = oss_model::ListPartsInput::builder()
        .bucket("multipart-upload")
        .key("multipart.data")
        .upload_id("u")
        .build()
        .expect("input");
    let (_, end) = walk::<ListParts>(first, vec![stuck]);
    assert_eq!(end, stalled("ListParts"));
}

#[test]
fn list_objects_v1_markers() {
    let page = |truncated, next: Option<&str>| oss_model::ListObjectsOutput {
        is_truncated: Some(truncated),
        next_marker: next.map(str::to_owned),
        ..Default::default()
    };
    let first = oss_model::ListObjectsInput::builder()
        .bucket("examplebucket")
        .prefix("fun/")
        .build()
        .expect("input");
    let (inputs, end) = walk::<ListObjects>(
        first.clone(),
        vec![
            page(true, Some("fun/movie/001.avi")),
            page(true, Some("fun/movie/007.avi")),
            page(false, None),
        ],
    );
    assert_eq!(end, Ok(()));
    let markers: Vec<_> = inputs.iter().map(|i| i.marker.clone()).collect();
    assert_eq!(
        markers,
        [None, s("fun/movie/001.avi"), s("fun/movie/007.avi")]
    );
    assert!(inputs.iter().all(|i| i.prefix == s("fun/")));
    let (_, end) = walk::<ListObjects>(first, vec![page(true, None)]);
    assert_eq!(end, stalled("ListObjects"));
}

#[test]
fn list_object_versions_two_markers() {
    let page =
        |truncated, key: Option<&str>, version: Option<&str>| oss_model::ListObjectVersionsOutput {
            is_truncated: Some(truncated),
            next_key_marker: key.map(str::to_owned),
            next_version_id_marker: version.map(str::to_owned),
            ..Default::default()
        };
    let first = oss_model::ListObjectVersionsInput::builder()
        .bucket("examplebucket")
        .build()
        .expect("input");
    let (inputs, end) = walk::<ListObjectVersions>(
        first.clone(),
        vec![
            page(
                true,
                Some("example"),
                Some("CAEQGBiBgIC_k7eL0RciIDE2YTUxMjQyY2U1NzQ0NzE4NDlkYjNlYTQ3YzY1****"),
            ),
            page(true, Some("example2"), None),
            page(false, None, None),
        ],
    );
    assert_eq!(end, Ok(()));
    assert_eq!(inputs[1].key_marker, s("example"));
    assert_eq!(
        inputs[1].version_id_marker,
        s("CAEQGBiBgIC_k7eL0RciIDE2YTUxMjQyY2U1NzQ0NzE4NDlkYjNlYTQ3YzY1****")
    );
    assert_eq!(inputs[2].key_marker, s("example2"));
    assert_eq!(inputs[2].version_id_marker, None);
    let (_, end) = walk::<ListObjectVersions>(first, vec![page(true, None, None)]);
    assert_eq!(end, stalled("ListObjectVersions"));
}

#[test]
fn list_multipart_uploads_two_markers() {
    let page = |truncated, key: Option<&str>, upload: Option<&str>| {
        oss_model::ListMultipartUploadsOutput {
            is_truncated: Some(truncated),
            next_key_marker: key.map(str::to_owned),
            next_upload_id_marker: upload.map(str::to_owned),
            ..Default::default()
        }
    };
    let first = oss_model::ListMultipartUploadsInput::builder()
        .bucket("oss-example")
        .build()
        .expect("input");
    let (inputs, end) = walk::<ListMultipartUploads>(
        first.clone(),
        vec![
            page(
                true,
                Some("oss.avi"),
                Some("0004B99B8E707874FC2D692FA5D77D3F"),
            ),
            page(false, None, None),
        ],
    );
    assert_eq!(end, Ok(()));
    assert_eq!(inputs[1].key_marker, s("oss.avi"));
    assert_eq!(
        inputs[1].upload_id_marker,
        s("0004B99B8E707874FC2D692FA5D77D3F")
    );
    let (_, end) = walk::<ListMultipartUploads>(first, vec![page(true, None, None)]);
    assert_eq!(end, stalled("ListMultipartUploads"));
}

#[test]
fn list_buckets_marker() {
    let page = |truncated, next: Option<&str>| oss_model::ListBucketsOutput {
        is_truncated: Some(truncated),
        next_marker: next.map(str::to_owned),
        ..Default::default()
    };
    let first = oss_model::ListBucketsInput::builder()
        .max_keys(1)
        .build()
        .expect("input");
    let (inputs, end) = walk::<ListBuckets>(
        first.clone(),
        vec![page(true, Some("app-base-oss")), page(false, None)],
    );
    assert_eq!(end, Ok(()));
    assert_eq!(inputs[1].marker, s("app-base-oss"));
    assert_eq!(inputs[1].max_keys, Some(1));
    let (_, end) = walk::<ListBuckets>(first, vec![page(true, None)]);
    assert_eq!(end, stalled("ListBuckets"));
}

#[test]
fn list_bucket_inventory_token() {
    let page = |truncated, next: Option<&str>| oss_model::ListBucketInventoryOutput {
        is_truncated: Some(truncated),
        next_continuation_token: next.map(str::to_owned),
        ..Default::default()
    };
    let first = oss_model::ListBucketInventoryInput::builder()
        .bucket("examplebucket")
        .build()
        .expect("input");
    let (inputs, end) = walk::<ListBucketInventory>(
        first.clone(),
        vec![page(true, Some("test1")), page(false, None)],
    );
    assert_eq!(end, Ok(()));
    assert_eq!(inputs[1].continuation_token, s("test1"));
    let (_, end) = walk::<ListBucketInventory>(first, vec![page(true, None)]);
    assert_eq!(end, stalled("ListBucketInventory"));
}
