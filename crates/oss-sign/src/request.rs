//! The borrowed view of a request that every signer and the verifier read: method, resource,
//! decoded query pairs and headers.

use http::HeaderMap;

/// What a request addresses. The canonical URI is derived from this, never from the URL, so
/// virtual-hosted, path-style and custom-domain addressing all sign the same.
///
/// ```
/// use oss_sign::request::Resource;
/// assert_eq!(Resource::Object { bucket: "b", key: "a/b c" }.canonical_uri("cn-hangzhou"), "/b/a/b%20c");
/// assert_eq!(Resource::Bucket("b").canonical_uri("cn-hangzhou"), "/b/");
/// assert_eq!(Resource::Service.canonical_uri("cn-hangzhou"), "/");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resource<'a> {
    /// A service-level request (`ListBuckets`): `/`.
    Service,
    /// A bucket-level request: `/bucket/`.
    Bucket(&'a str),
    /// An object-level request: `/bucket/key` (the key unencoded).
    Object {
        /// The bucket name.
        bucket: &'a str,
        /// The object key, unencoded.
        key: &'a str,
    },
    /// A vector-bucket request, signed (V4 only) with the canonical URI
    /// `/acs:ossvector:{region}:{account_id}:{bucket}/{key}` (service level:
    /// `/acs:ossvector:{region}::/`). The region is the signing region.
    Vector {
        /// The Alibaba Cloud account id owning the vector bucket.
        account_id: &'a str,
        /// The vector bucket, or `None` for a service-level request.
        bucket: Option<&'a str>,
        /// The key (index name path), if any.
        key: Option<&'a str>,
    },
}

impl<'a> Resource<'a> {
    /// The resource path before percent-encoding (what `vectors-arn.json` lists).
    ///
    /// ```
    /// use oss_sign::request::Resource;
    /// let r = Resource::Vector { account_id: "123", bucket: Some("bucket"), key: Some("k") };
    /// assert_eq!(r.resource_path("cn-hangzhou"), "/acs:ossvector:cn-hangzhou:123:bucket/k");
    /// ```
    pub fn resource_path(&self, region: &str) -> String {
        let mut out = Vec::new();
        self.write_path(&mut out, region, |out, s| out.extend_from_slice(s));
        crate::encoding::bytes_to_string(out)
    }

    /// The V4 canonical URI: [`Resource::resource_path`] percent-encoded (`/` kept).
    ///
    /// ```
    /// use oss_sign::request::Resource;
    /// let r = Resource::Object { bucket: "bucket", key: "1234+-/123/1.txt" };
    /// assert_eq!(r.canonical_uri("cn-hangzhou"), "/bucket/1234%2B-/123/1.txt");
    /// ```
    pub fn canonical_uri(&self, region: &str) -> String {
        let mut out = Vec::new();
        self.write_canonical_uri(&mut out, region);
        crate::encoding::bytes_to_string(out)
    }

    pub(crate) fn write_canonical_uri(&self, out: &mut Vec<u8>, region: &str) {
        self.write_path(out, region, |out, s| {
            crate::encoding::push_encoded(out, s, true);
        });
    }

    fn write_path(
        &self,
        out: &mut Vec<u8>,
        region: &str,
        mut put: impl FnMut(&mut Vec<u8>, &[u8]),
    ) {
        match *self {
            Resource::Service => out.push(b'/'),
            Resource::Bucket(bucket) => {
                out.push(b'/');
                put(out, bucket.as_bytes());
                out.push(b'/');
            }
            Resource::Object { bucket, key } => {
                out.push(b'/');
                put(out, bucket.as_bytes());
                out.push(b'/');
                put(out, key.as_bytes());
            }
            Resource::Vector {
                account_id,
                bucket,
                key,
            } => {
                out.push(b'/');
                put(out, b"acs:ossvector:");
                put(out, region.as_bytes());
                put(out, b":");
                match bucket {
                    Some(bucket) => {
                        put(out, account_id.as_bytes());
                        put(out, b":");
                        put(out, bucket.as_bytes());
                        out.push(b'/');
                    }
                    None => {
                        put(out, b":");
                        out.push(b'/');
                    }
                }
                if let Some(key) = key {
                    put(out, key.as_bytes());
                }
            }
        }
    }

    /// The V1 canonicalized resource path: `/bucket/key` with the key unencoded.
    pub(crate) fn v1_path(&self, out: &mut Vec<u8>) -> Result<(), crate::SignError> {
        match self {
            Resource::Vector { .. } => Err(crate::SignError::UnsupportedResource {
                reason: "V1 signing does not support vector buckets",
            }),
            _ => {
                self.write_path(out, "", |out, s| out.extend_from_slice(s));
                Ok(())
            }
        }
    }
}

type BorrowedQuery<'a> = &'a [(&'a str, Option<&'a str>)];
type OwnedQuery<'a> = &'a [(String, Option<String>)];
type BorrowedHeaders<'a> = &'a [(&'a str, &'a str)];
type OwnedHeaders<'a> = &'a [(String, String)];

/// Decoded query parameters: `(name, value)`, a `None` value for a valueless parameter
/// (`?acl`). Borrowed from `&str` pairs or from owned `String` pairs.
///
/// ```
/// use oss_sign::request::Query;
/// let pairs = [("acl", None), ("versionId", Some("v1"))];
/// let q = Query::from(&pairs[..]);
/// assert_eq!(q.len(), 2);
/// assert_eq!(q.get("versionId"), Some(Some("v1")));
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Query<'a> {
    /// Borrowed string pairs.
    Borrowed(&'a [(&'a str, Option<&'a str>)]),
    /// Owned string pairs (for example from [`crate::encoding::decode_query`]).
    Owned(&'a [(String, Option<String>)]),
}

impl<'a> Query<'a> {
    /// No parameters.
    ///
    /// ```
    /// assert!(oss_sign::request::Query::EMPTY.is_empty());
    /// ```
    pub const EMPTY: Query<'static> = Query::Borrowed(&[]);

    /// The number of parameters.
    ///
    /// ```
    /// assert_eq!(oss_sign::request::Query::EMPTY.len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        match self {
            Query::Borrowed(p) => p.len(),
            Query::Owned(p) => p.len(),
        }
    }

    /// Whether there are no parameters.
    ///
    /// ```
    /// assert!(oss_sign::request::Query::EMPTY.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The parameters in order.
    ///
    /// ```
    /// let pairs = vec![("k".to_string(), None)];
    /// let q = oss_sign::request::Query::from(&pairs);
    /// assert_eq!(q.iter().collect::<Vec<_>>(), vec![("k", None)]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, Option<&'a str>)> + 'a {
        let (b, o): (BorrowedQuery<'a>, OwnedQuery<'a>) = match *self {
            Query::Borrowed(p) => (p, &[]),
            Query::Owned(p) => (&[], p),
        };
        b.iter()
            .map(|(k, v)| (*k, *v))
            .chain(o.iter().map(|(k, v)| (k.as_str(), v.as_deref())))
    }

    /// The value of the first parameter named `name` (case-sensitive): `Some(None)` when it is
    /// present without a value.
    ///
    /// ```
    /// let q = oss_sign::request::Query::from(&[("acl", None)][..]);
    /// assert_eq!(q.get("acl"), Some(None));
    /// assert_eq!(q.get("ACL"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<Option<&'a str>> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }
}

impl<'a> From<&'a [(&'a str, Option<&'a str>)]> for Query<'a> {
    fn from(p: &'a [(&'a str, Option<&'a str>)]) -> Self {
        Query::Borrowed(p)
    }
}

impl<'a, const N: usize> From<&'a [(&'a str, Option<&'a str>); N]> for Query<'a> {
    fn from(p: &'a [(&'a str, Option<&'a str>); N]) -> Self {
        Query::Borrowed(p)
    }
}

impl<'a> From<&'a [(String, Option<String>)]> for Query<'a> {
    fn from(p: &'a [(String, Option<String>)]) -> Self {
        Query::Owned(p)
    }
}

impl<'a> From<&'a Vec<(String, Option<String>)>> for Query<'a> {
    fn from(p: &'a Vec<(String, Option<String>)>) -> Self {
        Query::Owned(p)
    }
}

impl<'a> From<&'a Vec<(&'a str, Option<&'a str>)>> for Query<'a> {
    fn from(p: &'a Vec<(&'a str, Option<&'a str>)>) -> Self {
        Query::Borrowed(p)
    }
}

/// Request headers: an [`http::HeaderMap`] or plain `(name, value)` pairs (names in any case;
/// a repeated name is a multi-valued header).
///
/// ```
/// use oss_sign::request::Headers;
/// let mut map = http::HeaderMap::new();
/// map.insert("content-type", "text/plain".parse().unwrap());
/// let from_map = Headers::from(&map);
/// let pairs = [("Content-Type", "text/plain")];
/// let from_pairs = Headers::from(&pairs[..]);
/// assert_eq!(from_map.get("content-type"), Some(&b"text/plain"[..]));
/// assert_eq!(from_pairs.get("content-type"), Some(&b"text/plain"[..]));
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Headers<'a> {
    /// An `http` header map.
    Map(&'a HeaderMap),
    /// Borrowed `(name, value)` pairs.
    Pairs(&'a [(&'a str, &'a str)]),
    /// Owned `(name, value)` pairs.
    OwnedPairs(&'a [(String, String)]),
}

impl<'a> Headers<'a> {
    /// No headers.
    ///
    /// ```
    /// assert!(oss_sign::request::Headers::EMPTY.is_empty());
    /// ```
    pub const EMPTY: Headers<'static> = Headers::Pairs(&[]);

    /// Every `(name, value)` in order; names as given (a `HeaderMap`'s are lower case).
    ///
    /// ```
    /// let h = oss_sign::request::Headers::from(&[("A", "1"), ("a", "2")][..]);
    /// assert_eq!(h.iter().count(), 2);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a [u8])> + 'a {
        let (m, p, o): (Option<&'a HeaderMap>, BorrowedHeaders<'a>, OwnedHeaders<'a>) = match *self
        {
            Headers::Map(m) => (Some(m), &[], &[]),
            Headers::Pairs(p) => (None, p, &[]),
            Headers::OwnedPairs(o) => (None, &[], o),
        };
        m.into_iter()
            .flat_map(|m| m.iter().map(|(k, v)| (k.as_str(), v.as_bytes())))
            .chain(p.iter().map(|(k, v)| (*k, v.as_bytes())))
            .chain(o.iter().map(|(k, v)| (k.as_str(), v.as_bytes())))
    }

    /// The number of `(name, value)` entries.
    ///
    /// ```
    /// assert_eq!(oss_sign::request::Headers::EMPTY.len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        match self {
            Headers::Map(m) => m.len(),
            Headers::Pairs(p) => p.len(),
            Headers::OwnedPairs(o) => o.len(),
        }
    }

    /// Whether there are no headers.
    ///
    /// ```
    /// assert!(oss_sign::request::Headers::EMPTY.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first value of the header `name` (compared case-insensitively).
    ///
    /// ```
    /// let h = oss_sign::request::Headers::from(&[("Content-MD5", "abc")][..]);
    /// assert_eq!(h.get("content-md5"), Some(&b"abc"[..]));
    /// ```
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        match *self {
            Headers::Map(m) => m.get(name).map(http::HeaderValue::as_bytes),
            _ => self
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v),
        }
    }

    /// The first value of `name` as text, if it is valid UTF-8.
    pub(crate) fn get_str(&self, name: &str) -> Option<&'a str> {
        self.get(name).and_then(|v| std::str::from_utf8(v).ok())
    }
}

impl<'a> From<&'a HeaderMap> for Headers<'a> {
    fn from(m: &'a HeaderMap) -> Self {
        Headers::Map(m)
    }
}

impl<'a> From<&'a [(&'a str, &'a str)]> for Headers<'a> {
    fn from(p: &'a [(&'a str, &'a str)]) -> Self {
        Headers::Pairs(p)
    }
}

impl<'a, const N: usize> From<&'a [(&'a str, &'a str); N]> for Headers<'a> {
    fn from(p: &'a [(&'a str, &'a str); N]) -> Self {
        Headers::Pairs(p)
    }
}

impl<'a> From<&'a [(String, String)]> for Headers<'a> {
    fn from(p: &'a [(String, String)]) -> Self {
        Headers::OwnedPairs(p)
    }
}

impl<'a> From<&'a Vec<(String, String)>> for Headers<'a> {
    fn from(p: &'a Vec<(String, String)>) -> Self {
        Headers::OwnedPairs(p)
    }
}

impl<'a> From<&'a Vec<(&'a str, &'a str)>> for Headers<'a> {
    fn from(p: &'a Vec<(&'a str, &'a str)>) -> Self {
        Headers::Pairs(p)
    }
}

/// A borrowed view of one request, as the signers and the verifier read it.
///
/// The query is the *decoded* parameters of the URL (the signer encodes them canonically);
/// headers are those the request will carry (for V4, add `host` here if it is to be signed as
/// an additional header).
///
/// ```
/// use oss_sign::request::{Resource, SignableRequest};
/// let headers = [("Content-Type", "text/plain"), ("x-oss-meta-a", "1")];
/// let query = [("acl", None)];
/// let req = SignableRequest::new("PUT", Resource::Object { bucket: "b", key: "k" })
///     .with_query(&query)
///     .with_headers(&headers);
/// assert_eq!(req.method(), "PUT");
/// assert_eq!(req.query().len(), 1);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    method: &'a str,
    resource: Resource<'a>,
    query: Query<'a>,
    headers: Headers<'a>,
}

impl<'a> SignableRequest<'a> {
    /// A request with no query parameters and no headers.
    ///
    /// ```
    /// let req = oss_sign::request::SignableRequest::new("GET", oss_sign::request::Resource::Service);
    /// assert!(req.headers().is_empty());
    /// ```
    pub fn new(method: &'a str, resource: Resource<'a>) -> Self {
        Self {
            method,
            resource,
            query: Query::EMPTY,
            headers: Headers::EMPTY,
        }
    }

    /// Sets the decoded query parameters.
    ///
    /// ```
    /// use oss_sign::request::{Resource, SignableRequest};
    /// let q = vec![("uploads".to_string(), None)];
    /// let req = SignableRequest::new("POST", Resource::Bucket("b")).with_query(&q);
    /// assert_eq!(req.query().get("uploads"), Some(None));
    /// ```
    #[must_use]
    pub fn with_query(mut self, query: impl Into<Query<'a>>) -> Self {
        self.query = query.into();
        self
    }

    /// Sets the headers.
    ///
    /// ```
    /// use oss_sign::request::{Resource, SignableRequest};
    /// let map = http::HeaderMap::new();
    /// let req = SignableRequest::new("GET", Resource::Service).with_headers(&map);
    /// assert!(req.headers().is_empty());
    /// ```
    #[must_use]
    pub fn with_headers(mut self, headers: impl Into<Headers<'a>>) -> Self {
        self.headers = headers.into();
        self
    }

    /// The HTTP method.
    ///
    /// ```
    /// # use oss_sign::request::{Resource, SignableRequest};
    /// # let q = [("acl", None)];
    /// # let h = [("x-oss-acl", "private")];
    /// let req = SignableRequest::new("PUT", Resource::Bucket("b")).with_query(&q).with_headers(&h);
    /// assert_eq!(req.method(), "PUT");
    /// ```
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The addressed resource.
    ///
    /// ```
    /// # use oss_sign::request::{Resource, SignableRequest};
    /// # let q = [("acl", None)];
    /// # let h = [("x-oss-acl", "private")];
    /// let req = SignableRequest::new("PUT", Resource::Bucket("b")).with_query(&q).with_headers(&h);
    /// assert_eq!(req.resource(), Resource::Bucket("b"));
    /// ```
    pub fn resource(&self) -> Resource<'a> {
        self.resource
    }

    /// The decoded query parameters.
    ///
    /// ```
    /// # use oss_sign::request::{Resource, SignableRequest};
    /// # let q = [("acl", None)];
    /// # let h = [("x-oss-acl", "private")];
    /// let req = SignableRequest::new("PUT", Resource::Bucket("b")).with_query(&q).with_headers(&h);
    /// assert_eq!(req.query().get("acl"), Some(None));
    /// ```
    pub fn query(&self) -> Query<'a> {
        self.query
    }

    /// The headers.
    ///
    /// ```
    /// # use oss_sign::request::{Resource, SignableRequest};
    /// # let q = [("acl", None)];
    /// # let h = [("x-oss-acl", "private")];
    /// let req = SignableRequest::new("PUT", Resource::Bucket("b")).with_query(&q).with_headers(&h);
    /// assert_eq!(req.headers().get("X-OSS-ACL"), Some(&b"private"[..]));
    /// ```
    pub fn headers(&self) -> Headers<'a> {
        self.headers
    }

    pub(crate) fn check_method(&self) -> Result<(), crate::SignError> {
        let ok = !self.method.is_empty()
            && self
                .method
                .bytes()
                .all(|b| b.is_ascii_graphic() && !matches!(b, b'/' | b':'));
        if ok {
            Ok(())
        } else {
            Err(crate::SignError::InvalidMethod {
                method: self.method.to_string(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_paths_match_the_go_sdk_arn_cases() {
        // vectors-arn.json is checked in tests/vectors.rs; this covers the encoded form.
        let r = Resource::Vector {
            account_id: "123",
            bucket: Some("bucket"),
            key: Some("key-1/key-2"),
        };
        assert_eq!(
            r.canonical_uri("cn-hangzhou"),
            "/acs%3Aossvector%3Acn-hangzhou%3A123%3Abucket/key-1/key-2"
        );
    }

    #[test]
    fn header_map_and_pairs_read_alike() {
        let mut map = HeaderMap::new();
        map.append("x-oss-meta-a", "1".parse().unwrap());
        map.append("x-oss-meta-a", "2".parse().unwrap());
        let pairs = [("X-OSS-Meta-A", "1"), ("x-oss-meta-a", "2")];
        let a: Vec<_> = Headers::from(&map).iter().map(|(_, v)| v).collect();
        let b: Vec<_> = Headers::from(&pairs).iter().map(|(_, v)| v).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn bad_methods_are_rejected() {
        for m in ["", "GET /", "GE\nT"] {
            assert!(
                SignableRequest::new(m, Resource::Service)
                    .check_method()
                    .is_err()
            );
        }
        assert!(
            SignableRequest::new("PATCH", Resource::Service)
                .check_method()
                .is_ok()
        );
    }
}
