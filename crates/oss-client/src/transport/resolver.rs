//! The DNS seam: how host names become addresses.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::dns::Name;

/// The future a [`Resolve`] returns.
pub type ResolveFuture = Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send>>;

/// Turns a host name into addresses. The default uses the system resolver; tests and special
/// networks plug in their own, e.g. [`FixedResolver`] so that virtual-hosted bucket names reach
/// a local emulator.
pub trait Resolve: Send + Sync + fmt::Debug {
    /// Resolves `host` (no port).
    fn resolve(&self, host: &str) -> ResolveFuture;
}

/// The system resolver (`getaddrinfo` on a blocking thread).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, host: &str) -> ResolveFuture {
        let host = host.to_owned();
        Box::pin(async move {
            let addrs = tokio::net::lookup_host((host.as_str(), 0)).await?;
            Ok(addrs.map(|a| a.ip()).collect())
        })
    }
}

/// Resolves every host name to one address.
///
/// ```
/// use oss_client::transport::{FixedResolver, Resolve};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let resolver = FixedResolver::new([127, 0, 0, 1].into());
/// let addrs = resolver.resolve("bucket.oss-cn-hangzhou.aliyuncs.com").await.unwrap();
/// assert_eq!(addrs, vec![std::net::IpAddr::from([127, 0, 0, 1])]);
/// # });
/// ```
#[derive(Debug, Clone, Copy)]
pub struct FixedResolver {
    addr: IpAddr,
}

impl FixedResolver {
    /// Sends every host to `addr`.
    pub fn new(addr: IpAddr) -> Self {
        FixedResolver { addr }
    }
}

impl Resolve for FixedResolver {
    fn resolve(&self, _host: &str) -> ResolveFuture {
        let addr = self.addr;
        Box::pin(async move { Ok(vec![addr]) })
    }
}

/// Adapts a [`Resolve`] to hyper-util's connector.
#[derive(Clone, Debug)]
pub(crate) struct ResolverService(pub(crate) Arc<dyn Resolve>);

impl tower_service::Service<Name> for ResolverService {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let fut = self.0.resolve(name.as_str());
        Box::pin(async move {
            let addrs = fut.await?;
            if addrs.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    "host resolved to no address",
                ));
            }
            Ok(addrs
                .into_iter()
                .map(|ip| SocketAddr::new(ip, 0))
                .collect::<Vec<_>>()
                .into_iter())
        })
    }
}
