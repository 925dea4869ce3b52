//! Turning spec names into Rust names.

/// Words of the API written in mixed case, and how they read as one word: `PutBucketQoSInfo`
/// is `put_bucket_qos_info`, not `put_bucket_qo_s_info`.
const MIXED_CASE_WORDS: &[(&str, &str)] = &[("QoS", "Qos"), ("DDos", "Ddos")];

/// `PutBucketAcl` → `put_bucket_acl`, `ListObjectsV2` → `list_objects_v2`, `GetBucketCORS` → `get_bucket_cors`.
pub(crate) fn snake_case(name: &str) -> String {
    let mut name = name.to_owned();
    for (word, as_one) in MIXED_CASE_WORDS {
        name = name.replace(word, as_one);
    }
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = if i > 0 { Some(chars[i - 1]) } else { None };
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// An enum value as a Rust variant: `public-read` → `PublicRead`, `AES256` → `Aes256`,
/// `Standard` → `Standard`, `oss:PutObject` → `OssPutObject`, `2` → `V2`.
pub(crate) fn variant_name(value: &str) -> String {
    let mut out = String::new();
    for segment in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        if segment.is_empty() {
            continue;
        }
        let all_upper = segment.chars().all(|c| !c.is_ascii_lowercase());
        let mut chars = segment.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            if all_upper {
                out.extend(chars.map(|c| c.to_ascii_lowercase()));
            } else {
                out.extend(chars);
            }
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
    "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "static",
    "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield", "abstract", "become",
];

/// A member name as a Rust identifier (`type` → `r#type`).
pub(crate) fn field_ident(name: &str) -> String {
    if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// Whether `name` is snake case (`[a-z][a-z0-9_]*`).
pub(crate) fn is_snake_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Whether `name` is a Rust type name in upper camel case (`[A-Z][A-Za-z0-9]*`).
pub(crate) fn is_camel_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_of_operation_names() {
        assert_eq!(snake_case("PutBucketAcl"), "put_bucket_acl");
        assert_eq!(snake_case("ListObjectsV2"), "list_objects_v2");
        assert_eq!(snake_case("GetBucketCORS"), "get_bucket_cors");
        assert_eq!(snake_case("DoMetaQuery"), "do_meta_query");
        assert_eq!(snake_case("PutCname"), "put_cname");
        assert_eq!(snake_case("GetObjectMeta"), "get_object_meta");
        assert_eq!(snake_case("PutBucketQoSInfo"), "put_bucket_qos_info");
        assert_eq!(
            snake_case("ListBucketRequesterQoSInfos"),
            "list_bucket_requester_qos_infos"
        );
        assert_eq!(
            snake_case("InitUserAntiDDosInfo"),
            "init_user_anti_ddos_info"
        );
    }

    #[test]
    fn variant_names_of_enum_values() {
        assert_eq!(variant_name("public-read-write"), "PublicReadWrite");
        assert_eq!(variant_name("AES256"), "Aes256");
        assert_eq!(variant_name("IA"), "Ia");
        assert_eq!(variant_name("ColdArchive"), "ColdArchive");
        assert_eq!(variant_name("2"), "V2");
        assert_eq!(variant_name("oss:PutObject"), "OssPutObject");
    }

    #[test]
    fn keywords_are_raw_identifiers() {
        assert_eq!(field_ident("type"), "r#type");
        assert_eq!(field_ident("size"), "size");
    }
}
