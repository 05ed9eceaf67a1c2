//! Sign-in attempts per client address and per account, counted in memory on each node.
//!
//! An attempt counts from the moment it is let in, before its password is checked, so that
//! guesses sent in parallel cannot all pass before the first of them fails; one that does not
//! fail (a sign-in, or a request answered before it was judged) is taken back.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed attempts allowed per account within [`WINDOW`].
pub const PER_ACCOUNT: usize = 5;
/// Failed attempts allowed per client address within [`WINDOW`].
pub const PER_ADDRESS: usize = 20;
/// The window the limits count over.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Counts failed (and pending) sign-ins by key (`ip:...`, `account:...`).
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// Lets an attempt in and counts it against each of `keys` (with its limit) at once; or
    /// `Err(seconds to wait)` when any of them is used up. The attempt is known by the instant
    /// returned, to [`LoginLimiter::take_back`] it.
    pub fn begin(&self, keys: &[(&str, usize)]) -> Result<Instant, u64> {
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
        if wait > 0 {
            return Err(wait);
        }
        if failures.len() > 100_000 {
            failures.retain(|_, t| t.back().is_some_and(|t| now.duration_since(*t) < WINDOW));
        }
        for (key, _) in keys {
            failures.entry((*key).to_owned()).or_default().push_back(now);
        }
        Ok(now)
    }

    /// Takes back from `keys` the attempt begun at `at`: it did not fail.
    pub fn take_back(&self, keys: &[&str], at: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for key in keys {
            if let Some(times) = failures.get_mut(*key)
                && let Some(i) = times.iter().rposition(|t| *t == at)
            {
                times.remove(i);
            }
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
    fn limits_count_attempts_per_key_from_their_start() {
        let l = LoginLimiter::default();
        // Five attempts in flight at once use the account's allowance up: a sixth waits.
        for _ in 0..PER_ACCOUNT {
            assert!(l.begin(&[("account:a", PER_ACCOUNT)]).is_ok());
        }
        assert!(l.begin(&[("account:a", PER_ACCOUNT)]).unwrap_err() > 0);
        assert!(l.begin(&[("account:b", PER_ACCOUNT)]).is_ok());
        l.reset("account:a");
        assert!(l.begin(&[("account:a", PER_ACCOUNT)]).is_ok());
    }

    #[test]
    fn attempts_that_did_not_fail_are_taken_back() {
        let l = LoginLimiter::default();
        let keys = [("ip:1", 2), ("account:a", 2)];
        let first = l.begin(&keys).unwrap();
        l.take_back(&["ip:1", "account:a"], first);
        let second = l.begin(&keys).unwrap();
        l.begin(&keys).unwrap();
        assert!(l.begin(&keys).is_err(), "two counted: the second and the third");
        l.take_back(&["ip:1"], second);
        assert!(l.begin(&[("ip:1", 2)]).is_ok(), "the address has room again");
    }
}
