//! Paginators the spec format gained with dotted token paths: ListVectorBuckets (the marker is
//! nested in `ListAllMyBucketsResult`) and ListVectorIndexes (the token travels in the JSON request
//! body, and the listing ends when `nextToken` is absent or empty, as the Go SDK v2's
//! `ListVectorIndexesPaginator` decides). Responses are JSON documents shaped like the Python SDK
//! v2's fixtures, parsed by the generated `parse_output`.

use bytes::Bytes;
use oss_proto::Error;
use oss_proto::generated::{ListVectorBuckets, ListVectorIndexes};
use oss_proto::operation::{Operation, RequestBody};
use oss_proto::paginate::{Paginated, Paginator};

fn head() -> http::response::Parts {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(())
        .expect("response")
        .into_parts()
        .0
}

/// Walks `pages` (JSON response bodies) and returns the inputs the paginator sent.
fn walk<O: Paginated>(first: O::Input, pages: &[&str]) -> (Vec<O::Input>, Result<(), Error>)
where
    O::Input: Clone + PartialEq,
{
    let mut paginator = Paginator::<O>::new(first);
    let mut inputs = Vec::new();
    for page in pages {
        let input = paginator.next_input().expect("a page is due").clone();
        inputs.push(input);
        let output = O::parse_output(&head(), Bytes::from(page.to_string())).expect("output");
        if let Err(e) = paginator.on_output(&output) {
            return (inputs, Err(e));
        }
    }
    assert!(paginator.is_done(), "{} wants more pages", O::METADATA.name);
    (inputs, Ok(()))
}

fn request_json<O: Operation>(input: &O::Input) -> serde_json::Value {
    match O::build_request(input).expect("parts").body {
        RequestBody::Bytes(b) => serde_json::from_slice(&b).expect("JSON body"),
        other => panic!("unexpected body {other:?}"),
    }
}

#[test]
fn list_vector_indexes_sends_each_next_token_in_the_request_body() {
    let first = oss_model::ListVectorIndexesInput::builder()
        .bucket("vbucket")
        .body(oss_model::VectorIndexListRequest {
            max_results: Some(1),
            prefix: Some("test-".into()),
            ..Default::default()
        })
        .build()
        .expect("input");
    let (inputs, end) = walk::<ListVectorIndexes>(
        first,
        &[
            r#"{"indexes":[{"indexName":"test-a"}],"nextToken":"t1"}"#,
            r#"{"indexes":[{"indexName":"test-b"}],"nextToken":"t2"}"#,
            r#"{"indexes":[{"indexName":"test-c"}],"nextToken":""}"#,
        ],
    );
    end.expect("complete");
    let bodies: Vec<serde_json::Value> = inputs
        .iter()
        .map(request_json::<ListVectorIndexes>)
        .collect();
    assert_eq!(
        bodies,
        [
            serde_json::json!({"maxResults": 1, "prefix": "test-"}),
            serde_json::json!({"maxResults": 1, "prefix": "test-", "nextToken": "t1"}),
            serde_json::json!({"maxResults": 1, "prefix": "test-", "nextToken": "t2"}),
        ]
    );
}

#[test]
fn list_vector_indexes_ends_when_the_token_is_absent() {
    let first = oss_model::ListVectorIndexesInput::builder()
        .bucket("vbucket")
        .body(oss_model::VectorIndexListRequest::default())
        .build()
        .expect("input");
    let (inputs, end) = walk::<ListVectorIndexes>(first, &[r#"{"indexes":[]}"#]);
    end.expect("complete");
    assert_eq!(inputs.len(), 1);
}

#[test]
fn list_vector_buckets_follows_the_nested_next_marker() {
    let first = oss_model::ListVectorBucketsInput::builder()
        .max_keys(1)
        .build()
        .expect("input");
    let (inputs, end) = walk::<ListVectorBuckets>(
        first,
        &[
            r#"{"ListAllMyBucketsResult":{"IsTruncated":true,"NextMarker":"test-bucket-3","Buckets":[{"Name":"test-bucket-3"}]}}"#,
            r#"{"ListAllMyBucketsResult":{"IsTruncated":false,"NextMarker":"","Buckets":[{"Name":"test-bucket-4"}]}}"#,
        ],
    );
    end.expect("complete");
    let markers: Vec<Option<&str>> = inputs.iter().map(|i| i.marker.as_deref()).collect();
    assert_eq!(markers, [None, Some("test-bucket-3")]);
    assert!(inputs.iter().all(|i| i.max_keys == Some(1)));
}

#[test]
fn list_vector_buckets_truncated_without_a_marker_is_stalled() {
    let first = oss_model::ListVectorBucketsInput::builder()
        .build()
        .expect("input");
    let (_, end) = walk::<ListVectorBuckets>(
        first,
        &[r#"{"ListAllMyBucketsResult":{"IsTruncated":true,"Buckets":[]}}"#],
    );
    assert!(
        matches!(
            end,
            Err(Error::PaginationStalled {
                operation: "ListVectorBuckets"
            })
        ),
        "{end:?}"
    );
}
