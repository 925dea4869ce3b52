//! Access points: named entry points to a bucket (CreateAccessPoint, GetAccessPoint,
//! DeleteAccessPoint, ListAccessPoints), each with its own policy
//! (Put/Get/DeleteAccessPointPolicy) and Block Public Access setting
//! (Put/Get/DeleteAccessPointPublicAccessBlock).
//!
//! Access point names are unique in the account's region, so the records live in the account
//! record (persisted with `--data-dir`), one JSON document per access point under
//! `accesspoint/<name>`. A new access point is `enable` at once; its alias is
//! `<name>-<32 hex digits>-ossalias`, its ARN `acs:oss:<region>:<account>:accesspoint/<name>`.

use http::StatusCode;
use oss_model::{
    AccessPointEndpoints, AccessPointNetworkOrigin, AccessPointSummary,
    AccessPointVpcConfiguration, PublicAccessBlockConfiguration,
};
use oss_proto::generated as ops;
use serde::{Deserialize, Serialize};

use crate::checksum;
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::router::Op;
use crate::storage::now_ms;
use crate::typed;

/// Where access point records live in the account record.
const PREFIX: &str = "accesspoint/";
/// The most access points one bucket may have.
const MAX_PER_BUCKET: usize = 100;
/// The most access points one account may have.
const MAX_PER_ACCOUNT: usize = 1000;
/// The suffix every alias carries (and no name may end with).
const ALIAS_SUFFIX: &str = "-ossalias";

/// One access point as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AccessPointRecord {
    pub(crate) name: String,
    pub(crate) bucket: String,
    /// `vpc` or `internet`.
    pub(crate) network_origin: String,
    pub(crate) vpc_id: Option<String>,
    pub(crate) created_ms: i64,
    pub(crate) alias: String,
    /// The access point policy (JSON text), once put.
    #[serde(default)]
    pub(crate) policy: Option<String>,
    /// The Block Public Access setting, once put.
    #[serde(default)]
    pub(crate) block_public_access: Option<bool>,
}

fn no_such_access_point(name: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "NoSuchAccessPoint",
        "The specified access point does not exist.",
    )
    .with("AccessPointName", name)
}

fn already_exists(name: &str) -> OssError {
    OssError::new(
        StatusCode::CONFLICT,
        "AccessPointAlreadyExists",
        "The access point you tried to create already exists.",
    )
    .with("AccessPointName", name)
}

/// Every access point of the account, by name.
pub(crate) fn all(ctx: &Context) -> Vec<AccessPointRecord> {
    ctx.store
        .account()
        .configs
        .iter()
        .filter(|(k, _)| k.starts_with(PREFIX))
        .filter_map(|(_, v)| serde_json::from_str(v).ok())
        .collect()
}

/// The access point whose alias is `alias`, if any.
pub(crate) fn by_alias(ctx: &Context, alias: &str) -> Option<AccessPointRecord> {
    if !alias.ends_with(ALIAS_SUFFIX) {
        return None;
    }
    all(ctx).into_iter().find(|ap| ap.alias == alias)
}

/// Whether `name` is an access point alias (usable where a bucket name goes).
pub(crate) fn is_alias(ctx: &Context, name: &str) -> bool {
    by_alias(ctx, name).is_some()
}

/// The operations a request may perform through an access point alias: the object
/// operations and the listings of the bucket's objects and uploads.
fn through_alias_allowed(op: Op, req: &Request) -> bool {
    req.key.is_some()
        || matches!(
            op,
            Op::ListObjects
                | Op::ListObjectsV2
                | Op::ListObjectVersions
                | Op::ListMultipartUploads
                | Op::DeleteMultipleObjects
        )
}

/// A signed request addressed to an access point alias reaches the access point's bucket,
/// subject to the access point's policy: a matching `Deny` refuses it (`AccessDenied`). The
/// request's bucket becomes the access point's bucket. Requests to a bucket name are left
/// alone.
///
/// # Errors
/// `AccessDenied` when the policy denies the request or the operation cannot go through an
/// access point.
pub(crate) fn resolve_alias(ctx: &Context, req: &mut Request, op: Op) -> Result<(), OssError> {
    let Some(ap) = req.bucket.as_deref().and_then(|b| by_alias(ctx, b)) else {
        return Ok(());
    };
    if !through_alias_allowed(op, req) {
        return Err(OssError::access_denied(format!(
            "{} cannot be sent through an access point.",
            op.name()
        )));
    }
    if let Some(policy) = ap
        .policy
        .as_deref()
        .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
    {
        let resource = match &req.key {
            Some(key) => format!(
                "acs:oss:{}:{}:accesspoint/{}/object/{key}",
                ctx.region, ctx.account_id, ap.name
            ),
            None => format!(
                "acs:oss:{}:{}:accesspoint/{}",
                ctx.region, ctx.account_id, ap.name
            ),
        };
        let action = crate::access::action(op);
        let facts = crate::access::Facts {
            action: &action,
            resource: &resource,
            referer: req.header("referer"),
            source_ip: req.peer,
        };
        if crate::access::evaluate(&policy, &facts) == crate::access::Verdict::Deny {
            return Err(OssError::access_denied(
                "Access denied by access point policy.",
            ));
        }
    }
    req.bucket = Some(ap.bucket);
    Ok(())
}

/// The access point `name` of the request's bucket: `NoSuchAccessPoint` when the account has
/// none of that name or it leads to another bucket.
pub(crate) fn find(ctx: &Context, bucket: &str, name: &str) -> Result<AccessPointRecord, OssError> {
    ctx.store
        .account()
        .configs
        .get(&format!("{PREFIX}{name}"))
        .and_then(|v| serde_json::from_str::<AccessPointRecord>(v).ok())
        .filter(|ap| ap.bucket == bucket)
        .ok_or_else(|| no_such_access_point(name))
}

fn store(ctx: &Context, ap: &AccessPointRecord) -> Result<(), OssError> {
    let text = serde_json::to_string(ap)
        .map_err(|e| OssError::internal(format!("cannot store the access point: {e}")))?;
    ctx.store.update_account(|a| {
        a.configs.insert(format!("{PREFIX}{}", ap.name), text);
    })?;
    Ok(())
}

/// The name the request gives in `x-oss-access-point-name` (header, or query for the public
/// access block operations).
fn name_of(req: &Request, in_query: bool) -> Result<String, OssError> {
    let name = if in_query {
        req.q("x-oss-access-point-name")
    } else {
        req.header("x-oss-access-point-name")
    };
    match name {
        Some(n) if !n.is_empty() => Ok(n.to_owned()),
        _ => Err(
            OssError::invalid_argument("x-oss-access-point-name is required.")
                .with("ArgumentName", "x-oss-access-point-name"),
        ),
    }
}

/// OSS's naming rules: 3 to 19 lower-case letters, digits and hyphens, not starting or ending
/// with a hyphen, not ending with `-ossalias`.
fn check_name(name: &str) -> Result<(), OssError> {
    let ok = (3..=19).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.ends_with(ALIAS_SUFFIX);
    if ok {
        Ok(())
    } else {
        Err(OssError::invalid_argument(format!(
            "The access point name {name:?} is not valid: 3 to 19 lower-case letters, digits and hyphens, not starting or ending with a hyphen."
        ))
        .with("ArgumentName", "AccessPointName")
        .with("ArgumentValue", name))
    }
}

fn arn(ctx: &Context, name: &str) -> String {
    format!(
        "acs:oss:{}:{}:accesspoint/{name}",
        ctx.region, ctx.account_id
    )
}

pub(crate) fn endpoints(ctx: &Context, name: &str) -> AccessPointEndpoints {
    AccessPointEndpoints {
        public_endpoint: Some(format!(
            "{name}-{}.oss-{}.oss-accesspoint.aliyuncs.com",
            ctx.account_id, ctx.region
        )),
        internal_endpoint: Some(format!(
            "{name}-{}.oss-{}-internal.oss-accesspoint.aliyuncs.com",
            ctx.account_id, ctx.region
        )),
    }
}

fn vpc(ap: &AccessPointRecord) -> Option<AccessPointVpcConfiguration> {
    ap.vpc_id.as_ref().map(|id| AccessPointVpcConfiguration {
        vpc_id: Some(id.clone()),
    })
}

/// PUT /bucket?accessPoint — CreateAccessPoint.
pub(crate) fn create(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let bucket = ctx.store.bucket(req.bucket())?.name;
    let input = typed::input::<ops::CreateAccessPoint>(req)?;
    let config = input.body;
    let name = config.access_point_name;
    check_name(&name)?;
    let origin = match &config.network_origin {
        AccessPointNetworkOrigin::Unknown(v) => {
            return Err(OssError::invalid_argument(format!(
                "The network origin {v:?} is not valid: vpc or internet."
            ))
            .with("ArgumentName", "NetworkOrigin")
            .with("ArgumentValue", v.clone()));
        }
        known => known.as_str().to_owned(),
    };
    let vpc_id = config
        .vpc_configuration
        .and_then(|v| v.vpc_id)
        .filter(|v| !v.is_empty());
    if origin == "vpc" && vpc_id.is_none() {
        return Err(OssError::invalid_argument(
            "A VPC ID is required when the network origin is vpc.",
        )
        .with("ArgumentName", "VpcId"));
    }
    let existing = all(ctx);
    if existing.iter().any(|ap| ap.name == name) {
        return Err(already_exists(&name));
    }
    if existing.iter().filter(|ap| ap.bucket == bucket).count() >= MAX_PER_BUCKET
        || existing.len() >= MAX_PER_ACCOUNT
    {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "TooManyAccessPoints",
            "You have attempted to create more access points than allowed.",
        ));
    }
    let created_ms = now_ms();
    let digest =
        checksum::md5(format!("{}/{bucket}/{name}/{created_ms}", ctx.account_id).as_bytes());
    let hex = checksum::hex_upper(&digest).to_ascii_lowercase();
    let ap = AccessPointRecord {
        alias: format!("{name}-{hex}{ALIAS_SUFFIX}"),
        name,
        bucket,
        network_origin: origin,
        vpc_id: if config.network_origin == AccessPointNetworkOrigin::Vpc {
            vpc_id
        } else {
            None
        },
        created_ms,
        policy: None,
        block_public_access: None,
    };
    // Checked again under the store's lock: of two creates racing for a name, one wins.
    let text = serde_json::to_string(&ap)
        .map_err(|e| OssError::internal(format!("cannot store the access point: {e}")))?;
    let key = format!("{PREFIX}{}", ap.name);
    let mut raced = false;
    ctx.store.update_account(|a| {
        if a.configs.contains_key(&key) {
            raced = true;
        } else {
            a.configs.insert(key.clone(), text);
        }
    })?;
    if raced {
        return Err(already_exists(&ap.name));
    }
    typed::reply::<ops::CreateAccessPoint>(&oss_model::CreateAccessPointOutput {
        request_id: None,
        access_point_arn: Some(arn(ctx, &ap.name)),
        alias: Some(ap.alias),
    })
}

/// GET /bucket?accessPoint (with `x-oss-access-point-name`) — GetAccessPoint. Without the
/// header it is ListAccessPoints sent to the bucket (the official SDKs' `ListAccessPoints`
/// with a bucket), which the routing cannot tell apart by query: the bucket's access points.
pub(crate) fn get(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    if req.header("x-oss-access-point-name").is_none() {
        return list(ctx, req);
    }
    let bucket = ctx.store.bucket(req.bucket())?.name;
    let ap = find(ctx, &bucket, &name_of(req, false)?)?;
    typed::reply::<ops::GetAccessPoint>(&oss_model::GetAccessPointOutput {
        request_id: None,
        access_point_name: Some(ap.name.clone()),
        bucket: Some(ap.bucket.clone()),
        account_id: Some(ctx.account_id.clone()),
        network_origin: Some(AccessPointNetworkOrigin::from(ap.network_origin.as_str())),
        vpc_configuration: vpc(&ap),
        access_point_arn: Some(arn(ctx, &ap.name)),
        creation_date: Some((ap.created_ms / 1000).to_string()),
        alias: Some(ap.alias.clone()),
        status: Some("enable".to_owned()),
        endpoints: Some(endpoints(ctx, &ap.name)),
        public_access_block_configuration: Some(PublicAccessBlockConfiguration {
            block_public_access: ap.block_public_access.unwrap_or(false),
        }),
    })
}

/// DELETE /bucket?accessPoint — DeleteAccessPoint (its policy and settings go with it).
pub(crate) fn delete(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let bucket = ctx.store.bucket(req.bucket())?.name;
    let ap = find(ctx, &bucket, &name_of(req, false)?)?;
    ctx.store.update_account(|a| {
        a.configs.remove(&format!("{PREFIX}{}", ap.name));
    })?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

/// GET /?accessPoint — ListAccessPoints: the account's access points in name order, or, sent
/// to a bucket, that bucket's; `max-keys` (1 to 1000, default 100) per page, resumed after the
/// `continuation-token` (the last name of the previous page).
pub(crate) fn list(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let bucket = match &req.bucket {
        Some(b) => Some(ctx.store.bucket(b)?.name),
        None => None,
    };
    let max = super::page_max_keys(req)?;
    let after = req.q("continuation-token").unwrap_or("").to_owned();
    let mut aps: Vec<AccessPointRecord> = all(ctx)
        .into_iter()
        .filter(|ap| bucket.as_ref().is_none_or(|b| &ap.bucket == b))
        .filter(|ap| after.is_empty() || ap.name > after)
        .collect();
    aps.sort_by(|a, b| a.name.cmp(&b.name));
    let truncated = aps.len() > max;
    aps.truncate(max);
    let next = if truncated {
        aps.last().map(|ap| ap.name.clone())
    } else {
        None
    };
    let output = oss_model::ListAccessPointsOutput {
        request_id: None,
        is_truncated: Some(truncated),
        next_continuation_token: next,
        account_id: Some(ctx.account_id.clone()),
        max_keys: Some(max as i64),
        access_points: aps
            .iter()
            .map(|ap| AccessPointSummary {
                bucket: Some(ap.bucket.clone()),
                access_point_name: Some(ap.name.clone()),
                alias: Some(ap.alias.clone()),
                network_origin: Some(AccessPointNetworkOrigin::from(ap.network_origin.as_str())),
                vpc_configuration: vpc(ap),
                status: Some("enable".to_owned()),
            })
            .collect(),
    };
    typed::reply::<ops::ListAccessPoints>(&output)
}

/// An access point policy: a JSON object with a `Statement` list.
pub(crate) fn check_policy(text: &str) -> Result<(), OssError> {
    let value: Result<serde_json::Value, _> = serde_json::from_str(text);
    match value {
        Ok(v) if v.get("Statement").is_some_and(serde_json::Value::is_array) => Ok(()),
        _ => Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidPolicyDocument",
            "The policy document is not valid: a JSON object with a Statement list is expected.",
        )),
    }
}

/// PUT /bucket?accessPointPolicy — PutAccessPointPolicy.
pub(crate) fn put_policy(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let bucket = ctx.store.bucket(req.bucket())?.name;
    let mut ap = find(ctx, &bucket, &name_of(req, false)?)?;
    if req.body.len() > 16 * 1024 {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "PolicyTooLarge",
            "The policy is larger than 16384 bytes.",
        ));
    }
    let text = std::str::from_utf8(&req.body).map_err(|_| {
        OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidPolicyDocument",
            "The policy document is not valid UTF-8.",
        )
    })?;
    check_policy(text)?;
    ap.policy = Some(text.to_owned());
    store(ctx, &ap)?;
    Ok(Reply::ok())
}

/// GET /bucket?accessPointPolicy — GetAccessPointPolicy: the policy as put.
pub(crate) fn get_policy(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let bucket = ctx.store.bucket(req.bucket())?.name;
    let ap = find(ctx, &bucket, &name_of(req, false)?)?;
    match ap.policy {
        Some(policy) => Ok(Reply::ok()
            .header("Content-Type", "application/json")
            .body(bytes::Bytes::from(policy))),
        None => Err(OssError::new(
            StatusCode::NOT_FOUND,
            "NoSuchAccessPointPolicy",
            "The specified access point policy does not exist.",
        )
        .with("AccessPointName", ap.name)),
    }
}

/// DELETE /bucket?accessPointPolicy — DeleteAccessPointPolicy.
pub(crate) fn delete_policy(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let bucket = ctx.store.bucket(req.bucket())?.name;
    let mut ap = find(ctx, &bucket, &name_of(req, false)?)?;
    ap.policy = None;
    store(ctx, &ap)?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

/// PUT /bucket?publicAccessBlock&x-oss-access-point-name=… — PutAccessPointPublicAccessBlock.
pub(crate) fn put_public_access_block(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let bucket = ctx.store.bucket(req.bucket())?.name;
    let mut ap = find(ctx, &bucket, &name_of(req, true)?)?;
    let input = typed::input::<ops::PutAccessPointPublicAccessBlock>(req)?;
    ap.block_public_access = Some(input.body.block_public_access);
    store(ctx, &ap)?;
    Ok(Reply::ok())
}

/// GET /bucket?publicAccessBlock&x-oss-access-point-name=… — GetAccessPointPublicAccessBlock:
/// `false` until one was put.
pub(crate) fn get_public_access_block(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let bucket = ctx.store.bucket(req.bucket())?.name;
    let ap = find(ctx, &bucket, &name_of(req, true)?)?;
    typed::reply::<ops::GetAccessPointPublicAccessBlock>(
        &oss_model::GetAccessPointPublicAccessBlockOutput {
            request_id: None,
            block_public_access: ap.block_public_access.unwrap_or(false),
        },
    )
}

/// DELETE /bucket?publicAccessBlock&x-oss-access-point-name=… —
/// DeleteAccessPointPublicAccessBlock.
pub(crate) fn delete_public_access_block(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let bucket = ctx.store.bucket(req.bucket())?.name;
    let mut ap = find(ctx, &bucket, &name_of(req, true)?)?;
    ap.block_public_access = None;
    store(ctx, &ap)?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_oss_rules() {
        assert!(check_name("ap-01").is_ok());
        assert!(check_name("abc").is_ok());
        assert!(check_name("ab").is_err());
        assert!(check_name("a234567890123456789x").is_err());
        assert!(check_name("-ap").is_err());
        assert!(check_name("ap-").is_err());
        assert!(check_name("Ap-01").is_err());
        assert!(check_name("ap_01").is_err());
        assert!(check_name("x-ossalias").is_err());
    }

    #[test]
    fn policies_need_a_statement_list() {
        assert!(check_policy(r#"{"Version":"1","Statement":[]}"#).is_ok());
        assert!(check_policy(r#"{"Version":"1"}"#).is_err());
        assert!(check_policy("nope").is_err());
    }
}
