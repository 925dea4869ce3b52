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

fn build_error(e: &oss_model::BuildError) -> CliError {
    CliError::usage(e.to_string())
}

pub(crate) async fn run(ctx: &Context, args: PresignArgs) -> CliResult {
    let url = OssUrl::parse_object(&args.url)?;
    let expires = parse_duration(&args.expires_duration)?;
    if expires.is_zero() || expires > std::time::Duration::from_secs(7 * 24 * 3600) {
        return Err(CliError::usage(format!(
            "--expires-duration {}: must be more than 0 and at most 7d",
            args.expires_duration
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
