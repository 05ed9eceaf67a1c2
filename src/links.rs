//! Website links ("Liên kết website"): links to other sites, in named groups. Groups come in
//! the order of their first link; links by `position`, then by id.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::staff::{Done, write};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, Problem};
use crate::db::{AnyConnection, schema::links};
use crate::http::body::Body;
use crate::http::input::{Checker, Need};
use crate::http::{Data, cached_json};

/// A link as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = links)]
pub struct LinkRow {
    pub id: i64,
    pub group_name: String,
    pub title: String,
    pub url: String,
    pub position: i32,
}

/// A link to another site.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "group": "Cơ quan nhà nước", "title": "Cổng Dịch vụ công quốc gia",
    "url": "https://dichvucong.gov.vn", "position": 1}))]
pub struct Link {
    pub id: i64,
    /// The group it is shown in (may be empty).
    pub group: String,
    pub title: String,
    pub url: String,
    /// Order on the site, ascending.
    pub position: i32,
}

impl From<LinkRow> for Link {
    fn from(r: LinkRow) -> Self {
        Link { id: r.id, group: r.group_name, title: r.title, url: r.url, position: r.position }
    }
}

/// A named group of links, in order.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"name": "Cơ quan nhà nước", "links": [{"id": 1, "group": "Cơ quan nhà nước",
    "title": "Cổng Dịch vụ công quốc gia", "url": "https://dichvucong.gov.vn", "position": 1}]}))]
pub struct LinkGroup {
    pub name: String,
    pub links: Vec<Link>,
}

fn ordered(conn: &mut AnyConnection, site_id: i64) -> QueryResult<Vec<LinkRow>> {
    links::table
        .filter(links::site_id.eq(site_id))
        .order((links::position.asc(), links::id.asc()))
        .select(LinkRow::as_select())
        .load(conn)
}

/// The site's links by group: groups in the order of their first link.
pub fn groups(conn: &mut AnyConnection, site_id: i64) -> QueryResult<Vec<LinkGroup>> {
    let mut groups: Vec<LinkGroup> = Vec::new();
    for row in ordered(conn, site_id)? {
        match groups.iter_mut().find(|g| g.name == row.group_name) {
            Some(group) => group.links.push(row.into()),
            None => groups.push(LinkGroup { name: row.group_name.clone(), links: vec![row.into()] }),
        }
    }
    Ok(groups)
}

fn find(conn: &mut AnyConnection, site_id: i64, id: i64) -> Result<LinkRow, ApiError> {
    links::table
        .filter(links::site_id.eq(site_id))
        .filter(links::id.eq(id))
        .select(LinkRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no link {id} in this site")))
}

/// List a site's links
///
/// Every link of the site in its groups: groups in the order of their first link, links by
/// `position`.
#[utoipa::path(
    tag = "links",
    responses(
        (status = 200, description = "The link groups", body = Data<Vec<LinkGroup>>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sites/{site}/links")]
pub async fn list_links(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let groups =
        crate::sites::context::read(&state, slug, move |conn, context| Ok(groups(conn, context.site.id)?)).await?;
    cached_json(&req, &Data { data: groups }, state.cache)
}

/// Get a link
///
/// One link of the site by its id, with its group and position.
#[utoipa::path(
    tag = "links",
    params(
        ("link" = i64, Path, description = "Link id", example = 1),
    ),
    responses(
        (status = 200, description = "The link", body = Data<Link>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such site or link (or an id that is not a number)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/links/{link}")]
pub async fn get_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let link = crate::sites::context::read(&state, slug, move |conn, context| {
        Ok(Link::from(find(conn, context.site.id, id)?))
    })
    .await?;
    cached_json(&req, &Data { data: link }, state.cache)
}

/// The fields of a link an editor sets. On create `title` and `url` are required; on update
/// only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"group": "Cơ quan nhà nước", "title": "Cổng Dịch vụ công quốc gia",
    "url": "https://dichvucong.gov.vn", "position": 1}))]
pub struct LinkInput {
    /// Up to 100 characters; empty (the default) for links outside any group.
    #[schema(max_length = 100)]
    pub group: Option<String>,
    /// 1 to 200 characters.
    #[schema(max_length = 200, pattern = "\\S")]
    pub title: Option<String>,
    /// An `http(s)://` URL.
    #[schema(pattern = "^https?://[^/\\s]\\S*$", max_length = 2000)]
    pub url: Option<String>,
    /// 0 to 100000; left out on create, after the site's last link.
    #[schema(minimum = 0, maximum = 100000)]
    pub position: Option<i32>,
}

/// Checks `input` and applies it to `row`.
fn apply(row: &mut LinkRow, input: LinkInput, creating: bool) -> Result<(), ApiError> {
    let mut check = Checker::default();
    let group = check.text("group", input.group, 100, Need::Optional);
    let title = check.text("title", input.title, 200, Need::on_create(creating));
    let url = check.url("url", input.url, false, Need::on_create(creating));
    let position = check.position("position", input.position);
    check.finish()?;
    row.group_name = group.unwrap_or(std::mem::take(&mut row.group_name));
    row.title = title.unwrap_or(std::mem::take(&mut row.title));
    row.url = url.unwrap_or(std::mem::take(&mut row.url));
    row.position = position.unwrap_or(row.position);
    Ok(())
}

fn location(site: &str, id: i64) -> String {
    format!("/api/v1/sites/{site}/links/{id}")
}

/// Stores a new link of site `site_id`; returns its id.
pub fn insert(conn: &mut AnyConnection, site_id: i64, row: &LinkRow) -> QueryResult<i64> {
    let now = Utc::now().naive_utc();
    diesel::insert_into(links::table)
        .values((
            links::site_id.eq(site_id),
            links::group_name.eq(&row.group_name),
            links::title.eq(&row.title),
            links::url.eq(&row.url),
            links::position.eq(row.position),
            links::created_at.eq(now),
            links::updated_at.eq(now),
        ))
        .returning(links::id)
        .get_result(conn)
}

/// Add a link
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "links",
        request_body = LinkInput,
        extensions(("x-required-fields" = json!(["title", "url"]))),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Data<Link>, headers(("Location" = String))),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/validation-failed", "title": "Validation failed", "status": 422,
            "detail": "url: must be an http(s) URL", "errors": [{"field": "url", "message": "must be an http(s) URL"}]})),
    )
)]
#[post("/sites/{site}/links")]
pub async fn create_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<LinkInput>,
) -> Result<HttpResponse, ApiError> {
    write(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let mut row =
            LinkRow { id: 0, group_name: String::new(), title: String::new(), url: String::new(), position: 0 };
        let after_last = input.position.is_none();
        apply(&mut row, input, true)?;
        if after_last {
            let last: Option<i32> = links::table
                .filter(links::site_id.eq(site.id))
                .select(diesel::dsl::max(links::position))
                .first(conn)?;
            row.position = last.map_or(1, |p| p.saturating_add(1).min(100_000));
        }
        row.id = insert(conn, site.id, &row)?;
        Ok(Done::created("link.create", format!("link:{}", row.id), location(&site.slug, row.id), Link::from(row)))
    })
    .await
}

/// Edit a link
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "links",
    params(
        ("link" = i64, Path, description = "Link id", example = 1),
    ),
    request_body = LinkInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<Link>),
        (status = 404, description = "No such site or link", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sites/{site}/links/{link}")]
pub async fn update_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, i64)>,
    body: Body<LinkInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let input = body.parse()?;
        let mut row = find(conn, site.id, id)?;
        apply(&mut row, input, false)?;
        diesel::update(links::table.find(row.id))
            .set((
                links::group_name.eq(&row.group_name),
                links::title.eq(&row.title),
                links::url.eq(&row.url),
                links::position.eq(row.position),
                links::updated_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        Ok(Done::saved("link.update", format!("link:{id}"), Link::from(row)))
    })
    .await
}

/// Delete a link
///
/// Roles: editors and admins of the site.
#[utoipa::path(
    tag = "links",
    params(
        ("link" = i64, Path, description = "Link id", example = 1),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such site or link", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sites/{site}/links/{link}")]
pub async fn delete_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (site, id) = path.into_inner();
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let row = find(conn, site.id, id)?;
        diesel::delete(links::table.find(row.id)).execute(conn)?;
        Ok(Done::deleted("link.delete", format!("link:{id}")))
    })
    .await
}

/// Registers the link routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_links).service(get_link).service(create_link).service(update_link).service(delete_link);
}
