//! Resuming a GetObject body that breaks off midway.
//!
//! A body cut by a reset connection or an idle timeout is picked up where it stopped: the
//! request is sent again for the bytes not yet received (`Range: bytes=N-M`), conditional on
//! the ETag of the first response (`If-Match`), so the pieces are of one version of the object
//! or the stream fails (`412 PreconditionFailed` when the object was replaced). The CRC-64 of
//! a whole-object read is computed here, once, over the body or its joined pieces, and
//! compared when the body ends: the attempt that made the [`Plan`] left its body stream
//! unchecked, so the data is hashed once.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt as _;
use oss_proto::crc::Crc64;
use oss_proto::operation::{OperationMetadata, RequestParts};

use crate::client::{RawBody, RawResponse};
use crate::error::{Error, TimeoutKind};
use crate::{ByteStream, Client};

type Reopen = Pin<Box<dyn Future<Output = Result<RawResponse, Error>> + Send>>;

/// Where a streaming response's body lies in the object, and how it is checked.
#[derive(Debug)]
pub(crate) struct Plan {
    /// The object's ETag: resumed ranges must match it. Without one, nothing is resumed.
    etag: Option<String>,
    /// Offset in the object of the body's first byte.
    start: u64,
    /// Offset in the object just past the body's last byte.
    end: u64,
    /// The whole object's CRC-64, for a whole-object read.
    expected_crc: Option<u64>,
}

impl Plan {
    /// The plan for a GetObject response: its ETag and its place in the object (from
    /// `Content-Range` for a 206, `Content-Length` for a 200). `None` when the body cannot be
    /// placed (no length), so a break cannot be resumed.
    pub(crate) fn for_response(
        head: &http::response::Parts,
        parts: &RequestParts,
        expected_crc: Option<u64>,
    ) -> Option<Plan> {
        // A processed object (`x-oss-process`) is a rendering, not a range of stored bytes.
        if parts.query.iter().any(|(k, _)| k == "x-oss-process") {
            return None;
        }
        let header =
            |name: http::header::HeaderName| head.headers.get(name).and_then(|v| v.to_str().ok());
        let (start, end) = match head.status {
            http::StatusCode::OK => (0, header(http::header::CONTENT_LENGTH)?.parse().ok()?),
            http::StatusCode::PARTIAL_CONTENT => {
                let range = header(http::header::CONTENT_RANGE)?;
                let spec = range.strip_prefix("bytes ")?;
                let (span, _) = spec.split_once('/')?;
                let (first, last) = span.split_once('-')?;
                let first: u64 = first.trim().parse().ok()?;
                let last: u64 = last.trim().parse().ok()?;
                (first, last.checked_add(1)?)
            }
            _ => return None,
        };
        Some(Plan {
            etag: header(http::header::ETAG).map(str::to_owned),
            start,
            end,
            expected_crc,
        })
    }
}

/// `first`'s body, resumed after breaks by requests of `client` repeating `parts` for the rest.
pub(crate) fn resuming(
    client: Client,
    meta: OperationMetadata,
    v1_signed_query: &'static [&'static str],
    parts: RequestParts,
    plan: Plan,
    first: ByteStream,
) -> ByteStream {
    let max_fruitless = client.retry_attempts().saturating_sub(1);
    let length = plan.end.checked_sub(plan.start);
    ByteStream::new(Resuming {
        client,
        meta,
        v1_signed_query,
        parts,
        next: plan.start,
        crc: plan.expected_crc.map(|e| (e, Crc64::new())),
        plan,
        state: State::Reading(first),
        fruitless: 0,
        max_fruitless,
        received_since_reopen: true,
    })
    .with_length(length)
}

enum State {
    Reading(ByteStream),
    Reopening(Reopen),
    Done,
}

struct Resuming {
    client: Client,
    meta: OperationMetadata,
    v1_signed_query: &'static [&'static str],
    parts: RequestParts,
    plan: Plan,
    /// Offset in the object of the next byte expected.
    next: u64,
    crc: Option<(u64, Crc64)>,
    state: State,
    /// Consecutive reopenings that brought no byte.
    fruitless: u32,
    max_fruitless: u32,
    received_since_reopen: bool,
}

/// A break worth resuming: the connection failed or went idle mid-body.
fn resumable(err: &Error) -> bool {
    matches!(
        err,
        Error::Transport { .. }
            | Error::Timeout {
                kind: TimeoutKind::Read,
                ..
            }
    )
}

impl Resuming {
    /// Starts the request for `[next, end)`, or gives `err` back when that is not possible.
    fn reopen(&mut self, err: Error) -> Result<(), Error> {
        let Some(etag) = self.plan.etag.clone() else {
            return Err(err);
        };
        if self.received_since_reopen {
            self.fruitless = 0;
        } else {
            self.fruitless += 1;
        }
        if self.fruitless >= self.max_fruitless.max(1) {
            return Err(err);
        }
        self.received_since_reopen = false;
        tracing::debug!(
            operation = self.meta.name,
            next = self.next,
            end = self.plan.end,
            error = %err,
            "resuming a broken body"
        );
        let mut parts = self.parts.clone();
        let set = |parts: &mut RequestParts, name: &'static str, value: String| {
            if let Ok(value) = http::HeaderValue::try_from(value) {
                parts
                    .headers
                    .insert(http::HeaderName::from_static(name), value);
            }
        };
        set(
            &mut parts,
            "range",
            format!("bytes={}-{}", self.next, self.plan.end - 1),
        );
        set(&mut parts, "if-match", etag);
        set(&mut parts, "x-oss-range-behavior", "standard".to_owned());
        let client = self.client.clone();
        let meta = self.meta.clone();
        let v1 = self.v1_signed_query;
        self.state = State::Reopening(Box::pin(async move {
            client.execute(&meta, v1, parts, None).await
        }));
        Ok(())
    }

    /// The body ended: check it is complete and, for a whole object, its CRC.
    fn finish(&mut self) -> Option<Result<Bytes, Error>> {
        self.state = State::Done;
        if let Some((expected, crc)) = self.crc.take() {
            let actual = crc.finish();
            if actual != expected {
                return Some(Err(Error::Protocol(oss_proto::Error::ChecksumMismatch {
                    algorithm: "crc64ecma",
                    expected: expected.to_string(),
                    actual: actual.to_string(),
                })));
            }
        }
        None
    }
}

impl Stream for Resuming {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Done => return Poll::Ready(None),
                State::Reading(body) => match ready!(body.poll_next_unpin(cx)) {
                    Some(Ok(data)) => {
                        let room = usize::try_from(this.plan.end - this.next).unwrap_or(usize::MAX);
                        let data = if data.len() > room {
                            data.slice(..room)
                        } else {
                            data
                        };
                        this.next += data.len() as u64;
                        this.received_since_reopen |= !data.is_empty();
                        if let Some((_, crc)) = this.crc.as_mut() {
                            crc.update(&data);
                        }
                        return Poll::Ready(Some(Ok(data)));
                    }
                    Some(Err(err)) if resumable(&err) && this.next < this.plan.end => {
                        if let Err(err) = this.reopen(err) {
                            this.state = State::Done;
                            return Poll::Ready(Some(Err(err)));
                        }
                    }
                    Some(Err(err)) => {
                        this.state = State::Done;
                        return Poll::Ready(Some(Err(err)));
                    }
                    None if this.next < this.plan.end => {
                        let err = Error::Transport {
                            operation: this.meta.name,
                            source: format!(
                                "the body ended at byte {} of {}",
                                this.next, this.plan.end
                            )
                            .into(),
                        };
                        if let Err(err) = this.reopen(err) {
                            this.state = State::Done;
                            return Poll::Ready(Some(Err(err)));
                        }
                    }
                    None => return Poll::Ready(this.finish()),
                },
                State::Reopening(fut) => {
                    let raw = match ready!(fut.as_mut().poll(cx)) {
                        Ok(raw) => raw,
                        Err(err) => {
                            this.state = State::Done;
                            return Poll::Ready(Some(Err(err)));
                        }
                    };
                    let placed = Plan::for_response(&raw.head, &this.parts, None);
                    match (placed, raw.body) {
                        (Some(p), RawBody::Streaming(body))
                            if p.start == this.next && p.end == this.plan.end =>
                        {
                            this.state = State::Reading(body);
                        }
                        _ => {
                            this.state = State::Done;
                            return Poll::Ready(Some(Err(Error::Transport {
                                operation: this.meta.name,
                                source: format!(
                                    "resuming at byte {}: the service answered another range",
                                    this.next
                                )
                                .into(),
                            })));
                        }
                    }
                }
            }
        }
    }
}
