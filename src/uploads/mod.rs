//! Uploads: images and documents, typed by their bytes (never by their name), stored under
//! their content hash, and served with long-lived cache headers and `Range` support. Images
//! get their width and height recorded and `thumbnail` and `medium` variants.

pub mod files;

pub use files::{ImagePool, MAX_IMAGE_SIDE, MAX_PIXELS, MEDIUM, PUBLIC_PREFIX, THUMBNAIL, sniff};

use std::path::{Path, PathBuf};

use actix_files::NamedFile;
use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::audit::{self, Origin};
use crate::auth::{Caller, Role, on_site};
use crate::core::error::{ApiError, Problem};
use crate::db::schema::uploads;
use crate::db::{self, AnyConnection};
use crate::http::body::Body;
use crate::http::input::{Checker, Need};
use crate::http::{Data, List, Page, PageParams, private_json, private_list_response};
use crate::sites::{self, Site};

use files::*;

/// An uploaded file.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 7, "url": "/uploads/3f/3fa2c9e1b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e.jpg",
    "content_type": "image/jpeg", "size_bytes": 482133, "original_name": "ngay-hoi-dai-doan-ket.jpg",
    "alt": "Nhân dân tổ dân phố dự Ngày hội Đại đoàn kết",
    "width": 1600, "height": 1067,
    "variants": {"thumbnail": "/uploads/3f/3fa2c9e1b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e-thumb.jpg",
                 "medium": "/uploads/3f/3fa2c9e1b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e-medium.jpg"},
    "created_at": "2026-11-26T08:15:00Z"
}))]
pub struct UploadView {
    pub id: i64,
    /// Where the file is served; it never changes, so it may be cached for good.
    pub url: String,
    /// The type read from the file's bytes.
    pub content_type: String,
    pub size_bytes: i64,
    /// The name the file was uploaded with (for display only).
    pub original_name: String,
    /// What an image shows, for `alt` (Circular 26/2020/TT-BTTTT); empty until staff set it.
    pub alt: String,
    /// Pixels, for images.
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// Smaller copies of images; for a small image, the image itself.
    pub variants: Option<Variants>,
    pub created_at: DateTime<Utc>,
}

/// Smaller copies of an image.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"thumbnail": "/uploads/3f/3fa2c9e1b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e-thumb.jpg",
    "medium": "/uploads/3f/3fa2c9e1b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e-medium.jpg"}))]
pub struct Variants {
    /// At most 320×320.
    pub thumbnail: String,
    /// At most 1024×1024.
    pub medium: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = uploads)]
struct UploadRow {
    id: i64,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    original_name: String,
    width: Option<i32>,
    height: Option<i32>,
    thumbnail_name: Option<String>,
    medium_name: Option<String>,
    created_at: NaiveDateTime,
    alt: String,
}

pub fn url_of(file_name: &str) -> String {
    format!("{PUBLIC_PREFIX}/{}/{file_name}", &file_name[..2])
}

impl From<UploadRow> for UploadView {
    fn from(r: UploadRow) -> Self {
        let variants = r.width.map(|_| Variants {
            thumbnail: url_of(r.thumbnail_name.as_deref().unwrap_or(&r.file_name)),
            medium: url_of(r.medium_name.as_deref().unwrap_or(&r.file_name)),
        });
        UploadView {
            id: r.id,
            url: url_of(&r.file_name),
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            original_name: r.original_name,
            alt: r.alt,
            width: r.width,
            height: r.height,
            variants,
            created_at: r.created_at.and_utc(),
        }
    }
}

/// The upload `id` of the site, if there is one.
pub fn find(conn: &mut AnyConnection, site_id: i64, id: i64) -> QueryResult<Option<UploadView>> {
    let row = uploads::table
        .filter(uploads::site_id.eq(site_id))
        .filter(uploads::id.eq(id))
        .select(UploadRow::as_select())
        .first::<UploadRow>(conn)
        .optional()?;
    Ok(row.map(UploadView::from))
}

/// Reads the `file` part of a multipart body, up to `max` bytes.
async fn read_file(mut form: Multipart, max: usize) -> Result<(String, Vec<u8>), ApiError> {
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| ApiError::invalid("file", format!("a malformed multipart body: {e}")))?;
        if field.name() != Some("file") {
            continue;
        }
        let name = field.content_disposition().and_then(|d| d.get_filename()).unwrap_or("").to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| ApiError::invalid("file", format!("the upload broke off: {e}")))?;
            if bytes.len() + chunk.len() > max {
                return Err(ApiError::PayloadTooLarge(format!("files may be at most {max} bytes")));
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            return Err(ApiError::Validation(vec![crate::http::field_error("file", "is empty")]));
        }
        return Ok((name, bytes));
    }
    Err(ApiError::Validation(vec![crate::http::field_error(
        "file",
        "is required: send the file as the multipart field \"file\"",
    )]))
}

/// The form of an upload: one file.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Read by the multipart parser, not deserialised: it describes the form.
pub struct UploadForm {
    /// The file; its type is read from its bytes, not from its name.
    #[schema(value_type = String, format = Binary, min_length = 1)]
    file: Vec<u8>,
}

/// Upload a file
///
/// An image (JPEG, PNG, WebP, GIF) or a document (PDF, Word, Excel, PowerPoint) as the
/// multipart field `file`. The type is read from the bytes, not the name. The same file twice
/// answers 200 with the first upload. Roles: authors, editors and admins of the site.
#[utoipa::path(
    tag = "uploads",
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "The field `file`"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = Data<UploadView>, headers(("Location" = String))),
        (status = 200, description = "The same file was uploaded before", body = Data<UploadView>),
        (status = 413, description = "Larger than PORTAL_UPLOAD_MAX_BYTES", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or a type of file not accepted", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No `file` field, an unreadable image, or one of more than 50,000,000 pixels (named `file`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sites/{site}/uploads")]
pub async fn create_upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    // Who and where first, so no one streams a large body only to be refused.
    let (site, origin) = on_site(&state, &req, caller, path.into_inner(), Role::Author, |_, site, _, _, origin| {
        Ok((site.clone(), origin.clone()))
    })
    .await?;
    if !multipart {
        return Err(ApiError::UnsupportedMediaType(
            "send the file as multipart/form-data in the field \"file\"".into(),
        ));
    }
    let (name, bytes) = read_file(form, state.upload_max_bytes).await?;
    let kind = sniff(&bytes, &name).ok_or_else(|| {
        ApiError::UnsupportedMediaType(
            "accepted: JPEG, PNG, WebP, GIF images; PDF, Word, Excel, PowerPoint documents; MP4, M4A, MP3, WebM, Ogg audio and video".into(),
        )
    })?;
    let sha256 = sha256_hex(&bytes);
    // The same file again is answered from its row, without decoding it again.
    let (site_id, hash) = (site.id, sha256.clone());
    let existing = db::run(&state.pool, move |conn| Ok(existing(conn, site_id, &hash)?)).await?;
    let (row, created) = match existing {
        Some(row) => (row, false),
        None => {
            let dir = state.upload_dir.clone();
            let stored = if kind.image.is_some() {
                state.images.run(move || store(&dir, &bytes, kind, sha256)).await?
            } else {
                web::block(move || store(&dir, &bytes, kind, sha256))
                    .await
                    .map_err(|e| ApiError::internal(e.to_string()))??
            };
            let original_name: String = name.chars().filter(|c| !c.is_control()).take(255).collect();
            db::run(&state.pool, move |conn| insert(conn, &site, &origin, stored, &original_name)).await?
        }
    };
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    let view = UploadView::from(row);
    let url = view.url.clone();
    private_json(&Data { data: view }, status, |res| {
        if created {
            res.insert_header((header::LOCATION, url));
        }
    })
}

fn insert(
    conn: &mut AnyConnection,
    site: &Site,
    origin: &Origin,
    s: Stored,
    original_name: &str,
) -> Result<(UploadRow, bool), ApiError> {
    // Stored by someone else meanwhile.
    if let Some(row) = existing(conn, site.id, &s.sha256)? {
        return Ok((row, false));
    }
    conn.transaction::<_, ApiError, _>(|conn| {
        let id = insert_row(conn, site.id, &s, original_name, Some(origin.user_id))?;
        audit::record(conn, origin, "upload.create", &format!("upload:{id}"), Some(site.id))?;
        Ok((uploads::table.find(id).select(UploadRow::as_select()).first(conn)?, true))
    })
}

/// The upload of `site_id` with these bytes, if any.
fn existing(conn: &mut AnyConnection, site_id: i64, sha256: &str) -> QueryResult<Option<UploadRow>> {
    uploads::table
        .filter(uploads::site_id.eq(site_id))
        .filter(uploads::sha256.eq(sha256))
        .select(UploadRow::as_select())
        .first(conn)
        .optional()
}

/// Writes the row of a stored file and returns its id.
fn insert_row(
    conn: &mut AnyConnection,
    site_id: i64,
    s: &Stored,
    original_name: &str,
    created_by: Option<i64>,
) -> QueryResult<i64> {
    diesel::insert_into(uploads::table)
        .values((
            uploads::site_id.eq(site_id),
            uploads::sha256.eq(&s.sha256),
            uploads::file_name.eq(&s.file_name),
            uploads::content_type.eq(s.kind.content_type),
            uploads::size_bytes.eq(s.size as i64),
            uploads::original_name.eq(original_name),
            uploads::width.eq(s.width.map(|w| w as i32)),
            uploads::height.eq(s.height.map(|h| h as i32)),
            uploads::thumbnail_name.eq(&s.thumbnail),
            uploads::medium_name.eq(&s.medium),
            uploads::created_by.eq(created_by),
            uploads::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(uploads::id)
        .get_result(conn)
}

/// Stores a file for a site outside any request (the demo's images): no creator, no audit
/// entry. The file must be of an accepted type.
pub fn import(
    conn: &mut AnyConnection,
    dir: &Path,
    site_id: i64,
    bytes: &[u8],
    name: &str,
) -> Result<UploadView, ApiError> {
    let kind = sniff(bytes, name).ok_or_else(|| ApiError::internal(format!("{name}: not an accepted type")))?;
    let stored = store(dir, bytes, kind, sha256_hex(bytes))?;
    let id = insert_row(conn, site_id, &stored, name, None)?;
    Ok(UploadView::from(uploads::table.find(id).select(UploadRow::as_select()).first::<UploadRow>(conn)?))
}

/// List a site's uploads
///
/// Newest first: the site's media library. Roles: authors, editors and admins of the site.
#[utoipa::path(
    tag = "uploads",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of uploads", body = List<UploadView>, headers(("Link" = String))),
    )
)]
#[get("/sites/{site}/uploads")]
pub async fn list_uploads(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = Page::from_params(&params)?;
    let site_slug = path.into_inner();
    let (rows, total) = db::run(&state.pool, move |conn| {
        let site = sites::find(conn, &site_slug)?;
        caller.actor(conn)?.require(site.id, Role::Author)?;
        let total: i64 = uploads::table.filter(uploads::site_id.eq(site.id)).count().get_result(conn)?;
        let rows: Vec<UploadRow> = uploads::table
            .filter(uploads::site_id.eq(site.id))
            .order(uploads::id.desc())
            .limit(page.limit())
            .offset(page.offset())
            .select(UploadRow::as_select())
            .load(conn)?;
        Ok((rows, total))
    })
    .await?;
    private_list_response(&req, rows.into_iter().map(UploadView::from).collect(), page, total)
}

/// What staff set on an upload.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"alt": "Nhân dân tổ dân phố dự Ngày hội Đại đoàn kết"}))]
pub struct UploadInput {
    /// What the image shows, up to 300 characters; empty clears it.
    #[schema(max_length = 300)]
    pub alt: Option<String>,
}

/// Describe an upload
///
/// Sets an upload's text alternative, for the frontends that show it. Roles: authors, editors
/// and admins of the site.
#[utoipa::path(
    tag = "uploads",
    params(
        ("upload" = i64, Path, description = "Upload id", example = 7),
    ),
    request_body = UploadInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<UploadView>),
        (status = 404, description = "No such site or upload", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/uploads/{upload}")]
pub async fn update_upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, i64)>,
    body: Body<UploadInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    crate::auth::staff::write(&state, &req, caller, site, Role::Author, move |conn, site| {
        let input = body.parse()?;
        let mut check = Checker::default();
        let alt = check.text("alt", input.alt, 300, Need::Optional);
        check.finish()?;
        find(conn, site.id, id)?.ok_or_else(|| ApiError::not_found(format!("no upload {id} in this site")))?;
        if let Some(alt) = alt {
            diesel::update(uploads::table.find(id)).set(uploads::alt.eq(alt)).execute(conn)?;
        }
        let view = find(conn, site.id, id)?.ok_or_else(|| ApiError::internal("the upload went away"))?;
        Ok(crate::auth::staff::Done::saved("upload.update", format!("upload:{id}"), view))
    })
    .await
}

/// True for a stored file's name: a SHA-256, maybe a variant suffix, and a known extension.
fn is_stored_name(prefix: &str, name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    let hash = stem.strip_suffix("-thumb").or_else(|| stem.strip_suffix("-medium")).unwrap_or(stem);
    hash.len() == 64
        && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && prefix.len() == 2
        && hash.starts_with(prefix)
        && EXTENSIONS.contains(&ext)
}

/// Get an uploaded file
///
/// The file's bytes with its type, a strong ETag, `Cache-Control: immutable` (names are
/// content hashes, so a name never changes content) and `Range` support for partial reads.
#[utoipa::path(
    tag = "uploads",
    params(
        ("prefix" = String, Path, description = "The first two characters of the name", example = "3f"),
        ("name" = String, Path, description = "The stored name", example = "3fa2c9e1b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e.jpg"),
        ("Range" = Option<String>, Header, description = "Bytes wanted", example = "bytes=0-1023"),
    ),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 206, description = "Part of the file (Range)", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json"),
        (status = 416, description = "A range outside the file", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/uploads/{prefix}/{name}")]
pub async fn get_upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (prefix, name) = path.into_inner();
    if !is_stored_name(&prefix, &name) {
        return Err(ApiError::not_found("no such file"));
    }
    let file: PathBuf = state.upload_dir.join(&prefix).join(&name);
    let named = NamedFile::open_async(&file).await.map_err(|_| ApiError::not_found("no such file"))?;
    let document = !name.rsplit_once('.').is_some_and(|(_, ext)| INLINE.contains(&ext));
    let named = if document {
        named.set_content_disposition(header::ContentDisposition {
            disposition: header::DispositionType::Attachment,
            parameters: vec![header::DispositionParam::Filename(name.clone())],
        })
    } else {
        named
    };
    let mut res = named.use_etag(true).use_last_modified(true).into_response(&req);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("public, max-age=31536000, immutable"));
    res.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    res.extensions_mut().insert(crate::http::guards::Embeddable);
    Ok(res)
}

/// Registers the upload routes under the API scope.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_upload).service(list_uploads).service(update_upload);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stored_names_are_served() {
        let hash = "3f".to_owned() + &"a".repeat(62);
        assert!(is_stored_name("3f", &format!("{hash}.jpg")));
        assert!(is_stored_name("3f", &format!("{hash}-thumb.png")));
        assert!(!is_stored_name("3f", "../../etc/passwd"));
        assert!(!is_stored_name("aa", &format!("{hash}.jpg")));
        assert!(!is_stored_name("3f", &format!("{hash}.exe")));
    }
}
