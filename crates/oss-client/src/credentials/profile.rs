//! Credentials from the shared credentials file, `~/.alibabacloud/credentials` (INI profiles).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tokio::sync::OnceCell;

use super::{
    AssumeRoleProvider, Credentials, CredentialsError, CredentialsProvider, EcsRamRoleProvider,
    Environment, OidcRoleProvider, ProvideCredentials, StaticProvider,
};

const PROVIDER: &str = "profile";

/// Reads one profile of the shared credentials file: `ALIBABA_CLOUD_CREDENTIALS_FILE` or
/// `~/.alibabacloud/credentials`, profile `ALIBABA_CLOUD_PROFILE` or `default`.
///
/// Supported `type`s: `access_key` (`access_key_id`, `access_key_secret`), `sts` (plus
/// `security_token`), `ecs_ram_role` (`role_name`), `ram_role_arn` (`access_key_id`,
/// `access_key_secret`, `role_arn`, `role_session_name`, optional `policy`) and `oidc_role_arn`
/// (`role_arn`, `oidc_provider_arn`, `oidc_token_file_path`, optional `role_session_name`).
/// The file is read on first use.
///
/// ```
/// use oss_client::credentials::{CredentialsProvider, ProfileProvider};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let dir = tempfile::tempdir().unwrap();
/// let file = dir.path().join("credentials");
/// std::fs::write(&file, "[default]\ntype = access_key\naccess_key_id = ak\naccess_key_secret = sk\n").unwrap();
/// let provider = ProfileProvider::new().file(&file);
/// assert_eq!(provider.provide_credentials().await.unwrap().access_key_id(), "ak");
/// # });
/// ```
#[derive(Debug)]
pub struct ProfileProvider {
    file: Option<PathBuf>,
    profile: String,
    env: Environment,
    inner: OnceCell<Box<dyn CredentialsProvider>>,
}

impl Default for ProfileProvider {
    fn default() -> Self {
        ProfileProvider::new()
    }
}

impl ProfileProvider {
    /// Configured from the process environment.
    pub fn new() -> Self {
        ProfileProvider::from_environment(&Environment::process())
    }

    /// Configured from `env` (`ALIBABA_CLOUD_CREDENTIALS_FILE`, `ALIBABA_CLOUD_PROFILE`, `HOME`).
    pub fn from_environment(env: &Environment) -> Self {
        let file = env
            .get("ALIBABA_CLOUD_CREDENTIALS_FILE")
            .map(PathBuf::from)
            .or_else(|| {
                env.get("HOME")
                    .or_else(|| env.get("USERPROFILE"))
                    .map(|home| Path::new(&home).join(".alibabacloud").join("credentials"))
            });
        ProfileProvider {
            file,
            profile: env
                .get("ALIBABA_CLOUD_PROFILE")
                .unwrap_or_else(|| "default".into()),
            env: env.clone(),
            inner: OnceCell::new(),
        }
    }

    /// Reads this file instead.
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// Uses this profile instead.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = name.into();
        self
    }

    async fn load(&self) -> Result<Box<dyn CredentialsProvider>, CredentialsError> {
        let Some(path) = &self.file else {
            return Err(CredentialsError::NotConfigured {
                provider: PROVIDER,
                reason: "no home directory and ALIBABA_CLOUD_CREDENTIALS_FILE is not set".into(),
            });
        };
        let text = match tokio::fs::read_to_string(path).await {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(CredentialsError::NotConfigured {
                    provider: PROVIDER,
                    reason: format!("{} does not exist", path.display()),
                });
            }
            Err(source) => {
                return Err(CredentialsError::Io {
                    provider: PROVIDER,
                    path: path.clone(),
                    source,
                });
            }
        };
        let sections = parse_ini(&text);
        let Some(section) = sections.get(&self.profile) else {
            return Err(CredentialsError::NotConfigured {
                provider: PROVIDER,
                reason: format!("no profile [{}] in {}", self.profile, path.display()),
            });
        };
        provider_for(section, &self.profile, &self.env)
    }
}

fn provider_for(
    section: &HashMap<String, String>,
    profile: &str,
    env: &Environment,
) -> Result<Box<dyn CredentialsProvider>, CredentialsError> {
    let get = |key: &str| {
        section
            .get(key)
            .filter(|v| !v.is_empty())
            .cloned()
            .ok_or_else(|| CredentialsError::InvalidConfig {
                provider: PROVIDER,
                reason: format!("profile [{profile}] lacks {key}"),
            })
    };
    let kind = get("type")?;
    Ok(match kind.as_str() {
        "access_key" => Box::new(StaticProvider::from_keys(
            get("access_key_id")?,
            get("access_key_secret")?,
        )),
        "sts" => Box::new(StaticProvider::new(
            Credentials::new(get("access_key_id")?, get("access_key_secret")?)
                .with_security_token(get("security_token")?),
        )),
        "ecs_ram_role" => {
            let mut p = EcsRamRoleProvider::from_environment(env);
            if let Ok(role) = get("role_name") {
                p = p.role_name(role);
            }
            Box::new(p)
        }
        "ram_role_arn" => {
            let source =
                StaticProvider::from_keys(get("access_key_id")?, get("access_key_secret")?);
            let mut p = AssumeRoleProvider::new(source, get("role_arn")?)
                .session_name(get("role_session_name")?);
            if let Ok(policy) = get("policy") {
                p = p.policy(policy);
            }
            Box::new(p)
        }
        "oidc_role_arn" => {
            let mut p = OidcRoleProvider::new(
                get("role_arn")?,
                get("oidc_provider_arn")?,
                get("oidc_token_file_path")?,
            );
            if let Ok(name) = get("role_session_name") {
                p = p.session_name(name);
            }
            Box::new(p)
        }
        other => {
            return Err(CredentialsError::InvalidConfig {
                provider: PROVIDER,
                reason: format!("profile [{profile}] has unsupported type {other:?}"),
            });
        }
    })
}

/// Parses INI text: `[section]` headers, `key = value` lines, `#` and `;` comments.
fn parse_ini(text: &str) -> HashMap<String, HashMap<String, String>> {
    let mut sections: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim().to_owned();
            sections.entry(name.clone()).or_default();
            current = Some(name);
        } else if let (Some(section), Some((key, value))) = (&current, line.split_once('=')) {
            let value = value.trim().trim_matches('"').to_owned();
            sections
                .entry(section.clone())
                .or_default()
                .insert(key.trim().to_owned(), value);
        }
    }
    sections
}

/// A setting of the active profile of the shared credentials file (the file and profile
/// [`ProfileProvider::from_environment`] picks), read synchronously; `None` when the file, the
/// profile or the key is missing or empty.
pub(crate) fn profile_setting(env: &Environment, key: &str) -> Option<String> {
    let provider = ProfileProvider::from_environment(env);
    let text = std::fs::read_to_string(provider.file?).ok()?;
    parse_ini(&text)
        .remove(&provider.profile)?
        .remove(key)
        .filter(|v| !v.is_empty())
}

impl CredentialsProvider for ProfileProvider {
    fn provide_credentials(&self) -> ProvideCredentials<'_> {
        Box::pin(async move {
            let inner = self.inner.get_or_try_init(|| self.load()).await?;
            inner.provide_credentials().await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\
# shared credentials
[default]
enable = true
type = access_key
access_key_id = foo
access_key_secret = bar

[sts]
type = sts
access_key_id = sts-ak
access_key_secret = sts-sk
security_token = sts-token

; a broken one
[broken]
type = access_key
access_key_id = only-id

[weird]
type = rsa_key_pair
";

    fn provider(dir: &tempfile::TempDir, pairs: &[(&str, &str)]) -> ProfileProvider {
        let home = dir.path().to_str().unwrap().to_owned();
        let mut all: Vec<(String, String)> = vec![("HOME".into(), home)];
        all.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        ProfileProvider::from_environment(&Environment::from_pairs(all))
    }

    fn home_with_file() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".alibabacloud")).unwrap();
        std::fs::write(dir.path().join(".alibabacloud/credentials"), FILE).unwrap();
        dir
    }

    #[tokio::test]
    async fn default_profile_from_home() {
        let dir = home_with_file();
        let creds = provider(&dir, &[]).provide_credentials().await.unwrap();
        assert_eq!(
            (creds.access_key_id(), creds.access_key_secret()),
            ("foo", "bar")
        );
    }

    #[tokio::test]
    async fn profile_chosen_by_environment() {
        let dir = home_with_file();
        let creds = provider(&dir, &[("ALIBABA_CLOUD_PROFILE", "sts")])
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(creds.access_key_id(), "sts-ak");
        assert_eq!(creds.security_token(), Some("sts-token"));
    }

    #[tokio::test]
    async fn credentials_file_variable_wins() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("elsewhere.ini");
        std::fs::write(&file, FILE).unwrap();
        let creds = provider(
            &dir,
            &[("ALIBABA_CLOUD_CREDENTIALS_FILE", file.to_str().unwrap())],
        )
        .provide_credentials()
        .await
        .unwrap();
        assert_eq!(creds.access_key_id(), "foo");
    }

    #[tokio::test]
    async fn errors() {
        let dir = home_with_file();
        let missing = provider(&dir, &[("ALIBABA_CLOUD_PROFILE", "nope")])
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(missing.is_not_configured(), "{missing}");
        let broken = provider(&dir, &[("ALIBABA_CLOUD_PROFILE", "broken")])
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(broken.to_string().contains("access_key_secret"), "{broken}");
        let weird = provider(&dir, &[("ALIBABA_CLOUD_PROFILE", "weird")])
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(weird.to_string().contains("rsa_key_pair"), "{weird}");
        let empty_home = tempfile::tempdir().unwrap();
        let no_file = provider(&empty_home, &[])
            .provide_credentials()
            .await
            .unwrap_err();
        assert!(no_file.is_not_configured(), "{no_file}");
    }
}
