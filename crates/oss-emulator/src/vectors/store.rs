//! The vector buckets of one emulator, in memory: each bucket's settings (policy, logging) and
//! its indexes.

use std::collections::BTreeMap;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use time::OffsetDateTime;

use super::index::Indexes;

/// One vector bucket.
#[derive(Debug, Clone)]
pub(crate) struct VectorBucket {
    pub(crate) created: OffsetDateTime,
    pub(crate) resource_group_id: Option<String>,
    pub(crate) policy: Option<String>,
    pub(crate) logging: Option<oss_model::VectorLoggingEnabled>,
    pub(crate) indexes: Indexes,
}

/// Every vector bucket, by name. Readers (queries, listings) share the lock; writers take it
/// alone, so a request's changes are applied all at once or not at all.
#[derive(Debug, Default)]
pub(crate) struct VectorStore {
    buckets: RwLock<BTreeMap<String, VectorBucket>>,
}

impl VectorStore {
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, BTreeMap<String, VectorBucket>> {
        self.buckets.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, BTreeMap<String, VectorBucket>> {
        self.buckets.write().unwrap_or_else(|e| e.into_inner())
    }
}
