//! What the emulator stores: bucket, object-version, upload and part records.
//! They are serialised as JSON beside the data by the on-disk backend.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Milliseconds since the epoch, the stored form of a time.
pub(crate) fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// A stored time back as a date.
pub(crate) fn from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// One CORS rule of a bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CorsRule {
    pub(crate) allowed_origins: Vec<String>,
    pub(crate) allowed_methods: Vec<String>,
    pub(crate) allowed_headers: Vec<String>,
    pub(crate) expose_headers: Vec<String>,
    pub(crate) max_age_seconds: Option<u64>,
}

/// A bucket's CORS configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CorsConfig {
    pub(crate) rules: Vec<CorsRule>,
    pub(crate) response_vary: bool,
}

/// A bucket and its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BucketRecord {
    pub(crate) name: String,
    pub(crate) created_ms: i64,
    pub(crate) location: String,
    pub(crate) acl: String,
    pub(crate) storage_class: String,
    pub(crate) redundancy: String,
    /// `None` until versioning was ever set; then `Enabled` or `Suspended`.
    pub(crate) versioning: Option<String>,
    pub(crate) tags: Vec<(String, String)>,
    pub(crate) cors: Option<CorsConfig>,
    /// Configuration documents as the get operations answer them, by document key
    /// (`lifecycle`; `inventory/<id>` for one of several).
    #[serde(default)]
    pub(crate) configs: BTreeMap<String, String>,
}

/// The account's own settings (account-level configuration documents).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AccountRecord {
    /// Account-level configuration documents, by document key.
    #[serde(default)]
    pub(crate) configs: BTreeMap<String, String>,
}

/// One version of an object (or a delete marker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ObjectMeta {
    pub(crate) key: String,
    /// `null` for the unversioned / suspended-versioning version.
    pub(crate) version_id: String,
    /// Global write order; the larger is newer.
    pub(crate) seq: u64,
    /// Where the data lives (also names the metadata file). A multipart object on disk keeps
    /// its parts' data where they were uploaded instead: see `segments`.
    pub(crate) blob: String,
    /// When not empty, the data is these blobs one after another (a completed multipart upload
    /// on disk, whose parts become the object's data without being copied), and `blob` names
    /// the record only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) segments: Vec<Segment>,
    pub(crate) delete_marker: bool,
    pub(crate) etag: String,
    pub(crate) size: u64,
    pub(crate) modified_ms: i64,
    pub(crate) crc64: u64,
    /// `Normal`, `Multipart`, `Appendable` or `Symlink`.
    pub(crate) object_type: String,
    pub(crate) content_type: String,
    /// Standard headers stored with the object (`cache-control`, `content-disposition`, ...).
    pub(crate) headers: BTreeMap<String, String>,
    /// `x-oss-meta-*` headers, prefix stripped, names lower-case.
    pub(crate) user_meta: BTreeMap<String, String>,
    /// `default`, `private`, `public-read`, `public-read-write`.
    pub(crate) acl: String,
    pub(crate) tags: Vec<(String, String)>,
    pub(crate) storage_class: String,
    pub(crate) symlink_target: Option<String>,
    /// The restore of an archived object, if one was asked for.
    #[serde(default)]
    pub(crate) restore: Option<RestoreRecord>,
}

impl ObjectMeta {
    /// The blobs holding the data, in order: the segments, or the object's own blob.
    pub(crate) fn data_segments(&self) -> std::borrow::Cow<'_, [Segment]> {
        if self.segments.is_empty() {
            std::borrow::Cow::Owned(vec![Segment {
                blob: self.blob.clone(),
                len: self.size,
            }])
        } else {
            std::borrow::Cow::Borrowed(&self.segments[..])
        }
    }
}

/// One stretch of an object's data kept in a blob of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Segment {
    pub(crate) blob: String,
    pub(crate) len: u64,
}

/// A restore of an archived object: readable from `ready_ms` until `expiry_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RestoreRecord {
    pub(crate) ready_ms: i64,
    pub(crate) expiry_ms: i64,
}

/// A multipart upload in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UploadRecord {
    pub(crate) upload_id: String,
    pub(crate) key: String,
    pub(crate) initiated_ms: i64,
    pub(crate) content_type: String,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) user_meta: BTreeMap<String, String>,
    pub(crate) acl: String,
    pub(crate) tags: Vec<(String, String)>,
    pub(crate) storage_class: String,
}

/// One uploaded part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PartRecord {
    pub(crate) upload_id: String,
    pub(crate) number: u32,
    pub(crate) seq: u64,
    pub(crate) blob: String,
    pub(crate) etag: String,
    pub(crate) md5_hex: String,
    pub(crate) size: u64,
    pub(crate) modified_ms: i64,
    pub(crate) crc64: u64,
}
