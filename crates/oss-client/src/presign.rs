//! How a request is presigned: for how long, for which endpoint, with which signed headers and
//! which signature version.

use std::time::Duration;

use http::{HeaderName, HeaderValue};
use oss_proto::endpoint::{AddressingStyle, Endpoint};

use crate::config::SignatureVersion;
use crate::error::Error;

/// Options of a presigned request: finish any request builder with
/// `.presigned_with(PresignOptions::new(expiry)...)` (or `.presigned(expiry)` for the defaults).
///
/// - [`endpoint`](PresignOptions::endpoint): the URL points there instead of the client's
///   endpoint, e.g. the public or a CNAME domain while the client talks to the internal one.
/// - [`header`](PresignOptions::header): a header the user of the URL will send, signed with
///   this value. A browser uploading with a presigned PUT sends its own `Content-Type`; sign the
///   one it will send, or the signature does not match.
/// - [`additional_header`](PresignOptions::additional_header) (V4): also sign this header of
///   the request (`host` binds the URL to its host).
/// - [`signature_version`](PresignOptions::signature_version): V4 (the client's default) or V1.
///
/// ```
/// use std::time::Duration;
/// use oss_client::{Client, Config, PresignOptions, SignatureVersion, credentials::StaticProvider};
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let client = Client::new(Config::builder()
///     .region("cn-hangzhou")
///     .endpoint_kind(oss_client::EndpointKind::Internal)
///     .credentials(StaticProvider::from_keys("ak", "sk"))
///     .build()?);
/// let upload = client.put_object().bucket("examplebucket").key("photo.png")
///     .presigned_with(
///         PresignOptions::new(Duration::from_secs(600))
///             .endpoint("https://oss-cn-hangzhou.aliyuncs.com")
///             .header("content-type", "image/png"),
///     )
///     .await?;
/// assert!(upload.url.starts_with("https://examplebucket.oss-cn-hangzhou.aliyuncs.com/photo.png?"));
/// assert_eq!(upload.signed_headers, [("content-type".to_string(), "image/png".to_string())]);
///
/// let v1 = client.get_object().bucket("examplebucket").key("photo.png")
///     .presigned_with(PresignOptions::new(Duration::from_secs(60)).signature_version(SignatureVersion::V1))
///     .await?;
/// assert!(v1.url.contains("Signature="));
/// # Ok::<(), oss_client::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct PresignOptions {
    pub(crate) expires: Duration,
    pub(crate) endpoint: Option<String>,
    pub(crate) style: Option<AddressingStyle>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) additional_headers: Vec<String>,
    pub(crate) signature_version: Option<SignatureVersion>,
}

impl PresignOptions {
    /// A URL valid for `expires` (V4: 1 s to 7 days), otherwise as the client would send it.
    pub fn new(expires: Duration) -> Self {
        PresignOptions {
            expires,
            endpoint: None,
            style: None,
            headers: Vec::new(),
            additional_headers: Vec::new(),
            signature_version: None,
        }
    }

    /// Points the URL at another endpoint (`host[:port]`, optionally with a scheme): the
    /// public endpoint, an accelerated one, or a CNAME (then set
    /// [`addressing_style`](PresignOptions::addressing_style) to `Cname`). The client's region
    /// still signs.
    #[must_use]
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The addressing style for the URL (default: the endpoint's own).
    #[must_use]
    pub fn addressing_style(mut self, style: AddressingStyle) -> Self {
        self.style = Some(style);
        self
    }

    /// Signs `name: value`: whoever uses the URL must send exactly this header (replaces a
    /// value the request builder set for the same header).
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// V4: also signs this request header (listed in `x-oss-additional-headers`), e.g. `host`.
    /// Ignored by V1, which signs a fixed set.
    #[must_use]
    pub fn additional_header(mut self, name: impl Into<String>) -> Self {
        self.additional_headers
            .push(name.into().to_ascii_lowercase());
        self
    }

    /// The signature version of this URL (default: the client's).
    #[must_use]
    pub fn signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature_version = Some(version);
        self
    }

    /// The endpoint the URL is built for: the override (with the client's region when it names
    /// none), or the client's.
    pub(crate) fn resolve_endpoint(
        &self,
        client: &Endpoint,
        region: &str,
    ) -> Result<Endpoint, Error> {
        let mut endpoint = match &self.endpoint {
            None => client.clone(),
            Some(text) => {
                let e = Endpoint::parse(text)?;
                if e.region().is_none() && !region.is_empty() {
                    e.with_region(region)?
                } else {
                    e
                }
            }
        };
        if let Some(style) = self.style {
            endpoint = endpoint.with_style(style);
        }
        Ok(endpoint)
    }

    /// Sets the signed headers on the request's headers.
    pub(crate) fn apply_headers(&self, headers: &mut http::HeaderMap) -> Result<(), Error> {
        for (name, value) in &self.headers {
            let bad = |what: &str| Error::InvalidConfig {
                reason: format!("presign header {name:?}: {what}"),
            };
            let name = HeaderName::try_from(name.as_str()).map_err(|_| bad("invalid name"))?;
            let value = HeaderValue::try_from(value.as_str()).map_err(|_| bad("invalid value"))?;
            headers.insert(name, value);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_override_takes_the_client_region() {
        let client =
            Endpoint::from_region("cn-hangzhou", oss_proto::endpoint::EndpointKind::Internal)
                .unwrap();
        let o = PresignOptions::new(Duration::from_secs(1)).endpoint("static.example.com");
        let e = o.resolve_endpoint(&client, "cn-hangzhou").unwrap();
        assert_eq!(e.authority(), "static.example.com");
        assert_eq!(e.region(), Some("cn-hangzhou"));
        let same = PresignOptions::new(Duration::from_secs(1))
            .resolve_endpoint(&client, "cn-hangzhou")
            .unwrap();
        assert_eq!(same.authority(), "oss-cn-hangzhou-internal.aliyuncs.com");
    }

    #[test]
    fn bad_headers_are_typed_errors() {
        let mut h = http::HeaderMap::new();
        let err = PresignOptions::new(Duration::from_secs(1))
            .header("bad name", "v")
            .apply_headers(&mut h)
            .unwrap_err();
        assert!(matches!(err, Error::InvalidConfig { .. }), "{err}");
        let err = PresignOptions::new(Duration::from_secs(1))
            .header("x-oss-meta-a", "line\nbreak")
            .apply_headers(&mut h)
            .unwrap_err();
        assert!(matches!(err, Error::InvalidConfig { .. }), "{err}");
    }
}
