//! Static website hosting (PutBucketWebsite's `IndexDocument` and `ErrorDocument`).
//!
//! OSS serves a bucket's website on the bucket's own endpoint to anonymous requests: an
//! anonymous request to the bucket's root gets the index document, while a signed one gets
//! ListObjects. The emulator recognises a website request the same way: a `GET` or `HEAD`
//! without a signature (no `Authorization` header, no signature in the query) and without a
//! query, addressed (path or virtual-hosted style) to a bucket that has a website
//! configuration with an index document. Every other request, signed API `GET`s included, is
//! served as before.
//!
//! A website request is served as an anonymous GetObject of:
//! - the index document for the root (`/`);
//! - for `dir/`: `dir/<Suffix>` with `SupportSubDir` true, else the root's index document;
//! - the key itself otherwise. When it does not exist and `SupportSubDir` is true, `Type`
//!   decides: `0` (the default) redirects (302) to `dir/` when `dir/<Suffix>` exists, `2`
//!   serves `dir/<Suffix>` itself, `1` goes straight to the error document.
//!
//! A `NoSuchKey` answer is replaced by the error document with status `HttpStatus` (default
//! 404) when one is configured and anonymous requests may read it; access is checked as for
//! any anonymous read (ACL, bucket policy, Block Public Access, referer).

use http::{Method, StatusCode};
use oss_model::WebsiteConfiguration;
use oss_model::xml::XmlDocument as _;

use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;

/// The key PutBucketWebsite stores its document under.
const WEBSITE: &str = "website";

/// The bucket's website configuration when `req` is a website request (see the module docs).
pub(crate) fn website_of(ctx: &Context, req: &Request) -> Option<WebsiteConfiguration> {
    if !(req.method == Method::GET || req.method == Method::HEAD)
        || !req.query.is_empty()
        || req.header("authorization").is_some()
    {
        return None;
    }
    let record = ctx.store.bucket(req.bucket.as_deref()?).ok()?;
    let conf = WebsiteConfiguration::from_xml(record.configs.get(WEBSITE)?.as_bytes()).ok()?;
    conf.index_document.is_some().then_some(conf)
}

/// Serves a website request (`path`: the request's path as received, for redirects).
pub(crate) fn serve(
    ctx: &Context,
    req: &Request,
    conf: &WebsiteConfiguration,
    path: &str,
) -> Result<Reply, OssError> {
    let Some(index) = &conf.index_document else {
        return Err(OssError::no_such_key(req.key.as_deref().unwrap_or("")));
    };
    let sub_dirs = index.support_sub_dir == Some(true);
    let in_dir = |dir: &str| format!("{dir}{}", index.suffix);
    let key = match req.key.as_deref() {
        None => index.suffix.clone(),
        Some(dir) if dir.ends_with('/') && sub_dirs => in_dir(dir),
        Some(dir) if dir.ends_with('/') => index.suffix.clone(),
        Some(key) => key.to_owned(),
    };
    let plain_key = req.key.as_deref().is_some_and(|k| !k.ends_with('/'));
    let err = match get(ctx, req, &key) {
        Err(err) if err.code == "NoSuchKey" => err,
        other => return other,
    };
    if plain_key && sub_dirs {
        let dir_index = in_dir(&format!("{key}/"));
        match index.index_type.unwrap_or(0) {
            0 if ctx.store.object(req.bucket(), &dir_index, None).is_ok() => {
                return Ok(Reply::ok()
                    .status(StatusCode::FOUND)
                    .header("Location", format!("{path}/")));
            }
            2 => match get(ctx, req, &dir_index) {
                Err(e) if e.code == "NoSuchKey" => {}
                other => return other,
            },
            _ => {}
        }
    }
    let Some(error_doc) = &conf.error_document else {
        return Err(err);
    };
    let status = error_doc
        .http_status
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::NOT_FOUND);
    match get(ctx, req, &error_doc.key) {
        Ok(reply) => Ok(reply.status(status)),
        Err(_) => Err(err),
    }
}

/// An anonymous GetObject (HeadObject for `HEAD`) of `key`, through the usual checks.
fn get(ctx: &Context, req: &Request, key: &str) -> Result<Reply, OssError> {
    let mut sub = req.clone();
    sub.key = Some(key.to_owned());
    let authorized = crate::router::authorize(ctx, &sub)?;
    crate::router::dispatch(ctx, &sub, authorized)
}
