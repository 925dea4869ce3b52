//! The V4 signing key (derived from the secret, date, region and product) and a cache of them.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use ring::hmac;

/// The last component of every V4 credential scope.
pub(crate) const SCOPE_TERMINATOR: &str = "aliyun_v4_request";

/// A derived V4 signing key:
/// `HMAC(HMAC(HMAC(HMAC("aliyun_v4" + secret, date), region), product), "aliyun_v4_request")`.
/// `Debug` never shows key material.
///
/// ```
/// let key = oss_sign::SigningKey::derive("sk", "20231216", "cn-hangzhou", "oss");
/// assert_eq!(format!("{key:?}"), "SigningKey(<redacted>)");
/// ```
#[derive(Clone)]
pub struct SigningKey(pub(crate) hmac::Key);

impl SigningKey {
    /// Derives the key for `secret` on the scope date `date` (`YYYYMMDD`), `region` and `product`.
    ///
    /// ```
    /// let key = oss_sign::SigningKey::derive("sk", "20231216", "cn-hangzhou", "oss");
    /// let sig = key.sign_hex(b"string to sign");
    /// assert_eq!(sig.len(), 64);
    /// ```
    pub fn derive(secret: &str, date: &str, region: &str, product: &str) -> Self {
        let mut ctx = hmac::Context::with_key(&hmac::Key::new(
            hmac::HMAC_SHA256,
            &[b"aliyun_v4".as_slice(), secret.as_bytes()].concat(),
        ));
        ctx.update(date.as_bytes());
        let k1 = ctx.sign();
        let k2 = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, k1.as_ref()),
            region.as_bytes(),
        );
        let k3 = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, k2.as_ref()),
            product.as_bytes(),
        );
        let k4 = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, k3.as_ref()),
            SCOPE_TERMINATOR.as_bytes(),
        );
        Self(hmac::Key::new(hmac::HMAC_SHA256, k4.as_ref()))
    }

    /// Signs `data` and returns the lower-case hex signature.
    ///
    /// ```
    /// let key = oss_sign::SigningKey::derive("sk", "20231216", "cn-hangzhou", "oss");
    /// assert_eq!(key.sign_hex(b"x"), key.sign_hex(b"x"));
    /// ```
    pub fn sign_hex(&self, data: &[u8]) -> String {
        let tag = hmac::sign(&self.0, data);
        crate::encoding::bytes_to_string(crate::encoding::hex32(tag.as_ref()).to_vec())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

struct Entry {
    secret: Box<str>,
    date: [u8; 8],
    region: Box<str>,
    product: Box<str>,
    key: SigningKey,
}

/// A cache of derived V4 signing keys, held by the caller (a client, a server) and cheap to
/// clone and share between threads (clones share one cache).
///
/// A key is derived once per (secret, date, region, product); the cache keeps the most recent
/// few (16 by default) and forgets the oldest first. It holds secrets in memory and never
/// shows them in `Debug`.
///
/// ```
/// use oss_sign::SigningKeyCache;
/// let cache = SigningKeyCache::new();
/// let shared = cache.clone();
/// let a = cache.get_or_derive("sk", "20231216", "cn-hangzhou", "oss");
/// let b = shared.get_or_derive("sk", "20231216", "cn-hangzhou", "oss");
/// assert_eq!(a.sign_hex(b"x"), b.sign_hex(b"x"));
/// assert_eq!(shared.len(), 1);
/// ```
#[derive(Clone)]
pub struct SigningKeyCache {
    inner: Arc<Mutex<Vec<Entry>>>,
    capacity: usize,
}

impl Default for SigningKeyCache {
    fn default() -> Self {
        Self::new()
    }
}

impl SigningKeyCache {
    /// A cache keeping up to 16 keys.
    ///
    /// ```
    /// assert!(oss_sign::SigningKeyCache::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::with_capacity(16)
    }

    /// A cache keeping up to `capacity` keys (at least one).
    ///
    /// ```
    /// let cache = oss_sign::SigningKeyCache::with_capacity(1);
    /// cache.get_or_derive("sk", "20231216", "r1", "oss");
    /// cache.get_or_derive("sk", "20231216", "r2", "oss");
    /// assert_eq!(cache.len(), 1);
    /// ```
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Vec::new())),
            capacity: capacity.max(1),
        }
    }

    /// The number of keys held.
    ///
    /// ```
    /// assert_eq!(oss_sign::SigningKeyCache::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether no key is held.
    ///
    /// ```
    /// assert!(oss_sign::SigningKeyCache::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The key for these inputs, derived on first use.
    ///
    /// ```
    /// let cache = oss_sign::SigningKeyCache::new();
    /// let k = cache.get_or_derive("sk", "20231216", "cn-hangzhou", "oss");
    /// let direct = oss_sign::SigningKey::derive("sk", "20231216", "cn-hangzhou", "oss");
    /// assert_eq!(k.sign_hex(b"abc"), direct.sign_hex(b"abc"));
    /// ```
    pub fn get_or_derive(
        &self,
        secret: &str,
        date: &str,
        region: &str,
        product: &str,
    ) -> SigningKey {
        let date8: [u8; 8] = match date.as_bytes().try_into() {
            Ok(d) => d,
            // Not a scope date: derive without caching.
            Err(_) => return SigningKey::derive(secret, date, region, product),
        };
        {
            let entries = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(e) = entries.iter().rev().find(|e| {
                e.date == date8
                    && &*e.region == region
                    && &*e.product == product
                    && &*e.secret == secret
            }) {
                return e.key.clone();
            }
        }
        let key = SigningKey::derive(secret, date, region, product);
        let mut entries = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.capacity {
            entries.remove(0);
        }
        entries.push(Entry {
            secret: secret.into(),
            date: date8,
            region: region.into(),
            product: product.into(),
            key: key.clone(),
        });
        key
    }
}

impl fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("len", &self.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_inputs_give_different_keys() {
        let cache = SigningKeyCache::new();
        let base = cache
            .get_or_derive("sk", "20231216", "cn-hangzhou", "oss")
            .sign_hex(b"m");
        for (s, d, r, p) in [
            ("sk2", "20231216", "cn-hangzhou", "oss"),
            ("sk", "20231217", "cn-hangzhou", "oss"),
            ("sk", "20231216", "cn-beijing", "oss"),
            ("sk", "20231216", "cn-hangzhou", "oss-cloudbox"),
        ] {
            assert_ne!(cache.get_or_derive(s, d, r, p).sign_hex(b"m"), base);
        }
        assert_eq!(cache.len(), 5);
        let dbg = format!("{cache:?}");
        assert!(!dbg.contains("sk2"));
    }

    #[test]
    fn non_scope_dates_are_not_cached() {
        let cache = SigningKeyCache::new();
        cache.get_or_derive("sk", "bad", "r", "p");
        assert!(cache.is_empty());
    }
}
