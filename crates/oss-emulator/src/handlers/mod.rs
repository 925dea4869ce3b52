//! Request handlers, one module per concept, and the helpers they share.

pub(crate) mod accelerator;
pub(crate) mod access_point;
pub(crate) mod account;
pub(crate) mod antiddos;
pub(crate) mod archive;
pub(crate) mod bucket;
pub(crate) mod callback;
pub(crate) mod cname;
pub(crate) mod config;
pub(crate) mod cors;
pub(crate) mod data_pipeline;
pub(crate) mod dataset;
pub(crate) mod encryption;
mod form_data;
pub(crate) mod hns;
pub(crate) mod listing;
pub(crate) mod live_channel;
pub(crate) mod meta_query;
pub(crate) mod metadata;
pub(crate) mod multipart;
pub(crate) mod object;
pub(crate) mod object_fc;
pub(crate) mod post_object;
pub(crate) mod process;
pub(crate) mod qos;
pub(crate) mod redundancy;
pub(crate) mod replication;
pub(crate) mod seal;
pub(crate) mod select;
mod stored;
pub(crate) mod style;
pub(crate) mod website;
pub(crate) mod worm;

use std::collections::BTreeMap;

use http::StatusCode;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::checksum;
use crate::context::{Context, OWNER_ID};
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::router::Op;
use crate::storage::ObjectMeta;
use crate::xml::{self, Element, XmlWriter};

/// What serves one operation: the request (routed, authenticated, its body received) → the
/// reply or OSS's error.
pub(crate) type Handler = fn(&Context, &Request) -> Result<Reply, OssError>;

/// THE handler table: the operation the router named → the function serving it. `None` is an
/// operation of the spec the emulator does not serve yet (answered by [`not_served`]).
///
/// To serve an operation, add one arm here (`Op::PutBucketLifecycle => lifecycle::put,`);
/// `cargo xtask coverage` counts what this table serves.
pub(crate) fn handler(op: Op) -> Option<Handler> {
    Some(match op {
        Op::ListBuckets => bucket::list_buckets,
        Op::PutBucket => bucket::put_bucket,
        Op::DeleteBucket => bucket::delete_bucket,
        Op::GetBucketInfo => bucket::get_bucket_info,
        Op::GetBucketLocation => bucket::get_bucket_location,
        Op::GetBucketStat => bucket::get_bucket_stat,
        Op::PutBucketAcl => bucket::put_bucket_acl,
        Op::GetBucketAcl => bucket::get_bucket_acl,
        Op::PutBucketVersioning => bucket::put_bucket_versioning,
        Op::GetBucketVersioning => bucket::get_bucket_versioning,
        Op::PutBucketTags => bucket::put_bucket_tags,
        Op::GetBucketTags => bucket::get_bucket_tags,
        Op::DeleteBucketTags => bucket::delete_bucket_tags,
        Op::PutBucketCors => cors::put_bucket_cors,
        Op::GetBucketCors => cors::get_bucket_cors,
        Op::DeleteBucketCors => cors::delete_bucket_cors,
        Op::OptionObject => cors::preflight,
        Op::ListObjects => listing::list_objects,
        Op::ListObjectsV2 => listing::list_objects_v2,
        Op::ListObjectVersions => listing::list_object_versions,
        Op::ListMultipartUploads => multipart::list_uploads,
        Op::DeleteMultipleObjects => object::delete_multiple,
        Op::PutObject => object::put_object,
        Op::CopyObject => object::copy_object,
        Op::GetObject => |ctx, req| object::get_object(ctx, req, false),
        Op::HeadObject => |ctx, req| object::get_object(ctx, req, true),
        Op::GetObjectMeta => object::get_object_meta,
        Op::DeleteObject => object::delete_object,
        Op::AppendObject => object::append_object,
        Op::PutObjectAcl => object::put_object_acl,
        Op::GetObjectAcl => object::get_object_acl,
        Op::PutObjectTagging => object::put_object_tagging,
        Op::GetObjectTagging => object::get_object_tagging,
        Op::DeleteObjectTagging => object::delete_object_tagging,
        Op::PutSymlink => object::put_symlink,
        Op::GetSymlink => object::get_symlink,
        Op::InitiateMultipartUpload => multipart::initiate,
        Op::UploadPart => multipart::upload_part,
        Op::UploadPartCopy => multipart::upload_part_copy,
        Op::CompleteMultipartUpload => multipart::complete,
        Op::AbortMultipartUpload => multipart::abort,
        Op::ListParts => multipart::list_parts,
        Op::RestoreObject => archive::restore_object,
        Op::CleanRestoredObject => archive::clean_restored_object,
        Op::PostObject => post_object::post_object,
        Op::GetBucketPolicyStatus => config::get_policy_status,
        // WORM, object retention, replication, CNAME, image styles, OSS accelerator,
        // redundancy transition, anti-DDoS, regions, inventory listing, CloudBox, metadata
        // configuration (stateful: hand-written, state in the records' `~` documents).
        Op::InitiateBucketWorm => worm::initiate,
        Op::AbortBucketWorm => worm::abort,
        Op::CompleteBucketWorm => worm::complete,
        Op::ExtendBucketWorm => worm::extend,
        Op::GetBucketWorm => worm::get,
        Op::PutObjectRetention => worm::put_retention,
        Op::GetObjectRetention => worm::get_retention,
        Op::PutObjectLegalHold => worm::put_legal_hold,
        Op::GetObjectLegalHold => worm::get_legal_hold,
        Op::PutBucketReplication => replication::put,
        Op::PutBucketRTC => replication::put_rtc,
        Op::GetBucketReplication => replication::get,
        Op::GetBucketReplicationLocation => replication::location,
        Op::GetBucketReplicationProgress => replication::progress,
        Op::DeleteBucketReplication => replication::delete,
        Op::CreateCnameToken => cname::create_token,
        Op::GetCnameToken => cname::get_token,
        Op::PutCname => cname::put,
        Op::ListCname => cname::list,
        Op::DeleteCname => cname::delete,
        Op::PutStyle => style::put,
        Op::GetStyle => style::get,
        Op::ListStyle => style::list,
        Op::DeleteStyle => style::delete,
        Op::PutBucketDataAccelerator => accelerator::put,
        Op::GetBucketDataAccelerator => accelerator::get,
        Op::DeleteBucketDataAccelerator => accelerator::delete,
        Op::CreateBucketDataRedundancyTransition => redundancy::create,
        Op::GetBucketDataRedundancyTransition => redundancy::get,
        Op::DeleteBucketDataRedundancyTransition => redundancy::delete,
        Op::ListBucketDataRedundancyTransition => redundancy::list_bucket,
        Op::ListUserDataRedundancyTransition => redundancy::list_user,
        Op::InitUserAntiDDosInfo => antiddos::init_user,
        Op::UpdateUserAntiDDosInfo => antiddos::update_user,
        Op::GetUserAntiDDosInfo => antiddos::get_user,
        Op::InitBucketAntiDDosInfo => antiddos::init_bucket,
        Op::UpdateBucketAntiDDosInfo => antiddos::update_bucket,
        Op::ListBucketAntiDDosInfo => antiddos::list_buckets,
        Op::DescribeRegions => account::describe_regions,
        Op::ListCloudBoxes => account::list_cloud_boxes,
        Op::ListBucketInventory => account::list_inventory,
        Op::CreateBucketMetadataConfiguration => metadata::create,
        Op::GetBucketMetadataConfiguration => metadata::get,
        Op::DeleteBucketMetadataConfiguration => metadata::delete,
        Op::UpdateBucketMetadataInventoryTableConfiguration => metadata::update_inventory,
        Op::UpdateBucketMetadataJournalTableConfiguration => metadata::update_journal,
        // Access points, their policies and Block Public Access settings.
        Op::CreateAccessPoint => access_point::create,
        Op::GetAccessPoint => access_point::get,
        Op::DeleteAccessPoint => access_point::delete,
        Op::ListAccessPoints => access_point::list,
        Op::PutAccessPointPolicy => access_point::put_policy,
        Op::GetAccessPointPolicy => access_point::get_policy,
        Op::DeleteAccessPointPolicy => access_point::delete_policy,
        Op::PutAccessPointPublicAccessBlock => access_point::put_public_access_block,
        Op::GetAccessPointPublicAccessBlock => access_point::get_public_access_block,
        Op::DeleteAccessPointPublicAccessBlock => access_point::delete_public_access_block,
        // Resource pool QoS.
        Op::PutBucketQoSInfo => qos::put_bucket,
        Op::GetBucketQoSInfo => qos::get_bucket,
        Op::DeleteBucketQoSInfo => qos::delete_bucket,
        Op::PutBucketRequesterQoSInfo => qos::put_bucket_requester,
        Op::GetBucketRequesterQoSInfo => qos::get_bucket_requester,
        Op::ListBucketRequesterQoSInfos => qos::list_bucket_requesters,
        Op::DeleteBucketRequesterQoSInfo => qos::delete_bucket_requester,
        Op::ListResourcePools => qos::list_pools,
        Op::GetResourcePoolInfo => qos::get_pool,
        Op::ListResourcePoolBuckets => qos::list_pool_buckets,
        Op::PutResourcePoolRequesterQoSInfo => qos::put_pool_requester,
        Op::GetResourcePoolRequesterQoSInfo => qos::get_pool_requester,
        Op::ListResourcePoolRequesterQoSInfos => qos::list_pool_requesters,
        Op::DeleteResourcePoolRequesterQoSInfo => qos::delete_pool_requester,
        Op::PutBucketResourcePoolBucketGroup => qos::put_bucket_group,
        Op::ListResourcePoolBucketGroups => qos::list_groups,
        Op::PutResourcePoolBucketGroupQoSInfo => qos::put_group,
        Op::GetResourcePoolBucketGroupQoSInfo => qos::get_group,
        Op::ListResourcePoolBucketGroupQoSInfos => qos::list_group_qos,
        Op::DeleteResourcePoolBucketGroupQoSInfo => qos::delete_group,
        // Data indexing (meta query).
        Op::OpenMetaQuery => meta_query::open,
        Op::GetMetaQueryStatus => meta_query::status,
        Op::DoMetaQuery => meta_query::query,
        Op::CloseMetaQuery => meta_query::close,
        Op::DoMetaQueryAction => dataset::action,
        Op::DoDataPipeLineAction => data_pipeline::action,
        // Object FC access points.
        Op::CreateAccessPointForObjectProcess => object_fc::create,
        Op::GetAccessPointForObjectProcess => object_fc::get,
        Op::DeleteAccessPointForObjectProcess => object_fc::delete,
        Op::ListAccessPointsForObjectProcess => object_fc::list,
        Op::PutAccessPointConfigForObjectProcess => object_fc::put_config,
        Op::GetAccessPointConfigForObjectProcess => object_fc::get_config,
        Op::PutAccessPointPolicyForObjectProcess => object_fc::put_policy,
        Op::GetAccessPointPolicyForObjectProcess => object_fc::get_policy,
        Op::DeleteAccessPointPolicyForObjectProcess => object_fc::delete_policy,
        Op::WriteGetObjectResponse => object_fc::write_get_object_response,
        // Hierarchical namespace (handlers/hns.rs).
        Op::CreateDirectory => hns::create_directory,
        Op::Rename => hns::rename,
        Op::DeleteDirectory => hns::delete_directory,
        // Sealed appendable objects (handlers/seal.rs).
        Op::SealAppendObject => seal::seal_append_object,
        // LiveChannel (handlers/live_channel.rs).
        Op::PutLiveChannel => live_channel::put,
        Op::PutLiveChannelStatus => live_channel::put_status,
        Op::GetLiveChannelInfo => live_channel::get_info,
        Op::GetLiveChannelStat => live_channel::get_stat,
        Op::GetLiveChannelHistory => live_channel::get_history,
        Op::ListLiveChannel => live_channel::list,
        Op::DeleteLiveChannel => live_channel::delete,
        Op::PostVodPlaylist => live_channel::post_vod_playlist,
        Op::GetVodPlaylist => live_channel::get_vod_playlist,
        // Upload callbacks (handlers/callback.rs, run by the router after the upload): the
        // catalogue's Callback is a PutObject carrying x-oss-callback.
        Op::Callback => object::put_object,
        // SQL over CSV and JSON objects (handlers/select.rs, the engine in src/select/).
        Op::SelectObject => select::select_object,
        Op::CreateSelectObjectMeta => select::create_select_object_meta,
        // Image processing (handlers/process.rs, src/image_process.rs).
        Op::ProcessObject => process::process_object,
        Op::AsyncProcessObject => process::async_process_object,
        // Every configuration document of the spec: one generic handler.
        op if config::document(op).is_some() => config::handle,
        _ => return None,
    })
}

/// The answer to an operation of the spec that [`handler`] does not serve: OSS's
/// `NotImplemented` (501), naming the operation.
pub(crate) fn not_served(op: Op) -> OssError {
    OssError::new(
        StatusCode::NOT_IMPLEMENTED,
        "NotImplemented",
        format!("The emulator does not serve {} yet.", op.name()),
    )
    .with("Operation", op.name())
}

/// The operations [`handler`] (and the vector listener's table) serve, sorted by name.
pub(crate) fn served() -> Vec<&'static str> {
    Op::ALL
        .iter()
        .filter(|op| handler(**op).is_some() || crate::vectors::handler(**op).is_some())
        .map(|op| op.name())
        .collect()
}

/// Standard headers stored with an object and returned on reads.
pub(crate) const STORED_HEADERS: [&str; 5] = [
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "expires",
];

const URL_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// True when the request asked for `encoding-type=url`.
pub(crate) fn url_encoding(req: &Request) -> bool {
    req.q("encoding-type") == Some("url")
}

/// Encodes a key-like value for a listing answered with `encoding-type=url`.
pub(crate) fn enc(value: &str, encode: bool) -> String {
    if encode {
        utf8_percent_encode(value, URL_ENCODE).to_string()
    } else {
        value.to_owned()
    }
}

/// Writes the `<Owner>` element.
pub(crate) fn owner(w: &mut XmlWriter) {
    w.open("Owner")
        .elem("ID", OWNER_ID)
        .elem("DisplayName", OWNER_ID)
        .close();
}

/// Rejects a body whose MD5 differs from its `Content-MD5` header.
pub(crate) fn check_content_md5(req: &Request) -> Result<(), OssError> {
    if let Some(given) = req.header("content-md5")
        && given.trim() != checksum::base64_md5(&req.body_md5())
    {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidDigest",
            "The Content-MD5 you specified was invalid.",
        )
        .ec("0016-00000201")
        .with("Content-MD5", given));
    }
    Ok(())
}

/// Parses the request body as XML.
pub(crate) fn body_xml(req: &Request) -> Result<Element, OssError> {
    xml::parse(&req.body).ok_or_else(OssError::malformed_xml)
}

/// Object metadata given by request headers: content type, stored headers, user metadata.
pub(crate) fn meta_from_headers(
    req: &Request,
) -> (String, BTreeMap<String, String>, BTreeMap<String, String>) {
    let content_type = req
        .header("content-type")
        .unwrap_or("application/octet-stream")
        .to_owned();
    let mut headers = BTreeMap::new();
    for name in STORED_HEADERS {
        if let Some(v) = req.header(name) {
            headers.insert(name.to_owned(), v.to_owned());
        }
    }
    let mut user = BTreeMap::new();
    for (name, value) in &req.headers {
        if let Some(rest) = name.as_str().strip_prefix("x-oss-meta-") {
            user.insert(
                rest.to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            );
        }
    }
    (content_type, headers, user)
}

/// Validates an ACL value (`default` only where `allow_default`).
pub(crate) fn check_acl(value: &str, allow_default: bool) -> Result<(), OssError> {
    match value {
        "private" | "public-read" | "public-read-write" => Ok(()),
        "default" if allow_default => Ok(()),
        _ => Err(OssError::invalid_argument(format!(
            "no such bucket access control exists: {value}"
        ))
        .with("ArgumentName", "x-oss-acl")
        .with("ArgumentValue", value)),
    }
}

/// Checks a `<Tagging>` document (read by the generated server side) against OSS's limits.
pub(crate) fn checked_tags(
    tagging: oss_model::Tagging,
    max: usize,
) -> Result<Vec<(String, String)>, OssError> {
    let mut tags = Vec::new();
    for tag in tagging.tag_set.tags {
        let value = tag.value.unwrap_or_default();
        if tag.key.is_empty() || tag.key.len() > 128 || value.len() > 256 {
            return Err(OssError::new(
                StatusCode::BAD_REQUEST,
                "InvalidTag",
                "The tag provided was not a valid tag.",
            )
            .ec("0017-00000801"));
        }
        tags.push((tag.key, value));
    }
    if tags.len() > max {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Tags number exceeds {max}."),
        ));
    }
    Ok(tags)
}

/// Parses the `x-oss-tagging` header (`k1=v1&k2=v2`).
pub(crate) fn tags_from_header(req: &Request) -> Vec<(String, String)> {
    req.header("x-oss-tagging")
        .map(|h| {
            crate::request::parse_query(h)
                .into_iter()
                .map(|(k, v)| (k, v.unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
}

/// Stored tags as the model's `TagSet`.
pub(crate) fn tag_set(tags: &[(String, String)]) -> oss_model::TagSet {
    oss_model::TagSet {
        tags: tags
            .iter()
            .map(|(k, v)| oss_model::Tag {
                key: k.clone(),
                value: Some(v.clone()),
            })
            .collect(),
    }
}

/// The owner the emulator reports, as the model's `Owner`.
pub(crate) fn owner_model() -> oss_model::Owner {
    oss_model::Owner {
        id: OWNER_ID.to_owned(),
        display_name: Some(OWNER_ID.to_owned()),
    }
}

/// The headers every read of an object carries.
pub(crate) fn object_headers(meta: &ObjectMeta) -> Vec<(String, String)> {
    let mut h = vec![
        ("Content-Type".to_owned(), meta.content_type.clone()),
        ("ETag".to_owned(), meta.etag.clone()),
        (
            "Last-Modified".to_owned(),
            crate::timefmt::http_date(crate::storage::from_ms(meta.modified_ms)),
        ),
        ("x-oss-object-type".to_owned(), meta.object_type.clone()),
        ("x-oss-storage-class".to_owned(), meta.storage_class.clone()),
        ("x-oss-hash-crc64ecma".to_owned(), meta.crc64.to_string()),
        ("Accept-Ranges".to_owned(), "bytes".to_owned()),
    ];
    for (k, v) in &meta.headers {
        h.push((k.clone(), v.clone()));
    }
    for (k, v) in &meta.user_meta {
        h.push((format!("x-oss-meta-{k}"), v.clone()));
    }
    if meta.version_id != "null" {
        h.push(("x-oss-version-id".to_owned(), meta.version_id.clone()));
    }
    if let Some(restore) = archive::restore_header(meta) {
        h.push(("x-oss-restore".to_owned(), restore));
    }
    if !meta.tags.is_empty() {
        h.push((
            "x-oss-tagging-count".to_owned(),
            meta.tags.len().to_string(),
        ));
    }
    if meta.object_type == "Appendable" {
        h.push((
            "x-oss-next-append-position".to_owned(),
            meta.size.to_string(),
        ));
    }
    h
}

/// `max-keys` of the continuation-token lists (access points, Object FC access points,
/// resource-pool QoS): 1 to 1000, 100 when absent or empty.
pub(crate) fn page_max_keys(req: &Request) -> Result<usize, OssError> {
    match req.q("max-keys") {
        None | Some("") => Ok(100),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => Ok(n),
            _ => Err(
                OssError::invalid_argument("max-keys must be an integer between 1 and 1000.")
                    .with("ArgumentName", "max-keys")
                    .with("ArgumentValue", v),
            ),
        },
    }
}

/// Parses `max-keys`-like parameters: default when absent, `InvalidArgument` when not a number
/// in `1..=limit`.
pub(crate) fn max_param(
    req: &Request,
    name: &'static str,
    default: usize,
    limit: usize,
) -> Result<usize, OssError> {
    match req.q(name) {
        None => Ok(default),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n <= limit => Ok(n),
            _ => Err(OssError::invalid_argument(format!(
                "Argument {name} must be an integer between 0 and {limit}."
            ))
            .with("ArgumentName", name)
            .with("ArgumentValue", v)),
        },
    }
}
