//! The generator's share of what the law asks a ward to publish: per ward, its pages, officials,
//! documents (some replacing older ones, some expired), a work calendar from a year back to a
//! month ahead and a register of disclosures with documents attached. Through each resource's
//! own functions, as its routes write.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Utc};
use rand::Rng;
use rand::rngs::StdRng;

use super::generate::sentence;
use crate::core::error::ApiError;
use crate::db::AnyConnection;

const OFFICIALS: usize = 12;
const DOCUMENTS: usize = 300;
const CALENDAR_WEEKS: i64 = 56;
const ENTRIES_PER_WEEK: usize = 6;
const DISCLOSURES: usize = 60;

const ISSUERS: &[(&str, &str)] = &[
    ("Ủy ban nhân dân phường", "UBND"),
    ("Đảng ủy phường", "ĐU"),
    ("Hội đồng nhân dân phường", "HĐND"),
    ("Ủy ban Mặt trận Tổ quốc phường", "MTTQ"),
];
const FIELDS: &[&str] = &["Xây dựng Đảng", "Tài chính - Ngân sách", "Đất đai", "Văn hóa - Xã hội", "Tư pháp - Hộ tịch"];

/// Seeds one ward's officials, documents, calendar and disclosures.
pub fn records(
    conn: &mut AnyConnection,
    rng: &mut StdRng,
    words: &[&'static str],
    site: &crate::sites::Site,
) -> Result<(), ApiError> {
    // A public base URL, so that its feeds and sitemaps exist.
    let settings = crate::sites::Settings {
        base_url: format!("https://{}.chilinh.haiduong.gov.vn", site.slug),
        ..site.settings.clone()
    };
    crate::sites::settings::save(conn, site.id, &settings)?;
    for i in 0..OFFICIALS {
        let row = crate::officials::OfficialRow {
            title: sentence(rng, words, 3, 5),
            unit: ISSUERS[i % ISSUERS.len()].0.to_owned(),
            duties: sentence(rng, words, 10, 25),
            phone: format!("0220 38{:02} {:03}", site.id % 100, i),
            email: format!("can-bo-{i}@phuong-{}.gov.vn", site.id),
            leader: i < 4,
            information_contact: i % 5 == 2,
            position: i as i32 + 1,
            ..crate::officials::OfficialRow::named(&sentence(rng, words, 3, 3))
        };
        crate::officials::insert(conn, site.id, &row)?;
    }
    // Three sections of four pages each, published.
    let published = Some(Utc::now().naive_utc() - Duration::days(30));
    for section in 0..3 {
        let top = crate::pages::PageRow {
            id: 0,
            parent_id: None,
            slug: format!("muc-{section}"),
            title: sentence(rng, words, 2, 4),
            summary: sentence(rng, words, 6, 12),
            status: crate::publishing::PUBLISHED.to_owned(),
            published_at: published,
            position: section + 1,
            updated_at: Utc::now().naive_utc(),
            version: 1,
        };
        let body = format!("<p>{}</p>", sentence(rng, words, 60, 200));
        let top_id = crate::pages::model::seed(conn, site.id, &top, &body)?;
        for n in 0..4 {
            let page = crate::pages::PageRow {
                parent_id: Some(top_id),
                slug: format!("trang-{n}"),
                title: sentence(rng, words, 2, 5),
                position: n + 1,
                ..top.clone()
            };
            let body = format!("<p>{}</p>", sentence(rng, words, 60, 200));
            crate::pages::model::seed(conn, site.id, &page, &body)?;
        }
    }
    let today = Utc::now().date_naive();
    let mut ids: Vec<i64> = Vec::with_capacity(DOCUMENTS);
    for i in 0..DOCUMENTS {
        let (issuer, symbol) = ISSUERS[rng.random_range(0..ISSUERS.len())];
        let (kind, _) = crate::documents::model::KINDS[rng.random_range(0..crate::documents::model::KINDS.len())];
        let issued_on = today - Duration::days(rng.random_range(0..5 * 365));
        let letters: String = kind.split('_').filter_map(|w| w.chars().next()).collect::<String>().to_uppercase();
        let row = crate::documents::DocumentRow {
            id: 0,
            kind: kind.to_owned(),
            number: format!("{}-{letters}/{symbol}", i + 1),
            issuer: issuer.to_owned(),
            signer: sentence(rng, words, 3, 3),
            issued_on,
            effective_on: (i % 7 == 0).then(|| issued_on + Duration::days(15)),
            // One in ten is for a year only.
            expires_on: (i % 10 == 3).then(|| issued_on + Duration::days(365)),
            field: FIELDS[rng.random_range(0..FIELDS.len())].to_owned(),
            summary: sentence(rng, words, 12, 30),
            // One in fifteen replaces an earlier one of its own (each replaced once at most).
            replaces_id: (i % 15 == 14).then(|| ids[i - 7]),
            updated_at: Utc::now().naive_utc(),
        };
        ids.push(crate::documents::model::save(conn, site.id, &row, Some(&[]))?);
    }
    let monday = crate::sites::week_start(site.today());
    for week in -(CALENDAR_WEEKS - 4)..4 {
        for _ in 0..ENTRIES_PER_WEEK {
            let day = monday + Duration::weeks(week) + Duration::days(rng.random_range(0..5));
            let time = NaiveTime::from_hms_opt(rng.random_range(7..17), [0, 30][rng.random_range(0..2)], 0)
                .ok_or_else(|| ApiError::internal("a generated time"))?;
            let starts_at = site.to_utc(day.and_time(time));
            let row = crate::work_calendar::EntryRow {
                ends_at: Some(starts_at + Duration::hours(rng.random_range(1..4))),
                place: sentence(rng, words, 3, 5),
                chair: sentence(rng, words, 3, 4),
                attendees: sentence(rng, words, 5, 12),
                content: sentence(rng, words, 6, 15),
                ..crate::work_calendar::entry_at(starts_at)
            };
            crate::work_calendar::save(conn, site.id, &row)?;
        }
    }
    let kinds = crate::disclosures::model::KINDS;
    for i in 0..DISCLOSURES {
        let year = today.year() - rng.random_range(0..3);
        let quarter = rng.random_range(0..4u32);
        let start = NaiveDate::from_ymd_opt(year, quarter * 3 + 1, 1).ok_or_else(|| ApiError::internal("a date"))?;
        let end = NaiveDate::from_ymd_opt(year + i32::from(quarter == 3), (quarter * 3 + 3) % 12 + 1, 1)
            .ok_or_else(|| ApiError::internal("a date"))?
            - Duration::days(1);
        let posted_on = end.min(today);
        let row = crate::disclosures::DisclosureRow {
            summary: sentence(rng, words, 10, 20),
            period_start: start,
            period_end: end,
            posted_until: Some(posted_on + Duration::days(30)),
            form: "Niêm yết tại trụ sở UBND phường; đăng trên cổng thông tin điện tử".to_owned(),
            ..crate::disclosures::item(kinds[i % kinds.len()].0, &sentence(rng, words, 6, 12), posted_on)
        };
        let attached = [ids[rng.random_range(0..ids.len())]];
        crate::disclosures::save(conn, site.id, &row, Some(&attached[..i % 2]))?;
    }
    Ok(())
}
