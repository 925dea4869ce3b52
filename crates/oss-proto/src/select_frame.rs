//! The framed binary body of SelectObject and CreateSelectObjectMeta responses.
//!
//! Each frame is laid out as (all integers big-endian):
//!
//! | bytes | field |
//! | --- | --- |
//! | 1 | version (1) |
//! | 3 | frame type |
//! | 4 | payload length |
//! | 4 | header checksum (0: not used) |
//! | payload length | payload, starting with an 8-byte offset (how far the scan has read) |
//! | 4 | CRC-32 (IEEE) of the payload, 0 when `EnablePayloadCrc` was not asked for |
//!
//! The payload after the offset depends on the frame type:
//!
//! - data (8388609): result bytes;
//! - continuous (8388612): nothing (a keep-alive while the scan finds no records);
//! - end (8388613): total scanned bytes (8), HTTP status (4), error message (the rest);
//! - CSV meta end (8388614): total scanned (8), status (4), splits (4), rows (8), columns (4),
//!   error message;
//! - JSON meta end (8388615): total scanned (8), status (4), splits (4), rows (8), error message.
//!
//! [`FrameDecoder`] turns received bytes into [`SelectFrame`]s and rejects a frame whose CRC
//! differs from its payload's; [`SelectFrame::encode`] writes one (the emulator's side).

use std::fmt;

/// The frame format version this module reads and writes.
pub const FRAME_VERSION: u8 = 1;
/// Frame type of a data frame.
pub const DATA_FRAME: u32 = 8_388_609;
/// Frame type of a continuous (keep-alive) frame.
pub const CONTINUOUS_FRAME: u32 = 8_388_612;
/// Frame type of the end frame of a SelectObject response.
pub const END_FRAME: u32 = 8_388_613;
/// Frame type of the meta end frame of CreateSelectObjectMeta on a CSV object.
pub const META_END_CSV_FRAME: u32 = 8_388_614;
/// Frame type of the meta end frame of CreateSelectObjectMeta on a JSON object.
pub const META_END_JSON_FRAME: u32 = 8_388_615;

/// The fixed bytes before a payload: version and type, payload length, header checksum.
const HEADER_LEN: usize = 12;
/// The payload checksum after a payload.
const TRAILER_LEN: usize = 4;
/// Frame payloads are capped so a corrupt length cannot make the decoder buffer without end.
pub const MAX_PAYLOAD: u32 = 64 * 1024 * 1024;

/// CRC-32 (IEEE 802.3, the polynomial of zlib and Go's `crc32.ChecksumIEEE`) of `data`.
///
/// ```
/// assert_eq!(oss_proto::select_frame::crc32(b"123456789"), 0xcbf4_3926);
/// ```
pub fn crc32(data: &[u8]) -> u32 {
    // The CRC-32/ISO-HDLC result fits 32 bits.
    u32::try_from(crc_fast::checksum(
        crc_fast::CrcAlgorithm::Crc32IsoHdlc,
        data,
    ))
    .unwrap_or(0)
}

/// The end of a SelectObject scan (end frame) or the summary of CreateSelectObjectMeta (meta
/// end frames): the status the scan ended with and what it read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScanEnd {
    /// Bytes of the object read when the frame was written.
    pub offset: u64,
    /// Total bytes scanned.
    pub total_scanned: u64,
    /// The HTTP status of the whole scan: 200 (or 206) when it succeeded; otherwise the error
    /// found after the response had started (`error_message` says which).
    pub status: u32,
    /// The error message (empty on success).
    pub error_message: String,
    /// Splits of the object (meta end frames only).
    pub splits: Option<u32>,
    /// Rows of the object (meta end frames only).
    pub rows: Option<u64>,
    /// Columns of a CSV object (CSV meta end frame only).
    pub columns: Option<u32>,
}

impl ScanEnd {
    /// True when the scan ended without an error (a 2xx status).
    ///
    /// ```
    /// use oss_proto::select_frame::ScanEnd;
    /// assert!(ScanEnd { status: 200, ..ScanEnd::default() }.succeeded());
    /// assert!(!ScanEnd { status: 400, ..ScanEnd::default() }.succeeded());
    /// ```
    pub fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// One frame of a select response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectFrame {
    /// Result bytes (records as the output serialization writes them).
    Data {
        /// Bytes of the object read so far.
        offset: u64,
        /// The result bytes.
        data: Vec<u8>,
    },
    /// A keep-alive: the scan goes on but has found nothing to send yet.
    Continuous {
        /// Bytes of the object read so far.
        offset: u64,
    },
    /// The end of a SelectObject response.
    End(ScanEnd),
    /// The end of a CreateSelectObjectMeta response on a CSV object (with columns).
    MetaEndCsv(ScanEnd),
    /// The end of a CreateSelectObjectMeta response on a JSON object.
    MetaEndJson(ScanEnd),
}

/// Why a select response body could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SelectFrameError {
    /// The frame's version byte is not [`FRAME_VERSION`].
    UnsupportedVersion(u8),
    /// The frame type is none of the five known.
    UnknownFrameType(u32),
    /// The payload is shorter than its frame type's fixed fields (or longer than
    /// [`MAX_PAYLOAD`]).
    BadPayloadLength {
        /// The frame type.
        frame_type: u32,
        /// The announced payload length.
        length: u32,
    },
    /// The CRC-32 the frame carries differs from the CRC-32 of the payload received.
    PayloadCrcMismatch {
        /// The frame type.
        frame_type: u32,
        /// The CRC the frame carries.
        expected: u32,
        /// The CRC of the payload as received.
        actual: u32,
    },
    /// The body ended inside a frame, or before an end frame.
    Truncated,
    /// An end frame's error message is not UTF-8.
    BadErrorMessage,
}

impl fmt::Display for SelectFrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectFrameError::UnsupportedVersion(v) => {
                write!(f, "select frame: unsupported version {v}")
            }
            SelectFrameError::UnknownFrameType(t) => write!(f, "select frame: unknown type {t}"),
            SelectFrameError::BadPayloadLength { frame_type, length } => write!(
                f,
                "select frame: payload length {length} does not fit frame type {frame_type}"
            ),
            SelectFrameError::PayloadCrcMismatch {
                frame_type,
                expected,
                actual,
            } => write!(
                f,
                "select frame: payload CRC-32 mismatch in a frame of type {frame_type}: \
                 the frame says {expected:#010x}, the payload has {actual:#010x}"
            ),
            SelectFrameError::Truncated => f.write_str("select frame: the body ended early"),
            SelectFrameError::BadErrorMessage => {
                f.write_str("select frame: the error message is not UTF-8")
            }
        }
    }
}

impl std::error::Error for SelectFrameError {}

impl SelectFrame {
    /// The frame type number.
    pub fn frame_type(&self) -> u32 {
        match self {
            SelectFrame::Data { .. } => DATA_FRAME,
            SelectFrame::Continuous { .. } => CONTINUOUS_FRAME,
            SelectFrame::End(_) => END_FRAME,
            SelectFrame::MetaEndCsv(_) => META_END_CSV_FRAME,
            SelectFrame::MetaEndJson(_) => META_END_JSON_FRAME,
        }
    }

    /// The frame's payload (offset first).
    fn payload(&self) -> Vec<u8> {
        let mut p = Vec::new();
        match self {
            SelectFrame::Data { offset, data } => {
                p.extend_from_slice(&offset.to_be_bytes());
                p.extend_from_slice(data);
            }
            SelectFrame::Continuous { offset } => p.extend_from_slice(&offset.to_be_bytes()),
            SelectFrame::End(e) => {
                p.extend_from_slice(&e.offset.to_be_bytes());
                p.extend_from_slice(&e.total_scanned.to_be_bytes());
                p.extend_from_slice(&e.status.to_be_bytes());
                p.extend_from_slice(e.error_message.as_bytes());
            }
            SelectFrame::MetaEndCsv(e) | SelectFrame::MetaEndJson(e) => {
                p.extend_from_slice(&e.offset.to_be_bytes());
                p.extend_from_slice(&e.total_scanned.to_be_bytes());
                p.extend_from_slice(&e.status.to_be_bytes());
                p.extend_from_slice(&e.splits.unwrap_or(0).to_be_bytes());
                p.extend_from_slice(&e.rows.unwrap_or(0).to_be_bytes());
                if matches!(self, SelectFrame::MetaEndCsv(_)) {
                    p.extend_from_slice(&e.columns.unwrap_or(0).to_be_bytes());
                }
                p.extend_from_slice(e.error_message.as_bytes());
            }
        }
        p
    }

    /// Writes the frame; `with_crc` puts the payload's CRC-32 in its trailer (otherwise 0, as
    /// OSS does without `EnablePayloadCrc`).
    ///
    /// ```
    /// use oss_proto::select_frame::{FrameDecoder, SelectFrame};
    /// let frame = SelectFrame::Data { offset: 5, data: b"a,b\n".to_vec() };
    /// let bytes = frame.encode(true);
    /// assert_eq!(bytes.len(), 12 + 8 + 4 + 4);
    /// let mut decoder = FrameDecoder::new();
    /// decoder.push(&bytes);
    /// assert_eq!(decoder.next_frame().unwrap(), Some(frame));
    /// ```
    pub fn encode(&self, with_crc: bool) -> Vec<u8> {
        let payload = self.payload();
        let ty = self.frame_type().to_be_bytes();
        let mut out = Vec::with_capacity(HEADER_LEN + payload.len() + TRAILER_LEN);
        out.push(FRAME_VERSION);
        out.extend_from_slice(&ty[1..]);
        let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&0u32.to_be_bytes());
        let crc = if with_crc { crc32(&payload) } else { 0 };
        out.extend_from_slice(&payload);
        out.extend_from_slice(&crc.to_be_bytes());
        out
    }
}

/// The shortest payload of each frame type (offset and fixed fields).
fn min_payload(frame_type: u32) -> Option<usize> {
    match frame_type {
        DATA_FRAME | CONTINUOUS_FRAME => Some(8),
        END_FRAME => Some(20),
        META_END_CSV_FRAME => Some(36),
        META_END_JSON_FRAME => Some(32),
        _ => None,
    }
}

fn be_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_be_bytes(a)
}

fn be_u32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_be_bytes(a)
}

/// Reads frames from a select response body as its bytes arrive.
///
/// A trailer CRC of 0 means the server did not compute one (`EnablePayloadCrc` not set) and is
/// not checked; any other value must equal the CRC-32 of the payload.
///
/// ```
/// use oss_proto::select_frame::{FrameDecoder, ScanEnd, SelectFrame, SelectFrameError};
/// let mut body = SelectFrame::Data { offset: 4, data: b"1\n".to_vec() }.encode(true);
/// body.extend(SelectFrame::End(ScanEnd { status: 200, ..ScanEnd::default() }).encode(true));
/// let mut decoder = FrameDecoder::new();
/// decoder.push(&body[..7]); // half a header: nothing yet
/// assert_eq!(decoder.next_frame(), Ok(None));
/// decoder.push(&body[7..]);
/// assert!(matches!(decoder.next_frame(), Ok(Some(SelectFrame::Data { .. }))));
/// assert!(matches!(decoder.next_frame(), Ok(Some(SelectFrame::End(_)))));
/// assert_eq!(decoder.finish(), Ok(()));
///
/// // One flipped payload byte: the CRC no longer matches.
/// let mut bad = SelectFrame::Data { offset: 4, data: b"1\n".to_vec() }.encode(true);
/// bad[20] ^= 1;
/// let mut decoder = FrameDecoder::new();
/// decoder.push(&bad);
/// assert!(matches!(decoder.next_frame(), Err(SelectFrameError::PayloadCrcMismatch { .. })));
/// ```
#[derive(Debug, Default)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    ended: bool,
}

impl FrameDecoder {
    /// A decoder at the start of a body.
    pub fn new() -> Self {
        FrameDecoder::default()
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// True once an end (or meta end) frame was read.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// The next complete frame, `Ok(None)` when more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<SelectFrame>, SelectFrameError> {
        if self.buf.len() < HEADER_LEN {
            return Ok(None);
        }
        let version = self.buf[0];
        if version != FRAME_VERSION {
            return Err(SelectFrameError::UnsupportedVersion(version));
        }
        let frame_type = be_u32(&[0, self.buf[1], self.buf[2], self.buf[3]]);
        let length = be_u32(&self.buf[4..8]);
        let min = min_payload(frame_type).ok_or(SelectFrameError::UnknownFrameType(frame_type))?;
        let len = usize::try_from(length).unwrap_or(usize::MAX);
        if len < min || length > MAX_PAYLOAD {
            return Err(SelectFrameError::BadPayloadLength { frame_type, length });
        }
        let total = HEADER_LEN + len + TRAILER_LEN;
        if self.buf.len() < total {
            return Ok(None);
        }
        let payload = &self.buf[HEADER_LEN..HEADER_LEN + len];
        let expected = be_u32(&self.buf[HEADER_LEN + len..total]);
        if expected != 0 {
            let actual = crc32(payload);
            if actual != expected {
                return Err(SelectFrameError::PayloadCrcMismatch {
                    frame_type,
                    expected,
                    actual,
                });
            }
        }
        let offset = be_u64(payload);
        let rest = &payload[8..];
        let message =
            |b: &[u8]| String::from_utf8(b.to_vec()).map_err(|_| SelectFrameError::BadErrorMessage);
        let frame = match frame_type {
            DATA_FRAME => SelectFrame::Data {
                offset,
                data: rest.to_vec(),
            },
            CONTINUOUS_FRAME => SelectFrame::Continuous { offset },
            END_FRAME => SelectFrame::End(ScanEnd {
                offset,
                total_scanned: be_u64(rest),
                status: be_u32(&rest[8..]),
                error_message: message(&rest[12..])?,
                ..ScanEnd::default()
            }),
            META_END_CSV_FRAME => SelectFrame::MetaEndCsv(ScanEnd {
                offset,
                total_scanned: be_u64(rest),
                status: be_u32(&rest[8..]),
                splits: Some(be_u32(&rest[12..])),
                rows: Some(be_u64(&rest[16..])),
                columns: Some(be_u32(&rest[24..])),
                error_message: message(&rest[28..])?,
            }),
            _ => SelectFrame::MetaEndJson(ScanEnd {
                offset,
                total_scanned: be_u64(rest),
                status: be_u32(&rest[8..]),
                splits: Some(be_u32(&rest[12..])),
                rows: Some(be_u64(&rest[16..])),
                columns: None,
                error_message: message(&rest[24..])?,
            }),
        };
        self.buf.drain(..total);
        if matches!(
            frame,
            SelectFrame::End(_) | SelectFrame::MetaEndCsv(_) | SelectFrame::MetaEndJson(_)
        ) {
            self.ended = true;
        }
        Ok(Some(frame))
    }

    /// Checks the body ended cleanly: after an end frame, with no partial frame left.
    pub fn finish(&self) -> Result<(), SelectFrameError> {
        if self.ended && self.buf.is_empty() {
            Ok(())
        } else {
            Err(SelectFrameError::Truncated)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A data frame built byte by byte from the layout, not by [`SelectFrame::encode`].
    fn hand_built_data_frame(crc: u32) -> Vec<u8> {
        let mut f = vec![1, 0x80, 0x00, 0x01]; // version 1, type 8388609 = 0x800001
        f.extend_from_slice(&[0, 0, 0, 11]); // payload: 8-byte offset + "a,b"
        f.extend_from_slice(&[0, 0, 0, 0]); // header checksum
        f.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 7]); // offset 7
        f.extend_from_slice(b"a,b");
        f.extend_from_slice(&crc.to_be_bytes());
        f
    }

    /// CRC-32 of the payload above, computed bit by bit (reflected 0xEDB88320, init and
    /// xorout all ones), independent of `crc_fast`.
    fn bitwise_crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn reads_a_hand_built_data_frame() {
        let payload = [0, 0, 0, 0, 0, 0, 0, 7, b'a', b',', b'b'];
        let mut d = FrameDecoder::new();
        d.push(&hand_built_data_frame(bitwise_crc32(&payload)));
        assert_eq!(
            d.next_frame(),
            Ok(Some(SelectFrame::Data {
                offset: 7,
                data: b"a,b".to_vec()
            }))
        );
        assert_eq!(d.next_frame(), Ok(None));
        assert_eq!(d.finish(), Err(SelectFrameError::Truncated));
    }

    #[test]
    fn rejects_a_hand_built_frame_with_a_wrong_crc() {
        let payload = [0, 0, 0, 0, 0, 0, 0, 7, b'a', b',', b'b'];
        let good = bitwise_crc32(&payload);
        let mut d = FrameDecoder::new();
        d.push(&hand_built_data_frame(good ^ 0x0100));
        assert_eq!(
            d.next_frame(),
            Err(SelectFrameError::PayloadCrcMismatch {
                frame_type: DATA_FRAME,
                expected: good ^ 0x0100,
                actual: good,
            })
        );
    }

    #[test]
    fn zero_crc_is_not_checked() {
        let mut d = FrameDecoder::new();
        d.push(&hand_built_data_frame(0));
        assert!(matches!(d.next_frame(), Ok(Some(SelectFrame::Data { .. }))));
    }

    #[test]
    fn reads_hand_built_end_and_meta_frames() {
        // End frame: offset 10, scanned 10, status 200, message "".
        let mut end = vec![1, 0x80, 0x00, 0x05, 0, 0, 0, 20, 0, 0, 0, 0];
        end.extend_from_slice(&10u64.to_be_bytes());
        end.extend_from_slice(&10u64.to_be_bytes());
        end.extend_from_slice(&200u32.to_be_bytes());
        end.extend_from_slice(&[0, 0, 0, 0]);
        // CSV meta end: offset 3, scanned 3, status 200, 1 split, 4 rows, 2 columns, "".
        let mut meta = vec![1, 0x80, 0x00, 0x06, 0, 0, 0, 36, 0, 0, 0, 0];
        meta.extend_from_slice(&3u64.to_be_bytes());
        meta.extend_from_slice(&3u64.to_be_bytes());
        meta.extend_from_slice(&200u32.to_be_bytes());
        meta.extend_from_slice(&1u32.to_be_bytes());
        meta.extend_from_slice(&4u64.to_be_bytes());
        meta.extend_from_slice(&2u32.to_be_bytes());
        meta.extend_from_slice(&[0, 0, 0, 0]);
        let mut d = FrameDecoder::new();
        d.push(&end);
        let Ok(Some(SelectFrame::End(e))) = d.next_frame() else {
            panic!("not an end frame");
        };
        assert_eq!((e.offset, e.total_scanned, e.status), (10, 10, 200));
        assert!(d.ended());
        assert_eq!(d.finish(), Ok(()));
        let mut d = FrameDecoder::new();
        d.push(&meta);
        let Ok(Some(SelectFrame::MetaEndCsv(m))) = d.next_frame() else {
            panic!("not a meta end frame");
        };
        assert_eq!((m.splits, m.rows, m.columns), (Some(1), Some(4), Some(2)));
    }

    #[test]
    fn rejects_unknown_types_versions_and_short_payloads() {
        let mut d = FrameDecoder::new();
        d.push(&[1, 0x80, 0x00, 0x02, 0, 0, 0, 8, 0, 0, 0, 0]);
        assert_eq!(
            d.next_frame(),
            Err(SelectFrameError::UnknownFrameType(0x80_0002))
        );
        let mut d = FrameDecoder::new();
        d.push(&[2, 0x80, 0x00, 0x01, 0, 0, 0, 8, 0, 0, 0, 0]);
        assert_eq!(d.next_frame(), Err(SelectFrameError::UnsupportedVersion(2)));
        let mut d = FrameDecoder::new();
        d.push(&[1, 0x80, 0x00, 0x05, 0, 0, 0, 8, 0, 0, 0, 0]);
        assert!(matches!(
            d.next_frame(),
            Err(SelectFrameError::BadPayloadLength { .. })
        ));
    }

    #[test]
    fn encode_round_trips_every_kind() {
        let frames = [
            SelectFrame::Data {
                offset: 1,
                data: b"x".to_vec(),
            },
            SelectFrame::Continuous { offset: 2 },
            SelectFrame::End(ScanEnd {
                offset: 3,
                total_scanned: 3,
                status: 400,
                error_message: "bad".into(),
                ..ScanEnd::default()
            }),
            SelectFrame::MetaEndCsv(ScanEnd {
                status: 200,
                splits: Some(1),
                rows: Some(2),
                columns: Some(3),
                ..ScanEnd::default()
            }),
            SelectFrame::MetaEndJson(ScanEnd {
                status: 200,
                splits: Some(1),
                rows: Some(2),
                ..ScanEnd::default()
            }),
        ];
        for f in frames {
            let mut d = FrameDecoder::new();
            d.push(&f.encode(true));
            assert_eq!(d.next_frame(), Ok(Some(f)));
        }
    }
}
