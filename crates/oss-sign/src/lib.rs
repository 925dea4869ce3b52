//! Pure request signing (V4 and V1) for Alibaba Cloud OSS: no I/O, no clock of its own.
//!
//! Every entry point borrows the request's parts through a [`request::SignableRequest`]
//! (method, [`request::Resource`], decoded query pairs, headers as an [`http::HeaderMap`] or
//! plain pairs) plus the credentials and a `time::OffsetDateTime` the caller passes, and returns
//! what to add: headers, or query parameters.
//!
//! | who | calls | gets |
//! |---|---|---|
//! | client, each attempt | [`v4::sign_headers`] | `x-oss-date`, `x-oss-content-sha256`, `x-oss-security-token`, `authorization` |
//! | client presigner | [`v4::presign`] (default [`v4::DEFAULT_PRESIGN_EXPIRY`], at most 7 days) | query parameters + the signed headers the user must send |
//! | client, V1 mode | [`v1::sign_headers`], [`v1::presign`] | `date`, `authorization` / `OSSAccessKeyId`, `Expires`, `Signature` |
//! | browser form upload | [`post_policy::sign`] (V1: [`post_policy::sign_v1`]) | the PostObject form fields |
//! | emulator | [`verify::verify`], [`post_policy::verify`], [`post_policy::verify_v1`] | who signed, or a typed [`VerifyError`] with the server's canonical request / string to sign |
//! | debugging | [`v4::sign_headers_traced`], [`v4::presign_traced`], [`v1::sign_headers_traced`] | canonical request and string to sign |
//!
//! Hold one [`SigningKeyCache`] per client (or server) and pass it in
//! [`v4::SigningParams::with_key_cache`]: the V4 key is then derived once per secret, day,
//! region and product.
//!
//! The canonical URI comes from the [`request::Resource`] (`/bucket/key`, `/bucket/`, `/`, or a
//! vector bucket's `/acs:ossvector:...`), never from the URL, so every addressing style signs
//! alike. Query values are the *decoded* ones; build URLs with [`encoding::encode_query`] /
//! [`encoding::encode_path`] so the wire matches what was signed.
//!
//! ```
//! use oss_sign::{Credentials, SigningKeyCache};
//! use oss_sign::request::{Resource, SignableRequest};
//! use oss_sign::v4::{self, SigningParams};
//!
//! let creds = Credentials::new("ak", "sk");
//! let cache = SigningKeyCache::new();
//! let now = time::OffsetDateTime::from_unix_timestamp(1_744_859_740).unwrap();
//! let headers = [("Content-Type", "application/xml"), ("x-oss-acl", "private")];
//! let req = SignableRequest::new("PUT", Resource::Bucket("oss-example")).with_headers(&headers);
//! let params = SigningParams::new(&creds, "cn-hangzhou", now).with_key_cache(&cache);
//! let signed = v4::sign_headers(&req, &params).unwrap();
//! for (name, value) in signed.headers() {
//!     println!("{name}: {value}");
//! }
//! ```
#![forbid(unsafe_code)]

mod canonical;
mod credentials;
mod datetime;
pub mod encoding;
mod error;
pub mod post_policy;
mod presigned;
pub mod request;
mod signing_key;
pub mod v1;
pub mod v4;
pub mod verify;

pub use credentials::Credentials;
pub use error::{SignError, VerifyError};
pub use presigned::Presigned;
pub use signing_key::{SigningKey, SigningKeyCache};

/// The signature versions OSS accepts.
///
/// ```
/// assert_eq!(oss_sign::SignatureVersion::V4.to_string(), "V4");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureVersion {
    /// HMAC-SHA1 (`Authorization: OSS ak:signature`).
    V1,
    /// `OSS4-HMAC-SHA256`.
    V4,
}

impl std::fmt::Display for SignatureVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::V1 => "V1",
            Self::V4 => "V4",
        })
    }
}
