//! Media items: songs and videos ("Hát về Chí Linh"), newest first. Each plays from one
//! source: a file (uploaded to the site, or elsewhere by URL) for an `<audio>`/`<video>`
//! element, or a player page of another site (`embed_url`) for an `<iframe>`.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::staff::{Done, write};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, Problem};
use crate::db::AnyConnection;
use crate::db::schema::media_items as media;
use crate::db::slugs::SlugTable;
use crate::http::body::Body;
use crate::http::input::{Checker, Need};
use crate::http::{Data, List, Page, PageParams, cached_json, check, list_response, list_total};
use crate::sites::Site;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = media)]
pub struct MediaRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub upload_id: Option<i64>,
    pub file_url: Option<String>,
    pub content_type: Option<String>,
    pub embed_url: Option<String>,
    pub thumbnail_url: Option<String>,
    pub duration_seconds: Option<i32>,
    pub published_at: NaiveDateTime,
    pub transcript: String,
}

/// A song or a video.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "slug": "hat-ve-chi-linh", "title": "Hát về Chí Linh",
    "description": "Ca khúc về quê hương Chí Linh", "kind": "video", "file_url": null, "content_type": null,
    "embed_url": "https://www.youtube.com/embed/dQw4w9WgXcQ", "thumbnail_url": null, "duration_seconds": 245,
    "transcript": "Chí Linh ơi, quê hương của những di tích anh hùng...", "published_at": "2014-08-19T08:00:00+07:00"}))]
pub struct MediaItem {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    /// `video` or `audio`.
    pub kind: String,
    /// The file to play in an `<audio>`/`<video>` element; null for an embed.
    pub file_url: Option<String>,
    /// The file's type, when known (`video/mp4`, `audio/mpeg`...).
    pub content_type: Option<String>,
    /// A player page to show in an `<iframe>`; null for a file.
    pub embed_url: Option<String>,
    /// A still image to show before it plays.
    pub thumbnail_url: Option<String>,
    pub duration_seconds: Option<i32>,
    /// What is said and sung, as text (Circular 26/2020/TT-BTTTT: a text equivalent of audio
    /// and video); empty when not set.
    pub transcript: String,
    /// The date it shows, in the site's time zone.
    #[serde(serialize_with = "crate::http::serialize_time")]
    pub published_at: DateTime<FixedOffset>,
}

impl MediaItem {
    fn new(site: &Site, r: MediaRow) -> Self {
        MediaItem {
            id: r.id,
            slug: r.slug,
            title: r.title,
            description: r.description,
            kind: r.kind,
            file_url: r.file_url,
            content_type: r.content_type,
            embed_url: r.embed_url,
            thumbnail_url: r.thumbnail_url,
            duration_seconds: r.duration_seconds,
            transcript: r.transcript,
            published_at: site.local(r.published_at),
        }
    }
}

/// The two kinds.
const KINDS: [&str; 2] = ["video", "audio"];

/// A page of the site's media, newest first, of one `kind` or both, and, when `count` asks
/// for it, how many there are.
pub fn page(
    conn: &mut AnyConnection,
    site: &Site,
    kind: Option<&str>,
    limit: i64,
    offset: i64,
    count: bool,
) -> QueryResult<(Vec<MediaItem>, i64)> {
    let filtered = || {
        let mut q = media::table.filter(media::site_id.eq(site.id)).into_boxed();
        if let Some(kind) = kind {
            q = q.filter(media::kind.eq(kind.to_owned()));
        }
        q
    };
    let rows: Vec<MediaRow> = filtered()
        .order((media::published_at.desc(), media::id.desc()))
        .limit(limit)
        .offset(offset)
        .select(MediaRow::as_select())
        .load(conn)?;
    let total = match count {
        true => list_total(rows.len(), limit, offset, || filtered().count().get_result(conn))?,
        false => rows.len() as i64,
    };
    Ok((rows.into_iter().map(|r| MediaItem::new(site, r)).collect(), total))
}

fn find(conn: &mut AnyConnection, site_id: i64, slug: &str) -> Result<MediaRow, ApiError> {
    media::table
        .filter(media::site_id.eq(site_id))
        .filter(media::slug.eq(slug))
        .select(MediaRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no media item {slug:?} in this site")))
}

/// The parameters of the media list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MediaParams {
    /// Only `video` or only `audio`.
    #[param(pattern = "^(|video|audio)$", example = "video")]
    pub kind: Option<String>,
}

/// List a site's media
///
/// Songs and videos, newest first (by `published_at`).
#[utoipa::path(
    tag = "media",
    params(PageParams, MediaParams),
    responses(
        (status = 200, description = "A page of media items", body = List<MediaItem>,
         headers(("ETag" = String), ("Cache-Control" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A bad parameter, named in `errors`", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/invalid-parameter", "title": "Invalid parameter", "status": 400,
            "detail": "kind: must be video or audio", "errors": [{"field": "kind", "message": "must be video or audio"}]})),
    )
)]
#[get("/sites/{site}/media")]
pub async fn list_media(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    pages: web::Query<PageParams>,
    params: web::Query<MediaParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let mut errors = Vec::new();
    let page = Page::parse(&pages, &mut errors);
    let kind = params.kind.filter(|k| !k.is_empty());
    if kind.as_deref().is_some_and(|k| !KINDS.contains(&k)) {
        errors.push(crate::http::field_error("kind", "must be video or audio"));
    }
    check(errors)?;
    let slug = path.into_inner();
    let (data, total) = crate::sites::context::read(&state, slug, move |conn, context| {
        Ok(self::page(conn, &context.site, kind.as_deref(), page.limit(), page.offset(), true)?)
    })
    .await?;
    list_response(&req, data, page, total, state.cache)
}

/// Get a media item
///
/// One song or video by its slug: the file to play (an upload or a URL) or the player page to
/// embed, with its thumbnail and duration.
#[utoipa::path(
    tag = "media",
    params(
        ("media" = String, Path, description = "Media item slug", example = "hat-ve-chi-linh"),
    ),
    responses(
        (status = 200, description = "The media item", body = Data<MediaItem>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site or media item", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/media/{media}")]
pub async fn get_media(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site_slug, slug) = path.into_inner();
    let item = crate::sites::context::read(&state, site_slug, move |conn, context| {
        let row = find(conn, context.site.id, &slug)?;
        Ok(MediaItem::new(&context.site, row))
    })
    .await?;
    cached_json(&req, &Data { data: item }, state.cache)
}

/// The fields of a media item an editor sets. On create `title` and one source (`upload_id`,
/// `file_url` or `embed_url`) are required, and `kind` unless the upload tells it; on update
/// only the fields sent change, and a source sent replaces the old one. An empty
/// `thumbnail_url` clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "Hát về Chí Linh", "kind": "video",
    "embed_url": "https://www.youtube.com/embed/dQw4w9WgXcQ", "duration_seconds": 245, "published_at": "2014-08-19"}))]
pub struct MediaInput {
    /// 1 to 200 characters.
    #[schema(max_length = 200, pattern = "\\S")]
    pub title: Option<String>,
    /// Made from the title when left out on create.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 80)]
    pub slug: Option<String>,
    /// Up to 2000 characters.
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    /// `video` or `audio`.
    #[schema(pattern = "^(video|audio)$")]
    pub kind: Option<String>,
    /// An audio or video file in the site's uploads (MP4, M4A, MP3, WebM, Ogg).
    #[schema(minimum = 1)]
    pub upload_id: Option<i64>,
    /// A file elsewhere: an http(s) URL or a path on this server.
    #[schema(pattern = "^(https?://[^/\\s]\\S*|/([^/\\s]\\S*)?)$", max_length = 2000)]
    pub file_url: Option<String>,
    /// A player page of another site, for an `<iframe>`: an https URL.
    #[schema(pattern = "^https://[^/\\s]\\S*$", max_length = 2000)]
    pub embed_url: Option<String>,
    /// An http(s) URL or a path on this server.
    #[schema(pattern = "^(https?://[^/\\s]\\S*|/([^/\\s]\\S*)?)?$", max_length = 2000)]
    pub thumbnail_url: Option<String>,
    /// 0 to 86400.
    #[schema(minimum = 0, maximum = 86400)]
    pub duration_seconds: Option<i32>,
    /// What is said and sung, as text: up to 50000 characters; empty clears it.
    #[schema(max_length = 50000)]
    pub transcript: Option<String>,
    /// A date or RFC 3339 time; now when left out on create.
    #[schema(
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$"
    )]
    pub published_at: Option<String>,
}

/// Media item slugs are unique within a site.
const SLUGS: SlugTable = SlugTable("media_items");

/// Checks `input` and applies it to `row`.
fn apply(conn: &mut AnyConnection, site: &Site, row: &mut MediaRow, input: MediaInput) -> Result<(), ApiError> {
    let creating = row.id == 0;
    let mut check = Checker::default();
    let title = check.text("title", input.title, 200, Need::on_create(creating));
    let slug = check.slug("slug", input.slug);
    let description = check.text("description", input.description, 2000, Need::Optional);
    let mut kind = input.kind.map(|k| k.trim().to_owned());
    if kind.as_deref().is_some_and(|k| !KINDS.contains(&k)) {
        check.reject("kind", "must be video or audio");
    }
    let thumbnail = check.url("thumbnail_url", input.thumbnail_url, true, Need::Optional);
    if input.duration_seconds.is_some_and(|d| !(0..=86_400).contains(&d)) {
        check.reject("duration_seconds", "must be from 0 to 86400");
    }
    let published_at = check.time("published_at", input.published_at, site);
    let transcript = check.text("transcript", input.transcript, 50_000, Need::Optional);
    let sources = [input.upload_id.is_some(), input.file_url.is_some(), input.embed_url.is_some()];
    match sources.iter().filter(|s| **s).count() {
        0 if creating => check.reject("embed_url", "one of upload_id, file_url or embed_url is required"),
        0 => {}
        1 => {
            row.upload_id = None;
            row.content_type = None;
            row.file_url = None;
            row.embed_url = None;
            if let Some(id) = input.upload_id {
                match crate::uploads::find(conn, site.id, id)? {
                    None => check.clash("upload_id", format!("no upload {id} in this site")),
                    Some(upload) => match upload.content_type.split('/').next() {
                        Some(k @ ("video" | "audio")) => {
                            kind.get_or_insert_with(|| k.to_owned());
                            row.upload_id = Some(id);
                            row.file_url = Some(upload.url);
                            row.content_type = Some(upload.content_type);
                        }
                        _ => check.reject("upload_id", "must be an audio or video file"),
                    },
                }
            }
            if input.file_url.is_some() {
                row.file_url = check.url("file_url", input.file_url, true, Need::Required);
            }
            if let Some(url) = input.embed_url.map(|u| u.trim().to_owned()) {
                if !url.starts_with("https://") || !crate::http::input::is_url(&url, false) {
                    check.reject("embed_url", "must be an https URL");
                }
                row.embed_url = Some(url);
            }
        }
        _ => check.reject("embed_url", "give only one of upload_id, file_url and embed_url"),
    }
    if creating && kind.is_none() {
        check.reject("kind", "is required (video or audio)");
    }
    if let Some(s) = &slug
        && SLUGS.is_taken(conn, site.id, row.id, s)?
    {
        check.clash("slug", "is taken by another media item of this site");
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
    row.kind = kind.unwrap_or(std::mem::take(&mut row.kind));
    if let Some(url) = thumbnail {
        row.thumbnail_url = (!url.is_empty()).then_some(url);
    }
    row.duration_seconds = input.duration_seconds.or(row.duration_seconds);
    row.transcript = transcript.unwrap_or(std::mem::take(&mut row.transcript));
    row.published_at = published_at.unwrap_or(row.published_at);
    Ok(())
}

/// Writes `row` (a new one when its id is 0) and returns its id.
pub fn save(conn: &mut AnyConnection, site_id: i64, row: &MediaRow) -> QueryResult<i64> {
    let now = Utc::now().naive_utc();
    let fields = (
        media::slug.eq(&row.slug),
        media::title.eq(&row.title),
        media::description.eq(&row.description),
        media::kind.eq(&row.kind),
        media::upload_id.eq(row.upload_id),
        media::file_url.eq(&row.file_url),
        media::content_type.eq(&row.content_type),
        media::embed_url.eq(&row.embed_url),
        media::thumbnail_url.eq(&row.thumbnail_url),
        media::duration_seconds.eq(row.duration_seconds),
        media::transcript.eq(&row.transcript),
        media::published_at.eq(row.published_at),
        media::updated_at.eq(now),
    );
    if row.id == 0 {
        diesel::insert_into(media::table)
            .values((fields, media::site_id.eq(site_id), media::created_at.eq(now)))
            .returning(media::id)
            .get_result(conn)
    } else {
        diesel::update(media::table.find(row.id)).set(fields).execute(conn)?;
        Ok(row.id)
    }
}

/// Add a media item
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "media",
        request_body = MediaInput,
        extensions(("x-required-fields" = json!(["title"]))),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Data<MediaItem>, headers(("Location" = String))),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/validation-failed", "title": "Validation failed", "status": 422,
            "detail": "embed_url: must be an https URL", "errors": [{"field": "embed_url", "message": "must be an https URL"}]})),
    )
)]
#[post("/sites/{site}/media")]
pub async fn create_media(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<MediaInput>,
) -> Result<HttpResponse, ApiError> {
    write(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let mut row = MediaRow {
            id: 0,
            slug: String::new(),
            title: String::new(),
            description: String::new(),
            kind: String::new(),
            upload_id: None,
            file_url: None,
            content_type: None,
            embed_url: None,
            thumbnail_url: None,
            duration_seconds: None,
            published_at: Utc::now().naive_utc(),
            transcript: String::new(),
        };
        apply(conn, site, &mut row, input)?;
        row.id = save(conn, site.id, &row)?;
        let (target, location) =
            (format!("media:{}", row.slug), format!("/api/v1/sites/{}/media/{}", site.slug, row.slug));
        Ok(Done::created("media.create", target, location, MediaItem::new(site, row)))
    })
    .await
}

/// Edit a media item
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "media",
    params(
        ("media" = String, Path, description = "Media item slug", example = "hat-ve-chi-linh"),
    ),
    request_body = MediaInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<MediaItem>),
        (status = 404, description = "No such site or media item", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/media/{media}")]
pub async fn update_media(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Body<MediaInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, slug) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let mut row = find(conn, site.id, &slug)?;
        apply(conn, site, &mut row, input)?;
        save(conn, site.id, &row)?;
        Ok(Done::saved("media.update", format!("media:{}", row.slug), MediaItem::new(site, row)))
    })
    .await
}

/// Delete a media item
///
/// An uploaded file stays in the uploads. Roles: editors and admins of the site.
#[utoipa::path(
    tag = "media",
    params(
        ("media" = String, Path, description = "Media item slug", example = "hat-ve-chi-linh"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such site or media item", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sites/{site}/media/{media}")]
pub async fn delete_media(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (site, slug) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let row = find(conn, site.id, &slug)?;
        diesel::delete(media::table.find(row.id)).execute(conn)?;
        Ok(Done::deleted("media.delete", format!("media:{slug}")))
    })
    .await
}

/// Registers the media routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_media).service(get_media).service(create_media).service(update_media).service(delete_media);
}
