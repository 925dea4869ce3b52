//! One vector index: its configuration and its vectors, held in a flat contiguous `f32` layout
//! (slot `i` is `data[i * dimension..(i + 1) * dimension]`), with an exact (brute-force) top-k
//! search.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use serde_json::Value;
use time::OffsetDateTime;

use super::filter::Filter;

/// How an index measures distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Metric {
    /// `1 - cos(a, b)`.
    Cosine,
    /// `|a - b|`.
    Euclidean,
}

impl Metric {
    pub(crate) fn parse(name: &str) -> Option<Metric> {
        match name {
            "cosine" => Some(Metric::Cosine),
            "euclidean" => Some(Metric::Euclidean),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Metric::Cosine => "cosine",
            Metric::Euclidean => "euclidean",
        }
    }
}

/// A vector to write, already validated against the index.
#[derive(Debug, Clone)]
pub(crate) struct NewVector {
    pub(crate) key: String,
    pub(crate) data: Vec<f32>,
    pub(crate) metadata: Option<Value>,
}

/// A stored vector as read back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct StoredVector<'a> {
    pub(crate) key: &'a str,
    pub(crate) data: &'a [f32],
    pub(crate) metadata: Option<&'a Value>,
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hit<'a> {
    pub(crate) key: &'a str,
    pub(crate) distance: f32,
    pub(crate) metadata: Option<&'a Value>,
}

/// A vector index.
#[derive(Debug, Clone)]
pub(crate) struct Index {
    pub(crate) name: String,
    pub(crate) data_type: String,
    pub(crate) dimension: usize,
    pub(crate) metric: Metric,
    pub(crate) non_filterable: Vec<String>,
    pub(crate) created: OffsetDateTime,
    /// The fusion schema, for indexes made by PutVectorIndexFusion.
    pub(crate) fusion: Option<oss_model::VectorIndexSchema>,
    keys: Vec<String>,
    data: Vec<f32>,
    /// The L2 norm of each slot (cosine indexes), computed once at write time.
    norms: Vec<f64>,
    metadata: Vec<Option<Value>>,
    /// key → slot, in key order (listing walks it).
    slots: BTreeMap<String, usize>,
}

impl Index {
    pub(crate) fn new(
        name: String,
        data_type: String,
        dimension: usize,
        metric: Metric,
        non_filterable: Vec<String>,
        created: OffsetDateTime,
    ) -> Index {
        Index {
            name,
            data_type,
            dimension,
            metric,
            non_filterable,
            created,
            fusion: None,
            keys: Vec::new(),
            data: Vec::new(),
            norms: Vec::new(),
            metadata: Vec::new(),
            slots: BTreeMap::new(),
        }
    }

    /// The number of vectors.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Writes vectors (validated by the caller), replacing those with the same keys.
    pub(crate) fn put(&mut self, vectors: Vec<NewVector>) {
        let d = self.dimension;
        self.data.reserve(vectors.len() * d);
        for v in vectors {
            let norm = norm(&v.data);
            match self.slots.get(&v.key) {
                Some(&slot) => {
                    self.data[slot * d..(slot + 1) * d].copy_from_slice(&v.data);
                    self.norms[slot] = norm;
                    self.metadata[slot] = v.metadata;
                }
                None => {
                    let slot = self.keys.len();
                    self.data.extend_from_slice(&v.data);
                    self.norms.push(norm);
                    self.metadata.push(v.metadata);
                    self.slots.insert(v.key.clone(), slot);
                    self.keys.push(v.key);
                }
            }
        }
    }

    /// Deletes the vectors with these keys (absent keys are ignored).
    pub(crate) fn delete(&mut self, keys: &[String]) {
        let d = self.dimension;
        for key in keys {
            let Some(slot) = self.slots.remove(key) else {
                continue;
            };
            let last = self.keys.len() - 1;
            if slot != last {
                // Move the last slot into the hole.
                self.data.copy_within(last * d..(last + 1) * d, slot * d);
                self.keys.swap(slot, last);
                self.norms.swap(slot, last);
                self.metadata.swap(slot, last);
                if let Some(moved) = self.slots.get_mut(&self.keys[slot]) {
                    *moved = slot;
                }
            }
            self.data.truncate(last * d);
            self.keys.pop();
            self.norms.pop();
            self.metadata.pop();
        }
    }

    fn stored(&self, slot: usize) -> StoredVector<'_> {
        let d = self.dimension;
        StoredVector {
            key: &self.keys[slot],
            data: &self.data[slot * d..(slot + 1) * d],
            metadata: self.metadata[slot].as_ref(),
        }
    }

    /// The vector with this key.
    pub(crate) fn get(&self, key: &str) -> Option<StoredVector<'_>> {
        self.slots.get(key).map(|&slot| self.stored(slot))
    }

    /// Up to `max` vectors in key order after `after`, of segment `segment` (index, count) when
    /// given; and whether more follow.
    pub(crate) fn list(
        &self,
        after: Option<&str>,
        max: usize,
        segment: Option<(u64, u64)>,
    ) -> (Vec<StoredVector<'_>>, bool) {
        let range = match after {
            Some(a) => self
                .slots
                .range::<str, _>((std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded)),
            None => self.slots.range::<str, _>(..),
        };
        let mut out = Vec::new();
        let mut more = false;
        for (key, &slot) in range {
            if let Some((index, count)) = segment
                && fnv1a(key.as_bytes()) % count != index
            {
                continue;
            }
            if out.len() == max {
                more = true;
                break;
            }
            out.push(self.stored(slot));
        }
        (out, more)
    }

    /// The `k` vectors nearest to `query` that pass `filter`, nearest first (ties by key).
    pub(crate) fn query(&self, query: &[f32], k: usize, filter: Option<&Filter>) -> Vec<Hit<'_>> {
        self.query_where(query, k, &|m| filter.is_none_or(|f| f.matches(m)))
    }

    /// The `k` vectors nearest to `query` whose metadata passes `keep`, nearest first.
    pub(crate) fn query_where(
        &self,
        query: &[f32],
        k: usize,
        keep: &dyn Fn(Option<&Value>) -> bool,
    ) -> Vec<Hit<'_>> {
        let d = self.dimension;
        let query_norm = norm(query);
        let mut heap: BinaryHeap<Candidate<'_>> = BinaryHeap::with_capacity(k + 1);
        for (slot, row) in self.data.chunks_exact(d).enumerate() {
            if !keep(self.metadata[slot].as_ref()) {
                continue;
            }
            let distance = match self.metric {
                Metric::Euclidean => squared_distance(query, row),
                Metric::Cosine => 1.0 - dot(query, row) / (query_norm * self.norms[slot]),
            };
            let candidate = Candidate {
                distance,
                key: &self.keys[slot],
                slot,
            };
            if heap.len() < k {
                heap.push(candidate);
            } else if heap.peek().is_some_and(|worst| candidate < *worst) {
                heap.pop();
                heap.push(candidate);
            }
        }
        heap.into_sorted_vec()
            .into_iter()
            .map(|c| Hit {
                key: c.key,
                distance: match self.metric {
                    Metric::Euclidean => c.distance.sqrt() as f32,
                    Metric::Cosine => c.distance as f32,
                },
                metadata: self.metadata[c.slot].as_ref(),
            })
            .collect()
    }
}

/// A search candidate, ordered by distance then key (the heap keeps the worst on top).
struct Candidate<'a> {
    distance: f64,
    key: &'a str,
    slot: usize,
}

impl PartialEq for Candidate<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Candidate<'_> {}

impl PartialOrd for Candidate<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Candidate<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.distance
            .total_cmp(&other.distance)
            .then_with(|| self.key.cmp(other.key))
    }
}

/// Sums in `f64` (four lanes), so distances keep `f32` precision whatever the dimension.
fn dot(a: &[f32], b: &[f32]) -> f64 {
    let mut acc = [0f64; 4];
    let (ca, ra) = a.split_at(a.len() - a.len() % 4);
    let (cb, rb) = b.split_at(ca.len());
    for (x, y) in ca.chunks_exact(4).zip(cb.chunks_exact(4)) {
        for i in 0..4 {
            acc[i] += f64::from(x[i]) * f64::from(y[i]);
        }
    }
    let mut sum = acc[0] + acc[1] + acc[2] + acc[3];
    for (x, y) in ra.iter().zip(rb) {
        sum += f64::from(*x) * f64::from(*y);
    }
    sum
}

fn squared_distance(a: &[f32], b: &[f32]) -> f64 {
    let mut acc = [0f64; 4];
    let (ca, ra) = a.split_at(a.len() - a.len() % 4);
    let (cb, rb) = b.split_at(ca.len());
    for (x, y) in ca.chunks_exact(4).zip(cb.chunks_exact(4)) {
        for i in 0..4 {
            let t = f64::from(x[i]) - f64::from(y[i]);
            acc[i] += t * t;
        }
    }
    let mut sum = acc[0] + acc[1] + acc[2] + acc[3];
    for (x, y) in ra.iter().zip(rb) {
        let t = f64::from(*x) - f64::from(*y);
        sum += t * t;
    }
    sum
}

fn norm(a: &[f32]) -> f64 {
    dot(a, a).sqrt()
}

/// FNV-1a, a stable hash assigning keys to ListVectors segments.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The keys of a fresh listing's page token, and back: the last key listed, hex-encoded.
pub(crate) fn encode_token(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Reads a page token made by [`encode_token`].
pub(crate) fn decode_token(token: &str) -> Option<String> {
    if !token.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(token.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// A map from name to index, for the bucket.
pub(crate) type Indexes = HashMap<String, Index>;

#[cfg(test)]
mod tests {
    use super::*;

    fn index(metric: Metric) -> Index {
        Index::new(
            "idx".into(),
            "float32".into(),
            2,
            metric,
            Vec::new(),
            OffsetDateTime::UNIX_EPOCH,
        )
    }

    fn v(key: &str, data: [f32; 2]) -> NewVector {
        NewVector {
            key: key.into(),
            data: data.to_vec(),
            metadata: None,
        }
    }

    #[test]
    fn put_overwrites_delete_moves_the_last_slot() {
        let mut i = index(Metric::Euclidean);
        i.put(vec![
            v("a", [0.0, 0.0]),
            v("b", [1.0, 0.0]),
            v("c", [2.0, 0.0]),
        ]);
        i.put(vec![v("a", [5.0, 5.0])]);
        assert_eq!(i.len(), 3);
        assert_eq!(i.get("a").map(|s| s.data.to_vec()), Some(vec![5.0, 5.0]));
        i.delete(&["a".into(), "zz".into()]);
        assert_eq!(i.len(), 2);
        assert_eq!(i.get("c").map(|s| s.data.to_vec()), Some(vec![2.0, 0.0]));
        assert!(i.get("a").is_none());
        let (page, more) = i.list(None, 1, None);
        assert_eq!(page[0].key, "b");
        assert!(more);
        let (page, more) = i.list(Some("b"), 1, None);
        assert_eq!((page[0].key, more), ("c", false));
    }

    #[test]
    fn nearest_first_for_both_metrics() {
        let mut e = index(Metric::Euclidean);
        e.put(vec![
            v("far", [3.0, 4.0]),
            v("near", [1.0, 0.0]),
            v("mid", [0.0, 2.0]),
        ]);
        let hits = e.query(&[0.0, 0.0], 2, None);
        assert_eq!(
            hits.iter().map(|h| h.key).collect::<Vec<_>>(),
            ["near", "mid"]
        );
        assert_eq!(hits[1].distance, 2.0);
        let mut c = index(Metric::Cosine);
        c.put(vec![
            v("same", [2.0, 0.0]),
            v("orth", [0.0, 1.0]),
            v("opp", [-1.0, 0.0]),
        ]);
        let hits = c.query(&[1.0, 0.0], 3, None);
        assert_eq!(
            hits.iter().map(|h| h.key).collect::<Vec<_>>(),
            ["same", "orth", "opp"]
        );
        assert_eq!(
            hits.iter().map(|h| h.distance).collect::<Vec<_>>(),
            [0.0, 1.0, 2.0]
        );
    }

    #[test]
    fn segments_partition_the_keys_and_tokens_round_trip() {
        let mut i = index(Metric::Euclidean);
        i.put(
            (0..50)
                .map(|n| v(&format!("k{n}"), [n as f32, 0.0]))
                .collect(),
        );
        let mut seen: Vec<&str> = (0..3)
            .flat_map(|s| i.list(None, 100, Some((s, 3))).0)
            .map(|s| s.key)
            .collect();
        seen.sort_unstable();
        assert_eq!(seen.len(), 50);
        seen.dedup();
        assert_eq!(seen.len(), 50);
        assert_eq!(
            decode_token(&encode_token("a/b 中")).as_deref(),
            Some("a/b 中")
        );
        assert_eq!(decode_token("zz"), None);
    }
}
