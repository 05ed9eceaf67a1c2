//! Sign-in attempts per client address and per account, counted in memory on each node.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed attempts allowed per account within [`WINDOW`].
pub const PER_ACCOUNT: usize = 5;
/// Failed attempts allowed per client address within [`WINDOW`].
pub const PER_ADDRESS: usize = 20;
/// The window the limits count over.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Counts failed sign-ins by key (`ip:...`, `account:...`).
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// `Err(seconds to wait)` when any of `keys` (with its limit) is used up.
    pub fn check(&self, keys: &[(&str, usize)]) -> Result<(), u64> {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = 0;
        for (key, limit) in keys {
            if let Some(times) = failures.get_mut(*key) {
                while times.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
                    times.pop_front();
                }
                if times.len() >= *limit
                    && let Some(oldest) = times.front()
                {
                    wait = wait.max((WINDOW - now.duration_since(*oldest)).as_secs().max(1));
                }
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    /// Records a failed attempt against each key.
    pub fn fail(&self, keys: &[&str]) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() > 100_000 {
            failures.retain(|_, t| t.back().is_some_and(|t| now.duration_since(*t) < WINDOW));
        }
        for key in keys {
            failures.entry((*key).to_owned()).or_default().push_back(now);
        }
    }

    /// Forgets the failures of `key` (after a successful sign-in).
    pub fn reset(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_failures_per_key() {
        let l = LoginLimiter::default();
        for _ in 0..PER_ACCOUNT {
            assert!(l.check(&[("account:a", PER_ACCOUNT)]).is_ok());
            l.fail(&["account:a"]);
        }
        assert!(l.check(&[("account:a", PER_ACCOUNT)]).unwrap_err() > 0);
        assert!(l.check(&[("account:b", PER_ACCOUNT)]).is_ok());
        l.reset("account:a");
        assert!(l.check(&[("account:a", PER_ACCOUNT)]).is_ok());
    }
}
