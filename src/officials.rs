//! Officials ("Lãnh đạo", "Cán bộ đầu mối"): the ward's leaders with their duties (Decree
//! 224/2026 Art. 9.1.c) and the officials who answer requests for information, with their
//! contacts (Law on Access to Information Art. 17.1.m, 19.1.đ). Listed by `position`, then id.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::staff::{Done, write};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, Problem};
use crate::db::{AnyConnection, schema::officials};
use crate::http::body::Body;
use crate::http::input::{Checker, Need};
use crate::http::{Data, List, Page, PageParams, cached_json, check, field_error, list_response};

/// An official as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = officials)]
pub struct OfficialRow {
    pub id: i64,
    pub name: String,
    pub title: String,
    pub unit: String,
    pub duties: String,
    pub phone: String,
    pub email: String,
    pub photo_url: String,
    pub photo_alt: String,
    pub leader: bool,
    pub information_contact: bool,
    pub position: i32,
}

impl OfficialRow {
    /// A new official named `name`, with every other field empty.
    pub fn named(name: &str) -> Self {
        OfficialRow {
            id: 0,
            name: name.to_owned(),
            title: String::new(),
            unit: String::new(),
            duties: String::new(),
            phone: String::new(),
            email: String::new(),
            photo_url: String::new(),
            photo_alt: String::new(),
            leader: false,
            information_contact: false,
            position: 0,
        }
    }
}

/// An official of the ward.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "name": "Nguyễn Văn Hùng", "title": "Bí thư Đảng ủy phường",
    "unit": "Đảng ủy phường", "duties": "Lãnh đạo toàn diện công tác của Đảng bộ phường.",
    "phone": "0220 3882 001", "email": "nvhung@haiduong.gov.vn", "photo_url": "/uploads/3f/2a9c.jpg",
    "photo_alt": "Ảnh chân dung đồng chí Nguyễn Văn Hùng", "leader": true, "information_contact": false, "position": 1}))]
pub struct Official {
    pub id: i64,
    /// Full name.
    pub name: String,
    /// Position held (chức vụ), possibly empty.
    pub title: String,
    /// The body the official belongs to (Đảng ủy, HĐND, UBND...), possibly empty.
    pub unit: String,
    /// Duties and areas in charge (plain text, lines apart), possibly empty.
    pub duties: String,
    /// Possibly empty.
    pub phone: String,
    /// Possibly empty.
    pub email: String,
    /// The portrait: an http(s) URL or a path on this server; empty for none.
    pub photo_url: String,
    /// The portrait's text alternative (Circular 26/2020/TT-BTTTT), empty for none.
    pub photo_alt: String,
    /// Shown among the ward's leaders (`Lãnh đạo phường`).
    pub leader: bool,
    /// Answers requests for information (`Cán bộ đầu mối cung cấp thông tin`).
    pub information_contact: bool,
    /// Order on the site, ascending.
    pub position: i32,
}

impl From<OfficialRow> for Official {
    fn from(r: OfficialRow) -> Self {
        Official {
            id: r.id,
            name: r.name,
            title: r.title,
            unit: r.unit,
            duties: r.duties,
            phone: r.phone,
            email: r.email,
            photo_url: r.photo_url,
            photo_alt: r.photo_alt,
            leader: r.leader,
            information_contact: r.information_contact,
            position: r.position,
        }
    }
}

/// Which officials a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfficialRole {
    /// The ward's leaders.
    Leader,
    /// The contacts for requests for information.
    InformationContact,
}

/// The filters of the officials list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfficialParams {
    /// Only the leaders (`leader`) or only the contacts for information requests
    /// (`information_contact`); every official when left out.
    #[param(inline, value_type = Option<OfficialRole>, example = "leader")]
    pub role: Option<String>,
}

fn find(conn: &mut AnyConnection, site_id: i64, id: i64) -> Result<OfficialRow, ApiError> {
    officials::table
        .filter(officials::site_id.eq(site_id))
        .filter(officials::id.eq(id))
        .select(OfficialRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no official {id} in this site")))
}

/// One page of the site's officials in order, with the size of the whole list.
pub fn list(
    conn: &mut AnyConnection,
    site_id: i64,
    role: Option<OfficialRole>,
    page: Page,
) -> QueryResult<(Vec<Official>, i64)> {
    let filtered = || {
        let q = officials::table.filter(officials::site_id.eq(site_id)).into_boxed();
        match role {
            None => q,
            Some(OfficialRole::Leader) => q.filter(officials::leader.eq(true)),
            Some(OfficialRole::InformationContact) => q.filter(officials::information_contact.eq(true)),
        }
    };
    let rows: Vec<OfficialRow> = filtered()
        .order((officials::position.asc(), officials::id.asc()))
        .limit(page.limit())
        .offset(page.offset())
        .select(OfficialRow::as_select())
        .load(conn)?;
    let total =
        crate::http::list_total(rows.len(), page.limit(), page.offset(), || filtered().count().get_result(conn))?;
    Ok((rows.into_iter().map(Official::from).collect(), total))
}

/// List a site's officials
///
/// The ward's officials by `position`: its leaders with their duties and the officials who
/// answer requests for information, with their contacts. `role` narrows the list to one of
/// the two.
#[utoipa::path(
    tag = "officials",
    params(PageParams, OfficialParams),
    responses(
        (status = 200, description = "A page of officials", body = List<Official>,
         headers(("ETag" = String), ("Cache-Control" = String), ("Link" = String, description = "RFC 8288 first/prev/next/last"))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/officials")]
pub async fn list_officials(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    pages: web::Query<PageParams>,
    params: web::Query<OfficialParams>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = Vec::new();
    let page = Page::parse(&pages, &mut errors);
    let role = match params.role.as_deref() {
        None => None,
        Some("leader") => Some(OfficialRole::Leader),
        Some("information_contact") => Some(OfficialRole::InformationContact),
        Some(_) => {
            errors.push(field_error("role", "must be leader or information_contact"));
            None
        }
    };
    check(errors)?;
    let (data, total) = crate::sites::context::read(&state, path.into_inner(), move |conn, context| {
        Ok(list(conn, context.site.id, role, page)?)
    })
    .await?;
    list_response(&req, data, page, total, state.cache)
}

/// Get an official
///
/// One official of the site by id.
#[utoipa::path(
    tag = "officials",
    params(
        ("official" = i64, Path, description = "Official id", example = 1),
    ),
    responses(
        (status = 200, description = "The official", body = Data<Official>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site or official (or an id that is not a number)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/officials/{official}")]
pub async fn get_official(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let official = crate::sites::context::read(&state, slug, move |conn, context| {
        Ok(Official::from(find(conn, context.site.id, id)?))
    })
    .await?;
    cached_json(&req, &Data { data: official }, state.cache)
}

/// The fields of an official an editor sets. On create `name` is required; on update only the
/// fields sent change, and an empty string clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Trần Thị Lan", "title": "Phó Chủ tịch UBND phường", "unit": "UBND phường",
    "duties": "Phụ trách văn hóa - xã hội; người phát ngôn.", "phone": "0220 3882 003",
    "email": "ttlan@haiduong.gov.vn", "leader": true, "information_contact": true, "position": 3}))]
pub struct OfficialInput {
    /// 1 to 200 characters.
    #[schema(max_length = 200, pattern = "\\S")]
    pub name: Option<String>,
    /// Up to 200 characters.
    #[schema(max_length = 200)]
    pub title: Option<String>,
    /// Up to 200 characters.
    #[schema(max_length = 200)]
    pub unit: Option<String>,
    /// Up to 5000 characters.
    #[schema(max_length = 5000)]
    pub duties: Option<String>,
    /// Up to 50 characters.
    #[schema(max_length = 50)]
    pub phone: Option<String>,
    /// An email address, up to 200 characters.
    #[schema(max_length = 200, pattern = "^(|[^@\\s]+@[^@\\s]+\\.[^@\\s]+)$")]
    pub email: Option<String>,
    /// An http(s) URL or a path on this server (`/uploads/...`).
    #[schema(max_length = 2000, pattern = "^(|https?://[^/\\s]\\S*|/[^/\\s]\\S*)$")]
    pub photo_url: Option<String>,
    /// Up to 300 characters.
    #[schema(max_length = 300)]
    pub photo_alt: Option<String>,
    /// False when left out on create.
    pub leader: Option<bool>,
    /// False when left out on create.
    pub information_contact: Option<bool>,
    /// 0 to 100000; left out on create, after the site's last official.
    #[schema(minimum = 0, maximum = 100000)]
    pub position: Option<i32>,
}

/// Checks `input` and applies it to `row`.
fn apply(row: &mut OfficialRow, input: OfficialInput, creating: bool) -> Result<(), ApiError> {
    let mut check = Checker::default();
    let name = check.text("name", input.name, 200, Need::on_create(creating));
    let title = check.text("title", input.title, 200, Need::Optional);
    let unit = check.text("unit", input.unit, 200, Need::Optional);
    let duties = check.text("duties", input.duties, 5000, Need::Optional);
    let phone = check.text("phone", input.phone, 50, Need::Optional);
    let email = check.email("email", input.email, Need::Optional);
    let photo_url = check.url("photo_url", input.photo_url, true, Need::Optional);
    let photo_alt = check.text("photo_alt", input.photo_alt, 300, Need::Optional);
    let position = check.position("position", input.position);
    check.finish()?;
    for (target, value) in [
        (&mut row.name, name),
        (&mut row.title, title),
        (&mut row.unit, unit),
        (&mut row.duties, duties),
        (&mut row.phone, phone),
        (&mut row.email, email),
        (&mut row.photo_url, photo_url),
        (&mut row.photo_alt, photo_alt),
    ] {
        if let Some(v) = value {
            *target = v;
        }
    }
    row.leader = input.leader.unwrap_or(row.leader);
    row.information_contact = input.information_contact.unwrap_or(row.information_contact);
    row.position = position.unwrap_or(row.position);
    Ok(())
}

fn location(site: &str, id: i64) -> String {
    format!("/api/v1/sites/{site}/officials/{id}")
}

/// Stores a new official of site `site_id`; returns its id.
pub fn insert(conn: &mut AnyConnection, site_id: i64, row: &OfficialRow) -> QueryResult<i64> {
    let now = Utc::now().naive_utc();
    diesel::insert_into(officials::table)
        .values((
            officials::site_id.eq(site_id),
            officials::name.eq(&row.name),
            officials::title.eq(&row.title),
            officials::unit.eq(&row.unit),
            officials::duties.eq(&row.duties),
            officials::phone.eq(&row.phone),
            officials::email.eq(&row.email),
            officials::photo_url.eq(&row.photo_url),
            officials::photo_alt.eq(&row.photo_alt),
            officials::leader.eq(row.leader),
            officials::information_contact.eq(row.information_contact),
            officials::position.eq(row.position),
            officials::created_at.eq(now),
            officials::updated_at.eq(now),
        ))
        .returning(officials::id)
        .get_result(conn)
}

/// Add an official
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "officials",
    request_body = OfficialInput,
    extensions(("x-required-fields" = json!(["name"]))),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Data<Official>, headers(("Location" = String))),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/validation-failed", "title": "Validation failed", "status": 422,
            "detail": "email: must be an email address", "errors": [{"field": "email", "message": "must be an email address"}]})),
    )
)]
#[post("/sites/{site}/officials")]
pub async fn create_official(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<OfficialInput>,
) -> Result<HttpResponse, ApiError> {
    write(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let mut row = OfficialRow::named("");
        let after_last = input.position.is_none();
        apply(&mut row, input, true)?;
        if after_last {
            let last: Option<i32> = officials::table
                .filter(officials::site_id.eq(site.id))
                .select(diesel::dsl::max(officials::position))
                .first(conn)?;
            row.position = last.map_or(1, |p| p.saturating_add(1).min(100_000));
        }
        row.id = insert(conn, site.id, &row)?;
        Ok(Done::created(
            "official.create",
            format!("official:{}", row.id),
            location(&site.slug, row.id),
            Official::from(row),
        ))
    })
    .await
}

/// Edit an official
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "officials",
    params(
        ("official" = i64, Path, description = "Official id", example = 1),
    ),
    request_body = OfficialInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<Official>),
        (status = 404, description = "No such site or official", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/officials/{official}")]
pub async fn update_official(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, i64)>,
    body: Body<OfficialInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let mut row = find(conn, site.id, id)?;
        apply(&mut row, input, false)?;
        diesel::update(officials::table.find(row.id))
            .set((
                officials::name.eq(&row.name),
                officials::title.eq(&row.title),
                officials::unit.eq(&row.unit),
                officials::duties.eq(&row.duties),
                officials::phone.eq(&row.phone),
                officials::email.eq(&row.email),
                officials::photo_url.eq(&row.photo_url),
                officials::photo_alt.eq(&row.photo_alt),
                officials::leader.eq(row.leader),
                officials::information_contact.eq(row.information_contact),
                officials::position.eq(row.position),
                officials::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        Ok(Done::saved("official.update", format!("official:{id}"), Official::from(row)))
    })
    .await
}

/// Remove an official
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "officials",
    params(
        ("official" = i64, Path, description = "Official id", example = 1),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such site or official", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sites/{site}/officials/{official}")]
pub async fn delete_official(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let row = find(conn, site.id, id)?;
        diesel::delete(officials::table.find(row.id)).execute(conn)?;
        Ok(Done::deleted("official.delete", format!("official:{id}")))
    })
    .await
}

/// Registers the official routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_officials)
        .service(get_official)
        .service(create_official)
        .service(update_official)
        .service(delete_official);
}
