//! A bounded map that forgets its least recently used entries.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

/// At most `capacity` entries; inserting one more drops the entry used least recently (a read
/// through [`get_mut`](Lru::get_mut) or an insert counts as a use).
#[derive(Debug)]
pub(crate) struct Lru<K, V> {
    capacity: usize,
    clock: u64,
    entries: HashMap<K, (V, u64)>,
    /// Last use → key, oldest first.
    order: BTreeMap<u64, K>,
}

impl<K: Eq + Hash + Clone, V> Lru<K, V> {
    /// An empty map holding at most `capacity` (at least 1) entries.
    pub(crate) fn new(capacity: usize) -> Self {
        Lru {
            capacity: capacity.max(1),
            clock: 0,
            entries: HashMap::new(),
            order: BTreeMap::new(),
        }
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    /// The value of `key`, marked as just used.
    pub(crate) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let now = self.tick();
        let (value, used) = self.entries.get_mut(key)?;
        let old = std::mem::replace(used, now);
        if let Some(k) = self.order.remove(&old) {
            self.order.insert(now, k);
        }
        Some(value)
    }

    /// The value of `key`, inserting `make()` first when absent (dropping the least recently
    /// used entry when full); marked as just used.
    pub(crate) fn get_or_insert_with(&mut self, key: &K, make: impl FnOnce() -> V) -> &mut V {
        if !self.entries.contains_key(key) {
            while self.entries.len() >= self.capacity && self.pop_oldest().is_some() {}
        }
        let now = self.tick();
        let slot = self
            .entries
            .entry(key.clone())
            .or_insert_with(|| (make(), now));
        if slot.1 != now {
            self.order.remove(&slot.1);
            slot.1 = now;
        }
        self.order.insert(now, key.clone());
        &mut slot.0
    }

    /// Sets `key` to `value`, dropping the least recently used entry when full.
    pub(crate) fn insert(&mut self, key: K, value: V) {
        self.remove(&key);
        while self.entries.len() >= self.capacity {
            if self.pop_oldest().is_none() {
                break;
            }
        }
        let now = self.tick();
        self.order.insert(now, key.clone());
        self.entries.insert(key, (value, now));
    }

    /// Removes `key`, returning its value.
    pub(crate) fn remove(&mut self, key: &K) -> Option<V> {
        let (value, used) = self.entries.remove(key)?;
        self.order.remove(&used);
        Some(value)
    }

    /// Removes the least recently used entry.
    pub(crate) fn pop_oldest(&mut self) -> Option<(K, V)> {
        let (_, key) = self.order.pop_first()?;
        let (value, _) = self.entries.remove(&key)?;
        Some((key, value))
    }

    /// The values, in no particular order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.values().map(|(v, _)| v)
    }

    /// How many entries there are.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_the_least_recently_used_entry() {
        let mut lru = Lru::new(2);
        lru.insert("a", 1);
        lru.insert("b", 2);
        *lru.get_mut(&"a").expect("a") += 10;
        lru.insert("c", 3);
        assert_eq!(lru.len(), 2);
        assert!(lru.get_mut(&"b").is_none());
        assert_eq!(lru.get_mut(&"a").copied(), Some(11));
        *lru.get_or_insert_with(&"d", || 4) += 1;
        assert!(lru.get_mut(&"c").is_none());
        assert_eq!(lru.remove(&"d"), Some(5));
        assert_eq!(*lru.get_or_insert_with(&"a", || 0), 11);
        assert_eq!(lru.pop_oldest(), Some(("a", 11)));
        assert_eq!(lru.len(), 0);
    }

    proptest::proptest! {
        #[test]
        fn never_exceeds_its_capacity(ops in proptest::collection::vec((0u8..16, proptest::bool::ANY), 0..200)) {
            let mut lru = Lru::new(5);
            for (key, insert) in ops {
                if insert {
                    lru.insert(key, ());
                } else {
                    lru.get_or_insert_with(&key, || ());
                }
                proptest::prop_assert!(lru.len() <= 5);
                proptest::prop_assert_eq!(lru.order.len(), lru.len());
            }
        }
    }
}
