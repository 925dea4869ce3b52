//! What a handler answers, and the response body type (which can cut the connection short).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::StatusCode;
use http_body::{Body, Frame, SizeHint};

/// A handler's answer before the server adds the common headers.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Bytes,
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
}

/// A response body held in memory. With `reset_after`, it yields that many bytes and then an
/// error, which makes hyper drop the connection mid-body.
#[derive(Debug)]
pub(crate) struct EmuBody {
    data: Option<Bytes>,
    fail: bool,
    len: u64,
    /// Gives hyper time to flush what was sent before the reset.
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl EmuBody {
    pub(crate) fn new(data: Bytes, reset_after: Option<u64>) -> Self {
        let len = data.len() as u64;
        match reset_after {
            Some(n) if n < len => {
                let cut = usize::try_from(n).unwrap_or(usize::MAX);
                EmuBody {
                    data: Some(data.slice(..cut)),
                    fail: true,
                    len,
                    pause: None,
                }
            }
            _ => EmuBody {
                data: Some(data).filter(|d| !d.is_empty()),
                fail: false,
                len,
                pause: None,
            },
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
            return Poll::Ready(Some(Ok(Frame::data(d))));
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
        self.data.is_none() && !self.fail
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len)
    }
}
