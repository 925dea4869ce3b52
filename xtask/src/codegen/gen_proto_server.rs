//! Generates `crates/oss-proto/src/generated/server.rs`: the server side of every operation
//! (`ServerOperation`: a request read into the typed input, the typed output written as a
//! response), and tests that each side inverts the client side.

use std::fmt::Write as _;

use super::HEADER;
use super::gen_model::{input_fields, output_fields};
use super::spec::{BodyKind, Field, Location, Model, OperationDef, Ty};

pub(crate) fn server(model: &Model) -> String {
    let mut s = format!(
        "{HEADER}\n//! Generated server side of the operations (what an emulator needs).\n\n\
         use bytes::Bytes;\n\n\
         use crate::support;\nuse crate::Error;\nuse crate::operation::{{Operation, RequestParts}};\n\n\
         /// The server side of an operation: reading a request into the typed input and writing the\n\
         /// typed output as a response, with the same models the client uses.\n\
         pub trait ServerOperation: Operation {{\n\
         /// Reads the input from a request: `parts` with its query decoded, and the body for\n\
         /// operations whose request body is a document (empty otherwise).\n\
         fn parse_request(parts: &RequestParts, body: &[u8]) -> Result<Self::Input, Error>;\n\
         /// Writes the output as response headers and body (object data of streaming operations is\n\
         /// the server's to send).\n\
         fn build_response(output: &Self::Output) -> Result<(http::HeaderMap, Bytes), Error>;\n\
         }}\n\n"
    );
    for op in model.operations.values() {
        parse_request(&mut s, op);
        build_response(&mut s, op, model);
        let _ = writeln!(s, "}}\n");
    }
    round_trip_tests(&mut s, model);
    s
}

fn parse_request(s: &mut String, op: &OperationDef) {
    let name = &op.name;
    let uses_body = op.input_body().is_some_and(|(_, k)| k != BodyKind::Stream);
    let uses_parts = op.has_bucket()
        || op
            .input
            .iter()
            .any(|f| !matches!(f.location, Location::Body(_)));
    let _ = writeln!(
        s,
        "impl ServerOperation for super::{name} {{\nfn parse_request({}: &RequestParts, {}: &[u8]) -> Result<Self::Input, Error> {{\nOk(oss_model::{name}Input {{",
        if uses_parts { "parts" } else { "_parts" },
        if uses_body { "body" } else { "_body" }
    );
    if op.has_bucket() {
        let _ = writeln!(
            s,
            "bucket: support::request_path_part(parts.bucket.as_ref(), \"bucket\")?,"
        );
    }
    if op.has_key() {
        let _ = writeln!(
            s,
            "key: support::request_path_part(parts.key.as_ref(), \"key\")?,"
        );
    }
    for f in &op.input {
        let field = &f.name;
        let read = match &f.location {
            Location::Query(q) if op.fixed_query_member(q).is_some() => {
                format!("support::request_fixed_query_value(parts, {field:?}, {q:?})?")
            }
            Location::Query(q) => format!("support::request_query(parts, {field:?}, {q:?})?"),
            Location::Header(h) => format!("support::request_header(parts, {field:?}, {h:?})?"),
            Location::HeaderPrefix(p) => {
                let _ = writeln!(
                    s,
                    "{}: support::request_header_map(parts, {field:?}, {p:?})?,",
                    f.ident
                );
                continue;
            }
            Location::Body(BodyKind::Xml) => format!("support::request_xml({field:?}, body)?"),
            Location::Body(BodyKind::Json) => format!("support::request_json({field:?}, body)?"),
            Location::Body(BodyKind::Text) => format!("support::request_text({field:?}, body)?"),
            Location::Body(BodyKind::Stream) | Location::Element { .. } | Location::Text => {
                continue;
            }
        };
        if f.is_option() {
            let _ = writeln!(s, "{}: {read},", f.ident);
        } else {
            let _ = writeln!(
                s,
                "{}: support::required_member({read}, {field:?})?,",
                f.ident
            );
        }
    }
    let _ = writeln!(s, "}})\n}}\n");
}

fn build_response(s: &mut String, op: &OperationDef, model: &Model) {
    let _ = writeln!(
        s,
        "fn build_response(output: &Self::Output) -> Result<(http::HeaderMap, Bytes), Error> {{\n\
         let mut headers = http::HeaderMap::new();\n\
         support::response_header_opt(&mut headers, \"request_id\", \"x-oss-request-id\", &output.request_id)?;"
    );
    for f in &op.output {
        let field = &f.name;
        let ident = &f.ident;
        match &f.location {
            Location::Header(h) if f.is_option() => {
                let _ = writeln!(
                    s,
                    "support::response_header_opt(&mut headers, {field:?}, {h:?}, &output.{ident})?;"
                );
            }
            Location::Header(h) => {
                let _ = writeln!(
                    s,
                    "support::response_header(&mut headers, {field:?}, {h:?}, &output.{ident})?;"
                );
            }
            Location::HeaderPrefix(p) => {
                let _ = writeln!(
                    s,
                    "support::response_header_map(&mut headers, {field:?}, {p:?}, &output.{ident})?;"
                );
            }
            _ => {}
        }
    }
    let url_shape = op.output_body().and_then(|(f, _)| match &f.ty {
        Ty::Shape(n) => model
            .shapes
            .get(n)
            .filter(|sh| sh.has_url_encoded)
            .and_then(|sh| {
                sh.encoding_type_field()
                    .map(|et| (et.ident.clone(), et.is_option()))
            }),
        _ => None,
    });
    let body = match op.output_body() {
        Some((f, BodyKind::Xml)) if matches!(f.ty, Ty::Shape(_)) && url_shape.is_some() => {
            let (et, optional) = url_shape.unwrap_or_default();
            let test = if optional {
                format!("doc.{et}.as_ref().is_some_and(|v| AsRef::<str>::as_ref(v) == \"url\")")
            } else {
                format!("AsRef::<str>::as_ref(&doc.{et}) == \"url\"")
            };
            format!(
                "{{\nlet mut doc = output.to_document();\nif {test} {{\noss_model::xml::UrlCoded::url_encode(&mut doc);\n}}\nsupport::response_xml(&mut headers, &doc)\n}}"
            )
        }
        Some((f, BodyKind::Xml)) if matches!(f.ty, Ty::Shape(_)) && has_document(op, model) => {
            "support::response_xml(&mut headers, &output.to_document())".to_string()
        }
        Some((f, BodyKind::Json)) if matches!(f.ty, Ty::Shape(_)) && has_document(op, model) => {
            "support::response_json(&mut headers, &output.to_document())".to_string()
        }
        Some((f, BodyKind::Text)) if f.is_option() => {
            format!(
                "Bytes::from(output.{}.clone().unwrap_or_default())",
                f.ident
            )
        }
        Some((f, BodyKind::Text)) => format!("Bytes::from(output.{}.clone())", f.ident),
        _ => "Bytes::new()".to_string(),
    };
    if let Some((f, BodyKind::Text)) = op.output_body()
        && let Some(ct) = &f.content_type
    {
        let _ = writeln!(s, "support::response_content_type(&mut headers, {ct:?});");
    }
    let _ = writeln!(s, "let body = {body};\nOk((headers, body))\n}}");
}

fn has_document(op: &OperationDef, model: &Model) -> bool {
    op.output_body()
        .and_then(|(f, _)| match &f.ty {
            Ty::Shape(n) => model.shapes.get(n),
            _ => None,
        })
        .is_some()
}

/// A literal for a member in the round-trip tests, or `None` when the test cannot make one
/// without help (required shapes without `Default`, timestamps: the proto crate has no `time`).
fn sample_value(f: &Field, model: &Model) -> Option<String> {
    Some(match &f.ty {
        Ty::String => match f.name.as_str() {
            "bucket" => "\"examplebucket\".to_string()".into(),
            "key" => "\"dir/a b+c.txt\".to_string()".into(),
            _ => "\"a/b c+d%&<é\".to_string()".into(),
        },
        Ty::Integer => "42".into(),
        Ty::Boolean => "true".into(),
        Ty::Float => "0.25".into(),
        Ty::Json => "serde_json::Value::from(\"a/b c+d%&<é\")".into(),
        Ty::Timestamp => return None,
        Ty::CopySource => {
            "oss_model::CopySource::new(\"srcbucket\", \"dir/a b+c?é.txt\").version_id(\"v+1\")"
                .into()
        }
        Ty::Map => "[(\"k\".to_string(), \"v\".to_string())].into_iter().collect()".into(),
        Ty::Enum(e) => {
            let first = &model.enums.get(e)?.values.first()?.0;
            format!("oss_model::{e}::from({first:?})")
        }
        Ty::Shape(n) if model.shapes.get(n)?.defaultable => format!("oss_model::{n}::default()"),
        Ty::Shape(_) => return None,
        Ty::List(_) => "Vec::new()".into(),
    })
}

fn round_trip_tests(s: &mut String, model: &Model) {
    let _ = writeln!(
        s,
        "#[cfg(test)]\n#[allow(clippy::unwrap_used, clippy::too_many_lines)]\nmod tests {{\n\
         use super::ServerOperation;\nuse crate::operation::{{Operation, RequestBody}};\n\n\
         fn request_body(body: &RequestBody) -> bytes::Bytes {{\nmatch body {{\nRequestBody::Bytes(b) => b.clone(),\n_ => bytes::Bytes::new(),\n}}\n}}\n\n\
         fn head(headers: http::HeaderMap) -> http::response::Parts {{\nlet (mut head, ()) = http::Response::new(()).into_parts();\nhead.headers = headers;\nhead\n}}\n"
    );
    // Inputs: every member set (optional ones too) when a value can be made.
    let _ = writeln!(
        s,
        "/// build_request then parse_request gives the input back, for every operation whose\n\
         /// input the test can fill.\n#[test]\nfn requests_round_trip() {{"
    );
    for op in model.operations.values() {
        let fields = input_fields(op);
        let mut sets = Vec::new();
        let mut ok = true;
        for f in &fields {
            match sample_value(f, model) {
                Some(v) if f.ty.is_container() => sets.push(format!(".{}({v})", f.ident)),
                Some(v) => sets.push(format!(".{}({v})", f.ident)),
                None if f.required => ok = false,
                None => {}
            }
        }
        if !ok {
            continue;
        }
        let name = &op.name;
        let _ = writeln!(
            s,
            "{{\nlet input = oss_model::{name}Input::builder(){}.build().unwrap();\n\
             let parts = super::super::{name}::build_request(&input).unwrap();\n\
             let back = super::super::{name}::parse_request(&parts, &request_body(&parts.body)).unwrap();\n\
             assert_eq!(back, input, \"{name}\");\n}}",
            sets.join("")
        );
    }
    let _ = writeln!(s, "}}\n");
    let _ = writeln!(
        s,
        "/// build_response then parse_output gives the output back (every member set), for every\n\
         /// operation whose output the test can fill.\n#[test]\nfn responses_round_trip() {{"
    );
    for op in model.operations.values() {
        let fields = output_fields(op, model);
        let mut members = Vec::new();
        let mut ok = true;
        for f in &fields {
            let value = if f.name == "request_id" {
                Some("\"5C3D9175B6FC201293AD****\".to_string()".to_string())
            } else {
                sample_value(f, model)
            };
            match value {
                Some(v) if f.is_option() => members.push(format!("{}: Some({v}),", f.ident)),
                Some(v) => members.push(format!("{}: {v},", f.ident)),
                None if f.is_option() => members.push(format!("{}: None,", f.ident)),
                None => ok = false,
            }
        }
        if !ok {
            continue;
        }
        let name = &op.name;
        let _ = writeln!(
            s,
            "{{\nlet output = oss_model::{name}Output {{\n{}\n}};\n\
             let (headers, body) = super::super::{name}::build_response(&output).unwrap();\n\
             let back = super::super::{name}::parse_output(&head(headers), body).unwrap();\n\
             assert_eq!(back, output, \"{name}\");\n}}",
            members.join("\n")
        );
    }
    let _ = writeln!(s, "}}\n");
    // Every operation's response reader on arbitrary headers and bodies.
    let _ = writeln!(
        s,
        "fn parse_any<O: Operation>(head: &http::response::Parts, body: bytes::Bytes) {{\nlet _ = O::parse_output(head, body);\n}}\n\n\
         /// Every operation's `parse_output`.\nconst PARSERS: &[fn(&http::response::Parts, bytes::Bytes)] = &["
    );
    for op in model.operations.values() {
        let _ = writeln!(s, "parse_any::<super::super::{}>,", op.name);
    }
    let _ = writeln!(
        s,
        "];\n\n\
         proptest::proptest! {{\n\
         /// No operation's response reader panics, whatever the headers and body.\n\
         #[test]\n\
         fn no_output_parser_panics(\n\
         body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256),\n\
         values in proptest::collection::vec(\"[ -~]{{0,40}}\", 8),\n\
         ) {{\n\
         let names = [\"x-oss-request-id\", \"etag\", \"content-length\", \"last-modified\", \"x-oss-meta-a\", \"x-oss-hash-crc64ecma\", \"x-oss-version-id\", \"content-type\"];\n\
         let mut headers = http::HeaderMap::new();\n\
         for (name, value) in names.iter().zip(&values) {{\n\
         if let Ok(value) = http::HeaderValue::from_str(value) {{\n\
         headers.insert(*name, value);\n\
         }}\n\
         }}\n\
         let head = head(headers);\n\
         let body = bytes::Bytes::from(body);\n\
         for parse in PARSERS {{\n\
         parse(&head, body.clone());\n\
         }}\n\
         }}\n\
         }}\n}}"
    );
}
