//! Browser form uploads (PostObject): a policy builder, the signed form fields, and the
//! `multipart/form-data` encoding of a form with its file.
//!
//! An application server builds a [`PostPolicy`] (what the browser may upload: bucket, key or
//! key prefix, size range, content type, success status, metadata, expiry), signs it into a
//! [`PostForm`] (V4 by default, V1 on request), and hands the fields to the browser as hidden
//! inputs of an HTML form whose `action` is the bucket's URL. The browser sends the form; OSS
//! checks the signature and every condition. [`PostForm::encode`] produces the same body a
//! browser sends, for uploading a form from Rust with
//! [`post_object`](crate::Client::post_object) (which sends no `Authorization` header: the form
//! carries the signature).
//!
//! ```
//! use oss_client::post_policy::PostPolicy;
//! use oss_client::SignatureVersion;
//! let expires = time::macros::datetime!(2030-01-01 00:00 UTC);
//! let policy = PostPolicy::builder(expires)
//!     .bucket("examplebucket")
//!     .key_starts_with("user/alice/")
//!     .content_length_range(1, 10 << 20)
//!     .success_action_status(201)
//!     .meta("uploader", "alice")
//!     .build();
//! let creds = oss_sign::Credentials::new("ak", "sk");
//! let now = time::macros::datetime!(2029-12-31 23:00 UTC);
//! let form = policy.sign(&creds, "cn-hangzhou", now, SignatureVersion::V4).unwrap()
//!     .with_field("key", "user/alice/${filename}");
//! assert_eq!(form.field("success_action_status"), Some("201"));
//! assert_eq!(form.field("x-oss-meta-uploader"), Some("alice"));
//! assert_eq!(form.field("x-oss-signature-version"), Some("OSS4-HMAC-SHA256"));
//! let body = form.encode("photo.jpg", "image/jpeg", b"...".to_vec());
//! assert!(body.content_type.starts_with("multipart/form-data; boundary="));
//! ```

use std::fmt::Write as _;

use bytes::Bytes;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::config::SignatureVersion;
use crate::error::Error;

/// One condition of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Condition {
    /// The form must upload to this bucket (`{"bucket": ...}`).
    Bucket(String),
    /// A form field must equal a value (`["eq", "$name", value]`).
    Equals {
        /// The field name (without `$`).
        field: String,
        /// The value.
        value: String,
    },
    /// A form field must start with a prefix (`["starts-with", "$name", prefix]`).
    StartsWith {
        /// The field name (without `$`).
        field: String,
        /// The prefix (empty: any value).
        prefix: String,
    },
    /// A form field must be one of the values (`["in", "$name", [...]]`).
    In {
        /// The field name (without `$`).
        field: String,
        /// The allowed values.
        values: Vec<String>,
    },
    /// The file's size in bytes must be in `min..=max` (`["content-length-range", min, max]`).
    ContentLengthRange {
        /// Smallest size accepted.
        min: u64,
        /// Largest size accepted.
        max: u64,
    },
}

impl Condition {
    fn to_json(&self) -> Value {
        match self {
            Condition::Bucket(b) => json!({ "bucket": b }),
            Condition::Equals { field, value } => json!(["eq", format!("${field}"), value]),
            Condition::StartsWith { field, prefix } => {
                json!(["starts-with", format!("${field}"), prefix])
            }
            Condition::In { field, values } => json!(["in", format!("${field}"), values]),
            Condition::ContentLengthRange { min, max } => {
                json!(["content-length-range", min, max])
            }
        }
    }
}

/// What a browser may upload with a form: an expiry and conditions, plus the form fields the
/// conditions imply (a fixed key, the success status, the content type, metadata).
///
/// ```
/// # use oss_client::post_policy::PostPolicy;
/// let policy = PostPolicy::builder(time::macros::datetime!(2030-01-01 00:00 UTC))
///     .bucket("b").key("exact.txt").content_type("text/plain").build();
/// assert!(policy.to_json().contains(r#"["eq","$key","exact.txt"]"#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostPolicy {
    expiration: OffsetDateTime,
    conditions: Vec<Condition>,
    fields: Vec<(String, String)>,
}

/// Builds a [`PostPolicy`]; see [`PostPolicy::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct PostPolicyBuilder {
    policy: PostPolicy,
}

impl PostPolicyBuilder {
    fn field(mut self, name: &str, value: String, condition: bool) -> Self {
        if condition {
            self.policy.conditions.push(Condition::Equals {
                field: name.to_owned(),
                value: value.clone(),
            });
        }
        self.policy.fields.retain(|(n, _)| n != name);
        self.policy.fields.push((name.to_owned(), value));
        self
    }

    /// The bucket the form uploads to.
    pub fn bucket(mut self, bucket: impl Into<String>) -> Self {
        self.policy
            .conditions
            .push(Condition::Bucket(bucket.into()));
        self
    }

    /// The exact key (also sent as the form's `key` field).
    pub fn key(self, key: impl Into<String>) -> Self {
        self.field("key", key.into(), true)
    }

    /// Keys must start with `prefix`; the form's `key` field is then the caller's (or the
    /// user's) to fill in, e.g. `prefix${filename}`.
    pub fn key_starts_with(mut self, prefix: impl Into<String>) -> Self {
        self.policy.conditions.push(Condition::StartsWith {
            field: "key".into(),
            prefix: prefix.into(),
        });
        self
    }

    /// The file must be `min..=max` bytes long.
    pub fn content_length_range(mut self, min: u64, max: u64) -> Self {
        self.policy
            .conditions
            .push(Condition::ContentLengthRange { min, max });
        self
    }

    /// The object's content type (sent as the form's `Content-Type` field).
    pub fn content_type(self, content_type: impl Into<String>) -> Self {
        self.field("content-type", content_type.into(), true)
    }

    /// The content type must be one of `types` (the form or the file part supplies it).
    pub fn content_type_in<I, S>(mut self, types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.policy.conditions.push(Condition::In {
            field: "content-type".into(),
            values: types.into_iter().map(Into::into).collect(),
        });
        self
    }

    /// The status OSS answers a successful upload with: 200, 201 (with a `PostResponse`
    /// document) or 204 (the default).
    pub fn success_action_status(self, status: u16) -> Self {
        self.field("success_action_status", status.to_string(), true)
    }

    /// Where the browser is redirected after a successful upload (OSS appends `bucket`, `key`
    /// and `etag` to the URL's query).
    pub fn success_action_redirect(self, url: impl Into<String>) -> Self {
        self.field("success_action_redirect", url.into(), true)
    }

    /// A user metadata entry `x-oss-meta-<name>` stored with the object.
    pub fn meta(self, name: impl AsRef<str>, value: impl Into<String>) -> Self {
        let name = format!("x-oss-meta-{}", name.as_ref().to_ascii_lowercase());
        self.field(&name, value.into(), true)
    }

    /// Any other condition.
    pub fn condition(mut self, condition: Condition) -> Self {
        self.policy.conditions.push(condition);
        self
    }

    /// The policy.
    pub fn build(self) -> PostPolicy {
        self.policy
    }
}

impl PostPolicy {
    /// A policy that stops working at `expiration`.
    ///
    /// ```
    /// # use oss_client::post_policy::PostPolicy;
    /// let p = PostPolicy::builder(time::macros::datetime!(2030-01-01 00:00 UTC)).build();
    /// assert_eq!(p.to_json(), r#"{"expiration":"2030-01-01T00:00:00.000Z","conditions":[]}"#);
    /// ```
    pub fn builder(expiration: OffsetDateTime) -> PostPolicyBuilder {
        PostPolicyBuilder {
            policy: PostPolicy {
                expiration,
                conditions: Vec::new(),
                fields: Vec::new(),
            },
        }
    }

    /// The conditions.
    ///
    /// ```
    /// # use oss_client::post_policy::{Condition, PostPolicy};
    /// let p = PostPolicy::builder(time::OffsetDateTime::UNIX_EPOCH).bucket("b").build();
    /// assert_eq!(p.conditions(), [Condition::Bucket("b".into())]);
    /// ```
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }

    fn json_with(&self, extra: &[Condition]) -> String {
        let expiration = self
            .expiration
            .to_offset(time::UtcOffset::UTC)
            .format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
            ))
            .unwrap_or_default();
        let conditions: Vec<Value> = self
            .conditions
            .iter()
            .chain(extra)
            .map(Condition::to_json)
            .collect();
        // Key order matters to nobody but readers: expiration first, as OSS documents it.
        format!(
            "{{\"expiration\":{},\"conditions\":{}}}",
            Value::String(expiration),
            Value::Array(conditions)
        )
    }

    /// The policy document (JSON) as it is signed, without the V4 signature conditions.
    ///
    /// ```
    /// # use oss_client::post_policy::PostPolicy;
    /// let p = PostPolicy::builder(time::macros::datetime!(2030-01-01 00:00:00.5 UTC))
    ///     .content_length_range(0, 10).build();
    /// assert_eq!(p.to_json(),
    ///     r#"{"expiration":"2030-01-01T00:00:00.500Z","conditions":[["content-length-range",0,10]]}"#);
    /// ```
    pub fn to_json(&self) -> String {
        self.json_with(&[])
    }

    /// Signs the policy at `now` for `region`. V4 adds the conditions OSS requires of a V4
    /// form (`x-oss-signature-version`, `x-oss-credential`, `x-oss-date`, and
    /// `x-oss-security-token` for temporary credentials) before signing; V1 signs with
    /// HMAC-SHA1 and sends `OSSAccessKeyId`.
    ///
    /// # Errors
    /// [`Error::Sign`] for empty credentials, a bad region or a time outside years 0–9999.
    ///
    /// ```
    /// # use oss_client::{post_policy::PostPolicy, SignatureVersion};
    /// let p = PostPolicy::builder(time::macros::datetime!(2030-01-01 00:00 UTC)).key("k").build();
    /// let creds = oss_sign::Credentials::new("ak", "sk");
    /// let v1 = p.sign(&creds, "cn-hangzhou", time::OffsetDateTime::UNIX_EPOCH, SignatureVersion::V1).unwrap();
    /// assert_eq!(v1.field("OSSAccessKeyId"), Some("ak"));
    /// assert_eq!(v1.field("key"), Some("k"));
    /// ```
    pub fn sign(
        &self,
        credentials: &oss_sign::Credentials,
        region: &str,
        now: OffsetDateTime,
        version: SignatureVersion,
    ) -> Result<PostForm, Error> {
        let sign_error = |e: oss_sign::SignError| Error::Sign {
            reason: e.to_string(),
        };
        let mut fields = self.fields.clone();
        match version {
            SignatureVersion::V1 => {
                let (policy, signature) =
                    oss_sign::post_policy::sign_v1(&self.to_json(), credentials)
                        .map_err(sign_error)?;
                fields.push((
                    "OSSAccessKeyId".into(),
                    credentials.access_key_id().to_owned(),
                ));
                fields.push(("policy".into(), policy));
                fields.push(("Signature".into(), signature));
                if let Some(token) = credentials.security_token() {
                    fields.push(("x-oss-security-token".into(), token.to_owned()));
                }
            }
            _ => {
                let params = oss_sign::v4::SigningParams::new(credentials, region, now);
                // Signed once to learn the credential scope and date the conditions must name,
                // then again over the policy that names them.
                let probe = oss_sign::post_policy::sign("{}", &params).map_err(sign_error)?;
                let mut extra = vec![
                    eq("x-oss-signature-version", "OSS4-HMAC-SHA256"),
                    eq("x-oss-credential", probe.credential()),
                    eq("x-oss-date", probe.x_oss_date()),
                ];
                if let Some(token) = credentials.security_token() {
                    extra.push(eq("x-oss-security-token", token));
                }
                let signed = oss_sign::post_policy::sign(&self.json_with(&extra), &params)
                    .map_err(sign_error)?;
                for (name, value) in signed.form_fields() {
                    fields.push((name.to_owned(), value.to_owned()));
                }
            }
        }
        Ok(PostForm { fields })
    }
}

fn eq(field: &str, value: &str) -> Condition {
    Condition::Equals {
        field: field.to_owned(),
        value: value.to_owned(),
    }
}

/// A signed form: the fields to send before the file, in order.
///
/// Its `Debug` hides the signature and any security token.
///
/// ```
/// # use oss_client::{post_policy::PostPolicy, SignatureVersion};
/// let p = PostPolicy::builder(time::macros::datetime!(2030-01-01 00:00 UTC)).build();
/// let creds = oss_sign::Credentials::new("ak", "sk");
/// let form = p.sign(&creds, "cn-hangzhou", time::OffsetDateTime::UNIX_EPOCH, SignatureVersion::V4).unwrap();
/// assert!(form.fields().iter().any(|(k, _)| k == "x-oss-signature"));
/// assert!(!format!("{form:?}").contains(form.field("x-oss-signature").unwrap()));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PostForm {
    fields: Vec<(String, String)>,
}

impl std::fmt::Debug for PostForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut list = f.debug_map();
        for (k, v) in &self.fields {
            let secret = matches!(
                k.to_ascii_lowercase().as_str(),
                "x-oss-signature" | "signature" | "x-oss-security-token"
            );
            list.entry(k, if secret { &"<redacted>" } else { v });
        }
        list.finish()
    }
}

/// A form encoded as `multipart/form-data`: the `Content-Type` to send it with, and the body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct MultipartForm {
    /// `multipart/form-data; boundary=...`.
    pub content_type: String,
    /// The encoded fields, then the file.
    pub body: Bytes,
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Quotes a name or file name for a `Content-Disposition` parameter, as browsers do
/// (`"` and line breaks percent-encoded).
fn quote(s: &str) -> String {
    s.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

impl PostForm {
    /// The fields in the order they are sent.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// A field's value (names compared case-insensitively, as OSS does).
    ///
    /// ```
    /// # use oss_client::{post_policy::PostPolicy, SignatureVersion};
    /// # let p = PostPolicy::builder(time::macros::datetime!(2030-01-01 00:00 UTC)).key("k").build();
    /// # let form = p.sign(&oss_sign::Credentials::new("ak", "sk"), "cn-hangzhou", time::OffsetDateTime::UNIX_EPOCH, SignatureVersion::V4).unwrap();
    /// assert_eq!(form.field("KEY"), Some("k"));
    /// ```
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Sets a field (replacing one of the same name): the `key` under a `key_starts_with`
    /// policy, or any field the policy does not constrain.
    ///
    /// ```
    /// # use oss_client::{post_policy::PostPolicy, SignatureVersion};
    /// # let p = PostPolicy::builder(time::macros::datetime!(2030-01-01 00:00 UTC)).build();
    /// # let form = p.sign(&oss_sign::Credentials::new("ak", "sk"), "cn-hangzhou", time::OffsetDateTime::UNIX_EPOCH, SignatureVersion::V4).unwrap();
    /// let form = form.with_field("key", "uploads/${filename}");
    /// assert_eq!(form.fields()[0], ("key".to_string(), "uploads/${filename}".to_string()));
    /// ```
    #[must_use]
    pub fn with_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        let value = value.into();
        if let Some(slot) = self
            .fields
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(&name))
        {
            slot.1 = value;
        } else if name.eq_ignore_ascii_case("key") {
            self.fields.insert(0, (name, value));
        } else {
            self.fields.push((name, value));
        }
        self
    }

    /// The fields as hidden `<input>` elements (HTML-escaped), to put inside a
    /// `<form method="post" enctype="multipart/form-data" action="BUCKET URL">` before its
    /// `<input type="file" name="file">`.
    ///
    /// ```
    /// # use oss_client::{post_policy::PostPolicy, SignatureVersion};
    /// # let p = PostPolicy::builder(time::macros::datetime!(2030-01-01 00:00 UTC)).key("a&b").build();
    /// # let form = p.sign(&oss_sign::Credentials::new("ak", "sk"), "cn-hangzhou", time::OffsetDateTime::UNIX_EPOCH, SignatureVersion::V4).unwrap();
    /// assert!(form.html_inputs().starts_with(r#"<input type="hidden" name="key" value="a&amp;b">"#));
    /// ```
    pub fn html_inputs(&self) -> String {
        let mut out = String::new();
        for (k, v) in &self.fields {
            let _ = writeln!(
                out,
                r#"<input type="hidden" name="{}" value="{}">"#,
                escape_html(k),
                escape_html(v)
            );
        }
        out
    }

    /// Encodes the form with its file as a browser does: each field, then `file` last.
    ///
    /// ```
    /// # use oss_client::{post_policy::PostPolicy, SignatureVersion};
    /// # let p = PostPolicy::builder(time::macros::datetime!(2030-01-01 00:00 UTC)).key("k").build();
    /// # let form = p.sign(&oss_sign::Credentials::new("ak", "sk"), "cn-hangzhou", time::OffsetDateTime::UNIX_EPOCH, SignatureVersion::V4).unwrap();
    /// let encoded = form.encode("a.txt", "text/plain", b"hello".to_vec());
    /// let body = String::from_utf8(encoded.body.to_vec()).unwrap();
    /// assert!(body.contains("name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n"));
    /// ```
    pub fn encode(
        &self,
        file_name: &str,
        content_type: &str,
        data: impl Into<Bytes>,
    ) -> MultipartForm {
        let data = data.into();
        let boundary = boundary_for(&data);
        let mut body = Vec::with_capacity(data.len() + 256 * (self.fields.len() + 1));
        for (k, v) in &self.fields {
            let _ = write!(
                Writer(&mut body),
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{v}\r\n",
                quote(k)
            );
        }
        let _ = write!(
            Writer(&mut body),
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: {content_type}\r\n\r\n",
            quote(file_name)
        );
        body.extend_from_slice(&data);
        let _ = write!(Writer(&mut body), "\r\n--{boundary}--\r\n");
        MultipartForm {
            content_type: format!("multipart/form-data; boundary={boundary}"),
            body: Bytes::from(body),
        }
    }
}

/// A boundary that does not occur in the data.
fn boundary_for(data: &[u8]) -> String {
    let mut seed = u64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
            & u128::from(u64::MAX),
    )
    .unwrap_or(0);
    loop {
        let boundary = format!("----OssRsFormBoundary{seed:016x}");
        if !data
            .windows(boundary.len())
            .any(|w| w == boundary.as_bytes())
        {
            return boundary;
        }
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    }
}

/// `fmt::Write` over a byte buffer.
struct Writer<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Writer<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

impl crate::Client {
    /// Signs `policy` with this client's credentials, region and signature version (V4
    /// unless the client is configured for V1), at the client's clock.
    ///
    /// # Errors
    /// [`Error::Credentials`] when no credentials can be obtained, [`Error::Sign`] when they
    /// cannot sign.
    ///
    /// ```
    /// # use oss_client::{Client, Config, credentials::StaticProvider, post_policy::PostPolicy};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let client = Client::new(Config::builder().region("cn-hangzhou")
    ///     .credentials(StaticProvider::from_keys("ak", "sk")).build().unwrap());
    /// let policy = PostPolicy::builder(time::OffsetDateTime::now_utc() + time::Duration::hours(1))
    ///     .bucket("examplebucket").key("a.txt").build();
    /// let form = client.sign_post_policy(&policy).await.unwrap();
    /// assert!(form.field("x-oss-credential").unwrap().ends_with("/cn-hangzhou/oss/aliyun_v4_request"));
    /// # });
    /// ```
    pub async fn sign_post_policy(&self, policy: &PostPolicy) -> Result<PostForm, Error> {
        let creds = self.config().credentials.provide_credentials().await?;
        policy.sign(
            &creds.to_signing(),
            self.config().region(),
            OffsetDateTime::now_utc(),
            self.config().signature_version(),
        )
    }

    /// The URL a form for `bucket` is posted to (the `action` of an HTML form).
    ///
    /// # Errors
    /// An invalid bucket name for the endpoint.
    ///
    /// ```
    /// # use oss_client::{Client, Config, credentials::StaticProvider};
    /// let client = Client::new(Config::builder().region("cn-hangzhou")
    ///     .credentials(StaticProvider::from_keys("ak", "sk")).build().unwrap());
    /// assert_eq!(client.post_object_url("examplebucket").unwrap(),
    ///     "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/");
    /// ```
    pub fn post_object_url(&self, bucket: &str) -> Result<String, Error> {
        let parts = oss_proto::operation::RequestParts {
            method: http::Method::POST,
            bucket: Some(bucket.to_owned()),
            key: None,
            query: Vec::new(),
            headers: http::HeaderMap::new(),
            body: oss_proto::operation::RequestBody::Empty,
        };
        let address = self
            .config()
            .endpoint()
            .address(oss_proto::operation::Scope::Bucket, &parts)?;
        Ok(address.uri.to_string())
    }
}

impl crate::generated::PostObjectRequest {
    /// Sends an encoded form ([`PostForm::encode`]): sets the `Content-Type` and the body.
    pub fn form(self, form: MultipartForm) -> Self {
        let len = form.body.len() as i64;
        self.content_type(form.content_type)
            .content_length(len)
            .body(form.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_policies_name_the_signature_fields_they_carry() {
        let policy = PostPolicy::builder(time::macros::datetime!(2030-01-01 00:00 UTC))
            .bucket("b")
            .key("k")
            .build();
        let creds = oss_sign::Credentials::new("ak", "sk").with_security_token("sts-value-1234");
        let now = time::macros::datetime!(2029-06-01 12:00 UTC);
        let form = policy
            .sign(&creds, "cn-hangzhou", now, SignatureVersion::V4)
            .unwrap();
        let json = String::from_utf8(
            base64::Engine::decode(
                &base64::engine::general_purpose::STANDARD,
                form.field("policy").unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
        let doc: Value = serde_json::from_str(&json).unwrap();
        let conditions = doc["conditions"].as_array().unwrap();
        assert!(conditions.contains(&json!(["eq", "$x-oss-date", "20290601T120000Z"])));
        assert!(conditions.contains(&json!([
            "eq",
            "$x-oss-credential",
            "ak/20290601/cn-hangzhou/oss/aliyun_v4_request"
        ])));
        assert!(conditions.contains(&json!(["eq", "$x-oss-security-token", "sts-value-1234"])));
        assert_eq!(form.field("x-oss-date"), Some("20290601T120000Z"));
        // The signature verifies with oss-sign's server side.
        let post = oss_sign::post_policy::PostForm {
            policy: form.field("policy").unwrap(),
            signature_version: form.field("x-oss-signature-version").unwrap(),
            credential: form.field("x-oss-credential").unwrap(),
            date: form.field("x-oss-date").unwrap(),
            signature: form.field("x-oss-signature").unwrap(),
            security_token: form.field("x-oss-security-token"),
        };
        let ok = oss_sign::post_policy::verify(
            &post,
            |_| Some(oss_sign::Credentials::new("ak", "sk")),
            &oss_sign::verify::VerifyOptions::new(now),
        );
        assert!(ok.is_ok());
        assert!(!format!("{form:?}").contains("sts-value-1234"));
    }

    #[test]
    fn encoded_forms_keep_the_file_intact() {
        let form = PostForm {
            fields: vec![("key".into(), "a\"b".into())],
        };
        let data = b"\r\n--not-a-boundary\r\nbinary\x00\xff".to_vec();
        let encoded = form.encode("f\".bin", "application/octet-stream", data.clone());
        let boundary = encoded.content_type.split("boundary=").nth(1).unwrap();
        let body = &encoded.body[..];
        assert!(body.starts_with(format!("--{boundary}\r\n").as_bytes()));
        assert!(body.ends_with(format!("\r\n--{boundary}--\r\n").as_bytes()));
        assert!(
            body.windows(data.len()).any(|w| w == data),
            "file bytes are sent as they are"
        );
        let text = String::from_utf8_lossy(body);
        assert!(text.contains("name=\"key\"\r\n\r\na\"b\r\n"));
        assert!(text.contains("filename=\"f%22.bin\""));
    }
}
