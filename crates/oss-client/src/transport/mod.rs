//! The HTTP transport: hyper-util's pooled client over rustls (ring, webpki roots; HTTP/1.1 and
//! HTTP/2 by ALPN), a pluggable resolver, request bodies and response streams.

mod body;
mod byte_stream;
mod http_client;
mod proxy;
mod resolver;
mod socks;

use std::sync::Arc;
use std::time::Duration;

use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

pub(crate) use body::CrcTracker;
pub use body::{Body, HttpRequestBody, SendProgress};
pub use byte_stream::ByteStream;
pub use http_client::{
    HttpClient, HttpError, HttpErrorKind, HttpFuture, HttpRequest, HttpResponse, HttpResponseBody,
    OperationName,
};
pub use proxy::Proxy;
use proxy::ProxyConnector;
use resolver::ResolverService;
pub use resolver::{FixedResolver, Resolve, ResolveFuture, SystemResolver};
pub use socks::ProxyError;

use crate::error::{BoxError, Error};

/// Connection settings of a [`Transport`].
///
/// ```
/// use std::time::Duration;
/// use oss_client::transport::TransportConfig;
/// let config = TransportConfig::default().connect_timeout(Duration::from_secs(3));
/// assert_eq!(config.connect_timeout_value(), Duration::from_secs(3));
/// ```
#[derive(Debug, Clone)]
pub struct TransportConfig {
    connect_timeout: Duration,
    pool_idle_timeout: Duration,
    resolver: Arc<dyn Resolve>,
    extra_roots: Vec<Vec<u8>>,
    proxy: Option<Proxy>,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(10),
            pool_idle_timeout: Duration::from_secs(50),
            resolver: Arc::new(SystemResolver),
            extra_roots: Vec::new(),
            proxy: None,
        }
    }
}

impl TransportConfig {
    /// How long establishing a TCP connection may take (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The connect timeout in force.
    pub fn connect_timeout_value(&self) -> Duration {
        self.connect_timeout
    }

    /// How long an idle pooled connection is kept (default 50 s).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// The resolver host names go through (default: the system's).
    pub fn resolver(self, resolver: impl Resolve + 'static) -> Self {
        self.shared_resolver(Arc::new(resolver))
    }

    /// Trusts this CA certificate (DER) besides the webpki roots, e.g. a private CA in front of
    /// OSS, or a test server's self-signed certificate.
    pub fn add_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra_roots.push(der.into());
        self
    }

    /// The roots TLS connections are verified against: webpki's plus the added ones.
    pub(crate) fn root_store(&self) -> Result<rustls::RootCertStore, rustls::Error> {
        let mut store = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for der in &self.extra_roots {
            store.add(rustls::pki_types::CertificateDer::from(der.clone()))?;
        }
        Ok(store)
    }

    /// Sends requests through `proxy` (default: none; `Config::from_env` takes the
    /// environment's).
    pub fn proxy(mut self, proxy: Option<Proxy>) -> Self {
        self.proxy = proxy;
        self
    }

    /// [`resolver`](TransportConfig::resolver), already shared.
    pub fn shared_resolver(mut self, resolver: Arc<dyn Resolve>) -> Self {
        self.resolver = resolver;
        self
    }
}

type Connector = HttpsConnector<ProxyConnector>;

/// The most an HTTP/1 connection reads from its socket at once (hyper's default is about
/// 400 KiB). A response body reaches the caller in pieces of up to this size, each handed
/// over from the connection's task: bigger pieces mean fewer hand-offs, and a 64 MiB GET
/// over loopback runs at about 2.1-2.4 GB/s instead of 1.4-1.7 on this project's bench
/// machine, for at most 1 MiB of buffer per connection.
const READ_BUFFER_MAX: usize = 1 << 20;

/// One connection pool: HTTPS (rustls) and plain HTTP, HTTP/1.1 and HTTP/2. The default
/// [`HttpClient`].
#[derive(Clone, Debug)]
pub struct Transport {
    client: HyperClient<Connector, HttpRequestBody>,
    connect_timeout: Duration,
    proxy: Option<Arc<hyper_util::client::proxy::matcher::Matcher>>,
}

impl Transport {
    /// Builds the pool.
    ///
    /// ```
    /// let transport = oss_client::transport::Transport::new(&Default::default());
    /// # let _ = transport;
    /// ```
    pub fn new(config: &TransportConfig) -> Self {
        let mut http =
            HttpConnector::new_with_resolver(ResolverService(Arc::clone(&config.resolver)));
        http.enforce_http(false);
        http.set_connect_timeout(Some(config.connect_timeout));
        http.set_nodelay(true);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        // `Config` has checked the added roots; a bad one here falls back to webpki's alone.
        let roots = config
            .root_store()
            .unwrap_or_else(|_| rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            });
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map(|b| {
                b.with_root_certificates(roots.clone())
                    .with_no_client_auth()
            })
            .unwrap_or_else(|_| {
                // Only fails when the provider supports no safe protocol version; ring does.
                rustls::ClientConfig::builder()
                    .with_root_certificates(roots)
                    .with_no_client_auth()
            });
        let proxy = config.proxy.as_ref().map(|p| Arc::new(p.matcher()));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(ProxyConnector {
                http,
                matcher: proxy.clone(),
                resolver: Arc::clone(&config.resolver),
                connect_timeout: config.connect_timeout,
            });
        let client = HyperClient::builder(TokioExecutor::new())
            .http1_max_buf_size(READ_BUFFER_MAX)
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_timer(hyper_util::rt::TokioTimer::new())
            .timer(hyper_util::rt::TokioTimer::new())
            .build(https);
        Transport {
            client,
            connect_timeout: config.connect_timeout,
            proxy,
        }
    }

    /// Sends one request and waits for the response head, at most `read_timeout` (`None`: no
    /// limit); failures become the client's errors for `operation`.
    pub(crate) async fn send(
        &self,
        operation: &'static str,
        request: HttpRequest,
        read_timeout: Option<Duration>,
    ) -> Result<HttpResponse, Error> {
        let fut = self.exchange(request);
        let result = match read_timeout {
            Some(after) => tokio::time::timeout(after, fut)
                .await
                .map_err(|_| Error::Timeout {
                    kind: crate::error::TimeoutKind::Read,
                    after,
                })?,
            None => fut.await,
        };
        result.map_err(|e| Error::from_http(operation, e))
    }

    async fn exchange(&self, mut request: HttpRequest) -> Result<HttpResponse, HttpError> {
        if let Some(matcher) = &self.proxy
            && let Some(auth) = proxy::forward_auth(matcher, request.uri())
        {
            request
                .headers_mut()
                .insert(http::header::PROXY_AUTHORIZATION, auth);
        }
        match self.client.request(request).await {
            Ok(response) => Ok(response.map(HttpResponseBody::new)),
            Err(e) => Err(self.classify(e)),
        }
    }

    fn classify(&self, e: hyper_util::client::legacy::Error) -> HttpError {
        let kind = if e.is_connect() && is_timeout(&e) {
            HttpErrorKind::ConnectTimeout(self.connect_timeout)
        } else if e.is_connect() {
            HttpErrorKind::Connect
        } else {
            HttpErrorKind::Request
        };
        HttpError::new(kind, Box::new(e) as BoxError)
    }
}

impl HttpClient for Transport {
    fn send(&self, request: HttpRequest) -> HttpFuture<'_> {
        Box::pin(self.exchange(request))
    }
}

fn is_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(io) = c.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return true;
        }
        if c.to_string().contains("timed out") || c.to_string().contains("timeout") {
            return true;
        }
        cause = c.source();
    }
    false
}
