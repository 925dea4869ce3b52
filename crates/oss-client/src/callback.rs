//! Upload callbacks: the parameters an upload carries so that OSS calls the application server
//! back, and the check an application server makes of such a call.
//!
//! An upload (PutObject, CompleteMultipartUpload, or a PostObject form) carries
//! `x-oss-callback`, base64 of a JSON object naming the URL(s) to call, the body to send and
//! how it is encoded, and optionally `x-oss-callback-var`, base64 of a JSON object of custom
//! `x:` variables. [`CallbackParams`] builds both. In the body, OSS replaces `${bucket}`,
//! `${object}`, `${etag}`, `${size}`, `${mimeType}`, `${crc64}`, `${contentMd5}` and custom
//! `${x:name}` variables. OSS answers the upload with the application's reply; when the call
//! fails, with `203 CallbackFailed` (the object is stored all the same).
//!
//! OSS signs each callback with RSA: the `authorization` header is base64 of the PKCS#1 v1.5
//! signature, with MD5, of the URL-decoded path, the query string (with its `?`, when there is
//! one), a newline and the body; `x-oss-pub-key-url` is base64 of the URL of the public key.
//! [`verify`] checks a received call against the public key (PEM) the application fetched
//! from that URL — after checking the URL is one it trusts (for OSS, a URL under
//! `https://gosspublic.alicdn.com/`), see [`public_key_url`].
//!
//! ```
//! use oss_client::callback::{CallbackBodyType, CallbackParams};
//! let params = CallbackParams::new(
//!     "http://app.example.com/uploaded",
//!     r#"{"bucket":${bucket},"object":${object},"size":${size},"uid":${x:uid}}"#,
//! )
//! .body_type(CallbackBodyType::Json)
//! .var("x:uid", "42");
//! let encoded = params.encode().unwrap();
//! // What the upload sends as `x-oss-callback` and `x-oss-callback-var`:
//! assert!(!encoded.callback().is_empty());
//! assert!(encoded.callback_var().is_some());
//! ```

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use percent_encoding::percent_decode_str;
use rsa::pkcs8::DecodePublicKey as _;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use serde_json::{Map, Value};

/// How OSS encodes the callback body (`callbackBodyType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CallbackBodyType {
    /// `application/x-www-form-urlencoded` (OSS's default): variable values are URL-encoded.
    #[default]
    FormUrlEncoded,
    /// `application/json`: variable values are inserted as they are.
    Json,
}

impl CallbackBodyType {
    /// The media type OSS sends the body with.
    ///
    /// ```
    /// use oss_client::callback::CallbackBodyType;
    /// assert_eq!(CallbackBodyType::Json.as_str(), "application/json");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            CallbackBodyType::FormUrlEncoded => "application/x-www-form-urlencoded",
            CallbackBodyType::Json => "application/json",
        }
    }
}

/// The callback an upload asks for: built here, sent as `x-oss-callback` and
/// `x-oss-callback-var` (see [`CallbackParams::encode`]).
///
/// ```
/// use oss_client::callback::CallbackParams;
/// let encoded = CallbackParams::new("http://127.0.0.1:9000/cb", "object=${object}&size=${size}")
///     .host("app.internal")
///     .encode()
///     .unwrap();
/// assert_eq!(encoded.callback_var(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackParams {
    urls: Vec<String>,
    host: Option<String>,
    body: String,
    body_type: CallbackBodyType,
    sni: Option<bool>,
    vars: Vec<(String, String)>,
}

/// Why [`CallbackParams::encode`] refused the parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackParamsError {
    /// No URL, or more than the 5 OSS accepts.
    UrlCount(usize),
    /// A URL that is not `http://` or `https://`.
    Url(String),
    /// A custom variable whose name does not start with `x:` or has upper-case letters
    /// (OSS requires lower case).
    VarName(String),
}

impl fmt::Display for CallbackParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallbackParamsError::UrlCount(n) => {
                write!(f, "a callback needs 1 to 5 URLs, not {n}")
            }
            CallbackParamsError::Url(u) => write!(f, "callback URL {u:?} is not http(s)"),
            CallbackParamsError::VarName(n) => write!(
                f,
                "callback variable {n:?} must start with \"x:\" and be lower case"
            ),
        }
    }
}

impl std::error::Error for CallbackParamsError {}

/// The two header values of a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedCallback {
    callback: String,
    callback_var: Option<String>,
}

impl EncodedCallback {
    /// The `x-oss-callback` value (base64 JSON); give it to the upload's `callback` setter.
    ///
    /// ```
    /// use base64::Engine as _;
    /// use oss_client::callback::CallbackParams;
    /// let e = CallbackParams::new("http://127.0.0.1/cb", "a=${etag}").encode().unwrap();
    /// let json = base64::engine::general_purpose::STANDARD.decode(e.callback()).unwrap();
    /// assert!(String::from_utf8(json).unwrap().contains("\"callbackBody\":\"a=${etag}\""));
    /// ```
    pub fn callback(&self) -> &str {
        &self.callback
    }

    /// The `x-oss-callback-var` value (base64 JSON), when there are custom variables; give it
    /// to the upload's `callback_var` setter.
    ///
    /// ```
    /// use oss_client::callback::CallbackParams;
    /// let e = CallbackParams::new("http://127.0.0.1/cb", "u=${x:u}").var("x:u", "1").encode().unwrap();
    /// assert!(e.callback_var().is_some());
    /// ```
    pub fn callback_var(&self) -> Option<&str> {
        self.callback_var.as_deref()
    }
}

impl CallbackParams {
    /// A callback to `url` sending `body` (with `${...}` variables), form-encoded.
    ///
    /// ```
    /// use oss_client::callback::CallbackParams;
    /// let p = CallbackParams::new("http://127.0.0.1/cb", "bucket=${bucket}");
    /// assert!(p.encode().is_ok());
    /// ```
    pub fn new(url: impl Into<String>, body: impl Into<String>) -> Self {
        CallbackParams {
            urls: vec![url.into()],
            host: None,
            body: body.into(),
            body_type: CallbackBodyType::default(),
            sni: None,
            vars: Vec::new(),
        }
    }

    /// Another URL, tried when the previous ones fail (OSS takes up to 5).
    ///
    /// ```
    /// use oss_client::callback::CallbackParams;
    /// let p = CallbackParams::new("http://127.0.0.1:1/cb", "x").url("http://127.0.0.1:2/cb");
    /// assert!(p.encode().is_ok());
    /// ```
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.urls.push(url.into());
        self
    }

    /// The `Host` header of the callback request (`callbackHost`; default: the URL's host).
    ///
    /// ```
    /// use oss_client::callback::CallbackParams;
    /// let p = CallbackParams::new("http://127.0.0.1/cb", "x").host("app.example.com");
    /// assert!(p.encode().is_ok());
    /// ```
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// How the body is encoded (`callbackBodyType`).
    ///
    /// ```
    /// use oss_client::callback::{CallbackBodyType, CallbackParams};
    /// let p = CallbackParams::new("http://127.0.0.1/cb", "{}").body_type(CallbackBodyType::Json);
    /// assert!(p.encode().is_ok());
    /// ```
    pub fn body_type(mut self, body_type: CallbackBodyType) -> Self {
        self.body_type = body_type;
        self
    }

    /// Whether OSS sends SNI to an `https://` URL (`callbackSNI`).
    ///
    /// ```
    /// use oss_client::callback::CallbackParams;
    /// let p = CallbackParams::new("https://app.example.com/cb", "x").sni(true);
    /// assert!(p.encode().is_ok());
    /// ```
    pub fn sni(mut self, sni: bool) -> Self {
        self.sni = Some(sni);
        self
    }

    /// A custom variable, `${name}` in the body; `name` starts with `x:` (lower case).
    ///
    /// ```
    /// use oss_client::callback::CallbackParams;
    /// assert!(CallbackParams::new("http://127.0.0.1/cb", "${x:Bad}").var("x:Bad", "1").encode().is_err());
    /// ```
    pub fn var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.push((name.into(), value.into()));
        self
    }

    /// The header values, checked: 1 to 5 `http(s)://` URLs, `x:` lower-case variable names.
    ///
    /// ```
    /// use oss_client::callback::{CallbackParams, CallbackParamsError};
    /// let err = CallbackParams::new("ftp://host/cb", "x").encode().unwrap_err();
    /// assert!(matches!(err, CallbackParamsError::Url(_)));
    /// ```
    pub fn encode(&self) -> Result<EncodedCallback, CallbackParamsError> {
        if self.urls.is_empty() || self.urls.len() > 5 {
            return Err(CallbackParamsError::UrlCount(self.urls.len()));
        }
        for u in &self.urls {
            if !(u.starts_with("http://") || u.starts_with("https://")) || u.contains(';') {
                return Err(CallbackParamsError::Url(u.clone()));
            }
        }
        let mut doc = Map::new();
        doc.insert("callbackUrl".into(), Value::String(self.urls.join(";")));
        if let Some(h) = &self.host {
            doc.insert("callbackHost".into(), Value::String(h.clone()));
        }
        doc.insert("callbackBody".into(), Value::String(self.body.clone()));
        doc.insert(
            "callbackBodyType".into(),
            Value::String(self.body_type.as_str().into()),
        );
        if let Some(sni) = self.sni {
            doc.insert("callbackSNI".into(), Value::Bool(sni));
        }
        let callback = B64.encode(Value::Object(doc).to_string());
        let callback_var = if self.vars.is_empty() {
            None
        } else {
            let mut vars = Map::new();
            for (name, value) in &self.vars {
                if !name.starts_with("x:") || name.len() < 3 || name.chars().any(char::is_uppercase)
                {
                    return Err(CallbackParamsError::VarName(name.clone()));
                }
                vars.insert(name.clone(), Value::String(value.clone()));
            }
            Some(B64.encode(Value::Object(vars).to_string()))
        };
        Ok(EncodedCallback {
            callback,
            callback_var,
        })
    }
}

/// A callback request as the application server received it.
#[derive(Debug, Clone, Copy)]
pub struct CallbackRequest<'a> {
    /// The request method (OSS sends `POST`).
    pub method: &'a str,
    /// The path as received, still percent-encoded (`/upload%20done`).
    pub path: &'a str,
    /// The query string as received, without `?` (`None` or empty when there is none).
    pub query: Option<&'a str>,
    /// The request headers.
    pub headers: &'a http::HeaderMap,
    /// The request body.
    pub body: &'a [u8],
}

/// Why [`verify`] or [`public_key_url`] refused a callback request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackVerifyError {
    /// The method is not `POST`.
    Method(String),
    /// A header is missing (`authorization`, `x-oss-pub-key-url`).
    MissingHeader(&'static str),
    /// A header is not valid base64 (or not text).
    BadHeader(&'static str),
    /// The public key is not a PEM `PUBLIC KEY` (or `RSA PUBLIC KEY`).
    BadPublicKey(String),
    /// The signature does not match the request and the key.
    SignatureMismatch,
}

impl fmt::Display for CallbackVerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallbackVerifyError::Method(m) => write!(f, "a callback is a POST, not {m}"),
            CallbackVerifyError::MissingHeader(h) => write!(f, "the callback has no {h} header"),
            CallbackVerifyError::BadHeader(h) => write!(f, "the callback's {h} is not base64"),
            CallbackVerifyError::BadPublicKey(e) => write!(f, "the public key is unusable: {e}"),
            CallbackVerifyError::SignatureMismatch => {
                f.write_str("the callback signature does not verify")
            }
        }
    }
}

impl std::error::Error for CallbackVerifyError {}

fn header_b64(
    headers: &http::HeaderMap,
    name: &'static str,
) -> Result<Vec<u8>, CallbackVerifyError> {
    let value = headers
        .get(name)
        .ok_or(CallbackVerifyError::MissingHeader(name))?;
    let text = value
        .to_str()
        .map_err(|_| CallbackVerifyError::BadHeader(name))?;
    B64.decode(text.trim())
        .map_err(|_| CallbackVerifyError::BadHeader(name))
}

/// The public key URL a callback names (`x-oss-pub-key-url`, base64-decoded). Check it is a
/// URL you trust before fetching the key from it.
///
/// ```
/// use base64::Engine as _;
/// let mut headers = http::HeaderMap::new();
/// let url = "https://gosspublic.alicdn.com/callback_pub_key_v1.pem";
/// headers.insert("x-oss-pub-key-url",
///     base64::engine::general_purpose::STANDARD.encode(url).parse().unwrap());
/// assert_eq!(oss_client::callback::public_key_url(&headers).unwrap(), url);
/// ```
pub fn public_key_url(headers: &http::HeaderMap) -> Result<String, CallbackVerifyError> {
    let raw = header_b64(headers, "x-oss-pub-key-url")?;
    String::from_utf8(raw).map_err(|_| CallbackVerifyError::BadHeader("x-oss-pub-key-url"))
}

/// Checks a callback request's signature against the public key (PEM).
///
/// ```
/// use oss_client::callback::{verify, CallbackRequest, CallbackVerifyError};
/// let headers = http::HeaderMap::new();
/// let req = CallbackRequest { method: "POST", path: "/cb", query: None, headers: &headers, body: b"" };
/// assert_eq!(verify(&req, "not a key"), Err(CallbackVerifyError::MissingHeader("authorization")));
/// ```
pub fn verify(req: &CallbackRequest<'_>, public_key_pem: &str) -> Result<(), CallbackVerifyError> {
    if !req.method.eq_ignore_ascii_case("POST") {
        return Err(CallbackVerifyError::Method(req.method.to_owned()));
    }
    let signature = header_b64(req.headers, "authorization")?;
    let key = RsaPublicKey::from_public_key_pem(public_key_pem.trim())
        .or_else(|e| {
            use rsa::pkcs1::DecodeRsaPublicKey as _;
            RsaPublicKey::from_pkcs1_pem(public_key_pem.trim()).map_err(|_| e)
        })
        .map_err(|e| CallbackVerifyError::BadPublicKey(e.to_string()))?;
    let path = percent_decode_str(req.path).decode_utf8_lossy();
    let mut signed = path.into_owned().into_bytes();
    if let Some(q) = req.query.filter(|q| !q.is_empty()) {
        signed.push(b'?');
        signed.extend_from_slice(q.as_bytes());
    }
    signed.push(b'\n');
    signed.extend_from_slice(req.body);
    let digest = {
        use md5::Digest as _;
        md5::Md5::digest(&signed)
    };
    key.verify(Pkcs1v15Sign::new::<md5::Md5>(), &digest, &signature)
        .map_err(|_| CallbackVerifyError::SignatureMismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(s: &str) -> Value {
        serde_json::from_slice(&B64.decode(s).unwrap()).unwrap()
    }

    #[test]
    fn parameters_encode_as_oss_documents_them() {
        let e = CallbackParams::new("http://a/cb", "o=${object}&u=${x:uid}")
            .url("http://b/cb")
            .host("app")
            .body_type(CallbackBodyType::Json)
            .sni(false)
            .var("x:uid", "7")
            .encode()
            .unwrap();
        assert_eq!(
            decode(e.callback()),
            serde_json::json!({
                "callbackUrl": "http://a/cb;http://b/cb",
                "callbackHost": "app",
                "callbackBody": "o=${object}&u=${x:uid}",
                "callbackBodyType": "application/json",
                "callbackSNI": false,
            })
        );
        assert_eq!(
            decode(e.callback_var().unwrap()),
            serde_json::json!({"x:uid": "7"})
        );
    }

    #[test]
    fn bad_parameters_are_refused() {
        let many = (0..6).fold(CallbackParams::new("http://h/0", "b"), |p, i| {
            p.url(format!("http://h/{i}"))
        });
        assert_eq!(many.encode(), Err(CallbackParamsError::UrlCount(7)));
        assert_eq!(
            CallbackParams::new("http://h/a;http://h/b", "b").encode(),
            Err(CallbackParamsError::Url("http://h/a;http://h/b".into()))
        );
        for bad in ["uid", "x:", "x:UID"] {
            assert_eq!(
                CallbackParams::new("http://h/", "b").var(bad, "1").encode(),
                Err(CallbackParamsError::VarName(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn malformed_headers_and_keys_are_typed_errors() {
        let mut bad = http::HeaderMap::new();
        bad.insert("authorization", "***".parse().unwrap());
        let req = CallbackRequest {
            method: "POST",
            path: "/",
            query: None,
            headers: &bad,
            body: b"",
        };
        assert_eq!(
            verify(&req, ""),
            Err(CallbackVerifyError::BadHeader("authorization"))
        );
        let mut signed = http::HeaderMap::new();
        signed.insert("authorization", B64.encode("sig").parse().unwrap());
        let req = CallbackRequest {
            headers: &signed,
            ..req
        };
        assert!(matches!(
            verify(
                &req,
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"
            ),
            Err(CallbackVerifyError::BadPublicKey(_))
        ));
        let get = CallbackRequest {
            method: "GET",
            ..req
        };
        assert_eq!(
            verify(&get, ""),
            Err(CallbackVerifyError::Method("GET".into()))
        );
    }
}
