//! Documents the hand-written stateful handlers (WORM, replication, CNAME, styles, ...) keep in
//! a bucket's or the account's record, as XML of the oss-model shape their get answers. They
//! live in the records' `configs` maps under keys starting with `~`, which no sub-resource of
//! the spec starts with, so they never meet the generic configuration documents; like those,
//! they persist with `--data-dir`.

use std::sync::atomic::{AtomicU64, Ordering};

use oss_model::xml::XmlDocument;

use crate::context::Context;
use crate::error::OssError;
use crate::storage::now_ms;

/// The `configs` key of a hand-written handler's document.
pub(crate) fn key(name: &str) -> String {
    format!("~{name}")
}

fn read<T: XmlDocument>(text: Option<&String>) -> Result<Option<T>, OssError> {
    text.map(|t| {
        T::from_xml(t.as_bytes())
            .map_err(|e| OssError::internal(format!("a stored document does not read: {e}")))
    })
    .transpose()
}

/// The bucket's document `name`, if any.
pub(crate) fn bucket_doc<T: XmlDocument>(
    ctx: &Context,
    bucket: &str,
    name: &str,
) -> Result<Option<T>, OssError> {
    read(ctx.store.bucket(bucket)?.configs.get(&key(name)))
}

/// The account's document `name`, if any.
pub(crate) fn account_doc<T: XmlDocument>(
    ctx: &Context,
    name: &str,
) -> Result<Option<T>, OssError> {
    read(ctx.store.account().configs.get(&key(name)))
}

/// Reads the bucket's document `name`, lets `f` change it (`None`: absent; set to `None` to
/// remove it) and stores the result, all under the store's lock. Nothing is stored when `f`
/// fails.
pub(crate) fn modify_bucket<T: XmlDocument, R>(
    ctx: &Context,
    bucket: &str,
    name: &str,
    f: impl FnOnce(&mut Option<T>) -> Result<R, OssError>,
) -> Result<R, OssError> {
    let k = key(name);
    let mut outcome = None;
    ctx.store.update_bucket(bucket, |record| {
        outcome = Some(apply(&mut record.configs, &k, f));
    })?;
    outcome.unwrap_or_else(|| Err(OssError::internal("the bucket record was not updated")))
}

/// [`modify_bucket`] for the account's record.
pub(crate) fn modify_account<T: XmlDocument, R>(
    ctx: &Context,
    name: &str,
    f: impl FnOnce(&mut Option<T>) -> Result<R, OssError>,
) -> Result<R, OssError> {
    let k = key(name);
    let mut outcome = None;
    ctx.store.update_account(|record| {
        outcome = Some(apply(&mut record.configs, &k, f));
    })?;
    outcome.unwrap_or_else(|| Err(OssError::internal("the account record was not updated")))
}

fn apply<T: XmlDocument, R>(
    configs: &mut std::collections::BTreeMap<String, String>,
    k: &str,
    f: impl FnOnce(&mut Option<T>) -> Result<R, OssError>,
) -> Result<R, OssError> {
    let mut doc = read::<T>(configs.get(k))?;
    let r = f(&mut doc)?;
    match doc {
        Some(d) => {
            configs.insert(k.to_owned(), d.to_xml());
        }
        None => {
            configs.remove(k);
        }
    }
    Ok(r)
}

static IDS: AtomicU64 = AtomicU64::new(0);

/// A new identifier, unique within this emulator and across restarts: upper-case hex of the
/// time in milliseconds and a counter.
pub(crate) fn new_id() -> String {
    let n = IDS.fetch_add(1, Ordering::Relaxed);
    format!("{:011X}{:05X}", now_ms(), n & 0xF_FFFF)
}

/// The bucket names of the account, sorted.
pub(crate) fn bucket_names(ctx: &Context) -> Vec<String> {
    let mut names: Vec<String> = ctx.store.buckets().into_iter().map(|b| b.name).collect();
    names.sort();
    names
}
