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
    /// The in-memory body, in pieces sent in order (one for a document; an object's data kept
    /// in segments has several).
    pub(crate) body: Vec<Bytes>,
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
            body: Vec::new(),
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
        self.body = vec![body];
        self
    }

    /// The body as `pieces`, sent one after the other.
    pub(crate) fn pieces(mut self, pieces: Vec<Bytes>) -> Self {
        self.body = pieces;
        self
    }

    /// The length of the body (in memory, in pieces or in a file).
    pub(crate) fn body_len(&self) -> u64 {
        match &self.file {
            Some(f) => f.len,
            None => self.body.iter().map(|p| p.len() as u64).sum(),
        }
    }

    /// Takes the in-memory body, as the pieces to send.
    pub(crate) fn take_pieces(&mut self) -> Vec<Bytes> {
        std::mem::take(&mut self.body)
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
    /// In-memory pieces still to send, in order.
    data: std::collections::VecDeque<Bytes>,
    file: Option<FileReader>,
    fail: bool,
    len: u64,
    /// Gives hyper time to flush what was sent before the reset.
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
    /// Counts the body bytes handed to hyper (the emulator's `body_bytes_sent`).
    sent: Option<Arc<AtomicU64>>,
}

impl EmuBody {
    /// A body of `pieces` sent in order; with `reset_after` below their length, only that
    /// many bytes and then a reset.
    pub(crate) fn new(pieces: Vec<Bytes>, reset_after: Option<u64>) -> Self {
        let len = pieces.iter().map(|p| p.len() as u64).sum();
        let mut data: std::collections::VecDeque<Bytes> =
            pieces.into_iter().filter(|p| !p.is_empty()).collect();
        let fail = matches!(reset_after, Some(n) if n < len);
        if let (true, Some(n)) = (fail, reset_after) {
            let mut left = n;
            let mut kept = std::collections::VecDeque::new();
            while let Some(piece) = data.pop_front() {
                if left == 0 {
                    break;
                }
                let take = usize::try_from(left).unwrap_or(usize::MAX).min(piece.len());
                left -= take as u64;
                kept.push_back(piece.slice(..take));
            }
            if kept.is_empty() {
                // Still one (empty) frame, so the pause before the reset lets the head out.
                kept.push_back(Bytes::new());
            }
            data = kept;
        }
        EmuBody {
            data,
            file: None,
            fail,
            len,
            pause: None,
            sent: None,
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
            data: std::collections::VecDeque::new(),
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
        if let Some(d) = self.data.pop_front() {
            if self.fail && self.data.is_empty() {
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
        self.data.is_empty() && self.file.is_none() && !self.fail
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt as _;

    fn pieces() -> Vec<Bytes> {
        vec![
            Bytes::from_static(b"abc"),
            Bytes::new(),
            Bytes::from_static(b"defg"),
        ]
    }

    /// The data frames `body` yields before it ends, and whether it ended in an error.
    async fn drain(mut body: EmuBody) -> (Vec<u8>, bool) {
        let mut data = Vec::new();
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(frame) => data.extend_from_slice(&frame.into_data().expect("data")),
                Err(_) => return (data, true),
            }
        }
        (data, false)
    }

    #[tokio::test]
    async fn a_body_in_pieces_is_sent_whole_and_in_order() {
        let body = EmuBody::new(pieces(), None);
        assert_eq!(body.size_hint().exact(), Some(7));
        assert_eq!(drain(body).await, (b"abcdefg".to_vec(), false));
    }

    #[tokio::test]
    async fn a_reset_cuts_a_body_in_pieces_after_the_given_bytes() {
        // The announced length stays the whole body's: the client sees a short body.
        let body = EmuBody::new(pieces(), Some(5));
        assert_eq!(body.size_hint().exact(), Some(7));
        assert_eq!(drain(body).await, (b"abcde".to_vec(), true));
        assert_eq!(
            drain(EmuBody::new(pieces(), Some(0))).await,
            (Vec::new(), true)
        );
        // A reset at or past the end is no reset.
        assert_eq!(
            drain(EmuBody::new(pieces(), Some(7))).await,
            (b"abcdefg".to_vec(), false)
        );
    }
}
