//! The copier: CopyObject below a threshold, UploadPartCopy above it (resumable with a
//! checkpoint), or one shallow CopyObject within a bucket.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use oss_client::Client;
use oss_model::{CopyObjectInput, MetadataDirective, TaggingDirective};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use tokio::task::JoinSet;

use crate::checkpoint::{self, CopyCheckpoint, DonePart, ObjectIdentity};
use crate::error::Error;
use crate::parts::{self, AbortOnDrop};
use crate::progress::{ProgressFn, Tracker};

/// The default threshold from which a copy is multipart: 200 MiB.
pub const DEFAULT_COPY_THRESHOLD: u64 = 200 * 1024 * 1024;
/// The default part size of a multipart copy: 64 MiB.
pub const DEFAULT_COPY_PART_SIZE: u64 = 64 * 1024 * 1024;
/// How long a shallow copy (one CopyObject above the threshold) may take before the copier
/// gives it up for a multipart copy: 30 s, as the official Go SDK v2's copier.
pub const DEFAULT_SHALLOW_COPY_TIMEOUT: Duration = Duration::from_secs(30);

/// What a tag key or value may keep unencoded in the `x-oss-tagging` query string.
const KEEP_QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Copies objects within OSS.
///
/// Below the threshold a copy is one CopyObject; from it up it is a multipart upload of
/// UploadPartCopy parts, `parallelism` at a time. A large copy within one bucket that keeps
/// the storage class, from a source without server-side encryption, is first tried as one
/// CopyObject (a *shallow copy*: OSS shares the data instead of rewriting it); the copier falls
/// back to the multipart copy when that CopyObject is refused as too large or takes longer than
/// [`Copier::shallow_copy_timeout`], and [`Copier::shallow_copy`] turns it off. Every copy is conditional on the source's
/// ETag as found when the copy started, so a source overwritten midway fails the copy. The
/// metadata and tags are copied from the source or replaced, as the input's
/// `metadata_directive` / `tagging_directive` ask (copied by default, as CopyObject does;
/// a multipart copy reads them from the source). The destination's CRC-64 is compared with the
/// source's. With a [`checkpoint_dir`](Copier::checkpoint_dir) a multipart copy is resumable:
/// a copy stopped midway (its future dropped, its process killed) and started again copies
/// only the parts OSS does not hold yet.
///
/// ```
/// use oss_client::{Client, Config, credentials::StaticProvider};
/// use oss_transfer::Copier;
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// # let emulator = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
/// # let client = Client::new(Config::builder().region("cn-hangzhou").endpoint(emulator.endpoint())
/// #     .credentials(StaticProvider::from_keys("ak", "sk")).build().unwrap());
/// # client.put_bucket().bucket("examplebucket").send().await.unwrap();
/// client.put_object().bucket("examplebucket").key("src").body(vec![1u8; 300_000]).send().await?;
/// let input = oss_model::CopyObjectInput::builder()
///     .bucket("examplebucket")
///     .key("dst")
///     .copy_source(oss_model::CopySource::new("examplebucket", "src"))
///     .build()
///     .unwrap();
/// // Multipart from 200 KiB, in parts of 100 KiB (not as one shallow CopyObject).
/// let copier = Copier::new(client).threshold(200 * 1024).part_size(100 * 1024).shallow_copy(false);
/// let out = copier.copy(input).await.unwrap();
/// assert_eq!((out.size, out.parts), (300_000, 3));
/// # Ok::<(), oss_client::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct Copier {
    client: Client,
    threshold: u64,
    part_size: u64,
    parallelism: usize,
    leave_parts_on_error: bool,
    /// `None`: shallow copies off.
    shallow_copy_timeout: Option<Duration>,
    checkpoint_dir: Option<PathBuf>,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for Copier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Copier")
            .field("threshold", &self.threshold)
            .field("part_size", &self.part_size)
            .field("parallelism", &self.parallelism)
            .field("shallow_copy_timeout", &self.shallow_copy_timeout)
            .field("leave_parts_on_error", &self.leave_parts_on_error)
            .field("checkpoint_dir", &self.checkpoint_dir)
            .finish_non_exhaustive()
    }
}

/// What a copy produced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CopyOutput {
    /// The destination's ETag.
    pub etag: Option<String>,
    /// The destination version created (versioned buckets).
    pub version_id: Option<String>,
    /// The destination's CRC-64 (equal to the source's: it was checked).
    pub crc64: Option<u64>,
    /// Bytes copied.
    pub size: u64,
    /// Parts of a multipart copy (0 for CopyObject).
    pub parts: u32,
    /// Parts found already copied when resuming from a checkpoint (not copied again).
    pub resumed_parts: u32,
}

impl Copier {
    /// A copier with the defaults: multipart from 200 MiB, 64 MiB parts, 3 in flight.
    pub fn new(client: Client) -> Self {
        Copier {
            client,
            threshold: DEFAULT_COPY_THRESHOLD,
            part_size: DEFAULT_COPY_PART_SIZE,
            parallelism: crate::upload::DEFAULT_PARALLELISM,
            leave_parts_on_error: false,
            shallow_copy_timeout: Some(DEFAULT_SHALLOW_COPY_TIMEOUT),
            checkpoint_dir: None,
            progress: None,
        }
    }

    /// Whether a large copy within one bucket is first tried as one CopyObject (on by default).
    #[must_use]
    pub fn shallow_copy(mut self, enabled: bool) -> Self {
        self.shallow_copy_timeout = enabled.then_some(
            self.shallow_copy_timeout
                .unwrap_or(DEFAULT_SHALLOW_COPY_TIMEOUT),
        );
        self
    }

    /// How long a shallow copy may take before the copier cancels it and copies by parts
    /// (default [`DEFAULT_SHALLOW_COPY_TIMEOUT`]); turns shallow copies on.
    #[must_use]
    pub fn shallow_copy_timeout(mut self, timeout: Duration) -> Self {
        self.shallow_copy_timeout = Some(timeout);
        self
    }

    /// The size from which a copy is multipart.
    #[must_use]
    pub fn threshold(mut self, bytes: u64) -> Self {
        self.threshold = bytes;
        self
    }

    /// The part size of a multipart copy (at least 100 KiB; grown to fit 10,000 parts).
    #[must_use]
    pub fn part_size(mut self, bytes: u64) -> Self {
        self.part_size = bytes.clamp(parts::MIN_PART_SIZE, parts::MAX_PART_SIZE);
        self
    }

    /// Parts in flight at once (at least 1).
    #[must_use]
    pub fn parallelism(mut self, n: usize) -> Self {
        self.parallelism = n.max(1);
        self
    }

    /// Keeps the copied parts when a multipart copy fails instead of aborting it.
    #[must_use]
    pub fn leave_parts_on_error(mut self, keep: bool) -> Self {
        self.leave_parts_on_error = keep;
        self
    }

    /// Makes multipart copies resumable: a checkpoint in `dir` (created if missing; the path
    /// is used as given) records the copy after every part: the source (bucket, key, version,
    /// ETag, size, modification time), the destination, the part size, the upload id and the
    /// parts done. Copying the same source to the same destination again resumes it: the parts
    /// ListParts shows with the right size (and the recorded ETag, for a part the checkpoint
    /// records) are not copied again. A checkpoint whose source changed (its ETag, size or
    /// modification time) or whose part size differs is refused with [`Error::Checkpoint`];
    /// remove it to start over. Parts are kept on failure, but for a source that changed
    /// midway ([`Error::ObjectChanged`]): that copy cannot be resumed, so its parts and
    /// checkpoint are removed.
    #[must_use]
    pub fn checkpoint_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.checkpoint_dir = Some(dir.into());
        self
    }

    /// The checkpoint file a multipart copy of `source` to `bucket/key` uses (whether or not
    /// it exists), when a checkpoint directory is set.
    pub fn checkpoint_path(
        &self,
        source: &oss_model::CopySource,
        bucket: &str,
        key: &str,
    ) -> Option<PathBuf> {
        let dir = self.checkpoint_dir.as_ref()?;
        Some(checkpoint::file_in(
            dir,
            "copy",
            &[
                source.bucket(),
                source.key(),
                source.version().unwrap_or(""),
                bucket,
                key,
            ],
        ))
    }

    /// Reports progress (bytes copied) to `callback`.
    #[must_use]
    pub fn progress(mut self, callback: ProgressFn) -> Self {
        self.progress = Some(callback);
        self
    }

    /// Copies `input.copy_source` (an [`oss_model::CopySource`]) to `input.bucket`/`input.key`.
    ///
    /// # Errors
    /// [`Error::ObjectChanged`] when the source changed during the copy,
    /// [`Error::Checkpoint`] for a checkpoint that does not match (the source changed since),
    /// [`Error::ChecksumMismatch`] when the destination's CRC-64 differs from the source's,
    /// [`Error::Client`] when a request failed.
    pub async fn copy(&self, input: CopyObjectInput) -> Result<CopyOutput, Error> {
        let src_bucket = input.copy_source.bucket().to_owned();
        let src_key = input.copy_source.key().to_owned();
        let src_version = input.copy_source.version().map(str::to_owned);
        let mut head = self.client.head_object().bucket(&src_bucket).key(&src_key);
        if let Some(v) = &src_version {
            head = head.version_id(v);
        }
        if let Some(p) = &input.request_payer {
            head = head.request_payer(p);
        }
        let source = head.send().await?;
        let size = source
            .content_length
            .and_then(|l| u64::try_from(l).ok())
            .unwrap_or(0);
        let src_crc = parts::parse_crc(source.hash_crc64ecma.as_ref());
        let tracker = Tracker::new(self.progress.clone(), Some(size));
        tracker.start();
        // A multipart copy left by an earlier run is resumed, not replaced by a shallow copy.
        let resumable = self
            .checkpoint_path(&input.copy_source, &input.bucket, &input.key)
            .is_some_and(|p| p.exists());
        let shallow = self.shallow_copy_timeout.filter(|_| {
            size >= self.threshold && !resumable && shallow_copyable(&input, &src_bucket, &source)
        });
        let shallow_out = match shallow {
            Some(timeout) => {
                match tokio::time::timeout(timeout, self.copy_object(input.clone(), &source)).await
                {
                    Ok(Ok(out)) => Some(out),
                    // Too large for one CopyObject here: copy by parts.
                    Ok(Err(e)) if e.code() == Some("EntityTooLarge") => None,
                    Ok(Err(e)) => return Err(e),
                    // Slow (the service is rewriting the data): copy by parts.
                    Err(_elapsed) => None,
                }
            }
            None => None,
        };
        let out = if let Some(out) = shallow_out {
            out
        } else if size < self.threshold {
            self.copy_object(input, &source).await?
        } else {
            self.copy_multipart(
                input,
                (&src_bucket, &src_key, src_version.as_deref()),
                &source,
                size,
                &tracker,
            )
            .await?
        };
        if let (Some(expected), Some(actual)) = (src_crc, out.crc64)
            && expected != actual
        {
            return Err(Error::ChecksumMismatch {
                what: format!("copy of {src_bucket}/{src_key}"),
                expected,
                actual,
            });
        }
        tracker.add(size);
        Ok(CopyOutput { size, ..out })
    }

    async fn copy_object(
        &self,
        mut input: CopyObjectInput,
        source: &oss_model::HeadObjectOutput,
    ) -> Result<CopyOutput, Error> {
        if input.copy_source_if_match.is_none() {
            input.copy_source_if_match = source.etag.clone();
        }
        let out = self
            .client
            .call::<oss_proto::generated::CopyObject>(input.clone())
            .await
            .map_err(|e| source_changed(e, &input.copy_source.to_string()))?;
        Ok(CopyOutput {
            etag: out.etag,
            version_id: out.version_id,
            crc64: parts::parse_crc(out.hash_crc64ecma.as_ref()),
            size: 0,
            parts: 0,
            resumed_parts: 0,
        })
    }

    async fn copy_multipart(
        &self,
        input: CopyObjectInput,
        (src_bucket, src_key, src_version): (&str, &str, Option<&str>),
        source: &oss_model::HeadObjectOutput,
        size: u64,
        tracker: &Arc<Tracker>,
    ) -> Result<CopyOutput, Error> {
        let part_size = parts::part_size_for(size, self.part_size)?;
        let identity = ObjectIdentity {
            bucket: src_bucket.to_owned(),
            key: src_key.to_owned(),
            version_id: src_version.map(str::to_owned),
            etag: source.etag.clone().unwrap_or_default(),
            size,
            last_modified: source
                .last_modified
                .map(time::OffsetDateTime::unix_timestamp),
        };
        let checkpoint_path = self.checkpoint_path(&input.copy_source, &input.bucket, &input.key);
        let mut resumed = BTreeMap::new();
        let mut checkpoint = None;
        if let Some(cp_path) = &checkpoint_path
            && let Some(cp) = checkpoint::load::<CopyCheckpoint>(cp_path).await?
        {
            if let Some(reason) = cp.mismatch(&identity, &input.bucket, &input.key, part_size) {
                return Err(Error::checkpoint(cp_path, reason));
            }
            match self.listed_parts(&cp, size).await? {
                Some(done) => {
                    resumed = done;
                    checkpoint = Some(cp);
                }
                None => tracing::warn!(
                    upload_id = cp.upload_id,
                    "the checkpoint's multipart copy no longer exists; starting over"
                ),
            }
        }
        let mut checkpoint = match checkpoint {
            Some(cp) => cp,
            None => {
                let upload_id = self
                    .initiate(&input, (src_bucket, src_key, src_version), source)
                    .await?;
                CopyCheckpoint::new(identity, &input.bucket, &input.key, part_size, upload_id)
            }
        };
        checkpoint.parts = resumed.values().cloned().collect();
        let upload_id = checkpoint.upload_id.clone();
        let keep_parts = self.leave_parts_on_error || checkpoint_path.is_some();
        let mut guard = AbortOnDrop {
            target: (!keep_parts).then(|| {
                (
                    self.client.clone(),
                    input.bucket.clone(),
                    input.key.clone(),
                    upload_id.clone(),
                )
            }),
        };
        if let Some(cp_path) = &checkpoint_path {
            checkpoint::save(cp_path, &checkpoint).await?;
        }
        tracker.add(resumed.values().map(|p| p.size).sum());
        let result = self
            .copy_parts(
                &input,
                source,
                size,
                &mut checkpoint,
                checkpoint_path.as_deref(),
                tracker,
            )
            .await;
        let result = match result {
            Ok(()) => {
                let done: Vec<(u32, String)> = checkpoint
                    .parts
                    .iter()
                    .map(|p| (p.number, p.etag.clone()))
                    .collect();
                let count = done.len();
                let mut req = self
                    .client
                    .complete_multipart_upload()
                    .bucket(&input.bucket)
                    .key(&input.key)
                    .upload_id(&upload_id)
                    .parts(parts::completion(done));
                if let Some(v) = input.forbid_overwrite {
                    req = req.forbid_overwrite(v);
                }
                if let Some(v) = input.object_acl.clone() {
                    req = req.object_acl(v);
                }
                if let Some(v) = input.request_payer.clone() {
                    req = req.request_payer(v);
                }
                req.send().await.map_err(Error::from).map(|out| CopyOutput {
                    etag: out.etag,
                    version_id: out.version_id,
                    crc64: parts::parse_crc(out.hash_crc64ecma.as_ref()),
                    size,
                    parts: u32::try_from(count).unwrap_or(u32::MAX),
                    resumed_parts: u32::try_from(resumed.len()).unwrap_or(u32::MAX),
                })
            }
            Err(e) => Err(e),
        };
        guard.disarm();
        match &result {
            Ok(_) => {
                if let Some(cp_path) = &checkpoint_path {
                    checkpoint::remove(cp_path).await;
                }
            }
            Err(e) => {
                // A source that changed midway cannot be resumed: the parts are of its old
                // content. The checkpoint and the parts go.
                let hopeless = matches!(e, Error::ObjectChanged { .. });
                if hopeless && let Some(cp_path) = &checkpoint_path {
                    checkpoint::remove(cp_path).await;
                }
                if !keep_parts || hopeless {
                    parts::abort(&self.client, &input.bucket, &input.key, &upload_id).await;
                }
            }
        }
        result
    }

    /// Starts the multipart upload of a copy, with the source's metadata and tags or the
    /// input's, as its directives ask.
    async fn initiate(
        &self,
        input: &CopyObjectInput,
        (src_bucket, src_key, src_version): (&str, &str, Option<&str>),
        source: &oss_model::HeadObjectOutput,
    ) -> Result<String, Error> {
        let replace_meta = matches!(input.metadata_directive, Some(MetadataDirective::Replace));
        let replace_tags = matches!(input.tagging_directive, Some(TaggingDirective::Replace));
        let mut init = self
            .client
            .initiate_multipart_upload()
            .bucket(&input.bucket)
            .key(&input.key);
        if replace_meta {
            init = init.metadata(input.metadata.clone());
            macro_rules! from_input {
                ($($f:ident),*) => { $(if let Some(v) = input.$f.clone() { init = init.$f(v); })* };
            }
            from_input!(
                cache_control,
                content_disposition,
                content_encoding,
                content_type,
                expires
            );
        } else {
            init = init.metadata(source.metadata.clone());
            macro_rules! from_source {
                ($($f:ident),*) => { $(if let Some(v) = source.$f.clone() { init = init.$f(v); })* };
            }
            from_source!(
                cache_control,
                content_disposition,
                content_encoding,
                content_type,
                expires
            );
        }
        macro_rules! from_input {
            ($($f:ident),*) => { $(if let Some(v) = input.$f.clone() { init = init.$f(v); })* };
        }
        from_input!(
            forbid_overwrite,
            server_side_encryption,
            server_side_data_encryption,
            server_side_encryption_key_id,
            storage_class,
            request_payer
        );
        let tagging = if replace_tags {
            input.tagging.clone()
        } else {
            let mut req = self
                .client
                .get_object_tagging()
                .bucket(src_bucket)
                .key(src_key);
            if let Some(v) = src_version {
                req = req.version_id(v);
            }
            let tags = req.send().await?.tag_set.tags;
            (!tags.is_empty()).then(|| {
                tags.iter()
                    .map(|t| {
                        format!(
                            "{}={}",
                            utf8_percent_encode(&t.key, KEEP_QUERY),
                            utf8_percent_encode(t.value.as_deref().unwrap_or(""), KEEP_QUERY)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("&")
            })
        };
        if let Some(t) = tagging {
            init = init.tagging(t);
        }
        Ok(init.send().await?.upload_id)
    }

    /// The parts of the checkpoint's upload that ListParts shows with the size their range
    /// has (and, for a part the checkpoint records, the recorded ETag), or `None` when the
    /// upload no longer exists. The copy's final CRC-64 check covers the parts' content.
    async fn listed_parts(
        &self,
        cp: &CopyCheckpoint,
        size: u64,
    ) -> Result<Option<BTreeMap<u32, DonePart>>, Error> {
        let recorded: BTreeMap<u32, &DonePart> = cp.parts.iter().map(|p| (p.number, p)).collect();
        let Some(listed) =
            parts::list_all(&self.client, &cp.bucket, &cp.key, &cp.upload_id).await?
        else {
            return Ok(None);
        };
        let count = parts::count(size, cp.part_size);
        let mut done = BTreeMap::new();
        for part in listed {
            if u64::from(part.number) > count {
                continue;
            }
            let (start, end) = parts::range(u64::from(part.number) - 1, size, cp.part_size);
            let expected = end.saturating_sub(start);
            if part.size != expected || expected == 0 {
                continue;
            }
            if recorded
                .get(&part.number)
                .is_some_and(|r| r.etag != part.etag)
            {
                continue;
            }
            done.insert(
                part.number,
                DonePart {
                    number: part.number,
                    etag: part.etag,
                    size: expected,
                    crc64: part.crc64,
                },
            );
        }
        Ok(Some(done))
    }

    /// Copies every part not yet in `checkpoint`, `parallelism` at a time, recording each in
    /// it (and saving it, when it has a file) as it completes.
    async fn copy_parts(
        &self,
        input: &CopyObjectInput,
        source: &oss_model::HeadObjectOutput,
        size: u64,
        checkpoint: &mut CopyCheckpoint,
        checkpoint_path: Option<&Path>,
        tracker: &Arc<Tracker>,
    ) -> Result<(), Error> {
        let part_size = checkpoint.part_size;
        let count = parts::count(size, part_size);
        let done: std::collections::BTreeSet<u32> =
            checkpoint.parts.iter().map(|p| p.number).collect();
        let mut todo =
            (0..count).filter(|i| u32::try_from(i + 1).is_ok_and(|n| !done.contains(&n)));
        let upload_id = checkpoint.upload_id.clone();
        let mut tasks: JoinSet<Result<DonePart, Error>> = JoinSet::new();
        loop {
            while tasks.len() < self.parallelism {
                let Some(index) = todo.next() else { break };
                let (start, end) = parts::range(index, size, part_size);
                let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
                let mut req = self
                    .client
                    .upload_part_copy()
                    .bucket(&input.bucket)
                    .key(&input.key)
                    .upload_id(&upload_id)
                    .part_number(i64::from(number))
                    .copy_source(input.copy_source.clone())
                    .copy_source_range(format!("bytes={start}-{}", end - 1));
                if let Some(etag) = input.copy_source_if_match.clone().or(source.etag.clone()) {
                    req = req.copy_source_if_match(etag);
                }
                if let Some(v) = input.traffic_limit {
                    req = req.traffic_limit(v);
                }
                if let Some(v) = input.request_payer.clone() {
                    req = req.request_payer(v);
                }
                let progress = tracker.part(end - start);
                let copy_source = input.copy_source.to_string();
                tasks.spawn(async move {
                    let out = req
                        .send()
                        .await
                        .map_err(|e| source_changed(e, &copy_source))?;
                    progress.finish();
                    let etag = out.etag.ok_or_else(|| {
                        Error::invalid(format!("UploadPartCopy of part {number} returned no ETag"))
                    })?;
                    Ok(DonePart {
                        number,
                        etag,
                        size: end - start,
                        crc64: None,
                    })
                });
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            let part = joined.map_err(|e| Error::invalid(format!("a copy task failed: {e}")))??;
            checkpoint.parts.push(part);
            if let Some(path) = checkpoint_path {
                checkpoint::save(path, checkpoint).await?;
            }
        }
        Ok(())
    }
}

/// A shallow copy is possible within one bucket, keeping the storage class, from a source
/// that is not encrypted at rest (as the official SDKs decide).
fn shallow_copyable(
    input: &CopyObjectInput,
    src_bucket: &str,
    source: &oss_model::HeadObjectOutput,
) -> bool {
    input.bucket == src_bucket
        && input.storage_class.is_none()
        && source.server_side_encryption.is_none()
}

fn source_changed(e: oss_client::Error, source: &str) -> Error {
    if e.code() == Some("PreconditionFailed") {
        Error::ObjectChanged {
            object: source.to_owned(),
            reason: "the copy source no longer has the ETag the copy started with".into(),
        }
    } else {
        e.into()
    }
}
