//! A map from account ids to per-account values, split into shards with a lock each, so threads
//! working on different accounts do not contend on one lock (or one cache line).

use std::hash::BuildHasher;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use rustc_hash::{FxBuildHasher, FxHashMap};
use smol_str::SmolStr;

const SHARDS: usize = 64;

/// Account id -> value, in [`SHARDS`] locked shards. Values are cheap handles (`Arc`s): they are
/// cloned out so that no shard lock is held while the caller works on the value.
pub(crate) struct Sharded<V> {
    shards: Box<[RwLock<FxHashMap<SmolStr, V>>]>,
}

impl<V> Default for Sharded<V> {
    fn default() -> Sharded<V> {
        Sharded {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
        }
    }
}

impl<V: Clone> Sharded<V> {
    fn shard(&self, key: &str) -> &RwLock<FxHashMap<SmolStr, V>> {
        &self.shards[(FxBuildHasher.hash_one(key) as usize) % SHARDS]
    }

    // A panic while a shard lock is held cannot leave a map half-changed (each change is one
    // insert or remove), so a poisoned lock is still consistent.
    fn read(&self, key: &str) -> RwLockReadGuard<'_, FxHashMap<SmolStr, V>> {
        self.shard(key)
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self, key: &str) -> RwLockWriteGuard<'_, FxHashMap<SmolStr, V>> {
        self.shard(key)
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<V> {
        self.read(key).get(key).cloned()
    }

    /// The value of `key`, inserting `make()` when there is none (another thread's insert wins).
    pub(crate) fn get_or_insert_with(&self, key: &str, make: impl FnOnce() -> V) -> V {
        self.write(key)
            .entry(SmolStr::new(key))
            .or_insert_with(make)
            .clone()
    }

    /// Removes `key` when `stale(value)` holds (checked under the shard's lock).
    pub(crate) fn remove_if(&self, key: &str, stale: impl FnOnce(&V) -> bool) {
        let mut shard = self.write(key);
        if shard.get(key).is_some_and(stale) {
            shard.remove(key);
        }
    }

    /// Every key and value, in no particular order.
    pub(crate) fn entries(&self) -> Vec<(SmolStr, V)> {
        self.shards
            .iter()
            .flat_map(|s| {
                let shard = s.read().unwrap_or_else(PoisonError::into_inner);
                shard
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}
