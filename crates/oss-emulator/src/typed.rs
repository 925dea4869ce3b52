//! The generated server side of the operations (`oss_proto::generated::ServerOperation`): request
//! bodies read into the same oss-model inputs the client builds, and responses written from the
//! same outputs the client parses.

use bytes::Bytes;
use http::StatusCode;
use oss_proto::generated::ServerOperation;
use oss_proto::operation::{RequestBody, RequestParts};

use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;

/// The request as oss-proto's `RequestParts` (decoded query, headers, no body).
fn parts(req: &Request) -> RequestParts {
    RequestParts {
        method: req.method.clone(),
        bucket: req.bucket.clone(),
        key: req.key.clone(),
        query: req.query.clone(),
        headers: req.headers.clone(),
        body: RequestBody::Empty,
    }
}

/// Reads the typed input of operation `O`; a malformed document is `MalformedXML`.
pub(crate) fn input<O: ServerOperation>(req: &Request) -> Result<O::Input, OssError> {
    O::parse_request(&parts(req), &req.body)
        .map_err(|e| OssError::malformed_xml().with("Detail", e.to_string()))
}

/// Writes the typed output of operation `O` as a reply (headers and document).
pub(crate) fn reply<O: ServerOperation>(output: &O::Output) -> Result<Reply, OssError> {
    let (headers, body): (http::HeaderMap, Bytes) = O::build_response(output)
        .map_err(|e| OssError::internal(format!("cannot write the response: {e}")))?;
    let mut reply = Reply::ok().status(StatusCode::OK).body(body);
    for (name, value) in &headers {
        if let Ok(v) = value.to_str() {
            reply = reply.header(name.as_str(), v);
        }
    }
    Ok(reply)
}
