//! Account- and bucket-level listings with no state of their own: DescribeRegions (the
//! regions OSS serves and their endpoints), ListCloudBoxes (the emulator's account has no
//! CloudBox) and ListBucketInventory (the inventory tasks PutBucketInventory stored).

use http::StatusCode;
use oss_model::xml::XmlDocument as _;
use oss_proto::generated as ops;

use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::typed;

/// The regions OSS serves (without the `oss-` prefix).
pub(crate) const REGIONS: &[&str] = &[
    "cn-hangzhou",
    "cn-shanghai",
    "cn-nanjing",
    "cn-fuzhou",
    "cn-wuhan-lr",
    "cn-qingdao",
    "cn-beijing",
    "cn-zhangjiakou",
    "cn-huhehaote",
    "cn-wulanchabu",
    "cn-shenzhen",
    "cn-heyuan",
    "cn-guangzhou",
    "cn-chengdu",
    "cn-hongkong",
    "us-west-1",
    "us-east-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-3",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "eu-central-1",
    "eu-west-1",
    "me-east-1",
];

/// The most inventory tasks of one ListBucketInventory page.
const INVENTORY_PAGE: usize = 100;

fn region_info(region: &str) -> oss_model::RegionInfo {
    let accelerate = if region.starts_with("cn-") && region != "cn-hongkong" {
        "oss-accelerate.aliyuncs.com"
    } else {
        "oss-accelerate-overseas.aliyuncs.com"
    };
    oss_model::RegionInfo {
        region: format!("oss-{region}"),
        internet_endpoint: Some(format!("oss-{region}.aliyuncs.com")),
        internal_endpoint: Some(format!("oss-{region}-internal.aliyuncs.com")),
        accelerate_endpoint: Some(accelerate.to_owned()),
    }
}

/// GET /?regions[=oss-…] — DescribeRegions.
pub(crate) fn describe_regions(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::DescribeRegions>(req)?;
    let mut regions: Vec<&str> = REGIONS.to_vec();
    if !regions.contains(&ctx.region.as_str()) {
        regions.push(&ctx.region);
    }
    let infos: Vec<_> = match input.regions.filter(|r| !r.is_empty()) {
        None => regions.into_iter().map(region_info).collect(),
        Some(wanted) => {
            let bare = wanted.strip_prefix("oss-").unwrap_or(&wanted);
            if !regions.contains(&bare) {
                return Err(OssError::new(
                    StatusCode::NOT_FOUND,
                    "NoSuchRegion",
                    format!("The specified region does not exist: {wanted}"),
                )
                .with("Region", wanted));
            }
            vec![region_info(bare)]
        }
    };
    let doc = oss_model::RegionInfoList {
        region_infos: infos,
    };
    Ok(Reply::xml(doc.to_xml()))
}

/// GET /?cloudboxes — ListCloudBoxes: the account's CloudBoxes (the emulator has none).
pub(crate) fn list_cloud_boxes(_ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::ListCloudBoxes>(req)?;
    let max = super::max_param(req, "max-keys", 1000, 1000)?;
    let doc = oss_model::ListCloudBoxResult {
        prefix: input.prefix,
        marker: input.marker,
        max_keys: Some(max as i64),
        is_truncated: Some(false),
        next_marker: None,
        owner: Some(super::owner_model()),
        cloud_boxes: Vec::new(),
    };
    Ok(Reply::xml(doc.to_xml()))
}

/// GET /bucket?inventory — ListBucketInventory: the bucket's inventory tasks by id, 100 a
/// page; the continuation token is the last id of the previous page.
pub(crate) fn list_inventory(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::ListBucketInventory>(req)?;
    let after = input.continuation_token.filter(|t| !t.is_empty());
    let record = ctx.store.bucket(req.bucket())?;
    let mut tasks = Vec::new();
    for (key, text) in &record.configs {
        let Some(id) = key.strip_prefix("inventory/") else {
            continue;
        };
        if after.as_deref().is_some_and(|a| id <= a) {
            continue;
        }
        let task = oss_model::InventoryConfiguration::from_xml(text.as_bytes())
            .map_err(|e| OssError::internal(format!("a stored inventory does not read: {e}")))?;
        tasks.push(task);
    }
    let more = tasks.len() > INVENTORY_PAGE;
    tasks.truncate(INVENTORY_PAGE);
    let doc = oss_model::ListInventoryConfigurationsResult {
        next_continuation_token: if more {
            tasks.last().map(|t| t.id.clone())
        } else {
            None
        },
        is_truncated: Some(more),
        inventory_configurations: tasks,
    };
    Ok(Reply::xml(doc.to_xml()))
}
