//! Presigned URLs (`object_store::signer::Signer`) from the client's presigner (V4 by default).

use std::time::Duration;

use async_trait::async_trait;
use http::Method;
use object_store::Result;
use object_store::path::Path;
use object_store::signer::Signer;
use oss_model::{DeleteObjectInput, GetObjectInput, HeadObjectInput, PutObjectInput};
use oss_proto::generated::{DeleteObject, GetObject, HeadObject, PutObject};
use url::Url;

use crate::error::map_error;
use crate::store::OssObjectStore;

fn build_error(e: oss_model::BuildError) -> object_store::Error {
    object_store::Error::Generic {
        store: crate::error::STORE,
        source: Box::new(e),
    }
}

#[async_trait]
impl Signer for OssObjectStore {
    /// A URL for GET, HEAD, PUT or DELETE of `path`, valid for `expires_in` (V4: at most 7
    /// days). Other methods are `NotSupported`.
    async fn signed_url(&self, method: Method, path: &Path, expires_in: Duration) -> Result<Url> {
        let inner = &self.inner;
        let (bucket, key) = (inner.bucket.clone(), inner.key(path));
        let client = &inner.client;
        let presigned = match method {
            Method::GET => {
                let input = GetObjectInput::builder().bucket(bucket).key(key).build();
                client
                    .presign::<GetObject>(&input.map_err(build_error)?, expires_in)
                    .await
            }
            Method::HEAD => {
                let input = HeadObjectInput::builder().bucket(bucket).key(key).build();
                client
                    .presign::<HeadObject>(&input.map_err(build_error)?, expires_in)
                    .await
            }
            Method::PUT => {
                let input = PutObjectInput::builder().bucket(bucket).key(key).build();
                client
                    .presign::<PutObject>(&input.map_err(build_error)?, expires_in)
                    .await
            }
            Method::DELETE => {
                let input = DeleteObjectInput::builder().bucket(bucket).key(key).build();
                client
                    .presign::<DeleteObject>(&input.map_err(build_error)?, expires_in)
                    .await
            }
            other => {
                return Err(object_store::Error::NotSupported {
                    source: format!("presigning {other} requests (GET, HEAD, PUT and DELETE are)")
                        .into(),
                });
            }
        }
        .map_err(|e| map_error(path.as_ref(), e))?;
        Url::parse(&presigned.url).map_err(|e| object_store::Error::Generic {
            store: crate::error::STORE,
            source: Box::new(e),
        })
    }
}
