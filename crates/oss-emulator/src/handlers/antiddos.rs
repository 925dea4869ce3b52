//! Anti-DDoS for OSS: the account's Anti-DDoS instances (InitUserAntiDDosInfo,
//! UpdateUserAntiDDosInfo, GetUserAntiDDosInfo) and the buckets they protect
//! (InitBucketAntiDDosInfo, UpdateBucketAntiDDosInfo, ListBucketAntiDDosInfo). Both lists are
//! kept in the account's record.

use http::StatusCode;
use oss_model::xml::XmlDocument as _;
use oss_model::{AntiDDOSInstanceInfo, AntiDDOSListConfiguration, AntiDDoSStatus};
use oss_proto::generated as ops;

use super::stored;
use crate::context::{Context, OWNER_ID};
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::now_ms;
use crate::typed;

const INSTANCES: &str = "antiddos/instances";
const BUCKETS: &str = "antiddos/buckets";
/// The instance type OSS names (spelled as OSS spells it).
const INSTANCE_TYPE: &str = "AntiDDosPremimum";

fn now_s() -> i64 {
    now_ms() / 1000
}

fn no_such_instance(id: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "NoSuchAntiDDosInstance",
        "The specified Anti-DDoS instance does not exist.",
    )
    .with("InstanceId", id)
}

fn unknown_status(v: &str) -> OssError {
    OssError::invalid_argument(format!(
        "The value of x-oss-defender-status is not valid: {v}"
    ))
    .with("ArgumentName", "x-oss-defender-status")
    .with("ArgumentValue", v)
}

fn check_instance(ctx: &Context, id: &str) -> Result<(), OssError> {
    let found =
        stored::account_doc::<AntiDDOSListConfiguration>(ctx, INSTANCES)?.is_some_and(|l| {
            l.anti_ddos_configurations
                .iter()
                .any(|i| i.instance_id.as_deref() == Some(id))
        });
    if found {
        Ok(())
    } else {
        Err(no_such_instance(id))
    }
}

/// PUT /?antiDDos — InitUserAntiDDosInfo: a new instance, named in `x-oss-defender-instance`.
pub(crate) fn init_user(ctx: &Context, _req: &Request) -> Result<Reply, OssError> {
    let id = format!("cbdd-{}", stored::new_id().to_ascii_lowercase());
    let now = now_s();
    let entry = AntiDDOSInstanceInfo {
        instance_id: Some(id.clone()),
        owner: Some(OWNER_ID.to_owned()),
        ctime: Some(now),
        mtime: Some(now),
        active_time: Some(now),
        status: Some(AntiDDoSStatus::Defending),
        ..Default::default()
    };
    stored::modify_account::<AntiDDOSListConfiguration, _>(ctx, INSTANCES, |doc| {
        doc.get_or_insert_with(Default::default)
            .anti_ddos_configurations
            .push(entry);
        Ok(())
    })?;
    Ok(Reply::ok().header("x-oss-defender-instance", id))
}

/// POST /?antiDDos — UpdateUserAntiDDosInfo: turns an instance's protection off.
pub(crate) fn update_user(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::UpdateUserAntiDDosInfo>(req)?;
    match &input.defender_status {
        AntiDDoSStatus::HaltDefending => {}
        AntiDDoSStatus::Unknown(v) => return Err(unknown_status(v)),
        other => return Err(unknown_status(other.as_str())),
    }
    let id = input.defender_instance;
    stored::modify_account::<AntiDDOSListConfiguration, _>(ctx, INSTANCES, |doc| {
        let entry = doc
            .as_mut()
            .and_then(|l| {
                l.anti_ddos_configurations
                    .iter_mut()
                    .find(|i| i.instance_id.as_deref() == Some(id.as_str()))
            })
            .ok_or_else(|| no_such_instance(&id))?;
        entry.status = Some(input.defender_status);
        entry.mtime = Some(now_s());
        Ok(())
    })?;
    Ok(Reply::ok())
}

/// GET /?antiDDos — GetUserAntiDDosInfo.
pub(crate) fn get_user(ctx: &Context, _req: &Request) -> Result<Reply, OssError> {
    let doc = stored::account_doc::<AntiDDOSListConfiguration>(ctx, INSTANCES)?.unwrap_or_default();
    Ok(Reply::xml(doc.to_xml()))
}

/// PUT /bucket?antiDDos — InitBucketAntiDDosInfo: the bucket under an instance, `Init`.
pub(crate) fn init_bucket(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::InitBucketAntiDDosInfo>(req)?;
    ctx.store.bucket(req.bucket())?;
    check_instance(ctx, &input.defender_instance)?;
    if input.defender_type != INSTANCE_TYPE {
        return Err(OssError::invalid_argument(format!(
            "The value of x-oss-defender-type is not valid: {}",
            input.defender_type
        ))
        .with("ArgumentName", "x-oss-defender-type")
        .with("ArgumentValue", input.defender_type));
    }
    let bucket = req.bucket().to_owned();
    let id = input.defender_instance.clone();
    let now = now_s();
    stored::modify_account::<AntiDDOSListConfiguration, _>(ctx, BUCKETS, |doc| {
        let list = doc.get_or_insert_with(Default::default);
        if list
            .anti_ddos_configurations
            .iter()
            .any(|b| b.bucket.as_deref() == Some(bucket.as_str()))
        {
            return Err(OssError::new(
                StatusCode::CONFLICT,
                "InvalidRequest",
                "The bucket is already protected by an Anti-DDoS instance.",
            )
            .with("BucketName", bucket.clone()));
        }
        list.anti_ddos_configurations.push(AntiDDOSInstanceInfo {
            instance_id: Some(id.clone()),
            owner: Some(OWNER_ID.to_owned()),
            bucket: Some(bucket.clone()),
            ctime: Some(now),
            mtime: Some(now),
            active_time: Some(0),
            status: Some(AntiDDoSStatus::Init),
            instance_type: Some(INSTANCE_TYPE.to_owned()),
            cnames: input.body.map(|b| b.cnames).unwrap_or_default(),
        });
        list.anti_ddos_configurations
            .sort_by(|a, b| a.bucket.cmp(&b.bucket));
        Ok(())
    })?;
    Ok(Reply::ok().header("x-oss-defender-instance", id))
}

/// POST /bucket?antiDDos — UpdateBucketAntiDDosInfo.
pub(crate) fn update_bucket(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::UpdateBucketAntiDDosInfo>(req)?;
    if let AntiDDoSStatus::Unknown(v) = &input.defender_status {
        return Err(unknown_status(v));
    }
    let cnames = input.body.map(|b| b.cnames);
    if input.defender_status == AntiDDoSStatus::Init && cnames.as_ref().is_none_or(Vec::is_empty) {
        return Err(OssError::invalid_argument(
            "The custom domains to protect are required with Init.",
        )
        .with("ArgumentName", "Cnames"));
    }
    let bucket = req.bucket().to_owned();
    let id = input.defender_instance;
    stored::modify_account::<AntiDDOSListConfiguration, _>(ctx, BUCKETS, |doc| {
        let entry = doc
            .as_mut()
            .and_then(|l| {
                l.anti_ddos_configurations.iter_mut().find(|b| {
                    b.bucket.as_deref() == Some(bucket.as_str())
                        && b.instance_id.as_deref() == Some(id.as_str())
                })
            })
            .ok_or_else(|| no_such_instance(&id).with("BucketName", bucket.clone()))?;
        let now = now_s();
        if input.defender_status == AntiDDoSStatus::Defending
            && entry.status != Some(AntiDDoSStatus::Defending)
        {
            entry.active_time = Some(now);
        }
        entry.status = Some(input.defender_status);
        entry.mtime = Some(now);
        if let Some(c) = cnames {
            entry.cnames = c;
        }
        Ok(())
    })?;
    Ok(Reply::ok())
}

/// GET /?bucketAntiDDos — ListBucketAntiDDosInfo: protected buckets by name, a page at a time
/// (the marker is the last bucket of the previous page).
pub(crate) fn list_buckets(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::ListBucketAntiDDosInfo>(req)?;
    let max = super::max_param(req, "max-keys", 100, 100)?.max(1);
    let marker = input.marker.filter(|m| !m.is_empty());
    let all = stored::account_doc::<AntiDDOSListConfiguration>(ctx, BUCKETS)?
        .map(|l| l.anti_ddos_configurations)
        .unwrap_or_default();
    let mut rest = all.into_iter().filter(|b| {
        marker
            .as_deref()
            .is_none_or(|m| b.bucket.as_deref().unwrap_or("") > m)
    });
    let page: Vec<_> = rest.by_ref().take(max).collect();
    let more = rest.next().is_some();
    let doc = AntiDDOSListConfiguration {
        marker: if more {
            page.last().and_then(|b| b.bucket.clone())
        } else {
            None
        },
        is_truncated: Some(more),
        anti_ddos_configurations: page,
    };
    Ok(Reply::xml(doc.to_xml()))
}
