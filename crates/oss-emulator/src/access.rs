//! What OSS checks before serving a request that the bucket owner did not sign: the bucket's
//! referer list (anonymous requests and presigned URLs), Block Public Access (account or
//! bucket), the bucket policy's statements for everyone (`"Principal": ["*"]`) and, for a
//! request signed by another account (an extra user), the statements naming that account's
//! UID, then the ACL.
//!
//! Bucket policy evaluation: an explicit `Deny` that matches wins; a matching `Allow` grants
//! access the ACL would refuse; with neither, the ACL decides. A statement matches when its
//! principal is everyone, one of its `Action`s matches the operation's action (`oss:GetObject`,
//! wildcards `*` and `?`), one of its `Resource`s matches the addressed resource
//! (`acs:oss:*:<account>:<bucket>[/<key>]`, same wildcards) and every condition holds. The
//! conditions understood are `StringEquals`, `StringNotEquals`, `StringLike`, `StringNotLike`
//! on `acs:Referer`, and `IpAddress` / `NotIpAddress` on `acs:SourceIp`; a statement with
//! another condition never matches. With Block Public Access on, public ACLs and statements
//! for everyone are ignored.

use std::net::IpAddr;

use oss_model::xml::XmlDocument as _;
use serde_json::Value;

use crate::auth::{self, Access};
use crate::context::Context;
use crate::error::OssError;
use crate::request::Request;
use crate::router::Op;
use crate::storage::BucketRecord;

/// The key the bucket policy is stored under (the configuration document's sub-resource).
const POLICY: &str = "policy";
/// The key of the public access block documents (account and bucket).
const PUBLIC_ACCESS_BLOCK: &str = "publicAccessBlock";
/// The key of the referer list.
const REFERER: &str = "referer";

/// The policy action of an operation: `oss:` and its name, reads of an object's metadata being
/// `oss:GetObject` and the V2 listing `oss:ListObjects`.
pub(crate) fn action(op: Op) -> String {
    let name = match op {
        Op::HeadObject | Op::GetObjectMeta => "GetObject",
        Op::ListObjectsV2 => "ListObjects",
        other => other.name(),
    };
    format!("oss:{name}")
}

/// The resource a request addresses, as policies name it.
fn resource(ctx: &Context, req: &Request) -> String {
    match (&req.bucket, &req.key) {
        (Some(b), Some(k)) => format!("acs:oss:*:{}:{b}/{k}", ctx.account_id),
        (Some(b), None) => format!("acs:oss:*:{}:{b}", ctx.account_id),
        (None, _) => format!("acs:oss:*:{}:*", ctx.account_id),
    }
}

/// `*` (any run) and `?` (one character) wildcards.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A policy member that is a string or a list of strings.
fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether a statement's principal is everyone.
fn for_everyone(statement: &Value) -> bool {
    strings(statement.get("Principal")).contains(&"*")
}

/// What the request tells conditions.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facts<'a> {
    pub(crate) action: &'a str,
    pub(crate) resource: &'a str,
    pub(crate) referer: Option<&'a str>,
    pub(crate) source_ip: Option<IpAddr>,
}

fn in_cidr(ip: IpAddr, cidr: &str) -> bool {
    let (net, bits) = match cidr.split_once('/') {
        Some((n, b)) => (n, b.parse::<u32>().ok()),
        None => (cidr, None),
    };
    let Ok(net) = net.parse::<IpAddr>() else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Every condition of a statement holds (`false` for conditions this module does not know).
fn conditions_hold(statement: &Value, facts: &Facts<'_>) -> bool {
    let Some(conditions) = statement.get("Condition") else {
        return true;
    };
    let Some(conditions) = conditions.as_object() else {
        return false;
    };
    conditions.iter().all(|(operator, keys)| {
        let Some(keys) = keys.as_object() else {
            return false;
        };
        keys.iter().all(|(key, values)| {
            let values = strings(Some(values));
            match (operator.as_str(), key.as_str()) {
                (
                    op @ ("StringEquals" | "StringNotEquals" | "StringLike" | "StringNotLike"),
                    "acs:Referer",
                ) => {
                    let referer = facts.referer.unwrap_or("");
                    let hit = values.iter().any(|v| {
                        if op.ends_with("Like") {
                            glob(v, referer)
                        } else {
                            *v == referer
                        }
                    });
                    if op.contains("Not") { !hit } else { hit }
                }
                (op @ ("IpAddress" | "NotIpAddress"), "acs:SourceIp") => {
                    let hit = facts
                        .source_ip
                        .is_some_and(|ip| values.iter().any(|v| in_cidr(ip, v)));
                    if op == "NotIpAddress" { !hit } else { hit }
                }
                _ => false,
            }
        })
    })
}

/// A policy's verdict on a request from everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A matching `Deny`.
    Deny,
    /// A matching `Allow` and no matching `Deny`.
    Allow,
    /// No statement for everyone matches.
    Silent,
}

/// Evaluates a policy document's statements for everyone.
pub(crate) fn evaluate(policy: &Value, facts: &Facts<'_>) -> Verdict {
    evaluate_where(policy, facts, for_everyone)
}

/// Evaluates a policy document's statements naming account `uid` as principal (not those
/// for everyone).
fn evaluate_for_account(policy: &Value, facts: &Facts<'_>, uid: &str) -> Verdict {
    evaluate_where(policy, facts, |s| {
        !uid.is_empty() && strings(s.get("Principal")).contains(&uid)
    })
}

/// Evaluates the statements whose principal `applies` accepts.
fn evaluate_where(policy: &Value, facts: &Facts<'_>, applies: impl Fn(&Value) -> bool) -> Verdict {
    let mut verdict = Verdict::Silent;
    for statement in policy
        .get("Statement")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if !applies(statement) {
            continue;
        }
        let action_ok = strings(statement.get("Action"))
            .iter()
            .any(|a| glob(a, facts.action));
        let resource_ok = strings(statement.get("Resource"))
            .iter()
            .any(|r| glob(r, facts.resource));
        if !(action_ok && resource_ok && conditions_hold(statement, facts)) {
            continue;
        }
        match statement.get("Effect").and_then(Value::as_str) {
            Some("Deny") => return Verdict::Deny,
            Some("Allow") => verdict = Verdict::Allow,
            _ => {}
        }
    }
    verdict
}

/// Whether a policy grants anything to everyone (what `GetBucketPolicyStatus` reports and
/// Block Public Access refuses).
pub(crate) fn is_public(policy: &Value) -> bool {
    policy
        .get("Statement")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|s| for_everyone(s) && s.get("Effect").and_then(Value::as_str) == Some("Allow"))
}

/// Whether Block Public Access is on for the bucket (or the whole account).
pub(crate) fn public_access_blocked(ctx: &Context, bucket: &BucketRecord) -> bool {
    let on = |doc: Option<&String>| {
        doc.and_then(|d| oss_model::PublicAccessBlockConfiguration::from_xml(d.as_bytes()).ok())
            .is_some_and(|c| c.block_public_access)
    };
    on(ctx.store.account().configs.get(PUBLIC_ACCESS_BLOCK))
        || on(bucket.configs.get(PUBLIC_ACCESS_BLOCK))
}

/// The answer to a public grant (ACL or policy) while Block Public Access is on.
pub(crate) fn public_grant_refused(what: &str) -> OssError {
    OssError::access_denied(format!(
        "{what} is not allowed while public access is blocked (Block Public Access)."
    ))
}

/// Refuses a public grant on `bucket` while Block Public Access is on.
///
/// # Errors
/// `AccessDenied` when the grant is public and public access is blocked.
pub(crate) fn check_public_grant(
    ctx: &Context,
    bucket: &str,
    public: bool,
    what: &str,
) -> Result<(), OssError> {
    if public && public_access_blocked(ctx, &ctx.store.bucket(bucket)?) {
        return Err(public_grant_refused(what));
    }
    Ok(())
}

/// A request whose signature is in its query (a presigned URL).
pub(crate) fn presigned(req: &Request) -> bool {
    req.q("Signature").is_some() || req.q("x-oss-signature").is_some()
}

/// The bucket's referer list against the request's `Referer` (anonymous requests and
/// presigned URLs): an empty referer needs `AllowEmptyReferer`; a black-listed one is refused;
/// with a non-empty whitelist, only listed ones pass. Patterns take `*` and `?`; matching
/// ignores case; the query string is dropped first unless `AllowTruncateQueryString` is false,
/// and with `TruncatePath` the path too.
///
/// # Errors
/// `AccessDenied` with EC 0003-00000501 (empty), -502 (black-listed) or -503 (not listed).
pub(crate) fn check_referer(bucket: &BucketRecord, req: &Request) -> Result<(), OssError> {
    let Some(conf) = bucket
        .configs
        .get(REFERER)
        .and_then(|d| oss_model::RefererConfiguration::from_xml(d.as_bytes()).ok())
    else {
        return Ok(());
    };
    let denied = |ec: &'static str| {
        OssError::access_denied("You are denied by bucket referer policy.").ec(ec)
    };
    let referer = req
        .header("referer")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if referer.is_empty() {
        return if conf.allow_empty_referer {
            Ok(())
        } else {
            Err(denied("0003-00000501"))
        };
    }
    let mut candidate = referer.as_str();
    if conf.allow_truncate_query_string.unwrap_or(true) {
        candidate = candidate.split(['?', '#']).next().unwrap_or(candidate);
        if conf.truncate_path == Some(true) {
            let after_scheme = candidate.find("://").map_or(0, |i| i + 3);
            if let Some(slash) = candidate[after_scheme..].find('/') {
                candidate = &candidate[..after_scheme + slash];
            }
        }
    }
    let listed = |list: &[String]| {
        list.iter()
            .any(|p| glob(&p.to_ascii_lowercase(), candidate))
    };
    if listed(&conf.referer_blacklist) {
        return Err(denied("0003-00000502"));
    }
    if !conf.referer_list.is_empty() && !listed(&conf.referer_list) {
        return Err(denied("0003-00000503"));
    }
    Ok(())
}

/// Whether an anonymous request may perform `op` (needing `need` from the ACL): the referer
/// list, then the bucket policy's statements for everyone, then the ACL (public grants
/// ignored while Block Public Access is on).
///
/// # Errors
/// `AccessDenied` (with the referer EC, or "denied by bucket policy"), `NoSuchBucket`.
pub(crate) fn check_anonymous(
    ctx: &Context,
    req: &Request,
    op: Op,
    need: Access,
) -> Result<(), OssError> {
    check_not_owner(ctx, req, op, need, None)
}

/// Whether a request signed by another account (`uid`, not the buckets' owner) may perform
/// `op`: the bucket policy's statements for that account and for everyone (a `Deny` of either
/// wins; an `Allow` for the account grants even while Block Public Access is on), then the
/// ACL, as for anonymous requests. The referer list does not apply to signed requests.
///
/// # Errors
/// `AccessDenied`, `NoSuchBucket`.
pub(crate) fn check_other_account(
    ctx: &Context,
    req: &Request,
    op: Op,
    need: Access,
    uid: &str,
) -> Result<(), OssError> {
    check_not_owner(ctx, req, op, need, Some(uid))
}

fn check_not_owner(
    ctx: &Context,
    req: &Request,
    op: Op,
    need: Access,
    account: Option<&str>,
) -> Result<(), OssError> {
    if need == Access::Public {
        return Ok(());
    }
    let Some(bucket) = req.bucket.as_deref() else {
        return auth::allow_anonymous(ctx, req, need, false);
    };
    let record = ctx.store.bucket(bucket)?;
    if account.is_none() {
        check_referer(&record, req)?;
    }
    let blocked = public_access_blocked(ctx, &record);
    if let Some(policy) = record
        .configs
        .get(POLICY)
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
    {
        let action = action(op);
        let resource = resource(ctx, req);
        let facts = Facts {
            action: &action,
            resource: &resource,
            referer: req.header("referer"),
            source_ip: req.peer,
        };
        let for_account = account.map_or(Verdict::Silent, |uid| {
            evaluate_for_account(&policy, &facts, uid)
        });
        match (evaluate(&policy, &facts), for_account) {
            (Verdict::Deny, _) | (_, Verdict::Deny) => {
                return Err(OssError::access_denied("Access denied by bucket policy."));
            }
            (_, Verdict::Allow) => return Ok(()),
            (Verdict::Allow, _) if !blocked => return Ok(()),
            _ => {}
        }
    }
    auth::allow_anonymous(ctx, req, need, blocked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn globs() {
        assert!(glob("acs:oss:*:*:b/*", "acs:oss:*:123:b/dir/k"));
        assert!(glob("oss:Get*", "oss:GetObject"));
        assert!(glob("https://www.?.com", "https://www.a.com"));
        assert!(!glob("https://www.?.com", "https://www.ab.com"));
        assert!(!glob("acs:oss:*:*:b/*", "acs:oss:*:123:other/k"));
        assert!(glob("*", ""));
    }

    #[test]
    fn cidr() {
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(in_cidr(lo, "127.0.0.0/8"));
        assert!(in_cidr(lo, "127.0.0.1"));
        assert!(!in_cidr(lo, "10.0.0.0/8"));
        assert!(in_cidr("::1".parse().unwrap(), "::1/128"));
    }

    #[test]
    fn deny_wins_and_other_principals_are_ignored() {
        let policy = json!({"Statement": [
            {"Effect": "Allow", "Action": "oss:*", "Principal": ["*"], "Resource": "*"},
            {"Effect": "Deny", "Action": ["oss:GetObject"], "Principal": ["*"], "Resource": ["*/secret/*"]},
            {"Effect": "Allow", "Action": ["oss:PutObject"], "Principal": ["20214760404935xxxx"], "Resource": ["*"]}
        ]});
        let facts = |action, resource| Facts {
            action,
            resource,
            referer: None,
            source_ip: None,
        };
        assert_eq!(
            evaluate(&policy, &facts("oss:GetObject", "acs:oss:*:1:b/a")),
            Verdict::Allow
        );
        assert_eq!(
            evaluate(&policy, &facts("oss:GetObject", "acs:oss:*:1:b/secret/x")),
            Verdict::Deny
        );
        assert!(is_public(&policy));
        let private = json!({"Statement": [{"Effect": "Allow", "Action": "oss:*", "Principal": ["1"], "Resource": "*"}]});
        assert_eq!(
            evaluate(&private, &facts("oss:GetObject", "acs:oss:*:1:b/a")),
            Verdict::Silent
        );
        assert!(!is_public(&private));
    }

    #[test]
    fn unknown_conditions_never_match() {
        let policy = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Principal": "*", "Resource": "*",
            "Condition": {"DateLessThan": {"acs:CurrentTime": "2030-01-01T00:00:00Z"}}}]});
        let facts = Facts {
            action: "oss:GetObject",
            resource: "r",
            referer: None,
            source_ip: None,
        };
        assert_eq!(evaluate(&policy, &facts), Verdict::Silent);
    }
}
