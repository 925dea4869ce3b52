//! Archive, Cold Archive and Deep Cold Archive objects: RestoreObject, CleanRestoredObject, and
//! the state GetObject and HeadObject see.
//!
//! An archived object cannot be read (`InvalidObjectState`, 403) until it is restored.
//! RestoreObject (202) starts a restore that completes after the emulator's restore delay
//! ([`EmulatorConfig::restore_delay`](crate::EmulatorConfig::restore_delay), zero by default);
//! until then HeadObject shows `x-oss-restore: ongoing-request="true"` and a second restore is
//! `RestoreAlreadyInProgress` (409). Once complete, the object is readable until its expiry
//! (`ongoing-request="false", expiry-date="..."`); restoring it again (200) extends the
//! expiry. CleanRestoredObject ends the restored state early.

use http::StatusCode;
use oss_model::RestoreTier;

use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{ObjectMeta, RestoreRecord, from_ms, now_ms};
use crate::timefmt::http_date;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// True for the storage classes that must be restored before they are read.
pub(crate) fn is_archived(class: &str) -> bool {
    matches!(class, "Archive" | "ColdArchive" | "DeepColdArchive")
}

/// Where a restore stands at `now_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Frozen,
    Ongoing,
    Restored { expiry_ms: i64 },
}

fn state(meta: &ObjectMeta, now: i64) -> State {
    match &meta.restore {
        Some(r) if now < r.ready_ms => State::Ongoing,
        Some(r) if now < r.expiry_ms => State::Restored {
            expiry_ms: r.expiry_ms,
        },
        _ => State::Frozen,
    }
}

/// The `x-oss-restore` header of an archived object that has a restore, if any.
pub(crate) fn restore_header(meta: &ObjectMeta) -> Option<String> {
    if !is_archived(&meta.storage_class) {
        return None;
    }
    match state(meta, now_ms()) {
        State::Frozen => None,
        State::Ongoing => Some("ongoing-request=\"true\"".to_owned()),
        State::Restored { expiry_ms } => Some(format!(
            "ongoing-request=\"false\", expiry-date=\"{}\"",
            http_date(from_ms(expiry_ms))
        )),
    }
}

/// Refuses reading the data of an archived object that is not restored.
pub(crate) fn check_readable(meta: &ObjectMeta) -> Result<(), OssError> {
    if is_archived(&meta.storage_class) && !matches!(state(meta, now_ms()), State::Restored { .. })
    {
        return Err(OssError::new(
            StatusCode::FORBIDDEN,
            "InvalidObjectState",
            "The operation is not valid for the object's state",
        )
        .with("ObjectName", meta.key.clone()));
    }
    Ok(())
}

fn not_archived() -> OssError {
    OssError::new(
        StatusCode::BAD_REQUEST,
        "OperationNotSupported",
        "The operation is not supported for this resource",
    )
}

/// POST /bucket/key?restore — RestoreObject.
pub(crate) fn restore_object(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = crate::typed::input::<oss_proto::generated::RestoreObject>(req)?;
    let version = req.q("versionId");
    let meta = ctx.store.object(req.bucket(), req.key(), version)?;
    if !is_archived(&meta.storage_class) {
        return Err(not_archived());
    }
    let (days, tier) = match &input.restore_request {
        Some(r) => (r.days, r.job_parameters.as_ref().map(|j| j.tier.clone())),
        None => (1, None),
    };
    let max_days = if meta.storage_class == "Archive" {
        7
    } else {
        365
    };
    if !(1..=max_days).contains(&days) {
        return Err(OssError::malformed_xml()
            .with("Detail", format!("Days must be between 1 and {max_days}")));
    }
    let tier = match (meta.storage_class.as_str(), tier) {
        ("Archive", _) => None,
        ("DeepColdArchive", Some(RestoreTier::Bulk)) => {
            return Err(OssError::malformed_xml().with(
                "Detail",
                "Deep Cold Archive objects are restored with the Expedited or Standard tier",
            ));
        }
        (_, Some(RestoreTier::Unknown(other))) => {
            return Err(OssError::malformed_xml().with("Detail", format!("Unknown tier {other}")));
        }
        (_, Some(t)) => Some(t),
        (_, None) => Some(RestoreTier::Standard),
    };
    let now = now_ms();
    let status = match state(&meta, now) {
        State::Ongoing => {
            return Err(OssError::new(
                StatusCode::CONFLICT,
                "RestoreAlreadyInProgress",
                "The restore operation is in progress.",
            ));
        }
        State::Restored { .. } => StatusCode::OK,
        State::Frozen => StatusCode::ACCEPTED,
    };
    let delay = i64::try_from(ctx.restore_delay.as_millis()).unwrap_or(i64::MAX);
    let _lock = ctx.store.lock_key(req.bucket(), req.key());
    let updated = ctx
        .store
        .update_object(req.bucket(), req.key(), version, |m| {
            let ready_ms = match (status, &m.restore) {
                (StatusCode::OK, Some(r)) => r.ready_ms,
                _ => now.saturating_add(delay),
            };
            m.restore = Some(RestoreRecord {
                ready_ms,
                expiry_ms: ready_ms.max(now).saturating_add(days * DAY_MS),
            });
        })?;
    let mut reply = Reply::ok().status(status);
    if updated.version_id != "null" {
        reply = reply.header("x-oss-version-id", updated.version_id);
    }
    if let Some(tier) = tier {
        reply = reply.header("x-oss-object-restore-priority", tier.as_str().to_owned());
    }
    Ok(reply)
}

/// POST /bucket/key?cleanRestoredObject — CleanRestoredObject.
pub(crate) fn clean_restored_object(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let version = req.q("versionId");
    let meta = ctx.store.object(req.bucket(), req.key(), version)?;
    if !is_archived(&meta.storage_class) {
        return Err(not_archived());
    }
    match state(&meta, now_ms()) {
        State::Frozen => Err(OssError::new(
            StatusCode::CONFLICT,
            "ArchiveRestoreFileStale",
            "The archive file or restore info stale",
        )
        .ec("0016-00000718")),
        State::Ongoing => Err(OssError::new(
            StatusCode::CONFLICT,
            "ArchiveRestoreNotFinished",
            "The archive file's restore is not finished.",
        )
        .ec("0016-00000719")),
        State::Restored { .. } => {
            let _lock = ctx.store.lock_key(req.bucket(), req.key());
            ctx.store
                .update_object(req.bucket(), req.key(), version, |m| m.restore = None)?;
            Ok(Reply::ok())
        }
    }
}
