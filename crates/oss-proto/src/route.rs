//! Routing for servers: which operation a request names, from the table generated from the
//! spec ([`crate::generated::ROUTES`]).
//!
//! A request matches an operation of its method and scope when
//! - it carries every fixed sub-resource of the operation (`?acl`; `comp=add` with that value);
//! - every other sub-resource it carries (a parameter some operation has as a fixed
//!   sub-resource, [`crate::generated::SUBRESOURCES`]) is one of the operation's input members
//!   (GetObject's `x-oss-process`), so `POST /bucket?acl` names nothing rather than PostObject;
//! - when the operation has `route_query` pairs, it carries one of them.
//!
//! Of the matches, those with `route_query` pairs win, then those with the most sub-resources;
//! among operations sharing method, scope and sub-resources, the one whose discriminating
//! members (required query or header members the others lack) are all present and most
//! numerous wins. The generator refuses operations no request can tell apart.
//!
//! ```
//! use http::HeaderMap;
//! use oss_proto::generated::OperationId;
//! use oss_proto::operation::Scope;
//! use oss_proto::route::route;
//! let q = |pairs: &[(&str, Option<&str>)]| -> Vec<(String, Option<String>)> {
//!     pairs.iter().map(|(k, v)| (k.to_string(), v.map(str::to_string))).collect()
//! };
//! let none = HeaderMap::new();
//! assert_eq!(route("PUT", Scope::Bucket, true, &q(&[("acl", None)]), &none), Some(OperationId::PutBucketAcl));
//! assert_eq!(route("PUT", Scope::Bucket, true, &[], &none), Some(OperationId::PutBucket));
//! assert_eq!(route("GET", Scope::Bucket, true, &q(&[("style", None), ("styleName", Some("s"))]), &none),
//!     Some(OperationId::GetStyle));
//! assert_eq!(route("GET", Scope::Bucket, true, &q(&[("style", None)]), &none), Some(OperationId::ListStyle));
//! assert_eq!(route("POST", Scope::Bucket, true, &q(&[("acl", None)]), &none), None);
//! ```

use http::HeaderMap;

use crate::generated::{OperationId, ROUTES, SUBRESOURCES};
use crate::operation::Scope;

/// A member whose presence tells an operation apart from others of its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKey {
    /// A query parameter.
    Query(&'static str),
    /// A request header (lower case).
    Header(&'static str),
}

/// One operation's routing facts, generated from the spec.
///
/// ```
/// use oss_proto::generated::{OperationId, ROUTES};
/// let r = ROUTES.iter().find(|r| r.operation == OperationId::PutBucketAcl).unwrap();
/// assert_eq!((r.method, r.subresources), ("PUT", &[("acl", None)][..]));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Route {
    /// The operation.
    pub operation: OperationId,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// What the request addresses.
    pub scope: Scope,
    /// Whether the request names a bucket (only the vector scope has operations with and
    /// without one: ListVectorBuckets has none).
    pub bucket: bool,
    /// The fixed sub-resource query (`("acl", None)`, `("comp", Some("add"))`).
    pub subresources: &'static [(&'static str, Option<&'static str>)],
    /// The operation's query input members (they may be present without naming another
    /// operation).
    pub query_members: &'static [&'static str],
    /// Required members the other operations of its method, scope and sub-resources lack.
    pub discriminators: &'static [RouteKey],
    /// `(name, value)` query pairs, one of which must be present (empty: no such condition).
    pub route_query: &'static [(&'static str, &'static str)],
}

fn query_value<'q>(query: &'q [(String, Option<String>)], name: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_deref().unwrap_or(""))
}

impl Route {
    /// Whether a request with this query could be this operation (method and scope aside).
    fn admits(&self, query: &[(String, Option<String>)]) -> bool {
        let fixed_present =
            self.subresources
                .iter()
                .all(|(name, value)| match (query_value(query, name), value) {
                    (None, _) => false,
                    (Some(_), None) => true,
                    (Some(got), Some(want)) => got == *want,
                });
        let no_foreign = query.iter().all(|(k, _)| {
            SUBRESOURCES.binary_search(&k.as_str()).is_err()
                || self.subresources.iter().any(|(n, _)| n == k)
                || self.query_members.contains(&k.as_str())
        });
        let route_query = self.route_query.is_empty()
            || self
                .route_query
                .iter()
                .any(|(n, v)| query_value(query, n) == Some(*v));
        fixed_present && no_foreign && route_query
    }

    /// How many discriminators are present, or `None` when one is missing.
    fn discriminated(
        &self,
        query: &[(String, Option<String>)],
        headers: &HeaderMap,
    ) -> Option<usize> {
        self.discriminators
            .iter()
            .all(|k| match k {
                RouteKey::Query(q) => query.iter().any(|(n, _)| n == q),
                RouteKey::Header(h) => headers.contains_key(*h),
            })
            .then_some(self.discriminators.len())
    }
}

/// The operation a request names: its method (upper case), what it addresses, whether it
/// names a bucket, its decoded query pairs (`None` for a valueless parameter) and its headers. `None` when no operation
/// of the spec matches (OSS answers `MethodNotAllowed`).
pub fn route(
    method: &str,
    scope: Scope,
    bucket: bool,
    query: &[(String, Option<String>)],
    headers: &HeaderMap,
) -> Option<OperationId> {
    let admitted: Vec<&Route> = ROUTES
        .iter()
        .filter(|r| r.method == method && r.scope == scope && r.bucket == bucket && r.admits(query))
        .collect();
    let tier = |r: &Route| (!r.route_query.is_empty(), r.subresources.len());
    let best = admitted.iter().map(|r| tier(r)).max()?;
    let group: Vec<&Route> = admitted.into_iter().filter(|r| tier(r) == best).collect();
    // All discriminators present, most of them; else the operation needing the fewest (its
    // missing member is then the request's error).
    let mut chosen: Option<(&Route, usize)> = None;
    for r in &group {
        if let Some(n) = r.discriminated(query, headers)
            && chosen.is_none_or(|(_, m)| n > m)
        {
            chosen = Some((r, n));
        }
    }
    chosen
        .map(|(r, _)| r)
        .or_else(|| group.iter().copied().min_by_key(|r| r.discriminators.len()))
        .map(|r| r.operation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect()
    }

    fn headers(names: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for n in names {
            h.insert(*n, http::HeaderValue::from_static("x"));
        }
        h
    }

    #[test]
    fn object_puts_are_told_apart_by_their_members() {
        let none = headers(&[]);
        let part = q(&[("partNumber", Some("1")), ("uploadId", Some("u"))]);
        let copy = headers(&["x-oss-copy-source"]);
        assert_eq!(
            route("PUT", Scope::Object, true, &[], &none),
            Some(OperationId::PutObject)
        );
        assert_eq!(
            route("PUT", Scope::Object, true, &[], &copy),
            Some(OperationId::CopyObject)
        );
        assert_eq!(
            route("PUT", Scope::Object, true, &part, &none),
            Some(OperationId::UploadPart)
        );
        assert_eq!(
            route("PUT", Scope::Object, true, &part, &copy),
            Some(OperationId::UploadPartCopy)
        );
        assert_eq!(
            route(
                "DELETE",
                Scope::Object,
                true,
                &q(&[("uploadId", Some("u"))]),
                &none
            ),
            Some(OperationId::AbortMultipartUpload)
        );
        assert_eq!(
            route("DELETE", Scope::Object, true, &[], &none),
            Some(OperationId::DeleteObject)
        );
    }

    #[test]
    fn valued_sub_resources_and_listing_options() {
        let none = headers(&[]);
        assert_eq!(
            route(
                "GET",
                Scope::Bucket,
                true,
                &q(&[("list-type", Some("2"))]),
                &none
            ),
            Some(OperationId::ListObjectsV2)
        );
        assert_eq!(
            route(
                "GET",
                Scope::Bucket,
                true,
                &q(&[("encoding-type", Some("url")), ("prefix", Some("a"))]),
                &none
            ),
            Some(OperationId::ListObjects)
        );
        assert_eq!(
            route(
                "POST",
                Scope::Bucket,
                true,
                &q(&[("metaQuery", None), ("comp", Some("query"))]),
                &none
            ),
            Some(OperationId::DoMetaQuery)
        );
        assert_eq!(
            route(
                "POST",
                Scope::Bucket,
                true,
                &q(&[("replication", None), ("comp", Some("delete"))]),
                &none
            ),
            Some(OperationId::DeleteBucketReplication)
        );
        // A value the spec does not know for a valued sub-resource names nothing.
        assert_eq!(
            route(
                "POST",
                Scope::Bucket,
                true,
                &q(&[("replication", None), ("comp", Some("nope"))]),
                &none
            ),
            None
        );
    }

    #[test]
    fn route_query_and_member_sub_resources() {
        let none = headers(&[]);
        let select = q(&[("x-oss-process", Some("csv/select"))]);
        assert_eq!(
            route("POST", Scope::Object, true, &select, &none),
            Some(OperationId::SelectObject)
        );
        assert_eq!(
            route(
                "POST",
                Scope::Object,
                true,
                &q(&[("x-oss-process", Some("json/meta"))]),
                &none
            ),
            Some(OperationId::CreateSelectObjectMeta)
        );
        assert_eq!(
            route(
                "POST",
                Scope::Object,
                true,
                &q(&[("x-oss-process", None)]),
                &none
            ),
            Some(OperationId::ProcessObject)
        );
        assert_eq!(
            route(
                "GET",
                Scope::Object,
                true,
                &q(&[("x-oss-process", Some("image/resize,w_10"))]),
                &none
            ),
            Some(OperationId::GetObject)
        );
        assert_eq!(
            route(
                "POST",
                Scope::Object,
                true,
                &q(&[("uploadId", Some("u"))]),
                &none
            ),
            Some(OperationId::CompleteMultipartUpload)
        );
    }

    #[test]
    fn vector_requests_with_and_without_a_bucket() {
        let none = headers(&[]);
        assert_eq!(
            route("GET", Scope::Vector, false, &[], &none),
            Some(OperationId::ListVectorBuckets)
        );
        assert_eq!(route("GET", Scope::Vector, true, &[], &none), None);
        assert_eq!(
            route(
                "POST",
                Scope::Vector,
                true,
                &q(&[("putVectors", None)]),
                &none
            ),
            Some(OperationId::PutVectors)
        );
    }

    #[test]
    fn unknown_combinations_name_nothing() {
        let none = headers(&[]);
        assert_eq!(
            route("POST", Scope::Bucket, true, &q(&[("acl", None)]), &none),
            None
        );
        assert_eq!(route("PATCH", Scope::Bucket, true, &[], &none), None);
        assert_eq!(route("DELETE", Scope::Service, false, &[], &none), None);
    }

    #[test]
    fn every_operation_is_routed_to_itself_by_its_own_request() {
        // A request carrying exactly an operation's sub-resources, discriminators and first
        // route_query pair reaches that operation.
        for r in ROUTES {
            let mut query: Vec<(String, Option<String>)> = r
                .subresources
                .iter()
                .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
                .collect();
            let mut h = HeaderMap::new();
            for k in r.discriminators {
                match k {
                    RouteKey::Query(n) if r.route_query.iter().any(|(q, _)| q == n) => {}
                    RouteKey::Query(n) => query.push((n.to_string(), Some("v".into()))),
                    RouteKey::Header(n) => {
                        h.insert(*n, http::HeaderValue::from_static("v"));
                    }
                }
            }
            if let Some((n, v)) = r.route_query.first() {
                query.push((n.to_string(), Some(v.to_string())));
            }
            assert_eq!(
                route(r.method, r.scope, r.bucket, &query, &h),
                Some(r.operation),
                "{:?}",
                r.operation
            );
        }
    }
}
