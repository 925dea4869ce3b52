//! Multipart uploads: `put_multipart` (an [`Upload`] whose parts are sent concurrently, each
//! holding only its own data) and `MultipartStore` over the same operations.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path;
use object_store::{
    MultipartId, MultipartUpload, PutMultipartOptions, PutPayload, PutResult, Result, UploadPart,
};
use oss_model::{CompleteMultipartUpload, CompletedPart};

use crate::error::AdapterError;
use crate::put::{ObjectHeaders, body};
use crate::store::{Inner, OssObjectStore};

/// OSS numbers parts 1 to 10,000.
const MAX_PARTS: usize = 10_000;

/// InitiateMultipartUpload with the options' attributes and tags.
async fn initiate(inner: &Inner, location: &Path, opts: &PutMultipartOptions) -> Result<String> {
    let headers = ObjectHeaders::new(&opts.attributes, &opts.tags, "put_multipart_opts")?;
    let mut request = inner
        .client
        .initiate_multipart_upload()
        .bucket(&inner.bucket)
        .key(inner.key(location));
    if let Some(v) = headers.content_type {
        request = request.content_type(v);
    }
    if let Some(v) = headers.content_encoding {
        request = request.content_encoding(v);
    }
    if let Some(v) = headers.content_disposition {
        request = request.content_disposition(v);
    }
    if let Some(v) = headers.content_language {
        request = request.content_language(v);
    }
    if let Some(v) = headers.cache_control {
        request = request.cache_control(v);
    }
    if let Some(v) = headers.storage_class {
        request = request.storage_class(v);
    }
    if !headers.metadata.is_empty() {
        request = request.metadata(headers.metadata);
    }
    if let Some(v) = headers.tagging {
        request = request.tagging(v);
    }
    let out = request.send().await.map_err(inner.err(location))?;
    Ok(out.upload_id)
}

/// UploadPart for the zero-based `index`; returns the part's ETag.
async fn upload_part(
    inner: &Inner,
    location: &Path,
    upload_id: &str,
    index: usize,
    data: PutPayload,
) -> Result<String> {
    if index >= MAX_PARTS {
        return Err(AdapterError::TooManyParts { index }.into());
    }
    let out = inner
        .client
        .upload_part()
        .bucket(&inner.bucket)
        .key(inner.key(location))
        .upload_id(upload_id)
        .part_number(index as i64 + 1)
        .body(body(data))
        .send()
        .await
        .map_err(inner.err(location))?;
    out.etag.ok_or_else(|| {
        AdapterError::MissingResponseValue {
            operation: "UploadPart",
            what: "ETag",
        }
        .into()
    })
}

/// CompleteMultipartUpload with `etags[i]` as part `i + 1`. OSS refuses to complete an upload
/// without parts, so an empty one first gets a single empty part (an empty object).
async fn complete(
    inner: &Inner,
    location: &Path,
    upload_id: &str,
    mut etags: Vec<String>,
) -> Result<PutResult> {
    if etags.is_empty() {
        etags.push(upload_part(inner, location, upload_id, 0, PutPayload::new()).await?);
    }
    let parts = etags
        .into_iter()
        .enumerate()
        .map(|(i, etag)| CompletedPart {
            part_number: i as i64 + 1,
            etag,
        })
        .collect();
    let out = inner
        .client
        .complete_multipart_upload()
        .bucket(&inner.bucket)
        .key(inner.key(location))
        .upload_id(upload_id)
        .parts(CompleteMultipartUpload { parts })
        .send()
        .await
        .map_err(inner.err(location))?;
    Ok(PutResult {
        e_tag: out.etag,
        version: out.version_id,
        extensions: Default::default(),
    })
}

async fn abort(inner: &Inner, location: &Path, upload_id: &str) -> Result<()> {
    inner
        .client
        .abort_multipart_upload()
        .bucket(&inner.bucket)
        .key(inner.key(location))
        .upload_id(upload_id)
        .send()
        .await
        .map_err(inner.err(location))?;
    Ok(())
}

/// A multipart upload started by `put_multipart`: each [`put_part`](MultipartUpload::put_part)
/// returns an independent future that sends one part (run them concurrently, e.g. with
/// `object_store::WriteMultipart`, whose concurrency limit bounds the memory held);
/// [`complete`](MultipartUpload::complete) assembles the parts in the order `put_part` was
/// called.
#[derive(Debug)]
pub struct Upload {
    inner: Arc<Inner>,
    location: Path,
    upload_id: String,
    next_index: usize,
    /// ETags by part index, filled in as parts finish.
    etags: Arc<Mutex<Vec<Option<String>>>>,
}

impl Upload {
    pub(crate) async fn start(
        inner: &Arc<Inner>,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Self> {
        let upload_id = initiate(inner, location, &opts).await?;
        Ok(Upload {
            inner: Arc::clone(inner),
            location: location.clone(),
            upload_id,
            next_index: 0,
            etags: Arc::default(),
        })
    }

    /// The OSS upload id.
    pub fn upload_id(&self) -> &str {
        &self.upload_id
    }
}

#[async_trait]
impl MultipartUpload for Upload {
    fn put_part(&mut self, data: PutPayload) -> UploadPart {
        let index = self.next_index;
        self.next_index += 1;
        let inner = Arc::clone(&self.inner);
        let location = self.location.clone();
        let upload_id = self.upload_id.clone();
        let etags = Arc::clone(&self.etags);
        Box::pin(async move {
            let etag = upload_part(&inner, &location, &upload_id, index, data).await?;
            let mut etags = etags.lock().unwrap_or_else(PoisonError::into_inner);
            if etags.len() <= index {
                etags.resize(index + 1, None);
            }
            etags[index] = Some(etag);
            Ok(())
        })
    }

    async fn complete(&mut self) -> Result<PutResult> {
        let etags = {
            let etags = self.etags.lock().unwrap_or_else(PoisonError::into_inner);
            (0..self.next_index)
                .map(|i| {
                    etags
                        .get(i)
                        .cloned()
                        .flatten()
                        .ok_or(AdapterError::PartMissing { index: i })
                })
                .collect::<Result<Vec<_>, _>>()?
        };
        complete(&self.inner, &self.location, &self.upload_id, etags).await
    }

    async fn abort(&mut self) -> Result<()> {
        abort(&self.inner, &self.location, &self.upload_id).await
    }
}

#[async_trait]
impl MultipartStore for OssObjectStore {
    async fn create_multipart(&self, path: &Path) -> Result<MultipartId> {
        initiate(&self.inner, path, &PutMultipartOptions::default()).await
    }

    async fn create_multipart_opts(
        &self,
        path: &Path,
        opts: PutMultipartOptions,
    ) -> Result<MultipartId> {
        initiate(&self.inner, path, &opts).await
    }

    async fn put_part(
        &self,
        path: &Path,
        id: &MultipartId,
        part_idx: usize,
        data: PutPayload,
    ) -> Result<PartId> {
        let content_id = upload_part(&self.inner, path, id, part_idx, data).await?;
        Ok(PartId { content_id })
    }

    async fn complete_multipart(
        &self,
        path: &Path,
        id: &MultipartId,
        parts: Vec<PartId>,
    ) -> Result<PutResult> {
        let etags = parts.into_iter().map(|p| p.content_id).collect();
        complete(&self.inner, path, id, etags).await
    }

    async fn abort_multipart(&self, path: &Path, id: &MultipartId) -> Result<()> {
        abort(&self.inner, path, id).await
    }
}
