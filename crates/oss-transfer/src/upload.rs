//! The uploader: a file, an `AsyncRead` or a stream to an object, in one PutObject or a
//! concurrent multipart upload.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use oss_client::{Body, Client};
use oss_model::PutObjectInput;
use tokio::io::{AsyncRead, AsyncReadExt as _};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::checkpoint::{self, DonePart, FileIdentity, UploadCheckpoint};
use crate::error::Error;
use crate::parts::{self, AbortOnDrop};
use crate::progress::{PartProgress, ProgressFn, Tracker};

/// The default part size: 6 MiB.
pub const DEFAULT_PART_SIZE: u64 = 6 * 1024 * 1024;
/// The default number of parts in flight: 3.
pub const DEFAULT_PARALLELISM: usize = 3;

/// Uploads files, readers and streams to objects.
///
/// Below the part size an upload is one PutObject; from the part size up it is a multipart
/// upload with `parallelism` parts in flight, the part size growing so that no upload needs
/// more than 10,000 parts. Every option of the [`PutObjectInput`] passes through (metadata,
/// content type, ACL, storage class, server-side encryption, tagging, forbid-overwrite,
/// callback, traffic limit, request payer) to PutObject or to InitiateMultipartUpload /
/// UploadPart / CompleteMultipartUpload. The CRC-64 combined from the parts is compared with
/// the completed object's. On failure (and when the future is dropped) the multipart upload is
/// aborted, unless [`leave_parts_on_error`](Uploader::leave_parts_on_error) or a
/// [`checkpoint_dir`](Uploader::checkpoint_dir) keeps it for a resume.
///
/// Cheap to clone; each setter returns a new configuration.
///
/// ```
/// use oss_client::{Client, Config, credentials::StaticProvider};
/// use oss_transfer::Uploader;
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// # let emulator = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
/// # let client = Client::new(Config::builder().region("cn-hangzhou").endpoint(emulator.endpoint())
/// #     .credentials(StaticProvider::from_keys("ak", "sk")).build().unwrap());
/// # client.put_bucket().bucket("examplebucket").send().await.unwrap();
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("data.bin");
/// std::fs::write(&path, vec![7u8; 300 * 1024]).unwrap();
///
/// let uploader = Uploader::new(client.clone()).part_size(100 * 1024).parallelism(4);
/// let input = oss_model::PutObjectInput::builder()
///     .bucket("examplebucket")
///     .key("data.bin")
///     .content_type("application/octet-stream")
///     .build()
///     .unwrap();
/// let out = uploader.upload_file(input, &path).await?;
/// assert_eq!(out.size, 300 * 1024);
/// assert_eq!(out.parts, 3);
/// # Ok::<(), oss_transfer::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct Uploader {
    client: Client,
    part_size: u64,
    parallelism: usize,
    leave_parts_on_error: bool,
    checkpoint_dir: Option<PathBuf>,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for Uploader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Uploader")
            .field("part_size", &self.part_size)
            .field("parallelism", &self.parallelism)
            .field("leave_parts_on_error", &self.leave_parts_on_error)
            .field("checkpoint_dir", &self.checkpoint_dir)
            .finish_non_exhaustive()
    }
}

/// What an upload produced.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadOutput {
    /// The object's ETag.
    pub etag: Option<String>,
    /// The version created (versioned buckets).
    pub version_id: Option<String>,
    /// The object's CRC-64 as OSS reported it (equal to the data's: it was checked).
    pub crc64: Option<u64>,
    /// Bytes uploaded (the object's size).
    pub size: u64,
    /// The multipart upload's id; `None` for a single PutObject.
    pub upload_id: Option<String>,
    /// Parts of the multipart upload (0 for a single PutObject).
    pub parts: u32,
    /// Parts found already uploaded when resuming from a checkpoint (not sent again).
    pub resumed_parts: u32,
}

/// Where the parts' data comes from.
enum Source {
    File { path: PathBuf },
    Reader(Box<dyn AsyncRead + Send + Unpin>),
}

impl Uploader {
    /// An uploader with the defaults: 6 MiB parts, 3 in flight, parts aborted on failure, no
    /// checkpoints, no progress callback.
    pub fn new(client: Client) -> Self {
        Uploader {
            client,
            part_size: DEFAULT_PART_SIZE,
            parallelism: DEFAULT_PARALLELISM,
            leave_parts_on_error: false,
            checkpoint_dir: None,
            progress: None,
        }
    }

    /// The part size, and the threshold from which an upload is multipart. At least
    /// [`MIN_PART_SIZE`](crate::MIN_PART_SIZE) (smaller values are raised to it); it grows for
    /// large files so no upload has more than 10,000 parts.
    #[must_use]
    pub fn part_size(mut self, bytes: u64) -> Self {
        self.part_size = bytes.clamp(parts::MIN_PART_SIZE, parts::MAX_PART_SIZE);
        self
    }

    /// Parts in flight at once (at least 1). A stream of unknown length holds at most
    /// `parallelism + 1` parts in memory.
    #[must_use]
    pub fn parallelism(mut self, n: usize) -> Self {
        self.parallelism = n.max(1);
        self
    }

    /// Keeps the uploaded parts when an upload fails (for the caller to resume or abort),
    /// instead of aborting the multipart upload.
    #[must_use]
    pub fn leave_parts_on_error(mut self, keep: bool) -> Self {
        self.leave_parts_on_error = keep;
        self
    }

    /// Makes file uploads resumable: a checkpoint in `dir` (created if missing; the path is
    /// used as given) records the upload after every part. Uploading the same file to the
    /// same object again resumes it: the parts ListParts shows (and whose size and CRC-64
    /// match the file) are not sent again. A checkpoint whose file changed (size or
    /// modification time) or whose part size differs is refused with
    /// [`Error::Checkpoint`]; remove it to start over. Parts are kept on failure.
    #[must_use]
    pub fn checkpoint_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.checkpoint_dir = Some(dir.into());
        self
    }

    /// Reports progress to `callback` (see [`Progress`](crate::Progress)).
    #[must_use]
    pub fn progress(mut self, callback: ProgressFn) -> Self {
        self.progress = Some(callback);
        self
    }

    /// The checkpoint file an upload of `path` to `bucket/key` uses (whether or not it
    /// exists), when a checkpoint directory is set.
    pub fn checkpoint_path(&self, bucket: &str, key: &str, path: &Path) -> Option<PathBuf> {
        let dir = self.checkpoint_dir.as_ref()?;
        let source = checkpoint::absolute(path);
        Some(checkpoint::file_in(
            dir,
            "upload",
            &[bucket, key, &source.to_string_lossy()],
        ))
    }

    /// Uploads the file at `path` to `input.bucket`/`input.key` with `input`'s options.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::SourceChanged`] when it changed
    /// during the upload, [`Error::Checkpoint`] for a checkpoint that does not match,
    /// [`Error::ChecksumMismatch`] when the completed object's CRC-64 differs from the data's,
    /// [`Error::Client`] when a request failed.
    pub async fn upload_file(
        &self,
        input: PutObjectInput,
        path: impl AsRef<Path>,
    ) -> Result<UploadOutput, Error> {
        let path = path.as_ref();
        let meta = tokio::fs::metadata(path)
            .await
            .map_err(|e| Error::io(path, e))?;
        if !meta.is_file() {
            return Err(Error::io(
                path,
                io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"),
            ));
        }
        let identity = FileIdentity::of(path, &meta);
        let size = meta.len();
        let part_size = parts::part_size_for(size, self.part_size)?;
        let tracker = Tracker::new(self.progress.clone(), Some(size));
        tracker.start();
        let out = if size < part_size {
            let part = tracker.part(size);
            let body = Body::from_file_range(path, 0, size).on_send_progress(part.observer());
            let out = self.put(input, body).await?;
            part.finish();
            Ok(out_of_put(out, size))
        } else {
            self.multipart(
                input,
                Source::File {
                    path: path.to_path_buf(),
                },
                Some(size),
                part_size,
                Some(identity.clone()),
                &tracker,
            )
            .await
        }?;
        let after = tokio::fs::metadata(path)
            .await
            .map_err(|e| Error::io(path, e))?;
        if let Some(reason) = FileIdentity::of(path, &after).difference(&identity) {
            return Err(Error::SourceChanged {
                source_name: path.display().to_string(),
                reason,
            });
        }
        Ok(out)
    }

    /// Uploads what `reader` yields. Give `size` when known: it sets the part size (and the
    /// progress total) and is checked against what the reader yields. Without it, parts of
    /// the configured size are read one by one (at most `parallelism + 1` in memory) and the
    /// upload is limited to 10,000 of them.
    ///
    /// # Errors
    /// As [`upload_file`](Uploader::upload_file); [`Error::SourceChanged`] when the reader
    /// yields a different length than `size`.
    pub async fn upload_reader<R>(
        &self,
        input: PutObjectInput,
        reader: R,
        size: Option<u64>,
    ) -> Result<UploadOutput, Error>
    where
        R: AsyncRead + Send + Unpin + 'static,
    {
        let part_size = match size {
            Some(s) => parts::part_size_for(s, self.part_size)?,
            None => self.part_size,
        };
        let tracker = Tracker::new(self.progress.clone(), size);
        tracker.start();
        self.multipart(
            input,
            Source::Reader(Box::new(reader)),
            size,
            part_size,
            None,
            &tracker,
        )
        .await
    }

    /// Uploads a stream of chunks (see [`upload_reader`](Uploader::upload_reader)).
    ///
    /// ```
    /// # use oss_client::{Client, Config, credentials::StaticProvider};
    /// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
    /// # let emulator = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
    /// # let client = Client::new(Config::builder().region("cn-hangzhou").endpoint(emulator.endpoint())
    /// #     .credentials(StaticProvider::from_keys("ak", "sk")).build().unwrap());
    /// # client.put_bucket().bucket("examplebucket").send().await.unwrap();
    /// let chunks = (0..4).map(|_| Ok(bytes::Bytes::from(vec![1u8; 64 * 1024])));
    /// let input = oss_model::PutObjectInput::builder().bucket("examplebucket").key("s").build().unwrap();
    /// let out = oss_transfer::Uploader::new(client)
    ///     .part_size(100 * 1024)
    ///     .upload_stream(input, futures_util::stream::iter(chunks), None)
    ///     .await?;
    /// assert_eq!((out.size, out.parts), (256 * 1024, 3));
    /// # Ok::<(), oss_transfer::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn upload_stream<S>(
        &self,
        input: PutObjectInput,
        stream: S,
        size: Option<u64>,
    ) -> Result<UploadOutput, Error>
    where
        S: Stream<Item = io::Result<Bytes>> + Send + 'static,
    {
        let reader = tokio_util::io::StreamReader::new(Box::pin(stream));
        self.upload_reader(input, reader, size).await
    }

    async fn put(
        &self,
        mut input: PutObjectInput,
        body: Body,
    ) -> Result<oss_model::PutObjectOutput, Error> {
        input.content_length = body.content_length().and_then(|l| i64::try_from(l).ok());
        Ok(self
            .client
            .call_with_body::<oss_proto::generated::PutObject>(input, body)
            .await?)
    }

    /// The multipart path (a reader whose first part turns out short becomes one PutObject).
    async fn multipart(
        &self,
        input: PutObjectInput,
        mut source: Source,
        size: Option<u64>,
        part_size: u64,
        identity: Option<FileIdentity>,
        tracker: &Arc<Tracker>,
    ) -> Result<UploadOutput, Error> {
        // A reader is read one part ahead: a first part shorter than the part size is the
        // whole data, sent with PutObject.
        let mut first = None;
        if let Source::Reader(reader) = &mut source {
            let data = read_part(reader, part_size).await?;
            if (data.len() as u64) < part_size {
                check_length(size, data.len() as u64)?;
                let len = data.len() as u64;
                let part = tracker.part(len);
                let out = self
                    .put(input, Body::from(data).on_send_progress(part.observer()))
                    .await?;
                part.finish();
                tracker.set_total(len);
                return Ok(out_of_put(out, len));
            }
            first = Some(data);
        }

        let bucket = input.bucket.clone();
        let key = input.key.clone();
        let checkpoint_path = match (&source, &identity) {
            (Source::File { path }, Some(_)) => self.checkpoint_path(&bucket, &key, path),
            _ => None,
        };
        let mut resumed = BTreeMap::new();
        let mut checkpoint = None;
        if let (Some(cp_path), Some(identity)) = (&checkpoint_path, &identity)
            && let Some(cp) = checkpoint::load::<UploadCheckpoint>(cp_path).await?
        {
            if let Some(reason) = cp.mismatch(&bucket, &key, identity, part_size) {
                return Err(Error::checkpoint(cp_path, reason));
            }
            let path = match &source {
                Source::File { path } => Some(path.clone()),
                Source::Reader(_) => None,
            };
            match self
                .listed_parts(&cp, path.as_deref(), size.unwrap_or(0))
                .await
            {
                Ok(Some(done)) => {
                    resumed = done;
                    checkpoint = Some(cp);
                }
                Ok(None) => {
                    tracing::warn!(
                        upload_id = cp.upload_id,
                        "the checkpoint's upload no longer exists; starting over"
                    );
                }
                Err(e) => return Err(e),
            }
        }
        let mut checkpoint = match checkpoint {
            Some(cp) => cp,
            None => {
                let upload_id = self.initiate(&input).await?;
                UploadCheckpoint::new(
                    &bucket,
                    &key,
                    identity.clone().unwrap_or(FileIdentity {
                        path: String::new(),
                        size: 0,
                        mtime_ns: 0,
                    }),
                    part_size,
                    upload_id,
                )
            }
        };
        checkpoint.parts = resumed.values().cloned().collect();
        let upload_id = checkpoint.upload_id.clone();
        let keep_parts = self.leave_parts_on_error || checkpoint_path.is_some();
        let mut guard = AbortOnDrop {
            target: (!keep_parts).then(|| {
                (
                    self.client.clone(),
                    bucket.clone(),
                    key.clone(),
                    upload_id.clone(),
                )
            }),
        };
        if let Some(cp_path) = &checkpoint_path {
            checkpoint::save(cp_path, &checkpoint).await?;
        }
        tracker.add(resumed.values().map(|p| p.size).sum());

        let result = self
            .send_parts(
                &input,
                &upload_id,
                &mut source,
                first,
                size,
                part_size,
                &mut checkpoint,
                checkpoint_path.as_deref(),
                tracker,
            )
            .await;
        let result = match result {
            Ok(total) => self
                .complete(&input, &upload_id, &checkpoint, total)
                .await
                .map(|out| (out, total)),
            Err(e) => Err(e),
        };
        match result {
            Ok((mut out, total)) => {
                guard.disarm();
                if let Some(cp_path) = &checkpoint_path {
                    checkpoint::remove(cp_path).await;
                }
                tracker.set_total(total);
                out.resumed_parts = u32::try_from(resumed.len()).unwrap_or(u32::MAX);
                Ok(out)
            }
            Err(e) => {
                guard.disarm();
                if !keep_parts {
                    parts::abort(&self.client, &bucket, &key, &upload_id).await;
                }
                Err(e)
            }
        }
    }

    async fn initiate(&self, input: &PutObjectInput) -> Result<String, Error> {
        let mut req = self
            .client
            .initiate_multipart_upload()
            .bucket(&input.bucket)
            .key(&input.key)
            .metadata(input.metadata.clone());
        macro_rules! pass {
            ($($field:ident),*) => {
                $(if let Some(v) = input.$field.clone() { req = req.$field(v); })*
            };
        }
        pass!(
            cache_control,
            content_disposition,
            content_encoding,
            content_type,
            expires,
            forbid_overwrite,
            server_side_encryption,
            server_side_data_encryption,
            server_side_encryption_key_id,
            storage_class,
            tagging,
            request_payer
        );
        Ok(req.send().await?.upload_id)
    }

    /// The parts of the checkpoint's upload that ListParts shows and that match the source
    /// (size, and CRC-64: the checkpoint's record, or the file's data for a part the
    /// checkpoint missed), or `None` when the upload no longer exists.
    async fn listed_parts(
        &self,
        cp: &UploadCheckpoint,
        path: Option<&Path>,
        size: u64,
    ) -> Result<Option<BTreeMap<u32, DonePart>>, Error> {
        // Checkpoints are for files; a reader has nothing to resume.
        let Some(path) = path else {
            return Ok(Some(BTreeMap::new()));
        };
        let recorded: BTreeMap<u32, &DonePart> = cp.parts.iter().map(|p| (p.number, p)).collect();
        let Some(listed) =
            parts::list_all(&self.client, &cp.bucket, &cp.key, &cp.upload_id).await?
        else {
            return Ok(None);
        };
        let mut done = BTreeMap::new();
        for part in listed {
            let number = part.number;
            let (start, end) = parts::range(u64::from(number) - 1, size, cp.part_size);
            let expected = end.saturating_sub(start);
            if part.size != expected || expected == 0 {
                continue;
            }
            let matches = match (recorded.get(&number), part.crc64) {
                (Some(r), Some(c)) => r.crc64 == Some(c) && r.etag == part.etag,
                (Some(r), None) => r.etag == part.etag,
                (None, Some(c)) => file_crc(path, start, expected).await? == c,
                (None, None) => false,
            };
            if matches {
                done.insert(
                    number,
                    DonePart {
                        number,
                        etag: part.etag,
                        size: expected,
                        crc64: part.crc64,
                    },
                );
            }
        }
        Ok(Some(done))
    }

    /// Sends every part not yet in `checkpoint`, `parallelism` at a time; returns the total
    /// size.
    #[allow(clippy::too_many_arguments)]
    async fn send_parts(
        &self,
        input: &PutObjectInput,
        upload_id: &str,
        source: &mut Source,
        first: Option<Bytes>,
        size: Option<u64>,
        part_size: u64,
        checkpoint: &mut UploadCheckpoint,
        checkpoint_path: Option<&Path>,
        tracker: &Arc<Tracker>,
    ) -> Result<u64, Error> {
        let permits = Arc::new(Semaphore::new(self.parallelism));
        let mut tasks: JoinSet<Result<DonePart, Error>> = JoinSet::new();
        let done_numbers: std::collections::BTreeSet<u32> =
            checkpoint.parts.iter().map(|p| p.number).collect();
        let mut total = 0u64;
        let mut number = 0u32;
        let mut first = first;
        let file_parts = size.map(|s| parts::count(s, part_size));
        loop {
            // Collect finished parts (and fail fast) before starting the next one.
            while let Some(joined) = tasks.try_join_next() {
                self.record(joined, checkpoint, checkpoint_path).await?;
            }
            number += 1;
            if let (Source::File { .. }, Some(count)) = (&*source, file_parts)
                && u64::from(number) > count
            {
                break;
            }
            if u64::from(number) > parts::MAX_PARTS {
                return Err(Error::invalid(format!(
                    "the data needs more than {} parts of {part_size} bytes; give its size or a larger part size",
                    parts::MAX_PARTS
                )));
            }
            if done_numbers.contains(&number) {
                let (start, end) =
                    parts::range(u64::from(number) - 1, size.unwrap_or(0), part_size);
                total += end - start;
                continue;
            }
            // A permit before reading the part: at most `parallelism` parts in flight.
            let permit = loop {
                tokio::select! {
                    permit = permits.clone().acquire_owned() => {
                        break permit.map_err(|_| Error::invalid("upload cancelled"))?;
                    }
                    Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                        self.record(joined, checkpoint, checkpoint_path).await?;
                    }
                }
            };
            let (body, len) = match source {
                Source::File { path } => {
                    let (start, end) =
                        parts::range(u64::from(number) - 1, size.unwrap_or(0), part_size);
                    (
                        Body::from_file_range(path.clone(), start, end - start),
                        end - start,
                    )
                }
                Source::Reader(reader) => {
                    let data = match first.take() {
                        Some(d) => d,
                        None => read_part(reader, part_size).await?,
                    };
                    if data.is_empty() {
                        break;
                    }
                    let len = data.len() as u64;
                    (Body::from(data), len)
                }
            };
            total += len;
            let progress = tracker.part(len);
            let body = body.on_send_progress(progress.observer());
            let client = self.client.clone();
            let req = PartRequest {
                bucket: input.bucket.clone(),
                key: input.key.clone(),
                upload_id: upload_id.to_owned(),
                number,
                len,
                traffic_limit: input.traffic_limit,
                request_payer: input.request_payer.clone(),
            };
            tasks.spawn(async move {
                let _permit = permit;
                upload_part(&client, req, body, &progress).await
            });
        }
        while let Some(joined) = tasks.join_next().await {
            self.record(joined, checkpoint, checkpoint_path).await?;
        }
        check_length(size, total)?;
        Ok(total)
    }

    async fn record(
        &self,
        joined: Result<Result<DonePart, Error>, tokio::task::JoinError>,
        checkpoint: &mut UploadCheckpoint,
        checkpoint_path: Option<&Path>,
    ) -> Result<(), Error> {
        let part = joined.map_err(|e| Error::invalid(format!("an upload task failed: {e}")))??;
        checkpoint.parts.push(part);
        if let Some(path) = checkpoint_path {
            checkpoint::save(path, checkpoint).await?;
        }
        Ok(())
    }

    async fn complete(
        &self,
        input: &PutObjectInput,
        upload_id: &str,
        checkpoint: &UploadCheckpoint,
        total: u64,
    ) -> Result<UploadOutput, Error> {
        let mut sorted = checkpoint.parts.clone();
        sorted.sort_by_key(|p| p.number);
        let doc = parts::completion(sorted.iter().map(|p| (p.number, p.etag.clone())).collect());
        let mut req = self
            .client
            .complete_multipart_upload()
            .bucket(&input.bucket)
            .key(&input.key)
            .upload_id(upload_id)
            .parts(doc);
        macro_rules! pass {
            ($($field:ident),*) => {
                $(if let Some(v) = input.$field.clone() { req = req.$field(v); })*
            };
        }
        pass!(
            forbid_overwrite,
            object_acl,
            callback,
            callback_var,
            request_payer
        );
        let out = req.send().await?;
        let crc64 = parts::parse_crc(out.hash_crc64ecma.as_ref());
        let crcs: Option<Vec<(u64, u64)>> = sorted
            .iter()
            .map(|p| p.crc64.map(|c| (c, p.size)))
            .collect();
        if let (Some(expected), Some(pieces)) = (crc64, crcs) {
            let actual = parts::combine(pieces);
            if actual != expected {
                return Err(Error::ChecksumMismatch {
                    what: format!("upload of {}/{}", input.bucket, input.key),
                    expected,
                    actual,
                });
            }
        }
        Ok(UploadOutput {
            etag: out.etag,
            version_id: out.version_id,
            crc64,
            size: total,
            upload_id: Some(upload_id.to_owned()),
            parts: u32::try_from(sorted.len()).unwrap_or(u32::MAX),
            resumed_parts: 0,
        })
    }
}

struct PartRequest {
    bucket: String,
    key: String,
    upload_id: String,
    number: u32,
    len: u64,
    traffic_limit: Option<i64>,
    request_payer: Option<String>,
}

async fn upload_part(
    client: &Client,
    req: PartRequest,
    body: Body,
    progress: &PartProgress,
) -> Result<DonePart, Error> {
    let mut call = client
        .upload_part()
        .bucket(req.bucket)
        .key(req.key)
        .upload_id(req.upload_id)
        .part_number(i64::from(req.number))
        .body(body);
    if let Some(limit) = req.traffic_limit {
        call = call.traffic_limit(limit);
    }
    if let Some(payer) = req.request_payer {
        call = call.request_payer(payer);
    }
    let out = call.send().await?;
    progress.finish();
    let etag = out.etag.ok_or_else(|| {
        Error::Client(oss_client::Error::from(oss_proto::Error::invalid_argument(
            "ETag",
            "UploadPart returned no ETag",
        )))
    })?;
    Ok(DonePart {
        number: req.number,
        etag,
        size: req.len,
        crc64: parts::parse_crc(out.hash_crc64ecma.as_ref()),
    })
}

/// Reads up to `part_size` bytes (fewer only at the end of the data).
async fn read_part(
    reader: &mut Box<dyn AsyncRead + Send + Unpin>,
    part_size: u64,
) -> Result<Bytes, Error> {
    let cap = usize::try_from(part_size).unwrap_or(usize::MAX);
    let mut buf = BytesMut::with_capacity(cap);
    while buf.len() < cap {
        let want = (cap - buf.len()) as u64;
        let n = (&mut *reader)
            .take(want)
            .read_buf(&mut buf)
            .await
            .map_err(|e| Error::io("<reader>", e))?;
        if n == 0 {
            break;
        }
    }
    Ok(buf.freeze())
}

/// The CRC-64 of `len` bytes of the file at `path` from `start`.
async fn file_crc(path: &Path, start: u64, len: u64) -> Result<u64, Error> {
    use tokio::io::AsyncSeekExt as _;
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| Error::io(path, e))?;
    file.seek(io::SeekFrom::Start(start))
        .await
        .map_err(|e| Error::io(path, e))?;
    let mut reader = file.take(len);
    let mut crc = oss_proto::crc::Crc64::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = reader
            .read(&mut buf)
            .await
            .map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        crc.update(&buf[..n]);
    }
    Ok(crc.finish())
}

fn check_length(declared: Option<u64>, actual: u64) -> Result<(), Error> {
    match declared {
        Some(d) if d != actual => Err(Error::SourceChanged {
            source_name: "the reader".into(),
            reason: format!("it yielded {actual} bytes, {d} were declared"),
        }),
        _ => Ok(()),
    }
}

fn out_of_put(out: oss_model::PutObjectOutput, size: u64) -> UploadOutput {
    UploadOutput {
        etag: out.etag,
        version_id: out.version_id,
        crc64: parts::parse_crc(out.hash_crc64ecma.as_ref()),
        size,
        upload_id: None,
        parts: 0,
        resumed_parts: 0,
    }
}
