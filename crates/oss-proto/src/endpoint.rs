//! Where requests go: the endpoint (from a region or given explicitly), the addressing style
//! (virtual-hosted, path, CNAME), and the final `http::Request` built from [`RequestParts`].
//!
//! | endpoint | host |
//! |---|---|
//! | [`Endpoint::from_region`] | `oss-{region}.aliyuncs.com` |
//! | [`EndpointKind::Internal`] | `oss-{region}-internal.aliyuncs.com` |
//! | [`EndpointKind::DualStack`] | `{region}.oss.aliyuncs.com` |
//! | [`EndpointKind::Accelerate`] | `oss-accelerate.aliyuncs.com` |
//! | [`EndpointKind::AccelerateOverseas`] | `oss-accelerate-overseas.aliyuncs.com` |
//! | [`Endpoint::cloudbox`] | `{cloudbox-id}.{region}.oss-cloudbox.aliyuncs.com` |
//! | vector buckets ([`Scope::Vector`]) | `{bucket}-{account}.{region}.oss-vectors.aliyuncs.com` |
//!
//! Virtual-hosted style puts the bucket in the host (`examplebucket.oss-cn-hangzhou.aliyuncs.com`),
//! path style in the path (`/examplebucket/key`), CNAME uses the endpoint as the bucket's own
//! domain. IP-address and `localhost` endpoints always use path style.
//!
//! Object keys are percent-encoded in the path byte by byte, keeping `/` and the unreserved
//! characters `A-Z a-z 0-9 - . _ ~`, as the official Python SDK does. Query names and values are
//! encoded the same way but `/` is encoded too; a valueless parameter is written bare (`?acl`).
//! The encoders are `oss_sign::encoding`'s, so the URL and the signature always agree.

use std::net::{Ipv4Addr, Ipv6Addr};

use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST};
use http::uri::Scheme;

use crate::Error;
use crate::operation::{RequestBody, RequestParts, Scope};
use crate::validate;

/// The signing product of OSS.
pub const PRODUCT_OSS: &str = "oss";
/// The signing product of CloudBox endpoints.
pub const PRODUCT_CLOUDBOX: &str = "oss-cloudbox";

/// Which regional endpoint [`Endpoint::from_region`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum EndpointKind {
    /// `oss-{region}.aliyuncs.com`.
    #[default]
    Public,
    /// `oss-{region}-internal.aliyuncs.com`, reachable from the region's VPCs and ECS instances.
    Internal,
    /// `{region}.oss.aliyuncs.com`, reachable over IPv4 and IPv6.
    DualStack,
    /// `oss-accelerate.aliyuncs.com`, global transfer acceleration.
    Accelerate,
    /// `oss-accelerate-overseas.aliyuncs.com`, acceleration outside the Chinese mainland.
    AccelerateOverseas,
}

/// How the bucket is addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AddressingStyle {
    /// `https://{bucket}.{endpoint}/{key}`.
    #[default]
    VirtualHosted,
    /// `https://{endpoint}/{bucket}/{key}`.
    Path,
    /// `https://{endpoint}/{key}`: the endpoint is a custom domain bound to the bucket.
    Cname,
}

/// An OSS endpoint and how to address buckets on it.
///
/// ```
/// use oss_proto::endpoint::{Endpoint, EndpointKind};
/// let e = Endpoint::from_region("cn-hangzhou", EndpointKind::Public).unwrap();
/// assert_eq!(e.authority(), "oss-cn-hangzhou.aliyuncs.com");
/// assert_eq!(e.region(), Some("cn-hangzhou"));
///
/// let local = Endpoint::parse("http://127.0.0.1:9000").unwrap();
/// assert_eq!(local.style(), oss_proto::endpoint::AddressingStyle::Path);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    scheme: Scheme,
    authority: String,
    style: AddressingStyle,
    force_path: bool,
    region: Option<String>,
    product: &'static str,
    account_id: Option<String>,
    vector_authority: Option<String>,
}

/// Checks a region id: one or more of `[a-z0-9-]`.
///
/// ```
/// assert!(oss_proto::endpoint::check_region("cn-hangzhou").is_ok());
/// assert!(oss_proto::endpoint::check_region("cn-hangzhou.evil.com").is_err());
/// ```
pub fn check_region(region: &str) -> Result<(), Error> {
    if !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Ok(())
    } else {
        Err(Error::InvalidRegion {
            region: region.chars().take(64).collect(),
        })
    }
}

impl Endpoint {
    /// The HTTPS endpoint of a region.
    ///
    /// ```
    /// use oss_proto::endpoint::{Endpoint, EndpointKind};
    /// let e = Endpoint::from_region("cn-hangzhou", EndpointKind::Internal).unwrap();
    /// assert_eq!(e.authority(), "oss-cn-hangzhou-internal.aliyuncs.com");
    /// let e = Endpoint::from_region("cn-hangzhou", EndpointKind::DualStack).unwrap();
    /// assert_eq!(e.authority(), "cn-hangzhou.oss.aliyuncs.com");
    /// ```
    pub fn from_region(region: &str, kind: EndpointKind) -> Result<Self, Error> {
        check_region(region)?;
        let authority = match kind {
            EndpointKind::Public => format!("oss-{region}.aliyuncs.com"),
            EndpointKind::Internal => format!("oss-{region}-internal.aliyuncs.com"),
            EndpointKind::DualStack => format!("{region}.oss.aliyuncs.com"),
            EndpointKind::Accelerate => "oss-accelerate.aliyuncs.com".to_owned(),
            EndpointKind::AccelerateOverseas => "oss-accelerate-overseas.aliyuncs.com".to_owned(),
        };
        let vector_authority = if kind == EndpointKind::Internal {
            format!("{region}-internal.oss-vectors.aliyuncs.com")
        } else {
            format!("{region}.oss-vectors.aliyuncs.com")
        };
        Ok(Endpoint {
            scheme: Scheme::HTTPS,
            authority,
            style: AddressingStyle::VirtualHosted,
            force_path: false,
            region: Some(region.to_owned()),
            product: PRODUCT_OSS,
            account_id: None,
            vector_authority: Some(vector_authority),
        })
    }

    /// A CloudBox endpoint, `{cloudbox_id}.{region}.oss-cloudbox.aliyuncs.com`, signed for
    /// product `oss-cloudbox` with the CloudBox id as the signing region.
    ///
    /// ```
    /// let e = oss_proto::endpoint::Endpoint::cloudbox("cb-f8z7yvzgwfkl9q0h", "cn-hangzhou").unwrap();
    /// assert_eq!(e.authority(), "cb-f8z7yvzgwfkl9q0h.cn-hangzhou.oss-cloudbox.aliyuncs.com");
    /// assert_eq!(e.product(), "oss-cloudbox");
    /// assert_eq!(e.region(), Some("cb-f8z7yvzgwfkl9q0h"));
    /// ```
    pub fn cloudbox(cloudbox_id: &str, region: &str) -> Result<Self, Error> {
        check_region(region)?;
        check_region(cloudbox_id).map_err(|_| Error::InvalidEndpoint {
            endpoint: cloudbox_id.chars().take(64).collect(),
            reason: "a CloudBox id is made of [a-z0-9-]".into(),
        })?;
        Ok(Endpoint {
            scheme: Scheme::HTTPS,
            authority: format!("{cloudbox_id}.{region}.oss-cloudbox.aliyuncs.com"),
            style: AddressingStyle::VirtualHosted,
            force_path: false,
            region: Some(cloudbox_id.to_owned()),
            product: PRODUCT_CLOUDBOX,
            account_id: None,
            vector_authority: None,
        })
    }

    /// An explicit endpoint: `host`, `host:port`, or either with an `http://`/`https://` scheme
    /// (HTTPS when none is given). IP addresses and `localhost` switch to path style. A
    /// `*.oss-cloudbox.aliyuncs.com` host of the form `cb-….{region}.oss-cloudbox.aliyuncs.com` is
    /// recognised as a CloudBox endpoint.
    ///
    /// ```
    /// use oss_proto::endpoint::Endpoint;
    /// let e = Endpoint::parse("http://oss-cn-hangzhou.aliyuncs.com").unwrap();
    /// assert_eq!(e.scheme(), "http");
    /// assert!(Endpoint::parse("ftp://example.com").is_err());
    /// ```
    pub fn parse(endpoint: &str) -> Result<Self, Error> {
        let invalid = |reason: &'static str| Error::InvalidEndpoint {
            endpoint: endpoint.chars().take(256).collect(),
            reason: reason.into(),
        };
        let trimmed = endpoint.trim();
        let (scheme, rest) = match trimmed.split_once("://") {
            Some((s, rest)) if s.eq_ignore_ascii_case("https") => (Scheme::HTTPS, rest),
            Some((s, rest)) if s.eq_ignore_ascii_case("http") => (Scheme::HTTP, rest),
            Some(_) => return Err(invalid("the scheme must be http or https")),
            None => (Scheme::HTTPS, trimmed),
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() {
            return Err(invalid("no host"));
        }
        if authority.contains(['/', '?', '#', '@']) {
            return Err(invalid(
                "an endpoint is a host with an optional port, without path, query or user",
            ));
        }
        let parsed: http::uri::Authority = authority
            .parse()
            .map_err(|_| invalid("not a valid host[:port]"))?;
        let host = parsed.host().to_ascii_lowercase();
        let authority = match parsed.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.clone(),
        };
        let force_path = is_ip_or_localhost(&host);
        let mut endpoint = Endpoint {
            scheme,
            authority,
            style: if force_path {
                AddressingStyle::Path
            } else {
                AddressingStyle::VirtualHosted
            },
            force_path,
            region: region_of_host(&host),
            product: PRODUCT_OSS,
            account_id: None,
            vector_authority: None,
        };
        if let Some(id) = cloudbox_id_of_host(&host) {
            endpoint.region = Some(id.to_owned());
            endpoint.product = PRODUCT_CLOUDBOX;
        }
        Ok(endpoint)
    }

    /// Uses plain HTTP instead of HTTPS.
    pub fn with_http(mut self) -> Self {
        self.scheme = Scheme::HTTP;
        self
    }

    /// Sets the addressing style. IP-address and `localhost` endpoints keep path style.
    ///
    /// ```
    /// use oss_proto::endpoint::{AddressingStyle, Endpoint};
    /// let e = Endpoint::parse("static.example.com").unwrap().with_style(AddressingStyle::Cname);
    /// assert_eq!(e.style(), AddressingStyle::Cname);
    /// let ip = Endpoint::parse("10.0.0.1").unwrap().with_style(AddressingStyle::VirtualHosted);
    /// assert_eq!(ip.style(), AddressingStyle::Path);
    /// ```
    pub fn with_style(mut self, style: AddressingStyle) -> Self {
        if !self.force_path {
            self.style = style;
        }
        self
    }

    /// Sets the signing region (for explicit endpoints whose host does not name one).
    pub fn with_region(mut self, region: &str) -> Result<Self, Error> {
        check_region(region)?;
        self.region = Some(region.to_owned());
        Ok(self)
    }

    /// Sets the account id that vector-bucket hosts carry (`{bucket}-{account}.…`): decimal
    /// digits, as the official SDKs require.
    ///
    /// ```
    /// use oss_proto::endpoint::{Endpoint, EndpointKind};
    /// let e = Endpoint::from_region("cn-hangzhou", EndpointKind::Public).unwrap();
    /// assert!(e.clone().with_account_id("1234567890").is_ok());
    /// assert!(e.with_account_id("12ab").is_err());
    /// ```
    pub fn with_account_id(mut self, account_id: &str) -> Result<Self, Error> {
        if account_id.is_empty() || !account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid_argument(
                "account_id",
                "an account id is made of decimal digits",
            ));
        }
        self.account_id = Some(account_id.to_owned());
        Ok(self)
    }

    /// Sets the host (and port) serving vector buckets, e.g. for an emulator. By default a
    /// regional endpoint uses `{region}.oss-vectors.aliyuncs.com` and an explicit endpoint
    /// itself.
    pub fn with_vector_endpoint(mut self, authority: &str) -> Result<Self, Error> {
        let parsed = Endpoint::parse(authority)?;
        self.vector_authority = Some(parsed.authority);
        Ok(self)
    }

    /// `https` or `http`.
    pub fn scheme(&self) -> &str {
        self.scheme.as_str()
    }

    /// The endpoint's host, with the port when one was given.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The addressing style in use.
    pub fn style(&self) -> AddressingStyle {
        self.style
    }

    /// The region to sign for, when known (the CloudBox id for CloudBox endpoints).
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The product to sign for: `oss`, or `oss-cloudbox`.
    pub fn product(&self) -> &'static str {
        self.product
    }

    /// The account id used in vector-bucket hosts.
    pub fn account_id(&self) -> Option<&str> {
        self.account_id.as_deref()
    }

    /// Where `parts` go for an operation of `scope`: the URI, the `Host` value, and the V4
    /// canonical URI.
    ///
    /// ```
    /// use oss_proto::endpoint::{Endpoint, EndpointKind};
    /// use oss_proto::operation::{RequestBody, RequestParts, Scope};
    /// let e = Endpoint::from_region("cn-hangzhou", EndpointKind::Public).unwrap();
    /// let parts = RequestParts {
    ///     method: http::Method::GET,
    ///     bucket: Some("examplebucket".into()),
    ///     key: Some("a b.txt".into()),
    ///     query: vec![],
    ///     headers: http::HeaderMap::new(),
    ///     body: RequestBody::Empty,
    /// };
    /// let address = e.address(Scope::Object, &parts).unwrap();
    /// assert_eq!(
    ///     address.uri.to_string(),
    ///     "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/a%20b.txt"
    /// );
    /// assert_eq!(address.canonical_uri, "/examplebucket/a%20b.txt");
    /// ```
    pub fn address(&self, scope: Scope, parts: &RequestParts) -> Result<Address, Error> {
        let bucket = match scope {
            Scope::Service => None,
            // Vector-service requests (ListVectorBuckets) have no bucket.
            Scope::Vector => parts.bucket.as_deref().filter(|b| !b.is_empty()),
            _ => Some(parts.bucket.as_deref().ok_or_else(|| {
                Error::invalid_argument("bucket", "is required for this operation")
            })?),
        };
        let key =
            match scope {
                Scope::Object => Some(parts.key.as_deref().ok_or_else(|| {
                    Error::invalid_argument("key", "is required for this operation")
                })?),
                Scope::Vector => parts.key.as_deref(),
                _ => None,
            };
        if let Some(b) = bucket {
            validate::bucket(b)?;
        }
        if let Some(k) = key {
            validate::key(k)?;
        }
        let encoded_key = key.map(encode_path);

        let base = match scope {
            Scope::Vector => self.vector_authority.as_deref().unwrap_or(&self.authority),
            _ => &self.authority,
        };
        let (host, path) = match (bucket, self.style) {
            (None, _) => (base.to_owned(), "/".to_owned()),
            (Some(b), AddressingStyle::Path) => (
                base.to_owned(),
                format!("/{b}/{}", encoded_key.as_deref().unwrap_or("")),
            ),
            (Some(_), AddressingStyle::Cname) if scope != Scope::Vector => (
                base.to_owned(),
                format!("/{}", encoded_key.as_deref().unwrap_or("")),
            ),
            (Some(b), _) if scope == Scope::Vector => {
                let account = self.account_id.as_deref().ok_or_else(|| {
                    Error::invalid_argument(
                        "account_id",
                        "vector-bucket requests need the endpoint's account id",
                    )
                })?;
                (
                    format!("{b}-{account}.{base}"),
                    format!("/{}", encoded_key.as_deref().unwrap_or("")),
                )
            }
            (Some(b), _) => (
                format!("{b}.{base}"),
                format!("/{}", encoded_key.as_deref().unwrap_or("")),
            ),
        };

        let canonical_uri = self
            .resource(scope, parts)?
            .canonical_uri(self.region.as_deref().unwrap_or(""));

        let query = encode_query(&parts.query);
        let path_and_query = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        let uri = http::Uri::builder()
            .scheme(self.scheme.clone())
            .authority(host.as_str())
            .path_and_query(path_and_query)
            .build()
            .map_err(|e| Error::InvalidEndpoint {
                endpoint: host.clone(),
                reason: e.to_string().into(),
            })?;
        Ok(Address {
            uri,
            host,
            canonical_uri,
        })
    }

    /// What the signer signs for `parts`: the bucket and key (and for vector buckets the
    /// account), independent of the addressing style. Sign with [`Endpoint::region`] and
    /// [`Endpoint::product`].
    ///
    /// ```
    /// use oss_proto::endpoint::{Endpoint, EndpointKind};
    /// use oss_proto::operation::{RequestBody, RequestParts, Scope};
    /// use oss_sign::request::Resource;
    /// let e = Endpoint::from_region("cn-hangzhou", EndpointKind::Public).unwrap();
    /// let parts = RequestParts {
    ///     method: http::Method::GET,
    ///     bucket: Some("examplebucket".into()),
    ///     key: Some("a b.txt".into()),
    ///     query: vec![],
    ///     headers: http::HeaderMap::new(),
    ///     body: RequestBody::Empty,
    /// };
    /// assert_eq!(
    ///     e.resource(Scope::Object, &parts).unwrap(),
    ///     Resource::Object { bucket: "examplebucket", key: "a b.txt" }
    /// );
    /// ```
    pub fn resource<'a>(
        &'a self,
        scope: Scope,
        parts: &'a RequestParts,
    ) -> Result<oss_sign::request::Resource<'a>, Error> {
        use oss_sign::request::Resource;
        let required = |value: Option<&'a str>, field: &'static str| {
            value.ok_or_else(|| Error::invalid_argument(field, "is required for this operation"))
        };
        Ok(match scope {
            Scope::Service => Resource::Service,
            Scope::Bucket => Resource::Bucket(required(parts.bucket.as_deref(), "bucket")?),
            Scope::Object => Resource::Object {
                bucket: required(parts.bucket.as_deref(), "bucket")?,
                key: required(parts.key.as_deref(), "key")?,
            },
            Scope::Vector => {
                let bucket = parts.bucket.as_deref().filter(|b| !b.is_empty());
                let account_id = match bucket {
                    Some(_) => self.account_id.as_deref().ok_or_else(|| {
                        Error::invalid_argument(
                            "account_id",
                            "vector-bucket requests need the endpoint's account id",
                        )
                    })?,
                    None => self.account_id.as_deref().unwrap_or(""),
                };
                Resource::Vector {
                    account_id,
                    bucket,
                    key: parts.key.as_deref(),
                }
            }
        })
    }

    /// The final request for an operation of `scope`: method, URI, the parts' headers, `Host`,
    /// `Content-Length` when known, and `Content-Type` (`application/xml`, or `application/json`
    /// for vector buckets) for an in-memory body that has none. `body` is whatever the
    /// transport sends; for [`RequestBody::Streaming`] set `Content-Length` in the parts'
    /// headers when the length is known.
    ///
    /// ```
    /// use oss_proto::endpoint::{Endpoint, EndpointKind};
    /// use oss_proto::operation::{RequestBody, RequestParts, Scope};
    /// let e = Endpoint::from_region("cn-hangzhou", EndpointKind::Public).unwrap();
    /// let xml = bytes::Bytes::from_static(b"<Tagging><TagSet/></Tagging>");
    /// let parts = RequestParts {
    ///     method: http::Method::PUT,
    ///     bucket: Some("examplebucket".into()),
    ///     key: None,
    ///     query: vec![("tagging".into(), None)],
    ///     headers: http::HeaderMap::new(),
    ///     body: RequestBody::Bytes(xml.clone()),
    /// };
    /// let request = e.build_request(Scope::Bucket, &parts, xml).unwrap();
    /// assert_eq!(request.uri(), "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/?tagging");
    /// assert_eq!(request.headers()["host"], "examplebucket.oss-cn-hangzhou.aliyuncs.com");
    /// assert_eq!(request.headers()["content-length"], "28");
    /// assert_eq!(request.headers()["content-type"], "application/xml");
    /// ```
    pub fn build_request<B>(
        &self,
        scope: Scope,
        parts: &RequestParts,
        body: B,
    ) -> Result<http::Request<B>, Error> {
        let address = self.address(scope, parts)?;
        let mut request = http::Request::new(body);
        *request.method_mut() = parts.method.clone();
        *request.uri_mut() = address.uri;
        let headers = request.headers_mut();
        headers.clone_from(&parts.headers);
        let host = http::HeaderValue::try_from(address.host.as_str()).map_err(|_| {
            Error::InvalidEndpoint {
                endpoint: address.host.clone(),
                reason: "not a valid Host header".into(),
            }
        })?;
        headers.insert(HOST, host);
        let sends_length = match &parts.body {
            RequestBody::Bytes(_) => true,
            RequestBody::Empty => matches!(
                parts.method,
                http::Method::PUT | http::Method::POST | http::Method::PATCH
            ),
            _ => false,
        };
        if sends_length
            && !headers.contains_key(CONTENT_LENGTH)
            && let Some(len) = parts.body.len()
        {
            headers.insert(CONTENT_LENGTH, http::HeaderValue::from(len));
        }
        if matches!(parts.body, RequestBody::Bytes(_)) && !headers.contains_key(CONTENT_TYPE) {
            let ct = if scope == Scope::Vector {
                "application/json"
            } else {
                "application/xml"
            };
            headers.insert(CONTENT_TYPE, http::HeaderValue::from_static(ct));
        }
        Ok(request)
    }
}

/// Where one request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Address {
    /// The full URI: scheme, host, encoded path and query.
    pub uri: http::Uri,
    /// The `Host` header value (with the port when not the default).
    pub host: String,
    /// The V4 canonical URI: `/{bucket}/{encoded key}` whatever the addressing style, `/` for
    /// service-level requests, `/acs:ossvector:{region}:{account}:{bucket}/{key}` encoded (`:`
    /// becomes `%3A`) for vector buckets. Computed by `oss_sign`'s
    /// [`Resource::canonical_uri`](oss_sign::request::Resource::canonical_uri).
    pub canonical_uri: String,
}

/// Percent-encodes an object key for the path: every byte but `/` and the unreserved
/// characters.
///
/// ```
/// assert_eq!(
///     oss_proto::endpoint::encode_path("dir one/file+name&=?#.txt"),
///     "dir%20one/file%2Bname%26%3D%3F%23.txt"
/// );
/// ```
pub fn encode_path(key: &str) -> String {
    oss_sign::encoding::encode_path(key)
}

/// Percent-encodes query pairs in order: `name=value`, a valueless parameter bare (`acl`).
///
/// ```
/// let q = vec![("uploads".to_owned(), None), ("prefix".to_owned(), Some("a/b c".to_owned()))];
/// assert_eq!(oss_proto::endpoint::encode_query(&q), "uploads&prefix=a%2Fb%20c");
/// ```
pub fn encode_query(query: &[(String, Option<String>)]) -> String {
    let pairs: Vec<(&str, Option<&str>)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_deref()))
        .collect();
    oss_sign::encoding::encode_query(&pairs)
}

fn is_ip_or_localhost(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || bare.parse::<Ipv4Addr>().is_ok() || bare.parse::<Ipv6Addr>().is_ok()
}

/// The region named by a standard OSS host: `oss-{region}[-internal].aliyuncs.com` or
/// `{region}.oss.aliyuncs.com`.
fn region_of_host(host: &str) -> Option<String> {
    let name = host.strip_suffix(".aliyuncs.com")?;
    let region = if let Some(r) = name.strip_suffix(".oss") {
        r
    } else if let Some(r) = name.strip_suffix(".oss-vectors") {
        r.strip_suffix("-internal").unwrap_or(r)
    } else {
        let r = name.strip_prefix("oss-")?;
        r.strip_suffix("-internal").unwrap_or(r)
    };
    if region.starts_with("accelerate") || check_region(region).is_err() {
        return None;
    }
    Some(region.to_owned())
}

/// The CloudBox id of a `cb-….{region}.oss-cloudbox[-control].aliyuncs.com` host.
fn cloudbox_id_of_host(host: &str) -> Option<&str> {
    if !(host.ends_with(".oss-cloudbox.aliyuncs.com")
        || host.ends_with(".oss-cloudbox-control.aliyuncs.com"))
    {
        return None;
    }
    let labels: Vec<&str> = host.split('.').collect();
    match labels.as_slice() {
        [id, _, _, _, _] if id.starts_with("cb-") => Some(id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use proptest::prelude::*;

    fn parts(bucket: Option<&str>, key: Option<&str>) -> RequestParts {
        RequestParts {
            method: http::Method::GET,
            bucket: bucket.map(str::to_owned),
            key: key.map(str::to_owned),
            query: Vec::new(),
            headers: http::HeaderMap::new(),
            body: RequestBody::Empty,
        }
    }

    fn hangzhou() -> Endpoint {
        Endpoint::from_region("cn-hangzhou", EndpointKind::Public).expect("endpoint")
    }

    fn url(e: &Endpoint, scope: Scope, p: &RequestParts) -> (String, String) {
        let a = e.address(scope, p).expect("address");
        (a.uri.to_string(), a.canonical_uri)
    }

    #[test]
    fn regional_hosts() {
        let host = |kind| {
            Endpoint::from_region("cn-hangzhou", kind)
                .expect("endpoint")
                .authority()
                .to_owned()
        };
        assert_eq!(host(EndpointKind::Public), "oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(
            host(EndpointKind::Internal),
            "oss-cn-hangzhou-internal.aliyuncs.com"
        );
        assert_eq!(
            host(EndpointKind::DualStack),
            "cn-hangzhou.oss.aliyuncs.com"
        );
        assert_eq!(
            host(EndpointKind::Accelerate),
            "oss-accelerate.aliyuncs.com"
        );
        assert_eq!(
            host(EndpointKind::AccelerateOverseas),
            "oss-accelerate-overseas.aliyuncs.com"
        );
    }

    #[test]
    fn region_ids_are_checked() {
        for bad in [
            "",
            "CN-hangzhou",
            "cn_hangzhou",
            "cn-hangzhou.evil.com",
            "a/b",
            "a b",
        ] {
            assert!(
                matches!(
                    Endpoint::from_region(bad, EndpointKind::Public),
                    Err(Error::InvalidRegion { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn virtual_hosted_urls() {
        let e = hangzhou();
        assert_eq!(
            url(
                &e,
                Scope::Object,
                &parts(Some("examplebucket"), Some("a b.txt"))
            ),
            (
                "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/a%20b.txt".into(),
                "/examplebucket/a%20b.txt".into()
            )
        );
        assert_eq!(
            url(&e, Scope::Bucket, &parts(Some("examplebucket"), None)),
            (
                "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/".into(),
                "/examplebucket/".into()
            )
        );
        assert_eq!(
            url(&e, Scope::Service, &parts(None, None)),
            ("https://oss-cn-hangzhou.aliyuncs.com/".into(), "/".into())
        );
    }

    #[test]
    fn path_style_urls() {
        let e = hangzhou().with_style(AddressingStyle::Path);
        assert_eq!(
            url(
                &e,
                Scope::Object,
                &parts(Some("examplebucket"), Some("dir/a.txt"))
            ),
            (
                "https://oss-cn-hangzhou.aliyuncs.com/examplebucket/dir/a.txt".into(),
                "/examplebucket/dir/a.txt".into()
            )
        );
        assert_eq!(
            url(&e, Scope::Bucket, &parts(Some("examplebucket"), None)),
            (
                "https://oss-cn-hangzhou.aliyuncs.com/examplebucket/".into(),
                "/examplebucket/".into()
            )
        );
    }

    #[test]
    fn cname_urls() {
        let e = Endpoint::parse("https://static.example.com")
            .expect("endpoint")
            .with_style(AddressingStyle::Cname);
        assert_eq!(
            url(
                &e,
                Scope::Object,
                &parts(Some("examplebucket"), Some("img/logo.png"))
            ),
            (
                "https://static.example.com/img/logo.png".into(),
                "/examplebucket/img/logo.png".into()
            )
        );
        assert_eq!(
            url(&e, Scope::Bucket, &parts(Some("examplebucket"), None)).0,
            "https://static.example.com/"
        );
    }

    #[test]
    fn ip_and_localhost_force_path_style() {
        for (endpoint, base) in [
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("localhost:9000", "https://localhost:9000"),
            ("http://[::1]:9000", "http://[::1]:9000"),
            ("192.168.1.10", "https://192.168.1.10"),
        ] {
            let e = Endpoint::parse(endpoint)
                .expect("endpoint")
                .with_style(AddressingStyle::VirtualHosted);
            assert_eq!(e.style(), AddressingStyle::Path, "{endpoint}");
            assert_eq!(
                url(&e, Scope::Object, &parts(Some("bucket"), Some("k"))).0,
                format!("{base}/bucket/k")
            );
        }
        let named = Endpoint::parse("oss.example.com").expect("endpoint");
        assert_eq!(named.style(), AddressingStyle::VirtualHosted);
    }

    #[test]
    fn explicit_endpoints() {
        let e = Endpoint::parse("http://oss-cn-shanghai.aliyuncs.com/").expect("endpoint");
        assert_eq!(e.scheme(), "http");
        assert_eq!(e.authority(), "oss-cn-shanghai.aliyuncs.com");
        assert_eq!(e.region(), Some("cn-shanghai"));
        assert_eq!(
            Endpoint::parse("oss-cn-shanghai-internal.aliyuncs.com")
                .expect("endpoint")
                .region(),
            Some("cn-shanghai")
        );
        assert_eq!(
            Endpoint::parse("cn-shanghai.oss.aliyuncs.com")
                .expect("endpoint")
                .region(),
            Some("cn-shanghai")
        );
        assert_eq!(
            Endpoint::parse("oss-accelerate.aliyuncs.com")
                .expect("endpoint")
                .region(),
            None
        );
        for bad in [
            "",
            "ftp://host",
            "https://",
            "host/path",
            "user@host",
            "host?x=1",
            "ho st",
        ] {
            assert!(
                matches!(Endpoint::parse(bad), Err(Error::InvalidEndpoint { .. })),
                "{bad}"
            );
        }
        let e = hangzhou().with_http();
        assert_eq!(
            url(&e, Scope::Bucket, &parts(Some("b-1"), None)).0,
            "http://b-1.oss-cn-hangzhou.aliyuncs.com/"
        );
    }

    #[test]
    fn cloudbox_endpoints() {
        let e = Endpoint::cloudbox("cb-f8z7yvzgwfkl9q0h", "cn-hangzhou").expect("endpoint");
        assert_eq!(e.product(), PRODUCT_CLOUDBOX);
        assert_eq!(
            url(&e, Scope::Object, &parts(Some("examplebucket"), Some("k"))).0,
            "https://examplebucket.cb-f8z7yvzgwfkl9q0h.cn-hangzhou.oss-cloudbox.aliyuncs.com/k"
        );
        let parsed = Endpoint::parse("cb-f8z7yvzgwfkl9q0h.cn-hangzhou.oss-cloudbox.aliyuncs.com")
            .expect("endpoint");
        assert_eq!(parsed.product(), PRODUCT_CLOUDBOX);
        assert_eq!(parsed.region(), Some("cb-f8z7yvzgwfkl9q0h"));
        assert_eq!(hangzhou().product(), PRODUCT_OSS);
    }

    #[test]
    fn vector_bucket_urls_and_canonical_uris() {
        // Resource paths from the shared vectors-arn.json (account 123, region cn-hangzhou);
        // the canonical URI encodes them as the Python SDK does (`quote(path, safe='/')`).
        let e = hangzhou().with_account_id("123").expect("account");
        let check = |p: RequestParts, uri: &str, path: &str, canonical: &str| {
            let a = e.address(Scope::Vector, &p).expect("address");
            assert_eq!(a.uri.to_string(), uri);
            assert_eq!(
                e.resource(Scope::Vector, &p)
                    .expect("resource")
                    .resource_path("cn-hangzhou"),
                path
            );
            assert_eq!(a.canonical_uri, canonical);
        };
        check(
            parts(None, None),
            "https://cn-hangzhou.oss-vectors.aliyuncs.com/",
            "/acs:ossvector:cn-hangzhou::/",
            "/acs%3Aossvector%3Acn-hangzhou%3A%3A/",
        );
        check(
            parts(Some("bucket"), None),
            "https://bucket-123.cn-hangzhou.oss-vectors.aliyuncs.com/",
            "/acs:ossvector:cn-hangzhou:123:bucket/",
            "/acs%3Aossvector%3Acn-hangzhou%3A123%3Abucket/",
        );
        check(
            parts(Some("bucket"), Some("key")),
            "https://bucket-123.cn-hangzhou.oss-vectors.aliyuncs.com/key",
            "/acs:ossvector:cn-hangzhou:123:bucket/key",
            "/acs%3Aossvector%3Acn-hangzhou%3A123%3Abucket/key",
        );
        check(
            parts(Some("bucket"), Some("key-1/key-2")),
            "https://bucket-123.cn-hangzhou.oss-vectors.aliyuncs.com/key-1/key-2",
            "/acs:ossvector:cn-hangzhou:123:bucket/key-1/key-2",
            "/acs%3Aossvector%3Acn-hangzhou%3A123%3Abucket/key-1/key-2",
        );

        let internal = Endpoint::from_region("cn-hangzhou", EndpointKind::Internal)
            .expect("endpoint")
            .with_account_id("123")
            .expect("account");
        assert_eq!(
            url(&internal, Scope::Vector, &parts(Some("bucket"), None)).0,
            "https://bucket-123.cn-hangzhou-internal.oss-vectors.aliyuncs.com/"
        );
        assert!(matches!(
            hangzhou().address(Scope::Vector, &parts(Some("bucket"), None)),
            Err(Error::InvalidArgument { .. })
        ));
    }

    /// URLs written by the official Python SDK v2 (`/work/shared/vectors/python-sdk`).
    #[test]
    fn python_sdk_urls() {
        let e = Endpoint::from_region("cn-hangzhou", EndpointKind::Public).expect("endpoint");
        let (uri, canonical) = url(
            &e,
            Scope::Object,
            &parts(
                Some("oss-example"),
                Some("dir one/子目录/file name ü+&=?#.txt"),
            ),
        );
        assert_eq!(
            uri,
            "https://oss-example.oss-cn-hangzhou.aliyuncs.com/dir%20one/%E5%AD%90%E7%9B%AE%E5%BD%95/file%20name%20%C3%BC%2B%26%3D%3F%23.txt"
        );
        assert_eq!(
            canonical,
            "/oss-example/dir%20one/%E5%AD%90%E7%9B%AE%E5%BD%95/file%20name%20%C3%BC%2B%26%3D%3F%23.txt"
        );

        let mut p = parts(Some("oss-example"), None);
        for (k, v) in [
            ("list-type", "2"),
            ("prefix", "photos/2025 年/"),
            ("delimiter", "/"),
            ("continuation-token", "ChR0ZXN0L2ZpbGUrbmFtZT0xLnR4dBAA"),
            ("max-keys", "100"),
            ("encoding-type", "url"),
        ] {
            p.query.push((k.into(), Some(v.into())));
        }
        assert_eq!(
            url(&e, Scope::Bucket, &p).0,
            "https://oss-example.oss-cn-hangzhou.aliyuncs.com/?list-type=2&prefix=photos%2F2025%20%E5%B9%B4%2F&delimiter=%2F&continuation-token=ChR0ZXN0L2ZpbGUrbmFtZT0xLnR4dBAA&max-keys=100&encoding-type=url"
        );
        // The Python SDK writes `?uploads=`; we write the documented bare form.
        let mut p = parts(Some("oss-example"), Some("big/object.bin"));
        p.query.push(("uploads".into(), None));
        assert_eq!(
            url(&e, Scope::Object, &p).0,
            "https://oss-example.oss-cn-hangzhou.aliyuncs.com/big/object.bin?uploads"
        );
        let mut p = parts(Some("oss-example"), None);
        p.query.push(("acl".into(), Some(String::new())));
        assert_eq!(
            url(&e, Scope::Bucket, &p).0,
            "https://oss-example.oss-cn-hangzhou.aliyuncs.com/?acl="
        );
    }

    #[test]
    fn missing_or_invalid_bucket_and_key() {
        let e = hangzhou();
        assert!(matches!(
            e.address(Scope::Bucket, &parts(None, None)),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(matches!(
            e.address(Scope::Object, &parts(Some("bucket"), None)),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(matches!(
            e.address(Scope::Bucket, &parts(Some("evil.com/x"), None)),
            Err(Error::InvalidBucketName { .. })
        ));
        assert!(matches!(
            e.address(Scope::Object, &parts(Some("bucket"), Some("/abs"))),
            Err(Error::InvalidObjectKey { .. })
        ));
    }

    #[test]
    fn final_request_headers() {
        let e = hangzhou();
        let mut p = parts(Some("examplebucket"), Some("k"));
        p.method = http::Method::PUT;
        p.headers.insert(
            "x-oss-object-acl",
            http::HeaderValue::from_static("private"),
        );
        let r = e.build_request(Scope::Object, &p, ()).expect("request");
        assert_eq!(r.method(), http::Method::PUT);
        assert_eq!(r.headers()["content-length"], "0");
        assert_eq!(r.headers()["x-oss-object-acl"], "private");
        assert!(!r.headers().contains_key("content-type"));

        let r = e
            .build_request(Scope::Object, &parts(Some("examplebucket"), Some("k")), ())
            .expect("request");
        assert!(
            !r.headers().contains_key("content-length"),
            "no length on GET"
        );

        p.body = RequestBody::Streaming;
        p.headers
            .insert(CONTENT_LENGTH, http::HeaderValue::from_static("1048576"));
        p.headers
            .insert(CONTENT_TYPE, http::HeaderValue::from_static("image/png"));
        let r = e
            .build_request(Scope::Object, &p, "stream")
            .expect("request");
        assert_eq!(r.headers()["content-length"], "1048576");
        assert_eq!(r.headers()["content-type"], "image/png");
        assert_eq!(*r.body(), "stream");

        let mut p = parts(Some("bucket"), None);
        p.method = http::Method::PUT;
        p.body = RequestBody::Bytes(Bytes::from_static(b"{}"));
        let r = e
            .clone()
            .with_account_id("123")
            .expect("account")
            .build_request(Scope::Vector, &p, Bytes::from_static(b"{}"))
            .expect("request");
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(
            r.headers()["host"],
            "bucket-123.cn-hangzhou.oss-vectors.aliyuncs.com"
        );

        let local = Endpoint::parse("http://127.0.0.1:9000").expect("endpoint");
        let r = local
            .build_request(Scope::Bucket, &parts(Some("bucket"), None), ())
            .expect("request");
        assert_eq!(r.headers()["host"], "127.0.0.1:9000");
    }

    proptest! {
        #[test]
        fn encoded_keys_round_trip_and_stay_ascii(key in "\\PC{1,200}") {
            let encoded = encode_path(&key);
            prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)));
            let decoded = percent_encoding::percent_decode_str(&encoded)
                .decode_utf8()
                .map(|d| d.into_owned());
            prop_assert_eq!(decoded.ok(), Some(key));
        }

        #[test]
        fn parse_never_panics(endpoint in "\\PC{0,80}") {
            if let Ok(e) = Endpoint::parse(&endpoint) {
                let _ = e.address(Scope::Bucket, &parts(Some("bucket"), None));
            }
        }

        #[test]
        fn address_never_panics(bucket in "\\PC{0,70}", key in "\\PC{0,300}") {
            let e = hangzhou();
            let _ = e.address(Scope::Object, &parts(Some(&bucket), Some(&key)));
        }
    }
}
