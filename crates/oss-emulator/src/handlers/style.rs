//! Image styles of a bucket: PutStyle (creates or replaces a named style), GetStyle,
//! ListStyle and DeleteStyle.

use http::StatusCode;
use oss_model::xml::XmlDocument as _;
use oss_model::{StyleInfo, StyleList};
use oss_proto::generated as ops;

use super::stored;
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{from_ms, now_ms};
use crate::timefmt::http_date;
use crate::typed;

const DOC: &str = "style";
/// The most styles a bucket has.
const MAX_STYLES: usize = 50;

fn no_such_style(name: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "NoSuchStyle",
        "The specified style does not exist.",
    )
    .with("StyleName", name)
}

/// A style name OSS accepts: 1 to 64 letters, digits, `_`, `-` and `.`.
fn check_name(name: &str) -> Result<(), OssError> {
    if !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        Ok(())
    } else {
        Err(
            OssError::invalid_argument(format!("The style name is not valid: {name}"))
                .with("ArgumentName", "styleName")
                .with("ArgumentValue", name),
        )
    }
}

/// PUT /bucket?style&styleName=… — PutStyle.
pub(crate) fn put(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::PutStyle>(req)?;
    check_name(&input.style_name)?;
    let content = input.body.content;
    if content.trim().is_empty() {
        return Err(OssError::invalid_argument("The style content is empty.")
            .with("ArgumentName", "Content"));
    }
    let category = input.category.unwrap_or_else(|| "image".to_owned());
    if !matches!(category.as_str(), "image" | "document" | "video") {
        return Err(OssError::invalid_argument(format!(
            "The style category is not valid: {category}"
        ))
        .with("ArgumentName", "category")
        .with("ArgumentValue", category));
    }
    let now = http_date(from_ms(now_ms()));
    let name = input.style_name;
    stored::modify_bucket::<StyleList, _>(ctx, req.bucket(), DOC, |doc| {
        let list = doc.get_or_insert_with(Default::default);
        if let Some(s) = list
            .styles
            .iter_mut()
            .find(|s| s.name.as_deref() == Some(&name))
        {
            s.content = Some(content);
            s.category = Some(category);
            s.last_modify_time = Some(now);
            return Ok(());
        }
        if list.styles.len() >= MAX_STYLES {
            return Err(OssError::new(
                StatusCode::BAD_REQUEST,
                "TooManyStyles",
                format!("A bucket has at most {MAX_STYLES} styles."),
            ));
        }
        list.styles.push(StyleInfo {
            name: Some(name),
            content: Some(content),
            category: Some(category),
            create_time: Some(now.clone()),
            last_modify_time: Some(now),
        });
        Ok(())
    })?;
    Ok(Reply::ok())
}

/// GET /bucket?style&styleName=… — GetStyle.
pub(crate) fn get(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::GetStyle>(req)?;
    let style = stored::bucket_doc::<StyleList>(ctx, req.bucket(), DOC)?
        .and_then(|l| {
            l.styles
                .into_iter()
                .find(|s| s.name.as_deref() == Some(&input.style_name))
        })
        .ok_or_else(|| no_such_style(&input.style_name))?;
    Ok(Reply::xml(style.to_xml()))
}

/// GET /bucket?style — ListStyle.
pub(crate) fn list(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let list = stored::bucket_doc::<StyleList>(ctx, req.bucket(), DOC)?.unwrap_or_default();
    Ok(Reply::xml(list.to_xml()))
}

/// DELETE /bucket?style&styleName=… — DeleteStyle.
pub(crate) fn delete(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::DeleteStyle>(req)?;
    let name = input.style_name;
    stored::modify_bucket::<StyleList, _>(ctx, req.bucket(), DOC, |doc| {
        let pos = doc
            .as_ref()
            .and_then(|l| {
                l.styles
                    .iter()
                    .position(|s| s.name.as_deref() == Some(&name))
            })
            .ok_or_else(|| no_such_style(&name))?;
        if let Some(l) = doc.as_mut() {
            l.styles.remove(pos);
        }
        Ok(())
    })?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}
