//! Request bodies: in-memory bytes, files, async readers and streams.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http_body::{Frame, SizeHint};
use oss_proto::crc::Crc64;
use tokio::io::AsyncRead;
use tokio_util::io::ReaderStream;

type DynStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// Observes an upload: called with the number of bytes of the body the current attempt has
/// handed to the connection so far. Each attempt starts again from 0 (a retry resends the
/// body), so a caller reporting progress keeps the highest value seen.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicU64, Ordering};
/// let seen = Arc::new(AtomicU64::new(0));
/// let observer = seen.clone();
/// let body = oss_client::Body::from("hello")
///     .on_send_progress(Arc::new(move |sent| { observer.fetch_max(sent, Ordering::Relaxed); }));
/// assert_eq!(body.content_length(), Some(5));
/// ```
pub type SendProgress = Arc<dyn Fn(u64) + Send + Sync>;

/// The data of a streaming-request operation (PutObject, UploadPart, AppendObject).
///
/// Bytes and files are replayable: a failed attempt is retried with the same data (a file is
/// reopened). Readers and streams can be sent once; an attempt that fails after starting to send
/// one is not retried.
///
/// ```
/// use oss_client::Body;
/// let body = Body::from("hello");
/// assert_eq!(body.content_length(), Some(5));
/// assert!(body.is_replayable());
/// ```
pub struct Body {
    kind: Kind,
    progress: Option<SendProgress>,
}

enum Kind {
    Empty,
    Bytes(Bytes),
    Chunks(Arc<[Bytes]>),
    File {
        path: PathBuf,
        offset: u64,
        len: u64,
    },
    Stream {
        stream: Mutex<Option<DynStream>>,
        len: Option<u64>,
    },
}

impl Body {
    /// No data.
    pub fn empty() -> Self {
        Body {
            kind: Kind::Empty,
            progress: None,
        }
    }

    /// Data held in memory as several chunks, sent in order without being joined (replayable,
    /// like [`Bytes`]).
    ///
    /// ```
    /// use bytes::Bytes;
    /// let body = oss_client::Body::from_chunks(vec![Bytes::from("hello "), Bytes::from("world")]);
    /// assert_eq!(body.content_length(), Some(11));
    /// assert!(body.is_replayable());
    /// ```
    pub fn from_chunks(chunks: impl Into<Arc<[Bytes]>>) -> Self {
        Body {
            kind: Kind::Chunks(chunks.into()),
            progress: None,
        }
    }

    /// The whole file at `path` (its length is read now; it is opened when sent).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("f.txt");
    /// std::fs::write(&path, b"0123456789").unwrap();
    /// let body = oss_client::Body::from_path(&path).await.unwrap();
    /// assert_eq!(body.content_length(), Some(10));
    /// # });
    /// ```
    pub async fn from_path(path: impl Into<PathBuf>) -> io::Result<Self> {
        let path = path.into();
        let len = tokio::fs::metadata(&path).await?.len();
        Ok(Body::from_file_range(path, 0, len))
    }

    /// `len` bytes of the file at `path` starting at `offset` (for multipart uploads).
    pub fn from_file_range(path: impl Into<PathBuf>, offset: u64, len: u64) -> Self {
        Body {
            kind: Kind::File {
                path: path.into(),
                offset,
                len,
            },
            progress: None,
        }
    }

    /// Data from an async reader, sent once. Give `len` when known so `Content-Length` is set.
    pub fn from_async_read<R>(reader: R, len: Option<u64>) -> Self
    where
        R: AsyncRead + Send + 'static,
    {
        Body::from_stream(ReaderStream::new(reader), len)
    }

    /// Data from a stream of chunks, sent once. Give `len` when known so `Content-Length` is set.
    pub fn from_stream<S>(stream: S, len: Option<u64>) -> Self
    where
        S: Stream<Item = io::Result<Bytes>> + Send + 'static,
    {
        Body {
            kind: Kind::Stream {
                stream: Mutex::new(Some(Box::pin(stream))),
                len,
            },
            progress: None,
        }
    }

    /// Data from a synchronous reader (a `std::fs::File`, a socket, a decompressor), sent once;
    /// it is read in chunks of 64 KiB on tokio's blocking thread pool. Give `len` when known so
    /// `Content-Length` is set.
    ///
    /// ```
    /// let body = oss_client::Body::from_read(std::io::Cursor::new(b"hello".to_vec()), Some(5));
    /// assert_eq!(body.content_length(), Some(5));
    /// assert!(!body.is_replayable());
    /// ```
    pub fn from_read<R>(reader: R, len: Option<u64>) -> Self
    where
        R: io::Read + Send + 'static,
    {
        const CHUNK: usize = 64 * 1024;
        let stream = futures_util::stream::try_unfold(Some(reader), |state| async move {
            let Some(mut reader) = state else {
                return Ok(None);
            };
            let (reader, chunk) = tokio::task::spawn_blocking(move || {
                let mut buf = vec![0u8; CHUNK];
                let read = loop {
                    match reader.read(&mut buf) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        other => break other,
                    }
                };
                let chunk = read.map(|n| {
                    buf.truncate(n);
                    Bytes::from(buf)
                });
                (reader, chunk)
            })
            .await
            .map_err(io::Error::other)?;
            let chunk = chunk?;
            Ok(if chunk.is_empty() {
                None
            } else {
                Some((chunk, Some(reader)))
            })
        });
        Body::from_stream(stream, len)
    }

    /// The length, when known.
    pub fn content_length(&self) -> Option<u64> {
        match &self.kind {
            Kind::Empty => Some(0),
            Kind::Bytes(b) => Some(b.len() as u64),
            Kind::Chunks(c) => Some(c.iter().map(|b| b.len() as u64).sum()),
            Kind::File { len, .. } => Some(*len),
            Kind::Stream { len, .. } => *len,
        }
    }

    /// Calls `observer` as the body is sent (see [`SendProgress`]).
    #[must_use]
    pub fn on_send_progress(mut self, observer: SendProgress) -> Self {
        self.progress = Some(observer);
        self
    }

    /// True when the body can be sent again on a retry.
    pub fn is_replayable(&self) -> bool {
        !matches!(self.kind, Kind::Stream { .. })
    }

    /// A fresh body for one attempt, or `None` when a one-shot body was already taken.
    pub(crate) async fn for_attempt(&self, crc: CrcTracker) -> io::Result<Option<HttpRequestBody>> {
        let (inner, len) = match &self.kind {
            Kind::Empty => (Inner::Once(None), Some(0)),
            Kind::Bytes(b) => (Inner::Once(Some(b.clone())), Some(b.len() as u64)),
            Kind::Chunks(c) => {
                let len = c.iter().map(|b| b.len() as u64).sum();
                let chunks: Vec<Bytes> = c.iter().filter(|b| !b.is_empty()).cloned().collect();
                let stream: DynStream =
                    Box::pin(futures_util::stream::iter(chunks.into_iter().map(Ok)));
                (Inner::Stream(stream), Some(len))
            }
            Kind::File { path, offset, len } => {
                let file = tokio::fs::File::open(path).await?.into_std().await;
                (Inner::Stream(read_ahead(file, *offset, *len)), Some(*len))
            }
            Kind::Stream { stream, len } => {
                let taken = stream.lock().unwrap_or_else(PoisonError::into_inner).take();
                match taken {
                    Some(s) => (Inner::Stream(s), *len),
                    None => return Ok(None),
                }
            }
        };
        Ok(Some(HttpRequestBody {
            inner,
            remaining: len,
            crc,
            progress: self.progress.clone().map(|f| (f, 0)),
        }))
    }
}

/// The size of the chunks a file body is read in.
const FILE_CHUNK: usize = 512 * 1024;

/// Chunks a file body's reader keeps ready ahead of the connection.
const FILE_READ_AHEAD: usize = 2;

/// `len` bytes of `file` from `offset`, read on one blocking thread [`FILE_CHUNK`] at a time
/// and at most [`FILE_READ_AHEAD`] chunks ahead of the connection: reading the file overlaps
/// sending, each chunk is read straight into its own buffer, and the whole body costs one
/// blocking task rather than one per read. A file shorter than `len` ends the stream early
/// (the body then reports the shortfall). Dropping the stream stops the reader.
fn read_ahead(mut file: std::fs::File, offset: u64, len: u64) -> DynStream {
    use std::io::{Read as _, Seek as _};
    let (tx, rx) = tokio::sync::mpsc::channel::<io::Result<Bytes>>(FILE_READ_AHEAD);
    tokio::task::spawn_blocking(move || {
        if offset > 0
            && let Err(e) = file.seek(io::SeekFrom::Start(offset))
        {
            let _ = tx.blocking_send(Err(e));
            return;
        }
        let mut left = len;
        while left > 0 {
            let want = usize::try_from(left.min(FILE_CHUNK as u64)).unwrap_or(FILE_CHUNK);
            let mut buf = Vec::with_capacity(want);
            let chunk = match (&mut file).take(want as u64).read_to_end(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    left -= n as u64;
                    Ok(Bytes::from(buf))
                }
                Err(e) => Err(e),
            };
            let failed = chunk.is_err();
            if tx.blocking_send(chunk).is_err() || failed {
                return;
            }
        }
    });
    Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    }))
}

impl Default for Body {
    fn default() -> Self {
        Body::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Empty => f.write_str("Body::Empty"),
            Kind::Bytes(b) => write!(f, "Body::Bytes({} bytes)", b.len()),
            Kind::Chunks(c) => write!(
                f,
                "Body::Chunks({} chunks, {} bytes)",
                c.len(),
                c.iter().map(Bytes::len).sum::<usize>()
            ),
            Kind::File { path, offset, len } => {
                write!(
                    f,
                    "Body::File({}, offset {offset}, {len} bytes)",
                    path.display()
                )
            }
            Kind::Stream { len, .. } => write!(f, "Body::Stream(length {len:?})"),
        }
    }
}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Self {
        Body {
            kind: Kind::Bytes(b),
            progress: None,
        }
    }
}

/// The rest of an open file (from its current position), read once through
/// [`Body::from_read`]; `Content-Length` is its remaining length. Prefer
/// [`Body::from_file_range`] with the path when a retry should be able to resend the data.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("f.txt");
/// std::fs::write(&path, b"0123456789").unwrap();
/// let body = oss_client::Body::from(std::fs::File::open(&path).unwrap());
/// assert_eq!(body.content_length(), Some(10));
/// ```
impl From<std::fs::File> for Body {
    fn from(mut file: std::fs::File) -> Self {
        use std::io::Seek as _;
        let len = file
            .metadata()
            .ok()
            .zip(file.stream_position().ok())
            .map(|(meta, position)| meta.len().saturating_sub(position));
        Body::from_read(file, len)
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Self {
        Body::from(Bytes::from(v))
    }
}

impl From<String> for Body {
    fn from(s: String) -> Self {
        Body::from(Bytes::from(s))
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Self {
        Body::from(Bytes::from_static(s.as_bytes()))
    }
}

impl From<&'static [u8]> for Body {
    fn from(s: &'static [u8]) -> Self {
        Body::from(Bytes::from_static(s))
    }
}

/// The CRC-64 of the bytes actually handed to the connection, shared with the attempt loop.
#[derive(Clone, Debug, Default)]
pub(crate) struct CrcTracker(Arc<Mutex<Crc64>>);

impl CrcTracker {
    fn update(&self, data: &[u8]) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .update(data);
    }

    /// The checksum and the number of bytes seen so far.
    pub(crate) fn finish(&self) -> (u64, u64) {
        let crc = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        (crc.finish(), crc.len())
    }
}

enum Inner {
    Once(Option<Bytes>),
    Stream(DynStream),
}

/// The body of one request as the client hands it to an [`HttpClient`](super::HttpClient): an
/// `http_body::Body` of `Bytes` chunks, with an exact size hint when the length is known.
///
/// The client builds one per attempt (from a [`Body`], or from the document an operation
/// sends); a transport only polls it. Built directly, it holds fixed bytes:
///
/// ```
/// use http_body_util::BodyExt as _;
/// use oss_client::transport::HttpRequestBody;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let body = HttpRequestBody::from(bytes::Bytes::from_static(b"<Tagging/>"));
/// assert_eq!(http_body::Body::size_hint(&body).exact(), Some(10));
/// assert_eq!(&body.collect().await.unwrap().to_bytes()[..], b"<Tagging/>");
/// # });
/// ```
pub struct HttpRequestBody {
    inner: Inner,
    remaining: Option<u64>,
    crc: CrcTracker,
    /// The observer and the bytes this attempt sent so far.
    progress: Option<(SendProgress, u64)>,
}

impl HttpRequestBody {
    /// A body with fixed content (documents built by the protocol layer).
    pub(crate) fn from_bytes(bytes: Bytes, crc: CrcTracker) -> Self {
        let len = bytes.len() as u64;
        HttpRequestBody {
            inner: Inner::Once(Some(bytes)),
            remaining: Some(len),
            crc,
            progress: None,
        }
    }
}

impl From<Bytes> for HttpRequestBody {
    fn from(bytes: Bytes) -> Self {
        HttpRequestBody::from_bytes(bytes, CrcTracker::default())
    }
}

impl fmt::Debug for HttpRequestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.remaining {
            Some(n) => write!(f, "HttpRequestBody({n} bytes left)"),
            None => f.write_str("HttpRequestBody(length unknown)"),
        }
    }
}

impl http_body::Body for HttpRequestBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        let next = match &mut this.inner {
            Inner::Once(b) => b.take().filter(|b| !b.is_empty()).map(Ok),
            Inner::Stream(s) => match s.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(item) => item,
            },
        };
        match next {
            Some(Ok(chunk)) => {
                this.crc.update(&chunk);
                if let Some(left) = this.remaining.as_mut() {
                    let n = chunk.len() as u64;
                    if n > *left {
                        return Poll::Ready(Some(Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "request body is longer than its declared length",
                        ))));
                    }
                    *left -= n;
                }
                if let Some((observer, sent)) = this.progress.as_mut() {
                    *sent += chunk.len() as u64;
                    observer(*sent);
                }
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            Some(Err(e)) => Poll::Ready(Some(Err(e))),
            None => {
                if let Some(left) = this.remaining
                    && left > 0
                {
                    return Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("request body ended {left} bytes short of its declared length"),
                    ))));
                }
                Poll::Ready(None)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.inner {
            Inner::Once(b) => b.as_ref().is_none_or(|b| b.is_empty()),
            Inner::Stream(_) => self.remaining == Some(0),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self.remaining {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt as _;

    async fn send_all(body: &Body) -> (Bytes, u64) {
        let crc = CrcTracker::default();
        let send = body.for_attempt(crc.clone()).await.unwrap().unwrap();
        let data = send.collect().await.unwrap().to_bytes();
        (data, crc.finish().0)
    }

    #[tokio::test]
    async fn chunks_replay_in_order() {
        let body = Body::from_chunks(vec![
            Bytes::from_static(b"1234"),
            Bytes::new(),
            Bytes::from_static(b"56789"),
        ]);
        for _ in 0..2 {
            let (data, crc) = send_all(&body).await;
            assert_eq!(&data[..], b"123456789");
            assert_eq!(crc, 0x995D_C9BB_DF19_39FA);
        }
    }

    #[tokio::test]
    async fn bytes_replay_and_checksum() {
        let body = Body::from("123456789");
        for _ in 0..2 {
            let (data, crc) = send_all(&body).await;
            assert_eq!(&data[..], b"123456789");
            // The CRC-64/XZ check value of "123456789" (catalogue of CRC parameters).
            assert_eq!(crc, 0x995D_C9BB_DF19_39FA);
        }
    }

    #[tokio::test]
    async fn file_range_is_reopened_per_attempt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data");
        std::fs::write(&path, b"abcdefghij").unwrap();
        let body = Body::from_file_range(&path, 2, 5);
        assert_eq!(body.content_length(), Some(5));
        for _ in 0..2 {
            assert_eq!(&send_all(&body).await.0[..], b"cdefg");
        }
    }

    #[tokio::test]
    async fn send_progress_restarts_per_attempt() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data");
        // Three chunks of the file reader: progress is seen between them.
        let len = 2 * FILE_CHUNK + 1000;
        std::fs::write(&path, vec![7u8; len]).unwrap();
        let len = len as u64;
        let body = Body::from_file_range(&path, 0, len)
            .on_send_progress(Arc::new(move |n| log.lock().unwrap().push(n)));
        for _ in 0..2 {
            assert_eq!(send_all(&body).await.0.len() as u64, len);
        }
        let seen = seen.lock().unwrap().clone();
        // Two attempts, each counting up from the start to the whole length.
        assert_eq!(seen.iter().filter(|&&n| n == len).count(), 2);
        assert!(seen[0] < len);
        let restart = seen.iter().position(|&n| n == len).unwrap() + 1;
        assert!(seen[restart] < len);
    }

    #[tokio::test]
    async fn a_file_shorter_than_its_range_fails_the_body() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data");
        std::fs::write(&path, vec![1u8; FILE_CHUNK + 10]).unwrap();
        let body = Body::from_file_range(&path, 0, 2 * FILE_CHUNK as u64);
        let send = body
            .for_attempt(CrcTracker::default())
            .await
            .unwrap()
            .unwrap();
        let err = http_body_util::BodyExt::collect(send).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(err.to_string().contains("short"), "{err}");
    }

    #[tokio::test]
    async fn stream_is_sent_once() {
        let chunks = vec![Ok(Bytes::from_static(b"ab")), Ok(Bytes::from_static(b"cd"))];
        let body = Body::from_stream(futures_util::stream::iter(chunks), Some(4));
        assert!(!body.is_replayable());
        assert_eq!(&send_all(&body).await.0[..], b"abcd");
        assert!(
            body.for_attempt(CrcTracker::default())
                .await
                .unwrap()
                .is_none()
        );
    }

    #[tokio::test]
    async fn async_read_with_wrong_length_fails() {
        let body = Body::from_async_read(&b"abc"[..], Some(5));
        let send = body
            .for_attempt(CrcTracker::default())
            .await
            .unwrap()
            .unwrap();
        let err = send.collect().await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use http_body_util::BodyExt as _;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn streamed_crc_matches_whole_data_crc(data in proptest::collection::vec(any::<u8>(), 0..4096), cuts in proptest::collection::vec(any::<usize>(), 0..8)) {
            let mut points: Vec<usize> = cuts.iter().map(|c| if data.is_empty() { 0 } else { c % data.len() }).collect();
            points.push(0);
            points.push(data.len());
            points.sort_unstable();
            let chunks: Vec<io::Result<Bytes>> = points
                .windows(2)
                .map(|w| Ok(Bytes::copy_from_slice(&data[w[0]..w[1]])))
                .collect();
            let body = Body::from_stream(futures_util::stream::iter(chunks), Some(data.len() as u64));
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let crc = CrcTracker::default();
            let sent = rt.block_on(async {
                let send = body.for_attempt(crc.clone()).await.unwrap().unwrap();
                send.collect().await.unwrap().to_bytes()
            });
            prop_assert_eq!(&sent[..], &data[..]);
            prop_assert_eq!(crc.finish(), (oss_proto::crc::checksum(&data), data.len() as u64));
        }
    }
}
