//! Conveniences over single operations: existence checks and file transfers.

use std::path::Path;

use oss_model::{GetBucketAclInput, GetObjectInput, GetObjectMetaInput, PutObjectInput};
use oss_proto::generated::{GetBucketAcl, GetObject, GetObjectMeta, PutObject};

use crate::client::Client;
use crate::error::Error;
use crate::transport::Body;

fn build_error(e: &oss_model::BuildError) -> Error {
    Error::Protocol(oss_proto::Error::invalid_argument("input", e.to_string()))
}

impl Client {
    /// Whether `bucket` exists. Asks for its ACL: `NoSuchBucket` means no; any other service
    /// answer (including `AccessDenied`) means the bucket exists. Transport failures are errors.
    pub async fn is_bucket_exist(&self, bucket: &str) -> Result<bool, Error> {
        let input = GetBucketAclInput::builder()
            .bucket(bucket)
            .build()
            .map_err(|e| build_error(&e))?;
        match self.call::<GetBucketAcl>(input).await {
            Ok(_) => Ok(true),
            Err(e) if e.code() == Some("NoSuchBucket") => Ok(false),
            Err(e) if e.service_error().is_some() => Ok(true),
            Err(e) => Err(e),
        }
    }

    /// Whether `key` exists in `bucket` (`GetObjectMeta`): `NoSuchKey`, or a 404 naming no other
    /// cause, means no. A missing bucket is an error.
    pub async fn is_object_exist(&self, bucket: &str, key: &str) -> Result<bool, Error> {
        let input = GetObjectMetaInput::builder()
            .bucket(bucket)
            .key(key)
            .build()
            .map_err(|e| build_error(&e))?;
        match self.call::<GetObjectMeta>(input).await {
            Ok(_) => Ok(true),
            Err(e) if e.code() == Some("NoSuchKey") => Ok(false),
            Err(e)
                if e.status() == Some(http::StatusCode::NOT_FOUND)
                    && e.code() != Some("NoSuchBucket") =>
            {
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Uploads the file at `path` with `PutObject` (retried with the file reopened; CRC-64
    /// checked).
    pub async fn put_object_from_file(
        &self,
        input: PutObjectInput,
        path: impl AsRef<Path>,
    ) -> Result<oss_model::PutObjectOutput, Error> {
        let path = path.as_ref();
        let body = Body::from_path(path)
            .await
            .map_err(|e| Error::io(Some(path.to_path_buf()), e))?;
        self.call_with_body::<PutObject>(input, body).await
    }

    /// Downloads an object with `GetObject` into a new file at `path` (CRC-64 checked for a
    /// full download). A partial file is removed when the download fails.
    pub async fn get_object_to_file(
        &self,
        input: GetObjectInput,
        path: impl AsRef<Path>,
    ) -> Result<oss_model::GetObjectOutput, Error> {
        let path = path.as_ref();
        let (output, stream) = self.call_streaming::<GetObject>(input).await?;
        match stream.to_file(path).await {
            Ok(_) => Ok(output),
            Err(e) => {
                let _ = tokio::fs::remove_file(path).await;
                Err(e)
            }
        }
    }
}
