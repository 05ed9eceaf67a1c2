//! Article rows as stored and as the API shows them.

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::categories::tree::CategoryRef;
use crate::db::schema::articles;
use crate::sites::Site;

pub use crate::publishing::{DRAFT, PUBLISHED, REVIEW, TRASHED};

/// An article as stored, without its body (lists).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleListRow {
    pub id: i64,
    pub category_id: i64,
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub cover_image_url: Option<String>,
    pub cover_image_alt: String,
    pub author_name: Option<String>,
    pub status: String,
    #[diesel(deserialize_as = crate::db::stamp::OptStamp)]
    pub published_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::db::stamp::Stamp)]
    pub updated_at: NaiveDateTime,
}

/// An article as stored, with its body.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleRow {
    pub id: i64,
    pub site_id: i64,
    pub category_id: i64,
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub body_html: String,
    pub cover_image_url: Option<String>,
    pub cover_image_alt: String,
    pub author_name: Option<String>,
    pub status: String,
    #[diesel(deserialize_as = crate::db::stamp::OptStamp)]
    pub published_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::db::stamp::Stamp)]
    pub updated_at: NaiveDateTime,
    pub created_by: Option<i64>,
    pub version: i32,
}

impl ArticleRow {
    /// The ETag writers send back in `If-Match`: it changes with every save.
    pub fn etag(&self) -> String {
        crate::publishing::etag("a", self.id, self.version)
    }
}

/// The fields a link to an article needs.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleLinkRow {
    pub id: i64,
    pub title: String,
    pub slug: String,
    #[diesel(deserialize_as = crate::db::stamp::OptStamp)]
    pub published_at: Option<NaiveDateTime>,
}

/// An article in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1,
    "slug": "dang-bo-phuong-chi-minh-chuan-bi-dai-hoi-dang-bo-lan-thu-xxiv-nhiem-ky-2020-2025",
    "title": "Đảng bộ phường Chí Minh chuẩn bị Đại hội Đảng bộ lần thứ XXIV, nhiệm kỳ 2020-2025",
    "summary": "Thời gian qua, Đảng bộ phường Chí Minh đã chủ động, nghiêm túc trong công tác lãnh đạo...",
    "cover_image_url": null,
    "cover_image_alt": "",
    "author_name": "Văn phòng Đảng ủy phường",
    "category": {"id": 4, "slug": "dang-uy-xa", "name": "Đảng ủy xã"},
    "status": "published",
    "published_at": "2020-05-15T08:30:00+07:00",
    "updated_at": "2020-05-15T08:30:00+07:00"
}))]
pub struct ArticleSummary {
    pub id: i64,
    pub slug: String,
    pub title: String,
    /// The lead paragraph, plain text.
    pub summary: String,
    pub cover_image_url: Option<String>,
    /// The cover's text alternative (Circular 26/2020/TT-BTTTT), for `alt`; empty when none.
    pub cover_image_alt: String,
    pub author_name: Option<String>,
    pub category: CategoryRef,
    /// `published` for readers; staff also see `draft`, `review` and `trashed`.
    pub status: String,
    /// When it was (or is scheduled to be) published, in the site's offset; null for drafts.
    #[serde(serialize_with = "crate::http::serialize_opt_time")]
    pub published_at: Option<DateTime<FixedOffset>>,
    /// When it was last changed, in the site's offset.
    #[serde(serialize_with = "crate::http::serialize_time")]
    pub updated_at: DateTime<FixedOffset>,
}

impl ArticleSummary {
    pub fn new(site: &Site, row: ArticleListRow, category: CategoryRef) -> Self {
        debug_assert_eq!(row.category_id, category.id);
        ArticleSummary {
            id: row.id,
            slug: row.slug,
            title: row.title,
            summary: row.summary,
            cover_image_url: row.cover_image_url,
            cover_image_alt: row.cover_image_alt,
            author_name: row.author_name,
            category,
            status: row.status,
            published_at: row.published_at.map(|t| site.local(t)),
            updated_at: site.local(row.updated_at),
        }
    }
}

/// A link to another article: related, previous, next.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 7, "title": "Thăm \"phố tơ lụa\" ở thành phố Hải Dương",
    "slug": "tham-pho-to-lua-o-thanh-pho-hai-duong", "published_at": "2014-08-19T09:00:00+07:00"
}))]
pub struct ArticleLink {
    pub id: i64,
    pub title: String,
    pub slug: String,
    #[serde(serialize_with = "crate::http::serialize_time")]
    pub published_at: DateTime<FixedOffset>,
}

impl ArticleLink {
    pub fn new(site: &Site, row: ArticleLinkRow) -> Self {
        ArticleLink {
            id: row.id,
            title: row.title,
            slug: row.slug,
            published_at: site.local(row.published_at.unwrap_or_default()),
        }
    }
}

/// One article with its body, category, related articles and neighbours.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1,
    "slug": "dang-bo-phuong-chi-minh-chuan-bi-dai-hoi-dang-bo-lan-thu-xxiv-nhiem-ky-2020-2025",
    "title": "Đảng bộ phường Chí Minh chuẩn bị Đại hội Đảng bộ lần thứ XXIV, nhiệm kỳ 2020-2025",
    "summary": "Thời gian qua, Đảng bộ phường Chí Minh đã chủ động, nghiêm túc trong công tác lãnh đạo...",
    "body_html": "<p>Thực hiện Chỉ thị 35-CT/TW, ngày 30/5/2019 của Bộ Chính trị...</p>",
    "cover_image_url": null,
    "cover_image_alt": "",
    "author_name": "Văn phòng Đảng ủy phường",
    "category": {"id": 4, "slug": "dang-uy-xa", "name": "Đảng ủy xã"},
    "status": "published",
    "version": 1,
    "published_at": "2020-05-15T08:30:00+07:00",
    "updated_at": "2020-05-15T08:30:00+07:00",
    "seo": {"title": "Đảng bộ phường Chí Minh chuẩn bị Đại hội Đảng bộ lần thứ XXIV, nhiệm kỳ 2020-2025",
        "description": "Thời gian qua, Đảng bộ phường Chí Minh đã chủ động, nghiêm túc trong công tác lãnh đạo…",
        "image_url": null,
        "canonical_url": "https://chiminh.chilinh.haiduong.gov.vn/dang-uy-xa/dang-bo-phuong-chi-minh-chuan-bi-dai-hoi-dang-bo-lan-thu-xxiv-nhiem-ky-2020-2025",
        "noindex": false},
    "related": [{"id": 7, "title": "Thăm \"phố tơ lụa\" ở thành phố Hải Dương", "slug": "tham-pho-to-lua-o-thanh-pho-hai-duong", "published_at": "2014-08-19T09:00:00+07:00"}],
    "previous": {"id": 3, "title": "Chi bộ khu dân cư Cộng Hòa tổ chức đại hội nhiệm kỳ 2020-2022", "slug": "chi-bo-khu-dan-cu-cong-hoa-to-chuc-dai-hoi-nhiem-ky-2020-2022", "published_at": "2020-03-20T14:00:00+07:00"},
    "next": {"id": 2, "title": "Hội nghị sơ kết công tác xây dựng Đảng 6 tháng đầu năm 2020", "slug": "hoi-nghi-so-ket-cong-tac-xay-dung-dang-6-thang-dau-nam-2020", "published_at": "2020-07-10T15:00:00+07:00"}
}))]
pub struct ArticleDetail {
    pub id: i64,
    pub slug: String,
    pub title: String,
    /// The lead paragraph, plain text.
    pub summary: String,
    /// The body as HTML.
    pub body_html: String,
    pub cover_image_url: Option<String>,
    /// The cover's text alternative, for `alt`; empty when none.
    pub cover_image_alt: String,
    pub author_name: Option<String>,
    pub category: CategoryRef,
    /// `published` for readers; staff also see `draft`, `review` and `trashed`.
    pub status: String,
    /// Bumped by every save.
    pub version: i32,
    /// When it was (or is scheduled to be) published; null for drafts.
    #[serde(serialize_with = "crate::http::serialize_opt_time")]
    pub published_at: Option<DateTime<FixedOffset>>,
    #[serde(serialize_with = "crate::http::serialize_time")]
    pub updated_at: DateTime<FixedOffset>,
    /// For the page's `<head>`: the editor's overrides, else the title, the summary cut to 160
    /// characters, the cover and the article's address on the site's `base_url`.
    pub seo: crate::seo::Seo,
    /// Editor-chosen articles first, then the same category's nearest in date.
    pub related: Vec<ArticleLink>,
    /// The article published just before this one in its category, or null.
    pub previous: Option<ArticleLink>,
    /// The article published just after this one in its category, or null.
    pub next: Option<ArticleLink>,
}

/// Filters of the article list, as the client sent them.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this category (by slug) and its sub-categories.
    #[param(example = "dang-uy-xa")]
    pub category: Option<String>,
    /// Published on or after: a date (`2014-08-19`, the whole day in the site's time zone) or
    /// an RFC 3339 time.
    #[param(example = "2014-08-19")]
    pub from: Option<String>,
    /// Published on or before: a date (`2014-08-19`, the whole day in the site's time zone)
    /// or an RFC 3339 time (exclusive).
    #[param(example = "2020-12-31")]
    pub to: Option<String>,
    /// Words to search for, with or without diacritics, in any case: `hai duong` finds
    /// `Hải Dương`. Every word must appear; the exact phrase ranks first.
    #[param(example = "đảng bộ")]
    pub q: Option<String>,
    /// `newest` (the default without `q`), `oldest`, or `relevance` (the default with `q`).
    #[param(inline, value_type = Option<ArticleSort>, example = "newest")]
    pub sort: Option<String>,
    /// Staff only (with a token for this site): `draft`, `review`, `scheduled`, `trashed` or
    /// `all` instead of the published articles.
    #[param(inline, value_type = Option<StatusFilter>, example = "draft")]
    pub status: Option<String>,
}

/// Which articles a staff list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusFilter {
    /// Public: published and their time has come (the default).
    Published,
    Draft,
    /// Submitted for an editor's review.
    Review,
    /// Published with a time still to come.
    Scheduled,
    Trashed,
    /// Every status.
    All,
}

impl StatusFilter {
    pub fn parse(s: &str) -> Option<StatusFilter> {
        Some(match s {
            "published" => StatusFilter::Published,
            "draft" => StatusFilter::Draft,
            "review" => StatusFilter::Review,
            "scheduled" => StatusFilter::Scheduled,
            "trashed" => StatusFilter::Trashed,
            "all" => StatusFilter::All,
            _ => return None,
        })
    }
}

/// The order of an article list.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ArticleSort {
    /// Newest first.
    Newest,
    /// Oldest first.
    Oldest,
    /// Best match first, then newest (only with `q`).
    Relevance,
}
