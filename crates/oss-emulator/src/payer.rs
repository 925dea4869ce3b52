//! Pay-by-requester (PutBucketRequestPayment with `Payer` `Requester`): a bucket whose
//! requesters pay refuses anonymous requests, and requests signed by another account must
//! acknowledge the charge with `x-oss-request-payer: requester` (the header, or for a
//! presigned URL the query parameter of that name). The owner never needs it. All answers are
//! `AccessDenied` (403) with OSS's EC: `0003-00000701` anonymous, `0003-00000702` a presigned
//! URL without the parameter, `0003-00000703` a signed request without the header.
//!
//! The check only settles who pays: the other account still needs a grant (bucket policy or
//! ACL), checked after it.

use oss_model::xml::XmlDocument as _;
use oss_model::{RequestPaymentConfiguration, RequestPaymentPayer};

use crate::auth::Signer;
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;

/// The key PutBucketRequestPayment stores its document under.
const REQUEST_PAYMENT: &str = "requestPayment";

/// Whether the bucket's requesters pay.
fn requester_pays(ctx: &Context, bucket: &str) -> bool {
    ctx.store.bucket(bucket).is_ok_and(|record| {
        record
            .configs
            .get(REQUEST_PAYMENT)
            .and_then(|d| RequestPaymentConfiguration::from_xml(d.as_bytes()).ok())
            .is_some_and(|c| c.payer == RequestPaymentPayer::Requester)
    })
}

/// Refuses a request to a pay-by-requester bucket from anyone but the owner unless it carries
/// `x-oss-request-payer: requester`.
///
/// # Errors
/// `AccessDenied` with EC `0003-00000701` (anonymous), `0003-00000702` (presigned URL) or
/// `0003-00000703` (signed in the header).
pub(crate) fn check(ctx: &Context, req: &Request, signer: &Signer) -> Result<(), OssError> {
    if *signer == Signer::Owner {
        return Ok(());
    }
    let Some(bucket) = req.bucket.as_deref() else {
        return Ok(());
    };
    if !requester_pays(ctx, bucket) {
        return Ok(());
    }
    if *signer == Signer::Anonymous {
        return Err(OssError::access_denied(
            "Anonymous access is not allowed to a bucket whose requesters pay.",
        )
        .ec("0003-00000701"));
    }
    let is_requester = |v: Option<&str>| v.is_some_and(|v| v.eq_ignore_ascii_case("requester"));
    let presigned = crate::access::presigned(req);
    if is_requester(req.header("x-oss-request-payer"))
        || (presigned && is_requester(req.q("x-oss-request-payer")))
    {
        return Ok(());
    }
    let ec = if presigned {
        "0003-00000702"
    } else {
        "0003-00000703"
    };
    Err(OssError::access_denied(
        "The bucket's requesters pay: the request must carry x-oss-request-payer: requester.",
    )
    .ec(ec))
}
