//! The photo library ("Thư viện ảnh"): albums of captioned photos, newest album first, photos
//! by `position`. A photo is an image uploaded to the site (its thumbnail and medium variants
//! come with it) or an image elsewhere given by URL. An album's cover is its first photo.

pub mod model;
pub mod photos;

pub use model::{AlbumSummary, MAX_PHOTOS, Photo, page};

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::staff::{Done, write};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, Problem};
use crate::db::AnyConnection;
use crate::db::schema::{albums, photos as photo_rows};
use crate::db::slugs::SlugTable;
use crate::http::body::Body;
use crate::http::input::{Checker, Need};
use crate::http::{Data, List, Page, PageParams, cached_json, list_response};
use crate::sites::Site;

use model::*;
use photos::{add_photo, delete_photo, update_photo};

/// List a site's albums
///
/// Newest first (by `published_at`), each with its cover (the first photo) and photo count.
#[utoipa::path(
    tag = "albums",
    params(PageParams),
    responses(
        (status = 200, description = "A page of albums", body = List<AlbumSummary>,
         headers(("ETag" = String), ("Cache-Control" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/albums")]
pub async fn list_albums(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = Page::from_params(&params)?;
    let slug = path.into_inner();
    let (data, total) = crate::sites::context::read(&state, slug, move |conn, context| {
        Ok(self::page(conn, &context.site, page.limit(), page.offset(), true)?)
    })
    .await?;
    list_response(&req, data, page, total, state.cache)
}

/// Get an album
///
/// The album with all its photos in order.
#[utoipa::path(
    tag = "albums",
    params(
        ("album" = String, Path, description = "Album slug", example = "le-hoi-con-son-kiep-bac"),
    ),
    responses(
        (status = 200, description = "The album", body = Data<AlbumDetail>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site or album", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/albums/{album}")]
pub async fn get_album(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site_slug, slug) = path.into_inner();
    let album = crate::sites::context::read(&state, site_slug, move |conn, context| {
        let row = find(conn, context.site.id, &slug)?;
        Ok(detail(conn, &context.site, row)?)
    })
    .await?;
    cached_json(&req, &Data { data: album }, state.cache)
}

/// The fields of an album an editor sets. On create `title` is required; on update only the
/// fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Lễ hội Côn Sơn - Kiếp Bạc", "description": "Ảnh lễ hội mùa xuân", "published_at": "2014-08-19"}))]
pub struct AlbumInput {
    /// 1 to 200 characters.
    #[schema(max_length = 200, pattern = "\\S")]
    pub title: Option<String>,
    /// Made from the title when left out on create.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 80)]
    pub slug: Option<String>,
    /// Up to 2000 characters.
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// A date or RFC 3339 time; now when left out on create.
    #[schema(
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$"
    )]
    pub published_at: Option<String>,
}

/// Album slugs are unique within a site.
const SLUGS: SlugTable = SlugTable("albums");

/// Checks `input` and applies it to `row`.
fn apply(conn: &mut AnyConnection, site: &Site, row: &mut AlbumRow, input: AlbumInput) -> Result<(), ApiError> {
    let creating = row.id == 0;
    let mut check = Checker::default();
    let title = check.text("title", input.title, 200, Need::on_create(creating));
    let slug = check.slug("slug", input.slug);
    let description = check.text("description", input.description, 2000, Need::Optional);
    let published_at = check.time("published_at", input.published_at, site);
    if let Some(s) = &slug
        && SLUGS.is_taken(conn, site.id, row.id, s)?
    {
        check.clash("slug", "is taken by another album of this site");
    }
    check.finish()?;
    if let Some(title) = title {
        row.title = title;
    }
    row.slug = match slug {
        Some(slug) => slug,
        None if creating => SLUGS.free(conn, site.id, row.id, &row.title)?,
        None => row.slug.clone(),
    };
    row.description = description.unwrap_or(std::mem::take(&mut row.description));
    row.published_at = published_at.unwrap_or(row.published_at);
    Ok(())
}

fn location(site: &str, album: &str) -> String {
    format!("/api/v1/sites/{site}/albums/{album}")
}

/// Create an album
///
/// An empty album; add photos with `POST .../albums/{album}/photos`. Roles: editors and admins
/// of the site.
#[utoipa::path(
    tag = "albums",
        request_body = AlbumInput,
        extensions(("x-required-fields" = json!(["title"]))),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Data<AlbumDetail>, headers(("Location" = String))),
    )
)]
#[post("/sites/{site}/albums")]
pub async fn create_album(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<AlbumInput>,
) -> Result<HttpResponse, ApiError> {
    write(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let now = Utc::now().naive_utc();
        let mut row = AlbumRow {
            id: 0,
            slug: String::new(),
            title: String::new(),
            description: String::new(),
            published_at: now,
        };
        apply(conn, site, &mut row, input)?;
        row.id = insert_album(conn, site.id, &row)?;
        let (target, location) = (format!("album:{}", row.slug), location(&site.slug, &row.slug));
        Ok(Done::created("album.create", target, location, detail(conn, site, row)?))
    })
    .await
}

/// Edit an album
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "albums",
    params(
        ("album" = String, Path, description = "Album slug", example = "le-hoi-con-son-kiep-bac"),
    ),
    request_body = AlbumInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<AlbumDetail>),
        (status = 404, description = "No such site or album", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/albums/{album}")]
pub async fn update_album(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Body<AlbumInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, slug) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let mut row = find(conn, site.id, &slug)?;
        apply(conn, site, &mut row, input)?;
        diesel::update(albums::table.find(row.id))
            .set((
                albums::slug.eq(&row.slug),
                albums::title.eq(&row.title),
                albums::description.eq(&row.description),
                albums::published_at.eq(row.published_at),
                albums::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        Ok(Done::saved("album.update", format!("album:{}", row.slug), detail(conn, site, row)?))
    })
    .await
}

/// Delete an album
///
/// The album and its photos (uploaded images stay in the uploads). Roles: editors and admins
/// of the site.
#[utoipa::path(
    tag = "albums",
    params(
        ("album" = String, Path, description = "Album slug", example = "le-hoi-con-son-kiep-bac"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such site or album", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sites/{site}/albums/{album}")]
pub async fn delete_album(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site, slug) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let row = find(conn, site.id, &slug)?;
        diesel::delete(photo_rows::table.filter(photo_rows::album_id.eq(row.id))).execute(conn)?;
        diesel::delete(albums::table.find(row.id)).execute(conn)?;
        Ok(Done::deleted("album.delete", format!("album:{slug}")))
    })
    .await
}

/// Registers the album routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_albums)
        .service(get_album)
        .service(create_album)
        .service(update_album)
        .service(delete_album)
        .service(add_photo)
        .service(update_photo)
        .service(delete_photo);
}
