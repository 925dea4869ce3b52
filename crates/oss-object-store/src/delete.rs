//! Deletes: batches of up to 1,000 keys per DeleteMultipleObjects (a batch of one is a plain
//! DeleteObject), several batches in flight.

use std::collections::HashSet;
use std::sync::Arc;

use futures_util::stream::BoxStream;
use futures_util::{StreamExt as _, stream};
use object_store::Result;
use object_store::path::Path;
use oss_model::{Delete, ObjectIdentifier};

use crate::error::{AdapterError, map_error};
use crate::store::Inner;

/// OSS deletes at most 1,000 objects per request.
const BATCH: usize = 1_000;
/// Batches in flight at once.
const CONCURRENT_BATCHES: usize = 4;

/// Results come back in the order of `locations`. Deleting a missing key succeeds (OSS reports
/// it deleted), as on S3.
pub(crate) fn delete_stream(
    inner: Arc<Inner>,
    locations: BoxStream<'static, Result<Path>>,
) -> BoxStream<'static, Result<Path>> {
    locations
        .chunks(BATCH)
        .map(move |batch| {
            let inner = Arc::clone(&inner);
            async move { delete_batch(&inner, batch).await }
        })
        .buffered(CONCURRENT_BATCHES)
        .flat_map(stream::iter)
        .boxed()
}

async fn delete_batch(inner: &Inner, batch: Vec<Result<Path>>) -> Vec<Result<Path>> {
    let paths: Vec<&Path> = batch.iter().filter_map(|r| r.as_ref().ok()).collect();
    let outcome: Result<HashSet<String>, object_store::Error> = match paths.as_slice() {
        [] => Ok(HashSet::new()),
        [one] => {
            let key = inner.key(one);
            match inner
                .client
                .delete_object()
                .bucket(&inner.bucket)
                .key(&key)
                .send()
                .await
            {
                Ok(_) => Ok(HashSet::from([key])),
                Err(e) => {
                    // The error of the one request, with its kind, for the one path.
                    let mapped = map_error(one.as_ref(), e);
                    let mut mapped = Some(mapped);
                    return batch
                        .into_iter()
                        .map(|r| {
                            r?;
                            Err(mapped.take().unwrap_or_else(|| {
                                AdapterError::NotDeleted { key: key.clone() }.into()
                            }))
                        })
                        .collect();
                }
            }
        }
        many => {
            let objects = many
                .iter()
                .map(|p| ObjectIdentifier {
                    key: inner.key(p),
                    version_id: None,
                })
                .collect();
            inner
                .client
                .delete_multiple_objects()
                .bucket(&inner.bucket)
                .delete(Delete {
                    quiet: Some(false),
                    objects,
                })
                .send()
                .await
                .map(|out| out.deleted.into_iter().map(|d| d.key).collect())
                .map_err(|e| map_error("", e))
        }
    };
    match outcome {
        Ok(deleted) => batch
            .into_iter()
            .map(|r| {
                let path = r?;
                let key = inner.key(&path);
                if deleted.contains(&key) {
                    Ok(path)
                } else {
                    Err(AdapterError::NotDeleted { key }.into())
                }
            })
            .collect(),
        Err(e) => {
            // One failed request fails every path it carried; say which in each error.
            let message = e.to_string();
            batch
                .into_iter()
                .map(|r| {
                    let path = r?;
                    Err(object_store::Error::Generic {
                        store: crate::error::STORE,
                        source: format!("deleting {path}: {message}").into(),
                    })
                })
                .collect()
        }
    }
}
