//! Data replication rules of a bucket: PutBucketReplication (adds one rule, with an id OSS
//! generates when none is given), PutBucketRTC, GetBucketReplication,
//! GetBucketReplicationLocation, GetBucketReplicationProgress and DeleteBucketReplication (by
//! rule id, in a body). The emulator keeps the rules; it does not copy data to other regions.

use http::StatusCode;
use oss_model::xml::XmlDocument as _;
use oss_model::{
    HistoricalObjectReplication, ReplicationConfiguration, ReplicationRtcStatus,
    ReplicationRuleStatus, ReplicationTransferType,
};
use oss_proto::generated as ops;

use super::stored;
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{from_ms, now_ms};
use crate::typed;

const DOC: &str = "replication";
/// The most rules a bucket has.
const MAX_RULES: usize = 100;
/// The most prefixes of one rule.
const MAX_PREFIXES: usize = 10;

fn no_such_configuration(bucket: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "NoSuchReplicationConfiguration",
        "The replication configuration does not exist.",
    )
    .with("BucketName", bucket)
}

fn no_such_rule(id: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "NoSuchReplicationRule",
        "The specified replication rule does not exist.",
    )
    .with("RuleId", id)
}

fn unknown(element: &'static str, value: &str) -> OssError {
    OssError::invalid_argument(format!("The value of {element} is not valid: {value}"))
        .with("ArgumentName", element)
        .with("ArgumentValue", value)
}

/// POST /bucket?replication&comp=add — PutBucketReplication.
pub(crate) fn put(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::PutBucketReplication>(req)?;
    let [mut rule] = <[_; 1]>::try_from(input.body.rules).map_err(|rules: Vec<_>| {
        OssError::malformed_xml().with(
            "Detail",
            format!("exactly one Rule is added at a time, not {}", rules.len()),
        )
    })?;
    let dest = &rule.destination;
    if dest.bucket.is_empty() || dest.location.is_empty() {
        return Err(OssError::invalid_argument(
            "The destination bucket and its location are required.",
        ));
    }
    if dest.bucket == req.bucket() && dest.location == ctx.location() {
        return Err(OssError::invalid_argument(
            "A bucket cannot replicate to itself.",
        ));
    }
    if let Some(ReplicationTransferType::Unknown(v)) = &dest.transfer_type {
        return Err(unknown("TransferType", v));
    }
    if let Some(HistoricalObjectReplication::Unknown(v)) = &rule.historical_object_replication {
        return Err(unknown("HistoricalObjectReplication", v));
    }
    if let Some(rtc) = &rule.rtc
        && let ReplicationRtcStatus::Unknown(v) = &rtc.status
    {
        return Err(unknown("RTC", v));
    }
    if rule.prefix_set.len() > MAX_PREFIXES {
        return Err(OssError::invalid_argument(format!(
            "A rule has at most {MAX_PREFIXES} prefixes."
        )));
    }
    if let Some(action) = &rule.action
        && !action
            .split(',')
            .all(|a| matches!(a.trim(), "ALL" | "PUT" | "DELETE" | "ABORT"))
    {
        return Err(unknown("Action", action));
    }
    let id = rule
        .id
        .clone()
        .filter(|id| !id.is_empty())
        .unwrap_or_else(stored::new_id);
    rule.id = Some(id.clone());
    rule.action.get_or_insert_with(|| "ALL".to_owned());
    rule.historical_object_replication
        .get_or_insert(HistoricalObjectReplication::Enabled);
    rule.destination
        .transfer_type
        .get_or_insert(ReplicationTransferType::Internal);
    rule.status = Some(ReplicationRuleStatus::Doing);
    stored::modify_bucket::<ReplicationConfiguration, _>(ctx, req.bucket(), DOC, |doc| {
        let config = doc.get_or_insert_with(Default::default);
        if config.rules.iter().any(|r| r.id.as_deref() == Some(&id)) {
            return Err(OssError::invalid_argument(format!(
                "A replication rule with ID {id} already exists."
            ))
            .with("ArgumentName", "ID"));
        }
        if config.rules.len() >= MAX_RULES {
            return Err(OssError::invalid_argument(format!(
                "A bucket has at most {MAX_RULES} replication rules."
            )));
        }
        config.rules.push(rule);
        Ok(())
    })?;
    Ok(Reply::ok().header("x-oss-replication-rule-id", id))
}

/// PUT /bucket?rtc — PutBucketRTC: turns RTC of one rule on or off.
pub(crate) fn put_rtc(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::PutBucketRTC>(req)?;
    let rtc = input.body.rtc;
    if let ReplicationRtcStatus::Unknown(v) = &rtc.status {
        return Err(unknown("RTC", v));
    }
    let id = input.body.id;
    let bucket = req.bucket();
    stored::modify_bucket::<ReplicationConfiguration, _>(ctx, bucket, DOC, |doc| {
        let rule = doc
            .as_mut()
            .and_then(|c| c.rules.iter_mut().find(|r| r.id.as_deref() == Some(&id)))
            .ok_or_else(|| no_such_rule(&id))?;
        rule.rtc = Some(rtc);
        Ok(())
    })?;
    Ok(Reply::ok())
}

fn rules(ctx: &Context, bucket: &str) -> Result<ReplicationConfiguration, OssError> {
    stored::bucket_doc::<ReplicationConfiguration>(ctx, bucket, DOC)?
        .filter(|c| !c.rules.is_empty())
        .ok_or_else(|| no_such_configuration(bucket))
}

/// GET /bucket?replication — GetBucketReplication.
pub(crate) fn get(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    Ok(Reply::xml(rules(ctx, req.bucket())?.to_xml()))
}

/// GET /bucket?replicationLocation — GetBucketReplicationLocation: every other region.
pub(crate) fn location(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    ctx.store.bucket(req.bucket())?;
    let own = ctx.location();
    let locations: Vec<String> = super::account::REGIONS
        .iter()
        .map(|r| format!("oss-{r}"))
        .filter(|r| *r != own)
        .collect();
    let doc = oss_model::ReplicationLocation {
        location_transfer_type_constraint: locations
            .iter()
            .filter(|l| !l.starts_with("oss-cn-"))
            .map(|l| oss_model::ReplicationLocationTransferType {
                location: l.clone(),
                transfer_types: vec![
                    ReplicationTransferType::Internal,
                    ReplicationTransferType::OssAcc,
                ],
            })
            .collect(),
        location_rtc_constraint: locations
            .iter()
            .filter(|l| l.starts_with("oss-cn-"))
            .cloned()
            .collect(),
        locations,
    };
    Ok(Reply::xml(doc.to_xml()))
}

/// GET /bucket?replicationProgress&rule-id=… — GetBucketReplicationProgress.
pub(crate) fn progress(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::GetBucketReplicationProgress>(req)?;
    let config = rules(ctx, req.bucket())?;
    let rule = config
        .rules
        .into_iter()
        .find(|r| r.id.as_deref() == Some(&input.rule_id))
        .ok_or_else(|| no_such_rule(&input.rule_id))?;
    let historical = rule.historical_object_replication.clone();
    let doc = oss_model::ReplicationProgress {
        rules: vec![oss_model::ReplicationProgressRule {
            id: rule.id,
            prefix_set: rule.prefix_set,
            action: rule.action,
            destination: Some(rule.destination),
            status: rule.status,
            progress: Some(oss_model::ReplicationProgressInformation {
                historical_object: (historical == Some(HistoricalObjectReplication::Enabled))
                    .then(|| "0.00".to_owned()),
                new_object: Some(crate::timefmt::iso8601(from_ms(now_ms()))),
            }),
            historical_object_replication: historical,
        }],
    };
    Ok(Reply::xml(doc.to_xml()))
}

/// POST /bucket?replication&comp=delete — DeleteBucketReplication: removes rules by id.
pub(crate) fn delete(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::DeleteBucketReplication>(req)?;
    let ids = input.body.ids;
    if ids.is_empty() {
        return Err(OssError::malformed_xml().with("Detail", "an ID is required"));
    }
    let bucket = req.bucket();
    stored::modify_bucket::<ReplicationConfiguration, _>(ctx, bucket, DOC, |doc| {
        let config = doc.as_mut().ok_or_else(|| no_such_configuration(bucket))?;
        for id in &ids {
            let pos = config
                .rules
                .iter()
                .position(|r| r.id.as_deref() == Some(id.as_str()))
                .ok_or_else(|| no_such_rule(id))?;
            config.rules.remove(pos);
        }
        if config.rules.is_empty() {
            *doc = None;
        }
        Ok(())
    })?;
    Ok(Reply::ok())
}
