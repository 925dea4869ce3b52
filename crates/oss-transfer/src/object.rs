//! What the managers and files share about the object they read: the HeadObject that opens a
//! read, and the error for an object that changed under it.

use oss_client::Client;
use oss_model::{GetObjectInput, HeadObjectOutput};

use crate::Error;

/// A HeadObject for the object `input` reads, with its version, conditions and payer.
pub(crate) async fn head(
    client: &Client,
    input: &GetObjectInput,
) -> Result<HeadObjectOutput, Error> {
    let mut req = client.head_object().bucket(&input.bucket).key(&input.key);
    if let Some(v) = &input.version_id {
        req = req.version_id(v);
    }
    if let Some(v) = &input.if_match {
        req = req.if_match(v);
    }
    if let Some(v) = &input.if_none_match {
        req = req.if_none_match(v);
    }
    if let Some(v) = input.if_modified_since {
        req = req.if_modified_since(v);
    }
    if let Some(v) = input.if_unmodified_since {
        req = req.if_unmodified_since(v);
    }
    if let Some(v) = &input.request_payer {
        req = req.request_payer(v);
    }
    Ok(req.send().await?)
}

/// The object `input` reads no longer has the ETag `etag` its read started with.
pub(crate) fn changed(input: &GetObjectInput, etag: Option<&str>) -> Error {
    Error::ObjectChanged {
        object: format!("{}/{}", input.bucket, input.key),
        reason: format!(
            "it no longer has the ETag {} the read started with",
            etag.unwrap_or("?")
        ),
    }
}
