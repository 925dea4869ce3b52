//! The in-memory backend: data in a map, records only in the index. Gone when the process ends.

use std::collections::HashMap;
use std::io;
use std::sync::Mutex;

use bytes::Bytes;

use super::backend::{Backend, Loaded};
use super::records::{AccountRecord, BucketRecord, ObjectMeta, PartRecord, UploadRecord};

/// Keeps object and part data in memory.
#[derive(Debug, Default)]
pub(crate) struct MemoryBackend {
    blobs: Mutex<HashMap<(String, String), Bytes>>,
}

impl MemoryBackend {
    fn blobs(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Bytes>> {
        self.blobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Backend for MemoryBackend {
    fn load(&self) -> io::Result<Loaded> {
        Ok(Loaded::default())
    }
    fn save_bucket(&self, _record: &BucketRecord) -> io::Result<()> {
        Ok(())
    }
    fn save_account(&self, _record: &AccountRecord) -> io::Result<()> {
        Ok(())
    }
    fn remove_bucket(&self, name: &str) -> io::Result<()> {
        self.blobs().retain(|(b, _), _| b != name);
        Ok(())
    }
    fn write_blob(&self, bucket: &str, blob: &str, data: &Bytes) -> io::Result<()> {
        self.blobs()
            .insert((bucket.to_owned(), blob.to_owned()), data.clone());
        Ok(())
    }
    fn read_blob(&self, bucket: &str, blob: &str) -> io::Result<Bytes> {
        self.blobs()
            .get(&(bucket.to_owned(), blob.to_owned()))
            .cloned()
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("no blob {blob} in {bucket}"),
                )
            })
    }
    fn remove_blob(&self, bucket: &str, blob: &str) -> io::Result<()> {
        self.blobs().remove(&(bucket.to_owned(), blob.to_owned()));
        Ok(())
    }
    fn save_object(&self, _bucket: &str, _meta: &ObjectMeta) -> io::Result<()> {
        Ok(())
    }
    fn remove_object(&self, bucket: &str, meta: &ObjectMeta) -> io::Result<()> {
        // Each version has its own blob (delete markers have none): free it with the record,
        // or an overwritten or deleted object's data stays in memory for the process's life.
        self.remove_blob(bucket, &meta.blob)?;
        for segment in &meta.segments {
            self.remove_blob(bucket, &segment.blob)?;
        }
        Ok(())
    }
    fn save_upload(&self, _bucket: &str, _upload: &UploadRecord) -> io::Result<()> {
        Ok(())
    }
    fn remove_upload(&self, _bucket: &str, _upload_id: &str) -> io::Result<()> {
        Ok(())
    }
    fn save_part(&self, _bucket: &str, _part: &PartRecord) -> io::Result<()> {
        Ok(())
    }
    fn remove_part(&self, bucket: &str, part: &PartRecord) -> io::Result<()> {
        // A replaced part, or every part once its upload completes or aborts.
        self.remove_blob(bucket, &part.blob)
    }
    fn forget_part(&self, _bucket: &str, _part: &PartRecord) -> io::Result<()> {
        Ok(())
    }
}
