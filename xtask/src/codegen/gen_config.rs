//! Generates `crates/oss-proto/src/generated/config.rs`: the configuration documents of the
//! spec, for a server that stores them generically.
//!
//! A configuration document is named by a get operation carrying `absent` (what OSS answers
//! when the document is not there). Its put is the `PUT` of the same scope and fixed
//! sub-resources whose body is the get's body shape (or text, for a text get); its delete, if
//! the spec has one, the `DELETE` of the same sub-resources. All three require the same
//! members beyond the body: none (one document per bucket or account), or one query or header
//! member naming the instance (an inventory id). Anything else is a generator error.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::HEADER;
use super::names::snake_case;
use super::spec::{Absent, BodyKind, Location, Model, OperationDef, Ty};

/// One document, resolved.
struct Doc<'a> {
    key: String,
    get: &'a OperationDef,
    put: &'a OperationDef,
    delete: Option<&'a OperationDef>,
    instance: Option<Location>,
    text: bool,
    absent: &'a Absent,
}

fn subresources(op: &OperationDef) -> Vec<String> {
    let mut q: Vec<String> = op
        .query
        .iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k.clone(),
        })
        .collect();
    q.sort();
    q
}

/// The required members that are not the body (the instance name, if any).
fn required_members(op: &OperationDef) -> Vec<Location> {
    op.input
        .iter()
        .filter(|f| f.required && !matches!(f.location, Location::Body(_)))
        .map(|f| f.location.clone())
        .collect()
}

fn documents(model: &Model) -> Result<Vec<Doc<'_>>, String> {
    let mut out = Vec::new();
    for get in model.operations.values() {
        let Some(absent) = &get.absent else {
            continue;
        };
        let ctx = format!("operation {}: absent", get.name);
        let sub = subresources(get);
        if sub.is_empty() {
            return Err(format!(
                "{ctx}: a configuration document needs a sub-resource"
            ));
        }
        let same = |o: &&OperationDef, method: &str| {
            o.method == method && o.scope == get.scope && subresources(o) == sub
        };
        let (gf, gk) = get
            .output_body()
            .ok_or_else(|| format!("{ctx}: the get has no output body"))?;
        let matching_put = |o: &&OperationDef| match (o.input_body(), gk, &gf.ty) {
            (Some((pf, BodyKind::Xml)), BodyKind::Xml, Ty::Shape(g)) => {
                pf.ty == Ty::Shape(g.clone())
            }
            (Some((_, BodyKind::Text)), BodyKind::Text, _) => true,
            _ => false,
        };
        let puts: Vec<&OperationDef> = model
            .operations
            .values()
            .filter(|o| {
                same(o, "PUT") && matching_put(o) && required_members(o) == required_members(get)
            })
            .collect();
        let [put] = puts.as_slice() else {
            return Err(format!(
                "{ctx}: expected one PUT of the same scope and sub-resources with the get's body, found {} (requiring the same members)",
                puts.len()
            ));
        };
        let deletes: Vec<&OperationDef> = model
            .operations
            .values()
            .filter(|o| same(o, "DELETE") && required_members(o) == required_members(get))
            .collect();
        let instance = match required_members(get).as_slice() {
            [] => None,
            [one @ (Location::Query(_) | Location::Header(_))] => Some(one.clone()),
            other => {
                return Err(format!(
                    "{ctx}: the get requires {} members; a configuration document is named by at most one query or header member",
                    other.len()
                ));
            }
        };
        out.push(Doc {
            key: sub.join("&"),
            get,
            put,
            delete: deletes.first().copied(),
            instance,
            text: gk == BodyKind::Text,
            absent,
        });
    }
    let mut seen = BTreeSet::new();
    for d in &out {
        if !seen.insert((
            d.get.scope.clone(),
            d.key.clone(),
            format!("{:?}", d.instance),
        )) {
            return Err(format!(
                "operation {}: absent: a second configuration document `{}` in scope {}",
                d.get.name, d.key, d.get.scope
            ));
        }
    }
    Ok(out)
}

/// Every shape reachable from the put bodies, in a stable order.
fn reachable_shapes<'a>(model: &'a Model, docs: &[Doc<'_>]) -> Vec<&'a str> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = docs
        .iter()
        .filter_map(|d| match d.put.input_body() {
            Some((f, BodyKind::Xml)) => match &f.ty {
                Ty::Shape(s) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    while let Some(s) = stack.pop() {
        if !seen.insert(s.clone()) {
            continue;
        }
        if let Some(shape) = model.shapes.get(&s) {
            for f in &shape.fields {
                if let Ty::Shape(n) = super::spec::leaf(&f.ty) {
                    stack.push(n.clone());
                }
            }
        }
    }
    model
        .shapes
        .keys()
        .filter(|k| seen.contains(*k))
        .map(String::as_str)
        .collect()
}

/// `fn unknown_<shape>(v) -> Option<(element, value)>`: the first enum value of the document
/// that the spec does not list.
fn unknown_fn(model: &Model, name: &str) -> String {
    let shape = &model.shapes[name];
    let mut body = String::new();
    for f in &shape.fields {
        let element = match &f.location {
            Location::Element { name, .. } => name.clone(),
            _ => f.name.clone(),
        };
        let leaf = super::spec::leaf(&f.ty);
        // `cond` tests `item`; the loop, option and plain forms bind it.
        let cond = match leaf {
            Ty::Enum(e) => format!("let oss_model::{e}::Unknown(value) = item"),
            Ty::Shape(s) => format!("let Some(found) = unknown_{}(item)", snake_case(s)),
            _ => continue,
        };
        let found = match leaf {
            Ty::Enum(_) => format!("Some(({element:?}, value.clone()))"),
            _ => "Some(found)".to_string(),
        };
        let ident = &f.ident;
        let _ = match (&f.ty, f.is_option()) {
            (Ty::List(_), _) => writeln!(
                body,
                "for item in &v.{ident} {{ if {cond} {{ return {found}; }} }}"
            ),
            (_, true) => writeln!(
                body,
                "if let Some(item) = &v.{ident} && {cond} {{ return {found}; }}"
            ),
            (_, false) => writeln!(
                body,
                "{{ let item = &v.{ident}; if {cond} {{ return {found}; }} }}"
            ),
        };
    }
    let arg = if body.is_empty() { "_v" } else { "v" };
    format!(
        "fn unknown_{}({arg}: &oss_model::{name}) -> Option<(&'static str, String)> {{\n{body}None\n}}\n\n",
        snake_case(name)
    )
}

fn location_expr(loc: &Location) -> String {
    match loc {
        Location::Query(q) => format!("Some(ConfigInstance::Query({q:?}))"),
        Location::Header(h) => format!("Some(ConfigInstance::Header({h:?}))"),
        _ => "None".to_string(),
    }
}

fn absent_expr(a: &Absent) -> String {
    match a {
        Absent::Error {
            code,
            status,
            message,
            ec,
        } => format!(
            "ConfigAbsent::Error {{ code: {code:?}, status: {status}, message: {message:?}, ec: {} }}",
            match ec {
                Some(ec) => format!("Some({ec:?})"),
                None => "None".to_string(),
            }
        ),
        Absent::Default(doc) => format!("ConfigAbsent::Default({doc:?})"),
    }
}

const PRELUDE: &str = r#"
//! Generated: the configuration documents of the spec (a put, a get and maybe a delete of
//! one sub-resource, the get saying what OSS answers when the document is absent), for a
//! server that stores them generically.

use bytes::Bytes;

use super::{OperationId, ServerOperation};
use crate::Error;
use crate::operation::{RequestParts, Scope};

/// What a get of a configuration document that is not there answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigAbsent {
    /// OSS's error.
    Error {
        /// The error code (`NoSuchLifecycle`).
        code: &'static str,
        /// The HTTP status.
        status: u16,
        /// The message.
        message: &'static str,
        /// OSS's EC, when the spec gives one.
        ec: Option<&'static str>,
    },
    /// The document OSS returns instead (a referer list allowing everything).
    Default(&'static str),
}

/// The request member naming one document of several (an inventory id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigInstance {
    /// A query parameter.
    Query(&'static str),
    /// A request header.
    Header(&'static str),
}

/// One configuration document of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigDocument {
    /// The fixed sub-resources naming it (`lifecycle`), joined with `&`.
    pub key: &'static str,
    /// Service (account-level) or bucket.
    pub scope: Scope,
    /// The member naming one document of several, if the documents are per instance.
    pub instance: Option<ConfigInstance>,
    /// The operation storing it.
    pub put: OperationId,
    /// The operation returning it.
    pub get: OperationId,
    /// The operation removing it, if the spec has one.
    pub delete: Option<OperationId>,
    /// The document is text (a JSON policy) rather than an XML shape.
    pub text: bool,
    /// What a get answers when the document is not there.
    pub absent: ConfigAbsent,
}

/// Why a put of a configuration document is refused.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigRejection {
    /// The request does not read as its operation's input (a malformed document, a missing
    /// member).
    Malformed(Error),
    /// An element holds an enum value the spec does not list.
    UnknownValue {
        /// The element.
        element: &'static str,
        /// The value sent.
        value: String,
    },
}

impl std::fmt::Display for ConfigRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigRejection::Malformed(e) => write!(f, "malformed document: {e}"),
            ConfigRejection::UnknownValue { element, value } => {
                write!(f, "{element}: unknown value `{value}`")
            }
        }
    }
}

impl std::error::Error for ConfigRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigRejection::Malformed(e) => Some(e),
            ConfigRejection::UnknownValue { .. } => None,
        }
    }
}

/// The configuration document an operation puts, gets or deletes.
///
/// ```
/// use oss_proto::generated::{OperationId, config_document};
/// let doc = config_document(OperationId::GetBucketLifecycle).unwrap();
/// assert_eq!((doc.key, doc.put), ("lifecycle", OperationId::PutBucketLifecycle));
/// assert!(config_document(OperationId::PutObject).is_none());
/// ```
pub fn config_document(op: OperationId) -> Option<&'static ConfigDocument> {
    CONFIG_DOCUMENTS
        .iter()
        .find(|d| d.put == op || d.get == op || d.delete == Some(op))
}
"#;

/// The generated file.
pub(crate) fn generate(model: &Model) -> Result<String, String> {
    let docs = documents(model)?;
    let mut s = format!("{HEADER}{PRELUDE}\n");
    s.push_str("/// Every configuration document of the spec.\npub const CONFIG_DOCUMENTS: &[ConfigDocument] = &[\n");
    for d in &docs {
        let delete = match d.delete {
            Some(op) => format!("Some(OperationId::{})", op.name),
            None => "None".to_string(),
        };
        let _ = writeln!(
            s,
            "ConfigDocument {{ key: {:?}, scope: Scope::{}, instance: {}, put: OperationId::{}, get: OperationId::{}, delete: {delete}, text: {}, absent: {} }},",
            d.key,
            d.get.scope,
            d.instance
                .as_ref()
                .map_or("None".to_string(), location_expr),
            d.put.name,
            d.get.name,
            d.text,
            absent_expr(d.absent),
        );
    }
    s.push_str("];\n\n");
    s.push_str(
        "/// Reads a put request of a configuration document into its operation's typed input \
         (which checks the document against its shape and refuses enum values the spec does not \
         list) and returns the document as the get answers it: written back from the shape, or \
         the text as sent. `None` when `op` puts no configuration document.\n\
         ///\n/// ```\n\
         /// use oss_proto::generated::{OperationId, canonical_config};\n\
         /// use oss_proto::operation::{RequestBody, RequestParts};\n\
         /// let parts = RequestParts {\n\
         ///     method: http::Method::PUT,\n\
         ///     bucket: Some(\"b\".into()),\n\
         ///     key: None,\n\
         ///     query: vec![(\"requestPayment\".into(), None)],\n\
         ///     headers: http::HeaderMap::new(),\n\
         ///     body: RequestBody::Empty,\n\
         /// };\n\
         /// let body = b\"<RequestPaymentConfiguration><Payer>Requester</Payer></RequestPaymentConfiguration>\";\n\
         /// let stored = canonical_config(OperationId::PutBucketRequestPayment, &parts, body).unwrap().unwrap();\n\
         /// assert!(std::str::from_utf8(&stored).unwrap().contains(\"<Payer>Requester</Payer>\"));\n\
         /// let bad = b\"<RequestPaymentConfiguration><Payer>Nobody</Payer></RequestPaymentConfiguration>\";\n\
         /// assert!(canonical_config(OperationId::PutBucketRequestPayment, &parts, bad).unwrap().is_err());\n\
         /// ```\n\
         pub fn canonical_config(op: OperationId, parts: &RequestParts, body: &[u8]) -> Option<Result<Bytes, ConfigRejection>> {\n\
         Some(match op {\n",
    );
    for d in &docs {
        let Some((f, _)) = d.put.input_body() else {
            continue;
        };
        let ident = &f.ident;
        let value = if f.is_option() {
            format!("input.{ident}.unwrap_or_default()")
        } else {
            format!("input.{ident}")
        };
        let write = match (&f.ty, d.text) {
            (_, true) => format!("Ok(Bytes::from({value}))"),
            (Ty::Shape(shape), false) => format!(
                "{{ let doc = {value}; match unknown_{}(&doc) {{ Some((element, value)) => Err(ConfigRejection::UnknownValue {{ element, value }}), None => Ok(Bytes::from(oss_model::xml::XmlDocument::to_xml(&doc))) }} }}",
                snake_case(shape)
            ),
            _ => continue,
        };
        let _ = writeln!(
            s,
            "OperationId::{0} => match <super::{0} as ServerOperation>::parse_request(parts, body) {{ Ok(input) => {write}, Err(e) => Err(ConfigRejection::Malformed(e)) }},",
            d.put.name
        );
    }
    s.push_str("_ => return None,\n})\n}\n\n");
    for shape in reachable_shapes(model, &docs) {
        s.push_str(&unknown_fn(model, shape));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::super::spec::load_texts;

    const SPEC: &str = r#"
[operations.PutThing]
category = "c"
doc = "Puts."
scope = "bucket"
method = "PUT"
query = ["thing"]
[operations.PutThing.input]
body = { body = "xml", type = "Thing", required = true, doc = "The thing." }
[operations.GetThing]
category = "c"
doc = "Gets."
scope = "bucket"
method = "GET"
query = ["thing"]
absent = { code = "NoSuchThing", status = 404, message = "No thing." }
[operations.GetThing.output]
body = { body = "xml", type = "Thing", required = true, doc = "The thing." }
[enums.Color]
doc = "A color."
values = ["Red"]
[shapes.Thing]
doc = "A thing."
members.color = { name = "Color", type = "Color", required = false, doc = "Its color." }
"#;

    #[test]
    fn a_get_with_absent_pairs_with_its_put() {
        let model = load_texts(&[("a.toml".into(), SPEC.into())]).unwrap();
        let out = super::generate(&model).unwrap();
        assert!(out.contains("key: \"thing\""), "{out}");
        assert!(out.contains("put: OperationId::PutThing"), "{out}");
        assert!(out.contains("code: \"NoSuchThing\", status: 404"), "{out}");
        assert!(out.contains("oss_model::Color::Unknown(value)"), "{out}");
    }

    #[test]
    fn a_get_with_absent_and_no_put_is_an_error() {
        let spec = SPEC.replace("method = \"PUT\"", "method = \"POST\"");
        let model = load_texts(&[("a.toml".into(), spec)]).unwrap();
        let err = super::generate(&model).err().unwrap();
        assert!(err.contains("expected one PUT"), "{err}");
    }

    #[test]
    fn absent_needs_a_code_or_a_default() {
        let spec = SPEC.replace(
            "absent = { code = \"NoSuchThing\", status = 404, message = \"No thing.\" }",
            "absent = { code = \"NoSuchThing\" }",
        );
        let err = load_texts(&[("a.toml".into(), spec)]).err().unwrap();
        assert!(err.contains("absent: give either"), "{err}");
    }
}
