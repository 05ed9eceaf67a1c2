//! Visits counted in memory on each node, between flushes to the database.
//!
//! The hot path (`record`) takes one lock for a few hash-map updates; nothing in it waits for
//! the database. [`super::store::flush`] swaps the pending counts out and writes them as
//! additive upserts, so any number of nodes add up.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, RwLock};

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::store::{Figures, Written, combine};

/// What a node has counted and not yet written.
#[derive(Debug, Default)]
pub struct Pending {
    /// (site, local day) → page views and bot views.
    pub days: HashMap<(i64, NaiveDate), DayCounts>,
    /// (site, article, local day) → views.
    pub articles: HashMap<(i64, i64, NaiveDate), i64>,
    /// (site, local day, visitor's address) → last seen. Held in memory until the flush
    /// hashes it with the day's salt; never written as such. A visitor is an address (an
    /// IPv6 network's /64, see [`visitor_address`]), not an address and a user agent: agents
    /// are the client's to choose, and one address rotating them made a visitor each.
    pub visitors: HashMap<(i64, NaiveDate, IpAddr), NaiveDateTime>,
}

impl Pending {
    pub fn is_empty(&self) -> bool {
        self.days.is_empty() && self.articles.is_empty() && self.visitors.is_empty()
    }

    /// Adds `other` into this (a failed flush puts its batch back).
    pub fn merge(&mut self, other: Pending) {
        for (k, v) in other.days {
            let d = self.days.entry(k).or_default();
            d.views += v.views;
            d.bots += v.bots;
        }
        for (k, v) in other.articles {
            *self.articles.entry(k).or_default() += v;
        }
        for (k, v) in other.visitors {
            let seen = self.visitors.entry(k).or_insert(v);
            *seen = (*seen).max(v);
        }
    }
}

/// Page views of one site and day.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DayCounts {
    pub views: i64,
    pub bots: i64,
}

/// The address a visitor is counted by: an IPv4 address (an IPv4-mapped IPv6 one as IPv4),
/// or the /64 network of an IPv6 address. One subscriber line or device gets a whole /64 and
/// picks addresses in it at will (privacy extensions rotate them daily), so counting IPv6
/// addresses one by one would count one visitor many times, and let one client escape the
/// per-address rate.
pub fn visitor_address(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
        v4 => v4,
    }
}

/// What a site needs for counting: its id and time zone.
#[derive(Debug, Clone, Copy)]
pub struct SiteClock {
    pub id: i64,
    pub tz: Tz,
}

impl SiteClock {
    /// The site's local day at `at`.
    pub fn day(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }
}

/// The counter of one node.
pub struct Counter {
    pending: Mutex<Pending>,
    /// Article id → site id, filled on first use.
    articles: RwLock<HashMap<i64, i64>>,
    /// Beacons per address in the current minute.
    rate: Mutex<(i64, HashMap<IpAddr, u32>)>,
    /// Beacons counted per address and minute; beyond, they are ignored (0: no limit).
    pub per_minute: u32,
    /// Held for writing while a flush moves a batch to the database, for reading while the
    /// counter is read.
    pub gate: RwLock<()>,
    /// The written part of each site's counter, read at most [`WRITTEN_TTL`] ago.
    written: Mutex<HashMap<i64, Kept>>,
}

/// The written part of a counter kept in memory.
struct Kept {
    read_at: Instant,
    written: Written,
    /// When a request set out to read it again, if one is. A lease rather than a flag: a
    /// request that never gets to read (no connection in time, a panic, its client gone)
    /// hands the task on after [`REFRESH_LEASE`] instead of freezing the figures.
    refreshing: Option<Instant>,
    /// A flush wrote to it: its page views are kept exact, the rest is read again soon.
    due: bool,
}

/// How long the written part of a counter is reused before it is read again. Other nodes'
/// flushes show within this (this node's own visits show at once).
pub const WRITTEN_TTL: Duration = Duration::from_millis(500);

/// How long one request may take to read a counter again before another one does.
pub const REFRESH_LEASE: Duration = Duration::from_secs(5);

impl Counter {
    pub fn new(per_minute: u32) -> Counter {
        Counter {
            pending: Mutex::new(Pending::default()),
            articles: RwLock::default(),
            rate: Mutex::new((0, HashMap::new())),
            per_minute,
            gate: RwLock::new(()),
            written: Mutex::default(),
        }
    }

    /// The counter from memory alone, when the written part read lately is still for `today`.
    pub fn figures_from_memory(&self, site: SiteClock, today: NaiveDate) -> Option<Figures> {
        let _gate = self.gate.read().unwrap_or_else(|e| e.into_inner());
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        let kept = written.get_mut(&site.id)?;
        if kept.written.today != today {
            return None;
        }
        // Past its time, one request reads it again while the others still use it, so the
        // database is not asked by every waiting request at once.
        let refreshing = kept.refreshing.is_some_and(|since| since.elapsed() < REFRESH_LEASE);
        if (kept.read_at.elapsed() > WRITTEN_TTL || kept.due) && !refreshing {
            kept.refreshing = Some(Instant::now());
            return None;
        }
        Some(combine(&kept.written, &self.pending_views(site.id)))
    }

    /// Gives up the re-read [`Counter::figures_from_memory`] sent a request to make, when the
    /// request could not make it (no connection in time): the next request makes it instead.
    pub fn give_up_reading(&self, site: SiteClock) {
        if let Some(kept) = self.written.lock().unwrap_or_else(|e| e.into_inner()).get_mut(&site.id) {
            kept.refreshing = None;
        }
    }

    /// The counter, reading its written part with `read` (the database) and keeping it. A
    /// caller whose read fails (or never runs) gives the re-read up with
    /// [`Counter::give_up_reading`].
    pub fn figures_reading<E>(&self, site: SiteClock, read: impl FnOnce() -> Result<Written, E>) -> Result<Figures, E> {
        let _gate = self.gate.read().unwrap_or_else(|e| e.into_inner());
        let w = read()?;
        let figures = combine(&w, &self.pending_views(site.id));
        let kept = Kept { read_at: Instant::now(), written: w, refreshing: None, due: false };
        self.written.lock().unwrap_or_else(|e| e.into_inner()).insert(site.id, kept);
        Ok(figures)
    }

    /// Drops the written part kept for `site_id`, after a write that changes it (the imported
    /// total): the next request reads it again.
    pub fn forget_written(&self, site_id: i64) {
        self.written.lock().unwrap_or_else(|e| e.into_inner()).remove(&site_id);
    }

    /// Adds a batch just written to the written parts kept, so their page views stay exact
    /// until one request reads them again (visitors and online come from that read).
    pub fn add_written(&self, batch: &Pending) {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        for ((site, day), counts) in &batch.days {
            if let Some(kept) = written.get_mut(site) {
                kept.written.days.push((*day, counts.views));
                kept.written.total += counts.views;
                kept.due = true;
            }
        }
    }

    pub fn cached_article_site(&self, article_id: i64) -> Option<i64> {
        self.articles.read().unwrap_or_else(|e| e.into_inner()).get(&article_id).copied()
    }

    pub fn cache_article(&self, article_id: i64, site_id: i64) {
        let mut articles = self.articles.write().unwrap_or_else(|e| e.into_inner());
        if articles.len() > 1_000_000 {
            articles.clear();
        }
        articles.insert(article_id, site_id);
    }

    /// False when `ip` has sent more than its share this minute (the visit is then ignored).
    /// IPv6 addresses share the share of their /64.
    pub fn admit(&self, ip: IpAddr, at: DateTime<Utc>) -> bool {
        if self.per_minute == 0 {
            return true;
        }
        let ip = visitor_address(ip);
        let minute = at.timestamp() / 60;
        let mut rate = self.rate.lock().unwrap_or_else(|e| e.into_inner());
        if rate.0 != minute {
            *rate = (minute, HashMap::new());
        }
        let n = rate.1.entry(ip).or_insert(0);
        *n += 1;
        *n <= self.per_minute
    }

    /// Counts one visit.
    pub fn record(&self, site: SiteClock, article: Option<i64>, ip: IpAddr, bot: bool, at: DateTime<Utc>) {
        let day = site.day(at);
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let counts = pending.days.entry((site.id, day)).or_default();
        if bot {
            counts.bots += 1;
            return;
        }
        counts.views += 1;
        if let Some(article) = article {
            *pending.articles.entry((site.id, article, day)).or_default() += 1;
        }
        let seen = at.naive_utc();
        pending.visitors.entry((site.id, day, visitor_address(ip))).and_modify(|t| *t = (*t).max(seen)).or_insert(seen);
    }

    /// Takes everything pending, leaving nothing.
    pub fn take(&self) -> Pending {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Puts back a batch that could not be written.
    pub fn put_back(&self, batch: Pending) {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).merge(batch);
    }

    /// Page views (robots included) and visitor entries not yet written.
    pub fn buffered(&self) -> (i64, usize) {
        let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        (pending.days.values().map(|c| c.views + c.bots).sum(), pending.visitors.len())
    }

    /// Page views of a site not yet written, by day.
    pub fn pending_views(&self, site_id: i64) -> Vec<(NaiveDate, i64)> {
        let pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        pending.days.iter().filter(|((s, _), _)| *s == site_id).map(|((_, d), c)| (*d, c.views)).collect()
    }
}

/// Words in a user agent that mark obvious robots and tools.
const BOT_MARKS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "curl/",
    "wget",
    "python-requests",
    "python-urllib",
    "go-http-client",
    "java/",
    "httpclient",
    "headlesschrome",
    "phantomjs",
    "facebookexternalhit",
    "bingpreview",
    "lighthouse",
    "okhttp",
    "axios/",
    "node-fetch",
    "libwww",
    "scrapy",
    "zgrab",
    "masscan",
    "nmap",
    "pingdom",
    "uptime",
    "monitor",
];

/// True for a missing user agent or one of an obvious robot.
pub fn is_bot(user_agent: &str) -> bool {
    let ua = user_agent.trim().to_ascii_lowercase();
    ua.is_empty() || BOT_MARKS.iter().any(|m| ua.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bots_are_told_apart() {
        assert!(is_bot(""));
        assert!(is_bot("Googlebot/2.1 (+http://www.google.com/bot.html)"));
        assert!(is_bot("curl/8.1.0"));
        assert!(is_bot("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0"));
        assert!(!is_bot(
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile Safari/604.1"
        ));
        assert!(!is_bot("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36 Edg/120.0"));
    }

    #[test]
    fn days_follow_the_site_time_zone() {
        let site = SiteClock { id: 1, tz: chrono_tz::Asia::Ho_Chi_Minh };
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(site.day(at("2026-11-29T16:59:00Z")).to_string(), "2026-11-29"); // Sunday 23:59
        assert_eq!(site.day(at("2026-11-29T17:00:00Z")).to_string(), "2026-11-30"); // Monday 00:00
    }

    #[test]
    fn one_reader_reads_again_while_the_others_use_what_is_kept() {
        let c = Counter::new(0);
        let site = SiteClock { id: 1, tz: chrono_tz::Asia::Ho_Chi_Minh };
        let today: NaiveDate = "2026-11-26".parse().unwrap();
        let written = Written { today, days: vec![(today, 10)], total: 100, visitors_today: 3, online: 1 };
        let f = c.figures_reading(site, || Ok::<_, ()>(written)).unwrap();
        assert_eq!((f.today, f.total), (10, 100));
        assert_eq!(c.figures_from_memory(site, today).map(|f| f.today), Some(10));
        // A flush writes 2 views: kept figures stay exact, and one reader is sent to the database.
        let ip: IpAddr = "1.2.3.4".parse().unwrap();
        let at = "2026-11-26T03:00:00Z".parse::<DateTime<Utc>>().unwrap();
        c.record(site, None, ip, false, at);
        c.record(site, None, ip, false, at);
        let batch = c.take();
        c.add_written(&batch);
        assert!(c.figures_from_memory(site, today).is_none(), "the first reader reads again");
        let others = c.figures_from_memory(site, today).unwrap();
        assert_eq!((others.today, others.total), (12, 102), "the others use what is kept, exact");
        // A reader that never got to read (no connection in time) hands the task on after its
        // lease instead of freezing the figures.
        let lapsed = Instant::now().checked_sub(REFRESH_LEASE + Duration::from_millis(1)).unwrap();
        c.written.lock().unwrap().get_mut(&site.id).unwrap().refreshing = Some(lapsed);
        assert!(c.figures_from_memory(site, today).is_none(), "another reader is sent");
        assert!(c.figures_from_memory(site, today).is_some());
        // One that says it could not read hands it on at once.
        c.give_up_reading(site);
        assert!(c.figures_from_memory(site, today).is_none(), "the next reader is sent");
        // Another day: everyone reads again.
        assert!(c.figures_from_memory(site, today.succ_opt().unwrap()).is_none());
    }

    #[test]
    fn addresses_over_their_share_are_ignored() {
        let c = Counter::new(3);
        let ip: IpAddr = "1.2.3.4".parse().unwrap();
        let t = "2026-11-26T00:00:10Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!((0..5).filter(|_| c.admit(ip, t)).count(), 3);
        assert!(c.admit("5.6.7.8".parse().unwrap(), t));
        assert!(c.admit(ip, t + chrono::Duration::minutes(1)));
    }
}
