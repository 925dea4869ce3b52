//! Resource pool QoS: throttling limits of buckets, of requesters (on a bucket or in a pool)
//! and of bucket groups, and the resource pools themselves.
//!
//! OSS has no operation creating a resource pool; tests seed them with
//! [`Emulator::seed_resource_pool`](crate::Emulator::seed_resource_pool). Pools, pool requester
//! limits and bucket-group limits live in the account record, bucket and bucket requester limits
//! in the bucket's record (both persisted with `--data-dir`), as JSON under reserved keys.
//!
//! A limit that was never set reads back absent, which OSS documents as `-1` (unlimited): a get
//! before any put answers an empty `QoSConfiguration`. Pages are in name order, `max-keys` (1
//! to 1000, default 100) long, resumed after the `continuation-token` (the last name of the
//! previous page).

use http::StatusCode;
use oss_model::{
    QoSConfiguration, RequesterQoSInfo, ResourcePoolBucket, ResourcePoolBucketGroup,
    ResourcePoolBucketGroupQoSInfo, ResourcePoolGroupBucketInfo, ResourcePoolSummary,
};
use oss_proto::generated as ops;
use serde::{Deserialize, Serialize};

use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{from_ms, now_ms};
use crate::typed;

/// A bucket's own limits, in its record.
const BUCKET_QOS: &str = "qos";
/// A requester's limits on a bucket: `qos-requester/<uid>` in the bucket's record.
const BUCKET_REQUESTER: &str = "qos-requester/";
/// A resource pool: `resource-pool/<name>` in the account record.
const POOL: &str = "resource-pool/";
/// A requester's limits in a pool: `resource-pool-requester/<pool>/<uid>`.
const POOL_REQUESTER: &str = "resource-pool-requester/";
/// A bucket group's limits in a pool: `resource-pool-group/<pool>/<group>`.
const POOL_GROUP: &str = "resource-pool-group/";

/// Throttling limits as stored (every member optional; absent is unlimited).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Limits {
    total_upload_bandwidth: Option<i64>,
    intranet_upload_bandwidth: Option<i64>,
    extranet_upload_bandwidth: Option<i64>,
    total_download_bandwidth: Option<i64>,
    intranet_download_bandwidth: Option<i64>,
    extranet_download_bandwidth: Option<i64>,
    total_qps: Option<i64>,
    intranet_qps: Option<i64>,
    extranet_qps: Option<i64>,
}

impl Limits {
    fn from_model(q: &QoSConfiguration) -> Result<Self, OssError> {
        let limits = Limits {
            total_upload_bandwidth: q.total_upload_bandwidth,
            intranet_upload_bandwidth: q.intranet_upload_bandwidth,
            extranet_upload_bandwidth: q.extranet_upload_bandwidth,
            total_download_bandwidth: q.total_download_bandwidth,
            intranet_download_bandwidth: q.intranet_download_bandwidth,
            extranet_download_bandwidth: q.extranet_download_bandwidth,
            total_qps: q.total_qps,
            intranet_qps: q.intranet_qps,
            extranet_qps: q.extranet_qps,
        };
        let named = [
            ("TotalUploadBandwidth", limits.total_upload_bandwidth),
            ("IntranetUploadBandwidth", limits.intranet_upload_bandwidth),
            ("ExtranetUploadBandwidth", limits.extranet_upload_bandwidth),
            ("TotalDownloadBandwidth", limits.total_download_bandwidth),
            (
                "IntranetDownloadBandwidth",
                limits.intranet_download_bandwidth,
            ),
            (
                "ExtranetDownloadBandwidth",
                limits.extranet_download_bandwidth,
            ),
            ("TotalQps", limits.total_qps),
            ("IntranetQps", limits.intranet_qps),
            ("ExtranetQps", limits.extranet_qps),
        ];
        for (name, value) in named {
            if let Some(v) = value
                && v < -1
            {
                return Err(OssError::invalid_argument(format!(
                    "{name} must be -1 (unlimited), 0 or a positive limit."
                ))
                .with("ArgumentName", name)
                .with("ArgumentValue", v.to_string()));
            }
        }
        Ok(limits)
    }

    fn to_model(&self) -> QoSConfiguration {
        QoSConfiguration {
            total_upload_bandwidth: self.total_upload_bandwidth,
            intranet_upload_bandwidth: self.intranet_upload_bandwidth,
            extranet_upload_bandwidth: self.extranet_upload_bandwidth,
            total_download_bandwidth: self.total_download_bandwidth,
            intranet_download_bandwidth: self.intranet_download_bandwidth,
            extranet_download_bandwidth: self.extranet_download_bandwidth,
            total_qps: self.total_qps,
            intranet_qps: self.intranet_qps,
            extranet_qps: self.extranet_qps,
        }
    }
}

/// One bucket of a pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PoolBucket {
    name: String,
    joined_ms: i64,
    /// The bucket group it belongs to, if any.
    group: Option<String>,
}

/// A resource pool as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PoolRecord {
    name: String,
    created_ms: i64,
    limits: Limits,
    buckets: Vec<PoolBucket>,
}

fn to_json<T: Serialize>(value: &T) -> Result<String, OssError> {
    serde_json::to_string(value).map_err(|e| OssError::internal(format!("cannot store: {e}")))
}

/// Seeds (or replaces) resource pool `name` with `buckets` and the pool's own limits.
pub(crate) fn seed_pool(
    ctx: &Context,
    name: &str,
    buckets: &[&str],
    limits: &QoSConfiguration,
) -> Result<(), OssError> {
    let now = now_ms();
    let record = PoolRecord {
        name: name.to_owned(),
        created_ms: now,
        limits: Limits::from_model(limits)?,
        buckets: buckets
            .iter()
            .map(|b| PoolBucket {
                name: (*b).to_owned(),
                joined_ms: now,
                group: None,
            })
            .collect(),
    };
    let text = to_json(&record)?;
    ctx.store.update_account(|a| {
        a.configs.insert(format!("{POOL}{name}"), text);
    })?;
    Ok(())
}

fn required<'a>(req: &'a Request, name: &'static str) -> Result<&'a str, OssError> {
    match req.q(name) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => {
            Err(OssError::invalid_argument(format!("{name} is required."))
                .with("ArgumentName", name))
        }
    }
}

fn pool(ctx: &Context, name: &str) -> Result<PoolRecord, OssError> {
    ctx.store
        .account()
        .configs
        .get(&format!("{POOL}{name}"))
        .and_then(|v| serde_json::from_str(v).ok())
        .ok_or_else(|| {
            OssError::new(
                StatusCode::NOT_FOUND,
                "NoSuchResourcePool",
                "The specified resource pool does not exist.",
            )
            .with("ResourcePool", name)
        })
}

fn pools(ctx: &Context) -> Vec<PoolRecord> {
    ctx.store
        .account()
        .configs
        .iter()
        .filter(|(k, _)| k.starts_with(POOL))
        .filter_map(|(_, v)| serde_json::from_str(v).ok())
        .collect()
}

fn limits_body<O>(req: &Request) -> Result<Limits, OssError>
where
    O: oss_proto::generated::ServerOperation,
    O::Input: HasQos,
{
    super::check_content_md5(req)?;
    let input = typed::input::<O>(req)?;
    Limits::from_model(input.qos())
}

/// The inputs that carry a `QoSConfiguration` document.
trait HasQos {
    fn qos(&self) -> &QoSConfiguration;
}

macro_rules! has_qos {
    ($($t:ty),*) => {$(impl HasQos for $t { fn qos(&self) -> &QoSConfiguration { &self.body } })*};
}
has_qos!(
    oss_model::PutBucketQoSInfoInput,
    oss_model::PutBucketRequesterQoSInfoInput,
    oss_model::PutResourcePoolRequesterQoSInfoInput,
    oss_model::PutResourcePoolBucketGroupQoSInfoInput
);

fn stored_limits(
    configs: &std::collections::BTreeMap<String, String>,
    key: &str,
) -> Option<Limits> {
    configs.get(key).and_then(|v| serde_json::from_str(v).ok())
}

/// One page of `items` (sorted by name) after the request's `continuation-token`.
struct Page<T> {
    items: Vec<T>,
    token: Option<String>,
    next: Option<String>,
    truncated: bool,
}

fn page<T>(req: &Request, mut items: Vec<(String, T)>) -> Result<Page<T>, OssError> {
    let max = super::page_max_keys(req)?;
    let token = req.q("continuation-token").filter(|t| !t.is_empty());
    items.sort_by(|a, b| a.0.cmp(&b.0));
    items.retain(|(name, _)| token.is_none_or(|t| name.as_str() > t));
    let truncated = items.len() > max;
    items.truncate(max);
    let next = if truncated {
        items.last().map(|(n, _)| n.clone())
    } else {
        None
    };
    Ok(Page {
        items: items.into_iter().map(|(_, v)| v).collect(),
        token: token.map(str::to_owned),
        next,
        truncated,
    })
}

/// PUT /bucket?qosInfo — PutBucketQoSInfo.
pub(crate) fn put_bucket(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    ctx.store.bucket(req.bucket())?;
    let text = to_json(&limits_body::<ops::PutBucketQoSInfo>(req)?)?;
    ctx.store.update_bucket(req.bucket(), |b| {
        b.configs.insert(BUCKET_QOS.to_owned(), text);
    })?;
    Ok(Reply::ok())
}

/// GET /bucket?qosInfo — GetBucketQoSInfo.
pub(crate) fn get_bucket(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let b = ctx.store.bucket(req.bucket())?;
    let q = stored_limits(&b.configs, BUCKET_QOS)
        .unwrap_or_default()
        .to_model();
    typed::reply::<ops::GetBucketQoSInfo>(&oss_model::GetBucketQoSInfoOutput {
        request_id: None,
        total_upload_bandwidth: q.total_upload_bandwidth,
        intranet_upload_bandwidth: q.intranet_upload_bandwidth,
        extranet_upload_bandwidth: q.extranet_upload_bandwidth,
        total_download_bandwidth: q.total_download_bandwidth,
        intranet_download_bandwidth: q.intranet_download_bandwidth,
        extranet_download_bandwidth: q.extranet_download_bandwidth,
        total_qps: q.total_qps,
        intranet_qps: q.intranet_qps,
        extranet_qps: q.extranet_qps,
    })
}

/// DELETE /bucket?qosInfo — DeleteBucketQoSInfo.
pub(crate) fn delete_bucket(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    ctx.store.update_bucket(req.bucket(), |b| {
        b.configs.remove(BUCKET_QOS);
    })?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

/// PUT /bucket?requesterQosInfo&qosRequester=uid — PutBucketRequesterQoSInfo.
pub(crate) fn put_bucket_requester(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    ctx.store.bucket(req.bucket())?;
    let uid = required(req, "qosRequester")?.to_owned();
    let text = to_json(&limits_body::<ops::PutBucketRequesterQoSInfo>(req)?)?;
    ctx.store.update_bucket(req.bucket(), |b| {
        b.configs.insert(format!("{BUCKET_REQUESTER}{uid}"), text);
    })?;
    Ok(Reply::ok())
}

/// GET /bucket?requesterQosInfo&qosRequester=uid — GetBucketRequesterQoSInfo.
pub(crate) fn get_bucket_requester(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let b = ctx.store.bucket(req.bucket())?;
    let uid = required(req, "qosRequester")?;
    let limits = stored_limits(&b.configs, &format!("{BUCKET_REQUESTER}{uid}")).unwrap_or_default();
    typed::reply::<ops::GetBucketRequesterQoSInfo>(&oss_model::GetBucketRequesterQoSInfoOutput {
        request_id: None,
        requester: Some(uid.to_owned()),
        qos_configuration: Some(limits.to_model()),
    })
}

/// GET /bucket?requesterQosInfo — ListBucketRequesterQoSInfos.
pub(crate) fn list_bucket_requesters(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let b = ctx.store.bucket(req.bucket())?;
    let items = b
        .configs
        .iter()
        .filter_map(|(k, v)| {
            let uid = k.strip_prefix(BUCKET_REQUESTER)?;
            let limits: Limits = serde_json::from_str(v).ok()?;
            Some((uid.to_owned(), (uid.to_owned(), limits)))
        })
        .collect();
    let p = page(req, items)?;
    typed::reply::<ops::ListBucketRequesterQoSInfos>(
        &oss_model::ListBucketRequesterQoSInfosOutput {
            request_id: None,
            bucket: Some(b.name),
            continuation_token: p.token,
            next_continuation_token: p.next,
            is_truncated: Some(p.truncated),
            requester_qos_infos: p
                .items
                .into_iter()
                .map(|(uid, l)| RequesterQoSInfo {
                    requester: Some(uid),
                    qos_configuration: Some(l.to_model()),
                })
                .collect(),
        },
    )
}

/// DELETE /bucket?requesterQosInfo&qosRequester=uid — DeleteBucketRequesterQoSInfo.
pub(crate) fn delete_bucket_requester(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let uid = required(req, "qosRequester")?.to_owned();
    ctx.store.update_bucket(req.bucket(), |b| {
        b.configs.remove(&format!("{BUCKET_REQUESTER}{uid}"));
    })?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

/// GET /?resourcePool — ListResourcePools.
pub(crate) fn list_pools(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let items = pools(ctx)
        .into_iter()
        .map(|p| (p.name.clone(), p))
        .collect();
    let p = page(req, items)?;
    typed::reply::<ops::ListResourcePools>(&oss_model::ListResourcePoolsOutput {
        request_id: None,
        region: Some(ctx.location()),
        owner: Some(ctx.account_id.clone()),
        continuation_token: p.token,
        next_continuation_token: p.next,
        is_truncated: Some(p.truncated),
        resource_pools: p
            .items
            .into_iter()
            .map(|pool| ResourcePoolSummary {
                name: Some(pool.name),
                create_time: Some(from_ms(pool.created_ms)),
            })
            .collect(),
    })
}

/// GET /?resourcePoolInfo&resourcePool=… — GetResourcePoolInfo.
pub(crate) fn get_pool(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let p = pool(ctx, required(req, "resourcePool")?)?;
    typed::reply::<ops::GetResourcePoolInfo>(&oss_model::GetResourcePoolInfoOutput {
        request_id: None,
        region: Some(ctx.location()),
        name: Some(p.name),
        owner: Some(ctx.account_id.clone()),
        create_time: Some(from_ms(p.created_ms)),
        qos_configuration: Some(p.limits.to_model()),
    })
}

/// GET /?resourcePoolBuckets&resourcePool=… — ListResourcePoolBuckets.
pub(crate) fn list_pool_buckets(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let p = pool(ctx, required(req, "resourcePool")?)?;
    let items = p
        .buckets
        .iter()
        .map(|b| (b.name.clone(), b.clone()))
        .collect();
    let pg = page(req, items)?;
    typed::reply::<ops::ListResourcePoolBuckets>(&oss_model::ListResourcePoolBucketsOutput {
        request_id: None,
        resource_pool: Some(p.name),
        continuation_token: pg.token,
        next_continuation_token: pg.next,
        is_truncated: Some(pg.truncated),
        resource_pool_buckets: pg
            .items
            .into_iter()
            .map(|b| ResourcePoolBucket {
                name: Some(b.name),
                join_time: Some(from_ms(b.joined_ms)),
            })
            .collect(),
    })
}

/// PUT /?requesterQosInfo&resourcePool=…&qosRequester=… — PutResourcePoolRequesterQoSInfo.
pub(crate) fn put_pool_requester(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let p = pool(ctx, required(req, "resourcePool")?)?;
    let uid = required(req, "qosRequester")?.to_owned();
    let text = to_json(&limits_body::<ops::PutResourcePoolRequesterQoSInfo>(req)?)?;
    ctx.store.update_account(|a| {
        a.configs
            .insert(format!("{POOL_REQUESTER}{}/{uid}", p.name), text);
    })?;
    Ok(Reply::ok())
}

/// GET /?requesterQosInfo&resourcePool=…&qosRequester=… — GetResourcePoolRequesterQoSInfo.
pub(crate) fn get_pool_requester(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let p = pool(ctx, required(req, "resourcePool")?)?;
    let uid = required(req, "qosRequester")?;
    let limits = stored_limits(
        &ctx.store.account().configs,
        &format!("{POOL_REQUESTER}{}/{uid}", p.name),
    )
    .unwrap_or_default();
    typed::reply::<ops::GetResourcePoolRequesterQoSInfo>(
        &oss_model::GetResourcePoolRequesterQoSInfoOutput {
            request_id: None,
            requester: Some(uid.to_owned()),
            qos_configuration: Some(limits.to_model()),
        },
    )
}

/// GET /?requesterQosInfo&resourcePool=… — ListResourcePoolRequesterQoSInfos.
pub(crate) fn list_pool_requesters(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let p = pool(ctx, required(req, "resourcePool")?)?;
    let prefix = format!("{POOL_REQUESTER}{}/", p.name);
    let items = ctx
        .store
        .account()
        .configs
        .iter()
        .filter_map(|(k, v)| {
            let uid = k.strip_prefix(&prefix)?;
            let limits: Limits = serde_json::from_str(v).ok()?;
            Some((uid.to_owned(), (uid.to_owned(), limits)))
        })
        .collect();
    let pg = page(req, items)?;
    typed::reply::<ops::ListResourcePoolRequesterQoSInfos>(
        &oss_model::ListResourcePoolRequesterQoSInfosOutput {
            request_id: None,
            resource_pool: Some(p.name),
            continuation_token: pg.token,
            next_continuation_token: pg.next,
            is_truncated: Some(pg.truncated),
            requester_qos_infos: pg
                .items
                .into_iter()
                .map(|(uid, l)| RequesterQoSInfo {
                    requester: Some(uid),
                    qos_configuration: Some(l.to_model()),
                })
                .collect(),
        },
    )
}

/// DELETE /?requesterQosInfo&resourcePool=…&qosRequester=… — DeleteResourcePoolRequesterQoSInfo.
pub(crate) fn delete_pool_requester(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let p = pool(ctx, required(req, "resourcePool")?)?;
    let key = format!(
        "{POOL_REQUESTER}{}/{}",
        p.name,
        required(req, "qosRequester")?
    );
    ctx.store.update_account(|a| {
        a.configs.remove(&key);
    })?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

/// PUT /bucket?resourcePool=…&resourcePoolBucketGroup=… — PutBucketResourcePoolBucketGroup:
/// the bucket (which must be in the pool) joins the group, or leaves its group when the name
/// is empty.
pub(crate) fn put_bucket_group(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let bucket = ctx.store.bucket(req.bucket())?.name;
    let mut p = pool(ctx, required(req, "resourcePool")?)?;
    let group = req
        .q("resourcePoolBucketGroup")
        .map(str::to_owned)
        .ok_or_else(|| {
            OssError::invalid_argument("resourcePoolBucketGroup is required.")
                .with("ArgumentName", "resourcePoolBucketGroup")
        })?;
    let Some(member) = p.buckets.iter_mut().find(|b| b.name == bucket) else {
        return Err(OssError::invalid_argument(format!(
            "The bucket {bucket} is not in the resource pool {}.",
            p.name
        ))
        .with("BucketName", bucket));
    };
    member.group = if group.is_empty() { None } else { Some(group) };
    let text = to_json(&p)?;
    ctx.store.update_account(|a| {
        a.configs.insert(format!("{POOL}{}", p.name), text);
    })?;
    Ok(Reply::ok())
}

/// GET /?resourcePoolBucketGroup&resourcePool=… — ListResourcePoolBucketGroups: every group
/// some bucket of the pool is in, with its buckets.
pub(crate) fn list_groups(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let p = pool(ctx, required(req, "resourcePool")?)?;
    let mut groups: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for b in &p.buckets {
        if let Some(g) = &b.group {
            groups.entry(g.clone()).or_default().push(b.name.clone());
        }
    }
    let items = groups
        .into_iter()
        .map(|(g, bs)| (g.clone(), (g, bs)))
        .collect();
    let pg = page(req, items)?;
    typed::reply::<ops::ListResourcePoolBucketGroups>(
        &oss_model::ListResourcePoolBucketGroupsOutput {
            request_id: None,
            resource_pool: Some(p.name),
            continuation_token: pg.token,
            next_continuation_token: pg.next,
            is_truncated: Some(pg.truncated),
            resource_pool_bucket_groups: pg
                .items
                .into_iter()
                .map(|(g, bs)| ResourcePoolBucketGroup {
                    name: Some(g),
                    group_bucket_infos: bs
                        .into_iter()
                        .map(|b| ResourcePoolGroupBucketInfo {
                            bucket_name: Some(b),
                        })
                        .collect(),
                })
                .collect(),
        },
    )
}

fn group_key(req: &Request, p: &PoolRecord) -> Result<String, OssError> {
    Ok(format!(
        "{POOL_GROUP}{}/{}",
        p.name,
        required(req, "resourcePoolBucketGroup")?
    ))
}

/// PUT /?resourcePoolBucketGroupQosInfo&resourcePool=…&resourcePoolBucketGroup=… —
/// PutResourcePoolBucketGroupQoSInfo.
pub(crate) fn put_group(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let p = pool(ctx, required(req, "resourcePool")?)?;
    let key = group_key(req, &p)?;
    let text = to_json(&limits_body::<ops::PutResourcePoolBucketGroupQoSInfo>(req)?)?;
    ctx.store.update_account(|a| {
        a.configs.insert(key, text);
    })?;
    Ok(Reply::ok())
}

/// GET /?resourcePoolBucketGroupQosInfo&… — GetResourcePoolBucketGroupQoSInfo.
pub(crate) fn get_group(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let p = pool(ctx, required(req, "resourcePool")?)?;
    let key = group_key(req, &p)?;
    let limits = stored_limits(&ctx.store.account().configs, &key).unwrap_or_default();
    typed::reply::<ops::GetResourcePoolBucketGroupQoSInfo>(
        &oss_model::GetResourcePoolBucketGroupQoSInfoOutput {
            request_id: None,
            bucket_group: Some(required(req, "resourcePoolBucketGroup")?.to_owned()),
            qos_configuration: Some(limits.to_model()),
        },
    )
}

/// GET /?resourcePoolBucketGroupQoSInfo&resourcePool=… — ListResourcePoolBucketGroupQoSInfos.
pub(crate) fn list_group_qos(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let p = pool(ctx, required(req, "resourcePool")?)?;
    let prefix = format!("{POOL_GROUP}{}/", p.name);
    let items = ctx
        .store
        .account()
        .configs
        .iter()
        .filter_map(|(k, v)| {
            let g = k.strip_prefix(&prefix)?;
            let limits: Limits = serde_json::from_str(v).ok()?;
            Some((g.to_owned(), (g.to_owned(), limits)))
        })
        .collect();
    let pg = page(req, items)?;
    typed::reply::<ops::ListResourcePoolBucketGroupQoSInfos>(
        &oss_model::ListResourcePoolBucketGroupQoSInfosOutput {
            request_id: None,
            resource_pool: Some(p.name),
            continuation_token: pg.token,
            next_continuation_token: pg.next,
            is_truncated: Some(pg.truncated),
            resource_pool_bucket_group_qos_infos: pg
                .items
                .into_iter()
                .map(|(g, l)| ResourcePoolBucketGroupQoSInfo {
                    bucket_group: Some(g),
                    qos_configuration: Some(l.to_model()),
                })
                .collect(),
        },
    )
}

/// DELETE /?resourcePoolBucketGroupQosInfo&… — DeleteResourcePoolBucketGroupQoSInfo.
pub(crate) fn delete_group(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let p = pool(ctx, required(req, "resourcePool")?)?;
    let key = group_key(req, &p)?;
    ctx.store.update_account(|a| {
        a.configs.remove(&key);
    })?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}
