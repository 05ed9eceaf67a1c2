//! Disclosed items as stored and shown, their kinds and the register's queries. No actix here.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::AnyConnection;
use crate::db::schema::{disclosure_documents, disclosures, documents};
use crate::documents::model::DocumentRef;
use crate::http::Page;
use crate::sites::Site;

/// The kinds of information a commune discloses, after the Law on Grassroots Democracy Art. 11
/// (its fourteen items, named here in short; the law's own wording is longer). The text of
/// Art. 11 was not at hand when this was written: the codes follow the items as the sources
/// gathered in `ward-portal-law.md` cite them (11.1 plans, 11.2 budget, 11.3 public
/// investment, 11.5 funds and contributions, 11.6 land, 11.7-9 beneficiaries and
/// conscription, 11.11 consultation, 11.12 fees, 11.13 procedures), the rest from the law's
/// summary; check them against the text before relying on the order.
pub const KINDS: &[(&str, &str)] = &[
    ("socio_economic_plan", "Kế hoạch phát triển kinh tế - xã hội"),
    ("budget", "Dự toán, tình hình thực hiện và quyết toán ngân sách"),
    ("public_investment", "Chương trình, dự án đầu tư công"),
    ("resident_decisions", "Nội dung Nhân dân bàn và quyết định, kết quả thực hiện"),
    ("funds_contributions", "Quỹ, khoản tài trợ và khoản huy động Nhân dân đóng góp"),
    ("land_use", "Quy hoạch, kế hoạch sử dụng đất; thu hồi đất, bồi thường, hỗ trợ, tái định cư"),
    ("social_support", "Đối tượng, mức hưởng chính sách an sinh xã hội"),
    ("poverty_lists", "Danh sách hộ nghèo, hộ cận nghèo"),
    ("military_service", "Danh sách công dân thực hiện nghĩa vụ quân sự"),
    ("inspections", "Kết luận thanh tra, kiểm tra; giải quyết khiếu nại, tố cáo"),
    ("consultations", "Dự thảo lấy ý kiến Nhân dân và kết quả tiếp thu"),
    ("fees", "Phí, lệ phí và nghĩa vụ tài chính do cấp xã thu"),
    ("procedures", "Thủ tục hành chính và kết quả giải quyết"),
    ("other", "Nội dung khác theo quy định của pháp luật"),
];

/// The kind of a disclosed item.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureKind {
    SocioEconomicPlan,
    Budget,
    PublicInvestment,
    ResidentDecisions,
    FundsContributions,
    LandUse,
    SocialSupport,
    PovertyLists,
    MilitaryService,
    Inspections,
    Consultations,
    Fees,
    Procedures,
    Other,
}

pub fn kind_name(code: &str) -> Option<&'static str> {
    KINDS.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// A disclosed item as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = disclosures)]
pub struct DisclosureRow {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub posted_on: NaiveDate,
    pub posted_until: Option<NaiveDate>,
    pub form: String,
    pub updated_at: NaiveDateTime,
}

/// An item of the register of disclosed information.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "kind": "budget", "kind_name": "Dự toán, tình hình thực hiện và quyết toán ngân sách",
    "title": "Công khai dự toán ngân sách phường Chí Minh năm 2026",
    "summary": "Dự toán thu, chi ngân sách phường năm 2026 đã được HĐND phường quyết định.",
    "period_start": "2026-01-01", "period_end": "2026-12-31", "posted_on": "2026-01-12", "posted_until": "2026-02-11",
    "form": "Niêm yết tại trụ sở UBND phường; đăng trên cổng thông tin điện tử",
    "documents": [{"id": 7, "kind": "quyet_dinh", "number": "15/QĐ-UBND", "path": "/api/v1/sites/phuong-chi-minh/documents/7"}],
    "path": "/api/v1/sites/phuong-chi-minh/disclosures/1", "updated_at": "2026-01-12T08:00:00+07:00"}))]
pub struct Disclosure {
    pub id: i64,
    #[schema(inline, value_type = DisclosureKind)]
    pub kind: String,
    /// The kind's Vietnamese name.
    pub kind_name: String,
    pub title: String,
    /// Possibly empty.
    pub summary: String,
    /// The first day of the period it covers.
    #[schema(value_type = String, format = Date)]
    pub period_start: NaiveDate,
    /// The last day of the period it covers.
    #[schema(value_type = String, format = Date)]
    pub period_end: NaiveDate,
    /// The day it was disclosed.
    #[schema(value_type = String, format = Date)]
    pub posted_on: NaiveDate,
    /// The last day it stays posted at the office; null when not set.
    #[schema(value_type = Option<String>, format = Date)]
    pub posted_until: Option<NaiveDate>,
    /// How it was disclosed (hình thức công khai), possibly empty.
    pub form: String,
    /// The documents attached, in order.
    pub documents: Vec<DocumentRef>,
    /// Where the API serves it.
    pub path: String,
    pub updated_at: chrono::DateTime<chrono::FixedOffset>,
}

pub fn path(site: &str, id: i64) -> String {
    format!("/api/v1/sites/{site}/disclosures/{id}")
}

/// The views of `rows`, with their documents.
pub fn views(conn: &mut AnyConnection, site: &Site, rows: Vec<DisclosureRow>) -> QueryResult<Vec<Disclosure>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let attached: Vec<(i64, i64, String, String)> = disclosure_documents::table
        .inner_join(documents::table)
        .filter(disclosure_documents::disclosure_id.eq_any(&ids))
        .order((disclosure_documents::disclosure_id, disclosure_documents::position))
        .select((disclosure_documents::disclosure_id, documents::id, documents::kind, documents::number))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| Disclosure {
            documents: attached
                .iter()
                .filter(|a| a.0 == r.id)
                .map(|(_, id, kind, number)| DocumentRef::new(&site.slug, *id, kind, number))
                .collect(),
            kind_name: kind_name(&r.kind).unwrap_or("Nội dung khác").to_owned(),
            path: path(&site.slug, r.id),
            updated_at: site.local(r.updated_at),
            id: r.id,
            kind: r.kind,
            title: r.title,
            summary: r.summary,
            period_start: r.period_start,
            period_end: r.period_end,
            posted_on: r.posted_on,
            posted_until: r.posted_until,
            form: r.form,
        })
        .collect())
}

/// The register's filters, checked: kind, and the period as `[from, to]`.
pub type Filters = (Option<String>, Option<NaiveDate>, Option<NaiveDate>);

/// One page of the site's register, newest posted first, with the size of the whole list.
pub fn list(
    conn: &mut AnyConnection,
    site: &Site,
    filters: &Filters,
    page: Page,
) -> QueryResult<(Vec<Disclosure>, i64)> {
    let (kind, from, to) = filters;
    let filtered = || {
        let mut q = disclosures::table.filter(disclosures::site_id.eq(site.id)).into_boxed();
        if let Some(k) = kind {
            q = q.filter(disclosures::kind.eq(k.clone()));
        }
        if let Some(f) = from {
            q = q.filter(disclosures::period_end.ge(*f));
        }
        if let Some(t) = to {
            q = q.filter(disclosures::period_start.le(*t));
        }
        q
    };
    let rows: Vec<DisclosureRow> = filtered()
        .order((disclosures::posted_on.desc(), disclosures::id.desc()))
        .limit(page.limit())
        .offset(page.offset())
        .select(DisclosureRow::as_select())
        .load(conn)?;
    let total =
        crate::http::list_total(rows.len(), page.limit(), page.offset(), || filtered().count().get_result(conn))?;
    Ok((views(conn, site, rows)?, total))
}

/// Stores `row` (new when its id is 0) with its documents, replacing the ones it had; returns
/// its id.
pub fn save(
    conn: &mut AnyConnection,
    site_id: i64,
    row: &DisclosureRow,
    document_ids: Option<&[i64]>,
) -> QueryResult<i64> {
    let now = Utc::now().naive_utc();
    let values = (
        disclosures::kind.eq(&row.kind),
        disclosures::title.eq(&row.title),
        disclosures::summary.eq(&row.summary),
        disclosures::period_start.eq(row.period_start),
        disclosures::period_end.eq(row.period_end),
        disclosures::posted_on.eq(row.posted_on),
        disclosures::posted_until.eq(row.posted_until),
        disclosures::form.eq(&row.form),
        disclosures::updated_at.eq(now),
    );
    let id = if row.id == 0 {
        diesel::insert_into(disclosures::table)
            .values((values, disclosures::site_id.eq(site_id), disclosures::created_at.eq(now)))
            .returning(disclosures::id)
            .get_result(conn)?
    } else {
        diesel::update(disclosures::table.find(row.id)).set(values).execute(conn)?;
        row.id
    };
    if let Some(ids) = document_ids {
        diesel::delete(disclosure_documents::table.filter(disclosure_documents::disclosure_id.eq(id))).execute(conn)?;
        for (n, document) in ids.iter().enumerate() {
            diesel::insert_into(disclosure_documents::table)
                .values((
                    disclosure_documents::disclosure_id.eq(id),
                    disclosure_documents::document_id.eq(document),
                    disclosure_documents::position.eq(n as i32),
                ))
                .execute(conn)?;
        }
    }
    Ok(id)
}

/// An empty item of kind `kind`.
pub fn item(kind: &str, title: &str, posted_on: NaiveDate) -> DisclosureRow {
    DisclosureRow {
        id: 0,
        kind: kind.to_owned(),
        title: title.to_owned(),
        summary: String::new(),
        period_start: posted_on,
        period_end: posted_on,
        posted_on,
        posted_until: None,
        form: String::new(),
        updated_at: Utc::now().naive_utc(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fourteen_kinds() {
        assert_eq!(super::KINDS.len(), 14);
    }
}
