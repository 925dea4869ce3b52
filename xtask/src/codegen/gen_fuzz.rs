//! Generates `fuzz/src/generated.rs`: every operation's parsers dispatched by
//! `oss_proto::generated::OperationId`, so that one fuzz target reaches all of them.

use std::fmt::Write as _;

use super::HEADER;
use super::spec::Model;

pub(crate) fn generate(model: &Model) -> Vec<(String, String)> {
    let mut s = format!(
        "{HEADER}\n//! Every operation's response parser (client side) and request reader (server \
         side), by [`OperationId`].\n\n\
         use bytes::Bytes;\n\
         use oss_proto::generated::{{OperationId, ServerOperation as _}};\n\
         use oss_proto::operation::RequestParts;\n\n\
         /// Reads a response of `id` (its typed output, or the error it stands for); the \
         output itself is dropped.\n\
         pub fn read_response(id: OperationId, head: &http::response::Parts, body: Bytes) \
         -> Result<(), oss_proto::Error> {{\n    match id {{\n"
    );
    for name in model.operations.keys() {
        let _ = writeln!(
            s,
            "        OperationId::{name} => oss_proto::response::read_response::<oss_proto::generated::{name}>(head, body).map(drop),"
        );
    }
    s.push_str(
        "        _ => Ok(()),\n    }\n}\n\n\
         /// Runs `id`'s `parse_request` (the emulator's reader) on a request; the input is \
         dropped.\n\
         pub fn parse_request(id: OperationId, parts: &RequestParts, body: &[u8]) \
         -> Result<(), oss_proto::Error> {\n    match id {\n",
    );
    for name in model.operations.keys() {
        let _ = writeln!(
            s,
            "        OperationId::{name} => oss_proto::generated::{name}::parse_request(parts, body).map(drop),"
        );
    }
    s.push_str("        _ => Ok(()),\n    }\n}\n");
    vec![("fuzz/src/generated.rs".to_owned(), s)]
}
