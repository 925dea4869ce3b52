//! Bucket CORS: PutBucketCors, GetBucketCors, DeleteBucketCors and the OPTIONS preflight.

use http::StatusCode;

use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{CorsConfig, CorsRule};

/// PUT /bucket?cors.
pub(crate) fn put_bucket_cors(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = crate::typed::input::<oss_proto::generated::PutBucketCors>(req)?;
    let mut rules = Vec::new();
    for rule in input.configuration.rules {
        let trim = |v: Vec<String>| -> Vec<String> {
            v.into_iter().map(|s| s.trim().to_owned()).collect()
        };
        let r = CorsRule {
            allowed_origins: trim(rule.allowed_origins),
            allowed_methods: trim(rule.allowed_methods),
            allowed_headers: trim(rule.allowed_headers),
            expose_headers: trim(rule.expose_headers),
            max_age_seconds: rule.max_age_seconds.and_then(|a| u64::try_from(a).ok()),
        };
        if r.allowed_origins.is_empty() || r.allowed_methods.is_empty() {
            return Err(OssError::malformed_xml());
        }
        for m in &r.allowed_methods {
            if !matches!(m.as_str(), "GET" | "PUT" | "DELETE" | "POST" | "HEAD") {
                return Err(OssError::invalid_argument(format!(
                    "Unsupported method is {m}"
                )));
            }
        }
        rules.push(r);
    }
    if rules.len() > 10 {
        return Err(OssError::invalid_argument(
            "The number of CORS rules exceeds 10.",
        ));
    }
    let response_vary = input.configuration.response_vary.unwrap_or(false);
    ctx.store.update_bucket(req.bucket(), |b| {
        b.cors = Some(CorsConfig {
            rules,
            response_vary,
        });
    })?;
    Ok(Reply::ok())
}

fn no_cors(bucket: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "NoSuchCORSConfiguration",
        "The CORS Configuration does not exist.",
    )
    .ec("0019-00000001")
    .with("BucketName", bucket)
}

/// GET /bucket?cors.
pub(crate) fn get_bucket_cors(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let b = ctx.store.bucket(req.bucket())?;
    let cors = b.cors.ok_or_else(|| no_cors(req.bucket()))?;
    let output = oss_model::GetBucketCorsOutput {
        rules: cors
            .rules
            .iter()
            .map(|r| oss_model::CORSRule {
                allowed_origins: r.allowed_origins.clone(),
                allowed_methods: r.allowed_methods.clone(),
                allowed_headers: r.allowed_headers.clone(),
                expose_headers: r.expose_headers.clone(),
                max_age_seconds: r.max_age_seconds.and_then(|a| i64::try_from(a).ok()),
            })
            .collect(),
        response_vary: Some(cors.response_vary),
        request_id: None,
    };
    crate::typed::reply::<oss_proto::generated::GetBucketCors>(&output)
}

/// DELETE /bucket?cors.
pub(crate) fn delete_bucket_cors(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    ctx.store.update_bucket(req.bucket(), |b| b.cors = None)?;
    Ok(Reply::ok().status(StatusCode::NO_CONTENT))
}

/// `*` matches any run of characters (OSS allows one `*` in origins and headers).
fn wildcard_match(pattern: &str, value: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern.eq_ignore_ascii_case(value),
        Some((head, tail)) => {
            value.len() >= head.len() + tail.len()
                && value[..head.len()].eq_ignore_ascii_case(head)
                && value
                    .get(value.len() - tail.len()..)
                    .is_some_and(|t| t.eq_ignore_ascii_case(tail))
        }
    }
}

fn forbidden() -> OssError {
    OssError::new(StatusCode::FORBIDDEN, "AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Requet-Headers are not whitelisted by the resource's CORS spec.")
        .ec("0003-00000001")
}

/// OPTIONS on a bucket or object — the CORS preflight (OptionObject).
pub(crate) fn preflight(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let b = ctx.store.bucket(req.bucket())?;
    let origin = req.header("origin").ok_or_else(|| {
        OssError::invalid_argument("Preflight request requires an Origin header.")
    })?;
    let method = req.header("access-control-request-method").ok_or_else(|| {
        OssError::invalid_argument("Preflight request requires Access-Control-Request-Method.")
    })?;
    let asked: Vec<String> = req
        .header("access-control-request-headers")
        .map(|h| {
            h.split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let cors = b.cors.ok_or_else(forbidden)?;
    let rule = cors
        .rules
        .iter()
        .find(|r| {
            r.allowed_origins.iter().any(|o| wildcard_match(o, origin))
                && r.allowed_methods.iter().any(|m| m == method)
                && asked
                    .iter()
                    .all(|h| r.allowed_headers.iter().any(|p| wildcard_match(p, h)))
        })
        .ok_or_else(forbidden)?;
    let allow_origin = if rule.allowed_origins.iter().any(|o| o == "*") {
        "*".to_owned()
    } else {
        origin.to_owned()
    };
    let mut reply = Reply::ok()
        .header("Access-Control-Allow-Origin", allow_origin)
        .header(
            "Access-Control-Allow-Methods",
            rule.allowed_methods.join(", "),
        );
    if !asked.is_empty() {
        reply = reply.header("Access-Control-Allow-Headers", asked.join(", "));
    }
    if !rule.expose_headers.is_empty() {
        reply = reply.header(
            "Access-Control-Expose-Headers",
            rule.expose_headers.join(", "),
        );
    }
    if let Some(age) = rule.max_age_seconds {
        reply = reply.header("Access-Control-Max-Age", age.to_string());
    }
    if cors.response_vary {
        reply = reply.header(
            "Vary",
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        );
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::wildcard_match;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*", "http://a.com"));
        assert!(wildcard_match(
            "http://*.example.com",
            "http://www.example.com"
        ));
        assert!(!wildcard_match(
            "http://*.example.com",
            "http://www.other.com"
        ));
        assert!(wildcard_match("x-oss-*", "x-oss-meta-a"));
        assert!(wildcard_match("Content-Type", "content-type"));
    }
}
