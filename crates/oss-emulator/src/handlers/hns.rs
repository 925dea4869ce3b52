//! The hierarchical namespace: real directories, atomic renames and directory deletion
//! (CreateDirectory, Rename, DeleteDirectory).
//!
//! A bucket has the namespace when PutBucket carried `x-oss-hns-status: enabled`; GetBucketInfo
//! then reports `<HierarchicalNamespace>Enabled</HierarchicalNamespace>`, and the three
//! operations are refused on any other bucket.
//!
//! A directory is a zero-byte record of type `application/x-directory` whose key is the
//! directory's path without a trailing slash; a path under which objects exist is a directory
//! as well (PutObject of `a/b/c` makes `a` and `a/b` directories). Rename moves a file, or a
//! directory and everything under it, in one step under the index lock; the data is not
//! copied. DeleteDirectory removes an empty directory, or — with `x-oss-delete-recursive` —
//! everything under it in batches of [`DELETE_BATCH`], children before parents, returning
//! `NextDeleteToken` until the directory itself is gone.

use std::collections::BTreeMap;

use http::StatusCode;

use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{BucketRecord, BucketState, ObjectMeta, now_ms};

/// The bucket record's configuration key that marks the hierarchical namespace.
const CONFIG_KEY: &str = "hierarchical-namespace";

/// The content type of a directory record.
pub(crate) const DIRECTORY_TYPE: &str = "application/x-directory";

/// How many entries one recursive DeleteDirectory call removes.
pub(crate) const DELETE_BATCH: usize = 100;

/// True when the bucket was created with the hierarchical namespace.
pub(crate) fn enabled(record: &BucketRecord) -> bool {
    record.configs.get(CONFIG_KEY).map(String::as_str) == Some("Enabled")
}

/// The configuration a new bucket starts with, from PutBucket's `x-oss-hns-status` header.
pub(crate) fn new_bucket_configs(req: &Request) -> Result<BTreeMap<String, String>, OssError> {
    let mut configs = BTreeMap::new();
    match req.header("x-oss-hns-status") {
        None => {}
        Some(v) if v.eq_ignore_ascii_case("enabled") => {
            configs.insert(CONFIG_KEY.to_owned(), "Enabled".to_owned());
        }
        Some(v) if v.eq_ignore_ascii_case("disabled") => {}
        Some(v) => {
            return Err(
                OssError::invalid_argument(format!("Invalid x-oss-hns-status: {v}"))
                    .with("ArgumentName", "x-oss-hns-status")
                    .with("ArgumentValue", v),
            );
        }
    }
    Ok(configs)
}

/// The `HierarchicalNamespace` value GetBucketInfo reports.
pub(crate) fn info_status(record: &BucketRecord) -> &'static str {
    if enabled(record) {
        "Enabled"
    } else {
        "Disabled"
    }
}

fn require(ctx: &Context, req: &Request) -> Result<(), OssError> {
    if enabled(&ctx.store.bucket(req.bucket())?) {
        Ok(())
    } else {
        Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "OperationNotSupported",
            "This operation is supported only by buckets with the hierarchical namespace enabled.",
        )
        .with("BucketName", req.bucket()))
    }
}

/// What a path is in a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Missing,
    File,
    /// A directory with its own record.
    Dir,
    /// A directory that exists because objects are under it.
    ImplicitDir,
}

fn live(versions: &[ObjectMeta]) -> Option<&ObjectMeta> {
    versions.first().filter(|m| !m.delete_marker)
}

fn is_dir(meta: &ObjectMeta) -> bool {
    meta.content_type == DIRECTORY_TYPE && meta.size == 0
}

/// The keys under directory `path` (every depth), ascending.
fn children(b: &BucketState, path: &str) -> Vec<String> {
    let prefix = format!("{path}/");
    b.objects
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(_, v)| live(v).is_some())
        .map(|(k, _)| k.clone())
        .collect()
}

fn kind(b: &BucketState, path: &str) -> Kind {
    if path.is_empty() {
        return Kind::Dir;
    }
    match b.objects.get(path).and_then(|v| live(v)) {
        Some(m) if is_dir(m) => Kind::Dir,
        Some(_) => Kind::File,
        None if children(b, path).is_empty() => Kind::Missing,
        None => Kind::ImplicitDir,
    }
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

/// A path as the operations take it: no leading or trailing slash, no empty segment.
fn normalise(raw: &str, name: &'static str) -> Result<String, OssError> {
    let path = raw.trim_start_matches('/').trim_end_matches('/');
    if path.is_empty() || path.contains("//") {
        return Err(OssError::invalid_argument(format!(
            "The path {raw:?} is not a valid directory or object path."
        ))
        .with("ArgumentName", name)
        .with("ArgumentValue", raw));
    }
    Ok(path.to_owned())
}

fn already_exists(path: &str) -> OssError {
    OssError::new(
        StatusCode::CONFLICT,
        "FileAlreadyExists",
        "The destination file or directory already exists.",
    )
    .with("Key", path)
}

fn directory_record(path: &str) -> ObjectMeta {
    ObjectMeta {
        key: path.to_owned(),
        version_id: String::new(),
        seq: 0,
        blob: String::new(),
        delete_marker: false,
        etag: crate::checksum::simple_etag(b""),
        size: 0,
        modified_ms: now_ms(),
        crc64: 0,
        object_type: "Normal".to_owned(),
        content_type: DIRECTORY_TYPE.to_owned(),
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

/// POST /bucket/dir?x-oss-dir — CreateDirectory: the directory and any missing parents.
/// An existing directory is left as it is; a file on the path is `FileAlreadyExists`.
pub(crate) fn create_directory(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    require(ctx, req)?;
    let path = normalise(req.key(), "x-oss-dir")?;
    let _lock = ctx.store.lock_key(req.bucket(), &path);
    // The path and each ancestor, outermost first, with what each is now.
    let mut chain = Vec::new();
    let mut p = path.as_str();
    while !p.is_empty() {
        chain.push(p.to_owned());
        p = parent(p);
    }
    chain.reverse();
    let kinds: Vec<Kind> = ctx
        .store
        .with_bucket(req.bucket(), |b| chain.iter().map(|p| kind(b, p)).collect())?;
    if let Some(i) = kinds.iter().position(|k| *k == Kind::File) {
        return Err(already_exists(&chain[i]));
    }
    let mut last_modified = None;
    for (p, k) in chain.iter().zip(&kinds) {
        if *k == Kind::Missing {
            let stored =
                ctx.store
                    .put_object(req.bucket(), directory_record(p), &bytes::Bytes::new())?;
            last_modified = Some(stored.modified_ms);
        }
    }
    let mut reply = Reply::ok();
    if let Some(ms) = last_modified {
        reply = reply.header(
            "Last-Modified",
            crate::timefmt::http_date(crate::storage::from_ms(ms)),
        );
    }
    Ok(reply)
}

/// POST /bucket/new?x-oss-rename — Rename: moves the file or directory named by
/// `x-oss-rename-source` (with everything under it) to the request's key.
pub(crate) fn rename(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    require(ctx, req)?;
    let input = crate::typed::input::<oss_proto::generated::Rename>(req)?;
    let src = normalise(&input.rename_source, "x-oss-rename-source")?;
    let dst = normalise(req.key(), "x-oss-rename")?;
    let _lock = ctx.store.lock_key(req.bucket(), &src);
    let moves = ctx.store.with_bucket(req.bucket(), |b| {
        let src_kind = kind(b, &src);
        if src_kind == Kind::Missing {
            return Err(OssError::no_such_key(&src));
        }
        if kind(b, &dst) != Kind::Missing {
            return Err(already_exists(&dst));
        }
        if !matches!(kind(b, parent(&dst)), Kind::Dir | Kind::ImplicitDir) {
            return Err(OssError::no_such_key(parent(&dst)).with(
                "Detail",
                "The parent directory of the destination does not exist.",
            ));
        }
        let mut moves = Vec::new();
        if src_kind != Kind::ImplicitDir {
            moves.push((src.clone(), dst.clone()));
        }
        if matches!(src_kind, Kind::Dir | Kind::ImplicitDir) {
            if dst.starts_with(&format!("{src}/")) {
                return Err(OssError::invalid_argument(
                    "A directory cannot be renamed into itself.",
                )
                .with("ArgumentName", "x-oss-rename-source")
                .with("ArgumentValue", src.clone()));
            }
            for child in children(b, &src) {
                let moved = format!("{dst}{}", &child[src.len()..]);
                moves.push((child, moved));
            }
        }
        Ok(moves)
    })??;
    ctx.store.rename_keys(req.bucket(), &moves)?;
    Ok(Reply::ok())
}

/// POST /bucket/dir?x-oss-delete — DeleteDirectory: an empty directory, or with
/// `x-oss-delete-recursive: true` everything under it, [`DELETE_BATCH`] entries a call.
pub(crate) fn delete_directory(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    require(ctx, req)?;
    let input = crate::typed::input::<oss_proto::generated::DeleteDirectory>(req)?;
    let path = normalise(req.key(), "x-oss-delete")?;
    let recursive = input.delete_recursive.unwrap_or(false);
    if input.delete_token.is_some() && !recursive {
        return Err(OssError::invalid_argument(
            "x-oss-delete-token is valid only with x-oss-delete-recursive: true.",
        )
        .with("ArgumentName", "x-oss-delete-token"));
    }
    let _lock = ctx.store.lock_key(req.bucket(), &path);
    let (k, mut pending) = ctx
        .store
        .with_bucket(req.bucket(), |b| (kind(b, &path), children(b, &path)))?;
    match k {
        Kind::Missing => return Err(OssError::no_such_key(&path)),
        Kind::File => {
            return Err(
                OssError::invalid_argument(format!("{path} is not a directory."))
                    .with("ArgumentName", "x-oss-delete")
                    .with("ArgumentValue", path.clone()),
            );
        }
        Kind::Dir | Kind::ImplicitDir => {}
    }
    if !recursive && !pending.is_empty() {
        return Err(OssError::new(
            StatusCode::CONFLICT,
            "DirectoryNotEmpty",
            "The directory is not empty; delete it recursively.",
        )
        .with("Key", path.clone()));
    }
    // Children before parents: a descendant's key sorts after its directory's, so walk down
    // from the largest key. The token is the key to continue from.
    pending.reverse();
    if let Some(token) = &input.delete_token {
        if !token.starts_with(&format!("{path}/")) && *token != path {
            return Err(
                OssError::invalid_argument("The delete token is not valid here.")
                    .with("ArgumentName", "x-oss-delete-token")
                    .with("ArgumentValue", token.clone()),
            );
        }
        pending.retain(|key| key <= token);
    }
    if k == Kind::Dir {
        pending.push(path.clone());
    }
    let batch: Vec<String> = pending.iter().take(DELETE_BATCH).cloned().collect();
    for key in &batch {
        ctx.store.delete_object(req.bucket(), key, None)?;
    }
    let output = oss_model::DeleteDirectoryOutput {
        directory_name: Some(path.clone()),
        delete_number: i64::try_from(batch.len()).ok(),
        next_delete_token: pending.get(DELETE_BATCH).cloned(),
        ..Default::default()
    };
    crate::typed::reply::<oss_proto::generated::DeleteDirectory>(&output)
}
