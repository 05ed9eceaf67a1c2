//! portal: a headless JSON API for the web portals of Vietnamese wards and communes.
//!
//! A request goes: [`telemetry::request_log`] (id, access log) → [`error::problem_errors`]
//! (every error a problem) → CORS → compression → [`accept_json`] → the handler of its
//! resource module ([`sites`], [`categories`], [`articles`], [`health`]), which checks its
//! input, runs its queries through [`db::run`] and answers through [`http`].

pub mod albums;
pub mod articles;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod categories;
pub mod core;
pub mod db;
pub mod demo;
pub mod desk;
pub mod disclosures;
pub mod documents;
pub mod feeds;
pub mod health;
pub mod home;
pub mod http;
pub mod links;
pub mod media;
pub mod menus;
pub mod officials;
pub mod openapi;
pub mod pages;
pub mod publishing;
pub mod seo;
pub mod sites;
pub mod uploads;
pub mod visits;
pub mod work_calendar;

use actix_cors::Cors;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, Next, from_fn};
use actix_web::{App, HttpServer, ResponseError, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::core::config::{CorsOrigins, Settings};
use crate::core::error::ApiError;
use crate::core::{config, error, metrics, telemetry};
use crate::http::CachePolicy;
use diesel::RunQueryDsl;

pub use crate::http::body::MAX_JSON_BYTES;

/// What every handler shares.
pub struct AppState {
    pub pool: db::Pool,
    pub cache: CachePolicy,
    /// The most related articles shown with an article.
    pub related_limit: usize,
    pub cors_origins: CorsOrigins,
    /// Signs and checks access tokens.
    pub keys: auth::tokens::Keys,
    /// Counts failed sign-ins.
    pub limiter: auth::limiter::LoginLimiter,
    /// Proxies trusted to name the client, and the header they name it in.
    pub proxies: config::Proxies,
    /// `PORTAL_ENV=production`.
    pub production: bool,
    /// Where uploads are stored, and the largest accepted.
    pub upload_dir: std::path::PathBuf,
    pub upload_max_bytes: usize,
    /// Where uploaded images are decoded.
    pub images: uploads::ImagePool,
    /// This node's visit counter.
    pub visits: std::sync::Arc<visits::counter::Counter>,
    /// This node's response cache.
    pub responses: web::Data<cache::ResponseCache>,
    /// Sites and their categories as last read (kept while their generation holds).
    pub sites: sites::context::SiteMemo,
    /// Request counts and latencies.
    pub metrics: std::sync::Arc<metrics::Metrics>,
    /// The bearer token `/metrics` wants, if any.
    pub metrics_token: Option<config::Secret>,
    /// Searches running at once: one per core. A search is CPU-bound in the database, so more at
    /// once only add memory (full-text buffers) and hold pooled connections the other reads
    /// need; the rest wait their turn here, outside the pool.
    pub searches: std::sync::Arc<tokio::sync::Semaphore>,
    /// How long a request body may take to arrive.
    pub body_timeout: std::time::Duration,
    /// How long a request waits for its turn (the pool's own timeout).
    pub wait_limit: std::time::Duration,
}

/// What each resource tells the response cache of its routes (reads never kept, writes no kept
/// answer shows); every other public read is kept and every other write makes its site's kept
/// answers stale.
const CACHE_RULES: &[cache::Rules] = &[visits::CACHE, desk::dossiers::CACHE, auth::routes::CACHE, feeds::CACHE];

/// What schedules publications: the cache sync makes a site's kept answers stale when one of
/// their times passes.
const DUE_TIMES: &[cache::DueTimes] =
    &[articles::queries::coming_publications, pages::model::coming_publications, sites::next_midnights];

impl AppState {
    /// Reads the other nodes' writes and the publication times that have come, once (the
    /// server does it every [`cache::SYNC_EVERY`]).
    pub fn sync_cache(&self, conn: &mut db::AnyConnection) -> diesel::QueryResult<()> {
        cache::sync(conn, &self.responses, DUE_TIMES)
    }

    /// The state for `settings` over `pool`.
    pub fn new(settings: &Settings, pool: db::Pool) -> Self {
        AppState {
            pool,
            cache: CachePolicy { max_age: settings.cache_max_age },
            related_limit: settings.related_limit as usize,
            cors_origins: settings.cors_origins.clone(),
            keys: auth::tokens::Keys::new(settings),
            limiter: auth::limiter::LoginLimiter::default(),
            proxies: config::Proxies { trusted: settings.trusted_proxies.clone(), header: settings.proxy_header },
            production: settings.production,
            upload_dir: settings.upload_dir.clone(),
            upload_max_bytes: settings.upload_max_bytes,
            // Half the cores: uploads are rare, and reads must not wait behind them.
            images: uploads::ImagePool::new(settings.workers / 2),
            visits: std::sync::Arc::new(visits::counter::Counter::new(settings.visit_rate_per_minute)),
            responses: web::Data::new(cache::ResponseCache::new(settings.cache_bytes)),
            sites: sites::context::SiteMemo::default(),
            metrics: std::sync::Arc::default(),
            metrics_token: settings.metrics_token.clone(),
            searches: std::sync::Arc::new(tokio::sync::Semaphore::new(settings.workers.max(1))),
            wait_limit: settings.pool_timeout,
            body_timeout: settings.body_timeout,
        }
    }
}

/// Registers every documented route: the versioned API and the probes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(
        utoipa_actix_web::scope("/api/v1")
            .configure(sites::configure)
            .service(sites::settings::update_site)
            .configure(categories::configure)
            .configure(articles::configure)
            .configure(links::configure)
            .configure(officials::configure)
            .configure(documents::configure)
            .configure(work_calendar::configure)
            .configure(disclosures::configure)
            .configure(feeds::configure)
            .configure(pages::configure)
            .configure(menus::configure)
            .configure(albums::configure)
            .configure(media::configure)
            .service(home::get_home)
            .configure(desk::configure)
            .configure(auth::routes::configure)
            .configure(uploads::configure)
            .configure(visits::configure)
            .service(audit::routes::list_audit),
    )
    .configure(health::configure)
    .service(health::get_metrics)
    .service(uploads::get_upload);
}

/// The whole application: routes, docs, error handling and middleware. Tests drive this same
/// value in-process; [`serve`] runs it on a socket.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = cors(&state.cors_origins);
    let metrics = state.metrics.clone();
    let responses = state.responses.clone();
    let body_timeout = web::Data::new(http::guards::BodyTimeout(state.body_timeout));
    let (app, doc) = App::new()
        .into_utoipa_app()
        .openapi(<openapi::ApiDoc as utoipa::OpenApi>::openapi())
        .app_data(state)
        .app_data(web::QueryConfig::default().error_handler(error::query_error))
        .app_data(web::PathConfig::default().error_handler(error::path_error))
        .configure(routes)
        .split_for_parts();
    // validator_url "none": Swagger UI would otherwise load a badge from validator.swagger.io.
    let docs_config = utoipa_swagger_ui::Config::default().validator_url("none").try_it_out_enabled(true);
    let doc = openapi::finish(doc);
    let methods = web::Data::new(error::RouteMethods::from_openapi(&doc));
    let routes =
        web::Data::new(cache::Routes::new(&doc, CACHE_RULES).expect("every cache rule names a documented route"));
    app.app_data(methods)
        .app_data(routes)
        .app_data(web::Data::from(metrics))
        .app_data(responses)
        .app_data(body_timeout)
        .service(SwaggerUi::new("/docs/{_:.*}").url("/api/openapi.json", doc).config(docs_config))
        .service(web::redirect("/docs", "/docs/"))
        .default_service(web::to(error::no_route))
        .wrap(from_fn(http::guards::refuse_nul))
        .wrap(from_fn(http::guards::body_deadline))
        .wrap(from_fn(cache::layer))
        .wrap(from_fn(accept_json))
        .wrap(Compress::default())
        .wrap(cors)
        .wrap(from_fn(error::problem_errors))
        .wrap(from_fn(http::guards::security_headers))
        .wrap(from_fn(head_as_get))
        .wrap(from_fn(telemetry::request_log))
}

/// Answers `HEAD` as `GET` (RFC 9110, 9.3.2): the same status and headers, ETag and length
/// included, without the body. The body is dropped here rather than left to the HTTP layer,
/// which would send it when a pipelined request follows the `HEAD`.
async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, HeadBody>>, actix_web::Error> {
    let head = req.method() == actix_web::http::Method::HEAD;
    if head {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    let res = next.call(req).await?;
    Ok(if head { res.map_body(|_, b| EitherBody::right(HeadBody(b.size()))) } else { res.map_into_left_body() })
}

/// The body of a `HEAD` answer: the size of the `GET` body, and no bytes.
pub struct HeadBody(actix_web::body::BodySize);

impl MessageBody for HeadBody {
    type Error = std::convert::Infallible;

    fn size(&self) -> actix_web::body::BodySize {
        self.0
    }

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<web::Bytes, Self::Error>>> {
        std::task::Poll::Ready(None)
    }
}

fn cors(origins: &CorsOrigins) -> Cors {
    let cors = Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers(["Accept", "Authorization", "Content-Type", "If-Match", "If-None-Match", "X-Request-Id"])
        .expose_headers(["ETag", "Link", "Location", "Retry-After", "X-Request-Id"])
        .max_age(86_400);
    match origins {
        CorsOrigins::Any => cors.allow_any_origin().send_wildcard(),
        CorsOrigins::List(list) => list.iter().fold(cors, |c, o| c.allowed_origin(o)),
    }
}

/// Answers 406 to API calls whose `Accept` header rules out JSON (feeds and sitemaps aside,
/// which readers and crawlers ask for by their own types).
async fn accept_json(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let path = req.path();
    let feed = path.contains("/feeds/") || path.ends_with(".xml");
    if path.starts_with("/api/") && !feed && !accepts_json(req.headers().get(actix_web::http::header::ACCEPT)) {
        return Ok(req.into_response(ApiError::NotAcceptable.error_response()).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// True when an `Accept` header value allows a JSON answer (a missing header allows anything).
pub fn accepts_json(accept: Option<&actix_web::http::header::HeaderValue>) -> bool {
    let Some(value) = accept.and_then(|v| v.to_str().ok()) else {
        return accept.is_none();
    };
    value.split(',').any(|range| {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        let refused =
            parts.any(|p| p.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0));
        !refused && matches!(media.as_str(), "*/*" | "application/*" | "application/json" | "application/problem+json")
    })
}

/// Applies every pending migration, then rebuilds the search index if a migration asked for
/// it (and tells the nodes already serving, whose kept searches may find otherwise now).
/// Returns how many migrations were applied.
pub fn migrate(conn: &mut db::AnyConnection) -> Result<usize, db::MigrationError> {
    db::migrate_then(conn, |conn| {
        let started = std::time::Instant::now();
        if let Some(articles @ 1..) = articles::search::rebuild_index_if_asked(conn)? {
            tracing::info!(articles, seconds = started.elapsed().as_secs_f64(), "search index rebuilt");
            db::versions::bump(conn, 0)?;
        }
        Ok(())
    })
}

/// Rebuilds the whole search index from the articles now (`portal reindex`), for articles a
/// node of an older version saved after a newer one had rebuilt the index. Migrates first;
/// returns how many articles were indexed.
pub fn reindex(conn: &mut db::AnyConnection) -> Result<usize, db::MigrationError> {
    migrate(conn)?;
    db::with_migration_lock(conn, |conn| {
        diesel::sql_query("INSERT INTO search_rebuild (reason) VALUES ('portal reindex')").execute(conn)?;
        let indexed = articles::search::rebuild_index_if_asked(conn)?.unwrap_or(0);
        // Searches kept by nodes already serving may find otherwise now.
        db::versions::bump(conn, 0)?;
        Ok(indexed)
    })
}

/// Prepares the database for serving: applies pending migrations, creates the first admin
/// when asked and there is no user, and, when asked and the database holds no site yet, loads
/// the demo content.
pub fn prepare_database(pool: &db::Pool, settings: &Settings) -> Result<(), String> {
    let seed_demo = settings.seed_demo;
    let mut conn = pool.get().map_err(|e| format!("database: cannot connect: {e}"))?;
    let applied = migrate(&mut conn).map_err(|e| format!("database: migration failed: {e}"))?;
    if applied > 0 {
        tracing::info!(applied, "migrations applied");
    }
    let admin_password = settings.admin_password.as_ref().map(|p| p.0.as_str());
    if auth::accounts::bootstrap_admin(&mut conn, settings.admin_email.as_deref(), admin_password)? {
        tracing::info!(email = settings.admin_email.as_deref().unwrap_or(""), "first admin created");
    }
    if seed_demo {
        let loaded = demo::seed_if_empty(&mut conn, &settings.upload_dir)
            .map_err(|e| format!("database: loading the demo failed: {e}"))?;
        if loaded {
            tracing::info!("demo content loaded (set PORTAL_SEED_DEMO=false to skip)");
        }
    }
    Ok(())
}

/// Runs the server until it is stopped (Ctrl-C or SIGTERM finish the requests in flight).
pub async fn serve(settings: Settings) -> Result<(), String> {
    let pool = db::pool(&settings.database_url, settings.pool_size, settings.pool_timeout);
    {
        let pool = pool.clone();
        let settings = settings.clone();
        web::block(move || prepare_database(&pool, &settings)).await.map_err(|e| e.to_string())??;
    }
    let state = web::Data::new(AppState::new(&settings, pool));
    let app_state = state.clone();
    let server = HttpServer::new(move || app(app_state.clone()))
        .workers(settings.workers)
        // Blocking threads only wait for a pooled connection: more than the pool holds would
        // only add threads (and memory arenas) that wait.
        .worker_max_blocking_threads(settings.pool_size as usize)
        .bind((settings.host.as_str(), settings.port))
        .map_err(|e| format!("HOST/PORT: cannot listen on {}:{}: {e}", settings.host, settings.port))?;
    for addr in server.addrs() {
        tracing::info!("serving on http://{addr} (docs at http://{addr}/docs/)");
    }
    run(state, server.run(), settings.visit_flush_interval).await
}

/// Runs a bound server until it stops (Ctrl-C, SIGTERM or its handle), writing visits every
/// `flush_every` and once more after the last request, so a clean stop loses none.
pub async fn run(
    state: web::Data<AppState>,
    server: actix_web::dev::Server,
    flush_every: std::time::Duration,
) -> Result<(), String> {
    let flusher = actix_web::rt::spawn(visits::flush_forever(state.clone(), flush_every));
    let syncer = actix_web::rt::spawn(cache::sync_forever(state.pool.clone(), state.responses.clone(), DUE_TIMES));
    let result = server.await.map_err(|e| format!("server: {e}"));
    flusher.abort();
    syncer.abort();
    match visits::flush(&state).await {
        Ok(n) => tracing::info!(page_views = n, "visits written on stop"),
        Err(e) => tracing::error!(error = %e, "visits could not be written on stop"),
    }
    result
}

#[cfg(test)]
mod tests {
    use super::accepts_json;
    use actix_web::http::header::HeaderValue;

    #[test]
    fn accept_headers() {
        let ok = |v: &str| accepts_json(Some(&HeaderValue::from_str(v).unwrap()));
        assert!(accepts_json(None));
        assert!(ok("application/json"));
        assert!(ok("text/html, */*;q=0.8"));
        assert!(ok("application/*"));
        assert!(!ok("text/html"));
        assert!(!ok("application/json;q=0"));
        assert!(!ok("application/xml, text/plain"));
    }
}
