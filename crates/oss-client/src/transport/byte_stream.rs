//! Response bodies handed to the caller: object data as a stream of chunks.

use std::fmt;
use std::future::Future;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::StreamExt as _;
use http_body::Body as _;
use oss_proto::crc::Crc64;
use tokio::io::{AsyncRead, AsyncWriteExt as _};

use crate::error::{Error, TimeoutKind};

type DynStream = Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>;

/// The body of a streaming response (GetObject): a `Stream` of chunks.
///
/// Reading stops with [`Error::Timeout`] when no data arrives for the client's read timeout, and
/// ends with a checksum error when the whole object was read and its CRC-64 differs from the
/// `x-oss-hash-crc64ecma` the service announced.
///
/// ```
/// use oss_client::ByteStream;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let stream = ByteStream::from(bytes::Bytes::from_static(b"object data"));
/// assert_eq!(&stream.collect().await.unwrap()[..], b"object data");
/// # });
/// ```
pub struct ByteStream {
    inner: DynStream,
    /// The body's length as the response announced it (Content-Length or Content-Range).
    length: Option<u64>,
}

/// The most [`ByteStream::collect`] reserves up front from an announced length; a larger body
/// grows the buffer as it arrives, so a lying Content-Length cannot make it allocate gigabytes.
const MAX_RESERVE: u64 = 64 << 20;

impl ByteStream {
    /// A stream over any source of chunks.
    pub fn new<S>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, Error>> + Send + 'static,
    {
        ByteStream {
            inner: Box::pin(stream),
            length: None,
        }
    }

    /// The same stream, announcing that it yields `length` bytes in all.
    pub(crate) fn with_length(mut self, length: Option<u64>) -> Self {
        self.length = length;
        self
    }

    /// The number of bytes the whole body holds, when the response announced it
    /// (`Content-Length`); `None` for a body of unknown length.
    ///
    /// ```
    /// use oss_client::ByteStream;
    /// let stream = ByteStream::from(bytes::Bytes::from_static(b"object data"));
    /// assert_eq!(stream.announced_length(), Some(11));
    /// ```
    pub fn announced_length(&self) -> Option<u64> {
        self.length
    }

    /// An empty stream.
    pub fn empty() -> Self {
        ByteStream::new(futures_util::stream::empty())
    }

    /// Reads the whole stream into memory.
    ///
    /// A body that arrives as one chunk is returned as it is; otherwise the chunks are copied
    /// once into a buffer reserved from the announced length.
    pub async fn collect(mut self) -> Result<Bytes, Error> {
        let Some(first) = self.next().await.transpose()? else {
            return Ok(Bytes::new());
        };
        let Some(second) = self.next().await.transpose()? else {
            return Ok(first);
        };
        let received = (first.len() + second.len()) as u64;
        let reserve = self
            .length
            .unwrap_or(received)
            .clamp(received, MAX_RESERVE.max(received));
        let mut buf = BytesMut::with_capacity(reserve as usize);
        buf.extend_from_slice(&first);
        buf.extend_from_slice(&second);
        while let Some(chunk) = self.next().await {
            buf.extend_from_slice(&chunk?);
        }
        Ok(buf.freeze())
    }

    /// Writes the whole stream to a new file at `path` (created or truncated) and returns the
    /// number of bytes written.
    pub async fn to_file(mut self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let path = path.as_ref();
        let io_err = |e| Error::io(Some(path.to_path_buf()), e);
        let mut file = tokio::fs::File::create(path).await.map_err(io_err)?;
        let mut written = 0u64;
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            file.write_all(&chunk).await.map_err(io_err)?;
            written += chunk.len() as u64;
        }
        file.flush().await.map_err(io_err)?;
        file.sync_all().await.map_err(io_err)?;
        Ok(written)
    }

    /// An `AsyncRead` over the stream; errors become `io::Error`s wrapping [`Error`].
    pub fn into_async_read(self) -> impl AsyncRead + Send + Unpin {
        tokio_util::io::StreamReader::new(self.map(|r| r.map_err(io::Error::from)))
    }

    /// Wraps a received body: idle-read timeout per chunk, and (when `expected_crc` is given) a
    /// CRC-64 check once the body ends.
    pub(crate) fn from_incoming(
        body: super::HttpResponseBody,
        read_timeout: Option<Duration>,
        expected_crc: Option<u64>,
        operation: &'static str,
    ) -> Self {
        let length = body.size_hint().exact();
        ByteStream::new(IncomingStream {
            body,
            read_timeout,
            sleep: None,
            crc: expected_crc.map(|e| (e, Crc64::new())),
            operation,
            done: false,
        })
        .with_length(length)
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ByteStream")
    }
}

impl From<Bytes> for ByteStream {
    fn from(b: Bytes) -> Self {
        let length = b.len() as u64;
        ByteStream::new(futures_util::stream::once(async move { Ok(b) })).with_length(Some(length))
    }
}

struct IncomingStream {
    body: super::HttpResponseBody,
    read_timeout: Option<Duration>,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    crc: Option<(u64, Crc64)>,
    operation: &'static str,
    done: bool,
}

impl Stream for IncomingStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        loop {
            match Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Pending => {
                    let Some(after) = this.read_timeout else {
                        return Poll::Pending;
                    };
                    let sleep = this
                        .sleep
                        .get_or_insert_with(|| Box::pin(tokio::time::sleep(after)));
                    ready!(sleep.as_mut().poll(cx));
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::Timeout {
                        kind: TimeoutKind::Read,
                        after,
                    })));
                }
                Poll::Ready(Some(Ok(frame))) => {
                    this.sleep = None;
                    if let Ok(data) = frame.into_data() {
                        if let Some((_, crc)) = this.crc.as_mut() {
                            crc.update(&data);
                        }
                        if !data.is_empty() {
                            return Poll::Ready(Some(Ok(data)));
                        }
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::Transport {
                        operation: this.operation,
                        source: e,
                    })));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    if let Some((expected, crc)) = this.crc.take() {
                        let actual = crc.finish();
                        if actual != expected {
                            return Poll::Ready(Some(Err(Error::Protocol(
                                oss_proto::Error::ChecksumMismatch {
                                    algorithm: "crc64ecma",
                                    expected: expected.to_string(),
                                    actual: actual.to_string(),
                                },
                            ))));
                        }
                    }
                    return Poll::Ready(None);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt as _;

    #[tokio::test]
    async fn collect_async_read_and_to_file() {
        let chunks = || {
            ByteStream::new(futures_util::stream::iter(vec![
                Ok(Bytes::from_static(b"hello ")),
                Ok(Bytes::from_static(b"world")),
            ]))
        };
        assert_eq!(&chunks().collect().await.unwrap()[..], b"hello world");

        let mut text = String::new();
        chunks()
            .into_async_read()
            .read_to_string(&mut text)
            .await
            .unwrap();
        assert_eq!(text, "hello world");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out");
        assert_eq!(chunks().to_file(&path).await.unwrap(), 11);
        assert_eq!(std::fs::read(&path).unwrap(), b"hello world");
    }

    #[tokio::test]
    async fn collect_returns_a_single_chunk_without_copying_it() {
        let data = Bytes::from(vec![7u8; 4096]);
        let collected = ByteStream::from(data.clone()).collect().await.unwrap();
        assert_eq!(collected.as_ptr(), data.as_ptr());
        assert!(ByteStream::empty().collect().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn collect_reserves_the_announced_length_once() {
        let chunks: Vec<Result<Bytes, Error>> =
            (0..8u8).map(|i| Ok(Bytes::from(vec![i; 1000]))).collect();
        let stream = ByteStream::new(futures_util::stream::iter(chunks)).with_length(Some(8000));
        assert_eq!(stream.announced_length(), Some(8000));
        let collected = stream.collect().await.unwrap();
        assert_eq!(collected.len(), 8000);
        assert!(
            collected
                .chunks(1000)
                .enumerate()
                .all(|(i, c)| c.iter().all(|&b| b == i as u8))
        );

        // A lying length neither truncates the body nor reserves past the cap.
        let chunks: Vec<Result<Bytes, Error>> =
            vec![Ok(Bytes::from_static(b"ab")), Ok(Bytes::from_static(b"cd"))];
        let stream =
            ByteStream::new(futures_util::stream::iter(chunks)).with_length(Some(u64::MAX));
        assert_eq!(&stream.collect().await.unwrap()[..], b"abcd");
    }

    #[tokio::test]
    async fn errors_pass_through_collect() {
        let stream = ByteStream::new(futures_util::stream::iter(vec![
            Ok(Bytes::from_static(b"x")),
            Err(Error::Timeout {
                kind: TimeoutKind::Read,
                after: Duration::from_secs(1),
            }),
        ]));
        assert!(matches!(stream.collect().await, Err(Error::Timeout { .. })));
    }
}
