//! Generates `crates/oss-proto/src/generated/`: one zero-sized type per operation implementing
//! `oss_proto::operation::Operation`, and the paging wiring. The helpers they
//! call are hand-written in `crates/oss-proto/src/support.rs`.

use std::fmt::Write as _;

use super::spec::{BodyKind, Field, Location, Model, OperationDef, Ty, resolve_path};
use super::{HEADER, doc_lines};

pub(crate) fn generate(model: &Model) -> Vec<(String, String)> {
    let dir = "crates/oss-proto/src/generated";
    vec![
        (format!("{dir}/mod.rs"), module_root()),
        (format!("{dir}/operations.rs"), operations(model)),
        (format!("{dir}/paginate.rs"), paginate(model)),
        (
            format!("{dir}/server.rs"),
            super::gen_proto_server::server(model),
        ),
    ]
}

fn module_root() -> String {
    format!(
        "{HEADER}\n//! Generated operations: one zero-sized type per spec operation, implementing \
         [`crate::operation::Operation`].\n\n\
         mod operations;\nmod paginate;\nmod routes;\n\
         // The server side (what the emulator uses) is behind the `server` feature.\n\
         #[cfg(feature = \"server\")]\nmod config;\n\
         #[cfg(feature = \"server\")]\nmod server;\n\n\
         pub use operations::*;\npub use routes::{{OperationId, ROUTES, SUBRESOURCES}};\n\
         #[cfg(feature = \"server\")]\npub use config::{{CONFIG_DOCUMENTS, ConfigAbsent, ConfigDocument, ConfigInstance, ConfigRejection, canonical_config, config_document}};\n\
         #[cfg(feature = \"server\")]\npub use server::ServerOperation;\n"
    )
}

fn operations(model: &Model) -> String {
    let mut s = format!(
        "{HEADER}\n//! Generated `Operation` implementations.\n\n\
         use bytes::Bytes;\nuse http::Method;\n\n\
         use crate::support;\nuse crate::Error;\n\
         use crate::operation::{{Operation, OperationMetadata, RequestParts, ResponseBodyKind, Scope}};\n\n"
    );
    let names: Vec<String> = model.operations.keys().map(|n| format!("{n:?}")).collect();
    let _ = writeln!(
        s,
        "/// The names of every generated operation, sorted.\npub const OPERATION_NAMES: &[&str] = &[{}];\n",
        names.join(", ")
    );
    for op in model.operations.values() {
        operation(&mut s, op, model);
    }
    s
}

fn response_kind(op: &OperationDef) -> &'static str {
    match op.output_body() {
        Some((_, BodyKind::Stream)) => "Streaming",
        Some(_) => "Buffered",
        None => "Empty",
    }
}

fn operation(s: &mut String, op: &OperationDef, model: &Model) {
    let name = &op.name;
    s.push_str(&doc_lines(&op.doc, ""));
    let _ = writeln!(s, "///\n/// Category: {}.", op.category);
    let _ = writeln!(
        s,
        "///\n/// Input [`oss_model::{name}Input`], output [`oss_model::{name}Output`].\n\
         #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]\npub struct {name};\n"
    );
    let _ = writeln!(
        s,
        "impl Operation for {name} {{\ntype Input = oss_model::{name}Input;\ntype Output = oss_model::{name}Output;\n\
         const METADATA: OperationMetadata = OperationMetadata {{\nname: {name:?},\nmethod: Method::{},\nscope: Scope::{},\n\
         response_body: ResponseBodyKind::{},\nrequires_content_md5: {},\n}};\n",
        op.method,
        op.scope,
        response_kind(op),
        op.content_md5
    );
    if !op.v1_signed_query.is_empty() {
        let params: Vec<String> = op
            .v1_signed_query
            .iter()
            .map(|q| format!("{q:?}"))
            .collect();
        let _ = writeln!(
            s,
            "const V1_SIGNED_QUERY: &'static [&'static str] = &[{}];\n",
            params.join(", ")
        );
    }
    build_request(s, op);
    parse_output(s, op, model);
    let _ = writeln!(s, "}}\n");
}

fn build_request(s: &mut String, op: &OperationDef) {
    let uses_input = op.has_bucket() || !op.input.is_empty();
    let _ = writeln!(
        s,
        "fn build_request({}: &Self::Input) -> Result<RequestParts, Error> {{",
        if uses_input { "input" } else { "_input" }
    );
    let bucket = if op.has_bucket() {
        "Some(&input.bucket)"
    } else {
        "None"
    };
    let key = if op.has_key() {
        "Some(&input.key)"
    } else {
        "None"
    };
    let mutable = !op.query.is_empty() || !op.input.is_empty();
    let _ = writeln!(
        s,
        "let {}parts = support::request(Method::{}, Scope::{}, {bucket}, {key})?;",
        if mutable { "mut " } else { "" },
        op.method,
        op.scope
    );
    for (k, v) in &op.query {
        match op.fixed_query_member(k) {
            Some(f) => {
                let _ = writeln!(
                    s,
                    "support::fixed_query_value(&mut parts, {k:?}, &input.{});",
                    f.ident
                );
            }
            None => {
                let _ = writeln!(s, "support::fixed_query(&mut parts, {k:?}, {v:?});");
            }
        }
    }
    for f in &op.input {
        if matches!(&f.location, Location::Query(q) if op.fixed_query_member(q).is_some()) {
            continue;
        }
        input_member(s, f);
    }
    let _ = writeln!(s, "Ok(parts)\n}}\n");
}

fn input_member(s: &mut String, f: &Field) {
    let ident = &f.ident;
    let name = &f.name;
    match &f.location {
        Location::Query(q) => {
            if f.is_option() {
                let _ = writeln!(s, "support::query_opt(&mut parts, {q:?}, &input.{ident});");
            } else {
                let _ = writeln!(s, "support::query(&mut parts, {q:?}, &input.{ident});");
            }
        }
        Location::Header(h) => {
            if f.is_option() {
                let _ = writeln!(
                    s,
                    "support::header_opt(&mut parts, {name:?}, {h:?}, &input.{ident})?;"
                );
            } else {
                let _ = writeln!(
                    s,
                    "support::header(&mut parts, {name:?}, {h:?}, &input.{ident})?;"
                );
            }
        }
        Location::HeaderPrefix(p) => {
            let _ = writeln!(
                s,
                "support::header_map(&mut parts, {name:?}, {p:?}, &input.{ident})?;"
            );
        }
        Location::Body(kind) => {
            let call = match (kind, &f.content_type) {
                (BodyKind::Xml, _) => "support::xml_body(&mut parts, body);".to_string(),
                (BodyKind::Json, _) => "support::json_body(&mut parts, body);".to_string(),
                (BodyKind::Text, None) => "support::text_body(&mut parts, body);".to_string(),
                (BodyKind::Text, Some(ct)) => {
                    format!("support::typed_text_body(&mut parts, body, {ct:?});")
                }
                (BodyKind::Stream, _) => {
                    let _ = writeln!(s, "parts.body = crate::operation::RequestBody::Streaming;");
                    return;
                }
            };
            if f.is_option() {
                let _ = writeln!(s, "if let Some(body) = &input.{ident} {{\n{call}\n}}");
            } else {
                let _ = writeln!(s, "let body = &input.{ident};\n{call}");
            }
        }
        Location::Element { .. } | Location::Text => {}
    }
}

fn parse_output(s: &mut String, op: &OperationDef, model: &Model) {
    let name = &op.name;
    let body = op.output_body();
    let uses_body = matches!(body, Some((_, k)) if k != BodyKind::Stream);
    let _ = writeln!(
        s,
        "fn parse_output(head: &http::response::Parts, {}: Bytes) -> Result<Self::Output, Error> {{",
        if uses_body { "body" } else { "_body" }
    );
    let mut flattened: Vec<String> = Vec::new();
    if let Some((f, kind)) = body {
        match (kind, &f.ty) {
            (BodyKind::Xml | BodyKind::Json, Ty::Shape(shape)) => {
                let reader = match (kind, f.required) {
                    (BodyKind::Xml, true) => "xml_document",
                    (BodyKind::Xml, false) => "optional_xml_document",
                    (_, true) => "json_document",
                    (_, false) => "optional_json_document",
                };
                if let Some(shape) = model.shapes.get(shape) {
                    flattened = shape.fields.iter().map(|f| f.ident.clone()).collect();
                    let _ = writeln!(
                        s,
                        "let oss_model::{} {{ {} }} = support::{reader}({name:?}, &body)?;",
                        shape.name,
                        flattened.join(", ")
                    );
                }
            }
            (BodyKind::Text, _) => {
                let _ = writeln!(
                    s,
                    "let {} = support::text_document({name:?}, &body)?;",
                    f.ident
                );
                if f.is_option() {
                    let _ = writeln!(s, "let {0} = Some({0}).filter(|t| !t.is_empty());", f.ident);
                }
                flattened.push(f.ident.clone());
            }
            _ => {}
        }
    }
    let _ = writeln!(
        s,
        "Ok(oss_model::{name}Output {{\nrequest_id: support::request_id(head),"
    );
    for f in &op.output {
        let ident = &f.ident;
        match &f.location {
            Location::Header(h) => {
                if f.is_option() {
                    let _ = writeln!(s, "{ident}: support::header_value({name:?}, head, {h:?})?,");
                } else {
                    let _ = writeln!(
                        s,
                        "{ident}: support::required_header({name:?}, head, {h:?})?,"
                    );
                }
            }
            Location::HeaderPrefix(p) => {
                let _ = writeln!(
                    s,
                    "{ident}: support::header_prefix_map({name:?}, head, {p:?})?,"
                );
            }
            _ => {}
        }
    }
    for f in flattened {
        let _ = writeln!(s, "{f},");
    }
    let _ = writeln!(s, "}})\n}}");
}

fn paginate(model: &Model) -> String {
    let mut s = format!(
        "{HEADER}\n//! Generated paging wiring: [`crate::paginate::Paginated`] for every listing \
         operation, from its `paginate` table.\n\n\
         #[allow(unused_imports)]\nuse crate::Error;\n#[allow(unused_imports)]\nuse crate::paginate::Paginated;\n\n"
    );
    for op in model.operations.values() {
        let Some(p) = &op.paginate else { continue };
        let name = &op.name;
        let items: Vec<String> = p.items.iter().map(|i| format!("{i:?}")).collect();
        let _ = writeln!(
            s,
            "impl Paginated for super::{name} {{\nconst ITEMS: &'static [&'static str] = &[{}];\n\
             fn next_input(input: &Self::Input, output: &Self::Output) -> Result<Option<Self::Input>, Error> {{",
            items.join(", ")
        );
        let out_fields = super::gen_model::output_fields(op, model);
        let in_fields = super::gen_model::input_fields(op);
        // Paths were checked when the spec was loaded.
        let out = |path: &str| resolve_path(&out_fields, path, model).ok();
        if let Some(more) = &p.more {
            let test = match out(more) {
                Some((rust, f)) if f.is_option() => format!("output.{rust} != Some(true)"),
                Some((rust, _)) => format!("!output.{rust}"),
                None => continue,
            };
            let _ = writeln!(s, "if {test} {{\nreturn Ok(None);\n}}");
        }
        // Without `more`, a listing ends when no token is left: absent, or empty (the Go SDK v2's
        // vector paginators stop on `nextToken == ""`).
        let absent: Vec<String> = p
            .output_token
            .iter()
            .filter_map(|t| {
                let (rust, f) = out(t)?;
                match (f.is_option(), p.more.is_some()) {
                    (true, true) => Some(format!("output.{rust}.is_none()")),
                    (true, false) => Some(format!(
                        "output.{rust}.as_deref().is_none_or(str::is_empty)"
                    )),
                    (false, true) => None,
                    (false, false) => Some(format!("output.{rust}.is_empty()")),
                }
            })
            .collect();
        let stalled = if p.more.is_some() {
            format!("return Err(Error::PaginationStalled {{ operation: {name:?} }});")
        } else {
            "return Ok(None);".to_string()
        };
        if !absent.is_empty() {
            let _ = writeln!(s, "if {} {{\n{stalled}\n}}", absent.join(" && "));
        }
        let _ = writeln!(s, "let mut next = input.clone();");
        for (i, o) in p.input_token.iter().zip(&p.output_token) {
            let Some((out_rust, out_field)) = out(o) else {
                continue;
            };
            let Ok((in_rust, in_field)) = resolve_path(&in_fields, i, model) else {
                continue;
            };
            let mut value = format!("output.{out_rust}");
            if !out_field.ty.is_copy() {
                value.push_str(".clone()");
            }
            if in_field.is_option() && !out_field.is_option() {
                value = format!("Some({value})");
            }
            let _ = writeln!(s, "next.{in_rust} = {value};");
        }
        let _ = writeln!(s, "Ok(Some(next))\n}}\n}}\n");
    }
    s
}
