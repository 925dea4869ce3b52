//! Server-side encryption of written objects, as OSS reports it: the request's
//! `x-oss-server-side-encryption` (with its KMS key id and data encryption), else the bucket's
//! default rule (PutBucketEncryption). The emulator keeps data as it came; what it stores and
//! reports is the encryption OSS would have applied, in the headers writes and reads answer.

use oss_model::xml::XmlDocument as _;

use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;

/// The algorithm header.
pub(crate) const ALGORITHM: &str = "x-oss-server-side-encryption";
/// The KMS key id header.
pub(crate) const KEY_ID: &str = "x-oss-server-side-encryption-key-id";
/// The KMS data encryption header (`SM4`).
pub(crate) const DATA_ENCRYPTION: &str = "x-oss-server-side-data-encryption";

/// The encryption headers a write stores with the object and answers: the request's own,
/// else the bucket's default rule, else none.
///
/// # Errors
/// `InvalidArgument` for an algorithm OSS does not know, or a key id without KMS.
pub(crate) fn for_write(ctx: &Context, req: &Request) -> Result<Vec<(String, String)>, OssError> {
    let invalid = |name: &'static str, value: &str| {
        OssError::invalid_argument(format!("The value of {name} is not valid: {value}"))
            .with("ArgumentName", name)
            .with("ArgumentValue", value)
    };
    if let Some(algorithm) = req.header(ALGORITHM) {
        if !matches!(algorithm, "AES256" | "KMS" | "SM4") {
            return Err(invalid(ALGORITHM, algorithm));
        }
        let mut out = vec![(ALGORITHM.to_owned(), algorithm.to_owned())];
        for name in [KEY_ID, DATA_ENCRYPTION] {
            if let Some(v) = req.header(name) {
                if algorithm != "KMS" {
                    return Err(invalid(name, v));
                }
                out.push((name.to_owned(), v.to_owned()));
            }
        }
        return Ok(out);
    }
    let Some(rule) = ctx
        .store
        .bucket(req.bucket())?
        .configs
        .get("encryption")
        .and_then(|doc| oss_model::ServerSideEncryptionRule::from_xml(doc.as_bytes()).ok())
    else {
        return Ok(Vec::new());
    };
    let by_default = rule.apply_server_side_encryption_by_default;
    let algorithm = by_default.sse_algorithm.as_str().to_owned();
    let mut out = vec![(ALGORITHM.to_owned(), algorithm.clone())];
    if algorithm == "KMS" {
        if let Some(key) = by_default.kms_master_key_id.filter(|k| !k.is_empty()) {
            out.push((KEY_ID.to_owned(), key));
        }
        if let Some(data) = by_default.kms_data_encryption {
            out.push((DATA_ENCRYPTION.to_owned(), data.as_str().to_owned()));
        }
    }
    Ok(out)
}
