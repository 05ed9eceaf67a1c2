//! Sites: the wards and communes one deployment serves; [`context`] is what every public read
//! of one starts with; [`settings`] is how editors change a site's contacts.

pub mod context;
pub mod settings;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, FixedOffset, NaiveDateTime};
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::core::error::ApiError;
use crate::db::{self, AnyConnection, schema::sites};
use crate::http::{Data, List, Page, PageParams, cached_json, list_response};

/// A site as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sites)]
pub struct SiteRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub time_zone: String,
    #[diesel(embed)]
    pub settings: Settings,
}

/// A site's contacts and what frames its pages (Law on Access to Information Art. 17.1.m,
/// Decree 224/2026 Art. 9.1.c); empty strings for what a site has not set.
#[derive(Debug, Clone, Default, Queryable, Selectable)]
#[diesel(table_name = sites)]
pub struct Settings {
    /// The ward's office.
    pub address: String,
    pub phone: String,
    pub fax: String,
    pub email: String,
    /// An upload of the site or an http(s) URL.
    pub logo_url: String,
    /// An upload of the site or an http(s) URL.
    pub banner_url: String,
    /// Plain text under every page (the agency in charge, the licence line).
    pub footer_text: String,
    /// Where the site's frontend is served (`https://chiminh.chilinh.haiduong.gov.vn`); feeds
    /// and sitemaps give absolute addresses under it.
    pub base_url: String,
}

/// A site with its time zone parsed: the context of every per-site request.
#[derive(Debug, Clone)]
pub struct Site {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub tz: Tz,
    pub settings: Settings,
}

impl Site {
    /// A UTC time from the database in this site's offset.
    pub fn local(&self, utc: NaiveDateTime) -> DateTime<FixedOffset> {
        utc.and_utc().with_timezone(&self.tz).fixed_offset()
    }

    /// A wall-clock time of the site as UTC. A time a clock change skips counts as the first
    /// minute after the change; a time it repeats, as the first of the two.
    pub fn to_utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        use chrono::{TimeZone, Timelike};
        let mut probe = local;
        // A gap is at most a few hours long: step out of it a minute at a time.
        for _ in 0..24 * 60 {
            if let Some(t) = self.tz.from_local_datetime(&probe).earliest() {
                return t.naive_utc();
            }
            probe = (probe + chrono::Duration::minutes(1)).with_second(0).unwrap_or(probe);
        }
        local
    }
}

impl Site {
    /// The frontend's URL of `path` (`/tin-trong-phuong/ten-bai`): the site's public base URL
    /// (`base_url`, empty when unset) and the path. The frontend's paths: `/` its home,
    /// `/{category}` a category, `/{category}/{article}` an article, `/trang/{path}` a page,
    /// `/van-ban/{id}` a document.
    pub fn public_url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.base_url)
    }

    /// Today in this site's time zone.
    pub fn today(&self) -> chrono::NaiveDate {
        self.local(chrono::Utc::now().naive_utc()).date_naive()
    }
}

/// Stores a new site in the time zone of Vietnam, with the visit total carried over from its
/// old portal (the demo and the generator make sites; no route does). Returns its id.
pub fn insert(
    conn: &mut AnyConnection,
    slug: &str,
    name: &str,
    description: &str,
    visits_imported: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(sites::table)
        .values((
            sites::slug.eq(slug),
            sites::name.eq(name),
            sites::description.eq(description),
            sites::time_zone.eq("Asia/Ho_Chi_Minh"),
            sites::created_at.eq(now),
            sites::visits_imported.eq(visits_imported),
        ))
        .returning(sites::id)
        .get_result(conn)
}

/// The Monday of `day`'s week: weeks start on Monday.
pub fn week_start(day: chrono::NaiveDate) -> chrono::NaiveDate {
    use chrono::Datelike;
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

impl crate::http::input::LocalClock for Site {
    fn to_utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        Site::to_utc(self, local)
    }
}

impl From<SiteRow> for Site {
    fn from(row: SiteRow) -> Self {
        let tz = row.time_zone.parse().unwrap_or_else(|_| {
            tracing::warn!(site = %row.slug, time_zone = %row.time_zone, "unknown time zone, using Asia/Ho_Chi_Minh");
            chrono_tz::Asia::Ho_Chi_Minh
        });
        Site { id: row.id, slug: row.slug, name: row.name, description: row.description, tz, settings: row.settings }
    }
}

/// A ward or commune portal.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "slug": "phuong-chi-minh", "name": "Phường Chí Minh",
    "description": "Cổng thông tin điện tử phường Chí Minh, thành phố Chí Linh, tỉnh Hải Dương",
    "time_zone": "Asia/Ho_Chi_Minh",
    "address": "Số 1 đường Nguyễn Trãi, phường Chí Minh, thành phố Chí Linh, tỉnh Hải Dương",
    "phone": "0220 3882 123", "fax": "0220 3882 124", "email": "ubndchiminh@haiduong.gov.vn",
    "logo_url": "/uploads/3f/3fa2c9e1b0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e.png",
    "banner_url": "", "footer_text": "Cơ quan chủ quản: Ủy ban nhân dân phường Chí Minh",
    "base_url": "https://chiminh.chilinh.haiduong.gov.vn"
}))]
pub struct SiteView {
    pub id: i64,
    /// The site's name in URLs.
    pub slug: String,
    pub name: String,
    pub description: String,
    /// IANA time zone: days and weeks of the site follow it.
    pub time_zone: String,
    /// The ward's office.
    pub address: String,
    pub phone: String,
    pub fax: String,
    pub email: String,
    /// An upload of the site or an http(s) URL; empty when not set.
    pub logo_url: String,
    /// An upload of the site or an http(s) URL; empty when not set.
    pub banner_url: String,
    /// Plain text under every page.
    pub footer_text: String,
    /// Where the site's frontend is served; empty when not set.
    pub base_url: String,
}

impl From<&Site> for SiteView {
    fn from(s: &Site) -> Self {
        SiteView {
            id: s.id,
            slug: s.slug.clone(),
            name: s.name.clone(),
            description: s.description.clone(),
            time_zone: s.tz.name().to_owned(),
            address: s.settings.address.clone(),
            phone: s.settings.phone.clone(),
            fax: s.settings.fax.clone(),
            email: s.settings.email.clone(),
            logo_url: s.settings.logo_url.clone(),
            banner_url: s.settings.banner_url.clone(),
            footer_text: s.settings.footer_text.clone(),
            base_url: s.settings.base_url.clone(),
        }
    }
}

/// Loads the site named `slug`, or a 404 naming it.
pub fn find(conn: &mut AnyConnection, slug: &str) -> Result<Site, ApiError> {
    sites::table
        .filter(sites::slug.eq(slug))
        .select(SiteRow::as_select())
        .first(conn)
        .optional()?
        .map(Site::from)
        .ok_or_else(|| ApiError::not_found(format!("no site {slug:?}")))
}

/// List the sites
///
/// Every ward and commune this deployment serves, by name.
#[utoipa::path(
    tag = "sites",
    params(PageParams),
    responses(
        (status = 200, description = "A page of sites", body = List<SiteView>,
         headers(("ETag" = String), ("Cache-Control" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites")]
pub async fn list_sites(
    state: web::Data<AppState>,
    req: HttpRequest,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = Page::from_params(&params)?;
    let (rows, total) = db::read(&state.pool, move |conn| {
        let total: i64 = sites::table.count().get_result(conn)?;
        let rows: Vec<SiteRow> = sites::table
            .select(SiteRow::as_select())
            .order((sites::name.asc(), sites::id.asc()))
            .limit(page.limit())
            .offset(page.offset())
            .load(conn)?;
        Ok((rows, total))
    })
    .await?;
    let data: Vec<SiteView> = rows.into_iter().map(|r| SiteView::from(&Site::from(r))).collect();
    list_response(&req, data, page, total, state.cache)
}

/// Get a site
///
/// One ward or commune by its slug: its name, description and time zone, which every date of
/// its answers follows.
#[utoipa::path(
    tag = "sites",
        responses(
        (status = 200, description = "The site", body = Data<SiteView>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}")]
pub async fn get_site(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let site = db::read(&state.pool, move |conn| find(conn, &slug)).await?;
    cached_json(&req, &Data { data: SiteView::from(&site) }, state.cache)
}

/// Registers the site routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_sites).service(get_site);
}

/// The next midnight of each site's time zone: what depends on the day (a document's status,
/// the calendar's current week) changes then without any write, so the cache sync makes the site's kept
/// answers stale (see [`crate::cache::DueTimes`]).
pub fn next_midnights(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<Vec<(i64, Option<NaiveDateTime>)>> {
    let zones: Vec<(i64, String)> = sites::table.select((sites::id, sites::time_zone)).load(conn)?;
    Ok(zones
        .into_iter()
        .map(|(id, zone)| {
            let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::Asia::Ho_Chi_Minh);
            let local = now.and_utc().with_timezone(&tz).date_naive();
            let midnight = (local + chrono::Duration::days(1)).and_time(chrono::NaiveTime::MIN);
            let at = chrono::TimeZone::from_local_datetime(&tz, &midnight).earliest().map(|t| t.naive_utc());
            (id, at)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn site(tz: Tz) -> Site {
        Site {
            id: 1,
            slug: "s".into(),
            name: "S".into(),
            description: String::new(),
            tz,
            settings: Settings::default(),
        }
    }

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap().and_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn wall_clock_times_become_utc() {
        assert_eq!(site(chrono_tz::Asia::Ho_Chi_Minh).to_utc(at(1, 7, 0)), at(1, 0, 0));
        // Berlin skips 02:00-03:00 on 29 March 2026: 02:10 is taken as 03:00 (01:00 UTC).
        let berlin = site(chrono_tz::Europe::Berlin);
        assert_eq!(berlin.to_utc(at(29, 2, 10)), at(29, 1, 0));
        assert_eq!(berlin.to_utc(at(29, 1, 59)), at(29, 0, 59));
    }
}
