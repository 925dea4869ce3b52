//! 3xx responses: which redirects the client follows (same origin, same resource kind, the
//! method kept, at most [`ConfigBuilder::max_redirects`](crate::ConfigBuilder::max_redirects)
//! in a row, each re-signed) and the typed [`Redirect`] error for the others.

use std::fmt;

use oss_proto::ServiceError;
use oss_proto::endpoint::{AddressingStyle, Endpoint};
use oss_proto::operation::{RequestParts, Scope};

/// Why a redirect was returned to the caller instead of followed.
///
/// ```
/// use oss_client::NotFollowed;
/// assert_eq!(NotFollowed::CrossOrigin.to_string(), "it leads to another origin");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotFollowed {
    /// The response had no usable `Location` (OSS's `PermanentRedirect` names the right
    /// endpoint in its document instead: see [`Redirect::endpoint`]).
    NoLocation,
    /// The `Location` is on another scheme, host or port: the signed request is not sent
    /// there.
    CrossOrigin,
    /// The `Location` is not an address of the same bucket (or of an object in it, for an
    /// object request) under the client's addressing style.
    OtherResource,
    /// A 301, 302 or 303 to a request that is not a GET or HEAD (following it would change
    /// the method).
    MethodChange,
    /// The request body was a one-shot stream already sent.
    BodyNotReplayable,
    /// The client already followed this many redirects for the request (0: following is off).
    TooMany(u32),
}

impl fmt::Display for NotFollowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotFollowed::NoLocation => f.write_str("it has no usable Location"),
            NotFollowed::CrossOrigin => f.write_str("it leads to another origin"),
            NotFollowed::OtherResource => f.write_str("it leads outside the request's bucket"),
            NotFollowed::MethodChange => f.write_str("following it would change the method"),
            NotFollowed::BodyNotReplayable => f.write_str("the request body cannot be resent"),
            NotFollowed::TooMany(0) => f.write_str("following redirects is off"),
            NotFollowed::TooMany(n) => write!(f, "{n} redirects were already followed"),
        }
    }
}

/// A 3xx redirect the client did not follow ([`Error::Redirect`](crate::Error::Redirect)).
///
/// ```
/// use oss_client::{NotFollowed, Redirect};
/// let mut doc = oss_proto::ServiceError::new(301);
/// doc.code = "PermanentRedirect".into();
/// doc.extra.insert("Endpoint".into(), "oss-cn-beijing.aliyuncs.com".into());
/// let redirect = Redirect::new("GetObject", None, doc, NotFollowed::NoLocation);
/// assert_eq!(redirect.status().as_u16(), 301);
/// assert_eq!(redirect.endpoint(), Some("oss-cn-beijing.aliyuncs.com"));
/// assert_eq!(redirect.location(), None);
/// ```
#[derive(Debug, Clone)]
pub struct Redirect {
    operation: &'static str,
    location: Option<String>,
    service: ServiceError,
    pub(crate) reason: NotFollowed,
    /// The request following this redirect sends, when it may be followed.
    pub(crate) next: Option<RequestParts>,
}

impl Redirect {
    /// A redirect of `operation` to `location`, with the response read as an error document.
    pub fn new(
        operation: &'static str,
        location: Option<String>,
        service: ServiceError,
        reason: NotFollowed,
    ) -> Self {
        Redirect {
            operation,
            location,
            service,
            reason,
            next: None,
        }
    }

    /// The operation redirected.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The status (301, 302, 303, 307, 308).
    pub fn status(&self) -> http::StatusCode {
        self.service.status
    }

    /// The `Location` header, resolved against the request's URI when it was relative.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The endpoint OSS names in a `PermanentRedirect` document (the bucket's region).
    pub fn endpoint(&self) -> Option<&str> {
        self.service.extra.get("Endpoint").map(String::as_str)
    }

    /// The response read as an error document: code (`PermanentRedirect`), message, request id.
    pub fn service_error(&self) -> &ServiceError {
        &self.service
    }

    /// Why the client did not follow it.
    pub fn reason(&self) -> NotFollowed {
        self.reason
    }
}

impl fmt::Display for Redirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: redirected ({}",
            self.operation,
            self.service.status.as_u16()
        )?;
        if !self.service.code.is_empty() {
            write!(f, " {}", self.service.code)?;
        }
        f.write_str(")")?;
        if let Some(location) = &self.location {
            write!(f, " to {location}")?;
        } else if let Some(endpoint) = self.endpoint() {
            write!(f, " to endpoint {endpoint}")?;
        }
        write!(f, ", not followed: {}", self.reason)?;
        if !self.service.request_id.is_empty() {
            write!(f, " (request id {})", self.service.request_id)?;
        }
        Ok(())
    }
}

/// True for the statuses that redirect (not 300 and 304, which are answers).
pub(crate) fn is_redirect(status: http::StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// `location` resolved against `base`: an absolute URI, or a path (with query) on `base`'s
/// origin.
pub(crate) fn resolve(base: &http::Uri, location: &str) -> Option<http::Uri> {
    if location.starts_with('/') && !location.starts_with("//") {
        let mut parts = base.clone().into_parts();
        parts.path_and_query = Some(location.parse().ok()?);
        return http::Uri::from_parts(parts).ok();
    }
    let uri: http::Uri = location.parse().ok()?;
    (uri.scheme().is_some() && uri.authority().is_some()).then_some(uri)
}

fn default_port(scheme: Option<&str>) -> Option<u16> {
    match scheme {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    }
}

/// True when `a` and `b` share scheme, host (case-insensitively) and port.
pub(crate) fn same_origin(a: &http::Uri, b: &http::Uri) -> bool {
    let (Some(aa), Some(ba)) = (a.authority(), b.authority()) else {
        return false;
    };
    a.scheme_str()
        .zip(b.scheme_str())
        .is_some_and(|(x, y)| x.eq_ignore_ascii_case(y))
        && aa.host().eq_ignore_ascii_case(ba.host())
        && aa.port_u16().or(default_port(a.scheme_str()))
            == ba.port_u16().or(default_port(b.scheme_str()))
}

/// The request parts addressing `target` (same origin as the request): the same bucket, the
/// key and query `target` names, headers and body unchanged. `None` when `target` is not an
/// address of the request's bucket (or of an object in it) under `endpoint`'s style.
pub(crate) fn retarget(
    endpoint: &Endpoint,
    scope: Scope,
    parts: &RequestParts,
    target: &http::Uri,
) -> Option<RequestParts> {
    let path = target.path();
    let rest = match (scope, endpoint.style()) {
        (Scope::Vector, _) => return None,
        (Scope::Service, _) => path,
        (_, AddressingStyle::Path) => {
            let bucket = parts.bucket.as_deref()?;
            let rest = path.strip_prefix('/')?.strip_prefix(bucket)?;
            if rest.is_empty() { "/" } else { rest }
        }
        _ => path,
    };
    let encoded_key = rest.strip_prefix('/')?;
    let key = percent_encoding::percent_decode_str(encoded_key)
        .decode_utf8()
        .ok()?
        .into_owned();
    let mut next = parts.clone();
    match scope {
        Scope::Object if !key.is_empty() => next.key = Some(key),
        Scope::Service | Scope::Bucket if key.is_empty() => {}
        _ => return None,
    }
    next.query = oss_sign::encoding::decode_query(target.query().unwrap_or(""));
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oss_proto::endpoint::EndpointKind;
    use oss_proto::operation::RequestBody;

    fn parts(key: Option<&str>) -> RequestParts {
        RequestParts {
            method: http::Method::GET,
            bucket: Some("examplebucket".into()),
            key: key.map(Into::into),
            query: vec![("versionId".into(), Some("v1".into()))],
            headers: http::HeaderMap::new(),
            body: RequestBody::Empty,
        }
    }

    fn uri(s: &str) -> http::Uri {
        s.parse().unwrap()
    }

    #[test]
    fn relative_and_absolute_locations() {
        let base = uri("https://b.oss-cn-hangzhou.aliyuncs.com/a.txt?x=1");
        assert_eq!(
            resolve(&base, "/dir/b%20c.txt?y=2").unwrap(),
            uri("https://b.oss-cn-hangzhou.aliyuncs.com/dir/b%20c.txt?y=2")
        );
        assert_eq!(
            resolve(&base, "http://app.example/done").unwrap(),
            uri("http://app.example/done")
        );
        assert!(resolve(&base, "//evil.example/x").is_none());
        assert!(resolve(&base, "not a uri").is_none());
        assert!(resolve(&base, "relative/path").is_none());
    }

    #[test]
    fn origins() {
        let a = uri("https://b.oss-cn-hangzhou.aliyuncs.com/a");
        assert!(same_origin(
            &a,
            &uri("https://B.OSS-cn-hangzhou.aliyuncs.com:443/x")
        ));
        assert!(!same_origin(
            &a,
            &uri("http://b.oss-cn-hangzhou.aliyuncs.com/a")
        ));
        assert!(!same_origin(
            &a,
            &uri("https://b.oss-cn-hangzhou.aliyuncs.com:8443/a")
        ));
        assert!(!same_origin(
            &a,
            &uri("https://c.oss-cn-hangzhou.aliyuncs.com/a")
        ));
        assert!(!same_origin(&a, &uri("/a")));
    }

    #[test]
    fn retargets_within_the_bucket() {
        let virtual_hosted = Endpoint::from_region("cn-hangzhou", EndpointKind::Public).unwrap();
        let target = uri(
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/new%20dir/%E6%96%87+a.txt?versionId=v2&x-oss-process",
        );
        let next = retarget(&virtual_hosted, Scope::Object, &parts(Some("a")), &target).unwrap();
        assert_eq!(next.key.as_deref(), Some("new dir/文+a.txt"));
        assert_eq!(
            next.query,
            vec![
                ("versionId".to_owned(), Some("v2".to_owned())),
                ("x-oss-process".to_owned(), None)
            ]
        );
        // An object request is not redirected to the bucket, a bucket request not to an object.
        let root = uri("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/");
        assert!(retarget(&virtual_hosted, Scope::Object, &parts(Some("a")), &root).is_none());
        assert!(retarget(&virtual_hosted, Scope::Bucket, &parts(None), &target).is_none());
        assert!(retarget(&virtual_hosted, Scope::Bucket, &parts(None), &root).is_some());
        // Path style: the path must stay under the bucket.
        let path_style = Endpoint::parse("http://127.0.0.1:9000")
            .unwrap()
            .with_style(AddressingStyle::Path);
        let other = uri("http://127.0.0.1:9000/otherbucket/a");
        assert!(retarget(&path_style, Scope::Object, &parts(Some("a")), &other).is_none());
        let moved = uri("http://127.0.0.1:9000/examplebucket/b%2Bc");
        let next = retarget(&path_style, Scope::Object, &parts(Some("a")), &moved).unwrap();
        assert_eq!(next.key.as_deref(), Some("b+c"));
        assert!(next.query.is_empty());
        // Keys that are not UTF-8 are not followed.
        let bad = uri("http://127.0.0.1:9000/examplebucket/%FF");
        assert!(retarget(&path_style, Scope::Object, &parts(Some("a")), &bad).is_none());
    }
}
