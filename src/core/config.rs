//! Settings, read once from the environment (and an optional `.env`) at start-up.
//!
//! Every setting is listed with its default and meaning in `.env.example`. A wrong value stops
//! start-up with one line that names the variable, e.g.
//! `PORT: "abc" is not a valid port number (1-65535)`.

use std::time::Duration;

/// The database a URL points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://path/to/file.db`: the file is created when missing.
    Sqlite(String),
    /// `postgres://user@host:port/db` or `postgresql://...`.
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `sqlite://...`, `postgres://...` or `postgresql://...`.
    pub fn parse(url: &str) -> Result<Self, String> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(format!("{url:?} names no file (use sqlite://path/to/file.db)"));
            }
            Ok(Self::Sqlite(path.to_owned()))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else {
            Err(format!("{url:?} is neither sqlite://path/to/file.db nor postgres://user@host/database"))
        }
    }
}

/// Allowed origins for browser calls from other sites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// Any origin, without credentials.
    Any,
    /// Only these exact origins (`https://phuongchiminh.gov.vn`).
    List(Vec<String>),
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A secret that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The shortest signing key accepted, in bytes (HS256 wants at least 256 bits).
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// An address or network (`10.0.0.0/8`, `::1`) whose requests may name the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    pub addr: std::net::IpAddr,
    pub prefix: u8,
}

impl IpNet {
    /// Parses `1.2.3.4`, `10.0.0.0/8`, `::1` or `fd00::/8`.
    pub fn parse(s: &str) -> Option<IpNet> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a.parse::<std::net::IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (s.parse().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(IpNet { addr, prefix })
    }

    /// True when `ip` lies in this network.
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        let ip = match ip {
            std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map(std::net::IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.addr, ip) {
            (std::net::IpAddr::V4(net), std::net::IpAddr::V4(ip)) => {
                let mask = if self.prefix == 0 { 0 } else { u32::MAX << (32 - self.prefix) };
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (std::net::IpAddr::V6(net), std::net::IpAddr::V6(ip)) => {
                let mask = if self.prefix == 0 { 0 } else { u128::MAX << (128 - self.prefix) };
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The one header a trusted proxy names the client in. Only that header is read: a proxy
/// passes the others through as the client sent them (nginx appends to `X-Forwarded-For` and
/// forwards a client's own `Forwarded` untouched), so reading two would let a client choose.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProxyHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (nginx's `$proxy_add_x_forwarded_for`).
    #[default]
    XForwardedFor,
    /// RFC 7239 `Forwarded: for=client, for=proxy1`.
    Forwarded,
    /// `X-Real-IP: client`, one address set (not appended) by the proxy.
    XRealIp,
}

impl ProxyHeader {
    /// The header's name, lower-case.
    pub fn name(&self) -> &'static str {
        match self {
            ProxyHeader::XForwardedFor => "x-forwarded-for",
            ProxyHeader::Forwarded => "forwarded",
            ProxyHeader::XRealIp => "x-real-ip",
        }
    }
}

/// Who may name the client, and in which header.
#[derive(Debug, Clone, Default)]
pub struct Proxies {
    pub trusted: Vec<IpNet>,
    pub header: ProxyHeader,
}

/// True for a signing key that could be guessed: fewer than 32 bytes, or a string of few
/// distinct characters or little entropy (`kkkk...`, `abcabc...`) that a random key of that
/// length would not be. `openssl rand -hex 32` (64 hex digits, about 256 bits) passes.
pub fn weak_secret(secret: &str) -> Option<String> {
    if secret.len() < MIN_JWT_SECRET_BYTES {
        return Some(format!("too weak ({} bytes)", secret.len()));
    }
    let mut counts = std::collections::HashMap::new();
    for b in secret.bytes() {
        *counts.entry(b).or_insert(0usize) += 1;
    }
    let n = secret.len() as f64;
    let bits: f64 = counts.values().map(|&c| -(c as f64 / n).log2() * c as f64).sum();
    if counts.len() < 10 || bits < 128.0 {
        return Some(format!("too weak ({} distinct characters, about {} bits of entropy)", counts.len(), bits as u64));
    }
    None
}

/// All settings of a running portal.
#[derive(Debug, Clone)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    pub database_url: DatabaseUrl,
    pub pool_size: u32,
    pub pool_timeout: Duration,
    pub log_level: String,
    pub log_format: LogFormat,
    pub workers: usize,
    pub cors_origins: CorsOrigins,
    pub cache_max_age: u32,
    pub related_limit: u32,
    pub seed_demo: bool,
    /// `PORTAL_ENV=production`: refuse to start without a strong signing key.
    pub production: bool,
    /// The HS256 key of access tokens; `None` in development makes a random one per process.
    pub jwt_secret: Option<Secret>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// The first admin, created on a database without users.
    pub admin_email: Option<String>,
    pub admin_password: Option<Secret>,
    /// Proxies whose [`ProxyHeader`] names the client.
    pub trusted_proxies: Vec<IpNet>,
    /// The header those proxies set.
    pub proxy_header: ProxyHeader,
    /// How long a request body may take to arrive, in all.
    pub body_timeout: Duration,
    /// Where uploaded files are stored.
    pub upload_dir: std::path::PathBuf,
    /// The largest upload accepted, in bytes.
    pub upload_max_bytes: usize,
    /// Visits counted per client address and minute; beyond, ignored (0: no limit).
    pub visit_rate_per_minute: u32,
    /// How often each node writes its counted visits.
    pub visit_flush_interval: Duration,
    /// The most memory the response cache may hold, in bytes (0: no cache).
    pub cache_bytes: u64,
    /// When set, `/metrics` wants `Authorization: Bearer <this>`.
    pub metrics_token: Option<Secret>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            database_url: DatabaseUrl::Sqlite("portal.db".into()),
            // Two connections per core: enough to keep the cores busy while some wait on I/O.
            pool_size: 2 * std::thread::available_parallelism().map_or(2, |n| n.get() as u32),
            pool_timeout: Duration::from_millis(2000),
            log_level: "info".into(),
            log_format: LogFormat::Text,
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            cors_origins: CorsOrigins::Any,
            cache_max_age: 60,
            related_limit: 5,
            seed_demo: true,
            production: false,
            jwt_secret: None,
            jwt_issuer: "portal".into(),
            jwt_audience: "portal-api".into(),
            access_token_ttl: Duration::from_secs(900),
            refresh_token_ttl: Duration::from_secs(30 * 86_400),
            admin_email: None,
            admin_password: None,
            trusted_proxies: Vec::new(),
            proxy_header: ProxyHeader::XForwardedFor,
            body_timeout: Duration::from_secs(10),
            upload_dir: "uploads".into(),
            upload_max_bytes: 10 * 1024 * 1024,
            visit_rate_per_minute: 120,
            visit_flush_interval: Duration::from_millis(1000),
            cache_bytes: 32 * 1024 * 1024,
            metrics_token: None,
        }
    }
}

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let mut s = Settings::default();
        if let Some(v) = get("HOST") {
            s.host = v;
        }
        if let Some(v) = get("PORT") {
            s.port = parse_num("PORT", &v, 1, u16::MAX as u64)? as u16;
        }
        if let Some(v) = get("DATABASE_URL") {
            s.database_url = DatabaseUrl::parse(&v).map_err(|e| format!("DATABASE_URL: {e}"))?;
        }
        if let Some(v) = get("DATABASE_POOL_SIZE") {
            s.pool_size = parse_num("DATABASE_POOL_SIZE", &v, 1, 1000)? as u32;
        }
        if let Some(v) = get("DATABASE_POOL_TIMEOUT_MS") {
            s.pool_timeout = Duration::from_millis(parse_num("DATABASE_POOL_TIMEOUT_MS", &v, 1, 600_000)?);
        }
        if let Some(v) = get("LOG_LEVEL") {
            tracing_subscriber::EnvFilter::try_new(&v)
                .map_err(|e| format!("LOG_LEVEL: {v:?} is not a log filter ({e})"))?;
            s.log_level = v;
        }
        if let Some(v) = get("LOG_FORMAT") {
            s.log_format = match v.as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => {
                    return Err(format!("LOG_FORMAT: {v:?} is neither \"text\" nor \"json\""));
                }
            };
        }
        if let Some(v) = get("PORTAL_WORKERS") {
            s.workers = parse_num("PORTAL_WORKERS", &v, 1, 1024)? as usize;
        }
        if let Some(v) = get("PORTAL_CORS_ORIGINS") {
            s.cors_origins = parse_origins(&v)?;
        }
        if let Some(v) = get("PORTAL_CACHE_MAX_AGE") {
            s.cache_max_age = parse_num("PORTAL_CACHE_MAX_AGE", &v, 0, 31_536_000)? as u32;
        }
        if let Some(v) = get("PORTAL_RELATED_LIMIT") {
            s.related_limit = parse_num("PORTAL_RELATED_LIMIT", &v, 0, 50)? as u32;
        }
        if let Some(v) = get("PORTAL_SEED_DEMO") {
            s.seed_demo = parse_bool("PORTAL_SEED_DEMO", &v)?;
        }
        if let Some(v) = get("PORTAL_ENV") {
            s.production = match v.as_str() {
                "production" => true,
                "development" => false,
                _ => {
                    return Err(format!("PORTAL_ENV: {v:?} is neither \"development\" nor \"production\""));
                }
            };
        }
        match get("PORTAL_JWT_SECRET") {
            Some(v) if let Some(why) = weak_secret(&v) => {
                return Err(format!(
                    "PORTAL_JWT_SECRET: {why}; use at least {MIN_JWT_SECRET_BYTES} random bytes, e.g. `openssl rand -hex 32`"
                ));
            }
            Some(v) => s.jwt_secret = Some(Secret(v)),
            None if s.production => {
                return Err("PORTAL_JWT_SECRET: required when PORTAL_ENV=production (at least 32 random bytes)".into());
            }
            None => {}
        }
        if let Some(v) = get("PORTAL_JWT_ISSUER") {
            s.jwt_issuer = v;
        }
        if let Some(v) = get("PORTAL_JWT_AUDIENCE") {
            s.jwt_audience = v;
        }
        if let Some(v) = get("PORTAL_ACCESS_TOKEN_TTL_SECS") {
            s.access_token_ttl = Duration::from_secs(parse_num("PORTAL_ACCESS_TOKEN_TTL_SECS", &v, 30, 86_400)?);
        }
        if let Some(v) = get("PORTAL_REFRESH_TOKEN_TTL_DAYS") {
            s.refresh_token_ttl = Duration::from_secs(86_400 * parse_num("PORTAL_REFRESH_TOKEN_TTL_DAYS", &v, 1, 365)?);
        }
        s.admin_email = get("PORTAL_ADMIN_EMAIL");
        s.admin_password = get("PORTAL_ADMIN_PASSWORD").map(Secret);
        if s.admin_email.is_some() != s.admin_password.is_some() {
            return Err("PORTAL_ADMIN_EMAIL: set together with PORTAL_ADMIN_PASSWORD, or neither".into());
        }
        if let Some(v) = get("PORTAL_TRUSTED_PROXIES") {
            for item in v.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                let net = IpNet::parse(item).ok_or_else(|| {
                    format!("PORTAL_TRUSTED_PROXIES: {item:?} is not an address or network like 10.0.0.0/8")
                })?;
                s.trusted_proxies.push(net);
            }
        }
        if let Some(v) = get("PORTAL_PROXY_HEADER") {
            s.proxy_header = match v.trim().to_ascii_lowercase().as_str() {
                "x-forwarded-for" => ProxyHeader::XForwardedFor,
                "forwarded" => ProxyHeader::Forwarded,
                "x-real-ip" => ProxyHeader::XRealIp,
                _ => {
                    return Err(format!("PORTAL_PROXY_HEADER: {v:?} is none of x-forwarded-for, forwarded, x-real-ip"));
                }
            };
        }
        if let Some(v) = get("PORTAL_BODY_TIMEOUT_MS") {
            s.body_timeout = Duration::from_millis(parse_num("PORTAL_BODY_TIMEOUT_MS", &v, 100, 600_000)?);
        }
        if let Some(v) = get("PORTAL_UPLOAD_DIR") {
            s.upload_dir = v.into();
        }
        if let Some(v) = get("PORTAL_UPLOAD_MAX_BYTES") {
            s.upload_max_bytes = parse_num("PORTAL_UPLOAD_MAX_BYTES", &v, 1024, 1 << 30)? as usize;
        }
        if let Some(v) = get("PORTAL_VISIT_RATE_PER_MINUTE") {
            s.visit_rate_per_minute = parse_num("PORTAL_VISIT_RATE_PER_MINUTE", &v, 0, 1_000_000_000)? as u32;
        }
        s.metrics_token = get("PORTAL_METRICS_TOKEN").map(Secret);
        if let Some(v) = get("PORTAL_CACHE_MB") {
            s.cache_bytes = parse_num("PORTAL_CACHE_MB", &v, 0, 65_536)? * 1024 * 1024;
        }
        if let Some(v) = get("PORTAL_VISIT_FLUSH_MS") {
            s.visit_flush_interval = Duration::from_millis(parse_num("PORTAL_VISIT_FLUSH_MS", &v, 10, 1000)?);
        }
        Ok(s)
    }
}

fn parse_num(name: &str, value: &str, min: u64, max: u64) -> Result<u64, String> {
    match value.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("{name}: {value:?} is not a whole number from {min} to {max}")),
    }
}

fn parse_bool(name: &str, value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(format!("{name}: {value:?} is neither true nor false")),
    }
}

fn parse_origins(value: &str) -> Result<CorsOrigins, String> {
    if value.trim() == "*" {
        return Ok(CorsOrigins::Any);
    }
    let mut origins = Vec::new();
    for origin in value.split(',').map(|o| o.trim().trim_end_matches('/')).filter(|o| !o.is_empty()) {
        let valid = (origin.starts_with("http://") || origin.starts_with("https://"))
            && !origin.contains(['?', '#', ' '])
            && origin.splitn(4, '/').nth(3).is_none();
        if !valid {
            return Err(format!("PORTAL_CORS_ORIGINS: {origin:?} is not an origin like https://example.gov.vn"));
        }
        origins.push(origin.to_owned());
    }
    Ok(CorsOrigins::List(origins))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<Settings, String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn defaults_serve_the_embedded_database_on_localhost() {
        let s = from(&[]).unwrap();
        assert_eq!((s.host.as_str(), s.port), ("127.0.0.1", 8080));
        assert_eq!(s.database_url, DatabaseUrl::Sqlite("portal.db".into()));
        assert_eq!(s.cors_origins, CorsOrigins::Any);
    }

    #[test]
    fn a_wrong_setting_is_named_in_one_line() {
        assert_eq!(from(&[("PORT", "abc")]).unwrap_err(), "PORT: \"abc\" is not a whole number from 1 to 65535");
        assert_eq!(
            from(&[("DATABASE_URL", "mysql://x")]).unwrap_err(),
            "DATABASE_URL: \"mysql://x\" is neither sqlite://path/to/file.db nor postgres://user@host/database"
        );
        assert_eq!(
            from(&[("PORTAL_SEED_DEMO", "maybe")]).unwrap_err(),
            "PORTAL_SEED_DEMO: \"maybe\" is neither true nor false"
        );
        assert!(from(&[("PORTAL_CORS_ORIGINS", "ftp://x")]).unwrap_err().starts_with("PORTAL_CORS_ORIGINS:"));
        assert!(from(&[("LOG_LEVEL", "info,[")]).unwrap_err().starts_with("LOG_LEVEL:"));
    }

    #[test]
    fn production_needs_a_strong_signing_key() {
        assert_eq!(
            from(&[("PORTAL_ENV", "production")]).unwrap_err(),
            "PORTAL_JWT_SECRET: required when PORTAL_ENV=production (at least 32 random bytes)"
        );
        assert!(
            from(&[("PORTAL_JWT_SECRET", "short")]).unwrap_err().starts_with("PORTAL_JWT_SECRET: too weak (5 bytes)")
        );
        // Long enough, but 32 equal characters (or a short pattern repeated) are no key.
        assert_eq!(
            from(&[("PORTAL_ENV", "production"), ("PORTAL_JWT_SECRET", &"k".repeat(32))]).unwrap_err(),
            "PORTAL_JWT_SECRET: too weak (1 distinct characters, about 0 bits of entropy); use at least 32 random \
             bytes, e.g. `openssl rand -hex 32`"
        );
        assert!(from(&[("PORTAL_JWT_SECRET", &"abcd1234".repeat(8))]).is_err());
        let key = "3f9c2a7e51b04d86c1e9a0b7f4d2c6e8a5b3f1d09e7c8a6b4d2f0e1c3a5b7d9f";
        let s = from(&[("PORTAL_ENV", "production"), ("PORTAL_JWT_SECRET", key)]).unwrap();
        assert!(s.production && s.jwt_secret.is_some());
        assert_eq!(format!("{:?}", s.jwt_secret), "Some(Secret(***))");
    }

    #[test]
    fn trusted_proxies_are_addresses_and_networks() {
        let s = from(&[("PORTAL_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8, fd00::/8")]).unwrap();
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        assert!(s.trusted_proxies[0].contains(ip("127.0.0.1")));
        assert!(s.trusted_proxies[0].contains(ip("::ffff:127.0.0.1")));
        assert!(s.trusted_proxies[1].contains(ip("10.20.30.40")));
        assert!(!s.trusted_proxies[1].contains(ip("11.0.0.1")));
        assert!(s.trusted_proxies[2].contains(ip("fd12::1")));
        assert!(from(&[("PORTAL_TRUSTED_PROXIES", "10.0.0.0/33")]).is_err());
    }

    #[test]
    fn origins_are_a_comma_separated_list() {
        let s = from(&[("PORTAL_CORS_ORIGINS", "https://a.gov.vn, http://localhost:3000/")]).unwrap();
        assert_eq!(s.cors_origins, CorsOrigins::List(vec!["https://a.gov.vn".into(), "http://localhost:3000".into()]));
    }
}
