//! `presign`: a URL anyone can use until it expires.

use std::collections::BTreeMap;
use std::time::UNIX_EPOCH;

use oss_model::{GetObjectInput, HeadObjectInput, PutObjectInput};
use oss_proto::generated::{GetObject, HeadObject, PutObject};
use serde_json::json;

use crate::cli::PresignArgs;
use crate::context::Context;
use crate::error::{CliError, CliResult};
use crate::units::parse_duration;
use crate::url::OssUrl;

/// The time from now until `date` (UTC `2006-01-02T15:04:05`, or RFC 3339); zero when it
/// has passed.
fn until(date: &str) -> CliResult<std::time::Duration> {
    let plain = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let at = time::OffsetDateTime::parse(date, &time::format_description::well_known::Rfc3339)
        .or_else(|_| time::PrimitiveDateTime::parse(date, plain).map(|t| t.assume_utc()))
        .map_err(|_| {
            CliError::usage(format!(
                "--expires-date {date:?}: expected a UTC time like 2006-01-02T15:04:05 (or RFC 3339)"
            ))
        })?;
    let left = at - time::OffsetDateTime::now_utc();
    Ok(std::time::Duration::try_from(left).unwrap_or_default())
}

fn build_error(e: &oss_model::BuildError) -> CliError {
    CliError::usage(e.to_string())
}

pub(crate) async fn run(ctx: &Context, args: PresignArgs) -> CliResult {
    let url = OssUrl::parse_object(&args.url)?;
    let (expires, flag) = match &args.expires_date {
        Some(date) => (until(date)?, format!("--expires-date {date}")),
        None => (
            parse_duration(&args.expires_duration)?,
            format!("--expires-duration {}", args.expires_duration),
        ),
    };
    if expires.is_zero() || expires > std::time::Duration::from_secs(7 * 24 * 3600) {
        return Err(CliError::usage(format!(
            "{flag}: the URL must expire in more than 0s and at most 7d"
        )));
    }
    let client = ctx.client()?;
    let ctx_err = |e| CliError::oss(format!("presigning {url}"), e);
    let presigned = match args.method.to_ascii_uppercase().as_str() {
        "GET" => {
            let mut b = GetObjectInput::builder().bucket(&url.bucket).key(&url.key);
            if let Some(v) = &args.version_id {
                b = b.version_id(v);
            }
            let input = b.build().map_err(|e| build_error(&e))?;
            client
                .presign::<GetObject>(&input, expires)
                .await
                .map_err(ctx_err)?
        }
        "HEAD" => {
            let mut b = HeadObjectInput::builder().bucket(&url.bucket).key(&url.key);
            if let Some(v) = &args.version_id {
                b = b.version_id(v);
            }
            let input = b.build().map_err(|e| build_error(&e))?;
            client
                .presign::<HeadObject>(&input, expires)
                .await
                .map_err(ctx_err)?
        }
        "PUT" => {
            let mut b = PutObjectInput::builder().bucket(&url.bucket).key(&url.key);
            if let Some(ct) = &args.content_type {
                b = b.content_type(ct);
            }
            let meta: BTreeMap<_, _> = super::key_values(&args.metadata, "--metadata")?
                .into_iter()
                .collect();
            if !meta.is_empty() {
                b = b.metadata(meta);
            }
            let input = b.build().map_err(|e| build_error(&e))?;
            client
                .presign::<PutObject>(&input, expires)
                .await
                .map_err(ctx_err)?
        }
        other => {
            return Err(CliError::usage(format!(
                "--method {other:?}: expected GET, PUT or HEAD"
            )));
        }
    };
    let expires_at = presigned
        .expires_at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    if ctx.out.is_json() {
        crate::output::print_json(&json!({
            "method": presigned.method.as_str(),
            "url": presigned.url,
            "expires_at": expires_at,
            "signed_headers": presigned.signed_headers.iter().map(|(k, v)| json!({k: v})).collect::<Vec<_>>(),
        }));
    } else {
        crate::output::stdout_line(&presigned.url);
        for (k, v) in &presigned.signed_headers {
            ctx.out.summary(&format!("  send header {k}: {v}"));
        }
    }
    Ok(())
}
