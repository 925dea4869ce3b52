//! What a handler answers, and the response body type (which can cut the connection short).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::StatusCode;
use http_body::{Body, Frame, SizeHint};

/// How many bytes of a file body are read per frame.
const FILE_CHUNK: usize = 256 * 1024;

/// A stretch of object data on the disk store to send as the body, read in
/// chunks while the response is written. Its files are opened by the handler, so data replaced
/// or removed afterwards does not change what this response sends.
#[derive(Debug)]
pub(crate) struct FileBody {
    /// The object's data from where the body starts (its files open already).
    pub(crate) data: crate::storage::DataReader,
    /// How many bytes to send from there.
    pub(crate) len: u64,
}

/// A handler's answer before the server adds the common headers.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
    /// A body streamed from a file instead of `body`.
    pub(crate) file: Option<FileBody>,
    /// For HEAD: the length to announce without a body.
    pub(crate) head_length: Option<u64>,
}

impl Reply {
    /// `200 OK`, no body.
    pub(crate) fn ok() -> Self {
        Reply {
            status: StatusCode::OK,
            headers: Vec::new(),
            body: Bytes::new(),
            file: None,
            head_length: None,
        }
    }

    /// A `200 OK` XML document.
    pub(crate) fn xml(doc: String) -> Self {
        Reply::ok()
            .header("Content-Type", "application/xml")
            .body(Bytes::from(doc))
    }

    pub(crate) fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub(crate) fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub(crate) fn body(mut self, body: Bytes) -> Self {
        self.body = body;
        self
    }

    /// The length of the body (in memory or in a file).
    pub(crate) fn body_len(&self) -> u64 {
        match &self.file {
            Some(f) => f.len,
            None => self.body.len() as u64,
        }
    }
}

/// A file stretch being sent: the reader (positioned) and how many bytes remain.
/// Chunks of a file body read ahead by a blocking task.
#[derive(Debug)]
struct FileReader {
    chunks: tokio::sync::mpsc::Receiver<io::Result<Bytes>>,
    remaining: u64,
}

/// Chunks a file body's reader keeps ready ahead of the connection.
const FILE_READ_AHEAD: usize = 4;

impl FileReader {
    /// Reads `len` bytes of `file` from its position in a blocking task, [`FILE_CHUNK`] at a
    /// time, at most [`FILE_READ_AHEAD`] chunks ahead of the connection: reading the file and
    /// sending on the socket overlap, and each chunk is read straight into its own buffer.
    /// Dropping the reader (the connection closed) stops the task.
    fn spawn(mut file: crate::storage::DataReader, len: u64) -> FileReader {
        let (tx, chunks) = tokio::sync::mpsc::channel(FILE_READ_AHEAD);
        tokio::task::spawn_blocking(move || {
            let mut left = len;
            while left > 0 {
                let want = left.min(FILE_CHUNK as u64);
                let want = usize::try_from(want).unwrap_or(FILE_CHUNK);
                let mut buf = Vec::with_capacity(want);
                let chunk = match file.read_into(&mut buf, want) {
                    Ok(0) => Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "object data ended early",
                    )),
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
        FileReader {
            chunks,
            remaining: len,
        }
    }
}

/// A response body, in memory or streamed from a file. With `reset_after`, it yields that
/// many bytes and then an error, which makes hyper drop the connection mid-body.
#[derive(Debug)]
pub(crate) struct EmuBody {
    data: Option<Bytes>,
    file: Option<FileReader>,
    fail: bool,
    len: u64,
    /// Gives hyper time to flush what was sent before the reset.
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
    /// Counts the body bytes handed to hyper (the emulator's `body_bytes_sent`).
    sent: Option<Arc<AtomicU64>>,
}

impl EmuBody {
    pub(crate) fn new(data: Bytes, reset_after: Option<u64>) -> Self {
        let len = data.len() as u64;
        match reset_after {
            Some(n) if n < len => {
                let cut = usize::try_from(n).unwrap_or(usize::MAX);
                EmuBody {
                    data: Some(data.slice(..cut)),
                    file: None,
                    fail: true,
                    len,
                    pause: None,
                    sent: None,
                }
            }
            _ => EmuBody {
                data: Some(data).filter(|d| !d.is_empty()),
                file: None,
                fail: false,
                len,
                pause: None,
                sent: None,
            },
        }
    }

    /// A body read from `source` in chunks as hyper asks for it.
    pub(crate) fn from_file(source: FileBody, reset_after: Option<u64>) -> Self {
        let FileBody { data, len } = source;
        let (remaining, fail) = match reset_after {
            Some(n) if n < len => (n, true),
            _ => (len, false),
        };
        EmuBody {
            data: None,
            file: (remaining > 0).then(|| FileReader::spawn(data, remaining)),
            fail,
            len,
            pause: None,
            sent: None,
        }
    }

    /// The same body, adding the bytes it yields to `counter`.
    pub(crate) fn counted(mut self, counter: Arc<AtomicU64>) -> Self {
        self.sent = Some(counter);
        self
    }

    fn count(&self, n: usize) {
        if let Some(c) = &self.sent {
            c.fetch_add(n as u64, Ordering::Relaxed);
        }
    }
}

impl Body for EmuBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(d) = self.data.take() {
            if self.fail {
                self.pause = Some(Box::pin(tokio::time::sleep(
                    std::time::Duration::from_millis(50),
                )));
            }
            self.count(d.len());
            return Poll::Ready(Some(Ok(Frame::data(d))));
        }
        if let Some(reader) = self.file.as_mut() {
            match reader.chunks.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(data))) => {
                    let n = data.len();
                    reader.remaining = reader.remaining.saturating_sub(n as u64);
                    if reader.remaining == 0 {
                        self.file = None;
                        if self.fail {
                            self.pause = Some(Box::pin(tokio::time::sleep(
                                std::time::Duration::from_millis(50),
                            )));
                        }
                    }
                    self.count(n);
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                Poll::Ready(Some(Err(e))) => {
                    self.file = None;
                    self.fail = false;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    // The reader stopped before the announced length: cut the connection.
                    self.file = None;
                    self.fail = false;
                    return Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "object data ended early",
                    ))));
                }
            }
        }
        if let Some(pause) = self.pause.as_mut() {
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.pause = None;
        }
        if self.fail {
            self.fail = false;
            return Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "fault injection: reset",
            ))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && self.file.is_none() && !self.fail
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len)
    }
}
