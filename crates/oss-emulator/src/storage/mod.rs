//! Storage: an in-memory index of buckets, object versions and uploads over a [`Backend`]
//! (in memory, or on disk) that persists records and data.

mod backend;
mod data;
mod disk;
mod key_locks;
mod memory;
mod records;
mod staged;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use bytes::Bytes;
use http::StatusCode;

pub(crate) use backend::Backend;
pub(crate) use records::{
    AccountRecord, BucketRecord, CorsConfig, CorsRule, ObjectMeta, PartRecord, RestoreRecord,
    Segment, UploadRecord, from_ms, now_ms,
};

pub(crate) use data::DataReader;
use data::Stretch;

pub(crate) use staged::{BodyDigest, Digests, Hashes, StagedBody, Writeback};

use crate::error::OssError;

/// A bucket's contents in the index.
#[derive(Debug, Clone)]
pub(crate) struct BucketState {
    pub(crate) record: BucketRecord,
    /// Key → versions, newest first.
    pub(crate) objects: BTreeMap<String, Vec<ObjectMeta>>,
    /// Upload id → upload and its parts by number.
    pub(crate) uploads: BTreeMap<String, (UploadRecord, BTreeMap<u32, PartRecord>)>,
}

#[derive(Debug, Default)]
struct State {
    buckets: BTreeMap<String, BucketState>,
    account: AccountRecord,
    seq: u64,
}

/// Data to store: in memory, or a body staged on disk (renamed into place on commit).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Data<'a> {
    /// Bytes in memory.
    Bytes(&'a Bytes),
    /// A staged body.
    Staged(&'a StagedBody),
}

/// Hard links to an object's data files made for a copy (see [`Store::link_copy`]), removed
/// when dropped unless a record took them ([`Store::put_object_linked`]).
#[derive(Debug)]
pub(crate) struct LinkedData {
    bucket: String,
    segments: Vec<Segment>,
    paths: Vec<std::path::PathBuf>,
}

impl LinkedData {
    /// A record names the links now: keep them.
    fn keep(mut self) {
        self.paths.clear();
    }
}

impl Drop for LinkedData {
    fn drop(&mut self) {
        for path in &self.paths {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// What a delete did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeleteOutcome {
    /// The version removed, or the delete marker's version when one was added.
    pub(crate) version_id: Option<String>,
    /// True when a delete marker was added or removed.
    pub(crate) delete_marker: bool,
}

/// The emulator's state.
pub(crate) struct Store {
    state: Mutex<State>,
    backend: Box<dyn Backend>,
    key_locks: key_locks::KeyLocks,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

fn bucket_mut<'a>(state: &'a mut State, name: &str) -> Result<&'a mut BucketState, OssError> {
    state
        .buckets
        .get_mut(name)
        .ok_or_else(|| OssError::no_such_bucket(name))
}

impl Store {
    /// A store kept in memory only.
    pub(crate) fn in_memory() -> Self {
        Store {
            state: Mutex::new(State::default()),
            backend: Box::new(memory::MemoryBackend::default()),
            key_locks: key_locks::KeyLocks::default(),
        }
    }

    /// A store persisted under `dir`, loading what is already there.
    pub(crate) fn on_disk(dir: &Path) -> std::io::Result<Self> {
        let backend = disk::DiskBackend::open(dir)?;
        let loaded = backend.load()?;
        let mut state = State {
            account: loaded.account,
            ..State::default()
        };
        for b in loaded.buckets {
            let mut objects: BTreeMap<String, Vec<ObjectMeta>> = BTreeMap::new();
            for o in b.objects {
                state.seq = state.seq.max(o.seq);
                objects.entry(o.key.clone()).or_default().push(o);
            }
            for versions in objects.values_mut() {
                versions.sort_by_key(|v| std::cmp::Reverse(v.seq));
                // A crash between writing a replacement and removing the old record leaves two
                // records for the same version: the newer one wins.
                let mut seen = std::collections::HashSet::new();
                versions.retain(|v| seen.insert(v.version_id.clone()));
            }
            let mut uploads: BTreeMap<String, (UploadRecord, BTreeMap<u32, PartRecord>)> = b
                .uploads
                .into_iter()
                .map(|u| (u.upload_id.clone(), (u, BTreeMap::new())))
                .collect();
            let mut parts = b.parts;
            parts.sort_by_key(|p| p.seq);
            for p in parts {
                state.seq = state.seq.max(p.seq);
                if let Some((_, map)) = uploads.get_mut(&p.upload_id) {
                    map.insert(p.number, p);
                }
            }
            state.buckets.insert(
                b.record.name.clone(),
                BucketState {
                    record: b.record,
                    objects,
                    uploads,
                },
            );
        }
        Ok(Store {
            state: Mutex::new(state),
            backend: Box::new(backend),
            key_locks: key_locks::KeyLocks::default(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Serialises writers of one object: hold the guard across check-and-commit.
    pub(crate) fn lock_key(&self, bucket: &str, key: &str) -> MutexGuard<'_, ()> {
        self.key_locks.lock(bucket, key)
    }

    /// A new, never reused sequence number.
    pub(crate) fn next_seq(&self) -> u64 {
        let mut s = self.lock();
        s.seq += 1;
        s.seq
    }

    /// All buckets, by name.
    pub(crate) fn buckets(&self) -> Vec<BucketRecord> {
        self.lock()
            .buckets
            .values()
            .map(|b| b.record.clone())
            .collect()
    }

    /// One bucket's record.
    pub(crate) fn bucket(&self, name: &str) -> Result<BucketRecord, OssError> {
        self.lock()
            .buckets
            .get(name)
            .map(|b| b.record.clone())
            .ok_or_else(|| OssError::no_such_bucket(name))
    }

    /// True when the bucket exists.
    pub(crate) fn has_bucket(&self, name: &str) -> bool {
        self.lock().buckets.contains_key(name)
    }

    /// Runs `f` on a bucket's contents.
    pub(crate) fn with_bucket<R>(
        &self,
        name: &str,
        f: impl FnOnce(&BucketState) -> R,
    ) -> Result<R, OssError> {
        let s = self.lock();
        let b = s
            .buckets
            .get(name)
            .ok_or_else(|| OssError::no_such_bucket(name))?;
        Ok(f(b))
    }

    /// Creates a bucket; `BucketAlreadyExists` when the name is taken.
    pub(crate) fn create_bucket(&self, record: BucketRecord) -> Result<(), OssError> {
        let mut s = self.lock();
        if s.buckets.contains_key(&record.name) {
            return Err(OssError::new(
                StatusCode::CONFLICT,
                "BucketAlreadyExists",
                "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
            )
            .ec("0015-00000104")
            .with("BucketName", record.name));
        }
        self.backend.save_bucket(&record)?;
        s.buckets.insert(
            record.name.clone(),
            BucketState {
                record,
                objects: BTreeMap::new(),
                uploads: BTreeMap::new(),
            },
        );
        Ok(())
    }

    /// Changes a bucket's record.
    pub(crate) fn update_bucket(
        &self,
        name: &str,
        f: impl FnOnce(&mut BucketRecord),
    ) -> Result<BucketRecord, OssError> {
        let mut s = self.lock();
        let b = bucket_mut(&mut s, name)?;
        let mut record = b.record.clone();
        f(&mut record);
        self.backend.save_bucket(&record)?;
        b.record = record.clone();
        Ok(record)
    }

    /// The account's settings.
    pub(crate) fn account(&self) -> AccountRecord {
        self.lock().account.clone()
    }

    /// Changes the account's settings.
    pub(crate) fn update_account(
        &self,
        f: impl FnOnce(&mut AccountRecord),
    ) -> Result<AccountRecord, OssError> {
        let mut s = self.lock();
        let mut record = s.account.clone();
        f(&mut record);
        self.backend.save_account(&record)?;
        s.account = record.clone();
        Ok(record)
    }

    /// Deletes an empty bucket; `BucketNotEmpty` otherwise.
    pub(crate) fn delete_bucket(&self, name: &str) -> Result<(), OssError> {
        let mut s = self.lock();
        let b = bucket_mut(&mut s, name)?;
        if !b.objects.is_empty() || !b.uploads.is_empty() {
            return Err(OssError::new(
                StatusCode::CONFLICT,
                "BucketNotEmpty",
                "The bucket you tried to delete is not empty. If you are using versioning, delete all object versions and delete markers first.",
            )
            .ec("0015-00000301")
            .with("BucketName", name));
        }
        self.backend.remove_bucket(name)?;
        s.buckets.remove(name);
        Ok(())
    }

    /// The versions of a key, newest first (empty when none).
    pub(crate) fn versions(&self, bucket: &str, key: &str) -> Result<Vec<ObjectMeta>, OssError> {
        self.with_bucket(bucket, |b| b.objects.get(key).cloned().unwrap_or_default())
    }

    /// The version a read addresses: the given version id, or the newest. Delete markers are
    /// answered as OSS does (NoSuchKey, or MethodNotAllowed for a marker addressed by id).
    pub(crate) fn object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<ObjectMeta, OssError> {
        let versions = self.versions(bucket, key)?;
        let found = match version_id {
            Some(v) => versions
                .into_iter()
                .find(|o| o.version_id == v)
                .ok_or_else(|| OssError::no_such_version(key, v))?,
            None => versions
                .into_iter()
                .next()
                .ok_or_else(|| OssError::no_such_key(key))?,
        };
        if found.delete_marker {
            return Err(if version_id.is_some() {
                OssError::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "MethodNotAllowed",
                    "The specified method is not allowed against this resource.",
                )
                .header("x-oss-delete-marker", "true")
                .header("x-oss-version-id", found.version_id)
            } else {
                OssError::no_such_key(key)
                    .header("x-oss-delete-marker", "true")
                    .header("x-oss-version-id", found.version_id)
            });
        }
        Ok(found)
    }

    /// The data of an object version, whole. An object kept in several segments (a completed
    /// multipart upload) is joined into one buffer: read a range with [`Store::read_range`]
    /// to keep its pieces apart.
    pub(crate) fn read(&self, bucket: &str, meta: &ObjectMeta) -> Result<Bytes, OssError> {
        Ok(join(self.read_range(bucket, meta, 0, meta.size)?))
    }

    /// Bytes `start..end` of an object version's data, as the pieces of the blobs holding
    /// them, in order (no data is copied).
    pub(crate) fn read_range(
        &self,
        bucket: &str,
        meta: &ObjectMeta,
        start: u64,
        end: u64,
    ) -> Result<Vec<Bytes>, OssError> {
        let missing = |e: std::io::Error| {
            if e.kind() == std::io::ErrorKind::NotFound {
                OssError::no_such_key(&meta.key)
            } else {
                OssError::from(e)
            }
        };
        let segments = meta.data_segments();
        let mut pieces = Vec::new();
        let mut offset = 0u64;
        for segment in segments.iter() {
            let (from, to) = (offset, offset + segment.len);
            offset = to;
            if from >= end || to <= start {
                continue;
            }
            let data = self
                .backend
                .read_blob(bucket, &segment.blob)
                .map_err(missing)?;
            let first = usize::try_from(start.max(from) - from).unwrap_or(usize::MAX);
            let last = usize::try_from(end.min(to) - from).unwrap_or(usize::MAX);
            let last = last.min(data.len());
            pieces.push(data.slice(first.min(last)..last));
        }
        if let (true, Some(segment)) = (pieces.is_empty(), segments.first()) {
            // An empty range (or object): its first blob is still looked up, so a missing
            // object is found here.
            self.backend
                .read_blob(bucket, &segment.blob)
                .map_err(missing)?;
        }
        Ok(pieces)
    }

    /// Bytes `start..end` of an object version's data as a reader over its files, when this
    /// store keeps data on disk (`None`: read it with [`Store::read`]). The files are opened
    /// now, so data replaced or removed afterwards does not change what the reader yields.
    pub(crate) fn open_data(
        &self,
        bucket: &str,
        meta: &ObjectMeta,
        start: u64,
        end: u64,
    ) -> Result<Option<DataReader>, OssError> {
        let segments = meta.data_segments();
        let segments = &segments[..];
        let mut stretches = Vec::new();
        let mut offset = 0u64;
        for segment in segments {
            let (from, to) = (offset, offset + segment.len);
            offset = to;
            if from >= end || to <= start {
                continue;
            }
            let Some(path) = self.backend.blob_path(bucket, &segment.blob) else {
                return Ok(None);
            };
            let first = start.max(from);
            stretches.push(Stretch {
                path,
                start: first - from,
                len: end.min(to) - first,
            });
        }
        if let (true, Some(segment)) = (stretches.is_empty(), segments.first()) {
            // An empty range (or object): its first file is still opened, so a missing object
            // is found here.
            let Some(path) = self.backend.blob_path(bucket, &segment.blob) else {
                return Ok(None);
            };
            stretches.push(Stretch {
                path,
                start: 0,
                len: 0,
            });
        }
        DataReader::open(stretches).map(Some).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                OssError::no_such_key(&meta.key)
            } else {
                OssError::from(e)
            }
        })
    }

    /// A fresh temporary path to stream a body for `bucket` into, when this store stages
    /// bodies on disk and the bucket exists.
    pub(crate) fn staging_path(&self, bucket: &str) -> Option<std::path::PathBuf> {
        if !self.has_bucket(bucket) {
            return None;
        }
        self.backend.staging_path(bucket).ok().flatten()
    }

    /// A staged copy of `meta`'s data followed by `tail` (AppendObject on disk), digested as
    /// a whole; `None` when this store does not stage bodies.
    pub(crate) fn stage_appended(
        &self,
        bucket: &str,
        meta: Option<&ObjectMeta>,
        tail: &StagedBody,
    ) -> Result<Option<StagedBody>, OssError> {
        let Some(path) = self.staging_path(bucket) else {
            return Ok(None);
        };
        let mut source = match meta {
            Some(m) => match self.open_data(bucket, m, 0, m.size)? {
                Some(old) => old,
                None => return Err(OssError::internal("appendable data is not on disk")),
            },
            None => DataReader::open(Vec::new())?,
        };
        source.push(Stretch {
            path: tail.path().to_owned(),
            start: 0,
            len: tail.len,
        })?;
        Ok(Some(StagedBody::concat(path, source)?))
    }

    /// A staged copy of `meta`'s whole data (CopyObject on disk): streamed file to file, its
    /// length and CRC-64 known from the record, so nothing is hashed or held in memory; `None`
    /// when this store does not stage bodies.
    pub(crate) fn stage_copy(
        &self,
        bucket: &str,
        meta: &ObjectMeta,
    ) -> Result<Option<StagedBody>, OssError> {
        let Some(path) = self.staging_path(bucket) else {
            return Ok(None);
        };
        let Some(source) = self.open_data(bucket, meta, 0, meta.size)? else {
            return Ok(None);
        };
        Ok(Some(StagedBody::concat_known(path, source, meta.crc64)?))
    }

    /// Bytes `start..end` of `meta`'s data copied into a staged file that keeps the data's
    /// holes (UploadPartCopy on disk), with their MD5 and CRC-64; `None` when this store does
    /// not stage bodies.
    pub(crate) fn stage_range(
        &self,
        bucket: &str,
        meta: &ObjectMeta,
        start: u64,
        end: u64,
    ) -> Result<Option<StagedBody>, OssError> {
        let Some(path) = self.staging_path(bucket) else {
            return Ok(None);
        };
        let Some(source) = self.open_data(bucket, meta, start, end)? else {
            return Ok(None);
        };
        Ok(Some(StagedBody::copy_range(path, source)?))
    }

    /// Stores a new version of `meta.key` with `data`. Fills in `seq`, `blob` and `version_id`
    /// (by the bucket's versioning state) and returns the stored record.
    pub(crate) fn put_object(
        &self,
        bucket: &str,
        meta: ObjectMeta,
        data: &Bytes,
    ) -> Result<ObjectMeta, OssError> {
        self.put_object_from(bucket, meta, Data::Bytes(data))
    }

    /// [`Store::put_object`] with data in memory or staged on disk.
    pub(crate) fn put_object_from(
        &self,
        bucket: &str,
        mut meta: ObjectMeta,
        data: Data<'_>,
    ) -> Result<ObjectMeta, OssError> {
        if !self.has_bucket(bucket) {
            return Err(OssError::no_such_bucket(bucket));
        }
        let seq = self.next_seq();
        meta.seq = seq;
        meta.blob = format!("{seq:016x}");
        // The data is written whole under `blob` (a record copied from a multipart object
        // keeps none of its segments).
        meta.segments.clear();
        if !meta.delete_marker {
            self.write_data(bucket, &meta.blob, data)?;
        }
        let mut s = self.lock();
        let b = match bucket_mut(&mut s, bucket) {
            Ok(b) => b,
            Err(e) => {
                drop(s);
                let _ = self.backend.remove_blob(bucket, &meta.blob);
                return Err(e);
            }
        };
        self.insert_version(bucket, b, meta)
    }

    /// [`Store::put_object`] with the data in `pieces`, each stored as a blob of its own that
    /// the new version names as a segment (CopyObject of an object kept in segments, in
    /// memory): the pieces are shared, not joined.
    pub(crate) fn put_object_pieces(
        &self,
        bucket: &str,
        mut meta: ObjectMeta,
        pieces: &[Bytes],
    ) -> Result<ObjectMeta, OssError> {
        if pieces.len() <= 1 {
            return self.put_object(bucket, meta, &pieces.first().cloned().unwrap_or_default());
        }
        if !self.has_bucket(bucket) {
            return Err(OssError::no_such_bucket(bucket));
        }
        let forget = |segments: &[Segment]| {
            for segment in segments {
                let _ = self.backend.remove_blob(bucket, &segment.blob);
            }
        };
        let mut segments = Vec::with_capacity(pieces.len());
        for piece in pieces {
            let blob = format!("{:016x}", self.next_seq());
            if let Err(e) = self.backend.write_blob(bucket, &blob, piece) {
                forget(&segments);
                return Err(e.into());
            }
            segments.push(Segment {
                blob,
                len: piece.len() as u64,
            });
        }
        let seq = self.next_seq();
        meta.seq = seq;
        meta.blob = format!("{seq:016x}");
        meta.segments.clone_from(&segments);
        let mut s = self.lock();
        let stored = bucket_mut(&mut s, bucket).and_then(|b| self.insert_version(bucket, b, meta));
        if stored.is_err() {
            drop(s);
            forget(&segments);
        }
        stored
    }

    /// Stores a new version of `meta.key` whose data is `linked` (see [`Store::link_copy`]):
    /// [`Store::put_object_from`] without writing any data.
    pub(crate) fn put_object_linked(
        &self,
        bucket: &str,
        mut meta: ObjectMeta,
        linked: LinkedData,
    ) -> Result<ObjectMeta, OssError> {
        if linked.bucket != bucket {
            return Err(OssError::internal("linked data is in another bucket"));
        }
        let seq = self.next_seq();
        meta.seq = seq;
        meta.blob = format!("{seq:016x}");
        meta.segments.clone_from(&linked.segments);
        let mut s = self.lock();
        let b = bucket_mut(&mut s, bucket)?;
        let stored = self.insert_version(bucket, b, meta);
        // Kept even when saving failed: the record may be on disk all the same, and links no
        // record names are removed when the store next opens.
        linked.keep();
        stored
    }

    /// `meta`'s data (in `src_bucket`) as new names for the same files in `dst_bucket`, hard
    /// links (CopyObject on disk): a copy costs a link per file, not a pass over the data.
    /// Blobs are never changed once written (a new version, an append, a part is always a new
    /// file), so the copy and its source cannot tell they share data. `None` when this store
    /// does not keep data in files, or the file system cannot link them: copy instead.
    pub(crate) fn link_copy(
        &self,
        src_bucket: &str,
        meta: &ObjectMeta,
        dst_bucket: &str,
    ) -> Result<Option<LinkedData>, OssError> {
        let sources = meta.data_segments();
        let sources = &sources[..];
        let mut linked = LinkedData {
            bucket: dst_bucket.to_owned(),
            segments: Vec::with_capacity(sources.len()),
            paths: Vec::with_capacity(sources.len()),
        };
        if !self.has_bucket(dst_bucket) {
            return Err(OssError::no_such_bucket(dst_bucket));
        }
        for source in sources {
            let blob = format!("{:016x}", self.next_seq());
            let (Some(from), Some(to)) = (
                self.backend.blob_path(src_bucket, &source.blob),
                self.backend.blob_path(dst_bucket, &blob),
            ) else {
                return Ok(None);
            };
            if let Some(dir) = to.parent() {
                std::fs::create_dir_all(dir)?;
            }
            match std::fs::hard_link(&from, &to) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(OssError::no_such_key(&meta.key));
                }
                // Another file system, a link limit, no links at all: copy instead.
                Err(_) => return Ok(None),
            }
            linked.paths.push(to);
            linked.segments.push(Segment {
                blob,
                len: source.len,
            });
        }
        // The new names are durable before a record points at them.
        if let Some(dir) = linked.paths.first().and_then(|p| p.parent()) {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(Some(linked))
    }

    /// Gives `meta` its version id (by the bucket's versioning state), saves it and makes it
    /// the key's newest version, removing the version it replaces.
    fn insert_version(
        &self,
        bucket: &str,
        b: &mut BucketState,
        mut meta: ObjectMeta,
    ) -> Result<ObjectMeta, OssError> {
        meta.version_id = if b.record.versioning.as_deref() == Some("Enabled") {
            version_id_for(meta.seq)
        } else {
            "null".to_owned()
        };
        self.backend.save_object(bucket, &meta)?;
        let versions = b.objects.entry(meta.key.clone()).or_default();
        let mut replaced = Vec::new();
        versions.retain(|v| {
            let same = v.version_id == meta.version_id;
            if same {
                replaced.push(v.clone());
            }
            !same
        });
        versions.insert(0, meta.clone());
        for old in replaced {
            self.backend.remove_object(bucket, &old)?;
        }
        Ok(meta)
    }

    /// Completes upload `upload_id` as object `meta` made of `parts` (in order; all of them
    /// parts of the upload), and removes the upload with its other parts. Fills in `seq`,
    /// `blob`, `version_id`, `size` and `crc64` (combined from the parts').
    ///
    /// The parts' data become the object's as they are (its [`ObjectMeta::segments`]), on
    /// disk and in memory: completing costs a record, not a copy. A part replaced, or the
    /// upload ended, while this ran is `InvalidPart` or `NoSuchUpload`, checked under the
    /// index lock, so the data the record names is never removed under it.
    pub(crate) fn complete_upload(
        &self,
        bucket: &str,
        mut meta: ObjectMeta,
        upload_id: &str,
        parts: &[PartRecord],
    ) -> Result<ObjectMeta, OssError> {
        meta.size = parts.iter().map(|p| p.size).sum();
        meta.crc64 = parts
            .iter()
            .map(|p| (p.crc64, p.size))
            .reduce(|(a, _), (b, len)| (oss_proto::crc::combine(a, b, len), len))
            .map_or_else(|| oss_proto::crc::checksum(b""), |(crc, _)| crc);
        let seq = self.next_seq();
        meta.seq = seq;
        meta.blob = format!("{seq:016x}");
        meta.segments = parts
            .iter()
            .map(|p| Segment {
                blob: p.blob.clone(),
                len: p.size,
            })
            .collect();
        let mut s = self.lock();
        let b = bucket_mut(&mut s, bucket)?;
        let current = &b
            .uploads
            .get(upload_id)
            .ok_or_else(|| OssError::no_such_upload(upload_id))?
            .1;
        if let Some(p) = parts
            .iter()
            .find(|p| current.get(&p.number).map(|c| &c.blob) != Some(&p.blob))
        {
            return Err(OssError::new(
                StatusCode::BAD_REQUEST,
                "InvalidPart",
                "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.",
            )
            .with("PartNumber", p.number.to_string()));
        }
        let Some((upload, all_parts)) = b.uploads.remove(upload_id) else {
            return Err(OssError::no_such_upload(upload_id));
        };
        // The record naming the parts' data is durable before the upload's records go: a
        // crash in between leaves an upload whose parts an object owns, which loading removes.
        let stored = match self.insert_version(bucket, b, meta) {
            Ok(stored) => stored,
            Err(e) => {
                b.uploads.insert(upload_id.to_owned(), (upload, all_parts));
                return Err(e);
            }
        };
        self.backend.remove_upload(bucket, upload_id)?;
        let owned: std::collections::HashSet<&str> =
            parts.iter().map(|p| p.blob.as_str()).collect();
        for p in all_parts.values() {
            if owned.contains(p.blob.as_str()) {
                self.backend.forget_part(bucket, p)?;
            } else {
                self.backend.remove_part(bucket, p)?;
            }
        }
        Ok(stored)
    }

    /// Changes one stored version's record (ACL, tags).
    pub(crate) fn update_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        f: impl FnOnce(&mut ObjectMeta),
    ) -> Result<ObjectMeta, OssError> {
        let mut s = self.lock();
        let b = bucket_mut(&mut s, bucket)?;
        let versions = b
            .objects
            .get_mut(key)
            .ok_or_else(|| OssError::no_such_key(key))?;
        let v = match version_id {
            Some(id) => versions
                .iter_mut()
                .find(|v| v.version_id == id)
                .ok_or_else(|| OssError::no_such_version(key, id))?,
            None => versions
                .first_mut()
                .ok_or_else(|| OssError::no_such_key(key))?,
        };
        if v.delete_marker {
            return Err(OssError::no_such_key(key));
        }
        let mut updated = v.clone();
        f(&mut updated);
        self.backend.save_object(bucket, &updated)?;
        *v = updated.clone();
        Ok(updated)
    }

    /// Deletes a key (adding a delete marker when versioning is on) or one version of it.
    pub(crate) fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<DeleteOutcome, OssError> {
        self.delete_object_at(bucket, key, version_id, now_ms())
    }

    /// [`Store::delete_object`] with a delete marker dated `marker_ms` (the lifecycle pass
    /// dates its markers at the time it runs for).
    pub(crate) fn delete_object_at(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        marker_ms: i64,
    ) -> Result<DeleteOutcome, OssError> {
        let versioning = self.bucket(bucket)?.versioning;
        if let Some(id) = version_id {
            let mut s = self.lock();
            let b = bucket_mut(&mut s, bucket)?;
            let Some(versions) = b.objects.get_mut(key) else {
                return Ok(DeleteOutcome {
                    version_id: Some(id.to_owned()),
                    delete_marker: false,
                });
            };
            let Some(pos) = versions.iter().position(|v| v.version_id == id) else {
                return Ok(DeleteOutcome {
                    version_id: Some(id.to_owned()),
                    delete_marker: false,
                });
            };
            let removed = versions.remove(pos);
            if versions.is_empty() {
                b.objects.remove(key);
            }
            self.backend.remove_object(bucket, &removed)?;
            return Ok(DeleteOutcome {
                version_id: Some(removed.version_id),
                delete_marker: removed.delete_marker,
            });
        }
        match versioning.as_deref() {
            None => {
                let mut s = self.lock();
                let b = bucket_mut(&mut s, bucket)?;
                if let Some(versions) = b.objects.remove(key) {
                    for v in versions {
                        self.backend.remove_object(bucket, &v)?;
                    }
                }
                Ok(DeleteOutcome {
                    version_id: None,
                    delete_marker: false,
                })
            }
            Some(_) => {
                let marker = ObjectMeta {
                    key: key.to_owned(),
                    version_id: String::new(),
                    seq: 0,
                    blob: String::new(),
                    delete_marker: true,
                    etag: String::new(),
                    size: 0,
                    modified_ms: marker_ms,
                    crc64: 0,
                    object_type: String::new(),
                    content_type: String::new(),
                    headers: BTreeMap::new(),
                    user_meta: BTreeMap::new(),
                    acl: "default".to_owned(),
                    tags: Vec::new(),
                    storage_class: "Standard".to_owned(),
                    symlink_target: None,
                    restore: None,
                    segments: Vec::new(),
                };
                let stored = self.put_object(bucket, marker, &Bytes::new())?;
                Ok(DeleteOutcome {
                    version_id: Some(stored.version_id),
                    delete_marker: true,
                })
            }
        }
    }

    /// Gives every version of each `(from, to)` key the new key, in one step under the index
    /// lock (the hierarchical namespace's Rename). The data stays where it is: records are
    /// named by their blob, so only the records' `key` changes. `NoSuchKey` when a source is
    /// gone; `FileAlreadyExists` when a target is taken (nothing is changed then).
    pub(crate) fn rename_keys(
        &self,
        bucket: &str,
        moves: &[(String, String)],
    ) -> Result<(), OssError> {
        let mut s = self.lock();
        let b = bucket_mut(&mut s, bucket)?;
        for (from, to) in moves {
            if !b.objects.contains_key(from) {
                return Err(OssError::no_such_key(from));
            }
            if b.objects.contains_key(to) && !moves.iter().any(|(f, _)| f == to) {
                return Err(OssError::new(
                    StatusCode::CONFLICT,
                    "FileAlreadyExists",
                    "The destination file or directory already exists.",
                )
                .with("Key", to.clone()));
            }
        }
        let mut taken = Vec::with_capacity(moves.len());
        for (from, to) in moves {
            if let Some(versions) = b.objects.remove(from) {
                taken.push((to.clone(), versions));
            }
        }
        for (to, mut versions) in taken {
            for v in &mut versions {
                v.key.clone_from(&to);
                self.backend.save_object(bucket, v)?;
            }
            b.objects.insert(to, versions);
        }
        Ok(())
    }

    /// Starts a multipart upload.
    pub(crate) fn create_upload(&self, bucket: &str, upload: UploadRecord) -> Result<(), OssError> {
        let mut s = self.lock();
        let b = bucket_mut(&mut s, bucket)?;
        self.backend.save_upload(bucket, &upload)?;
        b.uploads
            .insert(upload.upload_id.clone(), (upload, BTreeMap::new()));
        Ok(())
    }

    /// An upload and its parts.
    pub(crate) fn upload(
        &self,
        bucket: &str,
        upload_id: &str,
    ) -> Result<(UploadRecord, BTreeMap<u32, PartRecord>), OssError> {
        self.with_bucket(bucket, |b| b.uploads.get(upload_id).cloned())?
            .ok_or_else(|| OssError::no_such_upload(upload_id))
    }

    fn write_data(&self, bucket: &str, blob: &str, data: Data<'_>) -> std::io::Result<()> {
        match data {
            Data::Bytes(bytes) => self.backend.write_blob(bucket, blob, bytes),
            Data::Staged(staged) => self.backend.commit_staged(bucket, blob, staged),
        }
    }

    /// Stores a part (replacing one with the same number), with data in memory or staged.
    pub(crate) fn put_part(
        &self,
        bucket: &str,
        mut part: PartRecord,
        data: Data<'_>,
    ) -> Result<PartRecord, OssError> {
        self.upload(bucket, &part.upload_id)?;
        let seq = self.next_seq();
        part.seq = seq;
        part.blob = format!("{seq:016x}");
        self.write_data(bucket, &part.blob, data)?;
        let mut s = self.lock();
        let b = bucket_mut(&mut s, bucket)?;
        let Some((_, parts)) = b.uploads.get_mut(&part.upload_id) else {
            drop(s);
            let _ = self.backend.remove_blob(bucket, &part.blob);
            return Err(OssError::no_such_upload(&part.upload_id));
        };
        self.backend.save_part(bucket, &part)?;
        if let Some(old) = parts.insert(part.number, part.clone()) {
            self.backend.remove_part(bucket, &old)?;
        }
        Ok(part)
    }

    /// The data of a part.
    #[cfg(test)]
    pub(crate) fn read_part(&self, bucket: &str, part: &PartRecord) -> Result<Bytes, OssError> {
        Ok(self.backend.read_blob(bucket, &part.blob)?)
    }

    /// Removes an upload and its parts (after completion or on abort).
    pub(crate) fn remove_upload(&self, bucket: &str, upload_id: &str) -> Result<(), OssError> {
        let mut s = self.lock();
        let b = bucket_mut(&mut s, bucket)?;
        let (_, parts) = b
            .uploads
            .remove(upload_id)
            .ok_or_else(|| OssError::no_such_upload(upload_id))?;
        self.backend.remove_upload(bucket, upload_id)?;
        for p in parts.values() {
            self.backend.remove_part(bucket, p)?;
        }
        Ok(())
    }
}

/// `pieces` as one buffer; a single piece is returned as it is, without a copy.
pub(crate) fn join(mut pieces: Vec<Bytes>) -> Bytes {
    match pieces.len() {
        0 => Bytes::new(),
        1 => pieces.swap_remove(0),
        _ => {
            let len = pieces.iter().map(Bytes::len).sum();
            let mut data = bytes::BytesMut::with_capacity(len);
            for piece in &pieces {
                data.extend_from_slice(piece);
            }
            data.freeze()
        }
    }
}

/// A version id in the shape OSS uses (opaque, URL-safe).
fn version_id_for(seq: u64) -> String {
    format!("CAEQARiBgID{seq:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(name: &str) -> BucketRecord {
        BucketRecord {
            name: name.into(),
            created_ms: 0,
            location: "oss-cn-hangzhou".into(),
            acl: "private".into(),
            storage_class: "Standard".into(),
            redundancy: "LRS".into(),
            versioning: None,
            tags: vec![],
            cors: None,
            configs: BTreeMap::new(),
        }
    }

    fn object(key: &str) -> ObjectMeta {
        ObjectMeta {
            key: key.into(),
            version_id: String::new(),
            seq: 0,
            blob: String::new(),
            delete_marker: false,
            etag: "\"E\"".into(),
            size: 3,
            modified_ms: 0,
            crc64: 0,
            object_type: "Normal".into(),
            content_type: "text/plain".into(),
            headers: BTreeMap::new(),
            user_meta: BTreeMap::new(),
            acl: "default".into(),
            tags: vec![],
            storage_class: "Standard".into(),
            symlink_target: None,
            restore: None,
            segments: Vec::new(),
        }
    }

    #[test]
    fn disk_store_serves_everything_acknowledged_after_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let store = Store::on_disk(dir.path()).expect("open");
            store.create_bucket(bucket("b")).expect("create");
            store
                .put_object("b", object("k"), &Bytes::from_static(b"one"))
                .expect("put");
            store
                .put_object("b", object("k"), &Bytes::from_static(b"two"))
                .expect("overwrite");
            store
                .put_object("b", object("gone"), &Bytes::from_static(b"x"))
                .expect("put");
            store.delete_object("b", "gone", None).expect("delete");
        }
        // A crash mid-write leaves a temporary file and unreferenced data behind.
        std::fs::write(dir.path().join("b/blobs/ffffffffffffffff"), b"partial").expect("write");
        std::fs::write(dir.path().join("b/objects/x.json.tmp-1-1"), b"{").expect("write");
        let store = Store::on_disk(dir.path()).expect("reopen");
        let meta = store.object("b", "k", None).expect("k survives");
        assert_eq!(
            store.read("b", &meta).expect("data"),
            Bytes::from_static(b"two")
        );
        assert_eq!(store.versions("b", "k").expect("versions").len(), 1);
        assert!(store.object("b", "gone", None).is_err());
        assert!(!dir.path().join("b/blobs/ffffffffffffffff").exists());
        assert!(!dir.path().join("b/objects/x.json.tmp-1-1").exists());
    }

    #[test]
    fn memory_store_frees_the_data_of_replaced_and_removed_records() {
        let store = Store::in_memory();
        store.create_bucket(bucket("b")).expect("create");
        let first = store
            .put_object("b", object("k"), &Bytes::from_static(b"one"))
            .expect("put");
        let second = store
            .put_object("b", object("k"), &Bytes::from_static(b"two"))
            .expect("overwrite");
        assert!(store.read("b", &first).is_err(), "overwritten data kept");
        assert_eq!(
            store.read("b", &second).expect("current"),
            Bytes::from_static(b"two")
        );
        store.delete_object("b", "k", None).expect("delete");
        assert!(store.read("b", &second).is_err(), "deleted data kept");

        store
            .create_upload("b", upload_record("u", "m"))
            .expect("initiate");
        let old = put_parts(&store, "u", &[(1, b"aaa")]).remove(0);
        let new = put_parts(&store, "u", &[(1, b"bbb")]).remove(0);
        assert!(store.read_part("b", &old).is_err(), "replaced part kept");
        assert_eq!(
            store.read_part("b", &new).expect("part"),
            Bytes::from_static(b"bbb")
        );
        store.remove_upload("b", "u").expect("complete");
        assert!(
            store.read_part("b", &new).is_err(),
            "finished upload's part kept"
        );
    }

    fn upload_record(id: &str, key: &str) -> UploadRecord {
        UploadRecord {
            upload_id: id.into(),
            key: key.into(),
            initiated_ms: 0,
            content_type: String::new(),
            headers: BTreeMap::new(),
            user_meta: BTreeMap::new(),
            acl: "default".into(),
            tags: vec![],
            storage_class: "Standard".into(),
        }
    }

    /// Stores parts `numbered` (number, data) of upload `id` and returns their records.
    fn put_parts(store: &Store, id: &str, numbered: &[(u32, &'static [u8])]) -> Vec<PartRecord> {
        numbered
            .iter()
            .map(|&(number, body)| {
                let record = PartRecord {
                    upload_id: id.into(),
                    number,
                    seq: 0,
                    blob: String::new(),
                    etag: String::new(),
                    md5_hex: String::new(),
                    size: body.len() as u64,
                    modified_ms: 0,
                    crc64: oss_proto::crc::checksum(body),
                };
                store
                    .put_part("b", record, Data::Bytes(&Bytes::from_static(body)))
                    .expect("part")
            })
            .collect()
    }

    fn read_range(store: &Store, meta: &ObjectMeta, start: u64, end: u64) -> Vec<u8> {
        use std::io::Read as _;
        let mut reader = store
            .open_data("b", meta, start, end)
            .expect("open")
            .expect("on disk");
        assert_eq!(reader.len(), end - start);
        let mut out = Vec::new();
        reader.read_to_end(&mut out).expect("read");
        out
    }

    /// Creates bucket `b` and upload `u` of `m` with parts `hello `, `unused` and `world`,
    /// completes it with the first and the last, checks what completing returned and that
    /// the upload is gone. Returns the parts and the stored record.
    fn complete_hello_world(store: &Store) -> (Vec<PartRecord>, ObjectMeta) {
        store.create_bucket(bucket("b")).expect("create");
        store
            .create_upload("b", upload_record("u", "m"))
            .expect("initiate");
        let parts = put_parts(store, "u", &[(1, b"hello "), (2, b"unused"), (3, b"world")]);
        let chosen = [parts[0].clone(), parts[2].clone()];
        let stored = store
            .complete_upload("b", object("m"), "u", &chosen)
            .expect("complete");
        assert_eq!(stored.size, 11);
        // CRC-64/XZ of the whole, combined from the parts': the same as computing it whole.
        assert_eq!(stored.crc64, oss_proto::crc::checksum(b"hello world"));
        assert_eq!(stored.segments.len(), 2);
        assert!(store.upload("b", "u").is_err(), "the upload is gone");
        (parts, stored)
    }

    #[test]
    fn disk_store_completes_an_upload_with_its_parts_files_as_the_data() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blobs = dir.path().join("b/blobs");
        let store = Store::on_disk(dir.path()).expect("open");
        let (parts, stored) = complete_hello_world(&store);
        // No copy was made: the chosen parts' files are the data; the other part is gone.
        assert!(!blobs.join(&stored.blob).exists());
        assert!(blobs.join(&parts[0].blob).exists());
        assert!(blobs.join(&parts[2].blob).exists());
        assert!(!blobs.join(&parts[1].blob).exists());

        let reopened = Store::on_disk(dir.path()).expect("reopen");
        let meta = reopened.object("b", "m", None).expect("object");
        assert_eq!(
            &reopened.read("b", &meta).expect("read")[..],
            b"hello world"
        );
        assert_eq!(read_range(&reopened, &meta, 0, 11), b"hello world");
        assert_eq!(read_range(&reopened, &meta, 4, 8), b"o wo");
        assert_eq!(read_range(&reopened, &meta, 6, 11), b"world");
        assert_eq!(read_range(&reopened, &meta, 11, 11), b"");

        // A copy of the record (CopyObject's COPY directive) gets data of its own.
        let copied = reopened
            .put_object("b", meta, &Bytes::from_static(b"hello world"))
            .expect("copy");
        assert!(copied.segments.is_empty());
        assert!(blobs.join(&copied.blob).exists());

        reopened.delete_object("b", "m", None).expect("delete");
        assert!(!blobs.join(&parts[0].blob).exists(), "deleted data kept");
        assert!(!blobs.join(&parts[2].blob).exists(), "deleted data kept");
    }

    #[test]
    fn memory_store_completes_an_upload_with_its_parts_as_the_data() {
        let store = Store::in_memory();
        let (parts, _) = complete_hello_world(&store);
        // The unchosen part's data is freed; the chosen parts' are the object's.
        assert!(store.read_part("b", &parts[1]).is_err(), "unused part kept");

        let meta = store.object("b", "m", None).expect("object");
        assert_eq!(&store.read("b", &meta).expect("read")[..], b"hello world");
        let range = |start, end| -> Vec<Vec<u8>> {
            store
                .read_range("b", &meta, start, end)
                .expect("range")
                .iter()
                .map(|p| p.to_vec())
                .collect()
        };
        assert_eq!(range(0, 11), [&b"hello "[..], b"world"]);
        assert_eq!(range(4, 8), [&b"o "[..], b"wo"]);
        assert_eq!(range(6, 11), [b"world"]);
        assert_eq!(range(1, 3), [b"el"]);
        assert!(range(11, 11).is_empty());
        assert_eq!(
            join(store.read_range("b", &meta, 3, 9).expect("range")),
            "lo wor"
        );

        // A copy (CopyObject) shares the pieces and outlives the source.
        let pieces = store.read_range("b", &meta, 0, meta.size).expect("pieces");
        let copy = store
            .put_object_pieces(
                "b",
                ObjectMeta {
                    key: "c".into(),
                    ..meta.clone()
                },
                &pieces,
            )
            .expect("copy");
        assert_eq!(copy.segments.len(), 2);
        assert!(
            copy.segments
                .iter()
                .all(|c| meta.segments.iter().all(|m| m.blob != c.blob))
        );
        assert_eq!(
            store
                .put_object_pieces("nope", object("c"), &pieces)
                .expect_err("no bucket")
                .code,
            "NoSuchBucket"
        );

        store.delete_object("b", "m", None).expect("delete");
        assert_eq!(&store.read("b", &copy).expect("copy")[..], b"hello world");
        assert!(
            store.read_part("b", &parts[0]).is_err(),
            "deleted data kept"
        );
        assert!(
            store.read_part("b", &parts[2]).is_err(),
            "deleted data kept"
        );
        assert_eq!(
            store.read_range("b", &meta, 0, 0).expect_err("gone").code,
            "NoSuchKey"
        );
    }

    #[test]
    fn disk_copies_link_the_sources_files_and_outlive_the_source() {
        use std::os::unix::fs::MetadataExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let blobs = |bucket: &str| dir.path().join(bucket).join("blobs");
        let store = Store::on_disk(dir.path()).expect("open");
        store.create_bucket(bucket("b")).expect("create");
        store.create_bucket(bucket("other")).expect("create");
        store
            .create_upload("b", upload_record("u", "multi"))
            .expect("initiate");
        let parts = put_parts(&store, "u", &[(1, b"first "), (2, b"second")]);
        let multi = store
            .complete_upload("b", object("multi"), "u", &parts)
            .expect("complete");
        let mut single_meta = object("single");
        single_meta.size = 6;
        let single = store
            .put_object("b", single_meta, &Bytes::from_static(b"single"))
            .expect("put");

        for (source, data, to) in [
            (&multi, &b"first second"[..], "b"),
            (&single, &b"single"[..], "other"),
        ] {
            let linked = store
                .link_copy("b", source, to)
                .expect("link")
                .expect("links on this file system");
            let mut meta = source.clone();
            meta.key = format!("copy-of-{}", source.key);
            let copy = store.put_object_linked(to, meta, linked).expect("copy");
            // The same files under new names.
            let source_files: Vec<String> = if source.segments.is_empty() {
                vec![source.blob.clone()]
            } else {
                source.segments.iter().map(|s| s.blob.clone()).collect()
            };
            assert_eq!(copy.segments.len(), source_files.len());
            for (segment, original) in copy.segments.iter().zip(&source_files) {
                let ino = |p: std::path::PathBuf| std::fs::metadata(p).expect("file").ino();
                assert_ne!(&segment.blob, original);
                assert_eq!(
                    ino(blobs(to).join(&segment.blob)),
                    ino(blobs("b").join(original))
                );
            }
            store
                .delete_object("b", &source.key, None)
                .expect("delete source");
            for original in &source_files {
                assert!(!blobs("b").join(original).exists(), "source data kept");
            }
            let reopened_copy = store.object(to, &copy.key, None).expect("copy");
            assert_eq!(&store.read(to, &reopened_copy).expect("read")[..], data);
        }
        let reopened = Store::on_disk(dir.path()).expect("reopen");
        let copy = reopened.object("b", "copy-of-multi", None).expect("copy");
        assert_eq!(
            &reopened.read("b", &copy).expect("read")[..],
            b"first second"
        );

        // Links no record took are removed with the LinkedData.
        let linked = reopened
            .link_copy("b", &copy, "b")
            .expect("link")
            .expect("links");
        let names: Vec<std::path::PathBuf> = linked.paths.clone();
        drop(linked);
        assert!(names.iter().all(|p| !p.exists()), "unused links kept");
    }

    #[test]
    fn completing_checks_the_parts_are_still_the_uploads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::on_disk(dir.path()).expect("open");
        store.create_bucket(bucket("b")).expect("create");
        store
            .create_upload("b", upload_record("u", "m"))
            .expect("initiate");
        let old = put_parts(&store, "u", &[(1, b"first")]);
        // Replaced after the caller picked it: completing with the old record fails and
        // leaves the upload as it was.
        put_parts(&store, "u", &[(1, b"again")]);
        let err = store
            .complete_upload("b", object("m"), "u", &old)
            .expect_err("replaced part");
        assert_eq!(err.code, "InvalidPart");
        assert_eq!(store.upload("b", "u").expect("still there").1.len(), 1);
        assert!(store.object("b", "m", None).is_err());
        store.remove_upload("b", "u").expect("abort");
        let err = store
            .complete_upload("b", object("m"), "u", &old)
            .expect_err("no upload");
        assert_eq!(err.code, "NoSuchUpload");
    }

    #[test]
    fn a_crash_after_completing_leaves_the_object_and_drops_the_upload_on_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blobs = dir.path().join("b/blobs");
        let (parts, upload) = {
            let store = Store::on_disk(dir.path()).expect("open");
            store.create_bucket(bucket("b")).expect("create");
            store
                .create_upload("b", upload_record("u", "m"))
                .expect("initiate");
            let parts = put_parts(&store, "u", &[(1, b"abc"), (2, b"def"), (3, b"ghi")]);
            let upload = store.upload("b", "u").expect("upload").0;
            store
                .complete_upload("b", object("m"), "u", &parts[..2])
                .expect("complete");
            (parts, upload)
        };
        // The records a crash would have left: the object's record was saved, the upload's
        // were not removed yet (part 3's data with them).
        let backend = disk::DiskBackend::open(dir.path()).expect("backend");
        backend.save_upload("b", &upload).expect("upload record");
        for p in &parts {
            backend.save_part("b", p).expect("part record");
        }
        std::fs::write(blobs.join(&parts[2].blob), b"ghi").expect("part 3 data");

        let store = Store::on_disk(dir.path()).expect("reopen");
        let meta = store.object("b", "m", None).expect("object");
        assert_eq!(&store.read("b", &meta).expect("read")[..], b"abcdef");
        assert!(
            store.upload("b", "u").is_err(),
            "a completed upload came back"
        );
        assert!(
            !blobs.join(&parts[2].blob).exists(),
            "unused part data kept"
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join("b/parts"))
                .expect("parts dir")
                .count(),
            0
        );
        assert!(!dir.path().join("b/uploads/u.json").exists());
    }

    #[test]
    fn memory_store_keeps_every_version_of_a_versioned_key() {
        let store = Store::in_memory();
        store.create_bucket(bucket("b")).expect("create");
        store
            .update_bucket("b", |r| r.versioning = Some("Enabled".into()))
            .expect("versioning");
        let first = store
            .put_object("b", object("k"), &Bytes::from_static(b"one"))
            .expect("put");
        store
            .put_object("b", object("k"), &Bytes::from_static(b"two"))
            .expect("second version");
        store.delete_object("b", "k", None).expect("marker");
        assert_eq!(
            store.read("b", &first).expect("old version"),
            Bytes::from_static(b"one")
        );
        store
            .delete_object("b", "k", Some(&first.version_id))
            .expect("delete version");
        assert!(store.read("b", &first).is_err(), "deleted version kept");
    }

    #[test]
    fn versioned_delete_adds_a_marker_and_keeps_data() {
        let store = Store::in_memory();
        store.create_bucket(bucket("b")).expect("create");
        store
            .update_bucket("b", |r| r.versioning = Some("Enabled".into()))
            .expect("versioning");
        let v1 = store
            .put_object("b", object("k"), &Bytes::from_static(b"abc"))
            .expect("put");
        assert_ne!(v1.version_id, "null");
        let out = store.delete_object("b", "k", None).expect("delete");
        assert!(out.delete_marker);
        let err = store.object("b", "k", None).expect_err("hidden by marker");
        assert_eq!(err.code, "NoSuchKey");
        let old = store
            .object("b", "k", Some(&v1.version_id))
            .expect("old version readable");
        assert_eq!(
            store.read("b", &old).expect("data"),
            Bytes::from_static(b"abc")
        );
    }

    #[test]
    fn non_empty_bucket_cannot_be_deleted() {
        let store = Store::in_memory();
        store.create_bucket(bucket("b")).expect("create");
        assert_eq!(
            store.create_bucket(bucket("b")).expect_err("dup").code,
            "BucketAlreadyExists"
        );
        store
            .put_object("b", object("k"), &Bytes::from_static(b"abc"))
            .expect("put");
        assert_eq!(
            store.delete_bucket("b").expect_err("not empty").code,
            "BucketNotEmpty"
        );
        store.delete_object("b", "k", None).expect("delete");
        store.delete_bucket("b").expect("now empty");
        assert_eq!(store.bucket("b").expect_err("gone").code, "NoSuchBucket");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        #[test]
        fn disk_store_reopens_to_the_acknowledged_state(
            ops in proptest::collection::vec((0u8..4, 0u8..3, proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)), 1..30)
        ) {
            let dir = tempfile::tempdir().expect("tempdir");
            let mut model: std::collections::BTreeMap<String, Vec<u8>> = std::collections::BTreeMap::new();
            {
                let store = Store::on_disk(dir.path()).expect("open");
                store.create_bucket(bucket("b")).expect("create");
                for (op, key, data) in &ops {
                    let key = format!("k{key}");
                    if *op == 0 {
                        store.delete_object("b", &key, None).expect("delete");
                        model.remove(&key);
                    } else {
                        let meta = ObjectMeta { size: data.len() as u64, ..object(&key) };
                        store.put_object("b", meta, &Bytes::from(data.clone())).expect("put");
                        model.insert(key, data.clone());
                    }
                }
            }
            let store = Store::on_disk(dir.path()).expect("reopen");
            let keys: Vec<String> = store.with_bucket("b", |b| b.objects.keys().cloned().collect()).expect("bucket");
            proptest::prop_assert_eq!(keys, model.keys().cloned().collect::<Vec<_>>());
            for (key, data) in &model {
                let meta = store.object("b", key, None).expect("object");
                proptest::prop_assert_eq!(&store.read("b", &meta).expect("data")[..], &data[..]);
            }
        }
    }
}
