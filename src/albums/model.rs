//! Albums and photos as stored and as shown, and the queries that read them.

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use crate::core::error::ApiError;
use crate::db::schema::{albums, photos};
use crate::db::{AnyConnection, MultiBackend};
use crate::http::list_total;
use crate::sites::Site;

/// The most photos an album holds.
pub const MAX_PHOTOS: i64 = 1000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = albums)]
pub struct AlbumRow {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub published_at: NaiveDateTime,
}

/// Stores a new album of site `site_id`; returns its id.
pub fn insert_album(conn: &mut AnyConnection, site_id: i64, row: &AlbumRow) -> QueryResult<i64> {
    let now = Utc::now().naive_utc();
    diesel::insert_into(albums::table)
        .values((
            albums::site_id.eq(site_id),
            albums::slug.eq(&row.slug),
            albums::title.eq(&row.title),
            albums::description.eq(&row.description),
            albums::published_at.eq(row.published_at),
            albums::created_at.eq(now),
            albums::updated_at.eq(now),
        ))
        .returning(albums::id)
        .get_result(conn)
}

/// A photo to store: the image and its two smaller copies, where it sits in its album.
pub struct NewPhoto<'a> {
    pub album_id: i64,
    pub upload_id: Option<i64>,
    pub image_url: &'a str,
    pub thumbnail_url: &'a str,
    pub medium_url: &'a str,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub caption: &'a str,
    /// The image's text alternative, for screen readers.
    pub alt: &'a str,
    pub position: i32,
}

/// Stores a new photo; returns its id.
pub fn insert_photo(conn: &mut AnyConnection, p: &NewPhoto) -> QueryResult<i64> {
    diesel::insert_into(photos::table)
        .values((
            photos::album_id.eq(p.album_id),
            photos::upload_id.eq(p.upload_id),
            photos::image_url.eq(p.image_url),
            photos::thumbnail_url.eq(p.thumbnail_url),
            photos::medium_url.eq(p.medium_url),
            photos::width.eq(p.width),
            photos::height.eq(p.height),
            photos::caption.eq(p.caption),
            photos::alt.eq(p.alt),
            photos::position.eq(p.position),
            photos::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(photos::id)
        .get_result(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = photos)]
pub(super) struct PhotoRow {
    pub(super) id: i64,
    pub(super) image_url: String,
    pub(super) thumbnail_url: String,
    pub(super) medium_url: String,
    pub(super) width: Option<i32>,
    pub(super) height: Option<i32>,
    pub(super) caption: String,
    pub(super) position: i32,
    pub(super) alt: String,
}

/// A photo of an album.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "caption": "Lễ hội mùa xuân Côn Sơn - Kiếp Bạc", "alt": "Đoàn rước kiệu qua cổng đền Kiếp Bạc", "position": 1,
    "url": "/uploads/3f/3fa2c9e1b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e.jpg",
    "thumbnail_url": "/uploads/3f/3fa2c9e1b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e-thumb.jpg",
    "medium_url": "/uploads/3f/3fa2c9e1b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e-medium.jpg",
    "width": 1600, "height": 1067}))]
pub struct Photo {
    pub id: i64,
    pub caption: String,
    /// The image's text alternative (Circular 26/2020/TT-BTTTT), for `alt`; empty when not set.
    pub alt: String,
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
            alt: r.alt,
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
    "cover": {"id": 1, "caption": "Khai hội", "alt": "Nghi lễ khai hội trước sân đền", "position": 1, "url": "/uploads/3f/3fa2.jpg",
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
    "photos": [{"id": 1, "caption": "Khai hội", "alt": "Nghi lễ khai hội trước sân đền", "position": 1, "url": "/uploads/3f/3fa2.jpg",
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

pub(super) fn photos_of(conn: &mut AnyConnection, album_ids: &[i64]) -> QueryResult<Vec<PhotoRow>> {
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
pub(super) struct AlbumPage {
    pub(super) site_id: i64,
    pub(super) limit: i64,
    pub(super) offset: i64,
}

impl diesel::query_builder::QueryId for AlbumPage {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for AlbumPage {
    type SqlType = (
        (BigInt, Text, Text, Text, Timestamp),
        BigInt,
        Nullable<(BigInt, Text, Text, Text, Nullable<Integer>, Nullable<Integer>, Text, Integer, Text)>,
    );
}

impl RunQueryDsl<AnyConnection> for AlbumPage {}

impl diesel::query_builder::QueryFragment<MultiBackend> for AlbumPage {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql(
            "SELECT a.id, a.slug, a.title, a.description, a.published_at, \
             (SELECT COUNT(*) FROM photos n WHERE n.album_id = a.id), \
             c.id, c.image_url, c.thumbnail_url, c.medium_url, c.width, c.height, c.caption, c.position, c.alt \
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

pub(super) fn find(conn: &mut AnyConnection, site_id: i64, slug: &str) -> Result<AlbumRow, ApiError> {
    albums::table
        .filter(albums::site_id.eq(site_id))
        .filter(albums::slug.eq(slug))
        .select(AlbumRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no album {slug:?} in this site")))
}

pub(super) fn detail(conn: &mut AnyConnection, site: &Site, row: AlbumRow) -> QueryResult<AlbumDetail> {
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
