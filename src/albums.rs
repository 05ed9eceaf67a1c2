//! The photo library ("Thư viện ảnh"): albums of captioned photos, newest album first, photos
//! by `position`. A photo is an image uploaded to the site (its thumbnail and medium variants
//! come with it) or an image elsewhere given by URL. An album's cover is its first photo.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::audit;
use crate::auth::{Caller, Role, on_site};
use crate::core::error::{ApiError, Problem};
use crate::db::schema::{albums, photos};
use crate::db::{AnyConnection, MultiBackend};
use crate::http::input::{Checker, Need, free_slug};
use crate::http::{Data, List, Page, PageParams, cached_json, list_response, list_total, private_json};
use crate::sites::Site;

/// The most photos an album holds.
pub const MAX_PHOTOS: i64 = 1000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = albums)]
struct AlbumRow {
    id: i64,
    slug: String,
    title: String,
    description: String,
    published_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = photos)]
struct PhotoRow {
    id: i64,
    image_url: String,
    thumbnail_url: String,
    medium_url: String,
    width: Option<i32>,
    height: Option<i32>,
    caption: String,
    position: i32,
}

/// A photo of an album.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "caption": "Lễ hội mùa xuân Côn Sơn - Kiếp Bạc", "position": 1,
    "url": "/uploads/3f/3fa2c9e1b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e.jpg",
    "thumbnail_url": "/uploads/3f/3fa2c9e1b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e-thumb.jpg",
    "medium_url": "/uploads/3f/3fa2c9e1b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e-medium.jpg",
    "width": 1600, "height": 1067}))]
pub struct Photo {
    pub id: i64,
    pub caption: String,
    /// Order in the album, ascending.
    pub position: i32,
    /// The full image.
    pub url: String,
    /// At most 320×320 for uploads.
    pub thumbnail_url: String,
    /// At most 1024×1024 for uploads.
    pub medium_url: String,
    /// Pixels, when known.
    pub width: Option<i32>,
    pub height: Option<i32>,
}

impl From<PhotoRow> for Photo {
    fn from(r: PhotoRow) -> Self {
        Photo {
            id: r.id,
            caption: r.caption,
            position: r.position,
            url: r.image_url,
            thumbnail_url: r.thumbnail_url,
            medium_url: r.medium_url,
            width: r.width,
            height: r.height,
        }
    }
}

/// An album in a list: its cover and how many photos it has.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "slug": "le-hoi-con-son-kiep-bac", "title": "Lễ hội Côn Sơn - Kiếp Bạc",
    "description": "Ảnh lễ hội mùa xuân", "published_at": "2014-08-19T08:00:00+07:00", "photo_count": 3,
    "cover": {"id": 1, "caption": "Khai hội", "position": 1, "url": "/uploads/3f/3fa2.jpg",
        "thumbnail_url": "/uploads/3f/3fa2-thumb.jpg", "medium_url": "/uploads/3f/3fa2-medium.jpg", "width": 1600, "height": 1067}}))]
pub struct AlbumSummary {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    /// The date the album shows, in the site's time zone.
    #[serde(serialize_with = "crate::http::serialize_time")]
    pub published_at: DateTime<FixedOffset>,
    pub photo_count: i64,
    /// The first photo, or null for an empty album.
    pub cover: Option<Photo>,
}

/// An album with all its photos.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "slug": "le-hoi-con-son-kiep-bac", "title": "Lễ hội Côn Sơn - Kiếp Bạc",
    "description": "Ảnh lễ hội mùa xuân", "published_at": "2014-08-19T08:00:00+07:00",
    "photos": [{"id": 1, "caption": "Khai hội", "position": 1, "url": "/uploads/3f/3fa2.jpg",
        "thumbnail_url": "/uploads/3f/3fa2-thumb.jpg", "medium_url": "/uploads/3f/3fa2-medium.jpg", "width": 1600, "height": 1067}]}))]
pub struct AlbumDetail {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    #[serde(serialize_with = "crate::http::serialize_time")]
    pub published_at: DateTime<FixedOffset>,
    /// In `position` order.
    pub photos: Vec<Photo>,
}

fn photos_of(conn: &mut AnyConnection, album_ids: &[i64]) -> QueryResult<Vec<PhotoRow>> {
    photos::table
        .filter(photos::album_id.eq_any(album_ids))
        .order((photos::album_id.asc(), photos::position.asc(), photos::id.asc()))
        .select(PhotoRow::as_select())
        .load(conn)
}

/// A page of the site's albums, newest first, with their covers and photo counts (one
/// statement, whatever the page size), and, when `count` asks for it, the number of albums.
pub fn page(
    conn: &mut AnyConnection,
    site: &Site,
    limit: i64,
    offset: i64,
    count: bool,
) -> QueryResult<(Vec<AlbumSummary>, i64)> {
    let rows: Vec<(AlbumRow, i64, Option<PhotoRow>)> = AlbumPage { site_id: site.id, limit, offset }.load(conn)?;
    let total = match count {
        true => list_total(rows.len(), limit, offset, || {
            albums::table.filter(albums::site_id.eq(site.id)).count().get_result(conn)
        })?,
        false => rows.len() as i64,
    };
    let summaries = rows
        .into_iter()
        .map(|(a, photo_count, cover)| AlbumSummary {
            id: a.id,
            photo_count,
            cover: cover.map(Photo::from),
            published_at: site.local(a.published_at),
            slug: a.slug,
            title: a.title,
            description: a.description,
        })
        .collect();
    Ok((summaries, total))
}

/// The statement behind [`page`]: a page of the site's albums, newest first, each with how
/// many photos it has and its first photo (null for an empty album), both from the
/// `photos_by_album` index. Written by hand because diesel's DSL has no correlated subqueries
/// (it took three statements, the last one's `IN (ids)` parsed anew on every request); the
/// same text serves both backends, prepared once per connection like diesel's own.
#[derive(Debug, Clone, Copy)]
struct AlbumPage {
    site_id: i64,
    limit: i64,
    offset: i64,
}

impl diesel::query_builder::QueryId for AlbumPage {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for AlbumPage {
    type SqlType = (
        (BigInt, Text, Text, Text, Timestamp),
        BigInt,
        Nullable<(BigInt, Text, Text, Text, Nullable<Integer>, Nullable<Integer>, Text, Integer)>,
    );
}

impl RunQueryDsl<AnyConnection> for AlbumPage {}

impl diesel::query_builder::QueryFragment<MultiBackend> for AlbumPage {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql(
            "SELECT a.id, a.slug, a.title, a.description, a.published_at, \
             (SELECT COUNT(*) FROM photos n WHERE n.album_id = a.id), \
             c.id, c.image_url, c.thumbnail_url, c.medium_url, c.width, c.height, c.caption, c.position \
             FROM (SELECT id, slug, title, description, published_at FROM albums WHERE site_id = ",
        );
        out.push_bind_param::<BigInt, _>(&self.site_id)?;
        out.push_sql(" ORDER BY published_at DESC, id DESC LIMIT ");
        out.push_bind_param::<BigInt, _>(&self.limit)?;
        out.push_sql(" OFFSET ");
        out.push_bind_param::<BigInt, _>(&self.offset)?;
        out.push_sql(
            ") a LEFT JOIN photos c ON c.id = \
             (SELECT p.id FROM photos p WHERE p.album_id = a.id ORDER BY p.position, p.id LIMIT 1) \
             ORDER BY a.published_at DESC, a.id DESC",
        );
        Ok(())
    }
}

fn find(conn: &mut AnyConnection, site_id: i64, slug: &str) -> Result<AlbumRow, ApiError> {
    albums::table
        .filter(albums::site_id.eq(site_id))
        .filter(albums::slug.eq(slug))
        .select(AlbumRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no album {slug:?} in this site")))
}

fn detail(conn: &mut AnyConnection, site: &Site, row: AlbumRow) -> QueryResult<AlbumDetail> {
    let photos = photos_of(conn, &[row.id])?.into_iter().map(Photo::from).collect();
    Ok(AlbumDetail {
        id: row.id,
        published_at: site.local(row.published_at),
        slug: row.slug,
        title: row.title,
        description: row.description,
        photos,
    })
}

/// List a site's albums
///
/// Newest first (by `published_at`), each with its cover (the first photo) and photo count.
#[utoipa::path(
    tag = "albums",
    params(("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"), PageParams),
    responses(
        (status = 200, description = "A page of albums", body = List<AlbumSummary>,
         headers(("ETag" = String), ("Cache-Control" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A bad parameter, named in `errors`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
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
        ("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"),
        ("album" = String, Path, description = "Album slug", example = "le-hoi-con-son-kiep-bac"),
    ),
    responses(
        (status = 200, description = "The album", body = Data<AlbumDetail>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site or album", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
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
    pub title: Option<String>,
    /// Made from the title when left out on create.
    pub slug: Option<String>,
    /// Up to 2000 characters.
    pub description: Option<String>,
    /// A date or RFC 3339 time; now when left out on create.
    pub published_at: Option<String>,
}

/// The slugs of the site's other albums that `slug` or `slug-N` would clash with.
fn taken_slugs(conn: &mut AnyConnection, site_id: i64, except: i64, slug: &str) -> QueryResult<Vec<String>> {
    albums::table
        .filter(albums::site_id.eq(site_id))
        .filter(albums::id.ne(except))
        .filter(albums::slug.eq(slug).or(albums::slug.like(format!("{slug}-%"))))
        .select(albums::slug)
        .load(conn)
}

/// Checks `input` and applies it to `row`.
fn apply(conn: &mut AnyConnection, site: &Site, row: &mut AlbumRow, input: AlbumInput) -> Result<(), ApiError> {
    let creating = row.id == 0;
    let mut check = Checker::default();
    let title = check.text("title", input.title, 200, Need::on_create(creating));
    let slug = check.slug("slug", input.slug);
    let description = check.text("description", input.description, 2000, Need::Optional);
    let published_at = check.time("published_at", input.published_at, site);
    if let Some(s) = &slug
        && taken_slugs(conn, site.id, row.id, s)?.contains(s)
    {
        check.reject("slug", "is taken by another album of this site");
    }
    check.finish()?;
    if let Some(title) = title {
        row.title = title;
    }
    row.slug = match slug {
        Some(slug) => slug,
        None if creating => {
            free_slug(&row.title, &taken_slugs(conn, site.id, row.id, &crate::core::text::slugify(&row.title))?)
        }
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
    params(("site" = String, Path, description = "Site slug", example = "phuong-chi-minh")),
    request_body = AlbumInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Data<AlbumDetail>, headers(("Location" = String))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of this site", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sites/{site}/albums")]
pub async fn create_album(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: web::Json<AlbumInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let (site, album) =
        on_site(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site, _, _, origin| {
            let now = Utc::now().naive_utc();
            let mut row = AlbumRow {
                id: 0,
                slug: String::new(),
                title: String::new(),
                description: String::new(),
                published_at: now,
            };
            conn.transaction(|conn| {
                apply(conn, site, &mut row, input)?;
                row.id = diesel::insert_into(albums::table)
                    .values((
                        albums::site_id.eq(site.id),
                        albums::slug.eq(&row.slug),
                        albums::title.eq(&row.title),
                        albums::description.eq(&row.description),
                        albums::published_at.eq(row.published_at),
                        albums::created_at.eq(now),
                        albums::updated_at.eq(now),
                    ))
                    .returning(albums::id)
                    .get_result(conn)?;
                audit::record(conn, origin, "album.create", &format!("album:{}", row.slug), Some(site.id))?;
                Ok((site.slug.clone(), detail(conn, site, row)?))
            })
        })
        .await?;
    let location = location(&site, &album.slug);
    private_json(&Data { data: album }, StatusCode::CREATED, |res| {
        res.insert_header((header::LOCATION, location));
    })
}

/// Edit an album
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "albums",
    params(
        ("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"),
        ("album" = String, Path, description = "Album slug", example = "le-hoi-con-son-kiep-bac"),
    ),
    request_body = AlbumInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<AlbumDetail>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of this site", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site or album", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/albums/{album}")]
pub async fn update_album(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Json<AlbumInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, slug) = path.into_inner();
    let input = body.into_inner();
    let album = on_site(&state, &req, caller, site, Role::Editor, move |conn, site, _, _, origin| {
        conn.transaction(|conn| {
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
            audit::record(conn, origin, "album.update", &format!("album:{}", row.slug), Some(site.id))?;
            Ok(detail(conn, site, row)?)
        })
    })
    .await?;
    private_json(&Data { data: album }, StatusCode::OK, |_| {})
}

/// Delete an album
///
/// The album and its photos (uploaded images stay in the uploads). Roles: editors and admins
/// of the site.
#[utoipa::path(
    tag = "albums",
    params(
        ("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"),
        ("album" = String, Path, description = "Album slug", example = "le-hoi-con-son-kiep-bac"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of this site", body = Problem, content_type = "application/problem+json"),
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
    on_site(&state, &req, caller, site, Role::Editor, move |conn, site, _, _, origin| {
        conn.transaction(|conn| {
            let row = find(conn, site.id, &slug)?;
            diesel::delete(photos::table.filter(photos::album_id.eq(row.id))).execute(conn)?;
            diesel::delete(albums::table.find(row.id)).execute(conn)?;
            audit::record(conn, origin, "album.delete", &format!("album:{slug}"), Some(site.id))?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A photo to add: an image uploaded to the site (`upload_id`), or an image elsewhere
/// (`image_url`, with its smaller copies if it has them).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"upload_id": 7, "caption": "Khai hội mùa xuân", "position": 1}))]
pub struct PhotoInput {
    /// An image in the site's uploads; its variants become the thumbnail and medium copies.
    pub upload_id: Option<i64>,
    /// The image's URL (an http(s) URL or a path on this server), instead of `upload_id`.
    pub image_url: Option<String>,
    /// With `image_url`: a smaller copy (the image itself when left out).
    pub thumbnail_url: Option<String>,
    /// With `image_url`: a medium copy (the image itself when left out).
    pub medium_url: Option<String>,
    /// With `image_url`: its size in pixels, when known.
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// Up to 1000 characters.
    pub caption: Option<String>,
    /// 0 to 100000; left out, after the album's last photo.
    pub position: Option<i32>,
}

/// The fields of a photo that can change once it is in an album.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"caption": "Dâng hương tại đền Kiếp Bạc", "position": 2}))]
pub struct PhotoUpdate {
    /// Up to 1000 characters.
    pub caption: Option<String>,
    /// 0 to 100000.
    pub position: Option<i32>,
}

/// The image of a new photo: (upload id, url, thumbnail, medium, width, height).
type Image = (Option<i64>, String, String, String, Option<i32>, Option<i32>);

/// Checks where a new photo's image comes from.
fn image(conn: &mut AnyConnection, site: &Site, input: &PhotoInput, check: &mut Checker) -> QueryResult<Option<Image>> {
    match (input.upload_id, &input.image_url) {
        (Some(_), Some(_)) => check.reject("image_url", "give either upload_id or image_url, not both"),
        (None, None) => check.reject("upload_id", "is required (or image_url)"),
        (Some(id), None) => {
            let extra = [("thumbnail_url", input.thumbnail_url.is_some()), ("medium_url", input.medium_url.is_some())];
            for (field, _) in extra.iter().filter(|(_, sent)| *sent) {
                check.reject(field, "comes from the upload; send it only with image_url");
            }
            if input.width.is_some() || input.height.is_some() {
                check.reject("width", "comes from the upload; send it only with image_url");
            }
            match crate::uploads::find(conn, site.id, id)? {
                None => check.reject("upload_id", format!("no upload {id} in this site")),
                Some(upload) => match upload.variants {
                    None => check.reject("upload_id", "must be an image (JPEG, PNG or WebP)"),
                    Some(v) => {
                        return Ok(Some((Some(id), upload.url, v.thumbnail, v.medium, upload.width, upload.height)));
                    }
                },
            }
        }
        (None, Some(url)) => {
            let url = check.url("image_url", Some(url.clone()), true, Need::Required).unwrap_or_default();
            let thumbnail =
                check.url("thumbnail_url", input.thumbnail_url.clone(), true, Need::Optional).filter(|u| !u.is_empty());
            let medium =
                check.url("medium_url", input.medium_url.clone(), true, Need::Optional).filter(|u| !u.is_empty());
            for (field, value) in [("width", input.width), ("height", input.height)] {
                if value.is_some_and(|v| !(1..=100_000).contains(&v)) {
                    check.reject(field, "must be from 1 to 100000");
                }
            }
            let thumbnail = thumbnail.unwrap_or_else(|| url.clone());
            let medium = medium.unwrap_or_else(|| url.clone());
            return Ok(Some((None, url, thumbnail, medium, input.width, input.height)));
        }
    }
    Ok(None)
}

fn photo_location(site: &str, album: &str, photo: i64) -> String {
    format!("/api/v1/sites/{site}/albums/{album}/photos/{photo}")
}

/// Add a photo to an album
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "albums",
    params(
        ("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"),
        ("album" = String, Path, description = "Album slug", example = "le-hoi-con-son-kiep-bac"),
    ),
    request_body = PhotoInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = Data<Photo>, headers(("Location" = String))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of this site", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site or album", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The album is full (1000 photos)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/validation-failed", "title": "Validation failed", "status": 422,
            "detail": "upload_id: must be an image (JPEG, PNG or WebP)",
            "errors": [{"field": "upload_id", "message": "must be an image (JPEG, PNG or WebP)"}]})),
    )
)]
#[post("/sites/{site}/albums/{album}/photos")]
pub async fn add_photo(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Json<PhotoInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, slug) = path.into_inner();
    let input = body.into_inner();
    let (location, photo) = on_site(&state, &req, caller, site, Role::Editor, move |conn, site, _, _, origin| {
        conn.transaction(|conn| {
            let album = find(conn, site.id, &slug)?;
            let mut check = Checker::default();
            let image = image(conn, site, &input, &mut check)?;
            let caption = check.text("caption", input.caption, 1000, Need::Optional).unwrap_or_default();
            let position = check.position("position", input.position);
            check.finish()?;
            let (upload_id, url, thumbnail, medium, width, height) =
                image.ok_or_else(|| ApiError::internal("no image"))?;
            let (count, last): (i64, Option<i32>) = photos::table
                .filter(photos::album_id.eq(album.id))
                .select((diesel::dsl::count_star(), diesel::dsl::max(photos::position)))
                .first(conn)?;
            if count >= MAX_PHOTOS {
                return Err(ApiError::Conflict(format!("the album has {MAX_PHOTOS} photos, the most it holds")));
            }
            let position = position.unwrap_or_else(|| last.map_or(1, |p| p.saturating_add(1).min(100_000)));
            let id: i64 = diesel::insert_into(photos::table)
                .values((
                    photos::album_id.eq(album.id),
                    photos::upload_id.eq(upload_id),
                    photos::image_url.eq(url),
                    photos::thumbnail_url.eq(thumbnail),
                    photos::medium_url.eq(medium),
                    photos::width.eq(width),
                    photos::height.eq(height),
                    photos::caption.eq(caption),
                    photos::position.eq(position),
                    photos::created_at.eq(Utc::now().naive_utc()),
                ))
                .returning(photos::id)
                .get_result(conn)?;
            let row = photos::table.find(id).select(PhotoRow::as_select()).first(conn)?;
            audit::record(conn, origin, "photo.add", &format!("album:{slug}/photo:{}", row.id), Some(site.id))?;
            Ok((photo_location(&site.slug, &slug, row.id), Photo::from(row)))
        })
    })
    .await?;
    private_json(&Data { data: photo }, StatusCode::CREATED, |res| {
        res.insert_header((header::LOCATION, location));
    })
}

fn find_photo(conn: &mut AnyConnection, site_id: i64, album: &str, id: i64) -> Result<PhotoRow, ApiError> {
    let album = find(conn, site_id, album)?;
    photos::table
        .filter(photos::album_id.eq(album.id))
        .filter(photos::id.eq(id))
        .select(PhotoRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no photo {id} in album {:?}", album.slug)))
}

/// Edit a photo
///
/// Its caption or place in the album. Roles: editors and admins of the site.
#[utoipa::path(
    tag = "albums",
    params(
        ("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"),
        ("album" = String, Path, description = "Album slug", example = "le-hoi-con-son-kiep-bac"),
        ("photo" = i64, Path, description = "Photo id", example = 1),
    ),
    request_body = PhotoUpdate,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<Photo>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of this site", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site, album or photo", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/albums/{album}/photos/{photo}")]
pub async fn update_photo(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String, i64)>,
    body: web::Json<PhotoUpdate>,
) -> Result<HttpResponse, ApiError> {
    let (site, album, id) = path.into_inner();
    let input = body.into_inner();
    let photo = on_site(&state, &req, caller, site, Role::Editor, move |conn, site, _, _, origin| {
        conn.transaction(|conn| {
            let mut row = find_photo(conn, site.id, &album, id)?;
            let mut check = Checker::default();
            let caption = check.text("caption", input.caption, 1000, Need::Optional);
            let position = check.position("position", input.position);
            check.finish()?;
            row.caption = caption.unwrap_or(std::mem::take(&mut row.caption));
            row.position = position.unwrap_or(row.position);
            diesel::update(photos::table.find(id))
                .set((photos::caption.eq(&row.caption), photos::position.eq(row.position)))
                .execute(conn)?;
            audit::record(conn, origin, "photo.update", &format!("album:{album}/photo:{id}"), Some(site.id))?;
            Ok(Photo::from(row))
        })
    })
    .await?;
    private_json(&Data { data: photo }, StatusCode::OK, |_| {})
}

/// Remove a photo from an album
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "albums",
    params(
        ("site" = String, Path, description = "Site slug", example = "phuong-chi-minh"),
        ("album" = String, Path, description = "Album slug", example = "le-hoi-con-son-kiep-bac"),
        ("photo" = i64, Path, description = "Photo id", example = 1),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an editor of this site", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such site, album or photo", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sites/{site}/albums/{album}/photos/{photo}")]
pub async fn delete_photo(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (site, album, id) = path.into_inner();
    on_site(&state, &req, caller, site, Role::Editor, move |conn, site, _, _, origin| {
        conn.transaction(|conn| {
            find_photo(conn, site.id, &album, id)?;
            diesel::delete(photos::table.find(id)).execute(conn)?;
            audit::record(conn, origin, "photo.delete", &format!("album:{album}/photo:{id}"), Some(site.id))?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
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
