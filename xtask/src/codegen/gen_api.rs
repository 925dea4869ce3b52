//! Generates `crates/ossx/src/generated/`: `ossx api <Operation>`'s dispatch by operation name,
//! reading the input from JSON and writing the output as JSON (oss-model's `serde` feature).

use std::fmt::Write as _;

use super::HEADER;
use super::spec::{BodyKind, Location, Model, OperationDef};

pub(crate) fn generate(model: &Model) -> Vec<(String, String)> {
    let dir = "crates/ossx/src/generated";
    vec![
        (
            format!("{dir}/mod.rs"),
            format!(
                "{HEADER}\n//! Generated dispatch of `ossx api`.\n\nmod api;\n\npub(crate) use api::*;\n"
            ),
        ),
        (format!("{dir}/api.rs"), api(model)),
    ]
}

fn has_stream_input(op: &OperationDef) -> bool {
    op.input
        .iter()
        .any(|f| f.location == Location::Body(BodyKind::Stream))
}

fn api(model: &Model) -> String {
    let mut s = format!(
        "{HEADER}\n//! Every operation by name: input from JSON, output to JSON.\n\n\
         use oss_client::{{Body, ByteStream, Client}};\n\n\
         /// What a call needs besides the client and the input.\n\
         pub(crate) struct ApiCall {{\n\
         /// The object data of operations that upload it (empty when `None`).\n\
         pub(crate) body: Option<Body>,\n}}\n\n\
         /// The result of a call: the output as JSON and, for operations that download object\n\
         /// data, the data as a stream.\n\
         pub(crate) type ApiResult = Result<(serde_json::Value, Option<ByteStream>), ApiError>;\n\n\
         /// Why a call failed.\n\
         #[derive(Debug)]\n\
         pub(crate) enum ApiError {{\n\
         /// The input JSON does not fit the operation's input.\n\
         Input(serde_json::Error),\n\
         /// The output could not be written as JSON.\n\
         Output(serde_json::Error),\n\
         /// The call failed.\n\
         Call(oss_client::Error),\n\
         /// No operation has this name.\n\
         UnknownOperation,\n}}\n\n"
    );
    let _ = writeln!(
        s,
        "/// Every operation, with whether it uploads (`true` in the first flag) or downloads\n\
         /// (second flag) object data.\npub(crate) const OPERATIONS: &[(&str, bool, bool)] = &["
    );
    for op in model.operations.values() {
        let stream_out = op.output_body().is_some_and(|(_, k)| k == BodyKind::Stream);
        let _ = writeln!(
            s,
            "({:?}, {}, {stream_out}),",
            op.name,
            has_stream_input(op)
        );
    }
    let _ = writeln!(s, "];\n");
    let _ = writeln!(
        s,
        "/// Calls the operation `name` with `input`.\n\
         pub(crate) async fn call(client: &Client, name: &str, input: serde_json::Value, extra: ApiCall) -> ApiResult {{\n\
         match name {{"
    );
    for op in model.operations.values() {
        let name = &op.name;
        let stream_out = op.output_body().is_some_and(|(_, k)| k == BodyKind::Stream);
        let parse = format!(
            "let input: oss_model::{name}Input = serde_json::from_value(input).map_err(ApiError::Input)?;"
        );
        let body = if stream_out {
            format!(
                "let (output, data) = client.call_streaming::<oss_proto::generated::{name}>(input).await.map_err(ApiError::Call)?;\n\
                 Ok((serde_json::to_value(output).map_err(ApiError::Output)?, Some(data)))"
            )
        } else if has_stream_input(op) {
            format!(
                "let output = client.call_with_body::<oss_proto::generated::{name}>(input, extra.body.unwrap_or_else(Body::empty)).await.map_err(ApiError::Call)?;\n\
                 Ok((serde_json::to_value(output).map_err(ApiError::Output)?, None))"
            )
        } else {
            format!(
                "let output = client.call::<oss_proto::generated::{name}>(input).await.map_err(ApiError::Call)?;\n\
                 Ok((serde_json::to_value(output).map_err(ApiError::Output)?, None))"
            )
        };
        let _ = writeln!(s, "{name:?} => {{\n{parse}\n{body}\n}}");
    }
    let _ = writeln!(
        s,
        "_ => {{\nlet _ = (client, input, extra);\nErr(ApiError::UnknownOperation)\n}}\n}}\n}}"
    );
    s
}
