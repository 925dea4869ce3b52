//! Where the client's settings come from: the command line, then the environment, then a profile
//! of `~/.ossutilconfig`, then the SDK's defaults (its credentials chain included).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use oss_client::credentials::{
    ChainProvider, Credentials, EnvironmentProvider, StaticProvider, default_provider,
};
use oss_client::{AddressingStyle, Config, RetryPolicy, SignatureVersion};

use crate::cli::GlobalArgs;
use crate::error::{CliError, CliResult};
use crate::ini;

/// The process environment, as a lookup function (tests pass their own).
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The settings a profile of the configuration file gives (normalized keys).
#[derive(Debug, Default, Clone)]
pub(crate) struct Profile {
    values: BTreeMap<String, String>,
}

impl Profile {
    fn get(&self, key: &str) -> Option<String> {
        self.values
            .get(&ini::normalize_key(key))
            .filter(|v| !v.is_empty())
            .cloned()
    }
}

/// Reads the profile to use: `--profile`, `$OSSUTIL_PROFILE`, or `default`, from `--config-file`,
/// `$OSSUTIL_CONFIG_FILE` or `~/.ossutilconfig`. Profiles are `[default]`, `[profile NAME]` or
/// `[NAME]`; `source-profile = OTHER` inherits OTHER's settings. The ossutil 1.x `[Credentials]`
/// section is read when there is no `[default]`.
pub(crate) fn load_profile(global: &GlobalArgs, env: Env<'_>) -> CliResult<Profile> {
    let explicit_file = global
        .config_file
        .clone()
        .or_else(|| env("OSSUTIL_CONFIG_FILE").map(PathBuf::from));
    let file = explicit_file.clone().or_else(|| {
        env("HOME")
            .or_else(|| env("USERPROFILE"))
            .map(|h| Path::new(&h).join(".ossutilconfig"))
    });
    let explicit_profile = global.profile.clone().or_else(|| env("OSSUTIL_PROFILE"));
    let name = explicit_profile.clone().unwrap_or_else(|| "default".into());
    let Some(file) = file else {
        return Ok(Profile::default());
    };
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit_file.is_none() => {
            if explicit_profile.is_some() {
                return Err(CliError::usage(format!(
                    "profile {name:?} asked for, but {} does not exist",
                    file.display()
                )));
            }
            return Ok(Profile::default());
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CliError::usage(format!(
                "the configuration file {} does not exist",
                file.display()
            )));
        }
        Err(e) => return Err(CliError::io(format!("reading {}", file.display()), e)),
    };
    let sections =
        ini::parse(&text).map_err(|e| CliError::usage(format!("{}: {e}", file.display())))?;
    resolve_profile(&sections, &name, explicit_profile.is_some())
        .map_err(|e| CliError::usage(format!("{}: {e}", file.display())))
}

fn find_section<'a>(
    sections: &'a ini::Sections,
    name: &str,
) -> Option<&'a BTreeMap<String, String>> {
    sections
        .get(&format!("profile {name}"))
        .or_else(|| sections.get(name))
        .or_else(|| {
            (name == "default")
                .then(|| sections.get("Credentials"))
                .flatten()
        })
}

fn resolve_profile(
    sections: &ini::Sections,
    name: &str,
    required: bool,
) -> Result<Profile, String> {
    let mut values = BTreeMap::new();
    let mut current = name.to_string();
    let mut seen = Vec::new();
    loop {
        let Some(section) = find_section(sections, &current) else {
            if required || current != name {
                return Err(format!("no profile {current:?}"));
            }
            break;
        };
        for (k, v) in section {
            values.entry(k.clone()).or_insert_with(|| v.clone());
        }
        seen.push(current.clone());
        match section.get("sourceprofile") {
            Some(next) if !next.is_empty() => {
                if seen.contains(next) {
                    return Err(format!("source-profile cycle through {next:?}"));
                }
                current = next.clone();
            }
            _ => break,
        }
    }
    values.remove("sourceprofile");
    Ok(Profile { values })
}

/// The client configuration for these options.
/// The proxy: `--proxy`, else the profile's `proxy`; `env` takes it from HTTPS_PROXY /
/// HTTP_PROXY / ALL_PROXY. NO_PROXY names the hosts that bypass it.
fn proxy(
    flag: Option<&str>,
    profile: Option<String>,
    env: Env<'_>,
) -> CliResult<Option<oss_client::transport::Proxy>> {
    let Some(value) = flag
        .map(str::to_string)
        .or(profile)
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    let names = [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ];
    let pairs: Vec<(String, String)> = names
        .iter()
        .filter_map(|n| env(n).map(|v| (n.to_string(), v)))
        .collect();
    let bad = |e: oss_client::Error| CliError::usage(format!("--proxy: {e}"));
    if value.eq_ignore_ascii_case("env") {
        let environment = oss_client::credentials::Environment::from_pairs(pairs);
        return oss_client::transport::Proxy::from_environment(&environment).map_err(bad);
    }
    let no_proxy = env("NO_PROXY")
        .or_else(|| env("no_proxy"))
        .unwrap_or_default();
    oss_client::transport::Proxy::all(&value)
        .map(|p| Some(p.no_proxy(no_proxy)))
        .map_err(bad)
}

pub(crate) fn client_config(global: &GlobalArgs, env: Env<'_>) -> CliResult<Config> {
    let profile = load_profile(global, env)?;
    let pick = |flag: &Option<String>, var: &str, key: &str| {
        flag.clone()
            .filter(|v| !v.is_empty())
            .or_else(|| env(var).filter(|v| !v.is_empty()))
            .or_else(|| profile.get(key))
    };
    let region = pick(&global.region, "OSS_REGION", "region");
    let endpoint = pick(&global.endpoint, "OSS_ENDPOINT", "endpoint");
    let mut b = Config::builder().user_agent(format!("ossx/{}", env!("CARGO_PKG_VERSION")));
    match (&region, &endpoint) {
        (None, None) => {
            return Err(CliError::usage(
                "no region: pass --region (or --endpoint), set OSS_REGION, or put region in ~/.ossutilconfig",
            ));
        }
        _ => {
            if let Some(r) = &region {
                b = b.region(r);
            }
            if let Some(e) = &endpoint {
                b = b.endpoint(e);
            }
        }
    }
    if let Some(style) = pick(
        &global.addressing_style,
        "OSS_ADDRESSING_STYLE",
        "addressing-style",
    ) {
        b = b.addressing_style(match style.to_ascii_lowercase().as_str() {
            "virtual" | "virtual-hosted" => AddressingStyle::VirtualHosted,
            "path" => AddressingStyle::Path,
            "cname" => AddressingStyle::Cname,
            other => {
                return Err(CliError::usage(format!(
                    "--addressing-style {other:?}: expected virtual, path or cname"
                )));
            }
        });
    }
    if let Some(v) = pick(&global.sign_version, "OSS_SIGN_VERSION", "sign-version") {
        b = b.signature_version(match v.to_ascii_lowercase().as_str() {
            "v1" | "1" => SignatureVersion::V1,
            "v4" | "4" => SignatureVersion::V4,
            other => {
                return Err(CliError::usage(format!(
                    "--sign-version {other:?}: expected v1 or v4"
                )));
            }
        });
    }
    let number = |flag: Option<u64>, key: &str| -> CliResult<Option<u64>> {
        match flag {
            Some(n) => Ok(Some(n)),
            None => profile
                .get(key)
                .map(|v| {
                    v.parse::<u64>()
                        .map_err(|_| CliError::usage(format!("{key} = {v:?} is not a number")))
                })
                .transpose(),
        }
    };
    if let Some(secs) = number(global.connect_timeout, "connect-timeout")? {
        b = b.connect_timeout(Duration::from_secs(secs));
    }
    if let Some(secs) = number(global.read_timeout, "read-timeout")? {
        b = b.read_timeout(Some(Duration::from_secs(secs)));
    }
    if let Some(n) = number(global.retry_times.map(u64::from), "retry-times")? {
        let attempts = u32::try_from(n.saturating_add(1)).unwrap_or(u32::MAX);
        b = b.retry(RetryPolicy::default().max_attempts(attempts));
    }
    if let Some(p) = proxy(global.proxy.as_deref(), profile.get("proxy"), env)? {
        b = b.proxy(Some(p));
    }
    b = match credentials(global, &profile, env)? {
        Some(c) => b.credentials(StaticProvider::new(c)),
        None => b.credentials(
            ChainProvider::new()
                .push(EnvironmentProvider::new())
                .push(default_provider()),
        ),
    };
    b.build().map_err(|e| CliError::oss("configuration", e))
}

/// Explicit keys: the command line, then `OSS_ACCESS_KEY_*`, then the profile. `None` leaves
/// them to the SDK's default chain (other variables, ~/.alibabacloud/credentials, OIDC, ECS).
fn credentials(
    global: &GlobalArgs,
    profile: &Profile,
    env: Env<'_>,
) -> CliResult<Option<Credentials>> {
    let token = |fallback: Option<String>| {
        global
            .sts_token
            .clone()
            .or(fallback)
            .filter(|t| !t.is_empty())
    };
    match (&global.access_key_id, &global.access_key_secret) {
        (Some(id), Some(secret)) => {
            let c = Credentials::new(id, secret);
            return Ok(Some(match token(env("OSS_SESSION_TOKEN")) {
                Some(t) => c.with_security_token(t),
                None => c,
            }));
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err(CliError::usage(
                "pass both --access-key-id and --access-key-secret, or neither",
            ));
        }
        (None, None) => {}
    }
    if env("OSS_ACCESS_KEY_ID").is_some() {
        return Ok(None);
    }
    match (
        profile.get("access-key-id"),
        profile.get("access-key-secret"),
    ) {
        (Some(id), Some(secret)) => {
            let c = Credentials::new(id, secret);
            Ok(Some(
                match token(
                    profile
                        .get("sts-token")
                        .or_else(|| profile.get("security-token")),
                ) {
                    Some(t) => c.with_security_token(t),
                    None => c,
                },
            ))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn write_config(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cfg");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    const CONFIG: &str = "[default]\naccessKeyId = ak0\naccessKeySecret = sk0\nregion = cn-hangzhou\n\n\
        [profile dev]\nsource-profile = base\nregion = cn-beijing\n\n\
        [base]\naccess_key_id = ak1\naccess_key_secret = sk1\nendpoint = http://127.0.0.1:9\n";

    #[test]
    fn profiles_and_inheritance() {
        let (_d, path) = write_config(CONFIG);
        let g = GlobalArgs {
            config_file: Some(path.clone()),
            profile: Some("dev".into()),
            ..GlobalArgs::default()
        };
        let env = env_of(&[]);
        let p = load_profile(&g, &env).unwrap();
        assert_eq!(p.get("region").as_deref(), Some("cn-beijing"));
        assert_eq!(p.get("accessKeyId").as_deref(), Some("ak1"));
        let c = client_config(&g, &env).unwrap();
        assert_eq!(c.region(), "cn-beijing");
        assert_eq!(c.endpoint().authority(), "127.0.0.1:9");

        let g = GlobalArgs {
            config_file: Some(path),
            profile: Some("nope".into()),
            ..GlobalArgs::default()
        };
        assert_eq!(load_profile(&g, &env).unwrap_err().exit_code() as i32, 1);
    }

    #[test]
    fn flags_beat_environment_beat_profile() {
        let (_d, path) = write_config(CONFIG);
        let path_text = path.to_str().unwrap().to_string();
        let pairs = [
            ("OSS_REGION", "cn-shanghai"),
            ("OSSUTIL_CONFIG_FILE", path_text.as_str()),
        ];
        let env = env_of(&pairs);
        let g = GlobalArgs::default();
        assert_eq!(client_config(&g, &env).unwrap().region(), "cn-shanghai");
        let g = GlobalArgs {
            region: Some("cn-shenzhen".into()),
            ..GlobalArgs::default()
        };
        assert_eq!(client_config(&g, &env).unwrap().region(), "cn-shenzhen");
        let p = load_profile(&g, &env).unwrap();
        let creds = credentials(&g, &p, &env).unwrap().unwrap();
        assert_eq!(creds.access_key_id(), "ak0");
        let env = env_of(&[("OSS_ACCESS_KEY_ID", "envak")]);
        assert!(
            credentials(&g, &p, &env).unwrap().is_none(),
            "left to the chain"
        );
    }

    #[test]
    fn bad_settings_are_usage_errors() {
        let env = env_of(&[]);
        let g = GlobalArgs {
            region: Some("cn-hangzhou".into()),
            addressing_style: Some("sideways".into()),
            ..GlobalArgs::default()
        };
        assert_eq!(client_config(&g, &env).unwrap_err().exit_code() as i32, 1);
        let g = GlobalArgs {
            region: Some("cn-hangzhou".into()),
            access_key_id: Some("a".into()),
            ..GlobalArgs::default()
        };
        assert_eq!(client_config(&g, &env).unwrap_err().exit_code() as i32, 1);
        let g = GlobalArgs {
            config_file: Some("/nonexistent/ossx-cfg".into()),
            region: Some("cn-hangzhou".into()),
            ..GlobalArgs::default()
        };
        assert_eq!(client_config(&g, &env).unwrap_err().exit_code() as i32, 1);
    }
}
