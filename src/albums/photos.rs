//! The photos of an album: added, edited and removed by editors.

use actix_web::{HttpRequest, HttpResponse, delete, patch, post, web};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::staff::{Done, write};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, Problem};
use crate::db::AnyConnection;
use crate::db::schema::{photos, uploads};
use crate::http::Data;
use crate::http::body::Body;
use crate::http::input::{Checker, Need};
use crate::sites::Site;

use super::model::*;

/// A photo to add: an image uploaded to the site (`upload_id`), or an image elsewhere
/// (`image_url`, with its smaller copies if it has them).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"upload_id": 7, "caption": "Khai hội mùa xuân", "alt": "Nghi lễ khai hội trước sân đền Kiếp Bạc", "position": 1}))]
pub struct PhotoInput {
    /// An image in the site's uploads; its variants become the thumbnail and medium copies.
    #[schema(minimum = 1)]
    pub upload_id: Option<i64>,
    /// The image's URL (an http(s) URL or a path on this server), instead of `upload_id`.
    #[schema(pattern = "^(https?://[^/\\s]\\S*|/([^/\\s]\\S*)?)$", max_length = 2000)]
    pub image_url: Option<String>,
    /// With `image_url`: a smaller copy (the image itself when left out).
    #[schema(pattern = "^(https?://[^/\\s]\\S*|/([^/\\s]\\S*)?)$", max_length = 2000)]
    pub thumbnail_url: Option<String>,
    /// With `image_url`: a medium copy (the image itself when left out).
    #[schema(pattern = "^(https?://[^/\\s]\\S*|/([^/\\s]\\S*)?)$", max_length = 2000)]
    pub medium_url: Option<String>,
    /// With `image_url`: its size in pixels, when known.
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// Up to 1000 characters.
    #[schema(max_length = 1000)]
    pub caption: Option<String>,
    /// The image's text alternative, up to 300 characters: what it shows, for screen readers.
    /// Left out, the upload's own alt text (`PATCH .../uploads/{upload}`).
    #[schema(max_length = 300)]
    pub alt: Option<String>,
    /// 0 to 100000; left out, after the album's last photo.
    #[schema(minimum = 0, maximum = 100000)]
    pub position: Option<i32>,
}

/// The fields of a photo that can change once it is in an album.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"caption": "Dâng hương tại đền Kiếp Bạc", "alt": "Du khách dâng hương trước điện thờ", "position": 2}))]
pub struct PhotoUpdate {
    /// Up to 1000 characters.
    #[schema(max_length = 1000)]
    pub caption: Option<String>,
    /// Up to 300 characters.
    #[schema(max_length = 300)]
    pub alt: Option<String>,
    /// 0 to 100000.
    #[schema(minimum = 0, maximum = 100000)]
    pub position: Option<i32>,
}

/// The image of a new photo: (upload id, url, thumbnail, medium, width, height).
type Image = (Option<i64>, String, String, String, Option<i32>, Option<i32>);

/// Checks where a new photo's image comes from.
pub(super) fn image(
    conn: &mut AnyConnection,
    site: &Site,
    input: &PhotoInput,
    check: &mut Checker,
) -> QueryResult<Option<Image>> {
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
                None => check.clash("upload_id", format!("no upload {id} in this site")),
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

pub(super) fn photo_location(site: &str, album: &str, photo: i64) -> String {
    format!("/api/v1/sites/{site}/albums/{album}/photos/{photo}")
}

/// Add a photo to an album
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "albums",
    params(
        ("album" = String, Path, description = "Album slug", example = "le-hoi-con-son-kiep-bac"),
    ),
    request_body = PhotoInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = Data<Photo>, headers(("Location" = String))),
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
    body: Body<PhotoInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, slug) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let album = find(conn, site.id, &slug)?;
        let mut check = Checker::default();
        let image = image(conn, site, &input, &mut check)?;
        let caption = check.text("caption", input.caption, 1000, Need::Optional).unwrap_or_default();
        let alt = check.text("alt", input.alt, 300, Need::Optional);
        let position = check.position("position", input.position);
        check.finish()?;
        let (upload_id, url, thumbnail, medium, width, height) = image.ok_or_else(|| ApiError::internal("no image"))?;
        // Left out, the alt text is the upload's own (set where it was uploaded).
        let alt = match (alt, upload_id) {
            (Some(alt), _) => alt,
            (None, Some(upload)) => uploads::table.find(upload).select(uploads::alt).first(conn)?,
            (None, None) => String::new(),
        };
        let (count, last): (i64, Option<i32>) = photos::table
            .filter(photos::album_id.eq(album.id))
            .select((diesel::dsl::count_star(), diesel::dsl::max(photos::position)))
            .first(conn)?;
        if count >= MAX_PHOTOS {
            return Err(ApiError::Conflict(format!("the album has {MAX_PHOTOS} photos, the most it holds")));
        }
        let position = position.unwrap_or_else(|| last.map_or(1, |p| p.saturating_add(1).min(100_000)));
        let photo = NewPhoto {
            album_id: album.id,
            upload_id,
            image_url: &url,
            thumbnail_url: &thumbnail,
            medium_url: &medium,
            width,
            height,
            caption: &caption,
            alt: &alt,
            position,
        };
        let id = insert_photo(conn, &photo)?;
        let row = photos::table.find(id).select(PhotoRow::as_select()).first(conn)?;
        let (target, location) = (format!("album:{slug}/photo:{id}"), photo_location(&site.slug, &slug, id));
        Ok(Done::created("photo.add", target, location, Photo::from(row)))
    })
    .await
}

pub(super) fn find_photo(conn: &mut AnyConnection, site_id: i64, album: &str, id: i64) -> Result<PhotoRow, ApiError> {
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
        ("album" = String, Path, description = "Album slug", example = "le-hoi-con-son-kiep-bac"),
        ("photo" = i64, Path, description = "Photo id", example = 1),
    ),
    request_body = PhotoUpdate,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<Photo>),
        (status = 404, description = "No such site, album or photo", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/albums/{album}/photos/{photo}")]
pub async fn update_photo(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String, i64)>,
    body: Body<PhotoUpdate>,
) -> Result<HttpResponse, ApiError> {
    let (site, album, id) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let mut row = find_photo(conn, site.id, &album, id)?;
        let mut check = Checker::default();
        let caption = check.text("caption", input.caption, 1000, Need::Optional);
        let alt = check.text("alt", input.alt, 300, Need::Optional);
        let position = check.position("position", input.position);
        check.finish()?;
        row.caption = caption.unwrap_or(std::mem::take(&mut row.caption));
        row.alt = alt.unwrap_or(std::mem::take(&mut row.alt));
        row.position = position.unwrap_or(row.position);
        diesel::update(photos::table.find(id))
            .set((photos::caption.eq(&row.caption), photos::alt.eq(&row.alt), photos::position.eq(row.position)))
            .execute(conn)?;
        Ok(Done::saved("photo.update", format!("album:{album}/photo:{id}"), Photo::from(row)))
    })
    .await
}

/// Remove a photo from an album
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "albums",
    params(
        ("album" = String, Path, description = "Album slug", example = "le-hoi-con-son-kiep-bac"),
        ("photo" = i64, Path, description = "Photo id", example = 1),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
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
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        find_photo(conn, site.id, &album, id)?;
        diesel::delete(photos::table.find(id)).execute(conn)?;
        Ok(Done::deleted("photo.delete", format!("album:{album}/photo:{id}")))
    })
    .await
}
