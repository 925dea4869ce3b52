//! SealAppendObject: an appendable object that takes no more appends.
//!
//! The seal is kept as the stored header `x-oss-sealed-time` (the time of the first seal), so
//! GetObject and HeadObject return it as OSS does; AppendObject refuses a sealed object with
//! `ObjectNotAppendable` (409). Sealing again at the same length keeps the first time.

use http::StatusCode;

use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{ObjectMeta, from_ms, now_ms};
use crate::timefmt::http_date;

const SEALED_TIME: &str = "x-oss-sealed-time";

/// True when the object was sealed.
pub(crate) fn is_sealed(meta: &ObjectMeta) -> bool {
    meta.headers.contains_key(SEALED_TIME)
}

/// OSS's answer to appending to an object that takes no appends.
pub(crate) fn not_appendable() -> OssError {
    OssError::new(
        StatusCode::CONFLICT,
        "ObjectNotAppendable",
        "The object is not appendable",
    )
    .ec("0026-00000015")
}

/// POST /bucket/key?seal&position=N — SealAppendObject.
pub(crate) fn seal_append_object(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = crate::typed::input::<oss_proto::generated::SealAppendObject>(req)?;
    let _lock = ctx.store.lock_key(req.bucket(), req.key());
    let meta = ctx.store.object(req.bucket(), req.key(), None)?;
    if meta.object_type != "Appendable" {
        return Err(not_appendable());
    }
    if u64::try_from(input.position).ok() != Some(meta.size) {
        return Err(OssError::new(
            StatusCode::CONFLICT,
            "PositionNotEqualToLength",
            "Position is not equal to file length",
        )
        .ec("0026-00000016")
        .header("x-oss-next-append-position", meta.size.to_string()));
    }
    let sealed = if is_sealed(&meta) {
        meta
    } else {
        let at = http_date(from_ms(now_ms()));
        ctx.store
            .update_object(req.bucket(), req.key(), None, |m| {
                m.headers.insert(SEALED_TIME.to_owned(), at.clone());
            })?
    };
    let time = sealed.headers.get(SEALED_TIME).cloned().unwrap_or_default();
    Ok(Reply::ok()
        .header(SEALED_TIME, time)
        .header("ETag", sealed.etag))
}
