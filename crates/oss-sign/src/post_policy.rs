//! The V4 signature of a PostObject policy (browser form upload): the string to sign is the
//! base64 policy document, signed with the V4 signing key ([`sign`], [`verify`]); legacy V1 forms
//! sign it with HMAC-SHA1 ([`sign_v1`], [`verify_v1`]).
//!
//! ```
//! use oss_sign::{Credentials, post_policy, v4::SigningParams};
//! let creds = Credentials::new("ak", "sk");
//! let now = time::OffsetDateTime::from_unix_timestamp(1_702_743_657).unwrap();
//! let policy = r#"{"expiration":"2023-12-16T17:20:57.000Z","conditions":[{"bucket":"b"}]}"#;
//! let signed = post_policy::sign(policy, &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
//! assert_eq!(signed.credential(), "ak/20231216/cn-hangzhou/oss/aliyun_v4_request");
//! let fields: Vec<_> = signed.form_fields().map(|(k, _)| k).collect();
//! assert_eq!(fields, ["policy", "x-oss-signature-version", "x-oss-credential", "x-oss-date", "x-oss-signature"]);
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ring::hmac;

use crate::canonical::{ALGORITHM, write_scope};
use crate::datetime::IsoStamp;
use crate::encoding::{bytes_to_string, hex32, unhex32};
use crate::v4::{SigningParams, check_scope_part};
use crate::verify::{Verified, VerifyOptions, parse_credential};
use crate::{Credentials, SignError, SignatureVersion, SigningKey, VerifyError};

/// A signed PostObject policy: the form fields to send with the upload.
///
/// ```
/// # use oss_sign::{Credentials, post_policy, v4::SigningParams};
/// # let creds = Credentials::new("ak", "sk");
/// # let now = time::OffsetDateTime::from_unix_timestamp(1_702_743_657).unwrap();
/// # let signed = post_policy::sign("{}", &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
/// assert_eq!(signed.form_fields().count(), 5);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PostPolicySignature {
    policy: String,
    credential: String,
    stamp: IsoStamp,
    signature: String,
    security_token: Option<String>,
}

impl std::fmt::Debug for PostPolicySignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostPolicySignature")
            .field("policy", &self.policy)
            .field("credential", &self.credential)
            .field("x_oss_date", &self.stamp.as_str())
            .field("signature", &self.signature)
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl PostPolicySignature {
    /// The base64 policy (the `policy` form field, and the string that was signed).
    ///
    /// ```
    /// # use oss_sign::{Credentials, post_policy, v4::SigningParams};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::from_unix_timestamp(1_702_743_657).unwrap();
    /// # let signed = post_policy::sign("{}", &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
    /// assert_eq!(signed.policy(), "e30=");
    /// ```
    pub fn policy(&self) -> &str {
        &self.policy
    }

    /// The `x-oss-credential` field: `ak/date/region/product/aliyun_v4_request`.
    ///
    /// ```
    /// # use oss_sign::{Credentials, post_policy, v4::SigningParams};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::from_unix_timestamp(1_702_743_657).unwrap();
    /// # let signed = post_policy::sign("{}", &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
    /// assert_eq!(signed.credential(), "ak/20231216/cn-hangzhou/oss/aliyun_v4_request");
    /// ```
    pub fn credential(&self) -> &str {
        &self.credential
    }

    /// The `x-oss-date` field.
    ///
    /// ```
    /// # use oss_sign::{Credentials, post_policy, v4::SigningParams};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::from_unix_timestamp(1_702_743_657).unwrap();
    /// # let signed = post_policy::sign("{}", &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
    /// assert_eq!(signed.x_oss_date(), "20231216T162057Z");
    /// ```
    pub fn x_oss_date(&self) -> &str {
        self.stamp.as_str()
    }

    /// The hex `x-oss-signature` field.
    ///
    /// ```
    /// # use oss_sign::{Credentials, post_policy, v4::SigningParams};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::from_unix_timestamp(1_702_743_657).unwrap();
    /// # let signed = post_policy::sign("{}", &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
    /// assert_eq!(signed.signature().len(), 64);
    /// ```
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The form fields to send: `policy`, `x-oss-signature-version`, `x-oss-credential`,
    /// `x-oss-date`, `x-oss-signature` and (temporary credentials) `x-oss-security-token`.
    /// The policy's conditions should name the same credential and date.
    ///
    /// ```
    /// # use oss_sign::{Credentials, post_policy, v4::SigningParams};
    /// # let creds = Credentials::new("ak", "sk");
    /// # let now = time::OffsetDateTime::from_unix_timestamp(1_702_743_657).unwrap();
    /// # let signed = post_policy::sign("{}", &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
    /// assert!(signed.form_fields().any(|(k, v)| k == "policy" && v == "e30="));
    /// ```
    pub fn form_fields(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        [
            Some(("policy", self.policy.as_str())),
            Some(("x-oss-signature-version", ALGORITHM)),
            Some(("x-oss-credential", self.credential.as_str())),
            Some(("x-oss-date", self.stamp.as_str())),
            Some(("x-oss-signature", self.signature.as_str())),
            self.security_token
                .as_deref()
                .map(|t| ("x-oss-security-token", t)),
        ]
        .into_iter()
        .flatten()
    }
}

/// Signs a PostObject policy document (JSON text) with V4. Additional headers in `params`
/// are ignored.
///
/// # Errors
/// Empty credentials, a bad region or product, or a time outside years 0–9999.
///
/// ```
/// # use oss_sign::{Credentials, post_policy, v4::SigningParams};
/// let creds = Credentials::new("ak", "sk");
/// let p = SigningParams::new(&creds, "cn-hangzhou", time::OffsetDateTime::UNIX_EPOCH);
/// let signed = post_policy::sign("{}", &p).unwrap();
/// assert_eq!(signed.policy(), "e30=");
/// assert_eq!(signed.signature().len(), 64);
/// ```
pub fn sign(
    policy_json: &str,
    params: &SigningParams<'_>,
) -> Result<PostPolicySignature, SignError> {
    let creds = params.credentials();
    creds.check()?;
    check_scope_part("region", params.region())?;
    check_scope_part("product", params.product())?;
    let stamp = IsoStamp::new(params.time())?;
    let policy = BASE64.encode(policy_json.as_bytes());
    let key = SigningKey::derive(
        creds.access_key_secret(),
        stamp.date(),
        params.region(),
        params.product(),
    );
    let signature = bytes_to_string(hex32(hmac::sign(&key.0, policy.as_bytes()).as_ref()).to_vec());
    let mut credential = Vec::with_capacity(96);
    credential.extend_from_slice(creds.access_key_id().as_bytes());
    credential.push(b'/');
    write_scope(
        &mut credential,
        stamp.date(),
        params.region(),
        params.product(),
    );
    Ok(PostPolicySignature {
        policy,
        credential: bytes_to_string(credential),
        stamp,
        signature,
        security_token: creds.security_token().map(str::to_string),
    })
}

/// The signature fields of a received PostObject form.
///
/// ```
/// let form = oss_sign::post_policy::PostForm {
///     policy: "e30=",
///     signature_version: "OSS4-HMAC-SHA256",
///     credential: "ak/19700101/cn-hangzhou/oss/aliyun_v4_request",
///     date: "19700101T000000Z",
///     signature: "00",
///     security_token: None,
/// };
/// assert_eq!(form.policy, "e30=");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PostForm<'a> {
    /// The `policy` field (base64).
    pub policy: &'a str,
    /// The `x-oss-signature-version` field.
    pub signature_version: &'a str,
    /// The `x-oss-credential` field.
    pub credential: &'a str,
    /// The `x-oss-date` field.
    pub date: &'a str,
    /// The `x-oss-signature` field.
    pub signature: &'a str,
    /// The `x-oss-security-token` field, if any.
    pub security_token: Option<&'a str>,
}

/// Verifies the signature of a PostObject form (a server's entry point). The policy's own
/// `expiration` and conditions are the caller's to check.
///
/// # Errors
/// [`VerifyError::Malformed`], [`VerifyError::UnknownAccessKeyId`], or
/// [`VerifyError::SignatureDoesNotMatch`] (its `string_to_sign` is the policy).
///
/// ```
/// # use oss_sign::{Credentials, post_policy, v4::SigningParams, verify::VerifyOptions};
/// let creds = Credentials::new("ak", "sk");
/// let now = time::OffsetDateTime::UNIX_EPOCH;
/// let s = post_policy::sign("{}", &SigningParams::new(&creds, "cn-hangzhou", now)).unwrap();
/// let form = post_policy::PostForm {
///     policy: s.policy(), signature_version: "OSS4-HMAC-SHA256", credential: s.credential(),
///     date: s.x_oss_date(), signature: s.signature(), security_token: None,
/// };
/// let ok = post_policy::verify(&form, |_| Some(creds.clone()), &VerifyOptions::new(now)).unwrap();
/// assert_eq!(ok.access_key_id, "ak");
/// ```
pub fn verify(
    form: &PostForm<'_>,
    lookup: impl FnOnce(&str) -> Option<Credentials>,
    options: &VerifyOptions<'_>,
) -> Result<Verified, VerifyError> {
    let malformed = |reason: &str| VerifyError::Malformed {
        version: Some(SignatureVersion::V4),
        reason: reason.to_string(),
    };
    if form.signature_version != ALGORITHM {
        return Err(malformed("unsupported x-oss-signature-version"));
    }
    let cred = parse_credential(form.credential)?;
    if form.date.get(..8) != Some(cred.date) {
        return Err(malformed("x-oss-date does not match the credential date"));
    }
    let sig =
        unhex32(form.signature).ok_or_else(|| malformed("x-oss-signature is not 64 hex digits"))?;
    let creds = lookup(cred.access_key_id).ok_or_else(|| VerifyError::UnknownAccessKeyId {
        access_key_id: cred.access_key_id.to_string(),
    })?;
    let key = options.signing_key(
        creds.access_key_secret(),
        cred.date,
        cred.region,
        cred.product,
    );
    if hmac::verify(&key.0, form.policy.as_bytes(), &sig).is_err() {
        return Err(VerifyError::SignatureDoesNotMatch {
            version: SignatureVersion::V4,
            canonical_request: None,
            string_to_sign: form.policy.to_string(),
        });
    }
    Ok(Verified {
        version: SignatureVersion::V4,
        access_key_id: cred.access_key_id.to_string(),
        security_token: form.security_token.map(str::to_string),
        region: Some(cred.region.to_string()),
        product: Some(cred.product.to_string()),
        presigned: false,
        expires_at: None,
    })
}

/// Signs a PostObject policy with V1 (legacy forms): returns the base64 policy (the `policy`
/// field) and its base64 HMAC-SHA1 `Signature`; send them with `OSSAccessKeyId`.
///
/// # Errors
/// Empty credentials.
///
/// ```
/// let creds = oss_sign::Credentials::new("ak", "sk");
/// let (policy, signature) = oss_sign::post_policy::sign_v1("{}", &creds).unwrap();
/// assert_eq!(policy, "e30=");
/// assert_eq!(signature.len(), 28);
/// ```
pub fn sign_v1(
    policy_json: &str,
    credentials: &Credentials,
) -> Result<(String, String), SignError> {
    credentials.check()?;
    let policy = BASE64.encode(policy_json.as_bytes());
    let signature = crate::v1::hmac_sha1_base64(credentials.access_key_secret(), policy.as_bytes());
    Ok((policy, signature))
}

/// Verifies a V1 PostObject form: `policy` (base64), `OSSAccessKeyId` and `Signature`.
///
/// # Errors
/// [`VerifyError::Malformed`] (signature not base64), [`VerifyError::UnknownAccessKeyId`] or
/// [`VerifyError::SignatureDoesNotMatch`] (its `string_to_sign` is the policy).
///
/// ```
/// let creds = oss_sign::Credentials::new("ak", "sk");
/// let (policy, signature) = oss_sign::post_policy::sign_v1("{}", &creds).unwrap();
/// let ok = oss_sign::post_policy::verify_v1(&policy, "ak", &signature, |_| Some(creds.clone()));
/// assert_eq!(ok.unwrap().access_key_id, "ak");
/// ```
pub fn verify_v1(
    policy: &str,
    access_key_id: &str,
    signature: &str,
    lookup: impl FnOnce(&str) -> Option<Credentials>,
) -> Result<Verified, VerifyError> {
    let sig = BASE64
        .decode(signature)
        .map_err(|_| VerifyError::Malformed {
            version: Some(SignatureVersion::V1),
            reason: "Signature is not base64".into(),
        })?;
    let creds = lookup(access_key_id).ok_or_else(|| VerifyError::UnknownAccessKeyId {
        access_key_id: access_key_id.to_string(),
    })?;
    let key = hmac::Key::new(
        hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        creds.access_key_secret().as_bytes(),
    );
    if hmac::verify(&key, policy.as_bytes(), &sig).is_err() {
        return Err(VerifyError::SignatureDoesNotMatch {
            version: SignatureVersion::V1,
            canonical_request: None,
            string_to_sign: policy.to_string(),
        });
    }
    Ok(Verified {
        version: SignatureVersion::V1,
        access_key_id: access_key_id.to_string(),
        security_token: None,
        region: None,
        product: None,
        presigned: false,
        expires_at: None,
    })
}
