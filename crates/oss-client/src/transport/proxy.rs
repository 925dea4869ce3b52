//! Proxies: an explicit one ([`Proxy`]) or the environment's (`HTTPS_PROXY`, `HTTP_PROXY`,
//! `ALL_PROXY`, `NO_PROXY`).
//!
//! - `http://` / `https://` proxies: HTTPS requests go through a `CONNECT` tunnel (TLS end to
//!   end, the proxy sees only the host); plain-HTTP requests are forwarded in absolute form.
//!   Credentials in the proxy URL are sent as `Proxy-Authorization: Basic`.
//! - `socks5://` / `socks5h://` proxies (port 1080 by default): every request, HTTP or HTTPS,
//!   goes through a SOCKS5 tunnel (TLS end to end inside it). With `socks5://` the client
//!   resolves the host (through the configured resolver) and sends the address; with
//!   `socks5h://` it sends the host name and the proxy resolves it. Credentials in the URL are
//!   sent as RFC 1929 username/password. A refused handshake is an
//!   [`Error::Proxy`](crate::Error::Proxy) carrying a [`ProxyError`](super::ProxyError).

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;

use super::Resolve;
use super::resolver::ResolverService;
use super::socks::{self, Target};
use crate::credentials::Environment;
use crate::error::{BoxError, Error};

/// Which proxy requests go through: an HTTP(S) proxy (`http://[user:password@]host:port`) or a
/// SOCKS5 one (`socks5://` resolving names locally, `socks5h://` letting the proxy resolve them).
///
/// ```
/// use oss_client::transport::Proxy;
/// let proxy = Proxy::all("http://user:secret@proxy.internal:3128")?
///     .no_proxy("localhost,.internal.example.com,10.0.0.0/8");
/// // Credentials never show in Debug.
/// assert!(!format!("{proxy:?}").contains("secret"));
/// let socks = Proxy::all("socks5h://user:secret@bastion.internal:1080")?;
/// assert!(!format!("{socks:?}").contains("secret"));
/// # Ok::<(), oss_client::Error>(())
/// ```
#[derive(Clone)]
pub struct Proxy {
    http: Option<String>,
    https: Option<String>,
    no: String,
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |u: &Option<String>| u.as_deref().map(redact);
        f.debug_struct("Proxy")
            .field("http", &shown(&self.http))
            .field("https", &shown(&self.https))
            .field("no_proxy", &self.no)
            .finish()
    }
}

/// The proxy URL without its credentials.
fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((_, host)) => format!("{scheme}://<redacted>@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

fn check(url: &str) -> Result<String, Error> {
    let bad = |why: &str| Error::InvalidConfig {
        reason: format!("proxy {}: {why}", redact(url)),
    };
    let full = if url.contains("://") {
        url.to_owned()
    } else {
        format!("http://{url}")
    };
    let uri: http::Uri = full.parse().map_err(|_| bad("not a URL"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some("socks5" | "socks5h") => {
            // RFC 1929 limits the username and the password to 255 bytes each.
            let userinfo = uri
                .authority()
                .and_then(|a| a.as_str().rsplit_once('@'))
                .map(|(u, _)| u);
            if let Some(userinfo) = userinfo {
                let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                let decoded_len = |s: &str| {
                    percent_encoding::percent_decode_str(s)
                        .collect::<Vec<u8>>()
                        .len()
                };
                if decoded_len(user) > 255 || decoded_len(pass) > 255 {
                    return Err(bad("a SOCKS5 username or password is limited to 255 bytes"));
                }
            }
        }
        _ => {
            return Err(bad("the scheme must be http, https, socks5 or socks5h"));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    Ok(full)
}

impl Proxy {
    /// Sends HTTP and HTTPS requests through `url` (`http://[user:password@]host:port`, or
    /// `socks5://` / `socks5h://[user:password@]host[:port]`).
    pub fn all(url: &str) -> Result<Self, Error> {
        let url = check(url)?;
        Ok(Proxy {
            http: Some(url.clone()),
            https: Some(url),
            no: String::new(),
        })
    }

    /// Sends only plain-HTTP requests through `url`.
    pub fn http(url: &str) -> Result<Self, Error> {
        Ok(Proxy {
            http: Some(check(url)?),
            https: None,
            no: String::new(),
        })
    }

    /// Sends only HTTPS requests through `url` (a `CONNECT` tunnel, or a SOCKS5 one).
    pub fn https(url: &str) -> Result<Self, Error> {
        Ok(Proxy {
            http: None,
            https: Some(check(url)?),
            no: String::new(),
        })
    }

    /// Hosts that bypass the proxy, in `NO_PROXY` syntax: comma-separated host names (a leading
    /// `.` or none matches subdomains too), IP addresses, CIDR ranges, or `*` for all.
    #[must_use]
    pub fn no_proxy(mut self, list: impl Into<String>) -> Self {
        self.no = list.into();
        self
    }

    /// The proxy the environment names: `HTTPS_PROXY` for HTTPS, `HTTP_PROXY` for HTTP (either
    /// falling back to `ALL_PROXY`; lower-case names too), bypassed for `NO_PROXY`. `None` when
    /// no proxy is set.
    pub fn from_environment(env: &Environment) -> Result<Option<Self>, Error> {
        let first = |names: &[&str]| names.iter().find_map(|n| env.get(n));
        let all = first(&["ALL_PROXY", "all_proxy"]);
        let http = first(&["HTTP_PROXY", "http_proxy"]).or_else(|| all.clone());
        let https = first(&["HTTPS_PROXY", "https_proxy"]).or(all);
        if http.is_none() && https.is_none() {
            return Ok(None);
        }
        Ok(Some(Proxy {
            http: http.as_deref().map(check).transpose()?,
            https: https.as_deref().map(check).transpose()?,
            no: first(&["NO_PROXY", "no_proxy"]).unwrap_or_default(),
        }))
    }

    pub(crate) fn matcher(&self) -> Matcher {
        let mut b = Matcher::builder().no(self.no.clone());
        if let Some(h) = &self.http {
            b = b.http(h.clone());
        }
        if let Some(h) = &self.https {
            b = b.https(h.clone());
        }
        b.build()
    }
}

/// The connector under TLS: straight to the host, through a `CONNECT` or SOCKS5 tunnel, or to
/// the proxy for forwarding.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    pub(crate) http: HttpConnector<ResolverService>,
    pub(crate) matcher: Option<Arc<Matcher>>,
    /// Resolves targets for `socks5://` (the client resolves).
    pub(crate) resolver: Arc<dyn Resolve>,
    /// Bounds the connection to a SOCKS5 proxy and its handshake together.
    pub(crate) connect_timeout: Duration,
}

impl fmt::Debug for ProxyConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConnector")
            .field("proxied", &self.matcher.is_some())
            .finish()
    }
}

type Io = TokioIo<tokio::net::TcpStream>;

impl tower_service::Service<http::Uri> for ProxyConnector {
    type Response = MaybeProxied;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<MaybeProxied, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        tower_service::Service::<http::Uri>::poll_ready(&mut self.http, cx).map_err(Into::into)
    }

    fn call(&mut self, dst: http::Uri) -> Self::Future {
        let mut http = self.http.clone();
        let intercept = self.matcher.as_ref().and_then(|m| m.intercept(&dst));
        let resolver = Arc::clone(&self.resolver);
        let connect_timeout = self.connect_timeout;
        Box::pin(async move {
            let Some(proxy) = intercept else {
                let io: Io = tower_service::Service::call(&mut http, dst).await?;
                return Ok(MaybeProxied {
                    io,
                    forwarding: false,
                });
            };
            if let Some(remote_dns) = socks_scheme(proxy.uri()) {
                let tunnel = socks_tunnel(&mut http, &proxy, &dst, remote_dns, resolver.as_ref());
                let io = tokio::time::timeout(connect_timeout, tunnel)
                    .await
                    .map_err(|_| {
                        io::Error::new(io::ErrorKind::TimedOut, "SOCKS5 handshake timed out")
                    })??;
                return Ok(MaybeProxied {
                    io,
                    forwarding: false,
                });
            }
            if dst.scheme_str() == Some("https") {
                let mut tunnel = Tunnel::new(proxy.uri().clone(), http);
                if let Some(auth) = proxy.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                let io = tower_service::Service::call(&mut tunnel, dst).await?;
                Ok(MaybeProxied {
                    io,
                    forwarding: false,
                })
            } else {
                let io: Io = tower_service::Service::call(&mut http, proxy.uri().clone()).await?;
                Ok(MaybeProxied {
                    io,
                    forwarding: true,
                })
            }
        })
    }
}

/// `Some(remote_dns)` for a SOCKS5 proxy URL: `true` for `socks5h`, `false` for `socks5`.
fn socks_scheme(uri: &http::Uri) -> Option<bool> {
    match uri.scheme_str() {
        Some("socks5h") => Some(true),
        Some("socks5") => Some(false),
        _ => None,
    }
}

/// Connects to the SOCKS5 proxy and asks it for a tunnel to `dst`.
async fn socks_tunnel(
    http: &mut HttpConnector<ResolverService>,
    proxy: &hyper_util::client::proxy::matcher::Intercept,
    dst: &http::Uri,
    remote_dns: bool,
    resolver: &dyn Resolve,
) -> Result<Io, BoxError> {
    let puri = proxy.uri();
    let phost = puri.host().unwrap_or_default();
    let pport = puri.port_u16().unwrap_or(1080);
    // The proxy's name, for errors: its URL without credentials (the matcher dropped them).
    let name = format!(
        "{}://{phost}:{pport}",
        puri.scheme_str().unwrap_or("socks5")
    );
    let host = dst.host().ok_or("no host in the request URI")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = dst.port_u16().unwrap_or(match dst.scheme_str() {
        Some("https") => 443,
        _ => 80,
    });
    let target = match host.parse::<IpAddr>() {
        Ok(ip) => Target::Addr(SocketAddr::new(ip, port)),
        Err(_) if remote_dns => Target::Domain(host.to_owned(), port),
        Err(_) => {
            let ip = resolver
                .resolve(host)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    io::Error::new(io::ErrorKind::NotFound, "host resolved to no address")
                })?;
            Target::Addr(SocketAddr::new(ip, port))
        }
    };
    let proxy_addr: http::Uri = format!("http://{phost}:{pport}")
        .parse()
        .map_err(|_| "bad SOCKS5 proxy address")?;
    let io: Io = tower_service::Service::call(http, proxy_addr).await?;
    let mut stream = io.into_inner();
    socks::handshake(&mut stream, &name, &target, proxy.raw_auth()).await?;
    Ok(TokioIo::new(stream))
}

/// `Proxy-Authorization` for a plain-HTTP request forwarded through the proxy, when its URL has
/// credentials.
pub(crate) fn forward_auth(matcher: &Matcher, dst: &http::Uri) -> Option<http::HeaderValue> {
    if dst.scheme_str() != Some("http") {
        return None;
    }
    matcher.intercept(dst)?.basic_auth().cloned()
}

/// A connection, telling hyper whether it goes to a forwarding proxy (then requests are written
/// in absolute form).
#[derive(Debug)]
pub(crate) struct MaybeProxied {
    io: Io,
    forwarding: bool,
}

impl Connection for MaybeProxied {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.forwarding)
    }
}

impl Read for MaybeProxied {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl Write for MaybeProxied {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_names_and_precedence() {
        let env = Environment::from_pairs([
            ("https_proxy", "http://u:p@secure:1"),
            ("ALL_PROXY", "http://all:2"),
            ("NO_PROXY", "localhost,.corp"),
        ]);
        let p = Proxy::from_environment(&env).unwrap().unwrap();
        let m = p.matcher();
        let via = |u: &str| {
            m.intercept(&u.parse().unwrap())
                .map(|i| i.uri().to_string())
        };
        assert_eq!(
            via("https://b.oss-cn-hangzhou.aliyuncs.com/").as_deref(),
            Some("http://secure:1/")
        );
        assert_eq!(
            via("http://b.oss-cn-hangzhou.aliyuncs.com/").as_deref(),
            Some("http://all:2/")
        );
        assert_eq!(via("https://x.corp/"), None);
        assert_eq!(via("http://localhost:9000/"), None);
        assert!(
            Proxy::from_environment(&Environment::from_pairs::<&str, &str>([]))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn bad_proxies_are_config_errors_without_secrets() {
        let long = "p".repeat(256);
        for bad in [
            "socks4://u:hunter2@h:1",
            "http://",
            "http://u:hunter2@",
            &format!("socks5h://u:hunter2{long}@h:1"),
        ] {
            let err = Proxy::all(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidConfig { .. }), "{err}");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
        let env = Environment::from_pairs([("HTTPS_PROXY", "ftp://h:1")]);
        assert!(Proxy::from_environment(&env).is_err());
    }

    #[test]
    fn socks5_urls_are_accepted_and_redacted() {
        let p = Proxy::all("socks5h://user:hunter2@bastion:1080").unwrap();
        assert!(!format!("{p:?}").contains("hunter2"), "{p:?}");
        let m = p.matcher();
        let i = m
            .intercept(&"https://b.oss-cn-hangzhou.aliyuncs.com/".parse().unwrap())
            .unwrap();
        assert_eq!(i.uri().scheme_str(), Some("socks5h"));
        assert_eq!(i.raw_auth(), Some(("user", "hunter2")));
        assert_eq!(socks_scheme(i.uri()), Some(true));
        let env = Environment::from_pairs([("ALL_PROXY", "socks5://h")]);
        let p = Proxy::from_environment(&env).unwrap().unwrap();
        let i = p
            .matcher()
            .intercept(&"http://b.oss-cn-hangzhou.aliyuncs.com/".parse().unwrap())
            .unwrap();
        assert_eq!(socks_scheme(i.uri()), Some(false));
    }
}
