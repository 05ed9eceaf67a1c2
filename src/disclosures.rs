//! Disclosures ("Công khai"): the register of what the ward disclosed (Law on Access to
//! Information Art. 19.1.g): each item's kind among those the Law on Grassroots Democracy
//! (10/2022/QH15) Art. 11 lists, the period it covers, when and how it was posted (Art. 12-13:
//! posted at the ward's office for at least 30 days), and the documents attached.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::staff::{Done, write};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, FieldError, Problem};
use crate::db::AnyConnection;
use crate::db::schema::{disclosure_documents, disclosures, documents};
use crate::documents::model::DocumentRef;
use crate::http::body::Body;
use crate::http::input::{Checker, Need, parse_date, present};
use crate::http::{Data, List, Page, PageParams, cached_json, check, field_error, list_response};
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

fn kind_name(code: &str) -> Option<&'static str> {
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

fn path(site: &str, id: i64) -> String {
    format!("/api/v1/sites/{site}/disclosures/{id}")
}

/// The views of `rows`, with their documents.
fn views(conn: &mut AnyConnection, site: &Site, rows: Vec<DisclosureRow>) -> QueryResult<Vec<Disclosure>> {
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
                .map(|(_, id, kind, number)| DocumentRef {
                    id: *id,
                    kind: kind.clone(),
                    number: number.clone(),
                    path: crate::documents::model::path(&site.slug, *id),
                })
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

/// The filters of the register.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DisclosureParams {
    /// Only items of this kind.
    #[param(inline, value_type = Option<DisclosureKind>, example = "budget")]
    pub kind: Option<String>,
    /// Only items whose period overlaps this year.
    #[param(value_type = Option<i32>, minimum = 1900, maximum = 2100, example = 2026)]
    pub year: Option<String>,
    /// Only items whose period ends on or after this day.
    #[param(value_type = Option<String>, format = Date, example = "2026-01-01",
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub from: Option<String>,
    /// Only items whose period starts on or before this day.
    #[param(value_type = Option<String>, format = Date, example = "2026-12-31",
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub to: Option<String>,
}

/// The register's filters, checked: kind, and the period as `[from, to]`.
type Filters = (Option<String>, Option<NaiveDate>, Option<NaiveDate>);

impl DisclosureParams {
    fn parse(&self, errors: &mut Vec<FieldError>) -> Filters {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let kind = given(&self.kind);
        if kind.as_deref().is_some_and(|k| kind_name(k).is_none()) {
            errors.push(field_error("kind", "must be one of the kinds of disclosed information (budget, land_use...)"));
        }
        let mut day = |name: &str, v: &Option<String>| {
            given(v).and_then(|v| {
                let d = parse_date(&v);
                if d.is_none() {
                    errors.push(field_error(name, "must be a date (2026-01-01) from 1900 to 2100"));
                }
                d
            })
        };
        let (mut from, mut to) = (day("from", &self.from), day("to", &self.to));
        if let Some(y) = given(&self.year) {
            match y.parse::<i32>().ok().filter(|y| crate::http::input::YEARS.contains(y)) {
                Some(y) => {
                    // Both bounds narrow: the later start, the earlier end.
                    from = from.max(NaiveDate::from_ymd_opt(y, 1, 1));
                    to = match (to, NaiveDate::from_ymd_opt(y, 12, 31)) {
                        (Some(t), Some(end)) => Some(t.min(end)),
                        (t, end) => t.or(end),
                    };
                }
                None => errors.push(field_error("year", "must be a year from 1900 to 2100")),
            }
        }
        (kind, from, to)
    }
}

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

/// List what a site disclosed
///
/// The register of disclosed information, newest posted first, each item with its kind, the
/// period it covers, when and how it was posted and the documents attached. `kind` narrows
/// it to one kind; `year`, `from` and `to` to the items whose period overlaps them.
#[utoipa::path(
    tag = "disclosures",
    params(PageParams, DisclosureParams),
    responses(
        (status = 200, description = "A page of the register", body = List<Disclosure>,
         headers(("ETag" = String), ("Cache-Control" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/disclosures")]
pub async fn list_disclosures(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    pages: web::Query<PageParams>,
    params: web::Query<DisclosureParams>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let page = Page::parse(&pages, &mut errors);
    let filters = params.parse(&mut errors);
    check(errors)?;
    let (data, total) = crate::sites::context::read(&state, path.into_inner(), move |conn, context| {
        Ok(list(conn, &context.site, &filters, page)?)
    })
    .await?;
    list_response(&req, data, page, total, state.cache)
}

fn find(conn: &mut AnyConnection, site_id: i64, id: i64) -> Result<DisclosureRow, ApiError> {
    disclosures::table
        .filter(disclosures::site_id.eq(site_id))
        .filter(disclosures::id.eq(id))
        .select(DisclosureRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no disclosure {id} in this site")))
}

/// Get a disclosed item
///
/// One item of the register by id, with its documents.
#[utoipa::path(
    tag = "disclosures",
    params(
        ("disclosure" = i64, Path, description = "Disclosure id", example = 1),
    ),
    responses(
        (status = 200, description = "The item", body = Data<Disclosure>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site or item (or an id that is not a number)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/disclosures/{disclosure}")]
pub async fn get_disclosure(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let item = crate::sites::context::read(&state, slug, move |conn, context| {
        let row = find(conn, context.site.id, id)?;
        Ok(views(conn, &context.site, vec![row])?.remove(0))
    })
    .await?;
    cached_json(&req, &Data { data: item }, state.cache)
}

/// The fields of a disclosed item an editor sets. On create `kind`, `title`, `period_start`,
/// `period_end` and `posted_on` are required; on update only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "budget", "title": "Công khai dự toán ngân sách phường Chí Minh năm 2026",
    "period_start": "2026-01-01", "period_end": "2026-12-31", "posted_on": "2026-01-12", "posted_until": "2026-02-11",
    "form": "Niêm yết tại trụ sở UBND phường; đăng trên cổng thông tin điện tử", "document_ids": [7]}))]
pub struct DisclosureInput {
    #[schema(inline, value_type = Option<DisclosureKind>)]
    pub kind: Option<String>,
    /// 1 to 300 characters.
    #[schema(max_length = 300, pattern = "\\S")]
    pub title: Option<String>,
    /// Up to 2000 characters.
    #[schema(max_length = 2000)]
    pub summary: Option<String>,
    #[schema(value_type = Option<String>, format = Date,
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub period_start: Option<String>,
    /// On or after `period_start`.
    #[schema(value_type = Option<String>, format = Date,
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub period_end: Option<String>,
    #[schema(value_type = Option<String>, format = Date,
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub posted_on: Option<String>,
    /// On or after `posted_on`; null for none set.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Date,
        pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]
    pub posted_until: Option<Option<String>>,
    /// Up to 300 characters.
    #[schema(max_length = 300)]
    pub form: Option<String>,
    /// The ids of the site's documents attached, in order, at most 20; replaces the list.
    #[schema(max_items = 20)]
    pub document_ids: Option<Vec<i64>>,
}

/// Checks `input` and applies it to `row`; returns the documents to attach, if sent.
fn apply(
    conn: &mut AnyConnection,
    site: &Site,
    row: &mut DisclosureRow,
    input: DisclosureInput,
    creating: bool,
) -> Result<Option<Vec<i64>>, ApiError> {
    let mut check = Checker::default();
    let need = Need::on_create(creating);
    match &input.kind {
        Some(k) if kind_name(k).is_none() => {
            check.reject("kind", "must be one of the kinds of disclosed information (budget, land_use...)")
        }
        None if creating => check.reject("kind", "is required"),
        _ => {}
    }
    let title = check.text("title", input.title, 300, need);
    let summary = check.text("summary", input.summary, 2000, Need::Optional);
    let period_start = check.date("period_start", input.period_start, need);
    let period_end = check.date("period_end", input.period_end, need);
    let posted_on = check.date("posted_on", input.posted_on, need);
    let posted_until = check.nullable_date("posted_until", input.posted_until);
    let form = check.text("form", input.form, 300, Need::Optional);
    if input.document_ids.as_ref().is_some_and(|d| d.len() > 20) {
        check.reject("document_ids", "must have at most 20 documents");
    }
    row.kind = input.kind.unwrap_or(std::mem::take(&mut row.kind));
    row.title = title.unwrap_or(std::mem::take(&mut row.title));
    row.summary = summary.unwrap_or(std::mem::take(&mut row.summary));
    row.form = form.unwrap_or(std::mem::take(&mut row.form));
    row.period_start = period_start.unwrap_or(row.period_start);
    row.period_end = period_end.unwrap_or(row.period_end);
    row.posted_on = posted_on.unwrap_or(row.posted_on);
    row.posted_until = posted_until.unwrap_or(row.posted_until);
    if check.errors.is_empty() && row.period_end < row.period_start {
        check.reject("period_end", "must be on or after period_start");
    }
    if check.errors.is_empty() && row.posted_until.is_some_and(|u| u < row.posted_on) {
        check.reject("posted_until", "must be on or after posted_on");
    }
    if !check.errors.is_empty() {
        return check.finish().map(|_| None);
    }
    let Some(ids) = input.document_ids else { return Ok(None) };
    let mut unique: Vec<i64> = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(&id) {
            unique.push(id);
        }
    }
    let found: Vec<i64> = documents::table
        .filter(documents::site_id.eq(site.id))
        .filter(documents::id.eq_any(&unique))
        .select(documents::id)
        .load(conn)?;
    if let Some(missing) = unique.iter().find(|id| !found.contains(id)) {
        check.clash("document_ids", format!("no document {missing} in this site"));
    }
    check.finish()?;
    Ok(Some(unique))
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

/// Add a disclosed item
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "disclosures",
    request_body = DisclosureInput,
    extensions(("x-required-fields" = json!(["kind", "title", "period_start", "period_end", "posted_on"]))),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Data<Disclosure>, headers(("Location" = String))),
        (status = 409, description = "`document_ids` names a document the site lacks", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/validation-failed", "title": "Validation failed", "status": 422,
            "detail": "period_end: must be on or after period_start",
            "errors": [{"field": "period_end", "message": "must be on or after period_start"}]})),
    )
)]
#[post("/sites/{site}/disclosures")]
pub async fn create_disclosure(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<DisclosureInput>,
) -> Result<HttpResponse, ApiError> {
    write(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let mut row = item("", "", NaiveDate::MIN);
        let ids = apply(conn, site, &mut row, input, true)?;
        row.id = save(conn, site.id, &row, ids.as_deref())?;
        let row = find(conn, site.id, row.id)?;
        let view = views(conn, site, vec![row])?.remove(0);
        Ok(Done::created("disclosure.create", format!("disclosure:{}", view.id), view.path.clone(), view))
    })
    .await
}

/// Edit a disclosed item
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "disclosures",
    params(
        ("disclosure" = i64, Path, description = "Disclosure id", example = 1),
    ),
    request_body = DisclosureInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<Disclosure>),
        (status = 404, description = "No such site or item", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`document_ids` names a document the site lacks", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/disclosures/{disclosure}")]
pub async fn update_disclosure(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, i64)>,
    body: Body<DisclosureInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let mut row = find(conn, site.id, id)?;
        let ids = apply(conn, site, &mut row, input, false)?;
        save(conn, site.id, &row, ids.as_deref())?;
        let row = find(conn, site.id, id)?;
        let view = views(conn, site, vec![row])?.remove(0);
        Ok(Done::saved("disclosure.update", format!("disclosure:{id}"), view))
    })
    .await
}

/// Delete a disclosed item
///
/// Its documents stay. Roles: editors and admins of the site.
#[utoipa::path(
    tag = "disclosures",
    params(
        ("disclosure" = i64, Path, description = "Disclosure id", example = 1),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such site or item", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sites/{site}/disclosures/{disclosure}")]
pub async fn delete_disclosure(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let row = find(conn, site.id, id)?;
        diesel::delete(disclosures::table.find(row.id)).execute(conn)?;
        Ok(Done::deleted("disclosure.delete", format!("disclosure:{id}")))
    })
    .await
}

/// Registers the disclosure routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_disclosures)
        .service(get_disclosure)
        .service(create_disclosure)
        .service(update_disclosure)
        .service(delete_disclosure);
}

#[cfg(test)]
mod tests {
    #[test]
    fn fourteen_kinds() {
        assert_eq!(super::KINDS.len(), 14);
    }
}
