//! Retention: the bucket's retention policy (InitiateBucketWorm, CompleteBucketWorm,
//! ExtendBucketWorm, AbortBucketWorm, GetBucketWorm), the retention and legal hold of single
//! object versions (PutObjectRetention, GetObjectRetention, PutObjectLegalHold,
//! GetObjectLegalHold), and their enforcement on deletes and overwrites.
//!
//! A new policy is `InProgress` for 24 hours: it can be aborted or locked
//! (CompleteBucketWorm) and does not protect objects yet; unlocked after 24 hours it lapses.
//! A `Locked` policy cannot be aborted, only extended, and refuses (`FileImmutable`, 409)
//! deleting or overwriting an object written less than its retention period ago. A version
//! with a retention date in the future (`GOVERNANCE` bypassable with
//! `x-oss-bypass-governance-retention: true`) or a legal hold `ON` cannot be deleted either.
//! A PutObject gets the retention its `x-oss-object-worm-*` headers give, else the bucket's
//! default retention (PutBucketObjectWormConfiguration).

use http::StatusCode;
use oss_model::{BucketWormState, ObjectLegalHoldStatus, ObjectWormMode};
use time::OffsetDateTime;
use time::macros::format_description;

use super::stored;
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{from_ms, now_ms};
use crate::typed;
use oss_proto::generated as ops;

const WORM: &str = "worm";
const DAY_MS: i64 = 86_400_000;
/// How long a policy stays `InProgress` before it lapses.
const IN_PROGRESS_MS: i64 = DAY_MS;

/// OSS's form of the policy's dates: ISO 8601 without a zone (`2020-10-15T15:50:32`).
fn worm_date(ms: i64) -> String {
    from_ms(ms)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]"
        ))
        .unwrap_or_default()
}

fn parse_worm_date(s: &str) -> Option<i64> {
    let t = time::PrimitiveDateTime::parse(
        s,
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
    )
    .ok()?;
    Some((t.assume_utc().unix_timestamp_nanos() / 1_000_000) as i64)
}

fn no_such_worm(bucket: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "NoSuchWORMConfiguration",
        "The WORM Configuration does not exist.",
    )
    .ec("0027-00000009")
    .with("BucketName", bucket)
}

fn invalid_state(message: &str) -> OssError {
    OssError::new(StatusCode::CONFLICT, "InvalidWORMState", message.to_owned())
}

fn check_days(days: i64) -> Result<(), OssError> {
    if (1..=25_550).contains(&days) {
        Ok(())
    } else {
        Err(OssError::invalid_argument(format!(
            "RetentionPeriodInDays must be between 1 and 25550: {days}"
        ))
        .with("ArgumentName", "RetentionPeriodInDays")
        .with("ArgumentValue", days.to_string()))
    }
}

/// A policy in effect: `Locked`, or `InProgress` within its first 24 hours.
fn live(doc: Option<oss_model::WormConfiguration>) -> Option<oss_model::WormConfiguration> {
    doc.filter(|w| {
        w.state == Some(BucketWormState::Locked)
            || w.expiration_date
                .as_deref()
                .and_then(parse_worm_date)
                .is_some_and(|end| now_ms() < end)
    })
}

/// POST /bucket?worm — InitiateBucketWorm: a new `InProgress` policy and its id.
pub(crate) fn initiate(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::InitiateBucketWorm>(req)?;
    let days = input.body.retention_period_in_days;
    check_days(days)?;
    if ctx.store.bucket(req.bucket())?.versioning.as_deref() == Some("Suspended") {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "A retention policy cannot be set on a bucket whose versioning is suspended.",
        ));
    }
    let id = stored::new_id();
    stored::modify_bucket::<oss_model::WormConfiguration, _>(ctx, req.bucket(), WORM, |doc| {
        if live(doc.take()).is_some() {
            return Err(invalid_state("The bucket already has a retention policy."));
        }
        let now = now_ms();
        *doc = Some(oss_model::WormConfiguration {
            worm_id: Some(id.clone()),
            state: Some(BucketWormState::InProgress),
            retention_period_in_days: Some(days),
            creation_date: Some(worm_date(now)),
            expiration_date: Some(worm_date(now + IN_PROGRESS_MS)),
        });
        Ok(())
    })?;
    Ok(Reply::ok().header("x-oss-worm-id", id))
}

/// The live policy with the given id, or `NoSuchWORMConfiguration`.
fn named(
    doc: &mut Option<oss_model::WormConfiguration>,
    bucket: &str,
    id: &str,
) -> Result<oss_model::WormConfiguration, OssError> {
    match live(doc.take()) {
        Some(w) if w.worm_id.as_deref() == Some(id) => Ok(w),
        other => {
            *doc = other;
            Err(no_such_worm(bucket))
        }
    }
}

/// POST /bucket?wormId=… — CompleteBucketWorm: locks an `InProgress` policy.
pub(crate) fn complete(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::CompleteBucketWorm>(req)?;
    let bucket = req.bucket();
    stored::modify_bucket::<oss_model::WormConfiguration, _>(ctx, bucket, WORM, |doc| {
        let mut w = named(doc, bucket, &input.worm_id)?;
        if w.state == Some(BucketWormState::Locked) {
            *doc = Some(w);
            return Err(invalid_state("The retention policy is already locked."));
        }
        w.state = Some(BucketWormState::Locked);
        w.expiration_date = None;
        *doc = Some(w);
        Ok(())
    })?;
    Ok(Reply::ok())
}

/// POST /bucket?wormExtend&wormId=… — ExtendBucketWorm: a longer period for a locked policy.
pub(crate) fn extend(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::ExtendBucketWorm>(req)?;
    let days = input.body.retention_period_in_days;
    check_days(days)?;
    let bucket = req.bucket();
    stored::modify_bucket::<oss_model::WormConfiguration, _>(ctx, bucket, WORM, |doc| {
        let mut w = named(doc, bucket, &input.worm_id)?;
        if w.state != Some(BucketWormState::Locked) {
            *doc = Some(w);
            return Err(invalid_state(
                "Only a locked retention policy can be extended.",
            ));
        }
        if days <= w.retention_period_in_days.unwrap_or(0) {
            *doc = Some(w);
            return Err(OssError::invalid_argument(
                "The new retention period must be longer than the current one.",
            )
            .with("ArgumentName", "RetentionPeriodInDays")
            .with("ArgumentValue", days.to_string()));
        }
        w.retention_period_in_days = Some(days);
        *doc = Some(w);
        Ok(())
    })?;
    Ok(Reply::ok())
}

/// DELETE /bucket?worm — AbortBucketWorm: removes an `InProgress` policy.
pub(crate) fn abort(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let bucket = req.bucket();
    stored::modify_bucket::<oss_model::WormConfiguration, _>(ctx, bucket, WORM, |doc| match live(
        doc.take(),
    ) {
        None => Err(no_such_worm(bucket)),
        Some(w) if w.state == Some(BucketWormState::Locked) => {
            *doc = Some(w);
            Err(invalid_state(
                "A locked retention policy cannot be deleted.",
            ))
        }
        Some(_) => Ok(()),
    })?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

/// GET /bucket?worm — GetBucketWorm.
pub(crate) fn get(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    use oss_model::xml::XmlDocument as _;
    let doc = live(stored::bucket_doc(ctx, req.bucket(), WORM)?)
        .ok_or_else(|| no_such_worm(req.bucket()))?;
    Ok(Reply::xml(doc.to_xml()))
}

fn immutable(key: &str) -> OssError {
    OssError::new(
        StatusCode::CONFLICT,
        "FileImmutable",
        "The object you specified is immutable.",
    )
    .ec("0026-00000202")
    .with("Key", key)
}

/// Refuses (`FileImmutable`) removing the stored data of `key` (`version`: the version id a
/// delete names; `None` for the key's current data) when a locked bucket retention policy,
/// the version's retention or its legal hold protects it. Deletes that only add a delete
/// marker and writes that only add a version never remove data: callers check those only
/// where they would (an unversioned bucket, or a version id named).
pub(crate) fn check_removable(
    ctx: &Context,
    req: &Request,
    key: &str,
    version: Option<&str>,
) -> Result<(), OssError> {
    let bucket = req.bucket();
    let record = ctx.store.bucket(bucket)?;
    if version.is_none() && record.versioning.is_some() {
        return Ok(());
    }
    let Ok(meta) = ctx.store.object(bucket, key, version) else {
        return Ok(());
    };
    let now = now_ms();
    let policy = live(stored::bucket_doc::<oss_model::WormConfiguration>(
        ctx, bucket, WORM,
    )?);
    if let Some(w) = policy
        && w.state == Some(BucketWormState::Locked)
        && meta.modified_ms + w.retention_period_in_days.unwrap_or(0) * DAY_MS > now
    {
        return Err(immutable(key));
    }
    let vid = meta.version_id.as_str();
    if let Some(hold) =
        stored::bucket_doc::<oss_model::ObjectLegalHold>(ctx, bucket, &hold_key(key, vid))?
        && hold.status == Some(ObjectLegalHoldStatus::On)
    {
        return Err(immutable(key));
    }
    if let Some(r) =
        stored::bucket_doc::<oss_model::ObjectRetention>(ctx, bucket, &retention_key(key, vid))?
        && r.retain_until_date.is_some_and(|d| d > from_ms(now))
    {
        let bypass = r.mode == Some(ObjectWormMode::Governance)
            && req.header("x-oss-bypass-governance-retention") == Some("true");
        if !bypass {
            return Err(immutable(key));
        }
    }
    Ok(())
}

/// Drops the retention and legal hold of a version a delete removed (`version`: the version
/// id the delete named; `None`: the key's data in an unversioned bucket).
pub(crate) fn forget(
    ctx: &Context,
    bucket: &str,
    key: &str,
    version: Option<&str>,
) -> Result<(), OssError> {
    let record = ctx.store.bucket(bucket)?;
    let version = match version {
        Some(v) => v.to_owned(),
        None if record.versioning.is_none() => "null".to_owned(),
        None => return Ok(()),
    };
    let keys = [
        stored::key(&retention_key(key, &version)),
        stored::key(&hold_key(key, &version)),
    ];
    if keys.iter().any(|k| record.configs.contains_key(k)) {
        ctx.store.update_bucket(bucket, |b| {
            for k in &keys {
                b.configs.remove(k);
            }
        })?;
    }
    Ok(())
}

fn retention_key(key: &str, version: &str) -> String {
    format!("retention/{version}/{key}")
}

fn hold_key(key: &str, version: &str) -> String {
    format!("legal-hold/{version}/{key}")
}

/// The bucket's object-level retention setting, when it is on.
fn object_worm(
    ctx: &Context,
    bucket: &str,
) -> Result<Option<oss_model::ObjectWormConfiguration>, OssError> {
    use oss_model::xml::XmlDocument as _;
    Ok(ctx
        .store
        .bucket(bucket)?
        .configs
        .get("objectWorm")
        .and_then(|d| oss_model::ObjectWormConfiguration::from_xml(d.as_bytes()).ok())
        .filter(|c| c.object_worm_enabled.as_deref() == Some("Enabled")))
}

fn object_worm_off(bucket: &str) -> OssError {
    OssError::new(
        StatusCode::BAD_REQUEST,
        "InvalidRequest",
        "Object-level retention (ObjectWorm) is not enabled for the bucket.",
    )
    .with("BucketName", bucket)
}

/// The retention a new object written by `req` gets: the one its `x-oss-object-worm-mode`
/// and `x-oss-object-worm-retain-until-date` headers give (object-level retention must be on),
/// else the bucket's default retention, if any. Checked before the object is written.
pub(crate) fn upload_retention(
    ctx: &Context,
    req: &Request,
) -> Result<Option<oss_model::ObjectRetention>, OssError> {
    let mode = req.header("x-oss-object-worm-mode");
    let until = req.header("x-oss-object-worm-retain-until-date");
    let config = object_worm(ctx, req.bucket())?;
    if mode.is_none() && until.is_none() {
        let Some(default) = config
            .and_then(|c| c.rule)
            .and_then(|r| r.default_retention)
        else {
            return Ok(None);
        };
        let days = default.days.or(default.years.map(|y| y * 365)).unwrap_or(0);
        if days <= 0 {
            return Ok(None);
        }
        return Ok(Some(oss_model::ObjectRetention {
            mode: Some(default.mode.unwrap_or(ObjectWormMode::Compliance)),
            retain_until_date: Some(from_ms(now_ms() + days * DAY_MS)),
        }));
    }
    if config.is_none() {
        return Err(object_worm_off(req.bucket()));
    }
    let mode = match mode {
        Some("COMPLIANCE") => ObjectWormMode::Compliance,
        Some("GOVERNANCE") => ObjectWormMode::Governance,
        other => {
            return Err(OssError::invalid_argument(format!(
                "The value of x-oss-object-worm-mode is not valid: {}",
                other.unwrap_or("")
            ))
            .with("ArgumentName", "x-oss-object-worm-mode"));
        }
    };
    let until = until
        .and_then(|u| OffsetDateTime::parse(u, &time::format_description::well_known::Rfc3339).ok())
        .filter(|u| *u > OffsetDateTime::now_utc())
        .ok_or_else(|| {
            OssError::invalid_argument(
                "x-oss-object-worm-retain-until-date must be a future ISO 8601 time.",
            )
            .with("ArgumentName", "x-oss-object-worm-retain-until-date")
        })?;
    Ok(Some(oss_model::ObjectRetention {
        mode: Some(mode),
        retain_until_date: Some(until),
    }))
}

/// Whether an upload asks for a legal hold (`x-oss-object-worm-legal-hold: ON`), checked before
/// anything is written: the value must be `ON` or `OFF`, and `ON` needs object-level retention
/// on for the bucket.
pub(crate) fn upload_legal_hold(ctx: &Context, req: &Request) -> Result<bool, OssError> {
    let on = match req.header("x-oss-object-worm-legal-hold") {
        None | Some("OFF") => false,
        Some("ON") => true,
        Some(other) => {
            return Err(OssError::invalid_argument(format!(
                "The value of x-oss-object-worm-legal-hold is not valid: {other}"
            ))
            .with("ArgumentName", "x-oss-object-worm-legal-hold"));
        }
    };
    if on && object_worm(ctx, req.bucket())?.is_none() {
        return Err(object_worm_off(req.bucket()));
    }
    Ok(on)
}

/// Puts the legal hold [`upload_legal_hold`] asked for on the version just written.
pub(crate) fn record_upload_legal_hold(
    ctx: &Context,
    req: &Request,
    version: &str,
    on: bool,
) -> Result<(), OssError> {
    if !on {
        return Ok(());
    }
    stored::modify_bucket::<oss_model::ObjectLegalHold, _>(
        ctx,
        req.bucket(),
        &hold_key(req.key(), version),
        |doc| {
            *doc = Some(oss_model::ObjectLegalHold {
                status: Some(ObjectLegalHoldStatus::On),
            });
            Ok(())
        },
    )
}

/// The `x-oss-object-worm-*` headers GetObject and HeadObject answer with for a version that
/// has a retention (mode and retain-until date, ISO 8601 UTC with milliseconds) or a legal
/// hold `ON`; none otherwise.
pub(crate) fn object_headers(
    ctx: &Context,
    bucket: &str,
    key: &str,
    version: &str,
) -> Result<Vec<(&'static str, String)>, OssError> {
    let mut headers = Vec::new();
    let record = ctx.store.bucket(bucket)?;
    let kept = [retention_key(key, version), hold_key(key, version)];
    if !kept
        .iter()
        .any(|k| record.configs.contains_key(&stored::key(k)))
    {
        return Ok(headers);
    }
    if let Some(r) =
        stored::bucket_doc::<oss_model::ObjectRetention>(ctx, bucket, &retention_key(key, version))?
    {
        if let Some(mode) = r.mode {
            headers.push(("x-oss-object-worm-mode", mode.as_str().to_owned()));
        }
        if let Some(until) = r.retain_until_date {
            let text = until
                .to_offset(time::UtcOffset::UTC)
                .format(format_description!(
                    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
                ))
                .unwrap_or_default();
            headers.push(("x-oss-object-worm-retain-until-date", text));
        }
    }
    if let Some(hold) =
        stored::bucket_doc::<oss_model::ObjectLegalHold>(ctx, bucket, &hold_key(key, version))?
        && hold.status == Some(ObjectLegalHoldStatus::On)
    {
        headers.push(("x-oss-object-worm-legal-hold", "ON".to_owned()));
    }
    Ok(headers)
}

/// Records the retention [`upload_retention`] gave the version just written.
pub(crate) fn record_upload_retention(
    ctx: &Context,
    req: &Request,
    version: &str,
    retention: Option<oss_model::ObjectRetention>,
) -> Result<(), OssError> {
    let Some(r) = retention else { return Ok(()) };
    stored::modify_bucket::<oss_model::ObjectRetention, _>(
        ctx,
        req.bucket(),
        &retention_key(req.key(), version),
        |doc| {
            *doc = Some(r);
            Ok(())
        },
    )
}

/// The version an object request addresses (`versionId`, or the current one), which must
/// exist; and that object-level retention is on for the bucket.
fn addressed_version(ctx: &Context, req: &Request) -> Result<String, OssError> {
    if object_worm(ctx, req.bucket())?.is_none() {
        return Err(object_worm_off(req.bucket()));
    }
    let meta = ctx
        .store
        .object(req.bucket(), req.key(), req.q("versionId"))?;
    Ok(meta.version_id)
}

/// PUT /bucket/key?retention — PutObjectRetention.
pub(crate) fn put_retention(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::PutObjectRetention>(req)?;
    let version = addressed_version(ctx, req)?;
    let new = input.body;
    let (Some(mode), Some(until)) = (new.mode.clone(), new.retain_until_date) else {
        return Err(
            OssError::malformed_xml().with("Detail", "Mode and RetainUntilDate are required")
        );
    };
    if let ObjectWormMode::Unknown(v) = &mode {
        return Err(
            OssError::invalid_argument(format!("The value of Mode is not valid: {v}"))
                .with("ArgumentName", "Mode")
                .with("ArgumentValue", v.clone()),
        );
    }
    if until <= OffsetDateTime::now_utc() {
        return Err(
            OssError::invalid_argument("RetainUntilDate must be in the future.")
                .with("ArgumentName", "RetainUntilDate"),
        );
    }
    let bypass = input.bypass_governance_retention == Some(true);
    let key = req.key().to_owned();
    stored::modify_bucket::<oss_model::ObjectRetention, _>(
        ctx,
        req.bucket(),
        &retention_key(&key, &version),
        |doc| {
            if let Some(old) = doc.as_ref()
                && let (Some(old_mode), Some(old_until)) = (&old.mode, old.retain_until_date)
                && old_until > OffsetDateTime::now_utc()
            {
                let weakened = until < old_until || mode != *old_mode;
                let allowed = *old_mode == ObjectWormMode::Governance && bypass;
                if weakened && !allowed {
                    return Err(OssError::access_denied(
                        "The retention of a protected object cannot be shortened or its mode changed.",
                    ));
                }
            }
            *doc = Some(oss_model::ObjectRetention {
                mode: Some(mode),
                retain_until_date: Some(until),
            });
            Ok(())
        },
    )?;
    Ok(Reply::ok())
}

/// GET /bucket/key?retention — GetObjectRetention (an empty `Retention` when none is set).
pub(crate) fn get_retention(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    use oss_model::xml::XmlDocument as _;
    let version = addressed_version(ctx, req)?;
    let doc = stored::bucket_doc::<oss_model::ObjectRetention>(
        ctx,
        req.bucket(),
        &retention_key(req.key(), &version),
    )?
    .unwrap_or_default();
    Ok(Reply::xml(doc.to_xml()))
}

/// PUT /bucket/key?legalHold — PutObjectLegalHold.
pub(crate) fn put_legal_hold(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::PutObjectLegalHold>(req)?;
    let version = addressed_version(ctx, req)?;
    let status = match input.body.status {
        Some(ObjectLegalHoldStatus::Unknown(v)) => {
            return Err(OssError::invalid_argument(format!(
                "The value of Status is not valid: {v}"
            ))
            .with("ArgumentName", "Status")
            .with("ArgumentValue", v));
        }
        Some(s) => s,
        None => return Err(OssError::malformed_xml().with("Detail", "Status is required")),
    };
    stored::modify_bucket::<oss_model::ObjectLegalHold, _>(
        ctx,
        req.bucket(),
        &hold_key(req.key(), &version),
        |doc| {
            *doc = Some(oss_model::ObjectLegalHold {
                status: Some(status),
            });
            Ok(())
        },
    )?;
    Ok(Reply::ok())
}

/// GET /bucket/key?legalHold — GetObjectLegalHold (`OFF` when never set).
pub(crate) fn get_legal_hold(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    use oss_model::xml::XmlDocument as _;
    let version = addressed_version(ctx, req)?;
    let doc = stored::bucket_doc::<oss_model::ObjectLegalHold>(
        ctx,
        req.bucket(),
        &hold_key(req.key(), &version),
    )?
    .unwrap_or(oss_model::ObjectLegalHold {
        status: Some(ObjectLegalHoldStatus::Off),
    });
    Ok(Reply::xml(doc.to_xml()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worm_dates_read_back() {
        let ms = 1_602_777_032_000;
        assert_eq!(worm_date(ms), "2020-10-15T15:50:32");
        assert_eq!(parse_worm_date("2020-10-15T15:50:32"), Some(ms));
        assert_eq!(parse_worm_date("not a date"), None);
    }

    #[test]
    fn retention_periods_are_bounded() {
        assert!(check_days(1).is_ok());
        assert!(check_days(25_550).is_ok());
        assert!(check_days(0).is_err());
        assert!(check_days(25_551).is_err());
    }
}
