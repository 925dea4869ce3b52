//! Generates `crates/oss-proto/src/generated/routes.rs`: [`OperationId`] (every operation of the
//! spec as one enum) and the routing table a server matches requests against
//! (`oss_proto::route`): method + scope + fixed sub-resources → operation, with the members
//! that tell apart operations sharing all three.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::HEADER;
use super::spec::{Location, Model, OperationDef};

/// Fixed query parameters that do not name a sub-resource: the client always asks for
/// URL-encoded listings (`encoding-type=url`), other clients need not, and the request is the
/// same operation either way.
const NOT_SUBRESOURCES: &[&str] = &["encoding-type"];

/// Headers nearly every request carries, which therefore tell no operation apart.
const GENERIC_HEADERS: &[&str] = &["content-type", "content-length", "content-md5"];

/// What a discriminating member is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Query(String),
    Header(String),
}

/// Fixed sub-resources as `(name, value)`, sorted.
type Subresources = Vec<(String, Option<String>)>;

/// What tells an operation apart within its group: discriminators and `route_query` pairs.
type Identity = (BTreeSet<Key>, Vec<(String, String)>);

fn subresources(op: &OperationDef) -> Subresources {
    let mut fixed: Subresources = op
        .query
        .iter()
        .filter(|(k, _)| !NOT_SUBRESOURCES.contains(&k.as_str()))
        .cloned()
        .collect();
    fixed.sort();
    fixed
}

fn required_keys(op: &OperationDef) -> BTreeSet<Key> {
    op.input
        .iter()
        .filter(|f| f.required)
        .filter_map(|f| match &f.location {
            Location::Query(q) => Some(Key::Query(q.clone())),
            Location::Header(h) if !GENERIC_HEADERS.contains(&h.as_str()) => {
                Some(Key::Header(h.clone()))
            }
            _ => None,
        })
        .collect()
}

/// One operation's routing facts.
struct RouteDef<'a> {
    op: &'a OperationDef,
    subresources: Subresources,
    discriminators: BTreeSet<Key>,
}

/// The routes, with each operation's discriminators: its required query and header members
/// that not every operation of its (method, scope, sub-resources) group requires. Fails when
/// two operations of a group cannot be told apart.
fn routes(model: &Model) -> Result<Vec<RouteDef<'_>>, String> {
    let mut groups: BTreeMap<(String, String, bool, Subresources), Vec<&OperationDef>> =
        BTreeMap::new();
    for op in model.operations.values() {
        groups
            .entry((
                op.method.clone(),
                op.scope.clone(),
                op.has_bucket(),
                subresources(op),
            ))
            .or_default()
            .push(op);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for ((method, scope, _, subs), ops) in &groups {
        let keys: Vec<BTreeSet<Key>> = ops.iter().map(|op| required_keys(op)).collect();
        let shared: BTreeSet<Key> = keys
            .iter()
            .skip(1)
            .fold(keys.first().cloned().unwrap_or_default(), |acc, k| {
                acc.intersection(k).cloned().collect()
            });
        let mut seen: BTreeMap<Identity, &str> = BTreeMap::new();
        for (op, k) in ops.iter().zip(keys) {
            let discriminators: BTreeSet<Key> = if ops.len() > 1 {
                k.difference(&shared).cloned().collect()
            } else {
                BTreeSet::new()
            };
            let mut route_query = op.route_query.clone();
            route_query.sort();
            if let Some(other) = seen.insert((discriminators.clone(), route_query), &op.name) {
                errors.push(format!(
                    "operations {other} and {} ({method} {scope} {subs:?}) cannot be told apart by a request: give one a required query or header member, or `route_query`",
                    op.name
                ));
            }
            out.push(RouteDef {
                op,
                subresources: subs.clone(),
                discriminators,
            });
        }
    }
    if errors.is_empty() {
        out.sort_by(|a, b| a.op.name.cmp(&b.op.name));
        Ok(out)
    } else {
        Err(errors.join("\n"))
    }
}

/// The generated file, or the operations that cannot be routed.
pub(crate) fn generate(model: &Model) -> Result<String, String> {
    let routes = routes(model)?;
    let mut s = format!(
        "{HEADER}\n//! Generated routing: every operation as an [`OperationId`], and the table\n\
         //! [`crate::route::route`] matches a request against.\n\n\
         use crate::operation::{{Operation, Scope}};\nuse crate::route::{{Route, RouteKey}};\n\n\
         /// Every operation of the spec.\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]\n\
         #[non_exhaustive]\npub enum OperationId {{\n"
    );
    for op in model.operations.values() {
        let _ = writeln!(s, "/// [`super::{0}`].\n{0},", op.name);
    }
    s.push_str("}\n\nimpl OperationId {\n/// Every operation, sorted by name.\npub const ALL: &'static [OperationId] = &[\n");
    for op in model.operations.values() {
        let _ = writeln!(s, "OperationId::{},", op.name);
    }
    s.push_str(
        "];\n\n/// The operation's OSS name.\n///\n/// ```\n/// use oss_proto::generated::OperationId;\n\
         /// assert_eq!(OperationId::PutBucketAcl.name(), \"PutBucketAcl\");\n/// ```\n\
         pub fn name(self) -> &'static str {\nmatch self {\n",
    );
    for op in model.operations.values() {
        let _ = writeln!(s, "OperationId::{0} => {0:?},", op.name);
    }
    s.push_str(
        "}\n}\n\n/// The operation with this OSS name.\n///\n/// ```\n/// use oss_proto::generated::OperationId;\n\
         /// assert_eq!(OperationId::from_name(\"GetObject\"), Some(OperationId::GetObject));\n\
         /// assert_eq!(OperationId::from_name(\"Nope\"), None);\n/// ```\n\
         pub fn from_name(name: &str) -> Option<OperationId> {\n\
         OperationId::ALL.binary_search_by(|op| op.name().cmp(name)).ok().map(|i| OperationId::ALL[i])\n}\n\n\
         /// The sub-resources V1 signs for this operation beyond oss-sign's fixed list (the\n\
         /// generated `Operation::V1_SIGNED_QUERY`).\n\
         pub fn v1_signed_query(self) -> &'static [&'static str] {\nmatch self {\n",
    );
    for op in model.operations.values() {
        let _ = writeln!(
            s,
            "OperationId::{0} => <super::{0} as Operation>::V1_SIGNED_QUERY,",
            op.name
        );
    }
    s.push_str(
        "}\n}\n\n/// What the operation addresses.\npub fn scope(self) -> Scope {\nmatch self {\n",
    );
    for op in model.operations.values() {
        let _ = writeln!(s, "OperationId::{} => Scope::{},", op.name, op.scope);
    }
    s.push_str("}\n}\n}\n\n");
    let mut names: BTreeSet<&str> = BTreeSet::new();
    for r in &routes {
        for (k, _) in &r.subresources {
            names.insert(k);
        }
    }
    let list: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    let _ = writeln!(
        s,
        "/// Every query parameter some operation has as a fixed sub-resource, sorted: a request\n\
         /// carrying one names an operation that has it (or has it as an input member).\n\
         pub const SUBRESOURCES: &[&str] = &[{}];\n",
        list.join(", ")
    );
    s.push_str(
        "/// One route per operation, sorted by operation name.\npub const ROUTES: &[Route] = &[\n",
    );
    for r in &routes {
        let op = r.op;
        let subs: Vec<String> = r
            .subresources
            .iter()
            .map(|(k, v)| match v {
                Some(v) => format!("({k:?}, Some({v:?}))"),
                None => format!("({k:?}, None)"),
            })
            .collect();
        let members: Vec<String> = op
            .input
            .iter()
            .filter_map(|f| match &f.location {
                Location::Query(q) => Some(format!("{q:?}")),
                _ => None,
            })
            .collect();
        let disc: Vec<String> = r
            .discriminators
            .iter()
            .map(|k| match k {
                Key::Query(q) => format!("RouteKey::Query({q:?})"),
                Key::Header(h) => format!("RouteKey::Header({h:?})"),
            })
            .collect();
        let rq: Vec<String> = op
            .route_query
            .iter()
            .map(|(k, v)| format!("({k:?}, {v:?})"))
            .collect();
        let _ = writeln!(
            s,
            "Route {{\noperation: OperationId::{},\nmethod: {:?},\nscope: Scope::{},\nbucket: {},\nsubresources: &[{}],\nquery_members: &[{}],\ndiscriminators: &[{}],\nroute_query: &[{}],\n}},",
            op.name,
            op.method,
            op.scope,
            op.has_bucket(),
            subs.join(", "),
            members.join(", "),
            disc.join(", "),
            rq.join(", ")
        );
    }
    s.push_str("];\n");
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(toml: &str) -> Result<Model, String> {
        super::super::spec::load_texts(&[("spec/t.toml".to_string(), toml.to_string())])
    }

    const TWO_LISTS: &str = r#"
[operations.GetStyle]
category = "style"
doc = "One style."
scope = "bucket"
method = "GET"
query = ["style"]
[operations.GetStyle.input]
style_name = { query = "styleName", type = "string", required = true, doc = "The name." }

[operations.ListStyle]
category = "style"
doc = "All styles."
scope = "bucket"
method = "GET"
query = ["style"]
"#;

    #[test]
    fn a_required_member_tells_apart_operations_sharing_a_sub_resource() {
        let m = model(TWO_LISTS).unwrap();
        let text = generate(&m).unwrap();
        assert!(text.contains("discriminators: &[RouteKey::Query(\"styleName\")]"));
        assert!(text.contains("pub const SUBRESOURCES: &[&str] = &[\"style\"];"));
    }

    #[test]
    fn operations_no_request_can_tell_apart_are_an_error() {
        let clash = TWO_LISTS.replace(
            "style_name = { query = \"styleName\", type = \"string\", required = true, doc = \"The name.\" }",
            "",
        );
        let m = model(&clash).unwrap();
        let err = generate(&m).unwrap_err();
        assert!(err.contains("GetStyle and ListStyle"), "{err}");
    }

    #[test]
    fn encoding_type_is_not_a_sub_resource() {
        let m = model(
            r#"
[operations.ListObjects]
category = "object listing"
doc = "Lists."
scope = "bucket"
method = "GET"
query = ["encoding-type=url"]
"#,
        )
        .unwrap();
        let text = generate(&m).unwrap();
        assert!(text.contains("subresources: &[],"));
    }
}
