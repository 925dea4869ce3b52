//! The downloader: concurrent ranged GETs into a temporary file beside the destination,
//! renamed into place once complete and verified.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::StreamExt as _;
use oss_client::Client;
use oss_model::GetObjectInput;
use tokio::io::{AsyncSeekExt as _, AsyncWriteExt as _};
use tokio::task::JoinSet;

use crate::checkpoint::{self, DoneRange, DownloadCheckpoint};
use crate::error::Error;
use crate::parts;
use crate::progress::{PartProgress, ProgressFn, Tracker};

/// The default range size: 6 MiB.
pub const DEFAULT_RANGE_SIZE: u64 = 6 * 1024 * 1024;

/// How many times one range is resumed after its body broke off without any new byte.
const RANGE_RESUMES: u32 = 5;

/// Downloads objects into files.
///
/// The object is read with `parallelism` concurrent ranged GETs, every one conditional on the
/// ETag the object had when the download started (`If-Match`): an object overwritten midway
/// fails the download with [`Error::ObjectChanged`] instead of producing a spliced file. Data
/// goes to a temporary file beside the destination (`<name>.ossdownload`); the whole object's
/// CRC-64 is combined from the ranges' and compared with the object's `x-oss-hash-crc64ecma`,
/// and only then is the file synced and renamed to the destination. A failed or dropped
/// download leaves nothing under the destination name. A range whose body breaks off is
/// resumed from its last byte received.
///
/// ```
/// use oss_client::{Client, Config, credentials::StaticProvider};
/// use oss_transfer::Downloader;
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// # let emulator = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
/// # let client = Client::new(Config::builder().region("cn-hangzhou").endpoint(emulator.endpoint())
/// #     .credentials(StaticProvider::from_keys("ak", "sk")).build().unwrap());
/// # client.put_bucket().bucket("examplebucket").send().await.unwrap();
/// client.put_object().bucket("examplebucket").key("k").body(vec![3u8; 250_000]).send().await?;
/// let dir = tempfile::tempdir().unwrap();
/// let dest = dir.path().join("k.bin");
/// let input = oss_model::GetObjectInput::builder().bucket("examplebucket").key("k").build().unwrap();
/// let out = Downloader::new(client).range_size(100_000).download_file(input, &dest).await.unwrap();
/// assert_eq!(out.size, 250_000);
/// assert_eq!(std::fs::read(&dest).unwrap(), vec![3u8; 250_000]);
/// # Ok::<(), oss_client::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct Downloader {
    client: Client,
    range_size: u64,
    parallelism: usize,
    checkpoint_dir: Option<PathBuf>,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for Downloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Downloader")
            .field("range_size", &self.range_size)
            .field("parallelism", &self.parallelism)
            .field("checkpoint_dir", &self.checkpoint_dir)
            .finish_non_exhaustive()
    }
}

/// What a download produced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadOutput {
    /// Bytes written (the object's size).
    pub size: u64,
    /// The object's ETag (every range was read under it).
    pub etag: Option<String>,
    /// The object's CRC-64 (the file's: it was checked), when OSS reported one.
    pub crc64: Option<u64>,
    /// Ranges found already downloaded when resuming from a checkpoint.
    pub resumed_ranges: u64,
}

/// The object as the download found it.
#[derive(Debug, Clone)]
struct ObjectState {
    size: u64,
    etag: Option<String>,
    crc64: Option<u64>,
}

impl Downloader {
    /// A downloader with the defaults: 6 MiB ranges, 3 in flight, no checkpoints.
    pub fn new(client: Client) -> Self {
        Downloader {
            client,
            range_size: DEFAULT_RANGE_SIZE,
            parallelism: crate::upload::DEFAULT_PARALLELISM,
            checkpoint_dir: None,
            progress: None,
        }
    }

    /// The size of each ranged GET (at least 1 byte).
    #[must_use]
    pub fn range_size(mut self, bytes: u64) -> Self {
        self.range_size = bytes.max(1);
        self
    }

    /// Ranges in flight at once (at least 1).
    #[must_use]
    pub fn parallelism(mut self, n: usize) -> Self {
        self.parallelism = n.max(1);
        self
    }

    /// Makes downloads resumable: a checkpoint in `dir` (the path used as given) records the
    /// ranges written to the temporary file, which is kept when the download fails. The same
    /// download resumes them, provided the object still has the same size and ETag (otherwise
    /// [`Error::Checkpoint`]; remove it to start over).
    #[must_use]
    pub fn checkpoint_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.checkpoint_dir = Some(dir.into());
        self
    }

    /// Reports progress to `callback`.
    #[must_use]
    pub fn progress(mut self, callback: ProgressFn) -> Self {
        self.progress = Some(callback);
        self
    }

    /// The temporary file a download to `dest` writes before renaming it.
    pub fn temp_path(dest: &Path) -> PathBuf {
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        dest.with_file_name(format!("{name}.ossdownload"))
    }

    /// The checkpoint file a download of `bucket/key` to `dest` uses, when a checkpoint
    /// directory is set.
    pub fn checkpoint_path(&self, bucket: &str, key: &str, dest: &Path) -> Option<PathBuf> {
        let dir = self.checkpoint_dir.as_ref()?;
        let dest = checkpoint::absolute(dest);
        Some(checkpoint::file_in(
            dir,
            "download",
            &[bucket, key, &dest.to_string_lossy()],
        ))
    }

    /// Downloads `input.bucket`/`input.key` (its `version_id`, `request_payer`,
    /// `traffic_limit` and conditions apply; `range` is refused) to the file `dest`.
    ///
    /// # Errors
    /// [`Error::ObjectChanged`] when the object changed during the download,
    /// [`Error::ChecksumMismatch`] when the data's CRC-64 differs from the object's,
    /// [`Error::Io`] when the file cannot be written, [`Error::Client`] when a request failed.
    pub async fn download_file(
        &self,
        input: GetObjectInput,
        dest: impl AsRef<Path>,
    ) -> Result<DownloadOutput, Error> {
        let dest = dest.as_ref();
        if input.range.is_some() {
            return Err(Error::invalid(
                "a managed download reads the whole object; use get_object for a range",
            ));
        }
        let object = self.head(&input).await?;
        let tracker = Tracker::new(self.progress.clone(), Some(object.size));
        tracker.start();
        let temp = Self::temp_path(dest);
        let checkpoint_path = self.checkpoint_path(&input.bucket, &input.key, dest);
        let mut checkpoint = DownloadCheckpoint {
            format: 1,
            bucket: input.bucket.clone(),
            key: input.key.clone(),
            version_id: input.version_id.clone(),
            destination: checkpoint::absolute(dest).to_string_lossy().into_owned(),
            size: object.size,
            etag: object.etag.clone().unwrap_or_default(),
            part_size: self.range_size,
            ranges: Vec::new(),
        };
        let mut resumed = Vec::new();
        if let Some(cp_path) = &checkpoint_path
            && let Some(cp) = checkpoint::load::<DownloadCheckpoint>(cp_path).await?
        {
            if let Some(reason) = cp.mismatch(&checkpoint) {
                return Err(Error::checkpoint(cp_path, reason));
            }
            let temp_len = tokio::fs::metadata(&temp).await.map(|m| m.len()).ok();
            if temp_len == Some(object.size) {
                resumed = cp.ranges;
            } else {
                tracing::warn!(temp = %temp.display(), "the checkpoint's temporary file is gone; starting over");
            }
        }
        checkpoint.ranges = resumed.clone();
        let mut guard = RemoveOnDrop {
            path: (checkpoint_path.is_none()).then(|| temp.clone()),
        };
        let result = self
            .fill(
                &input,
                &object,
                &temp,
                &mut checkpoint,
                checkpoint_path.as_deref(),
                &tracker,
            )
            .await;
        match result {
            Ok(()) => {}
            Err(e) => {
                // Data that failed its check, or an object that changed, cannot be resumed.
                let unusable = matches!(
                    e,
                    Error::ChecksumMismatch { .. } | Error::ObjectChanged { .. }
                ) || checkpoint_path.is_none();
                if unusable {
                    let _ = tokio::fs::remove_file(&temp).await;
                    if let Some(cp) = &checkpoint_path {
                        checkpoint::remove(cp).await;
                    }
                }
                guard.path = None;
                return Err(e);
            }
        }
        tokio::fs::rename(&temp, dest)
            .await
            .map_err(|e| Error::io(dest, e))?;
        guard.path = None;
        if let Some(cp) = &checkpoint_path {
            checkpoint::remove(cp).await;
        }
        Ok(DownloadOutput {
            size: object.size,
            etag: object.etag,
            crc64: object.crc64,
            resumed_ranges: resumed.len() as u64,
        })
    }

    async fn head(&self, input: &GetObjectInput) -> Result<ObjectState, Error> {
        let head = crate::object::head(&self.client, input).await?;
        Ok(ObjectState {
            size: head
                .content_length
                .and_then(|l| u64::try_from(l).ok())
                .unwrap_or(0),
            etag: head.etag,
            crc64: parts::parse_crc(head.hash_crc64ecma.as_ref()),
        })
    }

    /// Writes every range not yet done into `temp`, checks the combined CRC and syncs.
    async fn fill(
        &self,
        input: &GetObjectInput,
        object: &ObjectState,
        temp: &Path,
        checkpoint: &mut DownloadCheckpoint,
        checkpoint_path: Option<&Path>,
        tracker: &Arc<Tracker>,
    ) -> Result<(), Error> {
        let resuming = !checkpoint.ranges.is_empty();
        let file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(!resuming)
            .open(temp)
            .await
            .map_err(|e| Error::io(temp, e))?;
        file.set_len(object.size)
            .await
            .map_err(|e| Error::io(temp, e))?;
        drop(file);
        let count = if object.size == 0 {
            0
        } else {
            parts::count(object.size, self.range_size)
        };
        let mut crcs: Vec<Option<u64>> = vec![None; usize::try_from(count).unwrap_or(0)];
        for r in &checkpoint.ranges {
            if let Some(slot) = crcs.get_mut(usize::try_from(r.index).unwrap_or(usize::MAX)) {
                *slot = Some(r.crc64);
                let (s, e) = parts::range(r.index, object.size, self.range_size);
                tracker.add(e - s);
            }
        }
        let mut todo = (0..count)
            .filter(|i| crcs[*i as usize].is_none())
            .collect::<Vec<_>>()
            .into_iter();
        let mut tasks: JoinSet<Result<(u64, u64), Error>> = JoinSet::new();
        loop {
            while tasks.len() < self.parallelism {
                let Some(index) = todo.next() else { break };
                let (start, end) = parts::range(index, object.size, self.range_size);
                let ctx = RangeRead {
                    client: self.client.clone(),
                    input: input.clone(),
                    etag: object.etag.clone(),
                    temp: temp.to_path_buf(),
                    start,
                    end,
                    progress: tracker.part(end - start),
                };
                tasks.spawn(async move { ctx.run().await.map(|crc| (index, crc)) });
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            let (index, crc) =
                joined.map_err(|e| Error::invalid(format!("a download task failed: {e}")))??;
            crcs[index as usize] = Some(crc);
            if let Some(path) = checkpoint_path {
                checkpoint.ranges.push(DoneRange { index, crc64: crc });
                checkpoint::save(path, checkpoint).await?;
            }
        }
        let actual = parts::combine((0..count).map(|i| {
            let (s, e) = parts::range(i, object.size, self.range_size);
            (crcs[i as usize].unwrap_or(0), e - s)
        }));
        if let Some(expected) = object.crc64
            && expected != actual
        {
            return Err(Error::ChecksumMismatch {
                what: format!("download of {}/{}", input.bucket, input.key),
                expected,
                actual,
            });
        }
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .open(temp)
            .await
            .map_err(|e| Error::io(temp, e))?;
        file.sync_all().await.map_err(|e| Error::io(temp, e))?;
        Ok(())
    }
}

/// One range being read into the temporary file.
struct RangeRead {
    client: Client,
    input: GetObjectInput,
    etag: Option<String>,
    temp: PathBuf,
    start: u64,
    end: u64,
    progress: PartProgress,
}

impl RangeRead {
    /// Reads `[start, end)` into the file at the same offset; returns the range's CRC-64. A
    /// body that breaks off is resumed from the next byte (under the same ETag).
    async fn run(self) -> Result<u64, Error> {
        let mut file = tokio::fs::OpenOptions::new()
            .write(true)
            .open(&self.temp)
            .await
            .map_err(|e| Error::io(&self.temp, e))?;
        let mut crc = oss_proto::crc::Crc64::new();
        let mut pos = self.start;
        let mut fruitless = 0;
        while pos < self.end {
            let mut input = self.input.clone();
            input.range = Some(format!("bytes={pos}-{}", self.end - 1));
            input.range_behavior = Some("standard".into());
            if let Some(etag) = &self.etag {
                input.if_match = Some(etag.clone());
            }
            let before = pos;
            let got = self
                .client
                .call_streaming::<oss_proto::generated::GetObject>(input)
                .await;
            let (_, mut body) = match got {
                Ok(ok) => ok,
                Err(e) if e.code() == Some("PreconditionFailed") => {
                    return Err(changed(&self.input, &self.etag));
                }
                Err(e) => return Err(e.into()),
            };
            file.seek(io::SeekFrom::Start(pos))
                .await
                .map_err(|e| Error::io(&self.temp, e))?;
            let mut broke = None;
            while let Some(chunk) = body.next().await {
                match chunk {
                    Ok(data) => {
                        let room = usize::try_from(self.end - pos).unwrap_or(usize::MAX);
                        let data = if data.len() > room {
                            data.slice(..room)
                        } else {
                            data
                        };
                        file.write_all(&data)
                            .await
                            .map_err(|e| Error::io(&self.temp, e))?;
                        crc.update(&data);
                        pos += data.len() as u64;
                        self.progress.reached(pos - self.start);
                    }
                    Err(e) => {
                        broke = Some(e);
                        break;
                    }
                }
            }
            if pos >= self.end {
                break;
            }
            // The body ended (or broke) before the range did: resume from `pos`.
            if pos == before {
                fruitless += 1;
            } else {
                fruitless = 0;
            }
            if fruitless > RANGE_RESUMES {
                return Err(match broke {
                    Some(e) => e.into(),
                    None => Error::ObjectChanged {
                        object: format!("{}/{}", self.input.bucket, self.input.key),
                        reason: format!("range ended at byte {pos}, before {}", self.end),
                    },
                });
            }
            tracing::debug!(pos, end = self.end, error = ?broke, "resuming a range");
        }
        file.flush().await.map_err(|e| Error::io(&self.temp, e))?;
        Ok(crc.finish())
    }
}

fn changed(input: &GetObjectInput, etag: &Option<String>) -> Error {
    crate::object::changed(input, etag.as_deref())
}

/// Removes a file when dropped, unless disarmed: a dropped download leaves no temporary file.
struct RemoveOnDrop {
    path: Option<PathBuf>,
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}
