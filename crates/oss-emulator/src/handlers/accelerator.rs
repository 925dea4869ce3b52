//! The OSS accelerator of a bucket, one per zone: PutBucketDataAccelerator (creates it, or
//! changes its capacity and cache policies), GetBucketDataAccelerator (all zones, or one;
//! cache policies with `verbose`) and DeleteBucketDataAccelerator.

use http::StatusCode;
use oss_model::xml::XmlDocument as _;
use oss_model::{DataAccelerator, DataAcceleratorCachePolicy, DataAcceleratorInformation};
use oss_proto::generated as ops;

use super::stored;
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::now_ms;
use crate::typed;

const DOC: &str = "data-accelerator";
/// After a capacity change, the capacity is frozen this long.
const FROZEN_MS: i64 = 3_600_000;

fn check_policy(p: &DataAcceleratorCachePolicy, element: &'static str) -> Result<(), OssError> {
    match p {
        DataAcceleratorCachePolicy::Unknown(v) => Err(OssError::invalid_argument(format!(
            "The value of {element} is not valid: {v}"
        ))
        .with("ArgumentName", element)
        .with("ArgumentValue", v.clone())),
        _ => Ok(()),
    }
}

/// PUT /bucket?dataAccelerator — PutBucketDataAccelerator.
pub(crate) fn put(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::PutBucketDataAccelerator>(req)?;
    let config = input.body;
    if config.available_zone.trim().is_empty() {
        return Err(OssError::invalid_argument("AvailableZone is required.")
            .with("ArgumentName", "AvailableZone"));
    }
    if config.quota <= 0 {
        return Err(OssError::invalid_argument(format!(
            "Quota must be a positive number of GB: {}",
            config.quota
        ))
        .with("ArgumentName", "Quota")
        .with("ArgumentValue", config.quota.to_string()));
    }
    check_policy(
        &config.accelerate_paths.default_cache_policy,
        "DefaultCachePolicy",
    )?;
    for p in &config.accelerate_paths.paths {
        check_policy(&p.cache_policy, "CachePolicy")?;
    }
    let bucket = req.bucket().to_owned();
    let now = now_ms();
    stored::modify_bucket::<DataAccelerator, _>(ctx, &bucket, DOC, |doc| {
        let acc = doc.get_or_insert_with(|| DataAccelerator {
            name: Some(format!("{bucket}-accelerator")),
            bucket_name: Some(bucket.clone()),
            basic_informations: Vec::new(),
        });
        let zone = config.available_zone.clone();
        match acc
            .basic_informations
            .iter_mut()
            .find(|i| i.available_zone.as_deref() == Some(&zone))
        {
            Some(info) => {
                if info.quota != Some(config.quota) {
                    if info.quota_frozen_until.is_some_and(|t| t > now) {
                        return Err(OssError::new(
                            StatusCode::BAD_REQUEST,
                            "InvalidRequest",
                            "The capacity of the accelerator cannot change again within an hour.",
                        ));
                    }
                    info.quota = Some(config.quota);
                    info.quota_frozen_until = Some(now + FROZEN_MS);
                }
                info.accelerate_paths = Some(config.accelerate_paths);
            }
            None => acc.basic_informations.push(DataAcceleratorInformation {
                quota: Some(config.quota),
                available_zone: Some(zone),
                accelerate_paths: Some(config.accelerate_paths),
                creation_date: Some(now),
                quota_frozen_until: Some(now + FROZEN_MS),
            }),
        }
        Ok(())
    })?;
    Ok(Reply::ok())
}

/// GET /bucket?dataAccelerator — GetBucketDataAccelerator.
pub(crate) fn get(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::GetBucketDataAccelerator>(req)?;
    let zone = input.available_zone.filter(|z| !z.is_empty());
    let verbose = req.q("verbose").is_some();
    let bucket = req.bucket().to_owned();
    let mut acc = stored::bucket_doc::<DataAccelerator>(ctx, &bucket, DOC)?.unwrap_or_else(|| {
        DataAccelerator {
            name: None,
            bucket_name: Some(bucket.clone()),
            basic_informations: Vec::new(),
        }
    });
    acc.basic_informations.retain(|i| {
        zone.as_deref()
            .is_none_or(|z| i.available_zone.as_deref() == Some(z))
    });
    if !verbose {
        for i in &mut acc.basic_informations {
            i.accelerate_paths = None;
        }
    }
    Ok(Reply::xml(acc.to_xml()))
}

/// DELETE /bucket?dataAccelerator&x-oss-datalake-cache-available-zone=… —
/// DeleteBucketDataAccelerator.
pub(crate) fn delete(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::DeleteBucketDataAccelerator>(req)?;
    let zone = input.available_zone;
    stored::modify_bucket::<DataAccelerator, _>(ctx, req.bucket(), DOC, |doc| {
        if let Some(acc) = doc.as_mut() {
            acc.basic_informations
                .retain(|i| i.available_zone.as_deref() != Some(zone.as_str()));
            if acc.basic_informations.is_empty() {
                *doc = None;
            }
        }
        Ok(())
    })?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}
