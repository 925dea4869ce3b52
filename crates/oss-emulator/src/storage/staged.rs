//! Request bodies staged on disk: streamed into a temporary file (digests computed on the
//! way), made durable, and only then renamed into place by the store. A staged body that is
//! never committed (the request failed or ended early) is removed when dropped; one left by a
//! crash carries the temporary mark and is removed on start.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use oss_proto::md5::Md5;

use super::data::DataReader;
use oss_proto::crc::Crc64;

/// The slow half of a [`BodyDigest`]: MD5, and SHA-256 only when the request's signature
/// covers the body (a hex `x-oss-content-sha256`; `UNSIGNED-PAYLOAD` bodies are not hashed
/// twice). A request's body is fed to these on a thread of its own, apart from the copy and
/// the CRC, so the one inherently serial computation runs at full speed.
pub(crate) struct Hashes {
    md5: Md5,
    sha256: Option<ring::digest::Context>,
}

impl Hashes {
    /// Hashes to compute; SHA-256 only `with_sha256`.
    pub(crate) fn new(with_sha256: bool) -> Self {
        Hashes {
            md5: Md5::new(),
            sha256: with_sha256.then(|| ring::digest::Context::new(&ring::digest::SHA256)),
        }
    }

    /// Adds the next bytes.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.md5.update(data);
        if let Some(sha) = self.sha256.as_mut() {
            sha.update(data);
        }
    }
}

/// Digests of a body computed while it streams by: the [`Hashes`], CRC-64/XZ and length.
pub(crate) struct BodyDigest {
    hashes: Hashes,
    crc64: Crc64,
    len: u64,
}

impl std::fmt::Debug for BodyDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyDigest")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl BodyDigest {
    /// Digests to compute; SHA-256 only `with_sha256`.
    pub(crate) fn new(with_sha256: bool) -> Self {
        BodyDigest {
            hashes: Hashes::new(with_sha256),
            crc64: Crc64::new(),
            len: 0,
        }
    }

    /// Adds the next bytes to every digest.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.hashes.update(data);
        self.update_crc(data);
    }

    /// Adds the next bytes to the CRC-64 and the length only: the [`Hashes`] are fed
    /// elsewhere and joined with [`BodyDigest::with_hashes`].
    pub(crate) fn update_crc(&mut self, data: &[u8]) {
        self.crc64.update(data);
        self.len += data.len() as u64;
    }

    /// This CRC-64 and length with `hashes` computed over the same bytes.
    pub(crate) fn with_hashes(self, hashes: Hashes) -> Self {
        BodyDigest { hashes, ..self }
    }

    /// Finishes the digests.
    pub(crate) fn digests(self) -> Digests {
        let sha256 = self.hashes.sha256.map(|sha| {
            let mut out = [0u8; 32];
            out.copy_from_slice(sha.finish().as_ref());
            out
        });
        Digests {
            len: self.len,
            md5: self.hashes.md5.finalize(),
            crc64: self.crc64.finish(),
            sha256,
        }
    }

    /// Finishes the digests for a body stored at `path`.
    pub(crate) fn finish(self, path: PathBuf) -> StagedBody {
        let Digests {
            len,
            md5,
            crc64,
            sha256,
        } = self.digests();
        StagedBody {
            path,
            len,
            md5,
            crc64,
            sha256,
        }
    }
}

/// What [`BodyDigest`] computed over a whole body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Digests {
    /// Length in bytes.
    pub(crate) len: u64,
    /// Raw MD5 digest.
    pub(crate) md5: [u8; 16],
    /// CRC-64/XZ.
    pub(crate) crc64: u64,
    /// Raw SHA-256 digest, when it was computed.
    pub(crate) sha256: Option<[u8; 32]>,
}

/// A complete, fsynced body in a temporary file, with its digests.
#[derive(Debug)]
pub(crate) struct StagedBody {
    path: PathBuf,
    /// Length in bytes.
    pub(crate) len: u64,
    /// Raw MD5 digest.
    pub(crate) md5: [u8; 16],
    /// CRC-64/XZ.
    pub(crate) crc64: u64,
    /// Raw SHA-256 digest, when it was computed (see [`BodyDigest`]).
    pub(crate) sha256: Option<[u8; 32]>,
}

impl StagedBody {
    /// Where the data is until committed.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// A complete, fsynced file at `path` whose length and CRC-64 the caller computed (a
    /// seeded fixture stored as a multipart object). Its whole-content MD5 is not computed
    /// (left zero): nothing stores it, a multipart object's ETag is made of its parts' MD5s.
    pub(crate) fn committable(path: PathBuf, len: u64, crc64: u64) -> StagedBody {
        StagedBody {
            path,
            len,
            md5: [0; 16],
            crc64,
            sha256: None,
        }
    }

    /// Writes what `source` reads into a new durable temporary file at `path`, digesting it.
    pub(crate) fn concat(path: PathBuf, mut source: DataReader) -> io::Result<StagedBody> {
        let mut digest = BodyDigest::new(false);
        let result = (|| {
            let mut out = fs::File::create(&path)?;
            let mut writeback = Writeback::default();
            let mut buf = vec![0u8; 256 * 1024];
            loop {
                let n = source.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                digest.update(&buf[..n]);
                out.write_all(&buf[..n])?;
                writeback.wrote(&out, n as u64)?;
            }
            writeback.finish()?;
            out.sync_all()
        })();
        match result {
            Ok(()) => Ok(digest.finish(path)),
            Err(e) => {
                let _ = fs::remove_file(&path);
                Err(e)
            }
        }
    }
}

/// The chunk sparse copies read, compare with zeros and write (or skip) at a time.
const CHUNK: usize = 256 * 1024;
/// A chunk of zeros: what a hole reads as, compared with by one `memcmp`.
static ZEROS: [u8; CHUNK] = [0; CHUNK];

/// An MD5 hasher that has been fed `len` zero bytes. The states after each whole number of
/// zero chunks are kept (grown on demand to the longest run asked for), so the zeros leading
/// a part, or filling it, are hashed once per process rather than once per copy.
fn zero_prefix_md5(len: u64) -> Md5 {
    static STATES: std::sync::Mutex<Vec<Md5>> = std::sync::Mutex::new(Vec::new());
    let chunks = usize::try_from(len / CHUNK as u64).unwrap_or(usize::MAX);
    let rest = usize::try_from(len % CHUNK as u64).unwrap_or(0);
    let mut states = STATES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if states.is_empty() {
        states.push(Md5::new());
    }
    while states.len() <= chunks {
        let mut next = states[states.len() - 1].clone();
        next.update(&ZEROS[..]);
        states.push(next);
    }
    let mut md5 = states[chunks].clone();
    drop(states);
    md5.update(&ZEROS[..rest]);
    md5
}

/// The CRC-64 of `len` (at most [`CHUNK`]) zero bytes; a whole chunk's is computed once.
fn zero_crc(len: usize) -> u64 {
    static WHOLE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    if len == CHUNK {
        *WHOLE.get_or_init(|| oss_proto::crc::checksum(&ZEROS[..]))
    } else {
        oss_proto::crc::checksum(&ZEROS[..len])
    }
}

/// Written bytes after which a [`Writeback`] starts syncing what is there so far.
const WRITEBACK_EVERY: u64 = 8 << 20;

/// Syncs a file that is being written from a thread of its own as it grows (every
/// [`WRITEBACK_EVERY`] bytes, skipped while a sync is still running), so the disk works while
/// the writer goes on and the sync that makes the file durable is left with the tail. The
/// thread starts with the first sync: a small file costs none.
#[derive(Default)]
pub(crate) struct Writeback {
    wake: Option<std::sync::mpsc::SyncSender<()>>,
    syncer: Option<std::thread::JoinHandle<io::Result<()>>>,
    unsynced: u64,
}

impl Writeback {
    /// Counts `len` more bytes written to `file`; wakes the syncer (started on first use)
    /// once enough have piled up.
    pub(crate) fn wrote(&mut self, file: &fs::File, len: u64) -> io::Result<()> {
        self.unsynced += len;
        if self.unsynced < WRITEBACK_EVERY {
            return Ok(());
        }
        self.unsynced = 0;
        if self.wake.is_none() {
            let file = file.try_clone()?;
            let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
            let syncer = std::thread::Builder::new()
                .name("oss-emulator-writeback".into())
                .spawn(move || {
                    while woken.recv().is_ok() {
                        file.sync_data()?;
                    }
                    Ok(())
                })?;
            self.wake = Some(wake);
            self.syncer = Some(syncer);
        }
        if let Some(wake) = &self.wake {
            // Full: a sync is pending already and will take these bytes too.
            let _ = wake.try_send(());
        }
        Ok(())
    }

    /// Waits for the syncer; the caller then syncs the file whole.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.stop()
    }

    fn stop(&mut self) -> io::Result<()> {
        self.wake = None;
        match self.syncer.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the writeback thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for Writeback {
    fn drop(&mut self) {
        // An abandoned write (an error on the way) still stops its thread.
        let _ = self.stop();
    }
}

/// Copies what `source` reads into `out` and makes it durable, keeping holes: a chunk of
/// zeros is skipped over rather than written, so copying a sparse object costs reading it,
/// not writing (or storing) its zeros.
fn copy_sparse(
    out: &mut fs::File,
    mut source: DataReader,
    mut each: impl FnMut(&[u8], bool),
) -> io::Result<u64> {
    use std::io::{Seek, SeekFrom};
    let mut buf = vec![0u8; CHUNK];
    let mut written = 0u64;
    let mut writeback = Writeback::default();
    let mut left = source.len();
    while left > 0 {
        let want = usize::try_from(left).map_or(CHUNK, |l| l.min(CHUNK));
        source.read_exact(&mut buf[..want])?;
        let chunk = &buf[..want];
        let zero = chunk == &ZEROS[..want];
        each(chunk, zero);
        if zero {
            out.seek(SeekFrom::Current(want as i64))?;
        } else {
            out.write_all(chunk)?;
            writeback.wrote(out, want as u64)?;
        }
        left -= want as u64;
        written += want as u64;
    }
    // Trailing holes: the length is what the skipped seeks did not write.
    out.set_len(written)?;
    writeback.finish()?;
    out.sync_all()?;
    Ok(written)
}

impl StagedBody {
    /// What `source` reads (a range of an object, for UploadPartCopy on disk), in a new durable
    /// temporary file at `path` that keeps the source's holes, with their MD5 and CRC-64. Zeros
    /// cost no hashing: the CRC of a zero chunk is combined in, and the MD5 of the zeros before
    /// a range's first non-zero byte comes from states kept across copies (zeros after it are
    /// hashed, MD5 having no shortcut for them).
    pub(crate) fn copy_range(path: PathBuf, source: DataReader) -> io::Result<StagedBody> {
        let mut md5 = Md5::new();
        // The CRC so far (`None` before any byte); a zero chunk's is combined in, not computed.
        let mut crc: Option<u64> = None;
        // Leading zeros not yet fed to the MD5 (a whole number of chunks): taken from the
        // zero-prefix states once a non-zero byte shows up.
        let mut pending_zeros = 0u64;
        let mut touched = false;
        let result = (|| {
            let mut out = fs::File::create(&path)?;
            copy_sparse(&mut out, source, |chunk, zero| {
                let chunk_crc = if zero {
                    zero_crc(chunk.len())
                } else {
                    oss_proto::crc::checksum(chunk)
                };
                crc = Some(match crc {
                    None => chunk_crc,
                    Some(c) => oss_proto::crc::combine(c, chunk_crc, chunk.len() as u64),
                });
                if touched {
                    md5.update(chunk);
                } else if zero {
                    pending_zeros += chunk.len() as u64;
                } else {
                    md5 = zero_prefix_md5(pending_zeros);
                    md5.update(chunk);
                    touched = true;
                }
            })
        })();
        match result {
            Ok(len) => Ok(StagedBody {
                path,
                len,
                md5: if touched { md5 } else { zero_prefix_md5(len) }.finalize(),
                crc64: crc.unwrap_or_else(|| oss_proto::crc::checksum(b"")),
                sha256: None,
            }),
            Err(e) => {
                let _ = fs::remove_file(&path);
                Err(e)
            }
        }
    }

    /// Writes what `source` reads into a new durable temporary file at `path` (CopyObject on
    /// disk), keeping holes and digesting nothing: the caller knows the CRC-64 (`crc64`, the
    /// source object's).
    pub(crate) fn concat_known(
        path: PathBuf,
        source: DataReader,
        crc64: u64,
    ) -> io::Result<StagedBody> {
        let result = (|| {
            let mut out = fs::File::create(&path)?;
            copy_sparse(&mut out, source, |_, _| {})
        })();
        match result {
            Ok(len) => Ok(StagedBody::committable(path, len, crc64)),
            Err(e) => {
                let _ = fs::remove_file(&path);
                Err(e)
            }
        }
    }
}

impl Drop for StagedBody {
    fn drop(&mut self) {
        // Gone already once committed (renamed into place).
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::super::data::Stretch;
    use super::*;

    #[test]
    fn concatenation_digests_the_whole_and_drop_removes_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::write(&a, b"12345").expect("a");
        fs::write(&b, b"6789").expect("b");
        let source = DataReader::open(vec![
            Stretch {
                path: a,
                start: 0,
                len: 5,
            },
            Stretch {
                path: b,
                start: 0,
                len: 4,
            },
        ])
        .expect("open");
        let staged = StagedBody::concat(dir.path().join("ab"), source).expect("concat");
        assert_eq!(fs::read(staged.path()).expect("read"), b"123456789");
        assert_eq!(staged.len, 9);
        // CRC-64/XZ("123456789") from the shared vectors (official SDKs).
        assert_eq!(staged.crc64, 0x995d_c9bb_df19_39fa);
        // MD5("123456789") = 25f9e794323b453885f5181f1b624d0b (well-known value).
        assert_eq!(
            crate::checksum::hex_upper(&staged.md5),
            "25F9E794323B453885F5181F1B624D0B"
        );
        let path = staged.path().to_owned();
        drop(staged);
        assert!(!path.exists());
    }

    #[test]
    fn files_larger_than_the_writeback_step_are_written_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Two sources, 12 MiB in all, so the syncer runs while the copy goes on; the second
        // starts with a zero chunk that stays a hole.
        let a: Vec<u8> = (0..7u32 << 20).map(|i| (i % 251) as u8 | 1).collect();
        let mut b = vec![0u8; CHUNK];
        b.extend((0..5u32 << 20).map(|i| (i % 241) as u8));
        fs::write(dir.path().join("a"), &a).expect("a");
        fs::write(dir.path().join("b"), &b).expect("b");
        let whole = [a.as_slice(), b.as_slice()].concat();
        let sources = || {
            DataReader::open(vec![
                Stretch {
                    path: dir.path().join("a"),
                    start: 0,
                    len: a.len() as u64,
                },
                Stretch {
                    path: dir.path().join("b"),
                    start: 0,
                    len: b.len() as u64,
                },
            ])
            .expect("open")
        };
        let known =
            StagedBody::concat_known(dir.path().join("known"), sources(), 7).expect("known");
        assert_eq!(known.len, whole.len() as u64);
        assert!(fs::read(known.path()).expect("read") == whole);
        let digested = StagedBody::concat(dir.path().join("digested"), sources()).expect("concat");
        assert!(fs::read(digested.path()).expect("read") == whole);
        assert_eq!(digested.crc64, oss_proto::crc::checksum(&whole));
    }
}
