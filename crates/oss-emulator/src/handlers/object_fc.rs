//! Object FC access points: access points whose GetObject answers are produced by a Function
//! Compute function (Create/Get/Delete/ListAccessPointsForObjectProcess, their processing
//! setup and policy), and WriteGetObjectResponse, through which the function hands back the
//! processed object.
//!
//! Records live in the account record (persisted with `--data-dir`) under
//! `fcaccesspoint/<name>`; each is built on an access point of the same bucket. The alias is
//! `<name>-<32 hex digits>-opapalias`, the ARN
//! `acs:oss:<region>:<account>:accesspointforobjectprocess/<name>`. What a function writes with
//! WriteGetObjectResponse is kept by route and token
//! ([`Emulator::written_get_object_response`](crate::Emulator::written_get_object_response)).

use base64::Engine as _;
use http::StatusCode;
use oss_model::{
    AccessPointForObjectProcessSummary, ObjectProcessConfiguration, PublicAccessBlockConfiguration,
};
use oss_proto::generated as ops;
use serde::{Deserialize, Serialize};

use super::access_point;
use crate::checksum;
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::now_ms;
use crate::typed;

const PREFIX: &str = "fcaccesspoint/";
/// Where WriteGetObjectResponse bodies are kept: `get-object-response/<route>/<token>`.
const RESPONSES: &str = "get-object-response/";
const HEADER: &str = "x-oss-access-point-for-object-process-name";

/// One Object FC access point as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FcRecord {
    name: String,
    access_point: String,
    bucket: String,
    created_ms: i64,
    alias: String,
    config: ObjectProcessConfiguration,
    allow_anonymous: Option<String>,
    block_public_access: Option<bool>,
    policy: Option<String>,
}

/// What a function handed back with WriteGetObjectResponse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct WrittenResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    /// The data, base64.
    pub(crate) body: String,
}

impl WrittenResponse {
    /// The data as bytes.
    pub(crate) fn data(&self) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.body)
            .unwrap_or_default()
    }
}

fn no_such(name: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "NoSuchAccessPointForObjectProcess",
        "The specified Object FC access point does not exist.",
    )
    .with("AccessPointForObjectProcessName", name)
}

fn all(ctx: &Context) -> Vec<FcRecord> {
    ctx.store
        .account()
        .configs
        .iter()
        .filter(|(k, _)| k.starts_with(PREFIX))
        .filter_map(|(_, v)| serde_json::from_str(v).ok())
        .collect()
}

fn name_of(req: &Request) -> Result<String, OssError> {
    match req.header(HEADER) {
        Some(n) if !n.is_empty() => Ok(n.to_owned()),
        _ => Err(OssError::invalid_argument(format!("{HEADER} is required."))
            .with("ArgumentName", HEADER)),
    }
}

fn find(ctx: &Context, req: &Request) -> Result<FcRecord, OssError> {
    let bucket = ctx.store.bucket(req.bucket())?.name;
    let name = name_of(req)?;
    ctx.store
        .account()
        .configs
        .get(&format!("{PREFIX}{name}"))
        .and_then(|v| serde_json::from_str::<FcRecord>(v).ok())
        .filter(|r| r.bucket == bucket)
        .ok_or_else(|| no_such(&name))
}

fn store(ctx: &Context, r: &FcRecord) -> Result<(), OssError> {
    let text = serde_json::to_string(r)
        .map_err(|e| OssError::internal(format!("cannot store the access point: {e}")))?;
    ctx.store.update_account(|a| {
        a.configs.insert(format!("{PREFIX}{}", r.name), text);
    })?;
    Ok(())
}

/// 3 to 63 lower-case letters, digits and hyphens, not starting or ending with a hyphen.
fn check_name(name: &str) -> Result<(), OssError> {
    let ok = (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(OssError::invalid_argument(format!(
            "The Object FC access point name {name:?} is not valid."
        ))
        .with("ArgumentName", HEADER)
        .with("ArgumentValue", name))
    }
}

/// Every transformation handles `GetObject` with a function; at least one is given.
fn check_config(config: &ObjectProcessConfiguration) -> Result<(), OssError> {
    if config.transformation_configurations.is_empty() {
        return Err(OssError::invalid_argument(
            "At least one TransformationConfiguration is required.",
        )
        .with("ArgumentName", "TransformationConfigurations"));
    }
    for t in &config.transformation_configurations {
        if t.actions.is_empty() || t.actions.iter().any(|a| a != "GetObject") {
            return Err(OssError::invalid_argument(
                "A transformation handles only the GetObject action.",
            )
            .with("ArgumentName", "Actions"));
        }
        let arn = t
            .content_transformation
            .as_ref()
            .and_then(|c| c.function_compute.as_ref())
            .and_then(|f| f.function_arn.as_deref());
        if arn.is_none_or(str::is_empty) {
            return Err(OssError::invalid_argument("A FunctionArn is required.")
                .with("ArgumentName", "FunctionArn"));
        }
    }
    Ok(())
}

fn check_anonymous(value: Option<&str>) -> Result<(), OssError> {
    match value {
        None | Some("true" | "false") => Ok(()),
        Some(other) => Err(OssError::invalid_argument(format!(
            "AllowAnonymousAccessForObjectProcess must be true or false, not {other:?}."
        ))
        .with("ArgumentName", "AllowAnonymousAccessForObjectProcess")),
    }
}

fn arn(ctx: &Context, name: &str) -> String {
    format!(
        "acs:oss:{}:{}:accesspointforobjectprocess/{name}",
        ctx.region, ctx.account_id
    )
}

/// PUT /bucket?accessPointForObjectProcess — CreateAccessPointForObjectProcess.
pub(crate) fn create(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let bucket = ctx.store.bucket(req.bucket())?.name;
    let name = name_of(req)?;
    check_name(&name)?;
    let input = typed::input::<ops::CreateAccessPointForObjectProcess>(req)?;
    let body = input.body;
    access_point::find(ctx, &bucket, &body.access_point_name)?;
    check_config(&body.object_process_configuration)?;
    check_anonymous(body.allow_anonymous_access_for_object_process.as_deref())?;
    let created_ms = now_ms();
    let digest =
        checksum::md5(format!("{}/{bucket}/{name}/{created_ms}/fc", ctx.account_id).as_bytes());
    let record = FcRecord {
        alias: format!(
            "{name}-{}-opapalias",
            checksum::hex_upper(&digest).to_ascii_lowercase()
        ),
        name: name.clone(),
        access_point: body.access_point_name,
        bucket,
        created_ms,
        config: body.object_process_configuration,
        allow_anonymous: body.allow_anonymous_access_for_object_process,
        block_public_access: None,
        policy: None,
    };
    let text = serde_json::to_string(&record)
        .map_err(|e| OssError::internal(format!("cannot store the access point: {e}")))?;
    let key = format!("{PREFIX}{name}");
    let mut exists = false;
    ctx.store.update_account(|a| {
        if a.configs.contains_key(&key) {
            exists = true;
        } else {
            a.configs.insert(key.clone(), text);
        }
    })?;
    if exists {
        return Err(OssError::new(
            StatusCode::CONFLICT,
            "AccessPointForObjectProcessAlreadyExists",
            "The Object FC access point you tried to create already exists.",
        )
        .with("AccessPointForObjectProcessName", name));
    }
    typed::reply::<ops::CreateAccessPointForObjectProcess>(
        &oss_model::CreateAccessPointForObjectProcessOutput {
            request_id: None,
            access_point_for_object_process_arn: Some(arn(ctx, &record.name)),
            access_point_for_object_process_alias: Some(record.alias),
        },
    )
}

/// GET /bucket?accessPointForObjectProcess — GetAccessPointForObjectProcess.
pub(crate) fn get(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let r = find(ctx, req)?;
    typed::reply::<ops::GetAccessPointForObjectProcess>(
        &oss_model::GetAccessPointForObjectProcessOutput {
            request_id: None,
            access_point_name_for_object_process: Some(r.name.clone()),
            access_point_for_object_process_alias: Some(r.alias.clone()),
            access_point_name: Some(r.access_point.clone()),
            account_id: Some(ctx.account_id.clone()),
            access_point_for_object_process_arn: Some(arn(ctx, &r.name)),
            creation_date: Some((r.created_ms / 1000).to_string()),
            status: Some("enable".to_owned()),
            endpoints: Some(access_point::endpoints(ctx, &r.name)),
            public_access_block_configuration: Some(PublicAccessBlockConfiguration {
                block_public_access: r.block_public_access.unwrap_or(false),
            }),
            allow_anonymous_access_for_object_process: Some(
                r.allow_anonymous.unwrap_or_else(|| "false".to_owned()),
            ),
        },
    )
}

/// DELETE /bucket?accessPointForObjectProcess — DeleteAccessPointForObjectProcess.
pub(crate) fn delete(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let r = find(ctx, req)?;
    ctx.store.update_account(|a| {
        a.configs.remove(&format!("{PREFIX}{}", r.name));
    })?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

/// GET /?accessPointForObjectProcess — ListAccessPointsForObjectProcess: name order,
/// `max-keys` (1 to 1000, default 100) per page, resumed after the `continuation-token`.
pub(crate) fn list(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let max = super::page_max_keys(req)?;
    let after = req.q("continuation-token").unwrap_or("").to_owned();
    let mut records: Vec<FcRecord> = all(ctx)
        .into_iter()
        .filter(|r| after.is_empty() || r.name > after)
        .collect();
    records.sort_by(|a, b| a.name.cmp(&b.name));
    let truncated = records.len() > max;
    records.truncate(max);
    let next = truncated
        .then(|| records.last().map(|r| r.name.clone()))
        .flatten();
    typed::reply::<ops::ListAccessPointsForObjectProcess>(
        &oss_model::ListAccessPointsForObjectProcessOutput {
            request_id: None,
            is_truncated: Some(truncated),
            next_continuation_token: next,
            account_id: Some(ctx.account_id.clone()),
            access_points_for_object_process: records
                .into_iter()
                .map(|r| AccessPointForObjectProcessSummary {
                    access_point_name_for_object_process: Some(r.name),
                    access_point_for_object_process_alias: Some(r.alias),
                    access_point_name: Some(r.access_point),
                    status: Some("enable".to_owned()),
                    allow_anonymous_access_for_object_process: Some(
                        r.allow_anonymous.unwrap_or_else(|| "false".to_owned()),
                    ),
                })
                .collect(),
        },
    )
}

/// PUT /bucket?accessPointConfigForObjectProcess — PutAccessPointConfigForObjectProcess.
pub(crate) fn put_config(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let mut r = find(ctx, req)?;
    let body = typed::input::<ops::PutAccessPointConfigForObjectProcess>(req)?.body;
    check_config(&body.object_process_configuration)?;
    check_anonymous(body.allow_anonymous_access_for_object_process.as_deref())?;
    r.config = body.object_process_configuration;
    if let Some(pab) = body.public_access_block_configuration {
        r.block_public_access = Some(pab.block_public_access);
    }
    if body.allow_anonymous_access_for_object_process.is_some() {
        r.allow_anonymous = body.allow_anonymous_access_for_object_process;
    }
    store(ctx, &r)?;
    Ok(Reply::ok())
}

/// GET /bucket?accessPointConfigForObjectProcess — GetAccessPointConfigForObjectProcess.
pub(crate) fn get_config(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let r = find(ctx, req)?;
    typed::reply::<ops::GetAccessPointConfigForObjectProcess>(
        &oss_model::GetAccessPointConfigForObjectProcessOutput {
            request_id: None,
            object_process_configuration: Some(r.config),
            public_access_block_configuration: Some(PublicAccessBlockConfiguration {
                block_public_access: r.block_public_access.unwrap_or(false),
            }),
            allow_anonymous_access_for_object_process: Some(
                r.allow_anonymous.unwrap_or_else(|| "false".to_owned()),
            ),
        },
    )
}

/// PUT /bucket?accessPointPolicyForObjectProcess — PutAccessPointPolicyForObjectProcess.
pub(crate) fn put_policy(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let mut r = find(ctx, req)?;
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
    access_point::check_policy(text)?;
    r.policy = Some(text.to_owned());
    store(ctx, &r)?;
    Ok(Reply::ok())
}

/// GET /bucket?accessPointPolicyForObjectProcess — GetAccessPointPolicyForObjectProcess.
pub(crate) fn get_policy(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let r = find(ctx, req)?;
    match r.policy {
        Some(p) => Ok(Reply::ok()
            .header("Content-Type", "application/json")
            .body(bytes::Bytes::from(p))),
        None => Err(OssError::new(
            StatusCode::NOT_FOUND,
            "NoSuchAccessPointPolicyForObjectProcess",
            "The specified Object FC access point policy does not exist.",
        )
        .with("AccessPointForObjectProcessName", r.name)),
    }
}

/// DELETE /bucket?accessPointPolicyForObjectProcess — DeleteAccessPointPolicyForObjectProcess.
pub(crate) fn delete_policy(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let mut r = find(ctx, req)?;
    r.policy = None;
    store(ctx, &r)?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

/// The `x-oss-fwd-header-*` headers WriteGetObjectResponse forwards, and the names they
/// carry to the GetObject caller.
const FORWARDED: [(&str, &str); 10] = [
    ("x-oss-fwd-header-accept-ranges", "Accept-Ranges"),
    ("x-oss-fwd-header-cache-control", "Cache-Control"),
    (
        "x-oss-fwd-header-content-disposition",
        "Content-Disposition",
    ),
    ("x-oss-fwd-header-content-encoding", "Content-Encoding"),
    ("x-oss-fwd-header-content-language", "Content-Language"),
    ("x-oss-fwd-header-content-range", "Content-Range"),
    ("x-oss-fwd-header-content-type", "Content-Type"),
    ("x-oss-fwd-header-etag", "ETag"),
    ("x-oss-fwd-header-expires", "Expires"),
    ("x-oss-fwd-header-last-modified", "Last-Modified"),
];

/// POST /?x-oss-write-get-object-response — WriteGetObjectResponse: the status, forwarded
/// headers and data are kept under the request's route and token; OSS answers `200`.
pub(crate) fn write_get_object_response(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let required =
        |name: &'static str| match req.header(name) {
            Some(v) if !v.is_empty() => Ok(v.to_owned()),
            _ => Err(OssError::invalid_argument(format!("{name} is required."))
                .with("ArgumentName", name)),
        };
    let route = required("x-oss-request-route")?;
    let token = required("x-oss-request-token")?;
    let status_text = required("x-oss-fwd-status")?;
    let status = status_text
        .parse::<u16>()
        .ok()
        .filter(|s| (100..=599).contains(s))
        .ok_or_else(|| {
            OssError::invalid_argument(format!(
                "x-oss-fwd-status {status_text:?} is not an HTTP status."
            ))
            .with("ArgumentName", "x-oss-fwd-status")
            .with("ArgumentValue", status_text.clone())
        })?;
    let headers = FORWARDED
        .iter()
        .filter_map(|(from, to)| req.header(from).map(|v| ((*to).to_owned(), v.to_owned())))
        .collect();
    let written = WrittenResponse {
        status,
        headers,
        body: base64::engine::general_purpose::STANDARD.encode(&req.body),
    };
    let text = serde_json::to_string(&written)
        .map_err(|e| OssError::internal(format!("cannot store the response: {e}")))?;
    ctx.store.update_account(|a| {
        a.configs
            .insert(format!("{RESPONSES}{route}/{token}"), text);
    })?;
    Ok(Reply::ok())
}

/// What WriteGetObjectResponse stored for `route` and `token`.
pub(crate) fn written(ctx: &Context, route: &str, token: &str) -> Option<WrittenResponse> {
    ctx.store
        .account()
        .configs
        .get(&format!("{RESPONSES}{route}/{token}"))
        .and_then(|v| serde_json::from_str(v).ok())
}
