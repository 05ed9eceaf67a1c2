//! Visitor statistics: the beacon frontends send on every page view, the counter widget of the
//! reference page (`Hôm nay · Hôm qua · Tuần này · Tất cả · IP`), per-article views, the most
//! viewed articles, and a daily history for charts.
//!
//! Beacons are counted in memory ([`counter`]) and written at least once a second and on a
//! clean stop ([`store::flush`]) as additive upserts, so nodes sharing a database add up.
//! Days and weeks (from Monday) follow each site's time zone.

pub mod counter;
pub mod store;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::audit;
use crate::auth::{Caller, Role, write_on_site};
use crate::core::error::{ApiError, Problem};
use crate::db::schema::{articles, sites};
use crate::db::{self};
use crate::http::body::Body;
use crate::http::{Data, cached_json, check, client_ip, field_error, private_json};
use counter::SiteClock;

/// The largest beacon body, in bytes.
pub const MAX_BEACON_BYTES: usize = 4096;
/// The most days a history covers.
pub const MAX_HISTORY_DAYS: i64 = 366;

/// A page view, sent by the frontend (`navigator.sendBeacon` or `fetch`).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"path": "/tin-tuc/dang-bo-phuong-chi-minh-chuan-bi-dai-hoi", "article_id": 1, "referrer": "https://www.google.com/"}))]
pub struct VisitInput {
    /// The path of the page viewed.
    #[schema(pattern = "^/", max_length = 1000)]
    pub path: String,
    /// The article the page shows, if any: it must belong to the site.
    pub article_id: Option<i64>,
    /// Where the visitor came from.
    #[schema(max_length = 1000)]
    pub referrer: Option<String>,
}

/// The counter widget's figures: page views by period, in the site's time zone.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "today": 4, "yesterday": 34, "this_week": 75, "this_month": 412, "total": 169486,
    "visitors_today": 3, "online": 1, "client_ip": "18.207.102.38",
    "date": "2026-11-26", "time_zone": "Asia/Ho_Chi_Minh"
}))]
pub struct Summary {
    /// Page views today (Hôm nay).
    pub today: i64,
    /// Page views yesterday (Hôm qua).
    pub yesterday: i64,
    /// Page views since Monday (Tuần này).
    pub this_week: i64,
    /// Page views since the 1st of the month.
    pub this_month: i64,
    /// Every page view, with the total carried over from the old portal (Tất cả).
    pub total: i64,
    /// Unique visitors today.
    pub visitors_today: i64,
    /// Visitors seen in the last 5 minutes.
    pub online: i64,
    /// The caller's address as the server sees it (behind trusted proxies, the client's).
    pub client_ip: Option<String>,
    /// Today in the site's time zone.
    pub date: NaiveDate,
    pub time_zone: String,
}

/// One day of the history.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"date": "2026-11-25", "page_views": 34, "visitors": 21}))]
pub struct DayFigures {
    pub date: NaiveDate,
    pub page_views: i64,
    pub visitors: i64,
}

/// An article and its views.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "title": "Đảng bộ phường Chí Minh chuẩn bị Đại hội Đảng bộ lần thứ XXIV, nhiệm kỳ 2020-2025",
    "slug": "dang-bo-phuong-chi-minh-chuan-bi-dai-hoi-dang-bo-lan-thu-xxiv-nhiem-ky-2020-2025",
    "published_at": "2020-05-15T08:30:00+07:00", "views": 128}))]
pub struct ViewedArticle {
    pub id: i64,
    pub title: String,
    pub slug: String,
    #[serde(serialize_with = "crate::http::serialize_opt_time")]
    pub published_at: Option<DateTime<FixedOffset>>,
    pub views: i64,
}

/// Views of one article.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"article_id": 1, "today": 4, "this_week": 27, "total": 1290}))]
pub struct ArticleViews {
    pub article_id: i64,
    pub today: i64,
    pub this_week: i64,
    pub total: i64,
}

/// The total carried over from the old portal.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"imported_total": 169486}))]
pub struct ImportedTotal {
    #[schema(minimum = 0)]
    pub imported_total: i64,
}

/// The site's clock, from the site memo (see [`crate::sites::context::SiteMemo`]); the database only
/// when the memo does not hold the site or a write has made it stale.
async fn site_clock(state: &web::Data<AppState>, slug: &str) -> Result<SiteClock, ApiError> {
    let context = match state.sites.cached(&state.responses, slug) {
        Some(context) => context,
        None => {
            let (st, owned) = (state.clone(), slug.to_owned());
            db::run(&state.pool, move |conn| st.sites.get(conn, &st.responses, &owned)).await?
        }
    };
    Ok(SiteClock { id: context.site.id, tz: context.site.tz })
}

/// Record a page view
///
/// Answers 204 at once; the view is counted in memory and written within a second. Counting
/// is kept apart from reading articles, so article answers stay cacheable. Obvious robots are
/// counted apart and left out of the figures; an address sending more than its share in a
/// minute is ignored (still 204). Accepts `application/json` and `text/plain` (what
/// `navigator.sendBeacon` sends for a string).
#[utoipa::path(
    tag = "visits",
        request_body = VisitInput,
    responses(
        (status = 204, description = "Counted (or ignored as a robot or over the rate)"),
        (status = 400, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 4 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An article that is not a published article of this site (drafts and missing ids alike)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad path", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sites/{site}/visits")]
pub async fn record_visit(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    if body.len() > MAX_BEACON_BYTES {
        return Err(ApiError::PayloadTooLarge(format!("a visit is at most {MAX_BEACON_BYTES} bytes")));
    }
    let site = site_clock(&state, &path).await?;
    let input: VisitInput = crate::http::body::from_json(&body)?;
    let mut errors = Vec::new();
    if !input.path.starts_with('/') || input.path.chars().count() > 1000 {
        errors.push(field_error("path", "must be a path starting with / of at most 1000 characters"));
    }
    if input.referrer.as_ref().is_some_and(|r| r.chars().count() > 1000) {
        errors.push(field_error("referrer", "must be at most 1000 characters"));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if let Some(article) = input.article_id {
        let owner = match state.visits.cached_article_site(article) {
            Some(owner) => Some(owner),
            None => {
                // Published ones only: a draft's id is answered as one that does not exist, so
                // the beacon tells no one which unpublished articles there are.
                let now = Utc::now().naive_utc();
                let owner: Option<i64> = db::run(&state.pool, move |conn| {
                    Ok(articles::table
                        .find(article)
                        .filter(articles::status.eq(crate::articles::types::PUBLISHED))
                        .filter(articles::published_at.le(now))
                        .select(articles::site_id)
                        .first(conn)
                        .optional()?)
                })
                .await?;
                if let Some(o) = owner {
                    state.visits.cache_article(article, o);
                }
                owner
            }
        };
        if owner != Some(site.id) {
            return Err(ApiError::Clash(vec![field_error("article_id", "is not a published article of this site")]));
        }
    }
    let now = Utc::now();
    let Some(ip) = client_ip(&req, &state.proxies) else {
        return Ok(HttpResponse::NoContent().finish());
    };
    if state.visits.admit(ip, now) {
        let agent = req.headers().get(actix_web::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        state.visits.record(site, input.article_id, ip, counter::is_bot(agent), now);
    }
    Ok(HttpResponse::NoContent().insert_header(("Cache-Control", "no-store")).finish())
}

/// The visit counter
///
/// Today, yesterday, this week (from Monday), this month and in total, in the site's time
/// zone; unique visitors today; visitors online (last 5 minutes); and the caller's own
/// address. Includes this node's views not yet written, so visitors see their own visit at
/// once. Private: it names the caller's address.
#[utoipa::path(
    tag = "visits",
        responses(
        (status = 200, description = "The figures", body = Data<Summary>),
    )
)]
#[get("/sites/{site}/visits/summary")]
pub async fn get_summary(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let site = site_clock(&state, &path).await?;
    let now = Utc::now();
    let figures = match state.visits.figures_from_memory(site, site.day(now)) {
        Some(figures) => figures,
        None => {
            let counter = state.visits.clone();
            db::run(&state.pool, move |conn| Ok(counter.figures_reading(site, || store::written(conn, site, now))?))
                .await
                .inspect_err(|_| state.visits.give_up_reading(site))?
        }
    };
    let summary = Summary {
        today: figures.today,
        yesterday: figures.yesterday,
        this_week: figures.this_week,
        this_month: figures.this_month,
        total: figures.total,
        visitors_today: figures.visitors_today,
        online: figures.online,
        client_ip: client_ip(&req, &state.proxies).map(|ip| ip.to_string()),
        date: site.day(now),
        time_zone: site.tz.name().to_owned(),
    };
    private_json(&Data { data: summary }, StatusCode::OK, |_| {})
}

/// Dates of a history, as sent.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// The first day, 1900 to 2100 (default: 29 days before `to`).
    #[param(value_type = Option<String>, pattern = "^$|^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", example = "2026-11-01")]
    pub from: Option<String>,
    /// The last day, 1900 to 2100 (default: today in the site's time zone). At most 366 days
    /// after `from` (else 400: a bound between two parameters, which the schema cannot carry).
    #[param(value_type = Option<String>, pattern = "^$|^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", example = "2026-11-26")]
    pub to: Option<String>,
}

/// Daily history
///
/// Page views and unique visitors of each day, zeros included, for charts.
#[utoipa::path(
    tag = "visits",
    params(HistoryParams),
    responses(
        (status = 200, description = "One entry per day, oldest first", body = Data<Vec<DayFigures>>),
        (status = 400, description = "Bad dates, named in `errors`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/visits/history")]
pub async fn get_history(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    params: web::Query<HistoryParams>,
) -> Result<HttpResponse, ApiError> {
    let site = site_clock(&state, &path).await?;
    let mut errors = Vec::new();
    let mut date = |field: &str, v: &Option<String>| {
        v.as_deref().and_then(|v| match crate::http::input::parse_date(v) {
            Some(d) => Some(d),
            None => {
                errors.push(field_error(field, "must be a date such as 2026-11-26, from 1900 to 2100"));
                None
            }
        })
    };
    let to = date("to", &params.to).unwrap_or_else(|| site.day(Utc::now()));
    // Bounded dates: 29 days before 1900-01-01 is still a date.
    let from = date("from", &params.from).unwrap_or(to - Duration::days(29));
    if from > to {
        errors.push(field_error("from", "must not be after to"));
    } else if (to - from).num_days() >= MAX_HISTORY_DAYS {
        errors.push(field_error("from", format!("at most {MAX_HISTORY_DAYS} days before to")));
    }
    check(errors)?;
    let days = db::run(&state.pool, move |conn| Ok(store::history(conn, site.id, from, to)?)).await?;
    let data: Vec<DayFigures> =
        days.into_iter().map(|(date, page_views, visitors)| DayFigures { date, page_views, visitors }).collect();
    cached_json(&req, &Data { data }, state.cache)
}

/// The period of a most-viewed list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MostViewedParams {
    /// `today`, `week` (from Monday) or `all` (the default).
    #[param(value_type = Option<String>, pattern = "^(today|week|all)$", example = "week")]
    pub period: Option<String>,
    /// How many, 1 to 50 (default 10).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 50, example = 10)]
    pub limit: Option<String>,
}

/// Most viewed articles
///
/// The site's published articles with the most views today, this week or of all time.
#[utoipa::path(
    tag = "visits",
    params(MostViewedParams),
    responses(
        (status = 200, description = "Most viewed first", body = Data<Vec<ViewedArticle>>),
    )
)]
#[get("/sites/{site}/visits/most-viewed")]
pub async fn most_viewed(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    params: web::Query<MostViewedParams>,
) -> Result<HttpResponse, ApiError> {
    let site_slug = path.into_inner();
    let clock = site_clock(&state, &site_slug).await?;
    let today = clock.day(Utc::now());
    let mut errors = Vec::new();
    let from = match params.period.as_deref() {
        None | Some("all") => None,
        Some("today") => Some(today),
        Some("week") => Some(crate::sites::week_start(today)),
        Some(_) => {
            errors.push(field_error("period", "must be today, week or all"));
            None
        }
    };
    let limit = match params.limit.as_deref().map(str::parse::<i64>) {
        None => 10,
        Some(Ok(n)) if (1..=50).contains(&n) => n,
        Some(_) => {
            errors.push(field_error("limit", "must be a whole number from 1 to 50"));
            10
        }
    };
    check(errors)?;
    let data = db::run(&state.pool, move |conn| {
        let site = crate::sites::find(conn, &site_slug)?;
        let top = store::most_viewed(conn, site.id, from, limit)?;
        let ids: Vec<i64> = top.iter().map(|(id, _)| *id).collect();
        let rows: Vec<(i64, String, String, Option<chrono::NaiveDateTime>)> = articles::table
            .filter(articles::id.eq_any(&ids))
            .select((articles::id, articles::title, articles::slug, articles::published_at))
            .load(conn)?;
        Ok(top
            .into_iter()
            .filter_map(|(id, views)| {
                let (_, title, slug, published_at) = rows.iter().find(|r| r.0 == id)?.clone();
                Some(ViewedArticle { id, title, slug, published_at: published_at.map(|t| site.local(t)), views })
            })
            .collect::<Vec<_>>())
    })
    .await?;
    cached_json(&req, &Data { data }, state.cache)
}

/// Views of an article
///
/// Today, this week (from Monday) and in total, in the site's time zone.
#[utoipa::path(
    tag = "visits",
    params(
        ("article" = i64, Path, description = "Article id", example = 1),
    ),
    responses(
        (status = 200, description = "The views", body = Data<ArticleViews>),
        (status = 404, description = "No such site or published article", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/articles/{article}/views")]
pub async fn get_article_views(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site_slug, key) = path.into_inner();
    let clock = site_clock(&state, &site_slug).await?;
    let views = db::run(&state.pool, move |conn| {
        let scope = crate::articles::search::SearchScope::public(clock.id, Utc::now().naive_utc());
        let row = crate::articles::queries::find(conn, &scope, &key)?
            .ok_or_else(|| ApiError::not_found(format!("no published article {key:?} in site {site_slug:?}")))?;
        let (today, this_week, total) = store::article_views(conn, clock, row.id, Utc::now())?;
        Ok(ArticleViews { article_id: row.id, today, this_week, total })
    })
    .await?;
    cached_json(&req, &Data { data: views }, state.cache)
}

/// Set the imported total
///
/// The visit total carried over from the site's old portal, added to `total`. Admins only.
#[utoipa::path(
    tag = "visits",
        request_body = ImportedTotal,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<ImportedTotal>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Negative or not a number", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/sites/{site}/visits/imported-total")]
pub async fn set_imported_total(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<ImportedTotal>,
) -> Result<HttpResponse, ApiError> {
    let visits = state.visits.clone();
    let total = write_on_site(&state, &req, caller, path.into_inner(), Role::Admin, move |conn, site, _, _, origin| {
        let total = body.parse()?.imported_total;
        if total < 0 {
            return Err(ApiError::Validation(vec![field_error("imported_total", "must not be negative")]));
        }
        diesel::update(sites::table.find(site.id)).set(sites::visits_imported.eq(total)).execute(conn)?;
        audit::record(conn, origin, "visits.imported_total", &format!("site:{}", site.slug), Some(site.id))?;
        // This node's summary shows it at once (other nodes within `counter::WRITTEN_TTL`).
        visits.forget_written(site.id);
        Ok(total)
    })
    .await?;
    private_json(&Data { data: ImportedTotal { imported_total: total } }, StatusCode::OK, |_| {})
}

/// Writes what this node has pending (see [`store::flush`]).
pub async fn flush(state: &AppState) -> Result<i64, ApiError> {
    let counter = state.visits.clone();
    db::run(&state.pool, move |conn| Ok(store::flush(conn, &counter)?)).await
}

/// Flushes every `every`, and prunes old salts and offline visitors every minute, until the
/// task is dropped.
pub async fn flush_forever(state: web::Data<AppState>, every: std::time::Duration) {
    let mut tick = actix_web::rt::time::interval(every);
    let mut n: u64 = 0;
    loop {
        tick.tick().await;
        if let Err(e) = flush(&state).await {
            tracing::warn!(error = %e, "visits not written yet; they stay pending");
        }
        n += 1;
        if n.is_multiple_of(60) {
            let _ = db::run(&state.pool, |conn| Ok(store::prune(conn, Utc::now())?)).await;
        }
    }
}

/// What the response cache must know of the visit routes: figures change with every visit,
/// so none is kept, and the beacon changes no kept answer.
pub const CACHE: crate::cache::Rules = crate::cache::Rules {
    fresh: &[
        "/api/v1/sites/{site}/visits/summary",
        "/api/v1/sites/{site}/visits/history",
        "/api/v1/sites/{site}/visits/most-viewed",
        "/api/v1/sites/{site}/articles/{article}/views",
    ],
    quiet: &["/api/v1/sites/{site}/visits"],
};

/// Registers the visit routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(record_visit)
        .service(get_summary)
        .service(get_history)
        .service(most_viewed)
        .service(get_article_views)
        .service(set_imported_total);
}
