//! Custom domains of a bucket: CreateCnameToken and GetCnameToken (the ownership token of a
//! domain, valid 72 hours), PutCname (maps a domain whose token was created, with its
//! certificate), ListCname and DeleteCname. A domain maps to one bucket of the emulator.

use http::StatusCode;
use oss_model::xml::XmlDocument as _;
use oss_model::{CnameCertificateType, CnameStatus, CnameToken, ListCnameResult};
use oss_proto::generated as ops;

use super::stored;
use crate::context::{Context, OWNER_ID};
use crate::error::OssError;
use crate::request::Request;
use crate::response::Reply;
use crate::storage::{from_ms, now_ms};
use crate::timefmt::http_date;
use crate::typed;

const DOC: &str = "cname";
/// How long an ownership token is valid.
const TOKEN_MS: i64 = 72 * 3_600_000;

fn token_doc(domain: &str) -> String {
    format!("cname-token/{}", domain.to_ascii_lowercase())
}

/// A domain name OSS accepts: dot-separated labels of letters, digits and hyphens, an
/// optional leading `*.` for a wildcard.
fn check_domain(domain: &str) -> Result<String, OssError> {
    let d = domain.trim().to_ascii_lowercase();
    let bare = d.strip_prefix("*.").unwrap_or(&d);
    let ok = bare.len() <= 253
        && bare.contains('.')
        && bare.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok {
        Ok(d)
    } else {
        Err(
            OssError::invalid_argument(format!("The domain name is not valid: {domain}"))
                .with("ArgumentName", "Domain")
                .with("ArgumentValue", domain),
        )
    }
}

fn no_such_token(domain: &str) -> OssError {
    OssError::new(
        StatusCode::NOT_FOUND,
        "NoSuchCnameToken",
        "The specified cname token does not exist.",
    )
    .with("Cname", domain)
}

/// The unexpired token of `domain` on `bucket`.
fn live_token(ctx: &Context, bucket: &str, domain: &str) -> Result<Option<CnameToken>, OssError> {
    let token = stored::bucket_doc::<CnameToken>(ctx, bucket, &token_doc(domain))?;
    Ok(token.filter(|t| {
        t.expire_time
            .as_deref()
            .and_then(crate::timefmt::parse_http_date)
            .is_some_and(|end| end > from_ms(now_ms()))
    }))
}

/// POST /bucket?cname&comp=token — CreateCnameToken.
pub(crate) fn create_token(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::CreateCnameToken>(req)?;
    let domain = check_domain(&input.body.cname.domain)?;
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        format!("{}\n{domain}\n{}", req.bucket(), stored::new_id()).as_bytes(),
    );
    let token: String = digest.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let doc = CnameToken {
        bucket: Some(req.bucket().to_owned()),
        cname: Some(domain.clone()),
        token,
        expire_time: Some(http_date(from_ms(now_ms() + TOKEN_MS))),
    };
    let written = doc.clone();
    stored::modify_bucket::<CnameToken, _>(ctx, req.bucket(), &token_doc(&domain), |d| {
        *d = Some(written);
        Ok(())
    })?;
    Ok(Reply::xml(doc.to_xml()))
}

/// GET /bucket?comp=token&cname=… — GetCnameToken.
pub(crate) fn get_token(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::GetCnameToken>(req)?;
    let domain = check_domain(&input.cname)?;
    let token = live_token(ctx, req.bucket(), &domain)?.ok_or_else(|| no_such_token(&domain))?;
    Ok(Reply::xml(token.to_xml()))
}

/// POST /bucket?cname&comp=add — PutCname.
pub(crate) fn put(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::PutCname>(req)?;
    let cname = input.body.cname;
    let domain = check_domain(&cname.domain)?;
    let bucket = req.bucket();
    for other in stored::bucket_names(ctx) {
        if other == bucket {
            continue;
        }
        let taken = stored::bucket_doc::<ListCnameResult>(ctx, &other, DOC)?
            .is_some_and(|l| l.cnames.iter().any(|c| c.domain == domain));
        if taken {
            return Err(OssError::new(
                StatusCode::CONFLICT,
                "CnameAlreadyExists",
                "The cname has been attatched to your other bucket already.",
            )
            .with("Cname", domain));
        }
    }
    let known = stored::bucket_doc::<ListCnameResult>(ctx, bucket, DOC)?
        .is_some_and(|l| l.cnames.iter().any(|c| c.domain == domain));
    if !known && live_token(ctx, bucket, &domain)?.is_none() {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "NeedVerifyDomainOwnership",
            "You have to verify the ownership of the domain: create its cname token first.",
        )
        .with("Cname", domain));
    }
    let now = now_ms();
    stored::modify_bucket::<ListCnameResult, _>(ctx, bucket, DOC, |doc| {
        let list = doc.get_or_insert_with(|| ListCnameResult {
            bucket: Some(bucket.to_owned()),
            owner: Some(OWNER_ID.to_owned()),
            cnames: Vec::new(),
        });
        let pos = match list.cnames.iter().position(|c| c.domain == domain) {
            Some(p) => p,
            None => {
                list.cnames.push(oss_model::CnameInfo {
                    domain: domain.clone(),
                    ..Default::default()
                });
                list.cnames.len() - 1
            }
        };
        let entry = &mut list.cnames[pos];
        entry.last_modified = Some(from_ms(now));
        entry.status = Some(CnameStatus::Enabled);
        if cname.is_wild_card.is_some() {
            entry.is_wild_card = cname.is_wild_card;
        }
        if let Some(cert) = cname.certificate_configuration {
            if cert.delete_certificate == Some(true) {
                entry.certificate = None;
            } else if cert.cert_id.is_some() || cert.certificate.is_some() {
                let current = entry.certificate.as_ref().and_then(|c| c.cert_id.clone());
                if current.is_some() && cert.force != Some(true) && cert.previous_cert_id != current
                {
                    return Err(OssError::invalid_argument(
                        "PreviousCertId does not name the domain's current certificate.",
                    )
                    .with("ArgumentName", "PreviousCertId"));
                }
                if cert.certificate.is_some() && cert.private_key.is_none() {
                    return Err(OssError::invalid_argument(
                        "An uploaded certificate needs its private key.",
                    )
                    .with("ArgumentName", "PrivateKey"));
                }
                let fingerprint = cert.certificate.as_ref().map(|pem| {
                    let d = ring::digest::digest(
                        &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
                        pem.as_bytes(),
                    );
                    d.as_ref()
                        .iter()
                        .map(|b| format!("{b:02X}"))
                        .collect::<Vec<_>>()
                        .join(":")
                });
                entry.certificate = Some(oss_model::CnameCertificate {
                    r#type: Some(if cert.certificate.is_some() {
                        CnameCertificateType::Upload
                    } else {
                        CnameCertificateType::Cas
                    }),
                    cert_id: Some(cert.cert_id.unwrap_or_else(stored::new_id)),
                    status: Some(CnameStatus::Enabled),
                    creation_date: Some(http_date(from_ms(now))),
                    fingerprint,
                    valid_start_date: None,
                    valid_end_date: None,
                });
            }
        }
        Ok(())
    })?;
    Ok(Reply::ok())
}

/// GET /bucket?cname — ListCname.
pub(crate) fn list(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let doc = stored::bucket_doc::<ListCnameResult>(ctx, req.bucket(), DOC)?.unwrap_or_else(|| {
        ListCnameResult {
            bucket: Some(req.bucket().to_owned()),
            owner: Some(OWNER_ID.to_owned()),
            cnames: Vec::new(),
        }
    });
    Ok(Reply::xml(doc.to_xml()))
}

/// POST /bucket?cname&comp=delete — DeleteCname.
pub(crate) fn delete(ctx: &Context, req: &Request) -> Result<Reply, OssError> {
    let input = typed::input::<ops::DeleteCname>(req)?;
    let domain = check_domain(&input.body.cname.domain)?;
    stored::modify_bucket::<ListCnameResult, _>(ctx, req.bucket(), DOC, |doc| {
        let list = doc.as_mut();
        let pos = list
            .as_ref()
            .and_then(|l| l.cnames.iter().position(|c| c.domain == domain));
        match (list, pos) {
            (Some(l), Some(p)) => {
                l.cnames.remove(p);
                Ok(())
            }
            _ => Err(OssError::new(
                StatusCode::NOT_FOUND,
                "NoSuchCname",
                "The specified cname does not exist.",
            )
            .with("Cname", domain.clone())),
        }
    })?;
    Ok(Reply::ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_checked_and_lower_cased() {
        assert_eq!(
            check_domain("Img.Example.com").ok().as_deref(),
            Some("img.example.com")
        );
        assert_eq!(
            check_domain("*.example.com").ok().as_deref(),
            Some("*.example.com")
        );
        assert!(check_domain("localhost").is_err());
        assert!(check_domain("bad_label.example.com").is_err());
        assert!(check_domain("-a.example.com").is_err());
    }
}
