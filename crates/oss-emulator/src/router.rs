//! The router: method + scope + sub-resource → operation, then auth, then the handler.

use http::{Method, StatusCode};

use crate::auth::{self, Access};
use crate::context::Context;
use crate::error::OssError;
use crate::handlers;
use crate::request::Request;
use crate::response::Reply;
use oss_proto::operation::Scope;

/// An operation of the spec; the router names one per request (generated from `spec/`).
pub(crate) type Op = oss_proto::generated::OperationId;

/// OSS's answer to a request naming no operation: the method is not allowed on the resource.
fn method_not_allowed(req: &Request) -> OssError {
    let resource = match (&req.bucket, &req.key) {
        (None, _) => "SERVICE",
        (Some(_), None) => "BUCKET",
        (Some(_), Some(_)) => "OBJECT",
    };
    OssError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
    )
    .with("Method", req.method.as_str())
    .with("ResourceType", resource)
}

/// What a request on the main listener addresses (the vector listener routes its own, see
/// `crate::vectors::route`).
fn scope(req: &Request) -> Scope {
    match (req.bucket.is_some(), req.key.is_some()) {
        (false, _) => Scope::Service,
        (true, false) => Scope::Bucket,
        (true, true) => Scope::Object,
    }
}

/// Picks the operation a request names, with the routing generated from the spec
/// (`oss_proto::route`).
pub(crate) fn route(req: &Request) -> Result<Op, OssError> {
    let scope = scope(req);
    // The CORS preflight is answered on a bucket as on an object.
    if req.method == Method::OPTIONS && scope == Scope::Bucket {
        return Ok(Op::OptionObject);
    }
    let op = oss_proto::route::route(
        req.method.as_str(),
        scope,
        req.bucket.is_some(),
        &req.query,
        &req.headers,
    );
    match op {
        // A POST to a bucket that is not a form names nothing.
        Some(Op::PostObject) if !handlers::post_object::is_form_upload(req) => {
            Err(method_not_allowed(req))
        }
        Some(op) => Ok(op),
        None => Err(method_not_allowed(req)),
    }
}

fn access(op: Op) -> Access {
    match op {
        // A form authenticates itself (its policy and signature fields, or the bucket ACL).
        Op::OptionObject | Op::PostObject => Access::Public,
        Op::GetObject | Op::HeadObject | Op::GetObjectMeta | Op::GetSymlink => Access::ReadObject,
        Op::ListObjects | Op::ListObjectsV2 => Access::List,
        Op::PutObject
        | Op::Callback
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
            | Op::Callback
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
    /// Signed by the configured key or an extra user's (`false`: anonymous, allowed by the
    /// ACL or policy).
    pub(crate) signed: bool,
}

/// Routes and authenticates a request from its head alone (method, target, headers), before
/// its body is read: V1 and V4 signatures do not cover the body (V4 signs the
/// `x-oss-content-sha256` header's value, checked against the body later by [`dispatch`]).
///
/// Requests signed by another account (an extra user) are checked like anonymous ones
/// against the bucket policy (statements for that account too) and the ACL; on a bucket whose
/// requesters pay, everyone but the owner must carry `x-oss-request-payer` first
/// (`crate::payer`).
pub(crate) fn authorize(ctx: &Context, req: &Request) -> Result<Authorized, OssError> {
    let op = route(req)?;
    let signer = if matches!(op, Op::OptionObject | Op::PostObject) {
        auth::Signer::Anonymous
    } else {
        auth::authenticate(ctx, req, op.v1_signed_query())?
    };
    if handlers::handler(op).is_none() {
        return Err(handlers::not_served(op));
    }
    if access(op) != Access::Public {
        crate::payer::check(ctx, req, &signer)?;
    }
    if signer != auth::Signer::Anonymous
        && crate::access::presigned(req)
        && let Some(bucket) = req.bucket.as_deref()
        && let Ok(record) = ctx.store.bucket(bucket)
    {
        crate::access::check_referer(&record, req)?;
    }
    match &signer {
        auth::Signer::Anonymous => crate::access::check_anonymous(ctx, req, op, access(op))?,
        auth::Signer::Account(uid) => {
            crate::access::check_other_account(ctx, req, op, access(op), uid)?;
        }
        auth::Signer::Owner => {}
    }
    Ok(Authorized {
        op,
        signed: signer != auth::Signer::Anonymous,
    })
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
            | Op::Callback
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
    // Uploads with `x-oss-callback`: checked first, performed once the object is stored.
    let callback = if matches!(
        op,
        Op::PutObject | Op::CompleteMultipartUpload | Op::Callback
    ) {
        handlers::callback::parse(req)?
    } else {
        None
    };
    let reply = match handlers::handler(op) {
        Some(handle) => handle(ctx, req),
        None => Err(handlers::not_served(op)),
    }?;
    match callback {
        Some(spec) => handlers::callback::perform(ctx, req, &spec, reply),
        None => Ok(reply),
    }
}
