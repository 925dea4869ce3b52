//! Progress reporting: a callback receiving bytes transferred and the total.
//!
//! Every manager reports through one [`Tracker`] per transfer. The tracker serialises reports
//! (a report is made under a lock, so the callback sees values in order even when parts run on
//! several threads), never reports a value above the total, and counts each byte once: a part
//! or range that is retried contributes only what goes beyond its best earlier attempt.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// One progress report.
///
/// ```
/// use oss_transfer::Progress;
/// let p = Progress { transferred: 5, total: Some(10) };
/// assert_eq!(p.fraction(), Some(0.5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of object data transferred so far (resumed parts included, retries not twice).
    pub transferred: u64,
    /// The size of the whole transfer, when known (a stream of unknown length has none until
    /// it ends).
    pub total: Option<u64>,
}

impl Progress {
    /// `transferred / total`, when the total is known and not zero (1.0 for an empty transfer).
    pub fn fraction(&self) -> Option<f64> {
        match self.total {
            Some(0) => Some(1.0),
            Some(t) => Some(self.transferred as f64 / t as f64),
            None => None,
        }
    }
}

/// The progress callback. It is called from the transfer's tasks, in order, never
/// concurrently with itself; keep it quick (update a counter or a progress bar).
///
/// ```
/// use std::sync::Arc;
/// let callback: oss_transfer::ProgressFn = Arc::new(|p| eprintln!("{} / {:?}", p.transferred, p.total));
/// # let _ = callback;
/// ```
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// The progress of one transfer.
pub(crate) struct Tracker {
    state: Mutex<State>,
    callback: Option<ProgressFn>,
}

struct State {
    transferred: u64,
    total: Option<u64>,
    last: Option<Progress>,
}

impl fmt::Debug for Tracker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tracker").finish_non_exhaustive()
    }
}

impl Tracker {
    pub(crate) fn new(callback: Option<ProgressFn>, total: Option<u64>) -> Arc<Self> {
        Arc::new(Tracker {
            state: Mutex::new(State {
                transferred: 0,
                total,
                last: None,
            }),
            callback,
        })
    }

    /// Reports the start (0 of total).
    pub(crate) fn start(&self) {
        self.update(|_| {});
    }

    /// Adds `n` newly transferred bytes.
    pub(crate) fn add(&self, n: u64) {
        if n > 0 {
            self.update(|s| s.transferred = s.transferred.saturating_add(n));
        }
    }

    /// Sets the total once it is known (a stream that ended).
    pub(crate) fn set_total(&self, total: u64) {
        self.update(|s| s.total = Some(total));
    }

    fn update(&self, f: impl FnOnce(&mut State)) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut state);
        if let Some(total) = state.total {
            state.transferred = state.transferred.min(total);
        }
        let report = Progress {
            transferred: state.transferred,
            total: state.total,
        };
        if state.last == Some(report) {
            return;
        }
        state.last = Some(report);
        if let Some(cb) = &self.callback {
            cb(report);
        }
    }

    /// An observer for one part of `len` bytes: reports only what goes beyond the part's best
    /// earlier attempt.
    pub(crate) fn part(self: &Arc<Self>, len: u64) -> PartProgress {
        PartProgress {
            tracker: self.clone(),
            len,
            high: Arc::new(Mutex::new(0)),
        }
    }
}

/// The progress of one part (or range): a high-water mark over its attempts.
#[derive(Clone)]
pub(crate) struct PartProgress {
    tracker: Arc<Tracker>,
    len: u64,
    high: Arc<Mutex<u64>>,
}

impl PartProgress {
    /// This attempt has moved `done` bytes of the part.
    pub(crate) fn reached(&self, done: u64) {
        let done = done.min(self.len);
        let mut high = self.high.lock().unwrap_or_else(PoisonError::into_inner);
        if done > *high {
            let delta = done - *high;
            *high = done;
            self.tracker.add(delta);
        }
    }

    /// The part is complete.
    pub(crate) fn finish(&self) {
        self.reached(self.len);
    }

    /// A send-progress observer for the client's [`oss_client::Body`].
    pub(crate) fn observer(&self) -> oss_client::SendProgress {
        let this = self.clone();
        Arc::new(move |sent| this.reached(sent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recording() -> (ProgressFn, Arc<Mutex<Vec<Progress>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        (Arc::new(move |p| log.lock().unwrap().push(p)), seen)
    }

    #[test]
    fn retried_bytes_are_counted_once_and_never_pass_the_total() {
        let (cb, seen) = recording();
        let tracker = Tracker::new(Some(cb), Some(10));
        tracker.start();
        let part = tracker.part(6);
        part.reached(4);
        // A retry starts again from 0: nothing new until it passes 4.
        part.reached(1);
        part.reached(4);
        part.reached(6);
        part.reached(9);
        let other = tracker.part(4);
        other.finish();
        other.finish();
        tracker.add(100);
        let values: Vec<u64> = seen.lock().unwrap().iter().map(|p| p.transferred).collect();
        assert_eq!(values, vec![0, 4, 6, 10]);
        assert!(seen.lock().unwrap().iter().all(|p| p.total == Some(10)));
    }

    #[test]
    fn unknown_total_is_set_at_the_end() {
        let (cb, seen) = recording();
        let tracker = Tracker::new(Some(cb), None);
        tracker.add(3);
        tracker.set_total(3);
        assert_eq!(
            *seen.lock().unwrap(),
            vec![
                Progress {
                    transferred: 3,
                    total: None
                },
                Progress {
                    transferred: 3,
                    total: Some(3)
                }
            ]
        );
    }
}
