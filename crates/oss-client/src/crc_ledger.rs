//! CRC-64 checks that need earlier responses: an append at a position P > 0 (OSS returns the
//! CRC of the whole object, so the CRC of its first P bytes must be known) and
//! CompleteMultipartUpload (OSS returns the CRC of the assembled object, which follows from the
//! parts' CRCs).
//!
//! The ledger remembers, in bounded least-recently-used maps, what this client saw: the CRC of an
//! appendable object after each of its appends, and the CRC and size of each part it uploaded.
//! An operation is checked only when everything it depends on is known; anything uncertain
//! (a failed or abandoned request, a part copied without a known size, an upload this client
//! did not start) makes the dependent check be skipped rather than risk a false mismatch.
//! Writes by other clients cannot be seen: an object rewritten elsewhere between two appends of
//! this client, or a part added elsewhere to an upload this client initiated and then completes
//! with `x-oss-complete-all`, is reported as a mismatch (the object is then not what this client
//! wrote). Listed parts are matched by number and ETag, so a part replaced elsewhere is skipped.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use bytes::Bytes;
use oss_model::xml::XmlDocument as _;
use oss_proto::crc::{combine, header_value};
use oss_proto::generated::{AppendObject, InitiateMultipartUpload};
use oss_proto::operation::{Operation as _, RequestBody, RequestParts};

use crate::lru::Lru;

/// Appendable objects remembered (one entry per object).
const MAX_APPENDS: usize = 4096;
/// Multipart uploads remembered.
const MAX_UPLOADS: usize = 1024;
/// Part records remembered over all uploads; beyond, the least recently used uploads go.
const MAX_PARTS: usize = 20_000;

const NEXT_APPEND_POSITION: &str = "x-oss-next-append-position";

/// What this client knows of the CRCs of appendable objects and multipart uploads.
#[derive(Debug)]
pub(crate) struct CrcLedger {
    /// `(bucket, key)` → the object's length and CRC after this client's last append.
    appends: Mutex<Lru<(String, String), AppendState>>,
    /// Upload ID → its parts.
    uploads: Mutex<Lru<String, UploadState>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AppendState {
    next_position: u64,
    crc: u64,
}

#[derive(Debug, Default)]
struct UploadState {
    /// This client initiated the upload, so it has seen every part uploaded through it.
    initiated_here: bool,
    /// A part request failed or could not be recorded: the part set is not known.
    tainted: bool,
    /// Part requests begun and not yet settled (an abandoned one never settles).
    in_flight: u32,
    parts: BTreeMap<u32, PartRecord>,
}

#[derive(Debug, Clone)]
struct PartRecord {
    crc: u64,
    size: u64,
    /// The ETag OSS returned, without quotes, when it returned one.
    etag: Option<String>,
}

/// What an operation's check needs from the ledger, taken before the request is sent.
#[derive(Debug)]
pub(crate) enum Pending {
    /// Nothing to check or record.
    None,
    Append {
        bucket: String,
        key: String,
        position: u64,
        /// The CRC of the object's first `position` bytes, when known.
        start_crc: Option<u64>,
    },
    UploadPart {
        upload_id: String,
        part_number: u32,
    },
    UploadPartCopy {
        upload_id: String,
        part_number: u32,
        size: Option<u64>,
    },
    Initiate,
    Complete {
        upload_id: String,
        /// The CRC of the assembled object, when every part is known.
        expected: Option<u64>,
    },
}

/// A successful exchange, as the ledger needs it.
pub(crate) struct Exchange<'a> {
    pub(crate) head: &'a http::response::Parts,
    /// The response body when it was buffered.
    pub(crate) body: &'a Bytes,
    /// CRC-64 and length of the request body sent.
    pub(crate) sent: (u64, u64),
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn body_of(parts: &RequestParts) -> &[u8] {
    match &parts.body {
        RequestBody::Bytes(b) => b,
        _ => &[],
    }
}

/// The value of query parameter `name` of the client's own request.
fn query<'a>(parts: &'a RequestParts, name: &str) -> Option<&'a str> {
    parts
        .query
        .iter()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.as_deref())
}

/// The value of header `name` of the client's own request.
fn header<'a>(parts: &'a RequestParts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The upload id and part number of an UploadPart or UploadPartCopy request.
fn upload_part(parts: &RequestParts) -> Option<(String, u32)> {
    let upload_id = query(parts, "uploadId")?;
    let part_number = query(parts, "partNumber")?.parse().ok()?;
    Some((upload_id.to_owned(), part_number))
}

fn unquote(etag: &str) -> String {
    etag.trim().trim_matches('"').to_ascii_uppercase()
}

/// The size of a copied range `bytes=a-b`.
fn range_size(range: &str) -> Option<u64> {
    let (a, b) = range.trim().strip_prefix("bytes=")?.split_once('-')?;
    let (a, b) = (a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?);
    b.checked_sub(a)?.checked_add(1)
}

fn mismatch(expected: u64, actual: u64) -> oss_proto::Error {
    oss_proto::Error::ChecksumMismatch {
        algorithm: "crc64ecma",
        expected: expected.to_string(),
        actual: actual.to_string(),
    }
}

impl Default for CrcLedger {
    fn default() -> Self {
        CrcLedger {
            appends: Mutex::new(Lru::new(MAX_APPENDS)),
            uploads: Mutex::new(Lru::new(MAX_UPLOADS)),
        }
    }
}

impl CrcLedger {
    /// Declares that the first `position` bytes of `bucket/key` have CRC-64 `crc`.
    pub(crate) fn expect_append(&self, bucket: &str, key: &str, position: u64, crc: u64) {
        lock(&self.appends).insert(
            (bucket.to_owned(), key.to_owned()),
            AppendState {
                next_position: position,
                crc,
            },
        );
    }

    /// Takes what `operation`'s check needs, before its request is sent; forgets what the
    /// request may change.
    pub(crate) fn begin(&self, operation: &str, parts: &RequestParts) -> Pending {
        let writes = matches!(
            parts.method,
            http::Method::PUT | http::Method::POST | http::Method::DELETE
        );
        if writes
            && operation != AppendObject::METADATA.name
            && let (Some(bucket), Some(key)) = (&parts.bucket, &parts.key)
        {
            // The object may change: an append after this one is no longer known.
            lock(&self.appends).remove(&(bucket.clone(), key.clone()));
        }
        match operation {
            "AppendObject" => self.begin_append(parts),
            "UploadPart" => match upload_part(parts) {
                Some((upload_id, part_number)) => {
                    self.begin_part(&upload_id, part_number);
                    Pending::UploadPart {
                        upload_id,
                        part_number,
                    }
                }
                None => Pending::None,
            },
            "UploadPartCopy" => match upload_part(parts) {
                Some((upload_id, part_number)) => {
                    self.begin_part(&upload_id, part_number);
                    Pending::UploadPartCopy {
                        upload_id,
                        part_number,
                        size: header(parts, "x-oss-copy-source-range").and_then(range_size),
                    }
                }
                None => Pending::None,
            },
            "InitiateMultipartUpload" => Pending::Initiate,
            "CompleteMultipartUpload" => self.begin_complete(parts),
            "AbortMultipartUpload" => {
                if let Some(upload_id) = query(parts, "uploadId") {
                    lock(&self.uploads).remove(&upload_id.to_owned());
                }
                Pending::None
            }
            _ => Pending::None,
        }
    }

    fn begin_append(&self, parts: &RequestParts) -> Pending {
        let (Some(bucket), Some(key), Some(Ok(position))) = (
            parts.bucket.clone(),
            parts.key.clone(),
            query(parts, "position").map(str::parse::<u64>),
        ) else {
            return Pending::None;
        };
        let known = lock(&self.appends).remove(&(bucket.clone(), key.clone()));
        let start_crc = match known {
            _ if position == 0 => Some(0),
            Some(state) if state.next_position == position => Some(state.crc),
            _ => None,
        };
        Pending::Append {
            bucket,
            key,
            position,
            start_crc,
        }
    }

    fn begin_part(&self, upload_id: &str, part_number: u32) {
        let mut uploads = lock(&self.uploads);
        let state = uploads.get_or_insert_with(&upload_id.to_owned(), UploadState::default);
        state.parts.remove(&part_number);
        state.in_flight += 1;
    }

    fn begin_complete(&self, parts: &RequestParts) -> Pending {
        let Some(upload_id) = query(parts, "uploadId").map(str::to_owned) else {
            return Pending::None;
        };
        let body = body_of(parts);
        let listed = if body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            match oss_model::CompleteMultipartUpload::from_xml(body) {
                Ok(list) => Some(list),
                Err(_) => return Pending::None,
            }
        };
        let mut uploads = lock(&self.uploads);
        let Some(state) = uploads.get_mut(&upload_id) else {
            return Pending::None;
        };
        let complete_all =
            header(parts, "x-oss-complete-all").is_some_and(|v| v.eq_ignore_ascii_case("yes"));
        let records: Option<Vec<&PartRecord>> = if complete_all {
            (state.initiated_here && !state.tainted && state.in_flight == 0)
                .then(|| state.parts.values().collect())
        } else {
            listed.as_ref().and_then(|list| {
                list.parts
                    .iter()
                    .map(|listed| {
                        let record = state.parts.get(&u32::try_from(listed.part_number).ok()?)?;
                        match &record.etag {
                            Some(etag) if *etag != unquote(&listed.etag) => None,
                            _ => Some(record),
                        }
                    })
                    .collect()
            })
        };
        let expected = records.and_then(|records| {
            let (first, rest) = records.split_first()?;
            Some(
                rest.iter()
                    .fold(first.crc, |crc, part| combine(crc, part.crc, part.size)),
            )
        });
        Pending::Complete {
            upload_id,
            expected,
        }
    }

    /// Checks and records the outcome of the operation `pending` was taken for: `Some` for a
    /// success, `None` for a failure. A CRC that contradicts the ledger is
    /// [`ChecksumMismatch`](oss_proto::Error::ChecksumMismatch).
    pub(crate) fn settle(
        &self,
        pending: Pending,
        success: Option<&Exchange<'_>>,
    ) -> Result<(), oss_proto::Error> {
        match pending {
            Pending::None => Ok(()),
            Pending::Append {
                bucket,
                key,
                position,
                start_crc,
            } => {
                let Some(exchange) = success else {
                    return Ok(());
                };
                self.settle_append(bucket, key, position, start_crc, exchange)
            }
            Pending::UploadPart {
                upload_id,
                part_number,
            } => {
                let record = success.map(|exchange| PartRecord {
                    crc: exchange.sent.0,
                    size: exchange.sent.1,
                    etag: exchange
                        .head
                        .headers
                        .get(http::header::ETAG)
                        .and_then(|v| v.to_str().ok())
                        .map(unquote),
                });
                self.settle_part(&upload_id, part_number, record);
                Ok(())
            }
            Pending::UploadPartCopy {
                upload_id,
                part_number,
                size,
            } => {
                let crc = success.and_then(|e| header_value(&e.head.headers).ok().flatten());
                let record = crc.zip(size).map(|(crc, size)| PartRecord {
                    crc,
                    size,
                    etag: None,
                });
                self.settle_part(&upload_id, part_number, record);
                Ok(())
            }
            Pending::Initiate => {
                if let Some(exchange) = success
                    && let Ok(output) =
                        InitiateMultipartUpload::parse_output(exchange.head, exchange.body.clone())
                {
                    lock(&self.uploads).insert(
                        output.upload_id,
                        UploadState {
                            initiated_here: true,
                            ..UploadState::default()
                        },
                    );
                }
                Ok(())
            }
            Pending::Complete {
                upload_id,
                expected,
            } => {
                let Some(exchange) = success else {
                    return Ok(());
                };
                lock(&self.uploads).remove(&upload_id);
                match (
                    expected,
                    header_value(&exchange.head.headers).ok().flatten(),
                ) {
                    (Some(expected), Some(returned)) if expected != returned => {
                        Err(mismatch(returned, expected))
                    }
                    _ => Ok(()),
                }
            }
        }
    }

    fn settle_append(
        &self,
        bucket: String,
        key: String,
        position: u64,
        start_crc: Option<u64>,
        exchange: &Exchange<'_>,
    ) -> Result<(), oss_proto::Error> {
        let (sent_crc, sent_len) = exchange.sent;
        let computed = match start_crc {
            _ if position == 0 => Some(sent_crc),
            Some(start) => Some(combine(start, sent_crc, sent_len)),
            None => None,
        };
        let returned = header_value(&exchange.head.headers).ok().flatten();
        if let (Some(computed), Some(returned)) = (computed, returned)
            && computed != returned
        {
            return Err(mismatch(returned, computed));
        }
        let next_position = exchange
            .head
            .headers
            .get(NEXT_APPEND_POSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .or_else(|| position.checked_add(sent_len));
        if let (Some(next_position), Some(crc)) = (next_position, returned.or(computed)) {
            lock(&self.appends).insert((bucket, key), AppendState { next_position, crc });
        }
        Ok(())
    }

    fn settle_part(&self, upload_id: &str, part_number: u32, record: Option<PartRecord>) {
        let mut uploads = lock(&self.uploads);
        let state = uploads.get_or_insert_with(&upload_id.to_owned(), UploadState::default);
        state.in_flight = state.in_flight.saturating_sub(1);
        match record {
            Some(record) => {
                state.parts.insert(part_number, record);
            }
            None => state.tainted = true,
        }
        let mut total: usize = uploads.values().map(|u| u.parts.len()).sum();
        while total > MAX_PARTS {
            match uploads.pop_oldest() {
                Some((_, dropped)) => total -= dropped.parts.len(),
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copied_range_sizes() {
        assert_eq!(range_size("bytes=0-99"), Some(100));
        assert_eq!(range_size("bytes=10-10"), Some(1));
        assert_eq!(range_size("bytes=10-"), None);
        assert_eq!(range_size("bytes=9-3"), None);
        assert_eq!(range_size("0-3"), None);
    }

    #[test]
    fn etags_compare_without_quotes_or_case() {
        assert_eq!(unquote("\"5B3C1A\""), unquote("5b3c1a"));
    }

    #[test]
    fn a_declared_crc_is_used_once_at_its_position() {
        let ledger = CrcLedger::default();
        ledger.expect_append("b", "k", 5, 42);
        let append = |position: &str| RequestParts {
            method: http::Method::POST,
            bucket: Some("b".into()),
            key: Some("k".into()),
            query: vec![
                ("append".into(), None),
                ("position".into(), Some(position.into())),
            ],
            headers: http::HeaderMap::new(),
            body: RequestBody::Streaming,
        };
        assert!(matches!(
            ledger.begin("AppendObject", &append("7")),
            Pending::Append {
                start_crc: None,
                ..
            }
        ));
        ledger.expect_append("b", "k", 5, 42);
        assert!(matches!(
            ledger.begin("AppendObject", &append("5")),
            Pending::Append {
                start_crc: Some(42),
                position: 5,
                ..
            }
        ));
        // Taken: a second request at the same position is not checked.
        assert!(matches!(
            ledger.begin("AppendObject", &append("5")),
            Pending::Append {
                start_crc: None,
                ..
            }
        ));
        // Another write to the object forgets what was known.
        ledger.expect_append("b", "k", 5, 42);
        let mut put = append("0");
        put.method = http::Method::PUT;
        put.query.clear();
        assert!(matches!(ledger.begin("PutObject", &put), Pending::None));
        assert!(matches!(
            ledger.begin("AppendObject", &append("5")),
            Pending::Append {
                start_crc: None,
                ..
            }
        ));
    }
}
