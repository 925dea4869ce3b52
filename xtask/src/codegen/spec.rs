//! The spec format (`spec/*.toml`, described in `spec/README.md`): parsing and validation into a
//! resolved [`Model`] the generators walk.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;

use super::names;

// ------------------------------------------------------------------------------------------------
// The file format, as written.

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecFile {
    #[serde(default)]
    operations: IndexMap<String, RawOperation>,
    #[serde(default)]
    shapes: IndexMap<String, RawShape>,
    #[serde(default)]
    enums: IndexMap<String, RawEnum>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOperation {
    category: String,
    doc: String,
    scope: String,
    method: String,
    #[serde(default)]
    query: Vec<String>,
    #[serde(default)]
    content_md5: bool,
    #[serde(default)]
    v1_signed_query: Vec<String>,
    /// `name=value` query pairs, any one of which tells this operation apart from others with
    /// the same method, scope and sub-resources (SelectObject's `x-oss-process=csv/select`).
    #[serde(default)]
    route_query: Vec<String>,
    /// On the get operation of a configuration document: what OSS answers when the document
    /// was never put (or was deleted).
    absent: Option<RawAbsent>,
    #[serde(default)]
    input: IndexMap<String, RawMember>,
    #[serde(default)]
    output: IndexMap<String, RawMember>,
    paginate: Option<RawPaginate>,
}

/// What a get of an absent configuration document answers: OSS's error (`code`, `status`,
/// `message`, optionally `ec`), or the `default` document OSS returns instead.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAbsent {
    code: Option<String>,
    status: Option<u16>,
    message: Option<String>,
    ec: Option<String>,
    default: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMember {
    name: Option<String>,
    header: Option<String>,
    header_prefix: Option<String>,
    query: Option<String>,
    body: Option<String>,
    #[serde(rename = "type")]
    ty: Option<String>,
    #[serde(default)]
    required: bool,
    doc: Option<String>,
    item: Option<String>,
    #[serde(default)]
    url_encoded: bool,
    #[serde(default)]
    sensitive: bool,
    /// A shape member holding the element's own text (`<LocationConstraint>text</LocationConstraint>`).
    #[serde(default)]
    text: bool,
    /// The `Content-Type` a text body is sent with.
    content_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShape {
    doc: String,
    xml_root: Option<String>,
    #[serde(default)]
    members: IndexMap<String, RawMember>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnum {
    doc: String,
    values: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPaginate {
    input_token: OneOrMany,
    output_token: OneOrMany,
    more: Option<String>,
    #[serde(default)]
    items: Vec<String>,
}

// ------------------------------------------------------------------------------------------------
// The resolved model.

/// A member type, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    String,
    Integer,
    Boolean,
    Timestamp,
    /// `f32`: a JSON number (vector data), decimal text in XML.
    Float,
    /// A free-form JSON value (`serde_json::Value`: vector metadata, query filters); only in
    /// JSON shapes.
    Json,
    Map,
    /// `x-oss-copy-source`: a bucket, a key and a version (`oss_model::CopySource`).
    CopySource,
    Enum(String),
    Shape(String),
    List(Box<Ty>),
}

impl Ty {
    /// The Rust type, with model-crate-relative names.
    pub(crate) fn rust(&self) -> String {
        match self {
            Ty::String => "String".into(),
            Ty::Integer => "i64".into(),
            Ty::Boolean => "bool".into(),
            Ty::Timestamp => "time::OffsetDateTime".into(),
            Ty::Float => "f32".into(),
            Ty::Json => "serde_json::Value".into(),
            Ty::Map => "std::collections::BTreeMap<String, String>".into(),
            Ty::CopySource => "crate::CopySource".into(),
            Ty::Enum(n) | Ty::Shape(n) => n.clone(),
            Ty::List(inner) => format!("Vec<{}>", inner.rust()),
        }
    }

    /// Whether the Rust type is `Copy`.
    pub(crate) fn is_copy(&self) -> bool {
        matches!(self, Ty::Integer | Ty::Boolean | Ty::Timestamp | Ty::Float)
    }

    /// Whether the field is a container that is empty rather than absent (`Vec`, `BTreeMap`).
    pub(crate) fn is_container(&self) -> bool {
        matches!(self, Ty::List(_) | Ty::Map)
    }
}

/// The body kinds of an input or output member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    Xml,
    Json,
    Stream,
    Text,
}

/// Where a member lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// A shape member: an XML element (or JSON key); `item` wraps a list.
    Element {
        name: String,
        item: Option<String>,
    },
    Header(String),
    HeaderPrefix(String),
    Query(String),
    Body(BodyKind),
    /// A shape member holding the text content of the shape's own element (the shape's only member).
    Text,
}

/// One member of a shape, input or output.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    /// The snake-case name.
    pub(crate) name: String,
    /// The Rust identifier (`r#type` for `type`).
    pub(crate) ident: String,
    pub(crate) doc: String,
    pub(crate) ty: Ty,
    pub(crate) required: bool,
    pub(crate) location: Location,
    pub(crate) url_encoded: bool,
    pub(crate) sensitive: bool,
    /// The `Content-Type` of a text body (`application/json`), when the spec gives one.
    pub(crate) content_type: Option<String>,
}

impl Field {
    /// Whether the Rust field is `Option<T>`.
    pub(crate) fn is_option(&self) -> bool {
        !self.required && !self.ty.is_container()
    }

    /// The Rust type of the field.
    pub(crate) fn rust_type(&self) -> String {
        if self.is_option() {
            format!("Option<{}>", self.ty.rust())
        } else {
            self.ty.rust()
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct EnumDef {
    pub(crate) name: String,
    pub(crate) doc: String,
    /// (wire value, variant name)
    pub(crate) values: Vec<(String, String)>,
    /// Used in a JSON document (gets serde impls).
    pub(crate) json: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct ShapeDef {
    pub(crate) name: String,
    pub(crate) doc: String,
    pub(crate) xml_root: String,
    pub(crate) fields: Vec<Field>,
    /// Used in a JSON document (gets serde derives).
    pub(crate) json: bool,
    /// Every field has a `Default`.
    pub(crate) defaultable: bool,
    /// The shape or a shape below it has `url_encoded` members.
    pub(crate) has_url_encoded: bool,
}

impl ShapeDef {
    /// The `text = true` member, when the shape is an element holding only text.
    pub(crate) fn text_field(&self) -> Option<&Field> {
        self.fields.iter().find(|f| f.location == Location::Text)
    }

    /// The field holding the XML element `EncodingType`, when the shape has one.
    pub(crate) fn encoding_type_field(&self) -> Option<&Field> {
        self.fields.iter().find(
            |f| matches!(&f.location, Location::Element { name, .. } if name == "EncodingType"),
        )
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Paginate {
    pub(crate) input_token: Vec<String>,
    pub(crate) output_token: Vec<String>,
    pub(crate) more: Option<String>,
    pub(crate) items: Vec<String>,
}

/// What a get of an absent configuration document answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Absent {
    /// OSS's error.
    Error {
        code: String,
        status: u16,
        message: String,
        ec: Option<String>,
    },
    /// The document OSS returns for a bucket (or account) that never set one.
    Default(String),
}

#[derive(Debug, Clone)]
pub(crate) struct OperationDef {
    pub(crate) name: String,
    /// The snake-case name (`put_bucket_acl`), for client methods.
    pub(crate) snake: String,
    pub(crate) doc: String,
    pub(crate) category: String,
    /// `Service`, `Bucket`, `Object` or `Vector`.
    pub(crate) scope: String,
    /// A vector operation addressing the account's vector endpoint, not a bucket (spec scope
    /// `vector-service`: ListVectorBuckets).
    pub(crate) vector_service: bool,
    /// `GET`, `PUT`, ...
    pub(crate) method: String,
    pub(crate) query: Vec<(String, Option<String>)>,
    pub(crate) content_md5: bool,
    pub(crate) v1_signed_query: Vec<String>,
    /// `(name, value)` query pairs that route a request here (any one of them), beyond the
    /// fixed sub-resources.
    pub(crate) route_query: Vec<(String, String)>,
    /// On the get operation of a configuration document: what OSS answers when it is absent.
    pub(crate) absent: Option<Absent>,
    /// Declared input members (without the implicit `bucket`/`key`).
    pub(crate) input: Vec<Field>,
    /// Declared output members (without the implicit `request_id`).
    pub(crate) output: Vec<Field>,
    pub(crate) paginate: Option<Paginate>,
}

impl OperationDef {
    pub(crate) fn has_bucket(&self) -> bool {
        self.scope != "Service" && !self.vector_service
    }

    pub(crate) fn has_key(&self) -> bool {
        self.scope == "Object"
    }

    /// The optional input member giving the valueless fixed sub-resource `name` its value
    /// (DescribeRegions' `regions=<region>`), if any.
    pub(crate) fn fixed_query_member(&self, name: &str) -> Option<&Field> {
        if !self.query.iter().any(|(k, v)| k == name && v.is_none()) {
            return None;
        }
        self.input
            .iter()
            .find(|f| matches!(&f.location, Location::Query(q) if q == name))
    }

    pub(crate) fn input_body(&self) -> Option<(&Field, BodyKind)> {
        body_of(&self.input)
    }

    pub(crate) fn output_body(&self) -> Option<(&Field, BodyKind)> {
        body_of(&self.output)
    }
}

fn body_of(fields: &[Field]) -> Option<(&Field, BodyKind)> {
    fields.iter().find_map(|f| match f.location {
        Location::Body(kind) => Some((f, kind)),
        _ => None,
    })
}

/// Everything the spec declares, resolved and validated, sorted by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Model {
    pub(crate) enums: BTreeMap<String, EnumDef>,
    pub(crate) shapes: BTreeMap<String, ShapeDef>,
    pub(crate) operations: BTreeMap<String, OperationDef>,
}

// ------------------------------------------------------------------------------------------------
// Loading.

/// Reads every `*.toml` in `dir` and resolves it. Errors name the file and the item.
pub(crate) fn load_dir(dir: &Path) -> Result<Model, String> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let root = crate::workspace_root();
        let label = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        files.push((label, text));
    }
    load_texts(&files)
}

/// Parses and resolves spec files given as (label, text) pairs.
pub(crate) fn load_texts(files: &[(String, String)]) -> Result<Model, String> {
    let mut parsed = Vec::new();
    let mut errors = Vec::new();
    for (label, text) in files {
        match toml::from_str::<SpecFile>(text) {
            Ok(file) => parsed.push((label.clone(), file)),
            Err(e) => errors.push(format!("{label}: {}", e.to_string().trim_end())),
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    Resolver::default().resolve(&parsed)
}

#[derive(Default)]
struct Resolver {
    errors: Vec<String>,
    enum_names: BTreeMap<String, String>,
    shape_names: BTreeMap<String, String>,
}

const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Self",
    "BTreeMap",
    "Bytes",
    "Default",
    "Error",
    "BuildError",
    "XmlError",
    "ValueError",
    "XmlReader",
    "XmlWriter",
    "FromXml",
    "ToXml",
    "XmlDocument",
    "TextValue",
    "Cow",
];

impl Resolver {
    fn err(&mut self, msg: String) {
        self.errors.push(msg);
    }

    fn resolve(mut self, files: &[(String, SpecFile)]) -> Result<Model, String> {
        // Pass 1: names of enums and shapes, for type resolution.
        let mut op_files: BTreeMap<String, String> = BTreeMap::new();
        for (label, file) in files {
            for name in file.enums.keys() {
                self.declare_type(label, "enum", name);
            }
            for name in file.shapes.keys() {
                self.declare_type(label, "shape", name);
            }
            for name in file.operations.keys() {
                if let Some(first) = op_files.get(name) {
                    self.err(format!(
                        "{label}: operation {name}: declared twice (first in {first})"
                    ));
                } else {
                    op_files.insert(name.clone(), label.clone());
                }
            }
        }
        let mut generated_names = BTreeSet::new();
        for name in op_files.keys() {
            generated_names.insert(format!("{name}Input"));
            generated_names.insert(format!("{name}InputBuilder"));
            generated_names.insert(format!("{name}Output"));
        }
        for (name, label) in self
            .enum_names
            .clone()
            .iter()
            .chain(self.shape_names.clone().iter())
        {
            if generated_names.contains(name) {
                self.err(format!(
                    "{label}: {name}: clashes with a generated operation input/output type name"
                ));
            }
        }

        let mut model = Model::default();
        // Pass 2: enums.
        for (label, file) in files {
            for (name, raw) in &file.enums {
                if let Some(def) = self.resolve_enum(label, name, raw) {
                    model.enums.insert(name.clone(), def);
                }
            }
        }
        // Pass 3: shapes.
        for (label, file) in files {
            for (name, raw) in &file.shapes {
                let ctx = format!("{label}: shape {name}");
                if raw.doc.trim().is_empty() {
                    self.err(format!("{ctx}: missing doc"));
                }
                let mut fields = Vec::new();
                let mut xml_names = BTreeSet::new();
                for (member, m) in &raw.members {
                    if let Some(f) = self.resolve_shape_member(&ctx, member, m) {
                        if let Location::Element { name, .. } = &f.location
                            && !xml_names.insert(name.clone())
                        {
                            self.err(format!(
                                "{ctx}: member {member}: element name `{name}` used twice"
                            ));
                        }
                        fields.push(f);
                    }
                }
                if fields.iter().any(|f| f.location == Location::Text) && fields.len() != 1 {
                    self.err(format!(
                        "{ctx}: a `text` member must be the shape's only member"
                    ));
                }
                model.shapes.insert(
                    name.clone(),
                    ShapeDef {
                        name: name.clone(),
                        doc: raw.doc.trim().to_string(),
                        xml_root: raw.xml_root.clone().unwrap_or_else(|| name.clone()),
                        fields,
                        json: false,
                        defaultable: false,
                        has_url_encoded: false,
                    },
                );
            }
        }
        // Pass 4: operations.
        for (label, file) in files {
            for (name, raw) in &file.operations {
                if let Some(op) = self.resolve_operation(label, name, raw, &model) {
                    model.operations.insert(name.clone(), op);
                }
            }
        }
        self.derive_properties(&mut model);
        if self.errors.is_empty() {
            Ok(model)
        } else {
            Err(self.errors.join("\n"))
        }
    }

    fn declare_type(&mut self, label: &str, kind: &str, name: &str) {
        if !names::is_camel_case(name) {
            self.err(format!(
                "{label}: {kind} {name}: type names are UpperCamelCase"
            ));
        }
        if RESERVED_TYPE_NAMES.contains(&name) {
            self.err(format!(
                "{label}: {kind} {name}: the name is reserved by the generated code"
            ));
        }
        let first = self
            .enum_names
            .get(name)
            .or_else(|| self.shape_names.get(name))
            .cloned();
        if let Some(first) = first {
            self.err(format!(
                "{label}: {kind} {name}: declared twice (first in {first})"
            ));
            return;
        }
        if kind == "enum" {
            self.enum_names.insert(name.to_string(), label.to_string());
        } else {
            self.shape_names.insert(name.to_string(), label.to_string());
        }
    }

    fn resolve_enum(&mut self, label: &str, name: &str, raw: &RawEnum) -> Option<EnumDef> {
        let ctx = format!("{label}: enum {name}");
        if raw.doc.trim().is_empty() {
            self.err(format!("{ctx}: missing doc"));
        }
        if raw.values.is_empty() {
            self.err(format!("{ctx}: no values"));
        }
        let mut seen_values = BTreeSet::new();
        let mut seen_variants = BTreeMap::new();
        let mut values = Vec::new();
        for value in &raw.values {
            if !seen_values.insert(value.clone()) {
                self.err(format!("{ctx}: value `{value}` listed twice"));
                continue;
            }
            let variant = names::variant_name(value);
            if variant == "Unknown" {
                self.err(format!(
                    "{ctx}: value `{value}` clashes with the `Unknown` variant"
                ));
            }
            if let Some(other) = seen_variants.insert(variant.clone(), value.clone()) {
                self.err(format!(
                    "{ctx}: values `{other}` and `{value}` both become variant {variant}"
                ));
            }
            values.push((value.clone(), variant));
        }
        Some(EnumDef {
            name: name.to_string(),
            doc: raw.doc.trim().to_string(),
            values,
            json: false,
        })
    }

    fn resolve_type(&mut self, ctx: &str, ty: &str) -> Option<Ty> {
        let ty = ty.trim();
        if let Some(inner) = ty.strip_prefix("list<").and_then(|t| t.strip_suffix('>')) {
            let inner = self.resolve_type(ctx, inner)?;
            if matches!(inner, Ty::List(_) | Ty::Map) {
                self.err(format!("{ctx}: lists of `{ty}` are not supported"));
                return None;
            }
            return Some(Ty::List(Box::new(inner)));
        }
        Some(match ty {
            "string" => Ty::String,
            "integer" => Ty::Integer,
            "boolean" => Ty::Boolean,
            "timestamp" => Ty::Timestamp,
            "float" => Ty::Float,
            "json" => Ty::Json,
            "map" => Ty::Map,
            "CopySource" => Ty::CopySource,
            _ if self.enum_names.contains_key(ty) => Ty::Enum(ty.to_string()),
            _ if self.shape_names.contains_key(ty) => Ty::Shape(ty.to_string()),
            _ => {
                self.err(format!("{ctx}: unknown type `{ty}`"));
                return None;
            }
        })
    }

    fn check_member_name(&mut self, ctx: &str, member: &str) {
        if !names::is_snake_case(member) {
            self.err(format!("{ctx}: member names are snake_case"));
        }
    }

    fn resolve_shape_member(
        &mut self,
        shape_ctx: &str,
        member: &str,
        m: &RawMember,
    ) -> Option<Field> {
        let ctx = format!("{shape_ctx}: member {member}");
        self.check_member_name(&ctx, member);
        if m.header.is_some() || m.header_prefix.is_some() || m.query.is_some() || m.body.is_some()
        {
            self.err(format!(
                "{ctx}: shape members are elements (`name = ...`), not header/query/body"
            ));
        }
        if m.content_type.is_some() {
            self.err(format!("{ctx}: `content_type` is for text body members"));
        }
        if m.text {
            return self.resolve_text_member(&ctx, member, m);
        }
        let Some(xml_name) = m.name.clone() else {
            self.err(format!("{ctx}: missing `name` (the XML element name)"));
            return None;
        };
        let doc = self.doc_of(&ctx, m, None)?;
        let Some(ty_text) = &m.ty else {
            self.err(format!("{ctx}: missing `type`"));
            return None;
        };
        let ty = self.resolve_type(&ctx, ty_text)?;
        if ty == Ty::Map {
            self.err(format!("{ctx}: `map` is only for `header_prefix` members"));
        }
        if m.item.is_some() && !matches!(ty, Ty::List(_)) {
            self.err(format!("{ctx}: `item` is only for list members"));
        }
        self.check_url_encoded(&ctx, m, &ty);
        Some(Field {
            name: member.to_string(),
            ident: names::field_ident(member),
            doc,
            ty,
            required: m.required,
            location: Location::Element {
                name: xml_name,
                item: m.item.clone(),
            },
            url_encoded: m.url_encoded,
            sensitive: m.sensitive,
            content_type: None,
        })
    }

    /// A `text = true` shape member: the text content of the shape's element.
    fn resolve_text_member(&mut self, ctx: &str, member: &str, m: &RawMember) -> Option<Field> {
        if m.name.is_some() || m.item.is_some() {
            self.err(format!(
                "{ctx}: a `text` member has no `name`/`item` (it is the element's own text)"
            ));
        }
        if !m.required {
            self.err(format!(
                "{ctx}: a `text` member is `required = true` (an empty element is empty text)"
            ));
        }
        let doc = self.doc_of(ctx, m, None)?;
        let Some(ty_text) = &m.ty else {
            self.err(format!("{ctx}: missing `type`"));
            return None;
        };
        let ty = self.resolve_type(ctx, ty_text)?;
        if !matches!(
            ty,
            Ty::String | Ty::Integer | Ty::Boolean | Ty::Timestamp | Ty::Enum(_)
        ) {
            self.err(format!(
                "{ctx}: a `text` member holds string, integer, boolean, timestamp or an enum"
            ));
        }
        self.check_url_encoded(ctx, m, &ty);
        Some(Field {
            name: member.to_string(),
            ident: names::field_ident(member),
            doc,
            ty,
            required: true,
            location: Location::Text,
            url_encoded: m.url_encoded,
            sensitive: m.sensitive,
            content_type: None,
        })
    }

    fn check_url_encoded(&mut self, ctx: &str, m: &RawMember, ty: &Ty) {
        if m.url_encoded && !matches!(ty, Ty::String) && *ty != Ty::List(Box::new(Ty::String)) {
            self.err(format!("{ctx}: `url_encoded` is only for string members"));
        }
    }

    fn doc_of(&mut self, ctx: &str, m: &RawMember, fallback: Option<&str>) -> Option<String> {
        match m.doc.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(doc) => Some(doc.to_string()),
            None => match fallback {
                Some(doc) => Some(doc.to_string()),
                None => {
                    self.err(format!("{ctx}: missing doc"));
                    None
                }
            },
        }
    }

    fn resolve_io_member(
        &mut self,
        op_ctx: &str,
        direction: &str,
        member: &str,
        m: &RawMember,
        model: &Model,
    ) -> Option<Field> {
        let ctx = format!("{op_ctx}: {direction} member {member}");
        self.check_member_name(&ctx, member);
        let reserved: &[&str] = if direction == "input" {
            &["bucket", "key"]
        } else {
            &["request_id"]
        };
        if reserved.contains(&member) {
            self.err(format!(
                "{ctx}: `{member}` is implicit and cannot be declared"
            ));
        }
        // Names of the generated builders' own methods.
        if direction == "input" && ["build", "send", "into_paginator"].contains(&member) {
            self.err(format!(
                "{ctx}: `{member}` is a method of the generated builders; choose another name"
            ));
        }
        if m.name.is_some() || m.item.is_some() || m.text {
            self.err(format!(
                "{ctx}: `name`/`item`/`text` are for shape members; use header, header_prefix, query or body"
            ));
        }
        let locations = [
            m.header.is_some(),
            m.header_prefix.is_some(),
            m.query.is_some(),
            m.body.is_some(),
        ]
        .iter()
        .filter(|x| **x)
        .count();
        if locations != 1 {
            self.err(format!(
                "{ctx}: needs exactly one location (header, header_prefix, query or body)"
            ));
            return None;
        }
        let location = if let Some(h) = &m.header {
            if !valid_header_name(h) {
                self.err(format!("{ctx}: `{h}` is not a lower-case header name"));
            }
            Location::Header(h.clone())
        } else if let Some(p) = &m.header_prefix {
            if !valid_header_name(p) {
                self.err(format!("{ctx}: `{p}` is not a lower-case header prefix"));
            }
            Location::HeaderPrefix(p.clone())
        } else if let Some(q) = &m.query {
            if direction == "output" {
                self.err(format!("{ctx}: outputs have no query members"));
            }
            Location::Query(q.clone())
        } else {
            let kind = match m.body.as_deref() {
                Some("xml") => BodyKind::Xml,
                Some("json") => BodyKind::Json,
                Some("stream") => BodyKind::Stream,
                Some("text") => BodyKind::Text,
                other => {
                    self.err(format!(
                        "{ctx}: body must be \"xml\", \"json\", \"stream\" or \"text\", not {other:?}"
                    ));
                    return None;
                }
            };
            Location::Body(kind)
        };
        let ty = match (&location, m.ty.as_deref()) {
            (Location::Body(BodyKind::Stream), None) => Ty::String,
            (Location::Body(BodyKind::Text), None) => Ty::String,
            (_, Some(t)) => self.resolve_type(&ctx, t)?,
            (_, None) => {
                self.err(format!("{ctx}: missing `type`"));
                return None;
            }
        };
        let fallback = match (&location, &ty) {
            (Location::Body(_), Ty::Shape(s)) => model.shapes.get(s).map(|shape| shape.doc.clone()),
            (Location::Body(BodyKind::Stream), _) => Some("The object data.".to_string()),
            _ => None,
        };
        let doc = self.doc_of(&ctx, m, fallback.as_deref())?;
        match &location {
            Location::Header(_) => {
                if !matches!(
                    ty,
                    Ty::String
                        | Ty::Integer
                        | Ty::Boolean
                        | Ty::Timestamp
                        | Ty::Enum(_)
                        | Ty::CopySource
                ) {
                    self.err(format!(
                        "{ctx}: a header holds string, integer, boolean, timestamp, an enum or CopySource"
                    ));
                }
            }
            Location::HeaderPrefix(_) => {
                if ty != Ty::Map {
                    self.err(format!("{ctx}: a header_prefix member has type \"map\""));
                }
            }
            Location::Query(_) => {
                if !matches!(ty, Ty::String | Ty::Integer | Ty::Boolean | Ty::Enum(_)) {
                    self.err(format!(
                        "{ctx}: a query member holds string, integer, boolean or an enum"
                    ));
                }
            }
            Location::Body(BodyKind::Xml | BodyKind::Json) => {
                if !matches!(ty, Ty::Shape(_)) {
                    self.err(format!("{ctx}: an xml/json body has a shape type"));
                }
            }
            Location::Body(BodyKind::Stream | BodyKind::Text) => {
                if ty != Ty::String {
                    self.err(format!(
                        "{ctx}: a stream/text body has type \"string\" (or none)"
                    ));
                }
            }
            Location::Element { .. } | Location::Text => {}
        }
        if m.url_encoded {
            self.err(format!("{ctx}: `url_encoded` is for shape members"));
        }
        if let Some(ct) = &m.content_type {
            if location != Location::Body(BodyKind::Text) {
                self.err(format!(
                    "{ctx}: `content_type` is for `text` bodies (xml and json bodies have their own)"
                ));
            }
            if ct.is_empty() || !ct.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
                self.err(format!(
                    "{ctx}: content_type `{ct}` is not a header value (visible ASCII)"
                ));
            }
        }
        Some(Field {
            name: member.to_string(),
            ident: names::field_ident(member),
            doc,
            ty,
            required: m.required,
            location,
            url_encoded: false,
            sensitive: m.sensitive,
            content_type: m.content_type.clone(),
        })
    }

    fn resolve_operation(
        &mut self,
        label: &str,
        name: &str,
        raw: &RawOperation,
        model: &Model,
    ) -> Option<OperationDef> {
        let ctx = format!("{label}: operation {name}");
        if !names::is_camel_case(name) {
            self.err(format!("{ctx}: operation names are UpperCamelCase"));
        }
        if raw.doc.trim().is_empty() {
            self.err(format!("{ctx}: missing doc"));
        }
        if raw.category.trim().is_empty() {
            self.err(format!("{ctx}: missing category"));
        }
        let scope = match raw.scope.as_str() {
            "service" => "Service",
            "bucket" => "Bucket",
            "object" => "Object",
            "vector" | "vector-service" => "Vector",
            other => {
                self.err(format!(
                    "{ctx}: scope must be service, bucket, object, vector or vector-service, not `{other}`"
                ));
                "Service"
            }
        };
        let method = raw.method.to_ascii_uppercase();
        if !["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS"].contains(&method.as_str()) {
            self.err(format!("{ctx}: unsupported method `{}`", raw.method));
        }
        let query = raw
            .query
            .iter()
            .map(|q| match q.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (q.clone(), None),
            })
            .collect::<Vec<_>>();
        for (k, _) in &query {
            if k.is_empty() {
                self.err(format!("{ctx}: empty fixed query parameter"));
            }
        }
        let mut input = Vec::new();
        for (member, m) in &raw.input {
            if let Some(f) = self.resolve_io_member(&ctx, "input", member, m, model) {
                input.push(f);
            }
        }
        let mut output = Vec::new();
        for (member, m) in &raw.output {
            if let Some(f) = self.resolve_io_member(&ctx, "output", member, m, model) {
                output.push(f);
            }
        }
        for (direction, fields) in [("input", &input), ("output", &output)] {
            let bodies = fields
                .iter()
                .filter(|f| matches!(f.location, Location::Body(_)))
                .count();
            if bodies > 1 {
                self.err(format!(
                    "{ctx}: {direction} has {bodies} body members (at most one)"
                ));
            }
            let mut wire = BTreeSet::new();
            for f in fields.iter() {
                let key = match &f.location {
                    Location::Header(h) => format!("header {h}"),
                    Location::Query(q) => format!("query {q}"),
                    _ => continue,
                };
                if !wire.insert(key.clone()) {
                    self.err(format!("{ctx}: {direction}: {key} bound to two members"));
                }
            }
        }
        for f in &input {
            let Location::Query(q) = &f.location else {
                continue;
            };
            match query.iter().find(|(k, _)| k == q) {
                None => {}
                Some((_, Some(v))) => self.err(format!(
                    "{ctx}: input member {}: query `{q}` is also the fixed query parameter `{q}={v}`",
                    f.name
                )),
                Some((_, None)) if f.required => self.err(format!(
                    "{ctx}: input member {}: a member giving the fixed sub-resource `{q}` its value is optional (unset, `{q}` is sent bare)",
                    f.name
                )),
                Some((_, None)) => {}
            }
        }
        // Output: flattened body members must not clash with header members.
        let output_names = output_field_names(&output, model);
        let mut seen = BTreeSet::new();
        seen.insert("request_id".to_string());
        for n in &output_names {
            if !seen.insert(n.clone()) {
                self.err(format!(
                    "{ctx}: output member `{n}` appears twice once the body shape is flattened"
                ));
            }
        }
        let paginate = raw.paginate.as_ref().map(|p| Paginate {
            input_token: p.input_token_vec(),
            output_token: p.output_token_vec(),
            more: p.more.clone(),
            items: p.items.clone(),
        });
        if let Some(p) = &paginate {
            if p.input_token.len() != p.output_token.len() || p.input_token.is_empty() {
                self.err(format!(
                    "{ctx}: paginate: input_token and output_token need the same (non-zero) length"
                ));
            }
            for t in &p.input_token {
                if let Err(e) = resolve_path(&input, t, model) {
                    self.err(format!("{ctx}: paginate: {e} among the input members"));
                }
            }
            let output_fields = flattened_output_fields(&output, model);
            for t in p
                .output_token
                .iter()
                .chain(p.more.iter())
                .chain(p.items.iter())
            {
                if let Err(e) = resolve_path(&output_fields, t, model) {
                    self.err(format!("{ctx}: paginate: {e} among the output members"));
                }
            }
            for t in &p.output_token {
                if let Ok((_, f)) = resolve_path(&output_fields, t, model)
                    && p.more.is_none()
                    && f.ty != Ty::String
                {
                    self.err(format!(
                        "{ctx}: paginate: without `more`, the output token `{t}` is a string (absent or empty ends the listing)"
                    ));
                }
            }
        }
        let mut route_query = Vec::new();
        for pair in &raw.route_query {
            let Some((k, v)) = pair.split_once('=') else {
                self.err(format!("{ctx}: route_query `{pair}` is not `name=value`"));
                continue;
            };
            if !input
                .iter()
                .any(|f| matches!(&f.location, Location::Query(q) if q == k))
            {
                self.err(format!(
                    "{ctx}: route_query `{pair}`: `{k}` is not a query input member"
                ));
            }
            route_query.push((k.to_string(), v.to_string()));
        }
        let absent = raw.absent.as_ref().and_then(|a| {
            if method != "GET" {
                self.err(format!("{ctx}: absent: only a GET operation returns a configuration document"));
            }
            match (a, &a.default) {
                (
                    RawAbsent {
                        code: Some(code),
                        status: Some(status),
                        message: Some(message),
                        ec,
                        default: None,
                    },
                    _,
                ) => {
                    if !(400..600).contains(status) {
                        self.err(format!("{ctx}: absent: status {status} is not an error status"));
                    }
                    Some(Absent::Error {
                        code: code.clone(),
                        status: *status,
                        message: message.clone(),
                        ec: ec.clone(),
                    })
                }
                (
                    RawAbsent {
                        code: None,
                        status: None,
                        message: None,
                        ec: None,
                        ..
                    },
                    Some(default),
                ) => Some(Absent::Default(default.clone())),
                _ => {
                    self.err(format!(
                        "{ctx}: absent: give either `code`, `status` and `message` (and maybe `ec`), or `default`"
                    ));
                    None
                }
            }
        });
        Some(OperationDef {
            name: name.to_string(),
            snake: names::snake_case(name),
            doc: raw.doc.trim().to_string(),
            category: raw.category.clone(),
            scope: scope.to_string(),
            vector_service: raw.scope == "vector-service",
            method,
            query,
            content_md5: raw.content_md5,
            v1_signed_query: raw.v1_signed_query.clone(),
            route_query,
            absent,
            input,
            output,
            paginate,
        })
    }

    /// JSON use, `Default`-ability and url-encoded descendants, computed over the whole model.
    fn derive_properties(&mut self, model: &mut Model) {
        // JSON: shapes reachable from a JSON body.
        let mut stack: Vec<String> = Vec::new();
        for op in model.operations.values() {
            for f in op.input.iter().chain(op.output.iter()) {
                if let (Location::Body(BodyKind::Json), Ty::Shape(s)) = (&f.location, &f.ty) {
                    stack.push(s.clone());
                }
            }
        }
        let mut json_shapes = BTreeSet::new();
        let mut json_enums = BTreeSet::new();
        while let Some(s) = stack.pop() {
            if !json_shapes.insert(s.clone()) {
                continue;
            }
            if let Some(shape) = model.shapes.get(&s) {
                for f in &shape.fields {
                    if f.location == Location::Text {
                        self.err(format!(
                            "shape {s}: member {}: `text` members are for XML shapes, not JSON",
                            f.name
                        ));
                    }
                    match leaf(&f.ty) {
                        Ty::Shape(n) => stack.push(n.clone()),
                        Ty::Enum(n) => {
                            json_enums.insert(n.clone());
                        }
                        Ty::Timestamp if matches!(f.ty, Ty::List(_)) => self.err(format!(
                            "shape {s}: member {}: lists of timestamps in JSON documents are not supported",
                            f.name
                        )),
                        _ => {}
                    }
                }
            }
        }
        for s in &json_shapes {
            if let Some(shape) = model.shapes.get_mut(s) {
                shape.json = true;
            }
        }
        // Free-form JSON values have no XML form on the wire: only JSON documents hold them.
        for shape in model.shapes.values() {
            if shape.json {
                continue;
            }
            for f in &shape.fields {
                if *leaf(&f.ty) == Ty::Json {
                    self.err(format!(
                        "shape {}: member {}: `json` members are for shapes of JSON documents (a `body = \"json\"` reaches this shape nowhere)",
                        shape.name, f.name
                    ));
                }
            }
        }
        for e in &json_enums {
            if let Some(def) = model.enums.get_mut(e) {
                def.json = true;
            }
        }
        // Default-ability and url-encoded descendants: fixed point (shapes may nest deeply).
        loop {
            let mut changed = false;
            let snapshot: BTreeMap<String, (bool, bool)> = model
                .shapes
                .iter()
                .map(|(k, v)| (k.clone(), (v.defaultable, v.has_url_encoded)))
                .collect();
            for shape in model.shapes.values_mut() {
                let defaultable = shape.fields.iter().all(|f| {
                    f.is_option()
                        || match &f.ty {
                            Ty::String
                            | Ty::Integer
                            | Ty::Boolean
                            | Ty::Float
                            | Ty::Json
                            | Ty::Map
                            | Ty::List(_) => true,
                            Ty::Shape(n) => snapshot.get(n).is_some_and(|s| s.0),
                            Ty::Enum(_) | Ty::Timestamp | Ty::CopySource => false,
                        }
                });
                let url = shape.fields.iter().any(|f| {
                    f.url_encoded
                        || matches!(leaf(&f.ty), Ty::Shape(n) if snapshot.get(n).is_some_and(|s| s.1))
                });
                if defaultable != shape.defaultable || url != shape.has_url_encoded {
                    shape.defaultable = defaultable;
                    shape.has_url_encoded = url;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        // A body that may be absent needs a default value.
        for op in model.operations.values() {
            if let Some((f, BodyKind::Xml | BodyKind::Json)) = op.output_body()
                && let Ty::Shape(s) = &f.ty
                && !f.required
                && !model.shapes.get(s).is_some_and(|s| s.defaultable)
            {
                self.err(format!(
                    "operation {}: output body {s} is not required but has required members without a default; mark the body `required = true`",
                    op.name
                ));
            }
        }
    }
}

impl RawPaginate {
    fn input_token_vec(&self) -> Vec<String> {
        match &self.input_token {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
    fn output_token_vec(&self) -> Vec<String> {
        match &self.output_token {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// The element type of a list, or the type itself.
pub(crate) fn leaf(ty: &Ty) -> &Ty {
    match ty {
        Ty::List(inner) => inner,
        other => other,
    }
}

/// Resolves a member path against `fields`: a member name (`next_marker`), or a dotted path into
/// required shape members (`body.next_token`, `list_all_my_buckets_result.next_marker`). Returns
/// the Rust field path (`body.next_token`) and the last member.
pub(crate) fn resolve_path(
    fields: &[Field],
    path: &str,
    model: &Model,
) -> Result<(String, Field), String> {
    let mut segments = path.split('.');
    let first = segments.next().unwrap_or_default();
    let mut field = fields
        .iter()
        .find(|f| f.name == first)
        .ok_or_else(|| format!("no member `{first}`"))?
        .clone();
    let mut rust = field.ident.clone();
    for segment in segments {
        let shape = match &field.ty {
            Ty::Shape(n) if !field.is_option() => model.shapes.get(n),
            _ => None,
        }
        .ok_or_else(|| {
            format!(
                "`{path}`: `{}` is not a required shape member, so `{segment}` cannot follow it",
                field.name
            )
        })?;
        field = shape
            .fields
            .iter()
            .find(|f| f.name == segment)
            .ok_or_else(|| format!("`{path}`: shape {} has no member `{segment}`", shape.name))?
            .clone();
        rust.push('.');
        rust.push_str(&field.ident);
    }
    Ok((rust, field))
}

/// The output struct's fields without `request_id`: header members, text body, flattened body
/// members.
pub(crate) fn flattened_output_fields(output: &[Field], model: &Model) -> Vec<Field> {
    let mut fields = Vec::new();
    for f in output {
        match (&f.location, &f.ty) {
            (Location::Body(BodyKind::Xml | BodyKind::Json), Ty::Shape(s)) => {
                if let Some(shape) = model.shapes.get(s) {
                    fields.extend(shape.fields.iter().cloned());
                }
            }
            (Location::Body(BodyKind::Stream), _) => {}
            _ => fields.push(f.clone()),
        }
    }
    fields
}

/// The names of the output struct's fields (flattened body members, header members, text body).
pub(crate) fn output_field_names(output: &[Field], model: &Model) -> Vec<String> {
    let mut names = Vec::new();
    for f in output {
        match (&f.location, &f.ty) {
            (Location::Body(BodyKind::Xml | BodyKind::Json), Ty::Shape(s)) => {
                if let Some(shape) = model.shapes.get(s) {
                    names.extend(shape.fields.iter().map(|m| m.name.clone()));
                }
            }
            (Location::Body(BodyKind::Stream), _) => {}
            _ => names.push(f.name.clone()),
        }
    }
    names
}

fn valid_header_name(h: &str) -> bool {
    !h.is_empty()
        && h.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("testdata/sample.toml");

    fn load(files: &[(&str, &str)]) -> Result<Model, String> {
        let files: Vec<(String, String)> = files
            .iter()
            .map(|(l, t)| ((*l).to_string(), (*t).to_string()))
            .collect();
        load_texts(&files)
    }

    fn error_of(extra: &str) -> String {
        let text = format!("{SAMPLE}\n{extra}");
        load(&[("spec/sample.toml", &text)]).expect_err("the spec should be rejected")
    }

    #[test]
    fn sample_spec_resolves() {
        let model = load(&[("spec/sample.toml", SAMPLE)]).unwrap();
        assert_eq!(model.operations.len(), 3);
        let list = &model.operations["ListObjectsV2"];
        assert_eq!(list.snake, "list_objects_v2");
        assert_eq!(
            list.query,
            vec![
                ("list-type".to_string(), Some("2".to_string())),
                ("encoding-type".to_string(), Some("url".to_string()))
            ]
        );
        assert_eq!(list.scope, "Bucket");
        let names = output_field_names(&list.output, &model);
        assert_eq!(
            names,
            [
                "prefix",
                "is_truncated",
                "next_continuation_token",
                "encoding_type",
                "contents"
            ]
        );
        let result = &model.shapes["ListBucketResult"];
        assert!(result.has_url_encoded);
        assert!(result.defaultable);
        assert!(!model.shapes["AccessControlList"].defaultable);
        assert_eq!(
            model.enums["BucketAcl"].values[1],
            ("public-read".to_string(), "PublicRead".to_string())
        );
    }

    #[test]
    fn unknown_type_names_file_operation_and_member() {
        let err = error_of(
            "[operations.X]\ncategory = \"c\"\ndoc = \"d\"\nscope = \"bucket\"\nmethod = \"GET\"\n\
             [operations.X.input]\nacl = { header = \"x-oss-acl\", type = \"BuketAcl\", doc = \"d\" }\n",
        );
        assert!(
            err.contains(
                "spec/sample.toml: operation X: input member acl: unknown type `BuketAcl`"
            ),
            "{err}"
        );
    }

    #[test]
    fn duplicates_across_files_are_reported() {
        let other = "[enums.BucketAcl]\ndoc = \"again\"\nvalues = [\"private\"]\n";
        let err = load(&[("spec/a.toml", SAMPLE), ("spec/b.toml", other)]).unwrap_err();
        assert!(
            err.contains("spec/b.toml: enum BucketAcl: declared twice (first in spec/a.toml)"),
            "{err}"
        );
    }

    #[test]
    fn missing_doc_is_an_error() {
        let err = error_of(
            "[shapes.NoDoc]\ndoc = \"\"\nmembers.a = { name = \"A\", type = \"string\" }\n",
        );
        assert!(err.contains("shape NoDoc: missing doc"), "{err}");
        assert!(err.contains("shape NoDoc: member a: missing doc"), "{err}");
    }

    #[test]
    fn a_member_needs_exactly_one_location() {
        let err = error_of(
            "[operations.X]\ncategory = \"c\"\ndoc = \"d\"\nscope = \"bucket\"\nmethod = \"GET\"\n\
             [operations.X.input]\na = { header = \"x-a\", query = \"a\", type = \"string\", doc = \"d\" }\n\
             b = { type = \"string\", doc = \"d\" }\n",
        );
        assert!(
            err.contains("input member a: needs exactly one location"),
            "{err}"
        );
        assert!(
            err.contains("input member b: needs exactly one location"),
            "{err}"
        );
    }

    #[test]
    fn bad_scope_method_and_reserved_names() {
        let err = error_of(
            "[operations.X]\ncategory = \"c\"\ndoc = \"d\"\nscope = \"region\"\nmethod = \"FETCH\"\n\
             [operations.X.input]\nbucket = { header = \"x-b\", type = \"string\", doc = \"d\" }\n",
        );
        assert!(
            err.contains("scope must be service, bucket, object, vector or vector-service"),
            "{err}"
        );
        assert!(err.contains("unsupported method `FETCH`"), "{err}");
        assert!(err.contains("`bucket` is implicit"), "{err}");
        let err = error_of(
            "[operations.X]\ncategory = \"c\"\ndoc = \"d\"\nscope = \"bucket\"\nmethod = \"GET\"\n\
             [operations.X.input]\nsend = { header = \"x-b\", type = \"string\", doc = \"d\" }\n",
        );
        assert!(
            err.contains("`send` is a method of the generated builders"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_are_errors() {
        let err = error_of(
            "[shapes.S]\ndoc = \"d\"\nmembrs.a = { name = \"A\", type = \"string\", doc = \"d\" }\n",
        );
        assert!(err.contains("unknown field `membrs`"), "{err}");
    }

    #[test]
    fn colliding_enum_variants_are_errors() {
        let err = error_of("[enums.E]\ndoc = \"d\"\nvalues = [\"public-read\", \"PublicRead\"]\n");
        assert!(err.contains("both become variant PublicRead"), "{err}");
    }

    #[test]
    fn paginate_must_name_real_members() {
        let text = SAMPLE.replace(
            "output_token = \"next_continuation_token\"",
            "output_token = \"next_token\"",
        );
        let err = load(&[("spec/sample.toml", &text)]).unwrap_err();
        assert!(
            err.contains("paginate: no member `next_token` among the output members"),
            "{err}"
        );
    }

    #[test]
    fn a_text_member_is_the_only_member_of_an_xml_shape() {
        let model = load(&[(
            "spec/sample.toml",
            &format!(
                "{SAMPLE}\n[shapes.Loc]\ndoc = \"d\"\n\
                 members.value = {{ text = true, type = \"string\", required = true, doc = \"d\" }}\n"
            ),
        )])
        .unwrap();
        let loc = &model.shapes["Loc"];
        assert_eq!(loc.text_field().map(|f| f.name.as_str()), Some("value"));
        assert!(loc.defaultable);
        let err = error_of(
            "[shapes.Two]\ndoc = \"d\"\n\
             members.value = { text = true, type = \"string\", required = true, doc = \"d\" }\n\
             members.other = { name = \"Other\", type = \"string\", doc = \"d\" }\n",
        );
        assert!(
            err.contains("shape Two: a `text` member must be the shape's only member"),
            "{err}"
        );
        let err = error_of(
            "[shapes.Opt]\ndoc = \"d\"\n\
             members.value = { text = true, name = \"V\", type = \"list<string>\", doc = \"d\" }\n",
        );
        assert!(err.contains("a `text` member has no `name`"), "{err}");
        assert!(err.contains("is `required = true`"), "{err}");
        assert!(err.contains("a `text` member holds string"), "{err}");
    }

    #[test]
    fn an_optional_member_may_value_a_bare_fixed_sub_resource() {
        let op = |query: &str, required: bool| {
            format!(
                "[operations.X]\ncategory = \"c\"\ndoc = \"d\"\nscope = \"service\"\nmethod = \"GET\"\n\
                 query = [\"{query}\"]\n[operations.X.input]\n\
                 regions = {{ query = \"regions\", type = \"string\", required = {required}, doc = \"d\" }}\n"
            )
        };
        let text = format!("{SAMPLE}\n{}", op("regions", false));
        let model = load(&[("spec/sample.toml", &text)]).unwrap();
        let x = &model.operations["X"];
        assert_eq!(
            x.fixed_query_member("regions").map(|f| f.name.as_str()),
            Some("regions")
        );
        let err = error_of(&op("regions", true));
        assert!(
            err.contains("input member regions: a member giving the fixed sub-resource `regions` its value is optional"),
            "{err}"
        );
        let err = error_of(&op("regions=all", false));
        assert!(
            err.contains("query `regions` is also the fixed query parameter `regions=all`"),
            "{err}"
        );
    }

    #[test]
    fn content_type_is_for_text_bodies() {
        let err = error_of(
            "[operations.X]\ncategory = \"c\"\ndoc = \"d\"\nscope = \"bucket\"\nmethod = \"PUT\"\n\
             [operations.X.input]\nacl = { header = \"x-oss-acl\", type = \"string\", content_type = \"application/json\", doc = \"d\" }\n\
             [operations.Y]\ncategory = \"c\"\ndoc = \"d\"\nscope = \"bucket\"\nmethod = \"PUT\"\n\
             [operations.Y.input]\nbody = { body = \"text\", content_type = \"bad\\nvalue\", doc = \"d\" }\n",
        );
        assert!(
            err.contains("operation X: input member acl: `content_type` is for `text` bodies"),
            "{err}"
        );
        assert!(
            err.contains(
                "operation Y: input member body: content_type `bad\nvalue` is not a header value"
            ),
            "{err}"
        );
    }

    #[test]
    fn paginate_paths_walk_into_required_shape_members() {
        let text = SAMPLE.replace(
            "output_token = \"next_continuation_token\"",
            "output_token = \"contents.key\"",
        );
        let err = load(&[("spec/sample.toml", &text)]).unwrap_err();
        assert!(
            err.contains("paginate: `contents.key`: `contents` is not a required shape member"),
            "{err}"
        );
        let text = SAMPLE.replace(
            "input_token = \"continuation_token\"",
            "input_token = \"continuation_token.value\"",
        );
        let err = load(&[("spec/sample.toml", &text)]).unwrap_err();
        assert!(
            err.contains(
                "`continuation_token.value`: `continuation_token` is not a required shape member"
            ),
            "{err}"
        );
    }

    #[test]
    fn float_and_json_members_and_the_vector_service_scope() {
        let ops = "[operations.X]\ncategory = \"c\"\ndoc = \"d\"\nscope = \"vector-service\"\nmethod = \"POST\"\n\
             [operations.X.input]\nbody = { body = \"json\", type = \"Q\", required = true }\n\
             [shapes.Q]\ndoc = \"d\"\n\
             members.v = { name = \"v\", type = \"list<float>\", doc = \"d\" }\n\
             members.f = { name = \"f\", type = \"json\", doc = \"d\" }\n";
        let model = load(&[("spec/sample.toml", &format!("{SAMPLE}\n{ops}"))]).unwrap();
        let q = &model.shapes["Q"];
        assert_eq!(q.fields[0].rust_type(), "Vec<f32>");
        assert_eq!(q.fields[1].rust_type(), "Option<serde_json::Value>");
        assert!(q.json && q.defaultable);
        let x = &model.operations["X"];
        assert_eq!(x.scope, "Vector");
        assert!(!x.has_bucket());

        let err = error_of(
            "[shapes.XmlOnly]\ndoc = \"d\"\nmembers.m = { name = \"M\", type = \"json\", doc = \"d\" }\n",
        );
        assert!(
            err.contains(
                "shape XmlOnly: member m: `json` members are for shapes of JSON documents"
            ),
            "{err}"
        );
        let err = error_of(
            "[operations.Y]\ncategory = \"c\"\ndoc = \"d\"\nscope = \"bucket\"\nmethod = \"GET\"\n\
             [operations.Y.input]\nf = { header = \"x-f\", type = \"float\", doc = \"d\" }\n",
        );
        assert!(err.contains("a header holds string"), "{err}");
    }
}
