//! An append-only file over one appendable object: `AsyncWrite` served by AppendObject.
//!
//! The file opens at the object's current length (a HeadObject), or creates the object on its
//! first append; the options of the input it was opened with (content type, metadata, ACL,
//! storage class, encryption, tags, ...) apply only when it creates the object, as OSS applies
//! them only then. Writes are buffered and sent as one append when the buffer is full, on
//! `flush` and on `shutdown`.
//!
//! An append whose response was lost is retried by the client and then refused with
//! `PositionNotEqualToLength`, because the first attempt did land. The file recognises that
//! case by the object's length and CRC-64 (which must be exactly the old object followed by
//! this append's data) and carries on; any other length means another writer appended, and is
//! an error.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::{Bytes, BytesMut};
use oss_client::{Body, Client};
use oss_model::AppendObjectInput;
use oss_proto::crc::{checksum, combine};
use tokio::io::AsyncWrite;

use crate::progress::{ProgressFn, Tracker};
use crate::{Error, parts};

/// The default buffer of an [`AppendOnlyFile`]: an append is sent when this much is written
/// (1 MiB), or on flush.
pub const DEFAULT_APPEND_BUFFER: usize = 1024 * 1024;

type AppendFuture = Pin<Box<dyn Future<Output = Result<Appended, Error>> + Send>>;

/// How an [`AppendOnlyFile`] writes: buffer size and progress.
///
/// ```
/// use oss_client::{Client, Config, credentials::StaticProvider};
/// let client = Client::new(Config::builder().region("cn-hangzhou")
///     .credentials(StaticProvider::from_keys("ak", "sk")).build().unwrap());
/// let options = oss_transfer::AppendOnlyFile::options(client).buffer_size(256 * 1024);
/// # let _ = options;
/// ```
#[derive(Clone)]
pub struct AppendOnlyFileOptions {
    client: Client,
    buffer_size: usize,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for AppendOnlyFileOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppendOnlyFileOptions")
            .field("buffer_size", &self.buffer_size)
            .finish_non_exhaustive()
    }
}

impl AppendOnlyFileOptions {
    /// Bytes buffered before an append is sent (default [`DEFAULT_APPEND_BUFFER`]; at least 1).
    pub fn buffer_size(mut self, bytes: usize) -> Self {
        self.buffer_size = bytes.max(1);
        self
    }

    /// Reports the bytes this file has appended (the total is unknown until it is shut down).
    pub fn progress(mut self, callback: ProgressFn) -> Self {
        self.progress = Some(callback);
        self
    }

    /// Opens `input`'s object for appending: at its current length when it exists (it must be
    /// an appendable object), else at 0, creating it with `input`'s options on the first
    /// append. `input.position` is ignored: the object's length decides it.
    pub async fn open(self, input: AppendObjectInput) -> Result<AppendOnlyFile, Error> {
        let head = self
            .client
            .head_object()
            .bucket(&input.bucket)
            .key(&input.key);
        let head = match input.request_payer.as_deref() {
            Some(payer) => head.request_payer(payer),
            None => head,
        };
        let (position, crc64, exists) = match head.send().await {
            Ok(head) => {
                if head.object_type != Some(oss_model::ObjectType::Appendable) {
                    return Err(Error::invalid(format!(
                        "{}/{} is not an appendable object (its type is {:?})",
                        input.bucket, input.key, head.object_type
                    )));
                }
                let length = head
                    .content_length
                    .and_then(|l| u64::try_from(l).ok())
                    .unwrap_or(0);
                let crc = parts::parse_crc(head.hash_crc64ecma.as_ref());
                if let Some(crc) = crc {
                    self.client
                        .expect_append_crc(&input.bucket, &input.key, length, crc);
                }
                (length, crc, true)
            }
            Err(e) if e.is_not_found() => (0, Some(0), false),
            Err(e) => return Err(e.into()),
        };
        let tracker = Tracker::new(self.progress, None);
        tracker.start();
        Ok(AppendOnlyFile {
            client: self.client,
            input,
            position,
            crc64,
            exists,
            appended: 0,
            buffer: BytesMut::new(),
            buffer_size: self.buffer_size,
            in_flight: None,
            failed: None,
            tracker,
        })
    }
}

/// One appendable object opened for appending.
///
/// ```
/// use oss_client::{Client, Config, credentials::StaticProvider};
/// use tokio::io::AsyncWriteExt;
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let emulator = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
/// let client = Client::new(Config::builder().region("cn-hangzhou").endpoint(emulator.endpoint())
///     .credentials(StaticProvider::from_keys("ak", "sk")).build().unwrap());
/// client.put_bucket().bucket("examplebucket").send().await?;
///
/// let input = oss_model::AppendObjectInput::builder().bucket("examplebucket").key("log.txt")
///     .position(0).content_type("text/plain").build().unwrap();
/// let mut log = oss_transfer::AppendOnlyFile::open(client.clone(), input.clone()).await.unwrap();
/// log.write_all(b"first line\n").await.unwrap();
/// log.shutdown().await.unwrap();
///
/// // Reopened, it continues at the object's length.
/// let mut log = oss_transfer::AppendOnlyFile::open(client.clone(), input).await.unwrap();
/// assert_eq!(log.position(), 11);
/// log.write_all(b"second line\n").await.unwrap();
/// log.shutdown().await.unwrap();
///
/// let (_, body) = client.get_object().bucket("examplebucket").key("log.txt").send().await?;
/// assert_eq!(&body.collect().await?[..], b"first line\nsecond line\n");
/// # Ok::<(), oss_client::Error>(())
/// # }).unwrap();
/// ```
pub struct AppendOnlyFile {
    client: Client,
    /// The object and its creation options.
    input: AppendObjectInput,
    /// The object's length: where the next append goes.
    position: u64,
    /// The object's CRC-64 at `position`, when known.
    crc64: Option<u64>,
    /// The object exists (creation options no longer apply).
    exists: bool,
    /// Bytes appended through this file.
    appended: u64,
    buffer: BytesMut,
    buffer_size: usize,
    in_flight: Option<AppendFuture>,
    /// An append failed: where the object ends is not known, so nothing more is written.
    failed: Option<String>,
    tracker: std::sync::Arc<Tracker>,
}

impl std::fmt::Debug for AppendOnlyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppendOnlyFile")
            .field("bucket", &self.input.bucket)
            .field("key", &self.input.key)
            .field("position", &self.position)
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

/// The outcome of one append.
struct Appended {
    next_position: u64,
    crc64: Option<u64>,
}

impl AppendOnlyFile {
    /// Options to open a file with: buffer size, progress.
    pub fn options(client: Client) -> AppendOnlyFileOptions {
        AppendOnlyFileOptions {
            client,
            buffer_size: DEFAULT_APPEND_BUFFER,
            progress: None,
        }
    }

    /// Opens `input`'s object with the default options (see [`AppendOnlyFileOptions::open`]).
    pub async fn open(client: Client, input: AppendObjectInput) -> Result<AppendOnlyFile, Error> {
        Self::options(client).open(input).await
    }

    /// The object's length as far as this file knows: where the next append goes (data still
    /// buffered not counted).
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The object's CRC-64 at [`position`](Self::position), when known.
    pub fn crc64(&self) -> Option<u64> {
        self.crc64
    }

    /// Starts an append of the buffered data.
    fn start_append(&mut self) {
        let data = self.buffer.split().freeze();
        let mut input = if self.exists {
            // Creation options apply only when the object is created.
            plain_append(&self.input)
        } else {
            self.input.clone()
        };
        input.position = i64::try_from(self.position).unwrap_or(i64::MAX);
        input.content_length = i64::try_from(data.len()).ok();
        input.content_md5 = None;
        let client = self.client.clone();
        let (position, crc64) = (self.position, self.crc64);
        self.in_flight = Some(Box::pin(append(client, input, data, position, crc64)));
    }

    /// Drives the append in flight, if any, to its end.
    fn poll_in_flight(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(reason) = &self.failed {
            return Poll::Ready(Err(io::Error::other(format!(
                "an earlier append to {}/{} failed ({reason}); reopen the file",
                self.input.bucket, self.input.key
            ))));
        }
        let Some(fut) = &mut self.in_flight else {
            return Poll::Ready(Ok(()));
        };
        let result = ready!(fut.as_mut().poll(cx));
        self.in_flight = None;
        match result {
            Ok(done) => {
                let grown = done.next_position.saturating_sub(self.position);
                self.appended += grown;
                self.tracker.add(grown);
                self.position = done.next_position;
                self.crc64 = done.crc64;
                self.exists = true;
                Poll::Ready(Ok(()))
            }
            Err(e) => {
                self.failed = Some(e.to_string());
                Poll::Ready(Err(e.into()))
            }
        }
    }
}

impl AsyncWrite for AppendOnlyFile {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        loop {
            ready!(this.poll_in_flight(cx))?;
            if this.buffer.len() >= this.buffer_size {
                this.start_append();
                continue;
            }
            let n = buf.len().min(this.buffer_size - this.buffer.len());
            this.buffer.extend_from_slice(&buf[..n]);
            return Poll::Ready(Ok(n));
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            ready!(this.poll_in_flight(cx))?;
            if this.buffer.is_empty() {
                return Poll::Ready(Ok(()));
            }
            this.start_append();
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(Pin::new(&mut *this).poll_flush(cx))?;
        this.tracker.set_total(this.appended);
        Poll::Ready(Ok(()))
    }
}

/// An append to `input`'s object without its creation options.
fn plain_append(input: &AppendObjectInput) -> AppendObjectInput {
    let mut plain = input.clone();
    plain.cache_control = None;
    plain.content_disposition = None;
    plain.content_encoding = None;
    plain.content_type = None;
    plain.expires = None;
    plain.forbid_overwrite = None;
    plain.server_side_encryption = None;
    plain.server_side_data_encryption = None;
    plain.server_side_encryption_key_id = None;
    plain.object_acl = None;
    plain.storage_class = None;
    plain.metadata.clear();
    plain.tagging = None;
    plain
}

/// Appends `data` at `position` of an object whose CRC-64 there is `crc64`.
async fn append(
    client: Client,
    input: AppendObjectInput,
    data: Bytes,
    position: u64,
    crc64: Option<u64>,
) -> Result<Appended, Error> {
    let len = data.len() as u64;
    let expected_crc = crc64.map(|c| combine(c, checksum(&data), len));
    let (bucket, key) = (input.bucket.clone(), input.key.clone());
    let request_payer = input.request_payer.clone();
    let sent = client
        .call_with_body::<oss_proto::generated::AppendObject>(input, Body::from(data))
        .await;
    match sent {
        Ok(out) => Ok(Appended {
            next_position: out
                .next_append_position
                .and_then(|p| u64::try_from(p).ok())
                .unwrap_or(position + len),
            crc64: parts::parse_crc(out.hash_crc64ecma.as_ref()).or(expected_crc),
        }),
        Err(e) if e.code() == Some("PositionNotEqualToLength") => {
            // A retried append whose first attempt landed is refused this way: the object is
            // then exactly the old one followed by `data`.
            let mut head = client.head_object().bucket(&bucket).key(&key);
            if let Some(payer) = &request_payer {
                head = head.request_payer(payer);
            }
            let head = head.send().await?;
            let length = head
                .content_length
                .and_then(|l| u64::try_from(l).ok())
                .unwrap_or(0);
            let actual_crc = parts::parse_crc(head.hash_crc64ecma.as_ref());
            let crc_agrees = match (expected_crc, actual_crc) {
                (Some(expected), Some(actual)) => expected == actual,
                _ => true,
            };
            if length == position + len && crc_agrees {
                tracing::debug!(
                    bucket,
                    key,
                    position,
                    len,
                    "an append had landed before its retry"
                );
                if let Some(crc) = actual_crc.or(expected_crc) {
                    client.expect_append_crc(&bucket, &key, length, crc);
                }
                Ok(Appended {
                    next_position: length,
                    crc64: actual_crc.or(expected_crc),
                })
            } else {
                Err(Error::ObjectChanged {
                    object: format!("{bucket}/{key}"),
                    reason: format!(
                        "another writer appended: the object is {length} bytes long, this file \
                         appended {len} bytes at {position}"
                    ),
                })
            }
        }
        Err(e) => Err(e.into()),
    }
}
