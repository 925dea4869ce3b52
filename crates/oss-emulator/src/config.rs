//! How an emulator is configured: from code ([`EmulatorConfig`] builder) or from the command line
//! ([`EmulatorConfig::from_args`]).

use std::net::SocketAddr;
use std::path::PathBuf;

use time::OffsetDateTime;

use crate::error::StartError;
use crate::fault::Faults;

/// The account id vector buckets belong to unless configured.
pub const DEFAULT_ACCOUNT_ID: &str = "1234567890123456";

/// Settings of one emulator.
///
/// ```
/// use oss_emulator::{EmulatorConfig, Faults};
/// let config = EmulatorConfig::new("ak", "sk")
///     .region("cn-shanghai")
///     .faults(Faults::none().with_latency_ms(5));
/// assert_eq!(config.access_key_id(), "ak");
/// assert!(!format!("{config:?}").contains("sk\""));
/// ```
#[derive(Clone)]
pub struct EmulatorConfig {
    pub(crate) addr: SocketAddr,
    pub(crate) access_key_id: String,
    pub(crate) access_key_secret: String,
    pub(crate) security_tokens: Vec<String>,
    pub(crate) data_dir: Option<PathBuf>,
    pub(crate) region: String,
    pub(crate) faults: Faults,
    pub(crate) fixed_now: Option<OffsetDateTime>,
    pub(crate) vector_addr: SocketAddr,
    pub(crate) account_id: String,
    pub(crate) restore_delay: std::time::Duration,
    pub(crate) lifecycle_interval: Option<std::time::Duration>,
    pub(crate) extra_users: Vec<ExtraUser>,
}

/// Another account's key pair the emulator accepts ([`EmulatorConfig::extra_user`]): requests
/// it signs are authenticated as that account, which does not own the buckets.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ExtraUser {
    pub(crate) access_key_id: String,
    pub(crate) access_key_secret: String,
    /// The account's UID, as bucket policies name it in `Principal`.
    pub(crate) uid: String,
}

impl std::fmt::Debug for ExtraUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExtraUser")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field("uid", &self.uid)
            .finish()
    }
}

impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("addr", &self.addr)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field("security_tokens", &self.security_tokens.len())
            .field("data_dir", &self.data_dir)
            .field("region", &self.region)
            .field("faults", &self.faults)
            .field("fixed_now", &self.fixed_now)
            .field("restore_delay", &self.restore_delay)
            .field("lifecycle_interval", &self.lifecycle_interval)
            .field("extra_users", &self.extra_users)
            .field("vector_addr", &self.vector_addr)
            .field("account_id", &self.account_id)
            .finish()
    }
}

impl Default for EmulatorConfig {
    /// Key pair `test-access-key-id` / `test-access-key-secret`, an ephemeral port on
    /// 127.0.0.1, in memory, region `cn-hangzhou`, no faults.
    fn default() -> Self {
        EmulatorConfig::new("test-access-key-id", "test-access-key-secret")
    }
}

impl EmulatorConfig {
    /// A configuration accepting requests signed with this key pair.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        EmulatorConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            security_tokens: Vec::new(),
            data_dir: None,
            region: "cn-hangzhou".to_owned(),
            faults: Faults::default(),
            fixed_now: None,
            vector_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            account_id: DEFAULT_ACCOUNT_ID.to_owned(),
            restore_delay: std::time::Duration::ZERO,
            lifecycle_interval: None,
            extra_users: Vec::new(),
        }
    }

    /// Where the vector service listens (port 0: any free port; default an ephemeral port on
    /// 127.0.0.1). See [`Emulator::vector_endpoint`](crate::Emulator::vector_endpoint).
    #[must_use]
    pub fn vector_addr(mut self, addr: SocketAddr) -> Self {
        self.vector_addr = addr;
        self
    }

    /// The account id owning the vector buckets (default `1234567890123456`): vector hosts are
    /// `{bucket}-{account}.…` and requests are signed for it.
    #[must_use]
    pub fn account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = account_id.into();
        self
    }

    /// The address to listen on (port 0: any free port).
    #[must_use]
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Persists everything under `dir` (created if missing); without it, state lives in memory.
    #[must_use]
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// The region reported as bucket location (`oss-<region>`).
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = region.into();
        self
    }

    /// Accepts this security token. Once any token is configured, requests carrying a token must
    /// carry one of them; with none configured, any token is accepted.
    #[must_use]
    pub fn security_token(mut self, token: impl Into<String>) -> Self {
        self.security_tokens.push(token.into());
        self
    }

    /// The faults to inject from the start.
    #[must_use]
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Judges signatures (clock skew, presign expiry) against this fixed time instead of the
    /// clock, e.g. to replay requests recorded at a known time.
    #[must_use]
    pub fn fixed_now(mut self, now: OffsetDateTime) -> Self {
        self.fixed_now = Some(now);
        self
    }

    /// How long a RestoreObject of an archived object takes before the object is readable
    /// (zero, the default: restores complete at once).
    ///
    /// ```
    /// let config = oss_emulator::EmulatorConfig::new("ak", "sk")
    ///     .restore_delay(std::time::Duration::from_secs(60));
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn restore_delay(mut self, delay: std::time::Duration) -> Self {
        self.restore_delay = delay;
        self
    }

    /// Runs the lifecycle pass ([`Emulator::run_lifecycle`](crate::Emulator::run_lifecycle))
    /// every `every` at the clock's time (default: never; tests call `run_lifecycle` with the
    /// time they want).
    ///
    /// ```
    /// let config = oss_emulator::EmulatorConfig::new("ak", "sk")
    ///     .lifecycle_interval(std::time::Duration::from_secs(3600));
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn lifecycle_interval(mut self, every: std::time::Duration) -> Self {
        self.lifecycle_interval = Some(every);
        self
    }

    /// Also accepts requests signed with this key pair, as account `uid` (decimal, as bucket
    /// policies name accounts in `Principal`): "someone else", who owns none of the buckets.
    /// Such requests need a grant (a bucket policy statement for `uid` or for everyone, or a
    /// public ACL), and on a pay-by-requester bucket `x-oss-request-payer: requester`.
    ///
    /// ```
    /// let config = oss_emulator::EmulatorConfig::new("ak", "sk")
    ///     .extra_user("other-ak", "other-sk", "2000000000000001");
    /// assert!(!format!("{config:?}").contains("other-sk"));
    /// ```
    #[must_use]
    pub fn extra_user(
        mut self,
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
        uid: impl Into<String>,
    ) -> Self {
        self.extra_users.push(ExtraUser {
            access_key_id: access_key_id.into(),
            access_key_secret: access_key_secret.into(),
            uid: uid.into(),
        });
        self
    }

    /// The access key id accepted.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// Reads the command line (without the program name):
    /// `--addr HOST:PORT --access-key-id ID --access-key-secret SECRET [--data-dir DIR]
    /// [--region R] [--security-token T]... [--vector-addr HOST:PORT] [--account-id ID]
    /// [--fault-latency-ms N] [--fault-5xx-rate F]
    /// [--fault-reset-after-bytes N] [--fault-wrong-crc] [--fault-seed N] [--restore-delay-ms N]
    /// [--lifecycle-interval SECS] [--extra-user ID:SECRET:UID]...`.
    ///
    /// ```
    /// use oss_emulator::EmulatorConfig;
    /// let args = ["--addr", "127.0.0.1:0", "--access-key-id", "ak", "--access-key-secret", "sk",
    ///             "--fault-5xx-rate", "0.5", "--fault-wrong-crc"];
    /// let config = EmulatorConfig::from_args(args.iter().map(|s| s.to_string())).unwrap();
    /// assert_eq!(config.access_key_id(), "ak");
    /// assert!(EmulatorConfig::from_args(["--addr".to_string()]).is_err());
    /// ```
    ///
    /// # Errors
    /// [`StartError::Args`] naming the missing or malformed argument.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Self, StartError> {
        let mut args = args.into_iter();
        let mut config = EmulatorConfig::new("", "");
        let (mut have_id, mut have_secret) = (false, false);
        let bad = |msg: String| StartError::Args(msg);
        while let Some(flag) = args.next() {
            let mut value = |name: &str| {
                args.next()
                    .ok_or_else(|| bad(format!("{name} needs a value")))
            };
            match flag.as_str() {
                "--addr" => {
                    let v = value("--addr")?;
                    config.addr = v
                        .parse()
                        .map_err(|_| bad(format!("--addr {v:?} is not HOST:PORT")))?;
                }
                "--access-key-id" => {
                    config.access_key_id = value("--access-key-id")?;
                    have_id = true;
                }
                "--access-key-secret" => {
                    config.access_key_secret = value("--access-key-secret")?;
                    have_secret = true;
                }
                "--data-dir" => config.data_dir = Some(PathBuf::from(value("--data-dir")?)),
                "--region" => config.region = value("--region")?,
                "--vector-addr" => {
                    let v = value("--vector-addr")?;
                    config.vector_addr = v
                        .parse()
                        .map_err(|_| bad(format!("--vector-addr {v:?} is not HOST:PORT")))?;
                }
                "--account-id" => {
                    let v = value("--account-id")?;
                    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(bad(format!("--account-id {v:?} is not decimal digits")));
                    }
                    config.account_id = v;
                }
                "--security-token" => config.security_tokens.push(value("--security-token")?),
                "--fault-latency-ms" => {
                    let v = value("--fault-latency-ms")?;
                    config.faults.latency_ms = v
                        .parse()
                        .map_err(|_| bad(format!("--fault-latency-ms {v:?} is not a number")))?;
                }
                "--fault-5xx-rate" => {
                    let v = value("--fault-5xx-rate")?;
                    let rate: f64 = v
                        .parse()
                        .map_err(|_| bad(format!("--fault-5xx-rate {v:?} is not a number")))?;
                    if !(0.0..=1.0).contains(&rate) {
                        return Err(bad(format!("--fault-5xx-rate {v} is not between 0 and 1")));
                    }
                    config.faults.error_5xx_rate = rate;
                }
                "--fault-reset-after-bytes" => {
                    let v = value("--fault-reset-after-bytes")?;
                    config.faults.reset_after_bytes = Some(v.parse().map_err(|_| {
                        bad(format!("--fault-reset-after-bytes {v:?} is not a number"))
                    })?);
                }
                "--fault-wrong-crc" => config.faults.wrong_crc = true,
                "--restore-delay-ms" => {
                    let v = value("--restore-delay-ms")?;
                    config.restore_delay =
                        std::time::Duration::from_millis(v.parse().map_err(|_| {
                            bad(format!("--restore-delay-ms {v:?} is not a number"))
                        })?);
                }
                "--extra-user" => {
                    let v = value("--extra-user")?;
                    let parsed = v.split_once(':').and_then(|(id, rest)| {
                        let (secret, uid) = rest.rsplit_once(':')?;
                        let ok = !id.is_empty()
                            && !secret.is_empty()
                            && !uid.is_empty()
                            && uid.bytes().all(|b| b.is_ascii_digit());
                        ok.then(|| (id.to_owned(), secret.to_owned(), uid.to_owned()))
                    });
                    let Some((id, secret, uid)) = parsed else {
                        return Err(bad(
                            "--extra-user needs ID:SECRET:UID (UID in decimal digits)".to_owned(),
                        ));
                    };
                    config = config.extra_user(id, secret, uid);
                }
                "--lifecycle-interval" => {
                    let v = value("--lifecycle-interval")?;
                    let secs: u64 = v.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                        bad(format!(
                            "--lifecycle-interval {v:?} is not a positive number of seconds"
                        ))
                    })?;
                    config.lifecycle_interval = Some(std::time::Duration::from_secs(secs));
                }
                "--fault-seed" => {
                    let v = value("--fault-seed")?;
                    config.faults.seed = v
                        .parse()
                        .map_err(|_| bad(format!("--fault-seed {v:?} is not a number")))?;
                }
                other => return Err(bad(format!("unknown argument {other:?}"))),
            }
        }
        if !have_id || !have_secret {
            return Err(bad(
                "--access-key-id and --access-key-secret are required".to_owned()
            ));
        }
        Ok(config)
    }
}
