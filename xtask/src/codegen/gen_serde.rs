//! serde support of oss-model behind its `serde` feature: the attributes the model generator adds
//! to enums, shapes, inputs and outputs that are not JSON documents already. Field names are the
//! Rust (snake case) member names; options, lists and maps may be left out; timestamps are
//! ISO 8601 strings.

use super::spec::{Field, Ty};

/// The attribute deriving serde on a struct when the feature is on.
pub(crate) const CONTAINER: &str =
    "#[cfg_attr(feature = \"serde\", derive(serde::Serialize, serde::Deserialize))]\n";

/// The serde implementation of a (non-JSON) enum when the feature is on.
pub(crate) fn enum_impl(name: &str) -> String {
    format!("#[cfg(feature = \"serde\")]\ncrate::value::json_enum!({name});\n")
}

/// The attribute of one member, when it needs one.
pub(crate) fn field(f: &Field) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    if f.is_option() {
        parts.push("default".into());
        parts.push("skip_serializing_if = \"Option::is_none\"".into());
    } else if matches!(f.ty, Ty::List(_)) {
        parts.push("default".into());
        parts.push("skip_serializing_if = \"Vec::is_empty\"".into());
    } else if f.ty == Ty::Map {
        parts.push("default".into());
        parts.push("skip_serializing_if = \"std::collections::BTreeMap::is_empty\"".into());
    }
    if f.ty == Ty::Timestamp {
        let adapter = if f.is_option() {
            "optional"
        } else {
            "required"
        };
        parts.push(format!("with = \"crate::json_time::{adapter}\""));
    }
    if parts.is_empty() {
        None
    } else {
        Some(format!(
            "#[cfg_attr(feature = \"serde\", serde({}))]\n",
            parts.join(", ")
        ))
    }
}
