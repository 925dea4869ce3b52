//! The router: method + scope + sub-resource → operation, then auth, then the handler.

use http::{Method, StatusCode};

use crate::auth::{self, Access};
use crate::context::Context;
use crate::error::OssError;
use crate::handlers::{archive, bucket, cors, listing, multipart, object, post_object};
use crate::request::Request;
use crate::response::Reply;
use oss_proto::operation::Operation;

/// Declares [`Op`], every operation the emulator serves, named as in the spec so each variant
/// reaches its generated operation's constants.
macro_rules! served_operations {
    ($($name:ident),* $(,)?) => {
        /// Every operation the emulator serves.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Op {
            $($name,)*
        }

        impl Op {
            /// The sub-resources this operation signs in V1 beyond oss-sign's fixed list, from
            /// the spec (the same constant the client signs with).
            fn v1_signed_query(self) -> &'static [&'static str] {
                match self {
                    $(Op::$name => <oss_proto::generated::$name as Operation>::V1_SIGNED_QUERY,)*
                }
            }
        }
    };
}

served_operations! {
    ListBuckets,
    PutBucket,
    DeleteBucket,
    GetBucketInfo,
    GetBucketLocation,
    GetBucketStat,
    PutBucketAcl,
    GetBucketAcl,
    PutBucketVersioning,
    GetBucketVersioning,
    PutBucketTags,
    GetBucketTags,
    DeleteBucketTags,
    PutBucketCors,
    GetBucketCors,
    DeleteBucketCors,
    OptionObject,
    ListObjects,
    ListObjectsV2,
    ListObjectVersions,
    ListMultipartUploads,
    DeleteMultipleObjects,
    PutObject,
    CopyObject,
    GetObject,
    HeadObject,
    GetObjectMeta,
    DeleteObject,
    AppendObject,
    PutObjectAcl,
    GetObjectAcl,
    PutObjectTagging,
    GetObjectTagging,
    DeleteObjectTagging,
    PutSymlink,
    GetSymlink,
    InitiateMultipartUpload,
    UploadPart,
    UploadPartCopy,
    CompleteMultipartUpload,
    AbortMultipartUpload,
    ListParts,
    PostObject,
    RestoreObject,
    CleanRestoredObject,
}

fn method_not_allowed() -> OssError {
    OssError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
    )
}

/// Picks the operation a request names.
pub(crate) fn route(req: &Request) -> Result<Op, OssError> {
    let m = &req.method;
    let has = |name: &str| req.has_q(name);
    if *m == Method::OPTIONS {
        return if req.bucket.is_some() {
            Ok(Op::OptionObject)
        } else {
            Err(method_not_allowed())
        };
    }
    match (req.bucket.is_some(), req.key.is_some()) {
        (false, _) => match *m {
            Method::GET => Ok(Op::ListBuckets),
            _ => Err(method_not_allowed()),
        },
        (true, false) => Ok(match *m {
            Method::PUT if has("acl") => Op::PutBucketAcl,
            Method::PUT if has("versioning") => Op::PutBucketVersioning,
            Method::PUT if has("tagging") => Op::PutBucketTags,
            Method::PUT if has("cors") => Op::PutBucketCors,
            Method::PUT => Op::PutBucket,
            Method::GET if has("acl") => Op::GetBucketAcl,
            Method::GET if has("versioning") => Op::GetBucketVersioning,
            Method::GET if has("tagging") => Op::GetBucketTags,
            Method::GET if has("cors") => Op::GetBucketCors,
            Method::GET if has("location") => Op::GetBucketLocation,
            Method::GET if has("bucketInfo") => Op::GetBucketInfo,
            Method::GET if has("stat") => Op::GetBucketStat,
            Method::GET if has("versions") => Op::ListObjectVersions,
            Method::GET if has("uploads") => Op::ListMultipartUploads,
            Method::GET if req.q("list-type") == Some("2") => Op::ListObjectsV2,
            Method::GET => Op::ListObjects,
            Method::DELETE if has("tagging") => Op::DeleteBucketTags,
            Method::DELETE if has("cors") => Op::DeleteBucketCors,
            Method::DELETE => Op::DeleteBucket,
            Method::POST if has("delete") => Op::DeleteMultipleObjects,
            Method::POST if post_object::is_form_upload(req) => Op::PostObject,
            _ => return Err(method_not_allowed()),
        }),
        (true, true) => Ok(match *m {
            Method::PUT if has("acl") => Op::PutObjectAcl,
            Method::PUT if has("tagging") => Op::PutObjectTagging,
            Method::PUT if has("symlink") => Op::PutSymlink,
            Method::PUT if has("partNumber") && has("uploadId") => {
                if req.header("x-oss-copy-source").is_some() {
                    Op::UploadPartCopy
                } else {
                    Op::UploadPart
                }
            }
            Method::PUT if req.header("x-oss-copy-source").is_some() => Op::CopyObject,
            Method::PUT => Op::PutObject,
            Method::POST if has("append") => Op::AppendObject,
            Method::POST if has("restore") => Op::RestoreObject,
            Method::POST if has("cleanRestoredObject") => Op::CleanRestoredObject,
            Method::POST if has("uploads") => Op::InitiateMultipartUpload,
            Method::POST if has("uploadId") => Op::CompleteMultipartUpload,
            Method::GET if has("acl") => Op::GetObjectAcl,
            Method::GET if has("tagging") => Op::GetObjectTagging,
            Method::GET if has("symlink") => Op::GetSymlink,
            Method::GET if has("uploadId") => Op::ListParts,
            Method::GET if has("objectMeta") => Op::GetObjectMeta,
            Method::GET => Op::GetObject,
            Method::HEAD if has("objectMeta") => Op::GetObjectMeta,
            Method::HEAD => Op::HeadObject,
            Method::DELETE if has("tagging") => Op::DeleteObjectTagging,
            Method::DELETE if has("uploadId") => Op::AbortMultipartUpload,
            Method::DELETE => Op::DeleteObject,
            _ => return Err(method_not_allowed()),
        }),
    }
}

fn access(op: Op) -> Access {
    match op {
        // A form authenticates itself (its policy and signature fields, or the bucket ACL).
        Op::OptionObject | Op::PostObject => Access::Public,
        Op::GetObject | Op::HeadObject | Op::GetObjectMeta | Op::GetSymlink => Access::ReadObject,
        Op::ListObjects | Op::ListObjectsV2 => Access::List,
        Op::PutObject
        | Op::AppendObject
        | Op::DeleteObject
        | Op::PutSymlink
        | Op::InitiateMultipartUpload
        | Op::UploadPart
        | Op::CompleteMultipartUpload
        | Op::AbortMultipartUpload
        | Op::ListParts => Access::Write,
        _ => Access::Owner,
    }
}

/// Operations that check and then replace or remove the addressed object.
fn writes_one_object(op: Op) -> bool {
    matches!(
        op,
        Op::PutObject
            | Op::CopyObject
            | Op::AppendObject
            | Op::DeleteObject
            | Op::PutSymlink
            | Op::CompleteMultipartUpload
            | Op::PutObjectAcl
            | Op::PutObjectTagging
            | Op::DeleteObjectTagging
    )
}

/// OSS object names: 1–1023 bytes of UTF-8, not starting with `/` or `\`.
pub(crate) fn check_object_name(key: &str) -> Result<(), OssError> {
    if key.is_empty() || key.len() > 1023 || key.starts_with('/') || key.starts_with('\\') {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidObjectName",
            "The specified object is not valid.",
        )
        .ec("0016-00000005")
        .with("ObjectName", key));
    }
    Ok(())
}

/// The storage classes OSS knows.
pub(crate) fn check_storage_class(class: &str) -> Result<(), OssError> {
    match class {
        "Standard" | "IA" | "Archive" | "ColdArchive" | "DeepColdArchive" => Ok(()),
        other => Err(
            OssError::invalid_argument(format!("Invalid storage class: {other}"))
                .ec("0013-00000101")
                .with("ArgumentName", "x-oss-storage-class")
                .with("ArgumentValue", other),
        ),
    }
}

/// A request whose head passed routing, authentication and (when anonymous) the ACL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Authorized {
    /// The operation the request names.
    pub(crate) op: Op,
    /// Signed by the configured key (`false`: anonymous, allowed by the ACL).
    pub(crate) signed: bool,
}

/// Routes and authenticates a request from its head alone (method, target, headers), before
/// its body is read: V1 and V4 signatures do not cover the body (V4 signs the
/// `x-oss-content-sha256` header's value, checked against the body later by [`dispatch`]).
pub(crate) fn authorize(ctx: &Context, req: &Request) -> Result<Authorized, OssError> {
    let op = route(req)?;
    let signed = if matches!(op, Op::OptionObject | Op::PostObject) {
        false
    } else {
        auth::authenticate(ctx, req, op.v1_signed_query())?
    };
    if !signed {
        auth::allow_anonymous(ctx, req, access(op))?;
    }
    Ok(Authorized { op, signed })
}

/// Serves one request that [`authorize`] accepted, its body now received.
pub(crate) fn dispatch(
    ctx: &Context,
    req: &Request,
    authorized: Authorized,
) -> Result<Reply, OssError> {
    let Authorized { op, signed } = authorized;
    if signed {
        auth::check_content_sha256(req)?;
    }
    if let Some(name) = req.bucket.as_deref()
        && op != Op::PutBucket
        && !ctx.store.has_bucket(name)
    {
        return Err(OssError::no_such_bucket(name));
    }
    if matches!(
        op,
        Op::PutObject
            | Op::CopyObject
            | Op::AppendObject
            | Op::PutSymlink
            | Op::InitiateMultipartUpload
    ) {
        check_object_name(req.key())?;
        if let Some(class) = req.header("x-oss-storage-class") {
            check_storage_class(class)?;
        }
    }
    // Writers of one object take its lock across check-and-commit (DeleteMultipleObjects
    // takes each key's lock in turn).
    let _object_lock = (writes_one_object(op) && req.key.is_some())
        .then(|| ctx.store.lock_key(req.bucket(), req.key()));
    match op {
        Op::ListBuckets => bucket::list_buckets(ctx, req),
        Op::PutBucket => bucket::put_bucket(ctx, req),
        Op::DeleteBucket => bucket::delete_bucket(ctx, req),
        Op::GetBucketInfo => bucket::get_bucket_info(ctx, req),
        Op::GetBucketLocation => bucket::get_bucket_location(ctx, req),
        Op::GetBucketStat => bucket::get_bucket_stat(ctx, req),
        Op::PutBucketAcl => bucket::put_bucket_acl(ctx, req),
        Op::GetBucketAcl => bucket::get_bucket_acl(ctx, req),
        Op::PutBucketVersioning => bucket::put_bucket_versioning(ctx, req),
        Op::GetBucketVersioning => bucket::get_bucket_versioning(ctx, req),
        Op::PutBucketTags => bucket::put_bucket_tags(ctx, req),
        Op::GetBucketTags => bucket::get_bucket_tags(ctx, req),
        Op::DeleteBucketTags => bucket::delete_bucket_tags(ctx, req),
        Op::PutBucketCors => cors::put_bucket_cors(ctx, req),
        Op::GetBucketCors => cors::get_bucket_cors(ctx, req),
        Op::DeleteBucketCors => cors::delete_bucket_cors(ctx, req),
        Op::OptionObject => cors::preflight(ctx, req),
        Op::ListObjects => listing::list_objects(ctx, req),
        Op::ListObjectsV2 => listing::list_objects_v2(ctx, req),
        Op::ListObjectVersions => listing::list_object_versions(ctx, req),
        Op::ListMultipartUploads => multipart::list_uploads(ctx, req),
        Op::DeleteMultipleObjects => object::delete_multiple(ctx, req),
        Op::PutObject => object::put_object(ctx, req),
        Op::CopyObject => object::copy_object(ctx, req),
        Op::GetObject => object::get_object(ctx, req, false),
        Op::HeadObject => object::get_object(ctx, req, true),
        Op::GetObjectMeta => object::get_object_meta(ctx, req),
        Op::DeleteObject => object::delete_object(ctx, req),
        Op::AppendObject => object::append_object(ctx, req),
        Op::PutObjectAcl => object::put_object_acl(ctx, req),
        Op::GetObjectAcl => object::get_object_acl(ctx, req),
        Op::PutObjectTagging => object::put_object_tagging(ctx, req),
        Op::GetObjectTagging => object::get_object_tagging(ctx, req),
        Op::DeleteObjectTagging => object::delete_object_tagging(ctx, req),
        Op::PutSymlink => object::put_symlink(ctx, req),
        Op::GetSymlink => object::get_symlink(ctx, req),
        Op::InitiateMultipartUpload => multipart::initiate(ctx, req),
        Op::UploadPart => multipart::upload_part(ctx, req),
        Op::UploadPartCopy => multipart::upload_part_copy(ctx, req),
        Op::CompleteMultipartUpload => multipart::complete(ctx, req),
        Op::AbortMultipartUpload => multipart::abort(ctx, req),
        Op::ListParts => multipart::list_parts(ctx, req),
        Op::PostObject => post_object::post_object(ctx, req),
        Op::RestoreObject => archive::restore_object(ctx, req),
        Op::CleanRestoredObject => archive::clean_restored_object(ctx, req),
    }
}
