//! Test fixtures put straight into a running emulator's store: a very large object stored as a
//! sparse file, so a test can range-read gigabytes without anyone writing them.

use std::fs;
use std::io::{self, Read as _, Seek, SeekFrom, Write};

use crate::checksum;
use crate::storage::{Data, ObjectMeta, StagedBody, Store, now_ms};

/// Why [`Emulator::put_sparse_object`](crate::Emulator::put_sparse_object) stored nothing.
///
/// ```
/// let emu = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
/// let err = emu.put_sparse_object("b", "k", 10, &[(8, b"abc")]).unwrap_err();
/// assert!(matches!(err, oss_emulator::SeedError::ExtentOutOfRange { offset: 8, len: 3, size: 10 }));
/// assert_eq!(err.to_string(), "extent of 3 bytes at 8 ends past the object's 10 bytes");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum SeedError {
    /// The emulator keeps its data in memory; a sparse object needs a data directory.
    NotOnDisk,
    /// The bucket does not exist.
    NoSuchBucket {
        /// The bucket asked for.
        bucket: String,
    },
    /// An extent ends past the object's size.
    ExtentOutOfRange {
        /// Where the extent starts.
        offset: u64,
        /// Its length.
        len: u64,
        /// The object's size.
        size: u64,
    },
    /// Writing or digesting the data failed.
    Io(io::Error),
    /// The store refused the object.
    Store(String),
}

impl std::fmt::Display for SeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SeedError::NotOnDisk => {
                f.write_str("a sparse object needs an emulator with a data directory")
            }
            SeedError::NoSuchBucket { bucket } => write!(f, "no bucket {bucket:?}"),
            SeedError::ExtentOutOfRange { offset, len, size } => write!(
                f,
                "extent of {len} bytes at {offset} ends past the object's {size} bytes"
            ),
            SeedError::Io(e) => write!(f, "sparse object data: {e}"),
            SeedError::Store(message) => write!(f, "storing the sparse object: {message}"),
        }
    }
}

impl std::error::Error for SeedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SeedError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for SeedError {
    fn from(e: io::Error) -> Self {
        SeedError::Io(e)
    }
}

/// Stores `bucket/key` as `size` bytes, zero except for `extents` (offset, data; a later
/// extent overwrites an earlier one where they overlap), as the object a multipart upload of
/// it in [`part_size`] parts would have made: type `Multipart`, the ETag of those parts and the
/// CRC-64 of the whole content. Only the parts an extent touches are read and hashed; the
/// digests of the all-zero parts are computed once, so seeding costs the extents, not `size`.
pub(crate) fn put_sparse_object(
    store: &Store,
    bucket: &str,
    key: &str,
    size: u64,
    extents: &[(u64, &[u8])],
) -> Result<(), SeedError> {
    for (offset, data) in extents {
        let len = data.len() as u64;
        if offset.checked_add(len).is_none_or(|end| end > size) {
            return Err(SeedError::ExtentOutOfRange {
                offset: *offset,
                len,
                size,
            });
        }
    }
    if !store.has_bucket(bucket) {
        return Err(SeedError::NoSuchBucket {
            bucket: bucket.to_owned(),
        });
    }
    let path = store.staging_path(bucket).ok_or(SeedError::NotOnDisk)?;
    let digested = (|| -> io::Result<_> {
        let mut file = fs::File::options()
            .create_new(true)
            .read(true)
            .write(true)
            .open(&path)?;
        // Holes read back as zeros and take no disk space.
        file.set_len(size)?;
        for (offset, data) in extents {
            file.seek(SeekFrom::Start(*offset))?;
            file.write_all(data)?;
        }
        file.sync_all()?;
        digests(&mut file, size, extents)
    })();
    let (etag, crc64) = match digested {
        Ok(d) => d,
        Err(e) => {
            let _ = fs::remove_file(&path);
            return Err(SeedError::Io(e));
        }
    };
    let staged = StagedBody::committable(path, size, crc64);
    let meta = ObjectMeta {
        key: key.to_owned(),
        version_id: String::new(),
        seq: 0,
        blob: String::new(),
        delete_marker: false,
        etag,
        size,
        modified_ms: now_ms(),
        crc64,
        object_type: "Multipart".to_owned(),
        content_type: "application/octet-stream".to_owned(),
        headers: Default::default(),
        user_meta: Default::default(),
        acl: "default".to_owned(),
        tags: Vec::new(),
        storage_class: "Standard".to_owned(),
        symlink_target: None,
        restore: None,
        segments: Vec::new(),
    };
    let _lock = store.lock_key(bucket, key);
    store
        .put_object_from(bucket, meta, Data::Staged(&staged))
        .map_err(|e| SeedError::Store(e.message))?;
    Ok(())
}

/// The part size the digests of a `size`-byte object assume: 1 MiB, doubled until the object
/// fits OSS's 10,000 parts.
pub(crate) fn part_size(size: u64) -> u64 {
    let mut part = 1 << 20;
    while size.div_ceil(part) > 10_000 {
        part *= 2;
    }
    part
}

/// The multipart ETag and whole CRC-64 of the sparse `file` of `size` bytes.
fn digests(file: &mut fs::File, size: u64, extents: &[(u64, &[u8])]) -> io::Result<(String, u64)> {
    let part = part_size(size);
    // Digests of an all-zero part, per length (every part but the last has the same).
    let mut zero_parts: Vec<(u64, [u8; 16], u64)> = Vec::new();
    let mut md5s = Vec::new();
    let mut crc = 0u64;
    let mut buf = Vec::new();
    let mut start = 0;
    while start < size {
        let len = part.min(size - start);
        let touched = extents.iter().any(|(offset, data)| {
            !data.is_empty() && *offset < start + len && offset + data.len() as u64 > start
        });
        let (md5, part_crc) = if touched {
            buf.resize(usize::try_from(len).map_err(io::Error::other)?, 0);
            file.seek(SeekFrom::Start(start))?;
            file.read_exact(&mut buf)?;
            (checksum::md5(&buf), checksum::crc64(&buf))
        } else if let Some((_, md5, c)) = zero_parts.iter().find(|(l, _, _)| *l == len) {
            (*md5, *c)
        } else {
            let zeros = vec![0u8; usize::try_from(len).map_err(io::Error::other)?];
            let digest = (checksum::md5(&zeros), checksum::crc64(&zeros));
            zero_parts.push((len, digest.0, digest.1));
            digest
        };
        md5s.push(md5);
        crc = if start == 0 {
            part_crc
        } else {
            oss_proto::crc::combine(crc, part_crc, len)
        };
        start += len;
    }
    if md5s.is_empty() {
        // An empty object is one empty part.
        md5s.push(checksum::md5(b""));
    }
    Ok((checksum::multipart_etag(&md5s), crc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(name: &str) -> crate::storage::BucketRecord {
        crate::storage::BucketRecord {
            name: name.to_owned(),
            created_ms: 0,
            location: "oss-cn-hangzhou".to_owned(),
            acl: "private".to_owned(),
            storage_class: "Standard".to_owned(),
            redundancy: "LRS".to_owned(),
            versioning: None,
            tags: Vec::new(),
            cors: None,
            configs: std::collections::BTreeMap::new(),
        }
    }

    #[test]
    fn sparse_object_reads_as_zeros_around_its_extents_with_whole_content_digests() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::on_disk(dir.path()).expect("store");
        store.create_bucket(bucket("b")).expect("bucket");
        put_sparse_object(&store, "b", "k", 12, &[(2, b"abc"), (10, b"yz")]).expect("seed");
        let meta = store.object("b", "k", None).expect("object");
        let data = store.read("b", &meta).expect("read");
        let expected = b"\0\0abc\0\0\0\0\0yz";
        assert_eq!(&data[..], expected);
        assert_eq!(meta.size, 12);
        // One part (under 1 MiB): the ETag of a one-part upload of these bytes.
        assert_eq!(
            meta.etag,
            checksum::multipart_etag(&[checksum::md5(expected)])
        );
        assert_eq!(meta.crc64, checksum::crc64(expected));
        assert_eq!(meta.object_type, "Multipart");
    }

    #[test]
    fn digests_of_untouched_parts_equal_those_of_the_zeros_they_hold() {
        // 2.5 MiB: parts of 1 MiB, 1 MiB and 0.5 MiB; only the second holds data.
        let size = (5 << 20) / 2;
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::on_disk(dir.path()).expect("store");
        store.create_bucket(bucket("b")).expect("bucket");
        let extent = [7u8; 100];
        let at = (1 << 20) + 5;
        put_sparse_object(&store, "b", "k", size, &[(at, &extent)]).expect("seed");
        let mut whole = vec![0u8; size as usize];
        whole[at as usize..at as usize + 100].copy_from_slice(&extent);
        let meta = store.object("b", "k", None).expect("object");
        assert_eq!(&store.read("b", &meta).expect("read")[..], &whole[..]);
        let parts: Vec<[u8; 16]> = whole.chunks(1 << 20).map(checksum::md5).collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(meta.etag, checksum::multipart_etag(&parts));
        assert_eq!(meta.crc64, checksum::crc64(&whole));
        assert_eq!(part_size(1 << 30), 1 << 20);
        assert_eq!(part_size(20_000 << 20), 2 << 20);
    }

    #[test]
    fn bad_extents_missing_buckets_and_memory_stores_are_typed_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::on_disk(dir.path()).expect("store");
        store.create_bucket(bucket("b")).expect("bucket");
        assert!(matches!(
            put_sparse_object(&store, "b", "k", 4, &[(2, b"abc")]),
            Err(SeedError::ExtentOutOfRange {
                offset: 2,
                len: 3,
                size: 4
            })
        ));
        assert!(matches!(
            put_sparse_object(&store, "b", "k", 4, &[(u64::MAX, b"a")]),
            Err(SeedError::ExtentOutOfRange { .. })
        ));
        assert!(matches!(
            put_sparse_object(&store, "nope", "k", 4, &[]),
            Err(SeedError::NoSuchBucket { .. })
        ));
        let memory = Store::in_memory();
        memory.create_bucket(bucket("b")).expect("bucket");
        assert!(matches!(
            put_sparse_object(&memory, "b", "k", 4, &[]),
            Err(SeedError::NotOnDisk)
        ));
        assert!(store.object("b", "k", None).is_err(), "nothing was stored");
    }
}
