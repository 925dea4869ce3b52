//! Checkpoint files of resumable uploads, downloads and multipart copies.
//!
//! A checkpoint lives in the directory the caller names, taken as given (`dir.join(name)`:
//! with or without a trailing `/`), under a name derived from the transfer's source and
//! destination, so the same transfer finds it again and two different ones never share it. It
//! is JSON, rewritten after every part through a temporary file renamed over it, so a crash
//! leaves either the old or the new record, never half of one. A checkpoint that records a
//! different source (a file's size or modification time; an object's ETag, size or
//! modification time), destination, part size or object than the transfer asking for it is
//! refused with [`Error::Checkpoint`].

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use oss_proto::md5::Md5;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Version of the checkpoint format.
const FORMAT: u32 = 1;

/// What identifies a local file: its path, size and modification time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileIdentity {
    pub(crate) path: String,
    pub(crate) size: u64,
    /// Modification time, nanoseconds since the Unix epoch (0 when the platform has none).
    pub(crate) mtime_ns: u64,
}

impl FileIdentity {
    pub(crate) fn of(path: &Path, meta: &std::fs::Metadata) -> Self {
        let mtime_ns = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        FileIdentity {
            path: absolute(path).to_string_lossy().into_owned(),
            size: meta.len(),
            mtime_ns,
        }
    }

    /// What differs from `other`, if anything.
    pub(crate) fn difference(&self, other: &FileIdentity) -> Option<String> {
        if self.path != other.path {
            Some(format!("source path {} != {}", other.path, self.path))
        } else if self.size != other.size {
            Some(format!(
                "source size is {} bytes, the checkpoint recorded {}",
                self.size, other.size
            ))
        } else if self.mtime_ns != other.mtime_ns {
            Some("source modification time differs from the checkpoint's".into())
        } else {
            None
        }
    }
}

/// A part already uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DonePart {
    pub(crate) number: u32,
    pub(crate) etag: String,
    pub(crate) size: u64,
    pub(crate) crc64: Option<u64>,
}

/// The checkpoint of a multipart upload from a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UploadCheckpoint {
    pub(crate) format: u32,
    pub(crate) bucket: String,
    pub(crate) key: String,
    pub(crate) source: FileIdentity,
    pub(crate) part_size: u64,
    pub(crate) upload_id: String,
    pub(crate) parts: Vec<DonePart>,
}

impl UploadCheckpoint {
    pub(crate) fn new(
        bucket: &str,
        key: &str,
        source: FileIdentity,
        part_size: u64,
        upload_id: String,
    ) -> Self {
        UploadCheckpoint {
            format: FORMAT,
            bucket: bucket.into(),
            key: key.into(),
            source,
            part_size,
            upload_id,
            parts: Vec::new(),
        }
    }

    /// Why this checkpoint cannot resume an upload of `source` to `bucket/key` in parts of
    /// `part_size`, if it cannot.
    pub(crate) fn mismatch(
        &self,
        bucket: &str,
        key: &str,
        source: &FileIdentity,
        part_size: u64,
    ) -> Option<String> {
        if self.format != FORMAT {
            return Some(format!("format {} is not {FORMAT}", self.format));
        }
        if self.bucket != bucket || self.key != key {
            return Some(format!(
                "it is for {}/{}, not {bucket}/{key}",
                self.bucket, self.key
            ));
        }
        if let Some(d) = source.difference(&self.source) {
            return Some(d);
        }
        if self.part_size != part_size {
            return Some(format!(
                "part size {} != the checkpoint's {}",
                part_size, self.part_size
            ));
        }
        None
    }
}

/// What identifies a source object: where it is and which content it had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ObjectIdentity {
    pub(crate) bucket: String,
    pub(crate) key: String,
    pub(crate) version_id: Option<String>,
    pub(crate) etag: String,
    pub(crate) size: u64,
    /// Last-Modified, seconds since the Unix epoch (`None` when OSS sent none).
    pub(crate) last_modified: Option<i64>,
}

impl ObjectIdentity {
    /// What differs from `recorded`, if anything.
    pub(crate) fn difference(&self, recorded: &ObjectIdentity) -> Option<String> {
        let name = |o: &ObjectIdentity| {
            format!(
                "oss://{}/{}{}",
                o.bucket,
                o.key,
                o.version_id
                    .as_deref()
                    .map(|v| format!(" (version {v})"))
                    .unwrap_or_default()
            )
        };
        if self.bucket != recorded.bucket
            || self.key != recorded.key
            || self.version_id != recorded.version_id
        {
            Some(format!(
                "it is for the source {}, not {}",
                name(recorded),
                name(self)
            ))
        } else if self.etag != recorded.etag {
            Some(format!(
                "the source {} changed: its ETag is now {}, the checkpoint recorded {}",
                name(self),
                self.etag,
                recorded.etag
            ))
        } else if self.size != recorded.size {
            Some(format!(
                "the source {} is now {} bytes, the checkpoint recorded {}",
                name(self),
                self.size,
                recorded.size
            ))
        } else if self.last_modified != recorded.last_modified {
            Some(format!(
                "the source {}'s modification time differs from the checkpoint's",
                name(self)
            ))
        } else {
            None
        }
    }
}

/// The checkpoint of a multipart copy (UploadPartCopy) from an object to an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CopyCheckpoint {
    pub(crate) format: u32,
    pub(crate) source: ObjectIdentity,
    /// The destination bucket.
    pub(crate) bucket: String,
    /// The destination key.
    pub(crate) key: String,
    pub(crate) part_size: u64,
    pub(crate) upload_id: String,
    pub(crate) parts: Vec<DonePart>,
}

impl CopyCheckpoint {
    pub(crate) fn new(
        source: ObjectIdentity,
        bucket: &str,
        key: &str,
        part_size: u64,
        upload_id: String,
    ) -> Self {
        CopyCheckpoint {
            format: FORMAT,
            source,
            bucket: bucket.into(),
            key: key.into(),
            part_size,
            upload_id,
            parts: Vec::new(),
        }
    }

    /// Why this checkpoint cannot resume a copy of `source` to `bucket/key` in parts of
    /// `part_size`, if it cannot.
    pub(crate) fn mismatch(
        &self,
        source: &ObjectIdentity,
        bucket: &str,
        key: &str,
        part_size: u64,
    ) -> Option<String> {
        if self.format != FORMAT {
            return Some(format!("format {} is not {FORMAT}", self.format));
        }
        if let Some(d) = source.difference(&self.source) {
            return Some(d);
        }
        if self.bucket != bucket || self.key != key {
            return Some(format!(
                "it is for the destination {}/{}, not {bucket}/{key}",
                self.bucket, self.key
            ));
        }
        if self.part_size != part_size {
            return Some(format!(
                "part size {} != the checkpoint's {}",
                part_size, self.part_size
            ));
        }
        None
    }
}

/// A range already downloaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DoneRange {
    pub(crate) index: u64,
    pub(crate) crc64: u64,
}

/// The checkpoint of a download into a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DownloadCheckpoint {
    pub(crate) format: u32,
    pub(crate) bucket: String,
    pub(crate) key: String,
    pub(crate) version_id: Option<String>,
    pub(crate) destination: String,
    pub(crate) size: u64,
    pub(crate) etag: String,
    pub(crate) part_size: u64,
    pub(crate) ranges: Vec<DoneRange>,
}

impl DownloadCheckpoint {
    /// Why this checkpoint cannot resume the download described by `fresh` (same fields, no
    /// ranges), if it cannot.
    pub(crate) fn mismatch(&self, fresh: &DownloadCheckpoint) -> Option<String> {
        if self.format != FORMAT {
            return Some(format!("format {} is not {FORMAT}", self.format));
        }
        if self.bucket != fresh.bucket
            || self.key != fresh.key
            || self.version_id != fresh.version_id
        {
            return Some(format!(
                "it is for {}/{}, not {}/{}",
                self.bucket, self.key, fresh.bucket, fresh.key
            ));
        }
        if self.destination != fresh.destination {
            return Some(format!(
                "destination {} != the checkpoint's {}",
                fresh.destination, self.destination
            ));
        }
        if self.size != fresh.size || self.etag != fresh.etag {
            return Some(format!(
                "the object is now {} bytes with ETag {}; the checkpoint recorded {} bytes with ETag {}",
                fresh.size, fresh.etag, self.size, self.etag
            ));
        }
        if self.part_size != fresh.part_size {
            return Some(format!(
                "part size {} != the checkpoint's {}",
                fresh.part_size, self.part_size
            ));
        }
        None
    }
}

/// The checkpoint file in `dir` for a transfer named by `parts` (joined with NUL and hashed).
pub(crate) fn file_in(dir: &Path, kind: &str, parts: &[&str]) -> PathBuf {
    let mut md5 = Md5::new();
    for p in parts {
        md5.update(p.as_bytes());
        md5.update(&[0]);
    }
    let name = oss_proto::md5::hex(&md5.finalize());
    dir.join(format!("{name}.{kind}.json"))
}

/// Reads the checkpoint at `path`: `None` when there is none, an error when it is unreadable.
pub(crate) async fn load<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, Error> {
    match tokio::fs::read(path).await {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::checkpoint(path, format!("unreadable: {e}"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Writes `value` to `path` atomically: a temporary file beside it, synced, renamed over it.
pub(crate) async fn save<T: Serialize>(path: &Path, value: &T) -> Result<(), Error> {
    let json = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::checkpoint(path, format!("cannot encode: {e}")))?;
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| Error::io(dir, e))?;
    }
    let tmp = path.with_extension("json.tmp");
    let write = async {
        let mut file = tokio::fs::File::create(&tmp).await?;
        tokio::io::AsyncWriteExt::write_all(&mut file, &json).await?;
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&tmp, path).await
    };
    if let Err(e) = write.await {
        let _ = tokio::fs::remove_file(&tmp).await;
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// Removes the checkpoint at `path` (a finished or abandoned transfer).
pub(crate) async fn remove(path: &Path) {
    let _ = tokio::fs::remove_file(path).await;
}

/// `path` made absolute against the current directory (not resolving links).
pub(crate) fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn saved_atomically_and_found_with_or_without_a_trailing_slash() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("cp");
        let slashed = PathBuf::from(format!("{}/", plain.display()));
        let a = file_in(&plain, "upload", &["b", "k", "/src"]);
        let b = file_in(&slashed, "upload", &["b", "k", "/src"]);
        assert_eq!(a, b);
        assert_ne!(a, file_in(&plain, "upload", &["b", "k2", "/src"]));
        let cp = UploadCheckpoint::new(
            "b",
            "k",
            FileIdentity {
                path: "/src".into(),
                size: 10,
                mtime_ns: 5,
            },
            100,
            "up".into(),
        );
        save(&a, &cp).await.unwrap();
        assert!(!a.with_extension("json.tmp").exists());
        let back: UploadCheckpoint = load(&b).await.unwrap().unwrap();
        assert_eq!(back, cp);
        let changed = FileIdentity {
            path: "/src".into(),
            size: 11,
            mtime_ns: 5,
        };
        assert!(
            back.mismatch("b", "k", &changed, 100)
                .unwrap()
                .contains("size")
        );
        assert!(
            back.mismatch("b", "k", &cp.source, 200)
                .unwrap()
                .contains("part size")
        );
        assert!(back.mismatch("b", "x", &cp.source, 100).is_some());
        assert!(back.mismatch("b", "k", &cp.source, 100).is_none());
        std::fs::write(&a, b"{not json").unwrap();
        assert!(matches!(
            load::<UploadCheckpoint>(&a).await,
            Err(Error::Checkpoint { .. })
        ));
    }

    #[tokio::test]
    async fn a_copy_checkpoint_round_trips_and_refuses_a_changed_source() {
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path(), "copy", &["sb", "sk", "", "db", "dk"]);
        let source = ObjectIdentity {
            bucket: "sb".into(),
            key: "sk".into(),
            version_id: None,
            etag: "\"E1\"".into(),
            size: 1000,
            last_modified: Some(1_700_000_000),
        };
        let mut cp = CopyCheckpoint::new(source.clone(), "db", "dk", 100, "up".into());
        cp.parts.push(DonePart {
            number: 1,
            etag: "\"P1\"".into(),
            size: 100,
            crc64: None,
        });
        save(&path, &cp).await.unwrap();
        let back: CopyCheckpoint = load(&path).await.unwrap().unwrap();
        assert_eq!(back, cp);
        assert!(back.mismatch(&source, "db", "dk", 100).is_none());
        let etag = ObjectIdentity {
            etag: "\"E2\"".into(),
            ..source.clone()
        };
        let reason = back.mismatch(&etag, "db", "dk", 100).unwrap();
        assert!(reason.contains("ETag") && reason.contains("E2"), "{reason}");
        let size = ObjectIdentity {
            size: 1001,
            ..source.clone()
        };
        assert!(
            back.mismatch(&size, "db", "dk", 100)
                .unwrap()
                .contains("bytes")
        );
        let time = ObjectIdentity {
            last_modified: Some(1_700_000_001),
            ..source.clone()
        };
        assert!(
            back.mismatch(&time, "db", "dk", 100)
                .unwrap()
                .contains("modification time")
        );
        let version = ObjectIdentity {
            version_id: Some("v2".into()),
            ..source.clone()
        };
        assert!(back.mismatch(&version, "db", "dk", 100).is_some());
        assert!(
            back.mismatch(&source, "db", "other", 100)
                .unwrap()
                .contains("destination")
        );
        assert!(
            back.mismatch(&source, "db", "dk", 200)
                .unwrap()
                .contains("part size")
        );
        std::fs::write(&path, b"{not json").unwrap();
        assert!(matches!(
            load::<CopyCheckpoint>(&path).await,
            Err(Error::Checkpoint { .. })
        ));
    }
}
