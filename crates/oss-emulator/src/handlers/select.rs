//! SelectObject (`POST /key?x-oss-process=csv/select|json/select`) and CreateSelectObjectMeta
//! (`POST /key?x-oss-process=csv/meta|json/meta`): the request documents read into the
//! [`select`](crate::select) engine's settings, and its result written as frames
//! ([`oss_proto::select_frame`]) or, with `OutputRawData`, as bare records.
//!
//! A statement that does not parse, or names a column the object lacks, is refused before
//! any frame (400 `InvalidArgument`, EC `0016-00000803`); an error found in the data while
//! scanning is reported in the end frame's status and message after the records so far
//! (the HTTP status is then already 206).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::StatusCode;
use oss_model::xml::XmlDocument;
use oss_model::{
    CsvMetaRequest, JsonMetaRequest, SelectCompressionType, SelectInputSerialization,
    SelectJsonType, SelectOutputSerialization,
};
use oss_proto::select_frame::{ScanEnd, SelectFrame};

use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::select::{self, CsvInput, HeaderInfo, Input, Output, Range, SelectError};

/// The EC of a statement OSS cannot parse or run.
const EC_SQL: &str = "0016-00000803";
/// The EC of an empty `Expression`.
const EC_EMPTY_EXPRESSION: &str = "0016-00000823";

fn sql_error(message: impl Into<String>) -> OssError {
    OssError::new(
        StatusCode::BAD_REQUEST,
        "InvalidArgument",
        format!("The SQL statement is invalid: {}", message.into()),
    )
    .ec(EC_SQL)
}

fn input_error(message: impl Into<String>) -> OssError {
    OssError::invalid_argument(message)
}

fn request_error(e: SelectError) -> OssError {
    match e {
        SelectError::Sql(m) => sql_error(m),
        SelectError::Input(m) | SelectError::Data(m) => input_error(m),
    }
}

/// A delimiter or quote setting: Base64 as the API reference writes it; a value that is not
/// Base64 of one or two characters is taken as the characters themselves (what the Go SDK
/// v2 sends for the output delimiters).
fn setting(value: Option<&str>, default: &str) -> String {
    let Some(v) = value.filter(|v| !v.is_empty()) else {
        return default.to_owned();
    };
    match STANDARD.decode(v) {
        Ok(raw) => match String::from_utf8(raw) {
            Ok(s) if (1..=2).contains(&s.chars().count()) => s,
            _ => v.to_owned(),
        },
        Err(_) => v.to_owned(),
    }
}

fn one_char(value: Option<&str>, default: char, what: &str) -> Result<char, OssError> {
    let s = setting(value, &default.to_string());
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(input_error(format!("{what} must be one character"))),
    }
}

/// The engine's input settings and the range, from `InputSerialization`; `json` is the kind
/// the `x-oss-process` value names.
fn input_settings(
    ser: Option<&SelectInputSerialization>,
    json: bool,
) -> Result<(Input, Option<Range>), OssError> {
    if let Some(c) = ser.and_then(|s| s.compression_type.as_ref()) {
        match c {
            SelectCompressionType::None => {}
            SelectCompressionType::Gzip => {
                return Err(OssError::new(
                    StatusCode::BAD_REQUEST,
                    "InvalidArgument",
                    "The emulator reads uncompressed objects only (CompressionType None)",
                ));
            }
            other => {
                return Err(input_error(format!(
                    "invalid CompressionType {}",
                    other.as_str()
                )));
            }
        }
    }
    if json {
        let j = ser.and_then(|s| s.json.as_ref());
        let lines = match j.and_then(|j| j.json_type.as_ref()) {
            None | Some(SelectJsonType::Document) => false,
            Some(SelectJsonType::Lines) => true,
            Some(other) => {
                return Err(input_error(format!("invalid JSON Type {}", other.as_str())));
            }
        };
        let range = j
            .and_then(|j| j.range.as_deref())
            .map(Range::parse)
            .transpose()
            .map_err(request_error)?;
        if range.is_some() && !lines {
            return Err(input_error("Range needs a JSON LINES object"));
        }
        let input = Input::Json {
            lines,
            numbers_as_strings: j.and_then(|j| j.parse_json_number_as_string) == Some(true),
        };
        return Ok((input, range));
    }
    let c = ser.and_then(|s| s.csv.as_ref());
    let header = match c
        .and_then(|c| c.file_header_info.as_deref())
        .map(|h| h.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("" | "none") => HeaderInfo::None,
        Some("ignore") => HeaderInfo::Ignore,
        Some("use") => HeaderInfo::Use,
        Some(other) => return Err(input_error(format!("invalid FileHeaderInfo {other}"))),
    };
    let record_delimiter = setting(c.and_then(|c| c.record_delimiter.as_deref()), "\n");
    if record_delimiter.chars().count() > 2 {
        return Err(input_error("RecordDelimiter has at most two characters"));
    }
    let comment = match c.and_then(|c| c.comment_character.as_deref()) {
        None | Some("") => None,
        v => Some(one_char(v, '#', "CommentCharacter")?),
    };
    let input = Input::Csv(CsvInput {
        header,
        record_delimiter,
        field_delimiter: one_char(
            c.and_then(|c| c.field_delimiter.as_deref()),
            ',',
            "FieldDelimiter",
        )?,
        quote: one_char(
            c.and_then(|c| c.quote_character.as_deref()),
            '"',
            "QuoteCharacter",
        )?,
        comment,
    });
    let range = c
        .and_then(|c| c.range.as_deref())
        .map(Range::parse)
        .transpose()
        .map_err(request_error)?;
    Ok((input, range))
}

/// The engine's output settings: CSV for a CSV object unless `JSON` is given, JSON for a
/// JSON object unless `CSV` is given.
fn output_settings(ser: Option<&SelectOutputSerialization>, json: bool) -> Output {
    let csv = ser.and_then(|s| s.csv.as_ref());
    let js = ser.and_then(|s| s.json.as_ref());
    let as_json = match (csv, js) {
        (Some(_), None) => false,
        (None, Some(_)) => true,
        _ => json,
    };
    if as_json {
        Output::Json {
            record_delimiter: setting(js.and_then(|j| j.record_delimiter.as_deref()), "\n"),
        }
    } else {
        Output::Csv {
            record_delimiter: setting(csv.and_then(|c| c.record_delimiter.as_deref()), "\n"),
            field_delimiter: setting(csv.and_then(|c| c.field_delimiter.as_deref()), ","),
            header: ser.and_then(|s| s.output_header) == Some(true),
            keep_all_columns: ser.and_then(|s| s.keep_all_columns) == Some(true),
        }
    }
}

/// Reads the object the request names (refusing an unrestored archived one).
fn object_data(ctx: &Context, req: &Request) -> Result<Bytes, OssError> {
    let meta = ctx
        .store
        .object(req.bucket(), req.key(), req.q("versionId"))?;
    super::archive::check_readable(&meta)?;
    ctx.store.read(req.bucket(), &meta)
}

/// Which kind of object `x-oss-process` names: `Ok(true)` for JSON.
fn process_kind(req: &Request, verb: &str) -> Result<bool, OssError> {
    match req.q("x-oss-process") {
        Some(p) if p == format!("csv/{verb}") => Ok(false),
        Some(p) if p == format!("json/{verb}") => Ok(true),
        other => Err(input_error(format!(
            "x-oss-process must be csv/{verb} or json/{verb}, not {}",
            other.unwrap_or("nothing")
        ))),
    }
}

/// POST /bucket/key?x-oss-process=csv/select — SelectObject.
pub(crate) fn select_object(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let json = process_kind(req, "select")?;
    let input = crate::typed::input::<oss_proto::generated::SelectObject>(req)?;
    let request = input.select_request;
    let expression = request.expression.trim();
    if expression.is_empty() {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "The Expression of the SelectRequest is empty",
        )
        .ec(EC_EMPTY_EXPRESSION));
    }
    let sql = STANDARD
        .decode(expression)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| sql_error("the Expression is not Base64 of UTF-8 text"))?;
    let query = select::parse_query(&sql).map_err(request_error)?;
    let (engine_input, range) = input_settings(request.input_serialization.as_ref(), json)?;
    let out_ser = request.output_serialization.as_ref();
    let output = output_settings(out_ser, json);
    let raw = out_ser.and_then(|o| o.output_raw_data) == Some(true);
    let with_crc = out_ser.and_then(|o| o.enable_payload_crc) == Some(true);
    let data = object_data(ctx, req)?;
    let outcome =
        select::run(&query, &data, &engine_input, &output, range).map_err(request_error)?;
    let total = data.len() as u64;
    let reply = Reply::ok()
        .status(StatusCode::PARTIAL_CONTENT)
        .header("Content-Type", "application/octet-stream");
    if raw {
        if let Some(e) = outcome.error {
            return Err(input_error(e).ec(EC_SQL));
        }
        let body: Vec<u8> = outcome.batches.into_iter().flat_map(|(_, b)| b).collect();
        return Ok(reply
            .header("x-oss-select-output-raw", "true")
            .body(Bytes::from(body)));
    }
    let mut body = Vec::new();
    for (offset, bytes) in outcome.batches {
        let frame = if bytes.is_empty() {
            SelectFrame::Continuous { offset }
        } else {
            SelectFrame::Data {
                offset,
                data: bytes,
            }
        };
        body.extend(frame.encode(with_crc));
    }
    let (status, error_message) = match outcome.error {
        None => (200, String::new()),
        Some(e) => (400, format!("InvalidArgument: {e}")),
    };
    body.extend(
        SelectFrame::End(ScanEnd {
            offset: total,
            total_scanned: total,
            status,
            error_message,
            ..ScanEnd::default()
        })
        .encode(with_crc),
    );
    Ok(reply
        .header("x-oss-select-output-raw", "false")
        .body(Bytes::from(body)))
}

/// POST /bucket/key?x-oss-process=csv/meta — CreateSelectObjectMeta.
pub(crate) fn create_select_object_meta(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let json = process_kind(req, "meta")?;
    let ser = if json {
        JsonMetaRequest::from_xml(&req.body)
            .map_err(|e| OssError::malformed_xml().with("Detail", e.to_string()))?
            .input_serialization
    } else {
        CsvMetaRequest::from_xml(&req.body)
            .map_err(|e| OssError::malformed_xml().with("Detail", e.to_string()))?
            .input_serialization
    };
    let (input, _) = input_settings(ser.as_ref(), json)?;
    if matches!(input, Input::Json { lines: false, .. }) {
        return Err(input_error(
            "CreateSelectObjectMeta reads JSON LINES objects only (Type LINES)",
        ));
    }
    let data = object_data(ctx, req)?;
    let total = data.len() as u64;
    let (meta, status, error_message) = match select::meta(&data, &input) {
        Ok(m) => (m, 200, String::new()),
        Err(SelectError::Data(e) | SelectError::Input(e) | SelectError::Sql(e)) => (
            select::Meta {
                rows: 0,
                splits: 0,
                columns: 0,
            },
            400,
            format!("InvalidArgument: {e}"),
        ),
    };
    let end = ScanEnd {
        offset: total,
        total_scanned: total,
        status,
        error_message,
        splits: Some(meta.splits),
        rows: Some(meta.rows),
        columns: (!json).then_some(meta.columns),
    };
    let frame = if json {
        SelectFrame::MetaEndJson(end)
    } else {
        SelectFrame::MetaEndCsv(end)
    };
    Ok(Reply::ok()
        .header("Content-Type", "application/octet-stream")
        .body(Bytes::from(frame.encode(true))))
}
