//! Articles: the public news of each site, by category, searchable, with related articles and
//! previous/next.

pub mod queries;
pub mod search;
pub mod types;

pub mod revisions;
pub mod workflow;
pub mod write;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{NaiveDateTime, Utc};

use crate::AppState;
use crate::articles::search::{SearchOrder, SearchScope};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, FieldError, Problem};
use crate::core::text;
use crate::db;
use crate::http::{
    Data, List, Page, PageParams, check, editable_json, field_error, list_response, moved_permanently,
    private_list_response,
};
use crate::sites::Site;
use types::{ArticleDetail, ArticleSummary, ListParams, StatusFilter};

/// The longest `q` accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// The list request after checking: everything the query needs but the site's own data.
struct ListRequest {
    page: Page,
    category: Option<String>,
    from: Option<NaiveDateTime>,
    to: Option<NaiveDateTime>,
    words: Option<Vec<String>>,
    order: SearchOrder,
    status: StatusFilter,
}

impl ListRequest {
    fn parse(pages: &PageParams, params: &ListParams, site: &Site) -> Result<Self, ApiError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let page = Page::parse(pages, &mut errors);
        let from = crate::http::input::parse_time("from", params.from.as_deref(), site, false, &mut errors);
        let to = crate::http::input::parse_time("to", params.to.as_deref(), site, true, &mut errors);
        if let (Some(f), Some(t)) = (from, to)
            && t <= f
        {
            errors.push(field_error("to", "must be after from"));
        }
        let q = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
        if q.is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS) {
            errors.push(field_error("q", format!("must be at most {MAX_QUERY_CHARS} characters")));
        }
        let words = q.map(text::words);
        let order = match params.sort.as_deref() {
            None | Some("") if words.is_some() => SearchOrder::Relevance,
            None | Some("") | Some("newest") => SearchOrder::Newest,
            Some("oldest") => SearchOrder::Oldest,
            Some("relevance") if words.is_some() => SearchOrder::Relevance,
            Some("relevance") => {
                errors.push(field_error("sort", "relevance needs a search (q)"));
                SearchOrder::Newest
            }
            Some(_) => {
                errors.push(field_error("sort", "must be newest, oldest or relevance"));
                SearchOrder::Newest
            }
        };
        let category = params.category.as_deref().filter(|c| !c.is_empty()).map(str::to_owned);
        if category.as_deref().is_some_and(|c| !text::is_slug(c)) {
            errors.push(field_error("category", "must be a category slug such as dang-uy-xa"));
        }
        let status = match params.status.as_deref() {
            None | Some("") => StatusFilter::Published,
            Some(s) => StatusFilter::parse(s).unwrap_or_else(|| {
                errors.push(field_error("status", "must be published, draft, review, scheduled, trashed or all"));
                StatusFilter::Published
            }),
        };
        check(errors)?;
        Ok(ListRequest { page, category, from, to, words, order, status })
    }
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// List a site's articles
///
/// Published articles, newest first, or by relevance when searching. Only articles whose
/// publication time has come are listed. Staff of the site (with a token) can list other
/// statuses with `status`; those answers are private.
#[utoipa::path(
    tag = "articles",
    params(PageParams, ListParams),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of articles", body = List<ArticleSummary>,
         headers(("ETag" = String), ("Cache-Control" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A bad parameter, named in `errors`", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/invalid-parameter", "title": "Invalid parameter", "status": 400,
            "detail": "per_page: must be a whole number from 1 to 100",
            "errors": [{"field": "per_page", "message": "must be a whole number from 1 to 100"}]})),
        (status = 401, description = "A `status` other than published without a token, or a bad token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A `status` other than published from someone not staff of this site", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/articles")]
pub async fn list_articles(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    pages: web::Query<PageParams>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    let site_slug = path.into_inner();
    let (pages, params) = (pages.into_inner(), params.into_inner());
    let searching = params.q.as_deref().is_some_and(|q| !text::words(q).is_empty());
    let turn = match searching {
        // Held by the blocking work itself, so a client that goes away does not free it early.
        true => Some(
            tokio::time::timeout(state.wait_limit, state.searches.clone().acquire_owned())
                .await
                .map_err(|_| ApiError::Unavailable)?
                .map_err(|_| ApiError::internal("search gate closed"))?,
        ),
        false => None,
    };
    // Short enough for the worker thread (see `db::read`): no search, no date range (which
    // counts its rows), and one of the first pages (a deep offset walks the index up to it).
    let short = !searching
        && params.from.is_none()
        && params.to.is_none()
        && pages.page.as_deref().is_none_or(|p| p.trim().parse::<u32>().is_ok_and(|n| n <= 10));
    let st = state.clone();
    let read = move |conn: &mut db::AnyConnection| {
        let _turn = turn;
        let context = st.sites.get(conn, &st.responses, &site_slug)?;
        let site = &context.site;
        let list = ListRequest::parse(&pages, &params, site)?;
        let staff = list.status != StatusFilter::Published;
        if staff {
            caller.actor(conn)?.require(site.id, Role::Author)?;
        }
        let category_ids = match &list.category {
            None => None,
            Some(slug) => {
                let tree = &context.tree;
                // A well-formed slug of no category is a category not found, as at its own path.
                let row = tree
                    .by_slug(slug)
                    .ok_or_else(|| ApiError::not_found(format!("no category {slug:?} in site {site_slug:?}")))?;
                Some(tree.with_descendants(row.id))
            }
        };
        let scope = SearchScope {
            status: list.status,
            category_ids,
            from: list.from,
            to: list.to,
            public_counts: context.public_counts(),
            ..SearchScope::public(site.id, now())
        };
        let (data, total) = queries::list(
            conn,
            site,
            &context.categories,
            &scope,
            list.words.as_deref(),
            list.order,
            list.page.limit(),
            list.page.offset(),
        )?;
        Ok((list.page, data, total, staff))
    };
    let (page, data, total, staff) = match short {
        true => db::read(&state.pool, read).await?,
        false => db::run(&state.pool, read).await?,
    };
    if staff {
        return private_list_response(&req, data, page, total);
    }
    list_response(&req, data, page, total, state.cache)
}

/// Get an article
///
/// One published article by slug or numeric id, with its category, related articles and the
/// previous and next articles of its category. Staff of the site (with a token) also get
/// drafts, scheduled and trashed articles, privately, with an ETag to send back in `If-Match`.
/// A slug the article had before it was renamed answers 301 to its address now.
#[utoipa::path(
    tag = "articles",
    params(
        ("article" = String, Path, description = "Article slug or numeric id",
         example = "dang-bo-phuong-chi-minh-chuan-bi-dai-hoi-dang-bo-lan-thu-xxiv-nhiem-ky-2020-2025"),
    ),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The article", body = Data<ArticleDetail>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 301, description = "The slug is one the article had before it was renamed: `Location` is its address now",
         headers(("Location" = String, description = "/api/v1/sites/{site}/articles/{slug now}"), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, description = "A bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site, or no published article by that slug or id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/articles/{article}")]
pub async fn get_article(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site_slug, key) = path.into_inner();
    let related_limit = state.related_limit;
    let found = crate::sites::context::read(&state, site_slug.clone(), move |conn, context| {
        let site = &context.site;
        let staff = caller.actor_opt(conn)?.is_some_and(|a| a.role_on(site.id) >= Some(Role::Author));
        let scope = SearchScope {
            status: if staff { StatusFilter::All } else { StatusFilter::Published },
            ..SearchScope::public(site.id, now())
        };
        let Some(row) = queries::find(conn, &scope, &key)? else {
            // A renamed article's old slug leads to its new one, if the caller may see it.
            let renamed = match key.parse::<i64>() {
                Ok(_) => None,
                Err(_) => db::slugs::old::target(conn, site.id, crate::seo::ARTICLE, &key)?,
            };
            let now_at = match renamed {
                Some(id) => queries::find(conn, &scope, &id.to_string())?,
                None => None,
            };
            return match now_at {
                Some(row) => Ok(Found::Moved(format!("/api/v1/sites/{}/articles/{}", site.slug, row.slug), staff)),
                None => Err(ApiError::not_found(format!("no published article {key:?} in site {site_slug:?}"))),
            };
        };
        let etag = staff.then(|| row.etag());
        Ok(Found::Article(Box::new(queries::detail(conn, site, &context.categories, row, related_limit)?), etag))
    })
    .await?;
    match found {
        // Staff may be led to a draft's new slug: that answer is theirs alone.
        Found::Moved(location, staff) => Ok(moved_permanently(location, (!staff).then_some(state.cache))),
        Found::Article(detail, etag) => editable_json(&req, &Data { data: detail }, etag, state.cache),
    }
}

/// What an article's address leads to: the article (with the ETag staff edit with), or the
/// address of a renamed one (and whether it was found for staff).
enum Found {
    Article(Box<ArticleDetail>, Option<String>),
    Moved(String, bool),
}

/// Registers the article routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    use revisions::{list_revisions, restore_revision};
    use workflow::{publish_article, restore_article, set_related, submit_article, trash_article, unpublish_article};
    use write::{create_article, update_article};
    cfg.service(list_articles)
        .service(get_article)
        .service(create_article)
        .service(update_article)
        .service(submit_article)
        .service(publish_article)
        .service(unpublish_article)
        .service(trash_article)
        .service(restore_article)
        .service(set_related)
        .service(list_revisions)
        .service(restore_revision);
}
