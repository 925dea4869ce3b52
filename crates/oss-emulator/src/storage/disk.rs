//! The on-disk backend. Layout under the data directory:
//!
//! ```text
//! account.json                      the account's settings
//! <bucket>/bucket.json              the bucket record
//! <bucket>/blobs/<blob>             object and part data
//! <bucket>/objects/<blob>.json      one object version's record
//! <bucket>/uploads/<upload-id>.json one multipart upload
//! <bucket>/parts/<blob>.json        one uploaded part
//! ```
//!
//! Every file is written to a temporary name, fsynced, renamed into place, and its directory
//! fsynced. Data is written before the record pointing at it, so an object becomes visible (its
//! record exists) only once its data is complete; leftovers of a crash (temporary files, data
//! without a record) are removed on start.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::backend::{Backend, Loaded, LoadedBucket};
use super::records::{AccountRecord, BucketRecord, ObjectMeta, PartRecord, UploadRecord};
use super::staged::StagedBody;

const TMP_MARK: &str = ".tmp-";

/// Persists everything under one directory.
#[derive(Debug)]
pub(crate) struct DiskBackend {
    root: PathBuf,
    tmp_counter: AtomicU64,
}

impl DiskBackend {
    /// Uses (and creates) `root`.
    pub(crate) fn open(root: &Path) -> io::Result<Self> {
        fs::create_dir_all(root)?;
        Ok(DiskBackend {
            root: root.to_owned(),
            tmp_counter: AtomicU64::new(0),
        })
    }

    fn bucket_dir(&self, bucket: &str) -> PathBuf {
        self.root.join(bucket)
    }

    fn write_atomic(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let dir = path
            .parent()
            .ok_or_else(|| io::Error::other("path without parent"))?;
        fs::create_dir_all(dir)?;
        let n = self.tmp_counter.fetch_add(1, Ordering::Relaxed);
        let name = path.file_name().and_then(|s| s.to_str()).unwrap_or("file");
        let tmp = dir.join(format!("{name}{TMP_MARK}{}-{n}", std::process::id()));
        {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(data)?;
            f.sync_all()?;
        }
        fs::rename(&tmp, path)?;
        sync_dir(dir)
    }

    fn write_json<T: Serialize>(&self, path: &Path, value: &T) -> io::Result<()> {
        let json = serde_json::to_vec(value).map_err(io::Error::other)?;
        self.write_atomic(path, &json)
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    match fs::File::open(dir) {
        Ok(d) => d.sync_all().or(Ok(())),
        Err(_) => Ok(()),
    }
}

fn remove_if_exists(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn read_json<T: DeserializeOwned>(path: &Path) -> io::Result<T> {
    let bytes = fs::read(path)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", path.display()),
        )
    })
}

/// Reads every `*.json` record in `dir`, deleting temporary files.
fn read_records<T: DeserializeOwned>(dir: &Path) -> io::Result<Vec<T>> {
    let mut out = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        if name.contains(TMP_MARK) {
            remove_if_exists(&path)?;
        } else if name.ends_with(".json") {
            out.push(read_json(&path)?);
        }
    }
    Ok(out)
}

impl Backend for DiskBackend {
    fn load(&self) -> io::Result<Loaded> {
        let mut loaded = Loaded::default();
        let account_path = self.root.join("account.json");
        if account_path.is_file() {
            loaded.account = read_json(&account_path)?;
        }
        for entry in fs::read_dir(&self.root)? {
            let dir = entry?.path();
            let record_path = dir.join("bucket.json");
            if !record_path.is_file() {
                continue;
            }
            let record: BucketRecord = read_json(&record_path)?;
            let objects: Vec<ObjectMeta> = read_records(&dir.join("objects"))?;
            let mut uploads: Vec<UploadRecord> = read_records(&dir.join("uploads"))?;
            let mut parts: Vec<PartRecord> = read_records(&dir.join("parts"))?;
            // An upload some of whose parts an object owns was completed when a crash cut the
            // removal of its records short: finish removing them (the others' data too).
            let owned: std::collections::HashSet<&str> = objects
                .iter()
                .flat_map(|o| o.segments.iter().map(|s| s.blob.as_str()))
                .collect();
            let completed: std::collections::HashSet<String> = parts
                .iter()
                .filter(|p| owned.contains(p.blob.as_str()))
                .map(|p| p.upload_id.clone())
                .collect();
            for upload in uploads.iter().filter(|u| completed.contains(&u.upload_id)) {
                self.remove_upload(&record.name, &upload.upload_id)?;
            }
            uploads.retain(|u| !completed.contains(&u.upload_id));
            for part in parts.iter().filter(|p| completed.contains(&p.upload_id)) {
                self.forget_part(&record.name, part)?;
            }
            parts.retain(|p| !completed.contains(&p.upload_id));
            // Data nobody points at is what a crash left mid-write.
            let referenced: std::collections::HashSet<&str> = objects
                .iter()
                .map(|o| o.blob.as_str())
                .chain(owned.iter().copied())
                .chain(parts.iter().map(|p| p.blob.as_str()))
                .collect();
            if let Ok(blobs) = fs::read_dir(dir.join("blobs")) {
                for blob in blobs {
                    let path = blob?.path();
                    let name = path
                        .file_name()
                        .and_then(|s| s.to_str())
                        .unwrap_or_default();
                    if !referenced.contains(name) {
                        remove_if_exists(&path)?;
                    }
                }
            }
            loaded.buckets.push(LoadedBucket {
                record,
                objects,
                uploads,
                parts,
            });
        }
        Ok(loaded)
    }

    fn save_bucket(&self, record: &BucketRecord) -> io::Result<()> {
        self.write_json(&self.bucket_dir(&record.name).join("bucket.json"), record)
    }

    fn save_account(&self, record: &AccountRecord) -> io::Result<()> {
        self.write_json(&self.root.join("account.json"), record)
    }

    fn remove_bucket(&self, name: &str) -> io::Result<()> {
        let dir = self.bucket_dir(name);
        remove_if_exists(&dir.join("bucket.json"))?;
        sync_dir(&dir)?;
        match fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => sync_dir(&self.root),
        }
    }

    fn write_blob(&self, bucket: &str, blob: &str, data: &Bytes) -> io::Result<()> {
        self.write_atomic(&self.bucket_dir(bucket).join("blobs").join(blob), data)
    }

    fn staging_path(&self, bucket: &str) -> io::Result<Option<PathBuf>> {
        let dir = self.bucket_dir(bucket).join("blobs");
        fs::create_dir_all(&dir)?;
        let n = self.tmp_counter.fetch_add(1, Ordering::Relaxed);
        Ok(Some(dir.join(format!(
            "staged{TMP_MARK}{}-{n}",
            std::process::id()
        ))))
    }

    fn blob_path(&self, bucket: &str, blob: &str) -> Option<PathBuf> {
        Some(self.bucket_dir(bucket).join("blobs").join(blob))
    }

    fn commit_staged(&self, bucket: &str, blob: &str, staged: &StagedBody) -> io::Result<()> {
        // Staged in another bucket (a copy), this bucket may have no data folder yet.
        let dir = self.bucket_dir(bucket).join("blobs");
        fs::create_dir_all(&dir)?;
        fs::rename(staged.path(), dir.join(blob))?;
        sync_dir(&dir)
    }

    fn read_blob(&self, bucket: &str, blob: &str) -> io::Result<Bytes> {
        fs::read(self.bucket_dir(bucket).join("blobs").join(blob)).map(Bytes::from)
    }

    fn remove_blob(&self, bucket: &str, blob: &str) -> io::Result<()> {
        remove_if_exists(&self.bucket_dir(bucket).join("blobs").join(blob))
    }

    fn save_object(&self, bucket: &str, meta: &ObjectMeta) -> io::Result<()> {
        self.write_json(
            &self
                .bucket_dir(bucket)
                .join("objects")
                .join(format!("{}.json", meta.blob)),
            meta,
        )
    }

    fn remove_object(&self, bucket: &str, meta: &ObjectMeta) -> io::Result<()> {
        remove_if_exists(
            &self
                .bucket_dir(bucket)
                .join("objects")
                .join(format!("{}.json", meta.blob)),
        )?;
        self.remove_blob(bucket, &meta.blob)?;
        for segment in &meta.segments {
            self.remove_blob(bucket, &segment.blob)?;
        }
        Ok(())
    }

    fn save_upload(&self, bucket: &str, upload: &UploadRecord) -> io::Result<()> {
        self.write_json(
            &self
                .bucket_dir(bucket)
                .join("uploads")
                .join(format!("{}.json", upload.upload_id)),
            upload,
        )
    }

    fn remove_upload(&self, bucket: &str, upload_id: &str) -> io::Result<()> {
        remove_if_exists(
            &self
                .bucket_dir(bucket)
                .join("uploads")
                .join(format!("{upload_id}.json")),
        )
    }

    fn save_part(&self, bucket: &str, part: &PartRecord) -> io::Result<()> {
        self.write_json(
            &self
                .bucket_dir(bucket)
                .join("parts")
                .join(format!("{}.json", part.blob)),
            part,
        )
    }

    fn remove_part(&self, bucket: &str, part: &PartRecord) -> io::Result<()> {
        self.forget_part(bucket, part)?;
        self.remove_blob(bucket, &part.blob)
    }

    fn forget_part(&self, bucket: &str, part: &PartRecord) -> io::Result<()> {
        remove_if_exists(
            &self
                .bucket_dir(bucket)
                .join("parts")
                .join(format!("{}.json", part.blob)),
        )
    }
}
