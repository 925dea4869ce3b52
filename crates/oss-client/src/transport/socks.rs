//! A SOCKS5 client (RFC 1928), `CONNECT` only, with username/password authentication
//! (RFC 1929): enough to open a TCP tunnel to OSS through a SOCKS5 proxy. TLS, when the target
//! is HTTPS, runs end to end inside the tunnel.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};

use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};

/// A SOCKS5 proxy refused or botched the handshake. Each variant names the proxy by its URL
/// without credentials (`socks5h://proxy.internal:1080`); passwords never appear.
///
/// The client reports it as [`Error::Proxy`](crate::Error::Proxy):
///
/// ```
/// use oss_client::transport::ProxyError;
/// let err = ProxyError::AuthRefused { proxy: "socks5://127.0.0.1:1080".into() };
/// assert_eq!(err.proxy(), "socks5://127.0.0.1:1080");
/// assert_eq!(
///     err.to_string(),
///     "SOCKS5 proxy socks5://127.0.0.1:1080 refused the username and password"
/// );
/// let refused = ProxyError::ConnectFailed {
///     proxy: "socks5://127.0.0.1:1080".into(),
///     target: "bucket.oss-cn-hangzhou.aliyuncs.com:443".into(),
///     reply: 5,
/// };
/// assert_eq!(refused.reply_code(), Some(5));
/// assert!(refused.to_string().contains("connection refused"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyError {
    /// The proxy accepts none of the authentication methods offered (no authentication, and
    /// username/password when the proxy URL has credentials).
    NoAcceptableAuth {
        /// The proxy, without credentials.
        proxy: String,
    },
    /// The proxy refused the username and password.
    AuthRefused {
        /// The proxy, without credentials.
        proxy: String,
    },
    /// The proxy could not or would not connect to the target (a reply code other than
    /// "succeeded", RFC 1928 section 6).
    ConnectFailed {
        /// The proxy, without credentials.
        proxy: String,
        /// `host:port` the proxy was asked to connect to.
        target: String,
        /// The reply code (1 general failure, 2 not allowed by ruleset, 3 network unreachable,
        /// 4 host unreachable, 5 connection refused, 6 TTL expired, 7 command not supported,
        /// 8 address type not supported).
        reply: u8,
    },
    /// The proxy's answer was not SOCKS5, or the request could not be expressed in it.
    Protocol {
        /// The proxy, without credentials.
        proxy: String,
        /// What was wrong.
        reason: &'static str,
    },
    /// The connection to the proxy failed during the handshake.
    Io {
        /// The proxy, without credentials.
        proxy: String,
        /// The I/O error's kind.
        kind: io::ErrorKind,
        /// The I/O error's message.
        message: String,
    },
}

impl ProxyError {
    /// The proxy's URL, without credentials.
    pub fn proxy(&self) -> &str {
        match self {
            ProxyError::NoAcceptableAuth { proxy }
            | ProxyError::AuthRefused { proxy }
            | ProxyError::ConnectFailed { proxy, .. }
            | ProxyError::Protocol { proxy, .. }
            | ProxyError::Io { proxy, .. } => proxy,
        }
    }

    /// The SOCKS5 reply code, when the proxy refused to connect to the target.
    pub fn reply_code(&self) -> Option<u8> {
        match self {
            ProxyError::ConnectFailed { reply, .. } => Some(*reply),
            _ => None,
        }
    }

    /// Whether trying again may help: a broken connection, or a target the proxy could not
    /// reach (general failure, unreachable, refused, TTL expired). Refused credentials, a rule
    /// forbidding the connection or a protocol mismatch do not change by retrying.
    pub fn is_transient(&self) -> bool {
        match self {
            ProxyError::ConnectFailed { reply, .. } => matches!(reply, 1 | 3 | 4 | 5 | 6),
            ProxyError::Io { .. } => true,
            _ => false,
        }
    }
}

/// The meaning of a SOCKS5 reply code.
fn reply_meaning(code: u8) -> &'static str {
    match code {
        1 => "general SOCKS server failure",
        2 => "connection not allowed by ruleset",
        3 => "network unreachable",
        4 => "host unreachable",
        5 => "connection refused",
        6 => "TTL expired",
        7 => "command not supported",
        8 => "address type not supported",
        _ => "unassigned reply code",
    }
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyError::NoAcceptableAuth { proxy } => write!(
                f,
                "SOCKS5 proxy {proxy} accepts none of the offered authentication methods"
            ),
            ProxyError::AuthRefused { proxy } => {
                write!(f, "SOCKS5 proxy {proxy} refused the username and password")
            }
            ProxyError::ConnectFailed {
                proxy,
                target,
                reply,
            } => write!(
                f,
                "SOCKS5 proxy {proxy} could not connect to {target}: {} (reply {reply})",
                reply_meaning(*reply)
            ),
            ProxyError::Protocol { proxy, reason } => {
                write!(f, "SOCKS5 proxy {proxy}: {reason}")
            }
            ProxyError::Io { proxy, message, .. } => {
                write!(f, "SOCKS5 proxy {proxy}: handshake failed: {message}")
            }
        }
    }
}

impl std::error::Error for ProxyError {}

/// Where the proxy is asked to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// An address (`socks5://`: the client resolved the host, or it was an IP literal).
    Addr(SocketAddr),
    /// A host name the proxy resolves (`socks5h://`).
    Domain(String, u16),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Addr(a) => a.fmt(f),
            Target::Domain(h, p) => write!(f, "{h}:{p}"),
        }
    }
}

const VERSION: u8 = 5;
const NO_AUTH: u8 = 0;
const USER_PASS: u8 = 2;
const NONE_ACCEPTABLE: u8 = 0xff;
const CONNECT: u8 = 1;
const ATYP_V4: u8 = 1;
const ATYP_DOMAIN: u8 = 3;
const ATYP_V6: u8 = 4;

/// Runs the handshake on `stream` (connected to the proxy): method negotiation, RFC 1929
/// authentication when `auth` is given and the proxy picks it, then `CONNECT target`. On
/// success the stream is a tunnel to the target.
pub(crate) async fn handshake<S>(
    stream: &mut S,
    proxy: &str,
    target: &Target,
    auth: Option<(&str, &str)>,
) -> Result<(), ProxyError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let io_err = |e: io::Error| ProxyError::Io {
        proxy: proxy.to_owned(),
        kind: e.kind(),
        message: e.to_string(),
    };
    let protocol = |reason: &'static str| ProxyError::Protocol {
        proxy: proxy.to_owned(),
        reason,
    };

    // Build the messages up front so bad input fails before anything is sent.
    let request = connect_request(target).ok_or_else(|| protocol("host name too long"))?;
    let auth_request = match auth {
        Some((user, pass)) => Some(
            auth_request(user, pass)
                .ok_or_else(|| protocol("username or password longer than 255 bytes"))?,
        ),
        None => None,
    };

    let greeting: &[u8] = if auth.is_some() {
        &[VERSION, 2, NO_AUTH, USER_PASS]
    } else {
        &[VERSION, 1, NO_AUTH]
    };
    stream.write_all(greeting).await.map_err(io_err)?;
    let mut choice = [0u8; 2];
    stream.read_exact(&mut choice).await.map_err(io_err)?;
    if choice[0] != VERSION {
        return Err(protocol("not a SOCKS5 server"));
    }
    match (choice[1], &auth_request) {
        (NO_AUTH, _) => {}
        (USER_PASS, Some(msg)) => {
            stream.write_all(msg).await.map_err(io_err)?;
            let mut status = [0u8; 2];
            stream.read_exact(&mut status).await.map_err(io_err)?;
            if status[1] != 0 {
                return Err(ProxyError::AuthRefused {
                    proxy: proxy.to_owned(),
                });
            }
        }
        (NONE_ACCEPTABLE, _) => {
            return Err(ProxyError::NoAcceptableAuth {
                proxy: proxy.to_owned(),
            });
        }
        _ => return Err(protocol("the server chose a method that was not offered")),
    }

    stream.write_all(&request).await.map_err(io_err)?;
    let mut head = [0u8; 4];
    stream.read_exact(&mut head).await.map_err(io_err)?;
    if head[0] != VERSION {
        return Err(protocol("not a SOCKS5 reply"));
    }
    if head[1] != 0 {
        return Err(ProxyError::ConnectFailed {
            proxy: proxy.to_owned(),
            target: target.to_string(),
            reply: head[1],
        });
    }
    // The bound address, which the client does not need; read it to leave the tunnel clean.
    let rest = match head[3] {
        ATYP_V4 => 4 + 2,
        ATYP_V6 => 16 + 2,
        ATYP_DOMAIN => {
            let mut len = [0u8; 1];
            stream.read_exact(&mut len).await.map_err(io_err)?;
            usize::from(len[0]) + 2
        }
        _ => return Err(protocol("unknown address type in the reply")),
    };
    let mut bound = vec![0u8; rest];
    stream.read_exact(&mut bound).await.map_err(io_err)?;
    Ok(())
}

/// `VER CMD RSV ATYP DST.ADDR DST.PORT`; `None` when a host name is over 255 bytes.
fn connect_request(target: &Target) -> Option<Vec<u8>> {
    let mut msg = vec![VERSION, CONNECT, 0];
    let port = match target {
        Target::Addr(addr) => {
            match addr.ip() {
                IpAddr::V4(ip) => {
                    msg.push(ATYP_V4);
                    msg.extend_from_slice(&ip.octets());
                }
                IpAddr::V6(ip) => {
                    msg.push(ATYP_V6);
                    msg.extend_from_slice(&ip.octets());
                }
            }
            addr.port()
        }
        Target::Domain(host, port) => {
            let len = u8::try_from(host.len()).ok().filter(|l| *l > 0)?;
            msg.push(ATYP_DOMAIN);
            msg.push(len);
            msg.extend_from_slice(host.as_bytes());
            *port
        }
    };
    msg.extend_from_slice(&port.to_be_bytes());
    Some(msg)
}

/// RFC 1929's `VER ULEN UNAME PLEN PASSWD`; `None` when either is over 255 bytes.
fn auth_request(user: &str, pass: &str) -> Option<Vec<u8>> {
    let ulen = u8::try_from(user.len()).ok()?;
    let plen = u8::try_from(pass.len()).ok()?;
    let mut msg = Vec::with_capacity(3 + user.len() + pass.len());
    msg.push(1);
    msg.push(ulen);
    msg.extend_from_slice(user.as_bytes());
    msg.push(plen);
    msg.extend_from_slice(pass.as_bytes());
    Some(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages() {
        let v4 = Target::Addr(SocketAddr::from(([127, 0, 0, 1], 8080)));
        assert_eq!(
            connect_request(&v4).unwrap(),
            [5, 1, 0, 1, 127, 0, 0, 1, 0x1f, 0x90]
        );
        let name = Target::Domain("b.example".into(), 443);
        let msg = connect_request(&name).unwrap();
        assert_eq!(&msg[..5], [5, 1, 0, 3, 9]);
        assert_eq!(&msg[5..14], b"b.example");
        assert_eq!(&msg[14..], [1, 187]);
        assert!(connect_request(&Target::Domain("x".repeat(256), 1)).is_none());
        assert_eq!(
            auth_request("u", "pw").unwrap(),
            [1, 1, b'u', 2, b'p', b'w']
        );
        assert!(auth_request("u", &"p".repeat(256)).is_none());
    }

    #[tokio::test]
    async fn refusals_are_typed_and_name_the_proxy() {
        let proxy = "socks5://127.0.0.1:1";
        let target = Target::Domain("b.example".into(), 80);
        for (answer, expected) in [
            (
                vec![5, 2, 1, 1],
                ProxyError::AuthRefused {
                    proxy: proxy.into(),
                },
            ),
            (
                vec![5, 0xff],
                ProxyError::NoAcceptableAuth {
                    proxy: proxy.into(),
                },
            ),
            (
                vec![5, 0, 5, 5, 0, 1],
                ProxyError::ConnectFailed {
                    proxy: proxy.into(),
                    target: "b.example:80".into(),
                    reply: 5,
                },
            ),
            (
                b"HTTP/1.1 400 Bad Request\r\n".to_vec(),
                ProxyError::Protocol {
                    proxy: proxy.into(),
                    reason: "not a SOCKS5 server",
                },
            ),
        ] {
            let (mut client, mut server) = tokio::io::duplex(1024);
            server.write_all(&answer).await.unwrap();
            let err = handshake(&mut client, proxy, &target, Some(("u", "hunter2")))
                .await
                .unwrap_err();
            assert_eq!(err, expected);
            assert!(!err.to_string().contains("hunter2"));
        }
    }
}
