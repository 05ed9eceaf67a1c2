//! The home bundle: what a portal's home page shows, in one cached answer, so a frontend
//! renders it with one request instead of six.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::albums::AlbumSummary;
use crate::articles::search::SearchScope;
use crate::articles::{queries, types::ArticleSummary};
use crate::categories::tree::CategoryNode;
use crate::core::error::ApiError;
use crate::desk::Desk;
use crate::http::{Data, cached_json};
use crate::links::LinkGroup;
use crate::media::MediaItem;
use crate::sites::SiteView;

/// Newest articles in the bundle.
pub const ARTICLES: i64 = 10;
/// Newest albums in the bundle.
pub const ALBUMS: i64 = 4;
/// Newest media items in the bundle.
pub const MEDIA: i64 = 3;

/// A site's home page.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "site": {"id": 1, "slug": "phuong-chi-minh", "name": "Phường Chí Minh",
        "description": "Cổng thông tin điện tử phường Chí Minh, thành phố Chí Linh, tỉnh Hải Dương", "time_zone": "Asia/Ho_Chi_Minh",
        "address": "Số 1 đường Nguyễn Trãi, phường Chí Minh, thành phố Chí Linh, tỉnh Hải Dương", "phone": "0220 3882 123",
        "fax": "0220 3882 124", "email": "ubndchiminh@haiduong.gov.vn", "logo_url": "", "banner_url": "",
        "footer_text": "Cơ quan chủ quản: Ủy ban nhân dân phường Chí Minh", "base_url": "https://chiminh.chilinh.haiduong.gov.vn"},
    "categories": [{"id": 4, "slug": "dang-uy-xa", "name": "Đảng ủy xã", "description": "Hoạt động của Đảng bộ phường", "position": 2, "children": []}],
    "latest_articles": [{"id": 1, "slug": "dang-bo-phuong-chi-minh-chuan-bi-dai-hoi-dang-bo-lan-thu-xxiv-nhiem-ky-2020-2025",
        "title": "Đảng bộ phường Chí Minh chuẩn bị Đại hội Đảng bộ lần thứ XXIV, nhiệm kỳ 2020-2025",
        "summary": "Thời gian qua, Đảng bộ phường Chí Minh đã chủ động...", "cover_image_url": null, "cover_image_alt": "", "author_name": "Văn phòng Đảng ủy phường",
        "category": {"id": 4, "slug": "dang-uy-xa", "name": "Đảng ủy xã"}, "status": "published",
        "published_at": "2020-05-15T08:30:00+07:00", "updated_at": "2020-05-15T08:30:00+07:00"}],
    "albums": [{"id": 1, "slug": "le-hoi-mua-xuan-con-son-kiep-bac", "title": "Lễ hội mùa xuân Côn Sơn - Kiếp Bạc", "description": "",
        "published_at": "2020-02-10T09:00:00+07:00", "photo_count": 3, "cover": null}],
    "media": [{"id": 1, "slug": "hat-ve-chi-linh", "title": "Hát về Chí Linh", "description": "", "kind": "video", "file_url": null,
        "content_type": null, "embed_url": "https://www.youtube.com/embed/dQw4w9WgXcQ", "thumbnail_url": null, "duration_seconds": 245,
        "transcript": "", "published_at": "2019-09-02T08:00:00+07:00"}],
    "header_menu": [{"label": "Giới thiệu", "kind": "page", "target": "gioi-thieu", "url": "/trang/gioi-thieu", "children": []}],
    "links": [{"name": "Cơ quan Trung ương", "links": [{"id": 1, "group": "Cơ quan Trung ương", "title": "Cổng Dịch vụ công quốc gia",
        "url": "https://dichvucong.gov.vn", "position": 1}]}],
    "desk": {"name": "Trung tâm Phục vụ hành chính công phường Chí Minh (Bộ phận một cửa)",
        "address": "Trụ sở UBND phường Chí Minh", "phone": "", "email": "", "unit_code": "000.00.14.H23",
        "hours": [{"weekdays": [1, 2, 3, 4, 5], "opens": "07:00", "closes": "11:30"}],
        "fields": [{"name": "Hộ tịch", "procedures": 9}]}
}))]
pub struct Home {
    pub site: SiteView,
    /// The whole category tree.
    pub categories: Vec<CategoryNode>,
    /// The header menu, resolved (see `GET /sites/{site}/menus/{location}`).
    pub header_menu: Vec<crate::menus::MenuItem>,
    /// The 10 newest published articles.
    pub latest_articles: Vec<ArticleSummary>,
    /// The 4 newest albums, with their covers.
    pub albums: Vec<AlbumSummary>,
    /// The 3 newest songs and videos.
    pub media: Vec<MediaItem>,
    /// Every website link, by group.
    pub links: Vec<LinkGroup>,
    /// The one-stop desk, or null when the site has none.
    pub desk: Option<Desk>,
}

/// Get a site's home page
///
/// The site, its category tree, the newest articles, albums and media, its links and its
/// one-stop desk, in one answer (a fixed number of queries, cached like every public read). Visit figures
/// change with every visitor and are not in it: read them from
/// `GET /api/v1/sites/{site}/visits/summary`.
#[utoipa::path(
    tag = "sites",
        responses(
        (status = 200, description = "The home page", body = Data<Home>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/home")]
pub async fn get_home(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let home = crate::sites::context::read(&state, slug, move |conn, context| {
        let site = &context.site;
        let scope = SearchScope::public(site.id, Utc::now().naive_utc());
        let latest_articles = queries::newest(conn, site, &context.categories, &scope, ARTICLES)?;
        Ok(Home {
            site: SiteView::from(site),
            categories: context.tree.roots(),
            header_menu: crate::menus::menu(conn, context, "header")?,
            latest_articles,
            albums: crate::albums::page(conn, site, ALBUMS, 0, false)?.0,
            media: crate::media::page(conn, site, None, MEDIA, 0, false)?.0,
            links: crate::links::groups(conn, site.id)?,
            desk: crate::desk::find_desk(conn, site.id)?,
        })
    })
    .await?;
    cached_json(&req, &Data { data: home }, state.cache)
}
