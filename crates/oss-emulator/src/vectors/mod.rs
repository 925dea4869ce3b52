//! The vector service: vector buckets, vector indexes and vectors, served on the emulator's
//! vector listener ([`crate::Emulator::vector_endpoint`]) with JSON bodies and JSON errors
//! (`{"Error": {"Code": ..., "Message": ..., "RequestId": ..., "EC": ...}}`).
//!
//! Addressing: `{bucket}-{account}.{host}` (virtual-hosted, as the official SDKs send it), or
//! path style `/{bucket}` (loopback and `localhost` endpoints); a request with no bucket is
//! account-level (ListVectorBuckets). Requests are signed with V4 over the vector resource
//! (`/acs:ossvector:{region}:{account}:{bucket}/`), the account being the emulator's
//! ([`crate::EmulatorConfig::account_id`]).
//!
//! Everything is validated before anything is stored: a request that fails leaves the store
//! as it was.

mod filter;
mod fusion;
mod index;
mod store;

use std::collections::HashSet;

use http::StatusCode;
use oss_model::{
    Vector, VectorBucketInfo, VectorBucketLoggingStatus, VectorData, VectorIndex,
    VectorIndexMetadataConfiguration, VectorListAllMyBucketsResult, VectorMatch,
};
use oss_proto::generated::{self as ops, ServerOperation};
use oss_proto::operation::{RequestBody, RequestParts, Scope};
use oss_sign::request::{Resource, SignableRequest};
use oss_sign::verify::{VerifyOptions, verify};
use oss_sign::{Credentials, VerifyError};
use serde_json::Value;

use crate::context::Context;
use crate::error::OssError;
use crate::handlers::Handler;
use crate::request::{Request, decode};
use crate::response::Reply;
use crate::router::Op;

pub(crate) use store::VectorStore;

use filter::Filter;
use index::{Index, Metric, NewVector};
use store::VectorBucket;

/// Per-request and per-index limits of the vector service.
pub(crate) mod limits {
    /// Vectors in one PutVectors request.
    pub(crate) const PUT_VECTORS: usize = 500;
    /// Keys in one GetVectors request.
    pub(crate) const GET_KEYS: usize = 100;
    /// Keys in one DeleteVectors request.
    pub(crate) const DELETE_KEYS: usize = 500;
    /// Bytes of a vector key.
    pub(crate) const KEY_BYTES: usize = 1024;
    /// Bytes of one vector's metadata (as JSON).
    pub(crate) const METADATA_BYTES: usize = 40 * 1024;
    /// The largest dimension.
    pub(crate) const DIMENSION: i64 = 4096;
    /// Indexes in one bucket.
    pub(crate) const INDEXES: usize = 100;
    /// Non-filterable metadata keys of an index.
    pub(crate) const NON_FILTERABLE_KEYS: usize = 10;
    /// The largest `topK`.
    pub(crate) const TOP_K: i64 = 100;
    /// The largest ListVectors page (and its default).
    pub(crate) const LIST_VECTORS: i64 = 1000;
    pub(crate) const LIST_VECTORS_DEFAULT: usize = 500;
    /// The largest ListVectorIndexes page (and its default).
    pub(crate) const LIST_INDEXES: i64 = 500;
    pub(crate) const LIST_INDEXES_DEFAULT: usize = 100;
    /// The most ListVectors segments.
    pub(crate) const SEGMENTS: i64 = 16;
}

/// The bucket and key of a request on the vector listener: virtual-hosted
/// `{bucket}-{account}.{host}`, else path style.
pub(crate) fn address(
    host: Option<&str>,
    raw_path: &str,
    account_id: &str,
) -> (Option<String>, Option<String>) {
    let path = raw_path.strip_prefix('/').unwrap_or(raw_path);
    if let Some(host) = host {
        let name = match host.rsplit_once(':') {
            Some((h, port)) if !host.ends_with(']') && port.bytes().all(|b| b.is_ascii_digit()) => {
                h
            }
            _ => host,
        };
        let suffix = format!("-{account_id}");
        if let Some((first, rest)) = name.split_once('.')
            && !rest.is_empty()
            && name.parse::<std::net::IpAddr>().is_err()
            && let Some(bucket) = first.strip_suffix(&suffix)
            && !bucket.is_empty()
        {
            let key = (!path.is_empty()).then(|| decode(path, false));
            return (Some(bucket.to_owned()), key);
        }
    }
    if path.is_empty() {
        return (None, None);
    }
    match path.split_once('/') {
        None | Some((_, "")) => (Some(decode(path.trim_end_matches('/'), false)), None),
        Some((bucket, key)) => (Some(decode(bucket, false)), Some(decode(key, false))),
    }
}

fn method_not_allowed() -> OssError {
    OssError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
    )
    .ec("0003-00000201")
}

/// The operation a request names, with the routing generated from the spec (vector scope; a
/// request with no bucket is account-level).
pub(crate) fn route(req: &Request) -> Result<Op, OssError> {
    if req.key.is_some() {
        return Err(method_not_allowed());
    }
    oss_proto::route::route(
        req.method.as_str(),
        Scope::Vector,
        req.bucket.is_some(),
        &req.query,
        &req.headers,
    )
    .ok_or_else(method_not_allowed)
}

/// Checks the V4 signature over the vector resource. Anonymous requests are refused: the
/// emulator does not evaluate vector bucket policies.
pub(crate) fn authenticate(ctx: &Context, req: &Request) -> Result<(), OssError> {
    let resource = Resource::Vector {
        account_id: &ctx.account_id,
        bucket: req.bucket.as_deref(),
        key: req.key.as_deref(),
    };
    let signable = SignableRequest::new(req.method.as_str(), resource)
        .with_query(&req.query)
        .with_headers(&req.headers);
    let lookup = |ak: &str| {
        (ak == ctx.access_key_id)
            .then(|| Credentials::new(ctx.access_key_id.clone(), ctx.access_key_secret.clone()))
    };
    match verify(&signable, lookup, &VerifyOptions::new(ctx.now())) {
        Ok(verified) => {
            if let Some(token) = &verified.security_token
                && !ctx.security_tokens.is_empty()
                && !ctx.security_tokens.iter().any(|t| t == token)
            {
                return Err(OssError::new(
                    StatusCode::FORBIDDEN,
                    "InvalidSecurityToken",
                    "The security token you provided is invalid.",
                )
                .ec("0002-00000009"));
            }
            Ok(())
        }
        Err(VerifyError::NotSigned) => Err(OssError::access_denied(
            "Anonymous access to vector buckets is not allowed.",
        )
        .ec("0003-00000001")),
        Err(e) => Err(crate::auth::verify_error(ctx, req, e)),
    }
}

/// Serves one authenticated vector request.
pub(crate) fn dispatch(ctx: &Context, req: &Request, op: Op) -> Result<Reply, OssError> {
    crate::auth::check_content_sha256(req)?;
    match handler(op) {
        Some(handle) => handle(ctx, req),
        None => Err(method_not_allowed()),
    }
}

/// The vector listener's handler table (like [`crate::handlers::handler`] for the main one).
pub(crate) fn handler(op: Op) -> Option<Handler> {
    Some(match op {
        Op::PutVectorBucket => put_bucket,
        Op::GetVectorBucket => get_bucket,
        Op::ListVectorBuckets => list_buckets,
        Op::DeleteVectorBucket => delete_bucket,
        Op::VectorPutBucketPolicy => put_policy,
        Op::VectorGetBucketPolicy => get_policy,
        Op::VectorDeleteBucketPolicy => delete_policy,
        Op::VectorPutBucketLogging => put_logging,
        Op::VectorGetBucketLogging => get_logging,
        Op::VectorDeleteBucketLogging => delete_logging,
        Op::PutVectorIndex => put_index,
        Op::GetVectorIndex => get_index,
        Op::ListVectorIndexes => list_indexes,
        Op::DeleteVectorIndex => delete_index,
        Op::PutVectorIndexFusion => fusion::put_index,
        Op::PutVectors => put_vectors,
        Op::GetVectors => get_vectors,
        Op::ListVectors => list_vectors,
        Op::DeleteVectors => delete_vectors,
        Op::QueryVectors => query_vectors,
        Op::QueryVectorsFusion => fusion::query,
        _ => return None,
    })
}

impl OssError {
    /// The vector endpoint's JSON error document.
    pub(crate) fn json_document(&self, request_id: &str, host_id: &str) -> String {
        let mut error = serde_json::Map::new();
        error.insert("Code".into(), self.code.into());
        error.insert("Message".into(), self.message.clone().into());
        error.insert("RequestId".into(), request_id.into());
        error.insert("HostId".into(), host_id.into());
        for (name, value) in &self.extra {
            error.insert((*name).into(), value.clone().into());
        }
        error.insert("EC".into(), self.ec.into());
        error.insert(
            "RecommendDoc".into(),
            format!("https://api.aliyun.com/troubleshoot?q={}", self.ec).into(),
        );
        let mut root = serde_json::Map::new();
        root.insert("Error".into(), Value::Object(error));
        Value::Object(root).to_string()
    }
}

// ------------------------------------------------------------------------------------------------
// Typed requests and replies.

fn parts(req: &Request) -> RequestParts {
    RequestParts {
        method: req.method.clone(),
        bucket: req.bucket.clone(),
        key: req.key.clone(),
        query: req.query.clone(),
        headers: req.headers.clone(),
        body: RequestBody::Empty,
    }
}

/// Reads the typed input of `O`; a malformed document is `InvalidArgument`.
fn input<O: ServerOperation>(req: &Request) -> Result<O::Input, OssError> {
    O::parse_request(&parts(req), &req.body).map_err(|e| {
        OssError::invalid_argument(format!("The request body is not a valid document: {e}"))
            .ec("0017-00000201")
    })
}

fn reply<O: ServerOperation>(output: &O::Output) -> Result<Reply, OssError> {
    crate::typed::reply::<O>(output)
}

fn invalid(message: impl Into<String>) -> OssError {
    OssError::invalid_argument(message).ec("0017-00000201")
}

fn no_such_index(name: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "NoSuchVectorIndex",
        "The specified vector index does not exist.",
    )
    .ec("0052-00000101")
    .with("IndexName", name)
}

fn bucket<'a>(
    buckets: &'a std::collections::BTreeMap<String, VectorBucket>,
    name: &str,
) -> Result<&'a VectorBucket, OssError> {
    buckets
        .get(name)
        .ok_or_else(|| OssError::no_such_bucket(name))
}

fn bucket_mut<'a>(
    buckets: &'a mut std::collections::BTreeMap<String, VectorBucket>,
    name: &str,
) -> Result<&'a mut VectorBucket, OssError> {
    buckets
        .get_mut(name)
        .ok_or_else(|| OssError::no_such_bucket(name))
}

fn index<'a>(b: &'a VectorBucket, name: &str) -> Result<&'a Index, OssError> {
    b.indexes.get(name).ok_or_else(|| no_such_index(name))
}

/// Vector bucket names: 3 to 32 lower-case letters, digits and hyphens, not starting or ending
/// with a hyphen.
fn check_bucket_name(name: &str) -> Result<(), OssError> {
    let ok = (3..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidBucketName",
            "The specified bucket is not valid.",
        )
        .ec("0015-00000001")
        .with("BucketName", name))
    }
}

/// Index names: 1 to 63 ASCII letters and digits, starting with a letter.
fn check_index_name(name: &str) -> Result<(), OssError> {
    let ok = (1..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric())
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "The index name {name:?} is invalid: 1 to 63 letters and digits, starting with a letter."
        ))
        .with("IndexName", name))
    }
}

fn check_key(key: &str) -> Result<(), OssError> {
    if key.is_empty() || key.len() > limits::KEY_BYTES {
        return Err(invalid(format!(
            "A vector key is 1 to {} bytes long.",
            limits::KEY_BYTES
        )));
    }
    Ok(())
}

fn check_keys(keys: &[String], most: usize) -> Result<(), OssError> {
    if keys.is_empty() || keys.len() > most {
        return Err(invalid(format!("The request names 1 to {most} keys.")));
    }
    let mut seen = HashSet::with_capacity(keys.len());
    for key in keys {
        check_key(key)?;
        if !seen.insert(key.as_str()) {
            return Err(invalid(format!(
                "The key {key:?} appears twice in the request."
            )));
        }
    }
    Ok(())
}

/// A query or stored vector: the index's dimension, finite elements, not all zero for cosine.
fn check_vector(index: &Index, data: &[f32], what: &str) -> Result<(), OssError> {
    if data.len() != index.dimension {
        return Err(invalid(format!(
            "The {what} has {} elements; the index's dimension is {}.",
            data.len(),
            index.dimension
        )));
    }
    if data.iter().any(|x| !x.is_finite()) {
        return Err(invalid(format!(
            "The {what} holds NaN or an infinity; elements are finite float32 values."
        )));
    }
    if index.metric == Metric::Cosine && data.iter().all(|x| *x == 0.0) {
        return Err(invalid(format!(
            "The {what} is all zeros, which has no cosine distance."
        )));
    }
    Ok(())
}

fn check_metadata(metadata: Option<&Value>) -> Result<(), OssError> {
    let Some(m) = metadata else { return Ok(()) };
    if !m.is_object() {
        return Err(invalid("Vector metadata is a JSON object."));
    }
    if m.to_string().len() > limits::METADATA_BYTES {
        return Err(invalid(format!(
            "Vector metadata is at most {} bytes.",
            limits::METADATA_BYTES
        )));
    }
    Ok(())
}

fn page_size(value: Option<i64>, most: i64, default: usize, name: &str) -> Result<usize, OssError> {
    match value {
        None => Ok(default),
        Some(n) if (1..=most).contains(&n) => Ok(n as usize),
        Some(n) => Err(invalid(format!("{name} {n} is outside 1 to {most}."))),
    }
}

fn region_endpoints(ctx: &Context) -> (String, String) {
    (
        format!("{}.oss-vectors.aliyuncs.com", ctx.region),
        format!("{}-internal.oss-vectors.aliyuncs.com", ctx.region),
    )
}

fn bucket_info(ctx: &Context, name: &str, b: &VectorBucket) -> VectorBucketInfo {
    let (extranet, intranet) = region_endpoints(ctx);
    VectorBucketInfo {
        name: Some(name.to_owned()),
        location: Some(format!("oss-{}", ctx.region)),
        region: Some(ctx.region.clone()),
        creation_date: Some(b.created),
        extranet_endpoint: Some(extranet),
        intranet_endpoint: Some(intranet),
        resource_group_id: Some(
            b.resource_group_id
                .clone()
                .unwrap_or_else(|| "rg-default-id".to_owned()),
        ),
    }
}

// ------------------------------------------------------------------------------------------------
// Buckets.

fn put_bucket(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::PutVectorBucket>(req)?;
    check_bucket_name(&input.bucket)?;
    if let Some(tagging) = &input.bucket_tagging {
        check_tagging(tagging)?;
    }
    let mut buckets = ctx.vectors.write();
    if buckets.contains_key(&input.bucket) {
        return Err(OssError::new(
            StatusCode::CONFLICT,
            "BucketAlreadyExists",
            "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
        )
        .ec("0015-00000104")
        .with("BucketName", input.bucket));
    }
    buckets.insert(
        input.bucket,
        VectorBucket {
            created: ctx.now(),
            resource_group_id: input.resource_group_id,
            policy: None,
            logging: None,
            indexes: Default::default(),
        },
    );
    Ok(Reply::ok())
}

/// `x-oss-bucket-tagging`: URL-encoded `key=value` pairs joined by `&`, at most 20, keys 1 to
/// 64 bytes, values at most 128.
fn check_tagging(tagging: &str) -> Result<(), OssError> {
    let pairs: Vec<&str> = tagging.split('&').collect();
    let ok = pairs.len() <= 20
        && pairs.iter().all(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let (k, v) = (decode(k, true), decode(v, true));
            (1..=64).contains(&k.len()) && v.len() <= 128
        });
    if ok {
        Ok(())
    } else {
        Err(invalid("x-oss-bucket-tagging is not a valid tag set.")
            .with("ArgumentName", "x-oss-bucket-tagging"))
    }
}

fn get_bucket(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::GetVectorBucket>(req)?;
    let buckets = ctx.vectors.read();
    let b = bucket(&buckets, &input.bucket)?;
    reply::<ops::GetVectorBucket>(&oss_model::GetVectorBucketOutput {
        request_id: None,
        bucket_info: bucket_info(ctx, &input.bucket, b),
    })
}

fn list_buckets(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::ListVectorBuckets>(req)?;
    let max = page_size(input.max_keys, 1000, 100, "max-keys")?;
    let buckets = ctx.vectors.read();
    let prefix = input.prefix.clone().unwrap_or_default();
    let marker = input.marker.clone().unwrap_or_default();
    let mut page = Vec::new();
    let mut truncated = false;
    for (name, b) in buckets.iter() {
        if !name.starts_with(&prefix) || name.as_str() <= marker.as_str() {
            continue;
        }
        if let Some(group) = &input.resource_group_id
            && b.resource_group_id.as_deref().unwrap_or("rg-default-id") != group
        {
            continue;
        }
        if page.len() == max {
            truncated = true;
            break;
        }
        page.push(bucket_info(ctx, name, b));
    }
    let next_marker = truncated
        .then(|| page.last().and_then(|b| b.name.clone()))
        .flatten();
    reply::<ops::ListVectorBuckets>(&oss_model::ListVectorBucketsOutput {
        request_id: None,
        list_all_my_buckets_result: VectorListAllMyBucketsResult {
            prefix: input.prefix,
            marker: input.marker,
            max_keys: Some(max as i64),
            is_truncated: Some(truncated),
            next_marker,
            buckets: page,
        },
    })
}

fn delete_bucket(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::DeleteVectorBucket>(req)?;
    let mut buckets = ctx.vectors.write();
    let b = bucket(&buckets, &input.bucket)?;
    if !b.indexes.is_empty() {
        return Err(OssError::new(
            StatusCode::CONFLICT,
            "BucketNotEmpty",
            "The bucket you tried to delete is not empty.",
        )
        .ec("0015-00000301")
        .with("BucketName", input.bucket));
    }
    buckets.remove(&input.bucket);
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

fn put_policy(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::VectorPutBucketPolicy>(req)?;
    let policy: Value = serde_json::from_str(&input.body)
        .map_err(|e| invalid(format!("The policy is not JSON: {e}")))?;
    let statements = policy.get("Statement").and_then(Value::as_array);
    if policy.get("Version").and_then(Value::as_str).is_none() || statements.is_none() {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidPolicyDocument",
            "The policy needs a Version and a Statement list.",
        )
        .ec("0031-00000001"));
    }
    let mut buckets = ctx.vectors.write();
    bucket_mut(&mut buckets, &input.bucket)?.policy = Some(input.body);
    Ok(Reply::ok())
}

fn get_policy(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::VectorGetBucketPolicy>(req)?;
    let buckets = ctx.vectors.read();
    let policy = bucket(&buckets, &input.bucket)?
        .policy
        .clone()
        .ok_or_else(|| {
            OssError::new(
                StatusCode::NOT_FOUND,
                "NoSuchBucketPolicy",
                "The bucket policy does not exist.",
            )
            .ec("0031-00000002")
            .with("BucketName", input.bucket.clone())
        })?;
    reply::<ops::VectorGetBucketPolicy>(&oss_model::VectorGetBucketPolicyOutput {
        request_id: None,
        body: policy,
    })
}

fn delete_policy(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::VectorDeleteBucketPolicy>(req)?;
    let mut buckets = ctx.vectors.write();
    bucket_mut(&mut buckets, &input.bucket)?.policy = None;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

fn put_logging(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::VectorPutBucketLogging>(req)?;
    let Some(enabled) = input.body.bucket_logging_status.logging_enabled else {
        return Err(invalid("BucketLoggingStatus needs LoggingEnabled."));
    };
    if !ctx.store.has_bucket(&enabled.target_bucket) {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidTargetBucketForLogging",
            "The target bucket for logging does not exist.",
        )
        .ec("0020-00000201")
        .with("TargetBucket", enabled.target_bucket));
    }
    let mut buckets = ctx.vectors.write();
    bucket_mut(&mut buckets, &input.bucket)?.logging = Some(enabled);
    Ok(Reply::ok())
}

fn get_logging(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::VectorGetBucketLogging>(req)?;
    let buckets = ctx.vectors.read();
    let logging = bucket(&buckets, &input.bucket)?.logging.clone();
    reply::<ops::VectorGetBucketLogging>(&oss_model::VectorGetBucketLoggingOutput {
        request_id: None,
        bucket_logging_status: VectorBucketLoggingStatus {
            logging_enabled: logging,
        },
    })
}

fn delete_logging(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::VectorDeleteBucketLogging>(req)?;
    let mut buckets = ctx.vectors.write();
    bucket_mut(&mut buckets, &input.bucket)?.logging = None;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

// ------------------------------------------------------------------------------------------------
// Indexes.

fn describe(bucket: &str, i: &Index) -> VectorIndex {
    VectorIndex {
        index_name: Some(i.name.clone()),
        vector_bucket_name: Some(bucket.to_owned()),
        data_type: Some(i.data_type.clone()),
        dimension: Some(i.dimension as i64),
        distance_metric: Some(i.metric.as_str().to_owned()),
        metadata: (!i.non_filterable.is_empty()).then(|| VectorIndexMetadataConfiguration {
            non_filterable_metadata_keys: i.non_filterable.clone(),
        }),
        status: Some("enable".to_owned()),
        create_time: Some(i.created),
    }
}

/// Adds a new index to a bucket, refusing a taken name or a full bucket.
fn insert_index(ctx: &Context, bucket_name: &str, index: Index) -> Result<(), OssError> {
    let mut buckets = ctx.vectors.write();
    let b = bucket_mut(&mut buckets, bucket_name)?;
    if b.indexes.contains_key(&index.name) {
        return Err(OssError::new(
            StatusCode::CONFLICT,
            "VectorIndexAlreadyExists",
            "The specified vector index already exists.",
        )
        .ec("0052-00000102")
        .with("IndexName", index.name));
    }
    if b.indexes.len() >= limits::INDEXES {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "TooManyVectorIndexes",
            format!("A vector bucket holds at most {} indexes.", limits::INDEXES),
        )
        .ec("0052-00000103"));
    }
    b.indexes.insert(index.name.clone(), index);
    Ok(())
}

fn check_non_filterable(keys: &[String]) -> Result<(), OssError> {
    if keys.len() > limits::NON_FILTERABLE_KEYS {
        return Err(invalid(format!(
            "An index has at most {} non-filterable metadata keys.",
            limits::NON_FILTERABLE_KEYS
        )));
    }
    let mut seen = HashSet::new();
    for k in keys {
        if k.is_empty() || k.len() > 63 || !seen.insert(k) {
            return Err(invalid(format!(
                "The non-filterable metadata key {k:?} is empty, longer than 63 bytes or listed twice."
            )));
        }
    }
    Ok(())
}

fn check_shape(data_type: &str, dimension: i64, metric: &str) -> Result<(usize, Metric), OssError> {
    if data_type != "float32" {
        return Err(invalid(format!(
            "The data type {data_type:?} is not supported; use float32."
        )));
    }
    if !(1..=limits::DIMENSION).contains(&dimension) {
        return Err(invalid(format!(
            "The dimension {dimension} is outside 1 to {}.",
            limits::DIMENSION
        )));
    }
    let metric = Metric::parse(metric).ok_or_else(|| {
        invalid(format!(
            "The distance metric {metric:?} is not supported; use cosine or euclidean."
        ))
    })?;
    Ok((dimension as usize, metric))
}

fn put_index(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::PutVectorIndex>(req)?;
    let c = input.body;
    check_index_name(&c.index_name)?;
    let (dimension, metric) = check_shape(&c.data_type, c.dimension, &c.distance_metric)?;
    let non_filterable = c
        .metadata
        .map(|m| m.non_filterable_metadata_keys)
        .unwrap_or_default();
    check_non_filterable(&non_filterable)?;
    let index = Index::new(
        c.index_name,
        c.data_type,
        dimension,
        metric,
        non_filterable,
        ctx.now(),
    );
    insert_index(ctx, &input.bucket, index)?;
    Ok(Reply::ok())
}

fn get_index(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::GetVectorIndex>(req)?;
    let buckets = ctx.vectors.read();
    let b = bucket(&buckets, &input.bucket)?;
    let i = index(b, &input.body.index_name)?;
    reply::<ops::GetVectorIndex>(&oss_model::GetVectorIndexOutput {
        request_id: None,
        index: describe(&input.bucket, i),
    })
}

fn list_indexes(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::ListVectorIndexes>(req)?;
    let r = input.body;
    let max = page_size(
        r.max_results,
        limits::LIST_INDEXES,
        limits::LIST_INDEXES_DEFAULT,
        "maxResults",
    )?;
    let after = match r.next_token.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => {
            Some(index::decode_token(t).ok_or_else(|| invalid("The nextToken is not valid."))?)
        }
        None => None,
    };
    let buckets = ctx.vectors.read();
    let b = bucket(&buckets, &input.bucket)?;
    let mut names: Vec<&String> = b
        .indexes
        .keys()
        .filter(|n| n.starts_with(r.prefix.as_deref().unwrap_or("")))
        .filter(|n| after.as_ref().is_none_or(|a| n.as_str() > a.as_str()))
        .collect();
    names.sort_unstable();
    let more = names.len() > max;
    names.truncate(max);
    let next_token = more
        .then(|| names.last().map(|n| index::encode_token(n)))
        .flatten();
    let indexes = names
        .iter()
        .filter_map(|n| b.indexes.get(*n))
        .map(|i| describe(&input.bucket, i))
        .collect();
    reply::<ops::ListVectorIndexes>(&oss_model::ListVectorIndexesOutput {
        request_id: None,
        indexes,
        next_token,
    })
}

fn delete_index(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::DeleteVectorIndex>(req)?;
    let mut buckets = ctx.vectors.write();
    let b = bucket_mut(&mut buckets, &input.bucket)?;
    if b.indexes.remove(&input.body.index_name).is_none() {
        return Err(no_such_index(&input.body.index_name));
    }
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

// ------------------------------------------------------------------------------------------------
// Vectors.

fn put_vectors(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::PutVectors>(req)?;
    let r = input.body;
    if r.vectors.is_empty() || r.vectors.len() > limits::PUT_VECTORS {
        return Err(invalid(format!(
            "A PutVectors request writes 1 to {} vectors.",
            limits::PUT_VECTORS
        )));
    }
    // Validated in full (under the read lock) before anything is written.
    let mut checked = Vec::with_capacity(r.vectors.len());
    {
        let buckets = ctx.vectors.read();
        let i = index(bucket(&buckets, &input.bucket)?, &r.index_name)?;
        let mut seen = HashSet::with_capacity(r.vectors.len());
        for v in r.vectors {
            check_key(&v.key)?;
            if !seen.insert(v.key.clone()) {
                return Err(invalid(format!(
                    "The key {:?} appears twice in the request.",
                    v.key
                )));
            }
            let data = v
                .data
                .ok_or_else(|| invalid(format!("The vector {:?} has no data.", v.key)))?
                .float32;
            check_vector(i, &data, &format!("vector {:?}", v.key))?;
            check_metadata(v.metadata.as_ref())?;
            checked.push(NewVector {
                key: v.key,
                data,
                metadata: v.metadata,
            });
        }
    }
    let mut buckets = ctx.vectors.write();
    let b = bucket_mut(&mut buckets, &input.bucket)?;
    let i = b
        .indexes
        .get_mut(&r.index_name)
        .ok_or_else(|| no_such_index(&r.index_name))?;
    i.put(checked);
    Ok(Reply::ok())
}

fn vector_out(v: index::StoredVector<'_>, return_data: bool, return_metadata: bool) -> Vector {
    Vector {
        key: v.key.to_owned(),
        data: return_data.then(|| VectorData {
            float32: v.data.to_vec(),
        }),
        metadata: if return_metadata {
            v.metadata.cloned()
        } else {
            None
        },
    }
}

fn get_vectors(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::GetVectors>(req)?;
    let r = input.body;
    check_keys(&r.keys, limits::GET_KEYS)?;
    let buckets = ctx.vectors.read();
    let i = index(bucket(&buckets, &input.bucket)?, &r.index_name)?;
    let vectors = r
        .keys
        .iter()
        .filter_map(|k| i.get(k))
        .map(|v| {
            vector_out(
                v,
                r.return_data.unwrap_or(false),
                r.return_metadata.unwrap_or(false),
            )
        })
        .collect();
    reply::<ops::GetVectors>(&oss_model::GetVectorsOutput {
        request_id: None,
        vectors,
    })
}

fn list_vectors(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::ListVectors>(req)?;
    let r = input.body;
    let max = page_size(
        r.max_results,
        limits::LIST_VECTORS,
        limits::LIST_VECTORS_DEFAULT,
        "maxResults",
    )?;
    let segment = match (r.segment_count, r.segment_index) {
        (None, None) => None,
        (Some(count), Some(index))
            if (1..=limits::SEGMENTS).contains(&count) && (0..count).contains(&index) =>
        {
            Some((index as u64, count as u64))
        }
        (Some(_), Some(_)) => {
            return Err(invalid(format!(
                "segmentCount is 1 to {} and segmentIndex 0 to segmentCount - 1.",
                limits::SEGMENTS
            )));
        }
        _ => return Err(invalid("segmentCount and segmentIndex go together.")),
    };
    let after = match r.next_token.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => {
            Some(index::decode_token(t).ok_or_else(|| invalid("The nextToken is not valid."))?)
        }
        None => None,
    };
    let buckets = ctx.vectors.read();
    let i = index(bucket(&buckets, &input.bucket)?, &r.index_name)?;
    let (page, more) = i.list(after.as_deref(), max, segment);
    let next_token = more
        .then(|| page.last().map(|v| index::encode_token(v.key)))
        .flatten();
    let vectors = page
        .into_iter()
        .map(|v| {
            vector_out(
                v,
                r.return_data.unwrap_or(false),
                r.return_metadata.unwrap_or(false),
            )
        })
        .collect();
    reply::<ops::ListVectors>(&oss_model::ListVectorsOutput {
        request_id: None,
        vectors,
        next_token,
    })
}

fn delete_vectors(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::DeleteVectors>(req)?;
    let r = input.body;
    check_keys(&r.keys, limits::DELETE_KEYS)?;
    let mut buckets = ctx.vectors.write();
    let b = bucket_mut(&mut buckets, &input.bucket)?;
    let i = b
        .indexes
        .get_mut(&r.index_name)
        .ok_or_else(|| no_such_index(&r.index_name))?;
    i.delete(&r.keys);
    Ok(Reply::ok())
}

fn check_top_k(top_k: i64) -> Result<usize, OssError> {
    if (1..=limits::TOP_K).contains(&top_k) {
        Ok(top_k as usize)
    } else {
        Err(invalid(format!(
            "topK {top_k} is outside 1 to {}.",
            limits::TOP_K
        )))
    }
}

fn query_vectors(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = input::<ops::QueryVectors>(req)?;
    let r = input.body;
    let k = check_top_k(r.top_k)?;
    let buckets = ctx.vectors.read();
    let i = index(bucket(&buckets, &input.bucket)?, &r.index_name)?;
    check_vector(i, &r.query_vector.float32, "query vector")?;
    let filter = r
        .filter
        .as_ref()
        .map(|f| Filter::parse(f, &i.non_filterable))
        .transpose()
        .map_err(|e| invalid(format!("The filter is not valid: {e}")))?;
    let return_distance = r.return_distance.unwrap_or(false);
    let return_metadata = r.return_metadata.unwrap_or(false);
    let vectors = i
        .query(&r.query_vector.float32, k, filter.as_ref())
        .into_iter()
        .map(|hit| VectorMatch {
            key: hit.key.to_owned(),
            distance: return_distance.then_some(hit.distance),
            metadata: if return_metadata {
                hit.metadata.cloned()
            } else {
                None
            },
        })
        .collect();
    reply::<ops::QueryVectors>(&oss_model::QueryVectorsOutput {
        request_id: None,
        vectors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_hosted_and_path_style_addresses() {
        assert_eq!(
            address(
                Some("bkt-123.cn-hangzhou.oss-vectors.aliyuncs.com"),
                "/",
                "123"
            ),
            (Some("bkt".into()), None)
        );
        assert_eq!(
            address(Some("my-bkt-123.vectors.test:8080"), "/", "123"),
            (Some("my-bkt".into()), None)
        );
        // Another account's host is not this emulator's bucket: the path decides.
        assert_eq!(
            address(Some("bkt-999.vectors.test"), "/", "123"),
            (None, None)
        );
        assert_eq!(
            address(Some("127.0.0.1:9000"), "/bkt", "123"),
            (Some("bkt".into()), None)
        );
        assert_eq!(
            address(Some("127.0.0.1:9000"), "/bkt/", "123"),
            (Some("bkt".into()), None)
        );
        assert_eq!(address(Some("127.0.0.1:9000"), "/", "123"), (None, None));
    }

    #[test]
    fn json_errors_carry_the_oss_fields() {
        let doc = no_such_index("idx").json_document("RID", "host");
        let v: Value = serde_json::from_str(&doc).unwrap_or_default();
        assert_eq!(v["Error"]["Code"], "NoSuchVectorIndex");
        assert_eq!(v["Error"]["RequestId"], "RID");
        assert_eq!(v["Error"]["IndexName"], "idx");
        assert_eq!(v["Error"]["EC"], "0052-00000101");
    }
}
