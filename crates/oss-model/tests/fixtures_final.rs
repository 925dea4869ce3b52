//! Documents of the last catalogue operations (SelectObject, CreateSelectObjectMeta, ProcessObject,
//! AsyncProcessObject), read with the generated models, and the inputs of PostObject and Callback.
//!
//! Sources of the fixtures under `tests/fixtures/`, named per test below:
//! - "Go SDK v2": the documents the official Go SDK v2 asserts in its unit tests
//!   (`oss/api_op_select_object_test.go` for the request documents it writes,
//!   `oss/api_op_object_test.go` for the JSON responses it reads), copied byte for byte;
//! - "API reference": the OSS API reference pages (CreateSelectObjectMeta, SelectObject, saving
//!   processed images), whose request syntax the Go SDK v2 documents follow.
//!
//! Expected values are read from those documents by hand, never produced by the code under test.
//! Request bodies (`*.request.*`) are also written back and read again, which must give the same
//! value.

use std::fmt::Debug;

use oss_model::json::JsonDocument;
use oss_model::xml::XmlDocument;
use oss_model::*;

/// The bytes of `tests/fixtures/<name>`.
fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// Reads an XML fixture as `T`.
fn read_xml<T: XmlDocument>(name: &str) -> T {
    T::from_xml(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Reads a JSON fixture as `T`.
fn read_json<T: JsonDocument>(name: &str) -> T {
    T::from_json(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Writes `value` as XML and reads it back: the result must equal `value`.
fn assert_xml_round_trip<T: XmlDocument + PartialEq + Debug>(value: &T) {
    let xml = value.to_xml();
    let again = T::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{e} reading back {xml}"));
    assert_eq!(&again, value, "written as {xml}");
}

fn missing(type_name: &'static str, field: &'static str) -> BuildError {
    BuildError::MissingField { type_name, field }
}

// ------------------------------------------------------------------------------------------------
// SelectObject

/// Go SDK v2, the CSV request with every element set (`x-oss-process=csv/select`). The expression
/// is the Base64 of `select person.firstname as aaa as firstname, person.lastname, extra from
/// ossobject'`; the input delimiters are the Base64 of `\n`, `,`, `"` and `#`.
#[test]
fn select_object_csv_request() {
    let doc: SelectRequest = read_xml("SelectObject.csv.request.xml");
    assert_eq!(
        doc.expression,
        "c2VsZWN0IHBlcnNvbi5maXJzdG5hbWUgYXMgYWFhIGFzIGZpcnN0bmFtZSwgcGVyc29uLmxhc3RuYW1lLCBleHRyYSBmcm9tIG9zc29iamVjdCc="
    );
    let input = doc
        .input_serialization
        .as_ref()
        .expect("InputSerialization");
    assert_eq!(input.compression_type, Some(SelectCompressionType::Gzip));
    assert!(input.json.is_none());
    let csv = input.csv.as_ref().expect("CSV");
    assert_eq!(csv.file_header_info.as_deref(), Some("IGNORE"));
    assert_eq!(csv.record_delimiter.as_deref(), Some("Cg=="));
    assert_eq!(csv.field_delimiter.as_deref(), Some("LA=="));
    assert_eq!(csv.quote_character.as_deref(), Some("Ig=="));
    assert_eq!(csv.comment_character.as_deref(), Some("Iw=="));
    assert_eq!(csv.range.as_deref(), Some("split-range=10-12"));
    assert_eq!(csv.allow_quoted_record_delimiter, Some(true));

    let output = doc
        .output_serialization
        .as_ref()
        .expect("OutputSerialization");
    assert!(output.json.is_none());
    let out_csv = output.csv.as_ref().expect("CSV");
    assert_eq!(out_csv.record_delimiter.as_deref(), Some("\n"));
    assert_eq!(out_csv.field_delimiter.as_deref(), Some(","));
    assert_eq!(output.output_raw_data, Some(true));
    assert_eq!(output.keep_all_columns, Some(false));
    assert_eq!(output.enable_payload_crc, Some(true));
    assert_eq!(output.output_header, Some(false));

    let options = doc.options.as_ref().expect("Options");
    assert_eq!(options.skip_partial_data_record, Some(false));
    assert_eq!(options.max_skipped_records_allowed, Some(2));
    assert_xml_round_trip(&doc);
}

/// Go SDK v2, the JSON LINES request (`x-oss-process=json/select`); the output record delimiter is
/// the Base64 of `,`.
#[test]
fn select_object_json_request() {
    let doc: SelectRequest = read_xml("SelectObject.json.request.xml");
    assert_eq!(
        doc.expression,
        "c2VsZWN0IHBlcnNvbi5maXJzdG5hbWUgYXMgYWFhIGFzIGZpcnN0bmFtZSwgcGVyc29uLmxhc3RuYW1lLCBleHRyYSBmcm9tIG9zc29iamVjdCc="
    );
    let input = doc
        .input_serialization
        .as_ref()
        .expect("InputSerialization");
    assert_eq!(input.compression_type, Some(SelectCompressionType::Gzip));
    assert!(input.csv.is_none());
    let json = input.json.as_ref().expect("JSON");
    assert_eq!(json.json_type, Some(SelectJsonType::Lines));
    assert_eq!(json.range.as_deref(), Some("split-range=10-12"));
    assert_eq!(json.parse_json_number_as_string, Some(true));

    let output = doc
        .output_serialization
        .as_ref()
        .expect("OutputSerialization");
    assert!(output.csv.is_none());
    let out_json = output.json.as_ref().expect("JSON");
    assert_eq!(out_json.record_delimiter.as_deref(), Some("LA=="));
    assert_eq!(output.output_raw_data, Some(true));
    assert_eq!(output.enable_payload_crc, Some(true));
    assert_eq!(output.keep_all_columns, None);
    assert_eq!(output.output_header, None);

    let options = doc.options.as_ref().expect("Options");
    assert_eq!(options.skip_partial_data_record, Some(false));
    assert_eq!(options.max_skipped_records_allowed, Some(2));
    assert_xml_round_trip(&doc);
}

/// Go SDK v2, a request with an empty `InputSerialization` and CSV output delimiters written as
/// character references (`&#xD;&#xA;` is CR LF) and a plain `|`.
#[test]
fn select_object_output_delimiters() {
    let doc: SelectRequest = read_xml("SelectObject.output.request.xml");
    // The Base64 of `select _1, _2 from ossobject`.
    assert_eq!(doc.expression, "c2VsZWN0IF8xLCBfMiBmcm9tIG9zc29iamVjdA==");
    let input = doc
        .input_serialization
        .as_ref()
        .expect("InputSerialization");
    assert!(input.csv.is_none() && input.json.is_none() && input.compression_type.is_none());
    let output = doc
        .output_serialization
        .as_ref()
        .expect("OutputSerialization");
    let csv = output.csv.as_ref().expect("CSV");
    assert_eq!(csv.record_delimiter.as_deref(), Some("\r\n"));
    assert_eq!(csv.field_delimiter.as_deref(), Some("|"));
    assert!(doc.options.is_none());
    assert_xml_round_trip(&doc);
}

#[test]
fn select_object_needs_its_process_and_document() {
    let request = SelectRequest {
        expression: "c2VsZWN0ICogZnJvbSBvc3NvYmplY3Q=".to_string(),
        input_serialization: None,
        output_serialization: None,
        options: None,
    };
    assert_eq!(
        SelectObjectInput::builder()
            .bucket("oss-demo")
            .key("oss-key")
            .select_request(request.clone())
            .build()
            .unwrap_err(),
        missing("SelectObjectInput", "process")
    );
    assert_eq!(
        SelectObjectInput::builder()
            .bucket("oss-demo")
            .key("oss-key")
            .process("csv/select")
            .build()
            .unwrap_err(),
        missing("SelectObjectInput", "select_request")
    );
    let input = SelectObjectInput::builder()
        .bucket("oss-demo")
        .key("oss-key")
        .process("csv/select")
        .select_request(request.clone())
        .build()
        .expect("complete");
    assert_eq!(input.process, "csv/select");
    assert_eq!(input.select_request, request);
}

// ------------------------------------------------------------------------------------------------
// CreateSelectObjectMeta

/// Go SDK v2, the CSV meta request (`x-oss-process=csv/meta`), in the API reference's layout.
#[test]
fn create_select_object_meta_csv_request() {
    let doc: CsvMetaRequest = read_xml("CreateSelectObjectMeta.csv.request.xml");
    assert_eq!(doc.overwrite_if_exists, Some(true));
    let input = doc
        .input_serialization
        .as_ref()
        .expect("InputSerialization");
    assert_eq!(input.compression_type, Some(SelectCompressionType::None));
    assert!(input.json.is_none());
    let csv = input.csv.as_ref().expect("CSV");
    assert_eq!(csv.record_delimiter.as_deref(), Some("Cg=="));
    assert_eq!(csv.field_delimiter.as_deref(), Some("LA=="));
    assert_eq!(csv.quote_character.as_deref(), Some("Ig=="));
    assert_eq!(csv.file_header_info, None);
    assert_eq!(csv.comment_character, None);
    assert_xml_round_trip(&doc);
}

/// Go SDK v2, the JSON meta request (`x-oss-process=json/meta`).
#[test]
fn create_select_object_meta_json_request() {
    let doc: JsonMetaRequest = read_xml("CreateSelectObjectMeta.json.request.xml");
    assert_eq!(doc.overwrite_if_exists, None);
    let input = doc
        .input_serialization
        .as_ref()
        .expect("InputSerialization");
    assert!(input.csv.is_none());
    assert_eq!(input.compression_type, None);
    let json = input.json.as_ref().expect("JSON");
    assert_eq!(json.json_type, Some(SelectJsonType::Lines));
    assert_eq!(json.range, None);
    assert_xml_round_trip(&doc);
}

/// The text body carries the meta document: each kind is written under its own root element, as
/// the API reference's two request syntaxes have it.
#[test]
fn create_select_object_meta_documents_keep_their_roots() {
    let csv: CsvMetaRequest = read_xml("CreateSelectObjectMeta.csv.request.xml");
    let xml = csv.to_xml();
    assert!(xml.contains("<CsvMetaRequest>"), "{xml}");
    assert!(xml.trim_end().ends_with("</CsvMetaRequest>"), "{xml}");

    let json: JsonMetaRequest = read_xml("CreateSelectObjectMeta.json.request.xml");
    let xml = json.to_xml();
    assert!(xml.contains("<JsonMetaRequest>"), "{xml}");
    assert!(xml.trim_end().ends_with("</JsonMetaRequest>"), "{xml}");

    let input = CreateSelectObjectMetaInput::builder()
        .bucket("oss-demo")
        .key("oss-key")
        .process("json/meta")
        .content_type("application/xml")
        .body(json.to_xml())
        .build()
        .expect("complete");
    assert_eq!(input.process, "json/meta");
    assert_eq!(
        JsonMetaRequest::from_xml(input.body.as_bytes()).expect("the body reads back"),
        json
    );
    assert_eq!(
        CreateSelectObjectMetaInput::builder()
            .bucket("oss-demo")
            .key("oss-key")
            .body(json.to_xml())
            .build()
            .unwrap_err(),
        missing("CreateSelectObjectMetaInput", "process")
    );
}

// ------------------------------------------------------------------------------------------------
// ProcessObject and AsyncProcessObject

/// Go SDK v2, the ProcessObject response saving to another bucket.
#[test]
fn process_object_result() {
    let doc: ProcessObjectResult = read_json("ProcessObject.json");
    assert_eq!(doc.bucket.as_deref(), Some("desct-bucket"));
    assert_eq!(doc.file_size, Some(3267));
    assert_eq!(doc.object.as_deref(), Some("dest.jpg"));
    assert_eq!(doc.status.as_deref(), Some("OK"));
    let again = ProcessObjectResult::from_json(&doc.to_json()).expect("reads back");
    assert_eq!(again, doc);
}

/// Go SDK v2, the AsyncProcessObject response of a media conversion task.
#[test]
fn async_process_object_result() {
    let doc: AsyncProcessObjectResult = read_json("AsyncProcessObject.json");
    assert_eq!(
        doc.event_id.as_deref(),
        Some("181-1kZUlN60OH4fWOcOjZEnGnG****")
    );
    assert_eq!(
        doc.task_request_id.as_deref(),
        Some("1D99637F-F59E-5B41-9200-C4892F52****")
    );
    assert_eq!(
        doc.task_id.as_deref(),
        Some("MediaConvert-e4a737df-69e9-4fca-8d9b-17c40ea3****")
    );
    let again = AsyncProcessObjectResult::from_json(&doc.to_json()).expect("reads back");
    assert_eq!(again, doc);
}

/// API reference (saving processed images): the body is `x-oss-process=` and the instructions;
/// `o_dGVzdC5qcGc` and `b_dGVzdA` name `test.jpg` in bucket `test`.
#[test]
fn process_object_body_is_required() {
    let body = "x-oss-process=image/resize,w_100|sys/saveas,o_dGVzdC5qcGc,b_dGVzdA";
    let input = ProcessObjectInput::builder()
        .bucket("oss-example")
        .key("ObjectName")
        .body(body)
        .build()
        .expect("complete");
    assert_eq!(input.body, body);
    assert_eq!(input.request_payer, None);
    assert_eq!(
        ProcessObjectInput::builder()
            .bucket("oss-example")
            .key("ObjectName")
            .build()
            .unwrap_err(),
        missing("ProcessObjectInput", "body")
    );
    assert_eq!(
        AsyncProcessObjectInput::builder()
            .bucket("oss-example")
            .key("video.mp4")
            .build()
            .unwrap_err(),
        missing("AsyncProcessObjectInput", "body")
    );
}

// ------------------------------------------------------------------------------------------------
// PostObject and Callback

#[test]
fn post_object_needs_the_form_content_type() {
    assert_eq!(
        PostObjectInput::builder()
            .bucket("examplebucket")
            .build()
            .unwrap_err(),
        missing("PostObjectInput", "content_type")
    );
    let input = PostObjectInput::builder()
        .bucket("examplebucket")
        .content_type("multipart/form-data; boundary=9431149156168")
        .content_length(344_606)
        .build()
        .expect("complete");
    assert_eq!(
        input.content_type,
        "multipart/form-data; boundary=9431149156168"
    );
    assert_eq!(input.content_length, Some(344_606));
}

#[test]
fn callback_needs_the_callback_header() {
    assert_eq!(
        CallbackInput::builder()
            .bucket("examplebucket")
            .key("exampleobject.txt")
            .build()
            .unwrap_err(),
        missing("CallbackInput", "callback")
    );
    // The Base64 of `{"callbackUrl":"http://oss-demo.aliyuncs.com:23450","callbackBody":"bucket=${bucket}"}`.
    let callback = "eyJjYWxsYmFja1VybCI6Imh0dHA6Ly9vc3MtZGVtby5hbGl5dW5jcy5jb206MjM0NTAiLCJjYWxsYmFja0JvZHkiOiJidWNrZXQ9JHtidWNrZXR9In0=";
    let input = CallbackInput::builder()
        .bucket("examplebucket")
        .key("exampleobject.txt")
        .callback(callback)
        .callback_var("eyJ4Om15X3ZhcjEiOiJteV92YWwxIn0=")
        .build()
        .expect("complete");
    assert_eq!(input.callback, callback);
    assert_eq!(
        input.callback_var.as_deref(),
        Some("eyJ4Om15X3ZhcjEiOiJteV92YWwxIn0=")
    );
}
