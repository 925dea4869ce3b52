//! Generates `crates/oss-client/src/generated/`: one fluent request builder per operation
//! (`client.put_object().bucket("b").key("k").body(data).send().await`), calling the client's
//! generic entry points `call`, `call_with_body` and `call_streaming`.

use std::fmt::Write as _;

use super::gen_model::input_fields;
use super::spec::{BodyKind, Model, OperationDef, Ty};
use super::{HEADER, doc_lines};

pub(crate) fn generate(model: &Model) -> Vec<(String, String)> {
    let dir = "crates/oss-client/src/generated";
    vec![
        (
            format!("{dir}/mod.rs"),
            format!(
                "{HEADER}\n//! Generated fluent request builders: `client.<operation>()` returns one; set its \
                 members, then `send()`.\n//!\n//! ```\n\
                 //! use oss_client::{{Client, Config, credentials::StaticProvider}};\n\
                 //! let client = Client::new(\n\
                 //!     Config::builder()\n\
                 //!         .region(\"cn-hangzhou\")\n\
                 //!         .credentials(StaticProvider::from_keys(\"ak\", \"sk\"))\n\
                 //!         .build()\n\
                 //!         .unwrap(),\n\
                 //! );\n\
                 //! let request = client\n\
                 //!     .put_bucket_acl()\n\
                 //!     .bucket(\"examplebucket\")\n\
                 //!     .acl(oss_model::BucketAcl::PublicRead);\n\
                 //! // `request.send().await` runs it; a missing required member fails before sending.\n\
                 //! # drop(request);\n\
                 //! ```\n\n#[cfg(feature = \"blocking\")]\npub(crate) mod blocking;\nmod operations;\n\npub use operations::*;\n"
            ),
        ),
        (format!("{dir}/operations.rs"), operations(model)),
        (format!("{dir}/blocking.rs"), blocking(model)),
    ]
}

/// The Rust type of `ty` as the client crate names it.
fn qualified(ty: &Ty) -> String {
    match ty {
        Ty::Enum(n) | Ty::Shape(n) => format!("oss_model::{n}"),
        Ty::List(inner) => format!("Vec<{}>", qualified(inner)),
        Ty::CopySource => "oss_model::CopySource".into(),
        other => other.rust(),
    }
}

fn operations(model: &Model) -> String {
    let mut s = format!(
        "{HEADER}\n//! Generated request builders.\n\n\
         use crate::{{Client, Error}};\n\n"
    );
    let _ = writeln!(s, "impl Client {{");
    for op in model.operations.values() {
        let _ = writeln!(
            s,
            "/// `{}`: {}\n///\n/// Returns a [`{}Request`] to fill in and [`send`]({}Request::send).\npub fn {}(&self) -> {}Request {{\n{}Request {{\nclient: self.clone(),\ninput: oss_model::{}Input::builder(),{}\n}}\n}}",
            op.name,
            op.doc.lines().next().unwrap_or(""),
            op.name,
            op.name,
            op.snake,
            op.name,
            op.name,
            op.name,
            if has_stream_input(op) {
                "\nbody: None,"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(s, "}}\n");
    for op in model.operations.values() {
        request(&mut s, op);
    }
    s
}

fn has_stream_input(op: &OperationDef) -> bool {
    op.input
        .iter()
        .any(|f| f.location == super::spec::Location::Body(BodyKind::Stream))
}

fn request(s: &mut String, op: &OperationDef) {
    let name = &op.name;
    let stream_in = has_stream_input(op);
    let stream_out = op.output_body().is_some_and(|(_, k)| k == BodyKind::Stream);
    let _ = writeln!(
        s,
        "/// A `{name}` request being built: set its members, then [`send`]({name}Request::send) it."
    );
    s.push_str(&doc_lines(&op.doc, ""));
    let _ = writeln!(
        s,
        "#[derive(Debug)]\n#[must_use = \"a request does nothing until it is sent\"]\npub struct {name}Request {{\nclient: Client,\ninput: oss_model::{name}InputBuilder,"
    );
    if stream_in {
        let _ = writeln!(s, "body: Option<crate::Body>,");
    }
    let _ = writeln!(s, "}}\n\nimpl {name}Request {{");
    for f in input_fields(op) {
        s.push_str(&doc_lines(&format!("Sets `{}`: {}", f.name, f.doc), ""));
        let ident = &f.ident;
        if f.ty.is_container() {
            let _ = writeln!(
                s,
                "pub fn {ident}(mut self, value: {}) -> Self {{\nself.input = self.input.{ident}(value);\nself\n}}",
                qualified(&f.ty)
            );
        } else {
            let _ = writeln!(
                s,
                "pub fn {ident}(mut self, value: impl Into<{}>) -> Self {{\nself.input = self.input.{ident}(value);\nself\n}}",
                qualified(&f.ty)
            );
        }
    }
    if stream_in {
        let _ = writeln!(
            s,
            "/// Sets the object data (bytes, a file, a reader or a stream; empty when unset).\npub fn body(mut self, body: impl Into<crate::Body>) -> Self {{\nself.body = Some(body.into());\nself\n}}"
        );
    }
    let build = "let input = self.input.build().map_err(|e| match e {\n\
                 oss_model::BuildError::MissingField { field, .. } => Error::from(oss_proto::Error::invalid_argument(field, \"is required\")),\n\
                 other => Error::from(oss_proto::Error::invalid_argument(\"input\", other.to_string())),\n})?;";
    if stream_out {
        let _ = writeln!(
            s,
            "/// Sends the request; returns the output and the object data as a stream.\n\
             pub async fn send(self) -> Result<(oss_model::{name}Output, crate::ByteStream), Error> {{\n{build}\n\
             self.client.call_streaming::<oss_proto::generated::{name}>(input).await\n}}"
        );
    } else if stream_in {
        let _ = writeln!(
            s,
            "/// Sends the request with its object data.\n\
             pub async fn send(self) -> Result<oss_model::{name}Output, Error> {{\n{build}\n\
             let body = self.body.unwrap_or_else(crate::Body::empty);\n\
             self.client.call_with_body::<oss_proto::generated::{name}>(input, body).await\n}}"
        );
    } else {
        let _ = writeln!(
            s,
            "/// Sends the request.\n\
             pub async fn send(self) -> Result<oss_model::{name}Output, Error> {{\n{build}\n\
             self.client.call::<oss_proto::generated::{name}>(input).await\n}}"
        );
    }
    let _ = writeln!(
        s,
        "/// Presigns the request instead of sending it: a URL valid for `expires`, with the\n\
         /// client's endpoint and signature version (see [`presigned_with`]({name}Request::presigned_with)).\n\
         pub async fn presigned(self, expires: std::time::Duration) -> Result<crate::PresignedRequest, Error> {{\n\
         self.presigned_with(crate::PresignOptions::new(expires)).await\n}}\n\
         /// Presigns the request with `options`: another endpoint, signed headers, V1 or V4\n\
         /// (see [`PresignOptions`](crate::PresignOptions)). Object data set with `body` is not\n\
         /// part of a presigned request.\n\
         pub async fn presigned_with(self, options: crate::PresignOptions) -> Result<crate::PresignedRequest, Error> {{\n{build}\n\
         self.client.presign_with::<oss_proto::generated::{name}>(&input, &options).await\n}}"
    );
    if op.paginate.is_some() && !stream_out && !stream_in {
        let _ = writeln!(
            s,
            "/// Every page of this listing as a stream of outputs, starting from the members set here\n\
             /// (see [`Client::paginate`]). A missing required member is the stream's only item.\n\
             pub fn into_paginator(self) -> crate::PageStream<oss_model::{name}Output> {{\n\
             match self.input.build() {{\n\
             Ok(input) => self.client.paginate::<oss_proto::generated::{name}>(input),\n\
             Err(e) => {{\nlet error = Error::from(oss_proto::Error::invalid_argument(\"input\", e.to_string()));\n\
             Box::pin(futures_util::stream::once(async move {{ Err(error) }}))\n}}\n}}\n}}"
        );
    }
    let _ = writeln!(s, "}}\n");
}

/// The parameter type of `f`'s setter: containers by value, the rest through `Into`.
fn setter_param(f: &super::spec::Field) -> String {
    if f.ty.is_container() {
        qualified(&f.ty)
    } else {
        format!("impl Into<{}>", qualified(&f.ty))
    }
}

/// `crates/oss-client/src/generated/blocking.rs`: one synchronous wrapper per async request
/// builder (feature `blocking`), with the same setters, a blocking `send`, `presigned`,
/// `presigned_with` and, for listings, an `Iterator` of pages.
fn blocking(model: &Model) -> String {
    let mut s = format!(
        "{HEADER}\n//! Generated blocking request builders (feature `blocking`): each wraps the async\n\
         //! builder of the same name and runs it on the [`blocking::Client`](crate::blocking::Client)'s runtime.\n\n\
         use crate::Error;\nuse crate::blocking::Client;\n\n"
    );
    let _ = writeln!(s, "impl Client {{");
    for op in model.operations.values() {
        let _ = writeln!(
            s,
            "/// `{}`: {}\n///\n/// Returns a [`{}Request`] to fill in and [`send`]({}Request::send).\npub fn {}(&self) -> {}Request {{\n{}Request {{\ninner: self.inner.{}(),\nruntime: self.runtime.clone(),\n}}\n}}",
            op.name,
            op.doc.lines().next().unwrap_or(""),
            op.name,
            op.name,
            op.snake,
            op.name,
            op.name,
            op.snake,
        );
    }
    let _ = writeln!(s, "}}\n");
    for op in model.operations.values() {
        blocking_request(&mut s, op);
    }
    s
}

fn blocking_request(s: &mut String, op: &OperationDef) {
    let name = &op.name;
    let stream_in = has_stream_input(op);
    let stream_out = op.output_body().is_some_and(|(_, k)| k == BodyKind::Stream);
    let _ = writeln!(
        s,
        "/// A blocking `{name}` request being built: set its members, then [`send`]({name}Request::send) it."
    );
    s.push_str(&doc_lines(&op.doc, ""));
    let _ = writeln!(
        s,
        "#[derive(Debug)]\n#[must_use = \"a request does nothing until it is sent\"]\npub struct {name}Request {{\ninner: crate::generated::{name}Request,\nruntime: crate::blocking::Runtime,\n}}\n\nimpl {name}Request {{"
    );
    for f in input_fields(op) {
        s.push_str(&doc_lines(&format!("Sets `{}`: {}", f.name, f.doc), ""));
        let ident = &f.ident;
        let _ = writeln!(
            s,
            "pub fn {ident}(self, value: {}) -> Self {{\n{name}Request {{\ninner: self.inner.{ident}(value),\nruntime: self.runtime,\n}}\n}}",
            setter_param(&f)
        );
    }
    if stream_in {
        let _ = writeln!(
            s,
            "/// Sets the object data: bytes, a [`Body`](crate::Body), or a `std::fs::File` or other\n\
             /// reader through [`Body::from_read`](crate::Body::from_read) (empty when unset).\n\
             pub fn body(self, body: impl Into<crate::Body>) -> Self {{\n{name}Request {{\ninner: self.inner.body(body),\nruntime: self.runtime,\n}}\n}}"
        );
    }
    if stream_out {
        let _ = writeln!(
            s,
            "/// Sends the request and waits for the response head; returns the output and the object\n\
             /// data as a [`BodyReader`](crate::blocking::BodyReader) (`std::io::Read`).\n\
             pub fn send(self) -> Result<(oss_model::{name}Output, crate::blocking::BodyReader), Error> {{\n\
             let runtime = self.runtime;\n\
             let (output, body) = runtime.run(\"{name}\", self.inner.send())?;\n\
             Ok((output, crate::blocking::BodyReader::new(\"{name}\", body, runtime)))\n}}"
        );
    } else {
        let _ = writeln!(
            s,
            "/// Sends the request and waits for its output.\n\
             pub fn send(self) -> Result<oss_model::{name}Output, Error> {{\n\
             self.runtime.run(\"{name}\", self.inner.send())\n}}"
        );
    }
    let _ = writeln!(
        s,
        "/// Presigns the request instead of sending it: a URL valid for `expires`, with the\n\
         /// client's endpoint and signature version (see [`presigned_with`]({name}Request::presigned_with)).\n\
         pub fn presigned(self, expires: std::time::Duration) -> Result<crate::PresignedRequest, Error> {{\n\
         self.runtime.run(\"{name}\", self.inner.presigned(expires))\n}}\n\
         /// Presigns the request with `options`: another endpoint, signed headers, V1 or V4\n\
         /// (see [`PresignOptions`](crate::PresignOptions)).\n\
         pub fn presigned_with(self, options: crate::PresignOptions) -> Result<crate::PresignedRequest, Error> {{\n\
         self.runtime.run(\"{name}\", self.inner.presigned_with(options))\n}}"
    );
    if op.paginate.is_some() && !stream_out && !stream_in {
        let _ = writeln!(
            s,
            "/// Every page of this listing as an `Iterator` of outputs, starting from the members set\n\
             /// here; each `next()` sends one request. It ends after the last page or the first error.\n\
             pub fn into_paginator(self) -> crate::blocking::Paginator<oss_model::{name}Output> {{\n\
             crate::blocking::Paginator::new(\"{name}\", self.inner.into_paginator(), self.runtime)\n}}"
        );
    }
    let _ = writeln!(s, "}}\n");
}
