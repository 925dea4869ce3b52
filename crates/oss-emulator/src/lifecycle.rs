//! The lifecycle pass: applies the enabled rules of every bucket's lifecycle configuration (as
//! PutBucketLifecycle stored it) at a time handed in
//! ([`Emulator::run_lifecycle`](crate::Emulator::run_lifecycle)), or at the clock's time every
//! `--lifecycle-interval` seconds.
//!
//! A rule selects an object when its key starts with the rule's `Prefix` (none: every key),
//! the object carries every `Tag` of the rule, no `Filter/Not` excludes it (a `Not` excludes
//! keys starting with its prefix that also carry its tag, when it names one) and its size is
//! within `ObjectSizeGreaterThan` / `ObjectSizeLessThan`. Disabled rules do nothing.
//!
//! What a selecting rule does, per key:
//! - `Expiration` (`Days` after the last modification, or last modified before
//!   `CreatedBeforeDate`): the current version is deleted; in a versioned bucket (versioning
//!   enabled or suspended) a delete marker is added instead and the version becomes a previous
//!   one.
//! - `Expiration/ExpiredObjectDeleteMarker`: a delete marker that is the key's only version is
//!   removed.
//! - `Transition` (`Days` / `CreatedBeforeDate`): the current version moves to the rule's
//!   storage class when that is colder than its own (Standard, IA, Archive, ColdArchive,
//!   DeepColdArchive); of several due transitions the coldest wins. Expiration wins over
//!   transition.
//! - `NoncurrentVersionExpiration` / `NoncurrentVersionTransition` (`NoncurrentDays`): a
//!   previous version, counted from when the next newer version was written, is deleted or
//!   moved.
//! - `AbortMultipartUpload` (`Days` after initiation, or initiated before
//!   `CreatedBeforeDate`): unfinished uploads of keys the rule's prefix and `Not` prefixes
//!   select are aborted with their parts (uploads carry no tags, so tag conditions are not
//!   checked for them).
//!
//! Days are whole 24-hour periods from the stored time (OSS rounds to the next midnight UTC;
//! the emulator does not). The deprecated `Date` elements, access-time transitions
//! (`IsAccessTime`) and WORM retention are not looked at.

use oss_model::xml::XmlDocument as _;
use oss_model::{LifecycleConfiguration, LifecycleRule, LifecycleRuleStatus, Tag};
use time::OffsetDateTime;

use crate::context::Context;
use crate::error::OssError;
use crate::storage::{ObjectMeta, UploadRecord};

/// The key PutBucketLifecycle stores the configuration under.
const LIFECYCLE: &str = "lifecycle";
/// One day in milliseconds.
const DAY_MS: i64 = 86_400_000;

/// What one lifecycle pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LifecycleReport {
    /// Current versions expired: deleted, or hidden by a delete marker in a versioned bucket.
    pub expired: u64,
    /// Delete markers removed because they were their key's only version.
    pub delete_markers_removed: u64,
    /// Previous versions deleted (`NoncurrentVersionExpiration`).
    pub noncurrent_expired: u64,
    /// Versions moved to a colder storage class (current and previous).
    pub transitioned: u64,
    /// Unfinished multipart uploads aborted.
    pub uploads_aborted: u64,
}

/// Why a lifecycle pass stopped before the end (what it did until then stays done).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LifecycleError {
    /// A bucket's contents could not be changed.
    Store {
        /// The bucket.
        bucket: String,
        /// What was being changed (a key, or an upload id).
        target: String,
        /// The store's error code and message.
        message: String,
    },
}

impl std::fmt::Display for LifecycleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LifecycleError::Store {
                bucket,
                target,
                message,
            } => write!(f, "lifecycle of {bucket}/{target} failed: {message}"),
        }
    }
}

impl std::error::Error for LifecycleError {}

fn store_error(bucket: &str, target: &str) -> impl Fn(OssError) -> LifecycleError {
    move |e| LifecycleError::Store {
        bucket: bucket.to_owned(),
        target: target.to_owned(),
        message: format!("{}: {}", e.code, e.message),
    }
}

fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Applies every bucket's enabled lifecycle rules as of `now`.
pub(crate) fn run(ctx: &Context, now: OffsetDateTime) -> Result<LifecycleReport, LifecycleError> {
    let now = ms(now);
    let mut report = LifecycleReport::default();
    for bucket in ctx.store.buckets() {
        let Some(conf) = bucket
            .configs
            .get(LIFECYCLE)
            .and_then(|d| LifecycleConfiguration::from_xml(d.as_bytes()).ok())
        else {
            continue;
        };
        let rules: Vec<&LifecycleRule> = conf
            .rules
            .iter()
            .filter(|r| r.status == LifecycleRuleStatus::Enabled)
            .collect();
        if !rules.is_empty() {
            run_bucket(ctx, &bucket.name, &rules, now, &mut report)?;
        }
    }
    Ok(report)
}

fn run_bucket(
    ctx: &Context,
    bucket: &str,
    rules: &[&LifecycleRule],
    now: i64,
    report: &mut LifecycleReport,
) -> Result<(), LifecycleError> {
    let Ok((keys, uploads)) = ctx.store.with_bucket(bucket, |b| {
        let keys: Vec<String> = b.objects.keys().cloned().collect();
        let uploads: Vec<UploadRecord> = b.uploads.values().map(|(u, _)| u.clone()).collect();
        (keys, uploads)
    }) else {
        // Deleted meanwhile.
        return Ok(());
    };
    for key in &keys {
        run_key(ctx, bucket, key, rules, now, report).map_err(store_error(bucket, key))?;
    }
    for upload in &uploads {
        let abort = rules.iter().any(|r| {
            selects(r, &upload.key, None)
                && r.abort_multipart_upload
                    .as_ref()
                    .is_some_and(|a| due(a.days, a.created_before_date, upload.initiated_ms, now))
        });
        if abort {
            match ctx.store.remove_upload(bucket, &upload.upload_id) {
                Ok(()) => report.uploads_aborted += 1,
                // Completed or aborted meanwhile.
                Err(e) if e.code == "NoSuchUpload" => {}
                Err(e) => return Err(store_error(bucket, &upload.upload_id)(e)),
            }
        }
    }
    Ok(())
}

/// Whether `days` after `base` or `before` a date has come by `now` (all in ms).
fn due(days: Option<i64>, before: Option<OffsetDateTime>, base: i64, now: i64) -> bool {
    days.is_some_and(|d| base.saturating_add(d.saturating_mul(DAY_MS)) <= now)
        || before.is_some_and(|d| base < ms(d))
}

fn has_tag(tags: &[(String, String)], tag: &Tag) -> bool {
    tags.iter()
        .any(|(k, v)| *k == tag.key && v == tag.value.as_deref().unwrap_or(""))
}

/// Whether the rule selects `key`; `object` is the version's tags and size (`None` for delete
/// markers and uploads, which only prefixes select).
fn selects(rule: &LifecycleRule, key: &str, object: Option<&ObjectMeta>) -> bool {
    if !rule.prefix.as_deref().is_none_or(|p| key.starts_with(p)) {
        return false;
    }
    let tags = object.map_or(&[][..], |o| o.tags.as_slice());
    if object.is_some() && !rule.tags.iter().all(|t| has_tag(tags, t)) {
        return false;
    }
    if object.is_none() && !rule.tags.is_empty() {
        return false;
    }
    let Some(filter) = &rule.filter else {
        return true;
    };
    let excluded = filter.nots.iter().any(|n| {
        key.starts_with(n.prefix.as_deref().unwrap_or(""))
            && n.tag.as_ref().is_none_or(|t| has_tag(tags, t))
    });
    if excluded {
        return false;
    }
    let size = object.map_or(0, |o| i64::try_from(o.size).unwrap_or(i64::MAX));
    object.is_none()
        || (filter.object_size_greater_than.is_none_or(|n| size > n)
            && filter.object_size_less_than.is_none_or(|n| size < n))
}

/// How cold a storage class is (Standard 0 … DeepColdArchive 4).
fn coldness(class: &str) -> u8 {
    match class {
        "IA" => 1,
        "Archive" => 2,
        "ColdArchive" => 3,
        "DeepColdArchive" => 4,
        _ => 0,
    }
}

/// The coldest class among `due` targets that is colder than `current`.
fn colder<'a>(current: &str, due: impl Iterator<Item = &'a str>) -> Option<String> {
    due.filter(|c| coldness(c) > coldness(current))
        .max_by_key(|c| coldness(c))
        .map(str::to_owned)
}

fn run_key(
    ctx: &Context,
    bucket: &str,
    key: &str,
    rules: &[&LifecycleRule],
    now: i64,
    report: &mut LifecycleReport,
) -> Result<(), OssError> {
    let _lock = ctx.store.lock_key(bucket, key);
    let mut versions = ctx.store.versions(bucket, key)?;
    let Some(current) = versions.first().cloned() else {
        return Ok(());
    };
    if current.delete_marker {
        let sole = versions.len() == 1;
        let removes = rules.iter().any(|r| {
            selects(r, key, None)
                && r.expiration
                    .as_ref()
                    .and_then(|e| e.expired_object_delete_marker)
                    == Some(true)
        });
        if sole && removes {
            ctx.store
                .delete_object(bucket, key, Some(&current.version_id))?;
            report.delete_markers_removed += 1;
            return Ok(());
        }
    } else {
        let selecting: Vec<&&LifecycleRule> = rules
            .iter()
            .filter(|r| selects(r, key, Some(&current)))
            .collect();
        let expires = selecting.iter().any(|r| {
            r.expiration
                .as_ref()
                .is_some_and(|e| due(e.days, e.created_before_date, current.modified_ms, now))
        });
        if expires {
            let versioned = ctx.store.bucket(bucket)?.versioning.is_some();
            ctx.store.delete_object_at(bucket, key, None, now)?;
            report.expired += 1;
            if !versioned {
                return Ok(());
            }
            versions = ctx.store.versions(bucket, key)?;
        } else {
            let targets = selecting
                .iter()
                .flat_map(|r| r.transitions.iter())
                .filter(|t| due(t.days, t.created_before_date, current.modified_ms, now))
                .map(|t| t.storage_class.as_str());
            if let Some(class) = colder(&current.storage_class, targets) {
                ctx.store
                    .update_object(bucket, key, Some(&current.version_id), |m| {
                        m.storage_class = class;
                    })?;
                report.transitioned += 1;
            }
        }
    }
    // Previous versions: each is noncurrent since its next newer version was written.
    for pair in versions.windows(2) {
        let (newer, old) = (&pair[0], &pair[1]);
        let since = newer.modified_ms;
        let object = (!old.delete_marker).then_some(old);
        let selecting: Vec<&&LifecycleRule> =
            rules.iter().filter(|r| selects(r, key, object)).collect();
        let expires = selecting.iter().any(|r| {
            r.noncurrent_version_expiration
                .as_ref()
                .is_some_and(|e| due(Some(e.noncurrent_days), None, since, now))
        });
        if expires {
            ctx.store
                .delete_object(bucket, key, Some(&old.version_id))?;
            report.noncurrent_expired += 1;
            continue;
        }
        if old.delete_marker {
            continue;
        }
        let targets = selecting
            .iter()
            .flat_map(|r| r.noncurrent_version_transitions.iter())
            .filter(|t| due(Some(t.noncurrent_days), None, since, now))
            .map(|t| t.storage_class.as_str());
        if let Some(class) = colder(&old.storage_class, targets) {
            ctx.store
                .update_object(bucket, key, Some(&old.version_id), |m| {
                    m.storage_class = class;
                })?;
            report.transitioned += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_dates_come_due() {
        assert!(due(Some(1), None, 0, DAY_MS));
        assert!(!due(Some(1), None, 0, DAY_MS - 1));
        let date = OffsetDateTime::from_unix_timestamp(10).unwrap();
        assert!(due(None, Some(date), 9_999, 0));
        assert!(!due(None, Some(date), 10_000, 0));
        assert!(!due(None, None, 0, i64::MAX));
    }

    #[test]
    fn only_colder_classes_are_targets() {
        assert_eq!(
            colder("Standard", ["IA", "Archive"].into_iter()),
            Some("Archive".to_owned())
        );
        assert_eq!(colder("Archive", ["IA"].into_iter()), None);
    }
}
