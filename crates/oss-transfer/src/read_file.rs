//! A read-only file over one object: `AsyncRead + AsyncSeek` served by ranged GETs.
//!
//! The file is opened with a HeadObject that fixes its size and ETag; every range it reads is
//! conditional on that ETag (`If-Match`), so an object replaced while the file is open makes a
//! read fail with [`Error::ObjectChanged`] instead of mixing two versions. Data is fetched in
//! chunks aligned to the chunk size; after a run of sequential chunks the file fetches the
//! next ones ahead, concurrently, so a sequential reader waits on the network at most once.
//! A reader that goes through the whole object in order has its CRC-64 checked against the
//! object's at the end.

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt as _;
use oss_client::Client;
use oss_model::{GetObjectInput, HeadObjectOutput};
use oss_proto::crc::Crc64;
use tokio::io::{AsyncRead, AsyncSeek, ReadBuf};
use tokio::task::JoinHandle;

use crate::Error;
use crate::object;

/// The default chunk size of a [`ReadOnlyFile`]: each ranged GET reads this much (4 MiB).
pub const DEFAULT_CHUNK_SIZE: u64 = 4 * 1024 * 1024;
/// The default number of chunks a [`ReadOnlyFile`] fetches ahead of a sequential reader.
pub const DEFAULT_PREFETCH_CHUNKS: usize = 3;
/// Sequential chunk transitions before prefetching starts.
const SEQUENTIAL_RUN_BEFORE_PREFETCH: u32 = 2;
/// Times a range body that breaks off is resumed without making progress before giving up.
const RANGE_RESUMES: u32 = 3;

/// How a [`ReadOnlyFile`] reads: chunk size and prefetch depth.
///
/// ```
/// use oss_client::{Client, Config, credentials::StaticProvider};
/// let client = Client::new(Config::builder().region("cn-hangzhou")
///     .credentials(StaticProvider::from_keys("ak", "sk")).build().unwrap());
/// let options = oss_transfer::ReadOnlyFile::options(client).chunk_size(1 << 20).prefetch_chunks(4);
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
pub struct ReadOnlyFileOptions {
    client: Client,
    chunk_size: u64,
    prefetch_chunks: usize,
}

impl ReadOnlyFileOptions {
    /// The bytes each ranged GET reads (default [`DEFAULT_CHUNK_SIZE`]; at least 1).
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }

    /// How many chunks to fetch ahead of a sequential reader (default
    /// [`DEFAULT_PREFETCH_CHUNKS`]; 0 turns prefetching off).
    pub fn prefetch_chunks(mut self, chunks: usize) -> Self {
        self.prefetch_chunks = chunks;
        self
    }

    /// Opens `input`'s object (bucket, key, and optionally version, request payer and the
    /// conditions of the HeadObject that opens it). The input may not carry a range or a
    /// process: the file reads its own ranges of the stored object.
    pub async fn open(self, mut input: GetObjectInput) -> Result<ReadOnlyFile, Error> {
        if input.range.is_some() {
            return Err(Error::invalid(
                "a read-only file reads its own ranges; open it without a range and seek",
            ));
        }
        if input.process.is_some() {
            return Err(Error::invalid(
                "a read-only file reads the stored object; it cannot apply a process",
            ));
        }
        let head = object::head(&self.client, &input).await?;
        let size = head
            .content_length
            .and_then(|l| u64::try_from(l).ok())
            .unwrap_or(0);
        // Every later read is of this version of the object.
        input.if_match = head.etag.clone();
        input.if_none_match = None;
        input.if_modified_since = None;
        input.if_unmodified_since = None;
        let crc64 = crate::parts::parse_crc(head.hash_crc64ecma.as_ref());
        Ok(ReadOnlyFile {
            client: self.client,
            input,
            head,
            size,
            crc64,
            chunk_size: self.chunk_size,
            prefetch_chunks: self.prefetch_chunks,
            pos: 0,
            current: None,
            pending: VecDeque::new(),
            last_chunk: None,
            sequential_run: 0,
            in_order: Some(Crc64::new()),
        })
    }
}

/// One object opened as a read-only, seekable file.
///
/// ```
/// use oss_client::{Client, Config, credentials::StaticProvider};
/// use tokio::io::{AsyncReadExt, AsyncSeekExt};
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let emulator = oss_emulator::Emulator::start(oss_emulator::EmulatorConfig::new("ak", "sk")).unwrap();
/// let client = Client::new(Config::builder().region("cn-hangzhou").endpoint(emulator.endpoint())
///     .credentials(StaticProvider::from_keys("ak", "sk")).build().unwrap());
/// client.put_bucket().bucket("examplebucket").send().await?;
/// client.put_object().bucket("examplebucket").key("a.txt").body("hello, world").send().await?;
///
/// let input = oss_model::GetObjectInput::builder().bucket("examplebucket").key("a.txt").build().unwrap();
/// let mut file = oss_transfer::ReadOnlyFile::open(client, input).await.unwrap();
/// assert_eq!(file.len(), 12);
/// file.seek(std::io::SeekFrom::Start(7)).await.unwrap();
/// let mut rest = String::new();
/// file.read_to_string(&mut rest).await.unwrap();
/// assert_eq!(rest, "world");
/// # Ok::<(), oss_client::Error>(())
/// # }).unwrap();
/// ```
pub struct ReadOnlyFile {
    client: Client,
    /// The object's identity; `if_match` holds the ETag it was opened with.
    input: GetObjectInput,
    head: HeadObjectOutput,
    size: u64,
    crc64: Option<u64>,
    chunk_size: u64,
    prefetch_chunks: usize,
    pos: u64,
    /// The chunk being served: its index and data.
    current: Option<(u64, Bytes)>,
    /// Chunks being fetched, by index (the chunk wanted next first).
    pending: VecDeque<(u64, Fetch)>,
    /// The chunk last entered by the reader (to tell sequential reads from random ones).
    last_chunk: Option<u64>,
    sequential_run: u32,
    /// The CRC-64 of the bytes served so far, while they have been served in order from 0.
    in_order: Option<Crc64>,
}

impl std::fmt::Debug for ReadOnlyFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadOnlyFile")
            .field("bucket", &self.input.bucket)
            .field("key", &self.input.key)
            .field("size", &self.size)
            .field("etag", &self.input.if_match)
            .field("pos", &self.pos)
            .finish_non_exhaustive()
    }
}

impl ReadOnlyFile {
    /// Options to open a file with: chunk size and prefetch depth.
    pub fn options(client: Client) -> ReadOnlyFileOptions {
        ReadOnlyFileOptions {
            client,
            chunk_size: DEFAULT_CHUNK_SIZE,
            prefetch_chunks: DEFAULT_PREFETCH_CHUNKS,
        }
    }

    /// Opens `input`'s object with the default options (see [`ReadOnlyFileOptions::open`]).
    pub async fn open(client: Client, input: GetObjectInput) -> Result<ReadOnlyFile, Error> {
        Self::options(client).open(input).await
    }

    /// The object's size in bytes, as it was opened.
    pub fn len(&self) -> u64 {
        self.size
    }

    /// True for an empty object.
    pub fn is_empty(&self) -> bool {
        self.size == 0
    }

    /// The ETag every read is conditional on.
    pub fn etag(&self) -> Option<&str> {
        self.input.if_match.as_deref()
    }

    /// What the HeadObject that opened the file returned: content type, metadata, storage
    /// class, last modified time, CRC-64, ...
    pub fn stat(&self) -> &HeadObjectOutput {
        &self.head
    }

    /// The current read position.
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Reads `len` bytes at `offset` (fewer at the end of the object) with one ranged GET of
    /// the version the file was opened on, leaving the read position alone; several may run
    /// at once.
    pub async fn read_at(&self, offset: u64, len: u64) -> Result<Bytes, Error> {
        let end = offset.saturating_add(len).min(self.size);
        if offset >= end {
            return Ok(Bytes::new());
        }
        fetch_range(self.client.clone(), self.input.clone(), offset, end).await
    }

    fn chunk_count(&self) -> u64 {
        self.size.div_ceil(self.chunk_size)
    }

    fn chunk_bounds(&self, index: u64) -> (u64, u64) {
        let start = index * self.chunk_size;
        (start, (start + self.chunk_size).min(self.size))
    }

    fn spawn(&self, index: u64) -> Fetch {
        let (start, end) = self.chunk_bounds(index);
        Fetch(tokio::spawn(fetch_range(
            self.client.clone(),
            self.input.clone(),
            start,
            end,
        )))
    }

    /// The reader needs chunk `index`: note whether it is sequential, drop fetches it will
    /// not need, and make sure `index` (and, for a sequential reader, the chunks after it)
    /// are being fetched. Idempotent while the reader stays in `index`.
    fn enter_chunk(&mut self, index: u64) {
        if self.last_chunk != Some(index) {
            self.sequential_run = match self.last_chunk {
                Some(last) if last + 1 == index => self.sequential_run + 1,
                _ => 0,
            };
            self.last_chunk = Some(index);
        }
        let ahead = if self.sequential_run >= SEQUENTIAL_RUN_BEFORE_PREFETCH {
            self.prefetch_chunks as u64
        } else {
            0
        };
        let last = (index + ahead).min(self.chunk_count().saturating_sub(1));
        // Dropping a fetch aborts it.
        self.pending.retain(|(i, _)| (index..=last).contains(i));
        for i in index..=last {
            if !self.pending.iter().any(|(p, _)| *p == i) {
                let fetch = self.spawn(i);
                self.pending.push_back((i, fetch));
            }
        }
        self.pending.make_contiguous().sort_by_key(|(i, _)| *i);
    }

    /// Keeps the in-order CRC of `data`, served at `offset`; at the end of the object, checks it.
    fn check_in_order(&mut self, offset: u64, data: &[u8]) -> io::Result<()> {
        let Some(crc) = &mut self.in_order else {
            return Ok(());
        };
        if crc.len() != offset {
            self.in_order = None;
            return Ok(());
        }
        crc.update(data);
        if crc.len() == self.size {
            let actual = crc.finish();
            self.in_order = None;
            if let Some(expected) = self.crc64
                && expected != actual
            {
                return Err(Error::ChecksumMismatch {
                    what: format!("read of {}/{}", self.input.bucket, self.input.key),
                    expected,
                    actual,
                }
                .into());
            }
        }
        Ok(())
    }
}

impl AsyncRead for ReadOnlyFile {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pos >= this.size || buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        let index = this.pos / this.chunk_size;
        loop {
            if let Some((i, data)) = &this.current
                && *i == index
            {
                let offset = usize::try_from(this.pos - index * this.chunk_size)
                    .map_err(io::Error::other)?;
                let n = buf.remaining().min(data.len().saturating_sub(offset));
                let data = data.slice(offset..offset + n);
                this.check_in_order(this.pos, &data)?;
                buf.put_slice(&data);
                this.pos += n as u64;
                return Poll::Ready(Ok(()));
            }
            this.enter_chunk(index);
            let Some((_, fetch)) = this.pending.front_mut() else {
                return Poll::Ready(Err(io::Error::other("no fetch for the chunk")));
            };
            let got = ready!(Pin::new(&mut fetch.0).poll(cx));
            this.pending.pop_front();
            let data = got.map_err(io::Error::other)??;
            this.current = Some((index, data));
        }
    }
}

impl AsyncSeek for ReadOnlyFile {
    fn start_seek(self: Pin<&mut Self>, position: io::SeekFrom) -> io::Result<()> {
        let this = self.get_mut();
        let target = match position {
            io::SeekFrom::Start(p) => Some(p),
            io::SeekFrom::End(d) => this.size.checked_add_signed(d),
            io::SeekFrom::Current(d) => this.pos.checked_add_signed(d),
        };
        match target {
            Some(p) => {
                this.pos = p;
                Ok(())
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek to a negative or overflowing position",
            )),
        }
    }

    fn poll_complete(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        Poll::Ready(Ok(self.pos))
    }
}

/// A chunk being fetched; dropping it aborts the request.
struct Fetch(JoinHandle<Result<Bytes, Error>>);

impl Drop for Fetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// `[start, end)` of the object, conditional on `input.if_match`; a body that breaks off is
/// resumed from the next byte.
async fn fetch_range(
    client: Client,
    input: GetObjectInput,
    start: u64,
    end: u64,
) -> Result<Bytes, Error> {
    let capacity = usize::try_from(end - start).unwrap_or(0);
    let mut data = BytesMut::with_capacity(capacity);
    let mut fruitless = 0;
    let mut pos = start;
    while pos < end {
        let mut req = input.clone();
        req.range = Some(format!("bytes={pos}-{}", end - 1));
        req.range_behavior = Some("standard".into());
        let got = client
            .call_streaming::<oss_proto::generated::GetObject>(req)
            .await;
        let (_, mut body) = match got {
            Ok(ok) => ok,
            Err(e) if e.code() == Some("PreconditionFailed") => {
                return Err(object::changed(&input, input.if_match.as_deref()));
            }
            Err(e) => return Err(e.into()),
        };
        let before = pos;
        let mut broke = None;
        while let Some(chunk) = body.next().await {
            match chunk {
                Ok(bytes) => {
                    let room = usize::try_from(end - pos).unwrap_or(usize::MAX);
                    let bytes = &bytes[..bytes.len().min(room)];
                    data.extend_from_slice(bytes);
                    pos += bytes.len() as u64;
                }
                Err(e) => {
                    broke = Some(e);
                    break;
                }
            }
        }
        if pos >= end {
            break;
        }
        fruitless = if pos == before { fruitless + 1 } else { 0 };
        if fruitless > RANGE_RESUMES {
            return Err(match broke {
                Some(e) => e.into(),
                None => Error::ObjectChanged {
                    object: format!("{}/{}", input.bucket, input.key),
                    reason: format!("range ended at byte {pos}, before {end}"),
                },
            });
        }
        tracing::debug!(pos, end, error = ?broke, "resuming a range");
    }
    Ok(data.freeze())
}
