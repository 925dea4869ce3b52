//! Copies within the bucket: one CopyObject, or, for a source CopyObject refuses as too large
//! (OSS copies at most 1 GB in one request), a multipart copy of UploadPartCopy parts made by
//! oss-transfer's [`Copier`].
//!
//! CopyObject is tried first so a small copy stays one request: finding the size first would
//! add a HEAD to every copy, and OSS copies far larger objects in one request in some cases
//! (within one bucket, no storage class change), which only the service itself knows.

use object_store::Result;
use object_store::path::Path;
use oss_model::{CopyObjectInput, CopySource};
use oss_transfer::Copier;

use crate::error::{STORE, map_error};
use crate::store::Inner;

/// The largest source OSS copies with one CopyObject: 1 GB. The fallback copies sources up to
/// it with CopyObject too, so an answer that only looked like "too large" is given back as is.
pub(crate) const COPY_OBJECT_MAX_SIZE: u64 = 1 << 30;

/// Copies `from` to `to`; with `create`, fails with `AlreadyExists` when `to` exists
/// (`x-oss-forbid-overwrite`, honoured by CompleteMultipartUpload on the multipart path).
pub(crate) async fn copy(inner: &Inner, from: &Path, to: &Path, create: bool) -> Result<()> {
    let source = CopySource::new(&inner.bucket, inner.key(from));
    let mut request = inner
        .client
        .copy_object()
        .bucket(&inner.bucket)
        .key(inner.key(to))
        .copy_source(source.clone());
    if create {
        request = request.forbid_overwrite(true);
    }
    match request.send().await {
        Ok(_) => Ok(()),
        Err(e) if too_large(&e) => multipart(inner, source, from, to, create).await,
        Err(e) => Err(client_error(from, to, e)),
    }
}

/// Whether CopyObject refused the source for its size: a 400 (or 413) `EntityTooLarge`, or
/// the codes S3-style services use for it (`InvalidRequest`, `InvalidArgument`). A false
/// positive costs a HEAD and a second CopyObject, whose error is then reported.
fn too_large(e: &oss_client::Error) -> bool {
    e.service_error().is_some_and(|s| {
        matches!(s.status.as_u16(), 400 | 413)
            && matches!(
                s.code.as_str(),
                "EntityTooLarge" | "InvalidRequest" | "InvalidArgument"
            )
    })
}

async fn multipart(
    inner: &Inner,
    source: CopySource,
    from: &Path,
    to: &Path,
    create: bool,
) -> Result<()> {
    let mut input = CopyObjectInput::builder()
        .bucket(&inner.bucket)
        .key(inner.key(to))
        .copy_source(source);
    if create {
        input = input.forbid_overwrite(true);
    }
    let input = input.build().map_err(|e| object_store::Error::Generic {
        store: STORE,
        source: Box::new(e),
    })?;
    Copier::new(inner.client.clone())
        .threshold(COPY_OBJECT_MAX_SIZE + 1)
        .copy(input)
        .await
        .map(drop)
        .map_err(|e| match e {
            oss_transfer::Error::Client(e) => client_error(from, to, e),
            other => object_store::Error::Generic {
                store: STORE,
                source: Box::new(other),
            },
        })
}

/// A missing source is reported against the source path, anything else (a taken
/// destination) against the destination.
fn client_error(from: &Path, to: &Path, e: oss_client::Error) -> object_store::Error {
    if e.code() == Some("NoSuchKey") {
        map_error(from.as_ref(), e)
    } else {
        map_error(to.as_ref(), e)
    }
}
