//! Redundancy conversion tasks (LRS to ZRS): CreateBucketDataRedundancyTransition,
//! GetBucketDataRedundancyTransition, DeleteBucketDataRedundancyTransition,
//! ListBucketDataRedundancyTransition and ListUserDataRedundancyTransition (every bucket's,
//! a page at a time). A new task is `Queueing`; the emulator converts nothing, so a task stays
//! `Queueing` (and can be deleted, as OSS allows for queued tasks only).

use http::StatusCode;
use oss_model::xml::XmlDocument as _;
use oss_model::{
    BucketDataRedundancyTransition, DataRedundancyTransitionStatus, DataRedundancyType,
    ListBucketDataRedundancyTransition,
};
use oss_proto::generated as ops;

use super::stored;
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{from_ms, now_ms};
use crate::typed;

const DOC: &str = "redundancy-transition";

fn no_such_task(id: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "NoSuchDataRedundancyTransition",
        "The specified data redundancy transition task does not exist.",
    )
    .with("TaskId", id)
}

fn tasks(ctx: &Context, bucket: &str) -> Result<Vec<BucketDataRedundancyTransition>, OssError> {
    Ok(
        stored::bucket_doc::<ListBucketDataRedundancyTransition>(ctx, bucket, DOC)?
            .map(|l| l.bucket_data_redundancy_transitions)
            .unwrap_or_default(),
    )
}

/// POST /bucket?redundancyTransition&x-oss-target-redundancy-type=ZRS —
/// CreateBucketDataRedundancyTransition.
pub(crate) fn create(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::CreateBucketDataRedundancyTransition>(req)?;
    if input.target_redundancy_type != DataRedundancyType::Zrs {
        return Err(OssError::invalid_argument(format!(
            "A bucket can only be converted to ZRS, not {}.",
            input.target_redundancy_type.as_str()
        ))
        .with("ArgumentName", "x-oss-target-redundancy-type")
        .with("ArgumentValue", input.target_redundancy_type.as_str()));
    }
    let bucket = req.bucket().to_owned();
    if ctx.store.bucket(&bucket)?.redundancy == "ZRS" {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "The bucket is already ZRS.",
        )
        .with("BucketName", bucket));
    }
    let task = BucketDataRedundancyTransition {
        bucket: Some(bucket.clone()),
        task_id: stored::new_id(),
        status: Some(DataRedundancyTransitionStatus::Queueing),
        create_time: Some(from_ms(now_ms())),
        ..Default::default()
    };
    let stored_task = task.clone();
    stored::modify_bucket::<ListBucketDataRedundancyTransition, _>(ctx, &bucket, DOC, |doc| {
        let list = doc.get_or_insert_with(Default::default);
        if list
            .bucket_data_redundancy_transitions
            .iter()
            .any(|t| t.status != Some(DataRedundancyTransitionStatus::Finished))
        {
            return Err(OssError::new(
                StatusCode::CONFLICT,
                "InvalidRequest",
                "The bucket already has an unfinished redundancy transition task.",
            ));
        }
        list.bucket_data_redundancy_transitions.push(stored_task);
        Ok(())
    })?;
    let out = BucketDataRedundancyTransition {
        task_id: task.task_id,
        ..Default::default()
    };
    Ok(Reply::xml(out.to_xml()))
}

/// GET /bucket?redundancyTransition&x-oss-redundancy-transition-taskid=… —
/// GetBucketDataRedundancyTransition.
pub(crate) fn get(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::GetBucketDataRedundancyTransition>(req)?;
    let task = tasks(ctx, req.bucket())?
        .into_iter()
        .find(|t| t.task_id == input.task_id)
        .ok_or_else(|| no_such_task(&input.task_id))?;
    Ok(Reply::xml(task.to_xml()))
}

/// DELETE /bucket?redundancyTransition&x-oss-redundancy-transition-taskid=… —
/// DeleteBucketDataRedundancyTransition (queued tasks only).
pub(crate) fn delete(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::DeleteBucketDataRedundancyTransition>(req)?;
    let id = input.task_id;
    stored::modify_bucket::<ListBucketDataRedundancyTransition, _>(
        ctx,
        req.bucket(),
        DOC,
        |doc| {
            let list = doc.as_mut().ok_or_else(|| no_such_task(&id))?;
            let pos = list
                .bucket_data_redundancy_transitions
                .iter()
                .position(|t| t.task_id == id)
                .ok_or_else(|| no_such_task(&id))?;
            if list.bucket_data_redundancy_transitions[pos].status
                != Some(DataRedundancyTransitionStatus::Queueing)
            {
                return Err(OssError::new(
                    StatusCode::CONFLICT,
                    "InvalidRequest",
                    "Only a queued redundancy transition task can be deleted.",
                ));
            }
            list.bucket_data_redundancy_transitions.remove(pos);
            Ok(())
        },
    )?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

/// GET /bucket?redundancyTransition — ListBucketDataRedundancyTransition.
pub(crate) fn list_bucket(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let doc = ListBucketDataRedundancyTransition {
        bucket_data_redundancy_transitions: tasks(ctx, req.bucket())?,
        ..Default::default()
    };
    Ok(Reply::xml(doc.to_xml()))
}

/// GET /?redundancyTransition — ListUserDataRedundancyTransition: every bucket's tasks,
/// ordered by bucket then task id; the continuation token is the last `bucket/task` given.
pub(crate) fn list_user(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::ListUserDataRedundancyTransition>(req)?;
    let max = super::max_param(req, "max-keys", 100, 100)?.max(1);
    let after = input.continuation_token.filter(|t| !t.is_empty());
    let mut all = Vec::new();
    for bucket in stored::bucket_names(ctx) {
        for t in tasks(ctx, &bucket)? {
            all.push((format!("{bucket}/{}", t.task_id), t));
        }
    }
    all.sort_by(|a, b| a.0.cmp(&b.0));
    let mut rest = all
        .into_iter()
        .filter(|(k, _)| after.as_deref().is_none_or(|a| k.as_str() > a));
    let page: Vec<_> = rest.by_ref().take(max).collect();
    let more = rest.next().is_some();
    let doc = ListBucketDataRedundancyTransition {
        next_continuation_token: if more {
            page.last().map(|(k, _)| k.clone())
        } else {
            None
        },
        is_truncated: Some(more),
        bucket_data_redundancy_transitions: page.into_iter().map(|(_, t)| t).collect(),
    };
    Ok(Reply::xml(doc.to_xml()))
}
