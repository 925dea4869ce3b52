//! Generates `crates/oss-model/src/generated/`: enums, shapes, operation inputs and outputs, their
//! XML/JSON readers and writers, and the generated property tests.

use std::fmt::Write as _;

use super::spec::{BodyKind, EnumDef, Field, Location, Model, OperationDef, ShapeDef, Ty, leaf};
use super::{HEADER, doc_lines};

/// `(path relative to the workspace root, unformatted source)` for every generated model file.
pub(crate) fn generate(model: &Model) -> Vec<(String, String)> {
    let dir = "crates/oss-model/src/generated";
    vec![
        (format!("{dir}/mod.rs"), module_root()),
        (format!("{dir}/enums.rs"), enums(model)),
        (format!("{dir}/shapes.rs"), shapes(model)),
        (format!("{dir}/operations.rs"), operations(model)),
        (
            format!("{dir}/tests.rs"),
            super::gen_model_tests::tests(model),
        ),
    ]
}

fn module_root() -> String {
    format!(
        "{HEADER}\n//! Generated models: see the crate documentation.\n\n\
         mod enums;\nmod operations;\nmod shapes;\n#[cfg(test)]\nmod tests;\n\n\
         pub use enums::*;\npub use operations::*;\npub use shapes::*;\n"
    )
}

fn enums(model: &Model) -> String {
    let mut s = format!("{HEADER}\n//! Generated enums.\n\n");
    for e in model.enums.values() {
        enum_def(&mut s, e);
    }
    s
}

fn enum_def(s: &mut String, e: &EnumDef) {
    let name = &e.name;
    s.push_str(&doc_lines(&e.doc, ""));
    let _ = writeln!(
        s,
        "#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]"
    );
    let _ = writeln!(s, "#[non_exhaustive]\npub enum {name} {{");
    for (value, variant) in &e.values {
        let _ = writeln!(s, "/// `{value}`\n{variant},");
    }
    let _ = writeln!(
        s,
        "/// A value this SDK does not know, kept as received.\nUnknown(String),\n}}\n"
    );
    let _ = writeln!(s, "impl {name} {{");
    let values: Vec<String> = e.values.iter().map(|(v, _)| format!("{v:?}")).collect();
    let _ = writeln!(
        s,
        "/// Every value this SDK knows, in spec order.\npub const VALUES: &'static [&'static str] = &[{}];",
        values.join(", ")
    );
    let _ = writeln!(
        s,
        "/// The value as OSS sends it.\npub fn as_str(&self) -> &str {{\nmatch self {{"
    );
    for (value, variant) in &e.values {
        let _ = writeln!(s, "Self::{variant} => {value:?},");
    }
    let _ = writeln!(s, "Self::Unknown(v) => v,\n}}\n}}\n}}\n");
    let _ = writeln!(
        s,
        "impl From<&str> for {name} {{\nfn from(value: &str) -> Self {{\nmatch value {{"
    );
    for (value, variant) in &e.values {
        let _ = writeln!(s, "{value:?} => Self::{variant},");
    }
    let _ = writeln!(
        s,
        "other => Self::Unknown(other.to_string()),\n}}\n}}\n}}\n"
    );
    let _ = writeln!(
        s,
        "impl From<String> for {name} {{\nfn from(value: String) -> Self {{\nmatch Self::from(value.as_str()) {{\nSelf::Unknown(_) => Self::Unknown(value),\nknown => known,\n}}\n}}\n}}\n"
    );
    let _ = writeln!(s, "crate::value::wire_enum!({name});");
    if e.json {
        let _ = writeln!(s, "crate::value::json_enum!({name});");
    } else {
        s.push_str(&super::gen_serde::enum_impl(name));
    }
    s.push('\n');
}

fn shapes(model: &Model) -> String {
    let mut s = format!(
        "{HEADER}\n//! Generated shapes.\n\n#![allow(clippy::semicolon_if_nothing_returned)]\n\n#[allow(unused_imports)]\nuse super::enums::*;\n\n"
    );
    for shape in model.shapes.values() {
        shape_def(&mut s, shape, model);
    }
    s
}

fn derives(defaultable: bool, json: bool, debug: bool) -> String {
    let mut d = vec!["Clone", "PartialEq"];
    if debug {
        d.insert(0, "Debug");
    }
    if defaultable {
        d.push("Default");
    }
    if json {
        d.push("serde::Serialize");
        d.push("serde::Deserialize");
    }
    format!("#[derive({})]\n", d.join(", "))
}

fn has_sensitive(fields: &[Field]) -> bool {
    fields.iter().any(|f| f.sensitive)
}

/// A `Debug` impl that prints `<redacted>` for sensitive fields.
fn redacting_debug(s: &mut String, type_name: &str, fields: &[(String, String, bool)]) {
    let _ = writeln!(
        s,
        "impl std::fmt::Debug for {type_name} {{\nfn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\nf.debug_struct({type_name:?})"
    );
    for (name, ident, sensitive) in fields {
        if *sensitive {
            let _ = writeln!(s, ".field({name:?}, &\"<redacted>\")");
        } else {
            let _ = writeln!(s, ".field({name:?}, &self.{ident})");
        }
    }
    let _ = writeln!(s, ".finish()\n}}\n}}\n");
}

fn struct_fields(s: &mut String, fields: &[Field], json: bool) {
    for f in fields {
        s.push_str(&doc_lines(&f.doc, ""));
        if json && let Location::Element { name, .. } = &f.location {
            let mut extra = if f.is_option() {
                ", default, skip_serializing_if = \"Option::is_none\""
            } else if matches!(f.ty, Ty::List(_)) {
                ", default, skip_serializing_if = \"Vec::is_empty\""
            } else {
                ""
            }
            .to_string();
            if f.ty == Ty::Timestamp {
                let adapter = if f.is_option() {
                    "optional"
                } else {
                    "required"
                };
                extra.push_str(&format!(", with = \"crate::json_time::{adapter}\""));
            }
            let _ = writeln!(s, "#[serde(rename = {name:?}{extra})]");
        }
        if !json && let Some(attr) = super::gen_serde::field(f) {
            s.push_str(&attr);
        }
        let _ = writeln!(s, "pub {}: {},", f.ident, f.rust_type());
    }
}

fn shape_def(s: &mut String, shape: &ShapeDef, model: &Model) {
    let name = &shape.name;
    let sensitive = has_sensitive(&shape.fields);
    s.push_str(&doc_lines(&shape.doc, ""));
    s.push_str(&derives(shape.defaultable, shape.json, !sensitive));
    if !shape.json {
        s.push_str(super::gen_serde::CONTAINER);
    }
    let _ = writeln!(s, "pub struct {name} {{");
    struct_fields(s, &shape.fields, shape.json);
    let _ = writeln!(s, "}}\n");
    if sensitive {
        let fields: Vec<_> = shape
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.ident.clone(), f.sensitive))
            .collect();
        redacting_debug(s, name, &fields);
    }

    if let Some(text) = shape.text_field() {
        text_shape_xml(s, shape, text);
    } else {
        element_shape_xml(s, shape);
    }
    let _ = writeln!(
        s,
        "impl crate::xml::XmlDocument for {name} {{\nconst ROOT: &'static str = {:?};\n}}\n",
        shape.xml_root
    );
    if shape.json {
        let _ = writeln!(s, "impl crate::json::JsonDocument for {name} {{}}\n");
    }
    if shape.has_url_encoded {
        url_coded(s, shape, model);
    }
}

/// Reader and writer of a shape whose element holds only text (its one `text` member).
fn text_shape_xml(s: &mut String, shape: &ShapeDef, text: &Field) {
    let name = &shape.name;
    let ident = &text.ident;
    let _ = writeln!(
        s,
        "impl crate::xml::FromXml for {name} {{\nfn read_xml(r: &mut crate::xml::XmlReader<'_>, element: &'static str) -> Result<Self, crate::XmlError> {{\nOk(Self {{ {ident}: r.read(element)? }})\n}}\n}}\n"
    );
    let _ = writeln!(
        s,
        "impl crate::xml::ToXml for {name} {{\nfn write_xml(&self, w: &mut crate::xml::XmlWriter, name: &str) {{\nw.field(name, &self.{ident});\n}}\n}}\n"
    );
}

/// Reader and writer of a shape whose members are child elements.
fn element_shape_xml(s: &mut String, shape: &ShapeDef) {
    let name = &shape.name;
    // Reader.
    let _ = writeln!(
        s,
        "impl crate::xml::FromXml for {name} {{\nfn read_xml(r: &mut crate::xml::XmlReader<'_>, _element: &'static str) -> Result<Self, crate::XmlError> {{"
    );
    for f in &shape.fields {
        if f.ty.is_container() {
            let _ = writeln!(s, "let mut v_{} = Vec::new();", f.name);
        } else {
            let _ = writeln!(s, "let mut v_{} = None;", f.name);
        }
    }
    let arms: Vec<String> = shape
        .fields
        .iter()
        .filter_map(|f| {
            let Location::Element { name: el, item } = &f.location else {
                return None;
            };
            let v = format!("v_{}", f.name);
            Some(match (&f.ty, item) {
                (Ty::List(_), Some(item)) => {
                    format!("b{el:?} => r.read_wrapped({item:?}, &mut {v})?,")
                }
                (Ty::List(_), None) => format!("b{el:?} => {v}.push(r.read({el:?})?),"),
                _ => format!("b{el:?} => {v} = Some(r.read({el:?})?),"),
            })
        })
        .collect();
    if arms.is_empty() {
        let _ = writeln!(s, "while r.next_child()?.is_some() {{\nr.skip()?;\n}}");
    } else {
        let _ = writeln!(
            s,
            "while let Some(tag) = r.next_child()? {{\nmatch tag.local_name() {{\n{}\n_ => r.skip()?,\n}}\n}}",
            arms.join("\n")
        );
    }
    let url_decode = shape.has_url_encoded && shape.encoding_type_field().is_some();
    let binding = if url_decode {
        "let mut value = "
    } else {
        "Ok("
    };
    let _ = writeln!(s, "{binding}Self {{");
    for f in &shape.fields {
        let el = match &f.location {
            Location::Element { name, .. } => name.as_str(),
            _ => "",
        };
        if f.required && !f.ty.is_container() {
            let _ = writeln!(
                s,
                "{}: crate::xml::required(v_{}, {name:?}, {el:?})?,",
                f.ident, f.name
            );
        } else {
            let _ = writeln!(s, "{}: v_{},", f.ident, f.name);
        }
    }
    if url_decode {
        let _ = writeln!(s, "}};");
        if let Some(et) = shape.encoding_type_field() {
            let test = if f_is_option(et) {
                format!(
                    "value.{}.as_ref().is_some_and(|v| AsRef::<str>::as_ref(v) == \"url\")",
                    et.ident
                )
            } else {
                format!("AsRef::<str>::as_ref(&value.{}) == \"url\"", et.ident)
            };
            let _ = writeln!(
                s,
                "if {test} {{\ncrate::xml::UrlCoded::url_decode(&mut value, {name:?})?;\n}}\nOk(value)"
            );
        }
    } else {
        let _ = writeln!(s, "}})");
    }
    let _ = writeln!(s, "}}\n}}\n");

    // Writer.
    let _ = writeln!(
        s,
        "impl crate::xml::ToXml for {name} {{\nfn write_xml(&self, w: &mut crate::xml::XmlWriter, name: &str) {{\nw.start(name);"
    );
    for f in &shape.fields {
        let Location::Element { name: el, item } = &f.location else {
            continue;
        };
        match (&f.ty, item) {
            (Ty::List(_), Some(item)) => {
                let _ = writeln!(
                    s,
                    "w.wrapped_list_field({el:?}, {item:?}, &self.{}, {});",
                    f.ident, f.required
                );
            }
            (Ty::List(_), None) => {
                let _ = writeln!(s, "w.list_field({el:?}, &self.{});", f.ident);
            }
            _ if f.is_option() => {
                let _ = writeln!(s, "w.opt_field({el:?}, &self.{});", f.ident);
            }
            _ => {
                let _ = writeln!(s, "w.field({el:?}, &self.{});", f.ident);
            }
        }
    }
    let _ = writeln!(s, "w.end(name);\n}}\n}}\n");
}

fn f_is_option(f: &Field) -> bool {
    f.is_option()
}

fn url_coded(s: &mut String, shape: &ShapeDef, model: &Model) {
    let coded: Vec<&Field> = shape
        .fields
        .iter()
        .filter(|f| {
            f.url_encoded
                || matches!(leaf(&f.ty), Ty::Shape(n) if model.shapes.get(n).is_some_and(|s| s.has_url_encoded))
        })
        .collect();
    let _ = writeln!(
        s,
        "impl crate::xml::UrlCoded for {} {{\nfn url_decode(&mut self, _element: &'static str) -> Result<(), crate::XmlError> {{",
        shape.name
    );
    for f in &coded {
        let el = match &f.location {
            Location::Element { name, .. } => name.as_str(),
            _ => "",
        };
        let _ = writeln!(
            s,
            "crate::xml::UrlCoded::url_decode(&mut self.{}, {el:?})?;",
            f.ident
        );
    }
    let _ = writeln!(s, "Ok(())\n}}\nfn url_encode(&mut self) {{");
    for f in &coded {
        let _ = writeln!(
            s,
            "crate::xml::UrlCoded::url_encode(&mut self.{});",
            f.ident
        );
    }
    let _ = writeln!(s, "}}\n}}\n");
}

fn operations(model: &Model) -> String {
    let mut s = format!(
        "{HEADER}\n//! Generated operation inputs and outputs.\n\n#[allow(unused_imports)]\nuse super::enums::*;\n#[allow(unused_imports)]\nuse super::shapes::*;\n\n"
    );
    for op in model.operations.values() {
        input_def(&mut s, op);
        output_def(&mut s, op, model);
    }
    s
}

/// The input struct's fields: implicit bucket/key, then the declared members except a stream body.
pub(crate) fn input_fields(op: &OperationDef) -> Vec<Field> {
    let mut fields = Vec::new();
    let implicit = |name: &str, doc: &str| Field {
        name: name.to_string(),
        ident: name.to_string(),
        doc: doc.to_string(),
        ty: Ty::String,
        required: true,
        location: Location::Header(String::new()),
        url_encoded: false,
        sensitive: false,
        content_type: None,
    };
    if op.has_bucket() {
        fields.push(implicit("bucket", "The bucket name."));
    }
    if op.has_key() {
        fields.push(implicit("key", "The object key."));
    }
    fields.extend(
        op.input
            .iter()
            .filter(|f| f.location != Location::Body(BodyKind::Stream))
            .cloned(),
    );
    fields
}

fn input_def(s: &mut String, op: &OperationDef) {
    let ty = format!("{}Input", op.name);
    let builder = format!("{ty}Builder");
    let fields = input_fields(op);
    let sensitive = has_sensitive(&fields);
    let _ = writeln!(s, "/// The input of `{}`: {}", op.name, first_line(&op.doc));
    let _ = writeln!(s, "///\n/// Build one with [`{ty}::builder`].");
    s.push_str(&derives(false, false, !sensitive));
    s.push_str(super::gen_serde::CONTAINER);
    let _ = writeln!(s, "pub struct {ty} {{");
    struct_fields(s, &fields, false);
    let _ = writeln!(s, "}}\n");
    let debug_fields: Vec<_> = fields
        .iter()
        .map(|f| (f.name.clone(), f.ident.clone(), f.sensitive))
        .collect();
    if sensitive {
        redacting_debug(s, &ty, &debug_fields);
    }
    let _ = writeln!(
        s,
        "impl {ty} {{\n/// A builder with every member unset.\npub fn builder() -> {builder} {{\n{builder}::default()\n}}\n}}\n"
    );
    let _ = writeln!(s, "/// A builder for [`{ty}`].");
    let _ = writeln!(
        s,
        "#[derive({}Clone, Default)]",
        if sensitive { "" } else { "Debug, " }
    );
    let _ = writeln!(s, "pub struct {builder} {{");
    for f in &fields {
        if f.ty.is_container() {
            let _ = writeln!(s, "{}: {},", f.ident, f.ty.rust());
        } else {
            let _ = writeln!(s, "{}: Option<{}>,", f.ident, f.ty.rust());
        }
    }
    let _ = writeln!(s, "}}\n");
    if sensitive {
        redacting_debug(s, &builder, &debug_fields);
    }
    let _ = writeln!(s, "impl {builder} {{");
    for f in &fields {
        s.push_str(&doc_lines(&format!("Sets `{}`: {}", f.name, f.doc), ""));
        if f.ty.is_container() {
            let _ = writeln!(
                s,
                "pub fn {}(mut self, value: {}) -> Self {{\nself.{} = value;\nself\n}}",
                f.ident,
                f.ty.rust(),
                f.ident
            );
        } else {
            let _ = writeln!(
                s,
                "pub fn {}(mut self, value: impl Into<{}>) -> Self {{\nself.{} = Some(value.into());\nself\n}}",
                f.ident,
                f.ty.rust(),
                f.ident
            );
        }
    }
    let _ = writeln!(
        s,
        "/// Builds the input; fails when a required member is unset.\npub fn build(self) -> Result<{ty}, crate::BuildError> {{\nOk({ty} {{"
    );
    for f in &fields {
        if f.required && !f.ty.is_container() {
            let _ = writeln!(
                s,
                "{}: crate::error::require_field(self.{}, {ty:?}, {:?})?,",
                f.ident, f.ident, f.name
            );
        } else {
            let _ = writeln!(s, "{}: self.{},", f.ident, f.ident);
        }
    }
    let _ = writeln!(s, "}})\n}}\n}}\n");
}

/// The output struct's fields: `request_id`, header members, text body, flattened body members.
pub(crate) fn output_fields(op: &OperationDef, model: &Model) -> Vec<Field> {
    let mut fields = vec![Field {
        name: "request_id".into(),
        ident: "request_id".into(),
        doc: "The ID OSS gave the request (`x-oss-request-id`).".into(),
        ty: Ty::String,
        required: false,
        location: Location::Header("x-oss-request-id".into()),
        url_encoded: false,
        sensitive: false,
        content_type: None,
    }];
    for f in &op.output {
        match (&f.location, &f.ty) {
            (Location::Body(BodyKind::Xml | BodyKind::Json), Ty::Shape(shape)) => {
                if let Some(shape) = model.shapes.get(shape) {
                    fields.extend(shape.fields.iter().cloned());
                }
            }
            (Location::Body(BodyKind::Stream), _) => {}
            _ => fields.push(f.clone()),
        }
    }
    fields
}

fn output_def(s: &mut String, op: &OperationDef, model: &Model) {
    let ty = format!("{}Output", op.name);
    let fields = output_fields(op, model);
    let sensitive = has_sensitive(&fields);
    let body_shape = match op.output_body() {
        Some((f, BodyKind::Xml | BodyKind::Json)) => match &f.ty {
            Ty::Shape(n) => model.shapes.get(n),
            _ => None,
        },
        _ => None,
    };
    let defaultable = fields.iter().all(|f| {
        f.is_option()
            || f.ty.is_container()
            || match &f.ty {
                Ty::String | Ty::Integer | Ty::Boolean | Ty::Float | Ty::Json => true,
                Ty::Shape(n) => model.shapes.get(n).is_some_and(|s| s.defaultable),
                _ => false,
            }
    });
    let _ = writeln!(
        s,
        "/// The output of `{}`: {}",
        op.name,
        first_line(&op.doc)
    );
    if let Some(shape) = body_shape {
        let _ = writeln!(
            s,
            "///\n/// The members of the response document ([`{}`]) are fields of this struct.",
            shape.name
        );
    }
    if op.output_body().is_some_and(|(_, k)| k == BodyKind::Stream) {
        let _ = writeln!(
            s,
            "///\n/// The object data is streamed by the transport, not held here."
        );
    }
    s.push_str(&derives(defaultable, false, !sensitive));
    s.push_str(super::gen_serde::CONTAINER);
    let _ = writeln!(s, "pub struct {ty} {{");
    struct_fields(s, &fields, false);
    let _ = writeln!(s, "}}\n");
    if sensitive {
        let debug_fields: Vec<_> = fields
            .iter()
            .map(|f| (f.name.clone(), f.ident.clone(), f.sensitive))
            .collect();
        redacting_debug(s, &ty, &debug_fields);
    }
    if let Some(shape) = body_shape {
        let _ = writeln!(
            s,
            "impl {ty} {{\n/// The response document this output's body members form (what a server writes).\npub fn to_document(&self) -> {} {{\n{} {{",
            shape.name, shape.name
        );
        for f in &shape.fields {
            let clone = if f.ty.is_copy() { "" } else { ".clone()" };
            let _ = writeln!(s, "{}: self.{}{clone},", f.ident, f.ident);
        }
        let _ = writeln!(s, "}}\n}}\n}}\n");
    }
}

fn first_line(doc: &str) -> &str {
    doc.lines().next().unwrap_or("")
}
