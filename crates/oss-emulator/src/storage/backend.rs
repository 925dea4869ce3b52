//! The storage trait: where records and data are kept. The in-memory index in
//! [`super::Store`] sits on top; a backend only persists and loads.

use std::io;
use std::path::PathBuf;

use bytes::Bytes;

use super::records::{AccountRecord, BucketRecord, ObjectMeta, PartRecord, UploadRecord};
use super::staged::StagedBody;

/// Everything a backend found when the emulator started.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub(crate) buckets: Vec<LoadedBucket>,
    pub(crate) account: AccountRecord,
}

/// One bucket's records as found on start.
#[derive(Debug)]
pub(crate) struct LoadedBucket {
    pub(crate) record: BucketRecord,
    pub(crate) objects: Vec<ObjectMeta>,
    pub(crate) uploads: Vec<UploadRecord>,
    pub(crate) parts: Vec<PartRecord>,
}

/// Persistence for the emulator's state. Every write is durable when it returns; a record is
/// written only after the data it points at, so a crash never exposes partial data.
pub(crate) trait Backend: Send + Sync {
    /// Everything acknowledged before the last stop.
    fn load(&self) -> io::Result<Loaded>;
    fn save_bucket(&self, record: &BucketRecord) -> io::Result<()>;
    fn save_account(&self, record: &AccountRecord) -> io::Result<()>;
    fn remove_bucket(&self, name: &str) -> io::Result<()>;
    fn write_blob(&self, bucket: &str, blob: &str, data: &Bytes) -> io::Result<()>;
    /// A fresh temporary path to stream a body of `bucket` into, when the backend stages
    /// bodies on disk (`None`: bodies are kept in memory).
    fn staging_path(&self, _bucket: &str) -> io::Result<Option<PathBuf>> {
        Ok(None)
    }
    /// Where a blob's data is on disk, when it is.
    fn blob_path(&self, _bucket: &str, _blob: &str) -> Option<PathBuf> {
        None
    }
    /// Makes a staged body the data of `blob` (durably, before returning).
    fn commit_staged(&self, bucket: &str, blob: &str, staged: &StagedBody) -> io::Result<()> {
        let data = std::fs::read(staged.path())?;
        self.write_blob(bucket, blob, &Bytes::from(data))
    }
    fn read_blob(&self, bucket: &str, blob: &str) -> io::Result<Bytes>;
    fn remove_blob(&self, bucket: &str, blob: &str) -> io::Result<()>;
    fn save_object(&self, bucket: &str, meta: &ObjectMeta) -> io::Result<()>;
    fn remove_object(&self, bucket: &str, meta: &ObjectMeta) -> io::Result<()>;
    fn save_upload(&self, bucket: &str, upload: &UploadRecord) -> io::Result<()>;
    fn remove_upload(&self, bucket: &str, upload_id: &str) -> io::Result<()>;
    fn save_part(&self, bucket: &str, part: &PartRecord) -> io::Result<()>;
    fn remove_part(&self, bucket: &str, part: &PartRecord) -> io::Result<()>;
    /// Removes a part's record but keeps its data (now an object's, see
    /// [`ObjectMeta::segments`]).
    fn forget_part(&self, bucket: &str, part: &PartRecord) -> io::Result<()>;
}
