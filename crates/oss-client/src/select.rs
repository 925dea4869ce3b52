//! SelectObject and CreateSelectObjectMeta responses read as frames: [`SelectStream`] turns
//! the response body into [`SelectFrame`]s (checking each frame's payload CRC-32), the result
//! bytes, or the result records.
//!
//! ```no_run
//! # async fn run(client: oss_client::Client) -> Result<(), oss_client::Error> {
//! use oss_client::select::{SelectQuery, select_expression};
//! let request = oss_model::SelectRequest {
//!     expression: select_expression("select name from ossobject where cast(age as int) > 30"),
//!     ..Default::default()
//! };
//! let mut records = client
//!     .select_object_stream(SelectQuery::csv("bucket", "people.csv", request))
//!     .await?;
//! while let Some(record) = records.next_record().await? {
//!     println!("{}", String::from_utf8_lossy(&record));
//! }
//! # Ok(()) }
//! ```

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt as _;
use oss_proto::select_frame::FrameDecoder;
pub use oss_proto::select_frame::{ScanEnd, SelectFrame, SelectFrameError};

use crate::client::Client;
use crate::error::Error;
use crate::transport::ByteStream;

/// The Base64 form of an SQL statement, as `SelectRequest::expression` carries it.
///
/// ```
/// assert_eq!(
///     oss_client::select::select_expression("select * from ossobject"),
///     "c2VsZWN0ICogZnJvbSBvc3NvYmplY3Q="
/// );
/// ```
pub fn select_expression(sql: &str) -> String {
    STANDARD.encode(sql)
}

/// What to select from: the object, its kind, and the request document.
///
/// ```
/// use oss_client::select::SelectQuery;
/// let q = SelectQuery::json("bucket", "data.json", oss_model::SelectRequest::default());
/// assert_eq!(q.process(), "json/select");
/// ```
#[derive(Debug, Clone)]
pub struct SelectQuery {
    bucket: String,
    key: String,
    json: bool,
    request: oss_model::SelectRequest,
}

impl SelectQuery {
    /// A query over a CSV object (`x-oss-process=csv/select`).
    pub fn csv(
        bucket: impl Into<String>,
        key: impl Into<String>,
        request: oss_model::SelectRequest,
    ) -> Self {
        SelectQuery {
            bucket: bucket.into(),
            key: key.into(),
            json: false,
            request,
        }
    }

    /// A query over a JSON object (`x-oss-process=json/select`).
    pub fn json(
        bucket: impl Into<String>,
        key: impl Into<String>,
        request: oss_model::SelectRequest,
    ) -> Self {
        SelectQuery {
            json: true,
            ..SelectQuery::csv(bucket, key, request)
        }
    }

    /// The `x-oss-process` value.
    pub fn process(&self) -> &'static str {
        if self.json {
            "json/select"
        } else {
            "csv/select"
        }
    }
}

/// Where a [`SelectStream`] reads from.
enum Source {
    /// A framed body.
    Frames(FrameDecoder),
    /// `OutputRawData`: the body is the result as is.
    Raw,
}

/// A select response body being read.
///
/// Built from the body of a SelectObject or CreateSelectObjectMeta response; a frame whose
/// payload CRC-32 differs from its payload is [`Error::SelectFrame`], an end frame with an
/// error status is [`Error::SelectFailed`] (from [`next_data`](SelectStream::next_data),
/// [`next_record`](SelectStream::next_record) and [`collect`](SelectStream::collect)).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use oss_client::ByteStream;
/// use oss_client::select::{ScanEnd, SelectFrame, SelectStream};
/// let mut body = SelectFrame::Data { offset: 4, data: b"a\nb".to_vec() }.encode(true);
/// body.extend(SelectFrame::Data { offset: 6, data: b"\n".to_vec() }.encode(true));
/// body.extend(SelectFrame::End(ScanEnd { status: 200, ..ScanEnd::default() }).encode(true));
/// let chunks = futures_util::stream::iter([Ok(bytes::Bytes::from(body))]);
/// let mut s = SelectStream::new(ByteStream::new(chunks));
/// assert_eq!(s.next_record().await.unwrap().as_deref(), Some(&b"a"[..]));
/// assert_eq!(s.next_record().await.unwrap().as_deref(), Some(&b"b"[..]));
/// assert_eq!(s.next_record().await.unwrap(), None);
/// assert_eq!(s.end().map(|e| e.status), Some(200));
/// # });
/// ```
pub struct SelectStream {
    body: ByteStream,
    source: Source,
    body_done: bool,
    end: Option<ScanEnd>,
    /// Result bytes not yet returned as a record.
    pending: BytesMut,
    record_delimiter: Vec<u8>,
}

impl std::fmt::Debug for SelectStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelectStream")
            .field("end", &self.end)
            .finish_non_exhaustive()
    }
}

impl SelectStream {
    /// Reads a framed body.
    pub fn new(body: ByteStream) -> Self {
        SelectStream {
            body,
            source: Source::Frames(FrameDecoder::new()),
            body_done: false,
            end: None,
            pending: BytesMut::new(),
            record_delimiter: b"\n".to_vec(),
        }
    }

    /// Reads a body of bare records (`OutputRawData`, `x-oss-select-output-raw: true`).
    pub fn raw(body: ByteStream) -> Self {
        SelectStream {
            source: Source::Raw,
            ..SelectStream::new(body)
        }
    }

    /// Sets the record delimiter [`next_record`](SelectStream::next_record) splits on (the
    /// output serialization's, `\n` by default).
    pub fn with_record_delimiter(mut self, delimiter: impl Into<Vec<u8>>) -> Self {
        let d = delimiter.into();
        if !d.is_empty() {
            self.record_delimiter = d;
        }
        self
    }

    /// The end (or meta end) frame, once read.
    pub fn end(&self) -> Option<&ScanEnd> {
        self.end.as_ref()
    }

    /// The next frame; `None` after the end frame. A raw body has no frames: its bytes come
    /// as data frames with offset 0.
    pub async fn next_frame(&mut self) -> Result<Option<SelectFrame>, Error> {
        loop {
            match &mut self.source {
                Source::Raw => {
                    if self.body_done {
                        return Ok(None);
                    }
                    match self.body.next().await {
                        Some(chunk) => {
                            return Ok(Some(SelectFrame::Data {
                                offset: 0,
                                data: chunk?.to_vec(),
                            }));
                        }
                        None => {
                            self.body_done = true;
                            return Ok(None);
                        }
                    }
                }
                Source::Frames(decoder) => {
                    if self.end.is_some() {
                        return Ok(None);
                    }
                    if let Some(frame) = decoder.next_frame().map_err(Error::SelectFrame)? {
                        if let SelectFrame::End(e)
                        | SelectFrame::MetaEndCsv(e)
                        | SelectFrame::MetaEndJson(e) = &frame
                        {
                            self.end = Some(e.clone());
                        }
                        return Ok(Some(frame));
                    }
                    if self.body_done {
                        decoder.finish().map_err(Error::SelectFrame)?;
                        return Ok(None);
                    }
                    match self.body.next().await {
                        Some(chunk) => decoder.push(&chunk?),
                        None => self.body_done = true,
                    }
                }
            }
        }
    }

    /// The next piece of result bytes (a data frame's payload); `None` at the end of a
    /// successful scan; [`Error::SelectFailed`] when the end frame reports an error.
    pub async fn next_data(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            match self.next_frame().await? {
                Some(SelectFrame::Data { data, .. }) => return Ok(Some(Bytes::from(data))),
                Some(SelectFrame::Continuous { .. }) => continue,
                Some(
                    SelectFrame::End(e) | SelectFrame::MetaEndCsv(e) | SelectFrame::MetaEndJson(e),
                ) if !e.succeeded() => {
                    return Err(Error::SelectFailed {
                        status: e.status,
                        message: e.error_message,
                    });
                }
                Some(_) => continue,
                None => return Ok(None),
            }
        }
    }

    /// The next record (without its delimiter), however the frames cut the result.
    pub async fn next_record(&mut self) -> Result<Option<Bytes>, Error> {
        loop {
            let d = &self.record_delimiter;
            if let Some(pos) = self
                .pending
                .windows(d.len())
                .position(|w| w == d.as_slice())
            {
                let record = self.pending.split_to(pos).freeze();
                let _ = self.pending.split_to(d.len());
                return Ok(Some(record));
            }
            match self.next_data().await? {
                Some(data) => self.pending.extend_from_slice(&data),
                None if self.pending.is_empty() => return Ok(None),
                None => return Ok(Some(self.pending.split().freeze())),
            }
        }
    }

    /// Reads the whole result: its bytes and the end frame (`None` for a raw body).
    pub async fn collect(mut self) -> Result<(Bytes, Option<ScanEnd>), Error> {
        let mut out = BytesMut::new();
        while let Some(data) = self.next_data().await? {
            out.extend_from_slice(&data);
        }
        Ok((out.freeze(), self.end))
    }
}

impl Client {
    /// Runs SelectObject and returns its response body as a [`SelectStream`] (framed, or raw
    /// when the request asked for `OutputRawData`); the stream splits records on the output
    /// serialization's record delimiter.
    ///
    /// A statement OSS refuses is a service error before any frame (`InvalidArgument`, 400).
    pub async fn select_object_stream(&self, query: SelectQuery) -> Result<SelectStream, Error> {
        let process = query.process();
        let delimiter = {
            let out = query.request.output_serialization.as_ref();
            let d = out.and_then(|o| match (&o.csv, &o.json) {
                (_, Some(j)) if query.json || o.csv.is_none() => j.record_delimiter.clone(),
                (Some(c), _) => c.record_delimiter.clone(),
                _ => None,
            });
            d.map(|d| decode_setting(&d))
                .unwrap_or_else(|| b"\n".to_vec())
        };
        let (output, body) = self
            .select_object()
            .bucket(query.bucket)
            .key(query.key)
            .process(process)
            .select_request(query.request)
            .send()
            .await?;
        let stream = if output.select_output_raw.as_deref() == Some("true") {
            SelectStream::raw(body)
        } else {
            SelectStream::new(body)
        };
        Ok(stream.with_record_delimiter(delimiter))
    }

    /// Runs CreateSelectObjectMeta on a CSV object (`json == false`, `document` a
    /// `CsvMetaRequest`) or a JSON LINES object (`JsonMetaRequest`) and returns the meta end
    /// frame: rows, splits and (CSV) columns.
    pub async fn create_select_object_meta_summary(
        &self,
        bucket: &str,
        key: &str,
        json: bool,
        document: String,
    ) -> Result<ScanEnd, Error> {
        let (_, body) = self
            .create_select_object_meta()
            .bucket(bucket)
            .key(key)
            .process(if json { "json/meta" } else { "csv/meta" })
            .content_type("application/xml")
            .body(document)
            .send()
            .await?;
        let mut stream = SelectStream::new(body);
        while stream.next_data().await?.is_some() {}
        stream
            .end
            .ok_or(Error::SelectFrame(SelectFrameError::Truncated))
    }
}

/// A delimiter setting as the server reads it: Base64 of one or two characters, or the
/// characters themselves.
fn decode_setting(value: &str) -> Vec<u8> {
    match STANDARD.decode(value) {
        Ok(raw) if (1..=2).contains(&String::from_utf8_lossy(&raw).chars().count()) => raw,
        _ => value.as_bytes().to_vec(),
    }
}
