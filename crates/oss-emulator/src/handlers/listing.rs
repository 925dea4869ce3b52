//! Object listings: ListObjects, ListObjectsV2, ListObjectVersions.

use std::collections::BTreeMap;
use std::ops::Bound;

use base64::Engine;

use super::{enc, max_param, owner, url_encoding};
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{ObjectMeta, from_ms};
use crate::timefmt::iso8601;
use crate::typed;
use crate::xml::XmlWriter;

/// One listed entry: an object version or a common prefix.
#[derive(Debug, Clone)]
enum Entry {
    Object(Box<ObjectMeta>),
    Prefix(String),
}

/// The common prefix `key` rolls up into, if any.
fn common_prefix<'a>(key: &'a str, prefix: &str, delimiter: &str) -> Option<&'a str> {
    if delimiter.is_empty() {
        return None;
    }
    key[prefix.len()..]
        .find(delimiter)
        .map(|pos| &key[..prefix.len() + pos + delimiter.len()])
}

/// Walks keys after `after` (or from `after` inclusive when `include_after`), newest-version
/// aware, grouping by delimiter; stops after `max + 1` entries so truncation is known exactly.
fn walk(
    objects: &BTreeMap<String, Vec<ObjectMeta>>,
    prefix: &str,
    delimiter: &str,
    after: &str,
    include_after: bool,
    max: usize,
    mut versions_of: impl FnMut(&str, &[ObjectMeta]) -> Vec<ObjectMeta>,
) -> (Vec<Entry>, bool) {
    let mut entries = Vec::new();
    let start = if prefix > after {
        Bound::Included(prefix.to_owned())
    } else if include_after {
        Bound::Included(after.to_owned())
    } else {
        Bound::Excluded(after.to_owned())
    };
    let mut last_prefix: Option<String> = None;
    for (key, versions) in objects.range((start, Bound::Unbounded)) {
        if !key.starts_with(prefix) {
            if key.as_str() > prefix && !prefix.is_empty() {
                break;
            }
            continue;
        }
        let listed = versions_of(key, versions);
        if listed.is_empty() {
            continue;
        }
        if let Some(cp) = common_prefix(key, prefix, delimiter) {
            if cp <= after && after.starts_with(cp) {
                continue;
            }
            if last_prefix.as_deref() == Some(cp) {
                continue;
            }
            last_prefix = Some(cp.to_owned());
            entries.push(Entry::Prefix(cp.to_owned()));
        } else {
            entries.extend(listed.into_iter().map(|o| Entry::Object(Box::new(o))));
        }
        if entries.len() > max {
            break;
        }
    }
    let truncated = entries.len() > max;
    entries.truncate(max);
    (entries, truncated)
}

fn latest_live(_key: &str, versions: &[ObjectMeta]) -> Vec<ObjectMeta> {
    versions
        .first()
        .filter(|v| !v.delete_marker)
        .cloned()
        .into_iter()
        .collect()
}

fn last_name(entries: &[Entry]) -> String {
    match entries.last() {
        Some(Entry::Object(o)) => o.key.clone(),
        Some(Entry::Prefix(p)) => p.clone(),
        None => String::new(),
    }
}

fn summary(o: &ObjectMeta, with_owner: bool) -> oss_model::ObjectSummary {
    oss_model::ObjectSummary {
        key: o.key.clone(),
        last_modified: Some(from_ms(o.modified_ms)),
        etag: Some(o.etag.clone()),
        object_type: Some(o.object_type.as_str().into()),
        size: i64::try_from(o.size).ok(),
        storage_class: Some(o.storage_class.as_str().into()),
        owner: with_owner.then(|| oss_model::Owner {
            id: crate::context::OWNER_ID.to_owned(),
            display_name: Some(crate::context::OWNER_ID.to_owned()),
        }),
        ..Default::default()
    }
}

/// Splits entries into the listing's `Contents` and `CommonPrefixes`.
fn typed_entries(
    entries: &[Entry],
    with_owner: bool,
) -> (Vec<oss_model::ObjectSummary>, Vec<oss_model::CommonPrefix>) {
    let mut contents = Vec::new();
    let mut prefixes = Vec::new();
    for e in entries {
        match e {
            Entry::Object(o) => contents.push(summary(o, with_owner)),
            Entry::Prefix(p) => prefixes.push(oss_model::CommonPrefix { prefix: p.clone() }),
        }
    }
    (contents, prefixes)
}

/// GET /bucket — ListObjects (written by the generated `ListObjects` server side).
pub(crate) fn list_objects(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let prefix = req.q("prefix").unwrap_or_default();
    let delimiter = req.q("delimiter").unwrap_or_default();
    let marker = req.q("marker").unwrap_or_default();
    let max = max_param(req, "max-keys", 100, 1000)?;
    let encode = url_encoding(req);
    let (entries, truncated) = ctx.store.with_bucket(req.bucket(), |b| {
        walk(
            &b.objects,
            prefix,
            delimiter,
            marker,
            false,
            max,
            latest_live,
        )
    })?;
    let (contents, common_prefixes) = typed_entries(&entries, true);
    let output = oss_model::ListObjectsOutput {
        name: Some(req.bucket().to_owned()),
        prefix: Some(prefix.to_owned()),
        marker: Some(marker.to_owned()),
        max_keys: i64::try_from(max).ok(),
        delimiter: Some(delimiter.to_owned()),
        is_truncated: Some(truncated),
        next_marker: truncated.then(|| last_name(&entries)),
        encoding_type: encode.then(|| "url".into()),
        contents,
        common_prefixes,
        ..Default::default()
    };
    typed::reply::<oss_proto::generated::ListObjects>(&output)
}

/// GET /bucket?list-type=2 — ListObjectsV2 (written by the generated server side).
pub(crate) fn list_objects_v2(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let prefix = req.q("prefix").unwrap_or_default();
    let delimiter = req.q("delimiter").unwrap_or_default();
    let start_after = req.q("start-after").unwrap_or_default();
    let token = req.q("continuation-token");
    let after = match token {
        Some(t) => {
            let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    OssError::invalid_argument("The continuation token provided is incorrect")
                        .with("ArgumentName", "continuation-token")
                })?;
            raw.max(start_after.to_owned())
        }
        None => start_after.to_owned(),
    };
    let max = max_param(req, "max-keys", 100, 1000)?;
    let encode = url_encoding(req);
    let fetch_owner = req.q("fetch-owner") == Some("true");
    let (entries, truncated) = ctx.store.with_bucket(req.bucket(), |b| {
        walk(
            &b.objects,
            prefix,
            delimiter,
            &after,
            false,
            max,
            latest_live,
        )
    })?;
    let (contents, common_prefixes) = typed_entries(&entries, fetch_owner);
    let output = oss_model::ListObjectsV2Output {
        name: Some(req.bucket().to_owned()),
        prefix: Some(prefix.to_owned()),
        start_after: req.q("start-after").map(str::to_owned),
        continuation_token: token.map(str::to_owned),
        next_continuation_token: truncated
            .then(|| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(last_name(&entries))),
        max_keys: i64::try_from(max).ok(),
        delimiter: Some(delimiter.to_owned()),
        is_truncated: Some(truncated),
        encoding_type: encode.then(|| "url".into()),
        key_count: i64::try_from(entries.len()).ok(),
        contents,
        common_prefixes,
        ..Default::default()
    };
    typed::reply::<oss_proto::generated::ListObjectsV2>(&output)
}

/// GET /bucket?versions — ListObjectVersions.
pub(crate) fn list_object_versions(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let prefix = req.q("prefix").unwrap_or_default();
    let delimiter = req.q("delimiter").unwrap_or_default();
    let key_marker = req.q("key-marker").unwrap_or_default();
    let version_marker = req.q("version-id-marker").unwrap_or_default();
    let max = max_param(req, "max-keys", 100, 1000)?;
    let encode = url_encoding(req);
    let resume_inside = !key_marker.is_empty() && !version_marker.is_empty();
    let (entries, truncated) = ctx.store.with_bucket(req.bucket(), |b| {
        walk(
            &b.objects,
            prefix,
            delimiter,
            key_marker,
            resume_inside,
            max,
            |key, versions| {
                if resume_inside && key == key_marker {
                    versions
                        .iter()
                        .skip_while(|v| v.version_id != version_marker)
                        .skip(1)
                        .cloned()
                        .collect()
                } else {
                    versions.to_vec()
                }
            },
        )
    })?;
    // Which listed versions are the newest of their key.
    let latest: std::collections::HashSet<(String, String)> =
        ctx.store.with_bucket(req.bucket(), |b| {
            entries
                .iter()
                .filter_map(|e| match e {
                    Entry::Object(o) => b
                        .objects
                        .get(&o.key)
                        .and_then(|v| v.first())
                        .map(|v| (v.key.clone(), v.version_id.clone())),
                    Entry::Prefix(_) => None,
                })
                .collect()
        })?;
    let mut w = XmlWriter::new("ListVersionsResult");
    w.elem("Name", req.bucket())
        .elem("Prefix", &enc(prefix, encode))
        .elem("KeyMarker", &enc(key_marker, encode))
        .elem("VersionIdMarker", version_marker)
        .elem("MaxKeys", &max.to_string())
        .elem("Delimiter", &enc(delimiter, encode));
    if encode {
        w.elem("EncodingType", "url");
    }
    w.elem("IsTruncated", if truncated { "true" } else { "false" });
    if truncated {
        match entries.last() {
            Some(Entry::Object(o)) => {
                w.elem("NextKeyMarker", &enc(&o.key, encode))
                    .elem("NextVersionIdMarker", &o.version_id);
            }
            Some(Entry::Prefix(p)) => {
                w.elem("NextKeyMarker", &enc(p, encode))
                    .elem("NextVersionIdMarker", "");
            }
            None => {}
        }
    }
    for e in &entries {
        if let Entry::Object(o) = e {
            let is_latest = latest.contains(&(o.key.clone(), o.version_id.clone()));
            w.open(if o.delete_marker {
                "DeleteMarker"
            } else {
                "Version"
            })
            .elem("Key", &enc(&o.key, encode))
            .elem("VersionId", &o.version_id)
            .elem("IsLatest", if is_latest { "true" } else { "false" })
            .elem("LastModified", &iso8601(from_ms(o.modified_ms)));
            if !o.delete_marker {
                w.elem("ETag", &o.etag)
                    .elem("Type", &o.object_type)
                    .elem("Size", &o.size.to_string())
                    .elem("StorageClass", &o.storage_class);
            }
            owner(&mut w);
            w.close();
        }
    }
    for e in &entries {
        if let Entry::Prefix(p) = e {
            w.open("CommonPrefixes")
                .elem("Prefix", &enc(p, encode))
                .close();
        }
    }
    Ok(Reply::xml(w.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn meta(key: &str) -> ObjectMeta {
        ObjectMeta {
            key: key.to_owned(),
            version_id: "null".to_owned(),
            seq: 1,
            blob: String::new(),
            delete_marker: false,
            etag: String::new(),
            size: 0,
            modified_ms: 0,
            crc64: 0,
            object_type: "Normal".to_owned(),
            content_type: String::new(),
            headers: BTreeMap::new(),
            user_meta: BTreeMap::new(),
            acl: "default".to_owned(),
            tags: Vec::new(),
            storage_class: "Standard".to_owned(),
            symlink_target: None,
            restore: None,
            segments: Vec::new(),
        }
    }

    /// The whole listing computed the obvious way: every matching key, rolled up to its
    /// common prefix, each name once, in order.
    fn model(keys: &BTreeSet<String>, prefix: &str, delimiter: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for k in keys.iter().filter(|k| k.starts_with(prefix)) {
            let name = match (delimiter.is_empty(), k[prefix.len()..].find(delimiter)) {
                (false, Some(pos)) => k[..prefix.len() + pos + delimiter.len()].to_owned(),
                _ => k.clone(),
            };
            if out.last() != Some(&name) {
                out.push(name);
            }
        }
        out
    }

    use std::collections::BTreeSet;

    proptest! {
        #[test]
        fn marker_paging_lists_every_entry_once_in_order(
            keys in proptest::collection::btree_set("[ab/]{1,5}", 0..25),
            prefix in "[ab/]{0,2}",
            slash in any::<bool>(),
            max in 1usize..6,
        ) {
            let delimiter = if slash { "/" } else { "" };
            let objects: BTreeMap<String, Vec<ObjectMeta>> =
                keys.iter().map(|k| (k.clone(), vec![meta(k)])).collect();
            let expected = model(&keys, &prefix, delimiter);
            let mut got = Vec::new();
            let mut marker = String::new();
            for _ in 0..100 {
                let (page, truncated) = walk(&objects, &prefix, delimiter, &marker, false, max, latest_live);
                prop_assert!(page.len() <= max);
                got.extend(page.iter().map(|e| match e {
                    Entry::Object(o) => o.key.clone(),
                    Entry::Prefix(p) => p.clone(),
                }));
                prop_assert_eq!(truncated, got.len() < expected.len());
                if !truncated {
                    break;
                }
                marker = last_name(&page);
            }
            prop_assert_eq!(got, expected);
        }
    }
}
