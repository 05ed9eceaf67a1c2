//! Limits on guessing, counted in memory on each node: sign-in attempts (per client address,
//! per account, and for the whole node) and dossier lookups (per address and per code).
//!
//! Two kinds of limit, so that no one can lock out someone else:
//! - a **refusing** limit (per address, per node) answers 429 once used up: it only ever
//!   stops the one who used it up, or every caller at once when a node is flooded;
//! - a **slowing** limit (per account, per dossier code) never refuses: past it each attempt
//!   waits before it is judged, longer with every failure, so guesses against one account
//!   crawl while its owner, with the right password, still gets in.
//!
//! An attempt counts from the moment it is let in, before it is judged, so that guesses sent
//! in parallel cannot all pass before the first of them fails; one that does not fail (a
//! sign-in, or a request answered before it was judged) is taken back. Keys are hashed to 16
//! bytes, so a key's memory does not depend on what the client sent.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed sign-ins allowed per client address within [`WINDOW`]; beyond, 429.
pub const PER_ADDRESS: usize = 20;
/// Failed sign-ins per account within [`WINDOW`] before each attempt is slowed down.
pub const PER_ACCOUNT: usize = 5;
/// Sign-in attempts per node per minute, from everyone; beyond, 429. Each costs a password
/// hash (tens of milliseconds of a core): this keeps a flood from every address at once from
/// taking the node's CPU.
pub const PER_NODE_PER_MINUTE: usize = 600;
/// Failed lookups allowed per client address within [`WINDOW`]; beyond, 429.
pub const LOOKUPS_PER_ADDRESS: usize = 30;
/// Failed lookups of one code within [`WINDOW`] before each is slowed down.
pub const LOOKUPS_PER_CODE: usize = 5;
/// The window the limits count over.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// The first wait past a slowing limit; each further failure doubles it, up to [`MAX_DELAY`].
pub const FIRST_DELAY: Duration = Duration::from_millis(500);
/// The longest wait past a slowing limit.
pub const MAX_DELAY: Duration = Duration::from_secs(8);
/// Keys kept at most; past it, keys with no failure in the window are dropped first.
const MAX_KEYS: usize = 200_000;

/// A limit on one key: what it counts, and how many before it refuses or slows.
#[derive(Debug, Clone, Copy)]
pub struct Limit<'a> {
    pub key: &'a str,
    pub allowed: usize,
    pub refuses: bool,
}

impl<'a> Limit<'a> {
    /// A limit that answers 429 once `allowed` attempts failed.
    pub fn refusing(key: &'a str, allowed: usize) -> Self {
        Limit { key, allowed, refuses: true }
    }

    /// A limit that slows attempts down once `allowed` failed, and never refuses.
    pub fn slowing(key: &'a str, allowed: usize) -> Self {
        Limit { key, allowed, refuses: false }
    }
}

/// An attempt let in: when (to take it back) and how long it must wait before it is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    pub at: Instant,
    pub delay: Duration,
}

impl Attempt {
    /// Waits out the attempt's delay (none for most), before it is judged.
    pub async fn wait(self) -> Attempt {
        if !self.delay.is_zero() {
            actix_web::rt::time::sleep(self.delay).await;
        }
        self
    }
}

type Hashed = u128;

/// Counts attempts by key (`ip:...`, `account:...`, `code:...`).
pub struct LoginLimiter {
    failures: Mutex<HashMap<Hashed, VecDeque<Instant>>>,
    /// Sign-in attempts of the last minute on this node.
    recent: Mutex<VecDeque<Instant>>,
    /// Seeds the key hash, so that no one can choose keys that collide.
    seed: u64,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        LoginLimiter { failures: Mutex::default(), recent: Mutex::default(), seed: rand::random() }
    }
}

impl LoginLimiter {
    fn hash(&self, key: &str) -> Hashed {
        xxhash_rust::xxh3::xxh3_128_with_seed(key.as_bytes(), self.seed)
    }

    /// Lets a sign-in in: first the node's own limit ([`PER_NODE_PER_MINUTE`]), then
    /// [`LoginLimiter::begin`].
    pub fn begin_sign_in(&self, limits: &[Limit<'_>]) -> Result<Attempt, u64> {
        let now = Instant::now();
        {
            let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            while recent.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60)) {
                recent.pop_front();
            }
            if recent.len() >= PER_NODE_PER_MINUTE {
                let oldest = recent.front().copied().unwrap_or(now);
                return Err((Duration::from_secs(60).saturating_sub(now.duration_since(oldest))).as_secs().max(1));
            }
            recent.push_back(now);
        }
        self.begin(limits)
    }

    /// Lets an attempt in and counts it against each limit at once; or `Err(seconds to wait)`
    /// when a refusing limit is used up. Past a slowing limit the attempt is let in with a
    /// delay to wait before judging it.
    pub fn begin(&self, limits: &[Limit<'_>]) -> Result<Attempt, u64> {
        let now = Instant::now();
        let keys: Vec<Hashed> = limits.iter().map(|l| self.hash(l.key)).collect();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = 0;
        let mut delay = Duration::ZERO;
        for (limit, key) in limits.iter().zip(&keys) {
            let Some(times) = failures.get_mut(key) else { continue };
            while times.front().is_some_and(|t| now.duration_since(*t) >= WINDOW) {
                times.pop_front();
            }
            if times.len() < limit.allowed {
                continue;
            }
            if limit.refuses {
                let oldest = times.front().copied().unwrap_or(now);
                wait = wait.max((WINDOW.saturating_sub(now.duration_since(oldest))).as_secs().max(1));
            } else {
                let beyond = (times.len() - limit.allowed).min(16) as u32;
                delay = delay.max(FIRST_DELAY.saturating_mul(1 << beyond).min(MAX_DELAY));
            }
        }
        if wait > 0 {
            return Err(wait);
        }
        if failures.len() >= MAX_KEYS {
            failures.retain(|_, t| t.back().is_some_and(|t| now.duration_since(*t) < WINDOW));
        }
        for (limit, key) in limits.iter().zip(keys) {
            let times = failures.entry(key).or_default();
            times.push_back(now);
            // A slowing limit keeps counting (its delay grows), but no key keeps more times than
            // its delay can use.
            if times.len() > limit.allowed + 32 {
                times.pop_front();
            }
        }
        Ok(Attempt { at: now, delay })
    }

    /// Takes back from `keys` the attempt begun at `at`: it did not fail.
    pub fn take_back(&self, keys: &[&str], at: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        for key in keys {
            if let Some(times) = failures.get_mut(&self.hash(key))
                && let Some(i) = times.iter().rposition(|t| *t == at)
            {
                times.remove(i);
            }
        }
    }

    /// Forgets the failures of `key` (after a successful sign-in).
    pub fn reset(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.hash(key));
    }

    /// How many keys are kept (for tests and `/metrics`).
    pub fn keys(&self) -> usize {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusing_limits_count_attempts_per_key_from_their_start() {
        let l = LoginLimiter::default();
        // Twenty attempts in flight at once use the address's allowance up: another waits.
        for _ in 0..PER_ADDRESS {
            assert!(l.begin(&[Limit::refusing("ip:a", PER_ADDRESS)]).is_ok());
        }
        assert!(l.begin(&[Limit::refusing("ip:a", PER_ADDRESS)]).unwrap_err() > 0);
        assert!(l.begin(&[Limit::refusing("ip:b", PER_ADDRESS)]).is_ok());
        l.reset("ip:a");
        assert!(l.begin(&[Limit::refusing("ip:a", PER_ADDRESS)]).is_ok());
    }

    #[test]
    fn slowing_limits_never_refuse_and_wait_longer_each_time() {
        let l = LoginLimiter::default();
        fn limits(ip: &str) -> [Limit<'_>; 2] {
            [Limit::refusing(ip, PER_ADDRESS), Limit::slowing("account:a", PER_ACCOUNT)]
        }
        for i in 0..PER_ACCOUNT {
            assert_eq!(l.begin(&limits("ip:1")).unwrap().delay, Duration::ZERO, "attempt {i}");
        }
        // Past the account's allowance, from another address: let in, after a wait.
        assert_eq!(l.begin(&limits("ip:2")).unwrap().delay, FIRST_DELAY);
        assert_eq!(l.begin(&limits("ip:3")).unwrap().delay, FIRST_DELAY * 2);
        for i in 0..40 {
            let attempt = l.begin(&limits(&format!("ip:x{i}"))).unwrap_or_else(|_| panic!("never refused"));
            assert!(attempt.delay <= MAX_DELAY);
        }
        assert_eq!(l.begin(&limits("ip:5")).unwrap().delay, MAX_DELAY);
    }

    #[test]
    fn attempts_that_did_not_fail_are_taken_back() {
        let l = LoginLimiter::default();
        let limits = [Limit::refusing("ip:1", 2), Limit::refusing("account:a", 2)];
        let first = l.begin(&limits).unwrap();
        l.take_back(&["ip:1", "account:a"], first.at);
        let second = l.begin(&limits).unwrap();
        l.begin(&limits).unwrap();
        assert!(l.begin(&limits).is_err(), "two counted: the second and the third");
        l.take_back(&["ip:1"], second.at);
        assert!(l.begin(&[Limit::refusing("ip:1", 2)]).is_ok(), "the address has room again");
    }

    #[test]
    fn a_node_refuses_a_flood_of_sign_ins_from_everyone() {
        let l = LoginLimiter::default();
        for i in 0..PER_NODE_PER_MINUTE {
            let ip = format!("ip:{i}");
            assert!(l.begin_sign_in(&[Limit::refusing(&ip, PER_ADDRESS)]).is_ok());
        }
        assert!(l.begin_sign_in(&[Limit::refusing("ip:new", PER_ADDRESS)]).unwrap_err() >= 1);
    }

    #[test]
    fn keys_weigh_the_same_whatever_their_length() {
        let l = LoginLimiter::default();
        let long = format!("account:{}", "a".repeat(60_000));
        l.begin(&[Limit::refusing(&long, 5)]).unwrap();
        let failures = l.failures.lock().unwrap();
        assert_eq!(failures.len(), 1);
        assert_eq!(std::mem::size_of_val(failures.keys().next().unwrap()), 16);
    }
}
