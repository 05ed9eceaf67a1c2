//! Editing a site's settings: its contacts and what frames its pages. (A module of its own
//! because it writes through [`crate::auth`], which reads the site row of [`super`].)

use actix_web::{HttpRequest, HttpResponse, patch, web};
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Settings, SiteView};
use crate::AppState;
use crate::auth::staff::{Done, write};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, Problem};
use crate::db::{AnyConnection, schema::sites};
use crate::http::Data;
use crate::http::body::Body;
use crate::http::input::{Checker, Need};

/// The settings an editor sets; only the fields sent change, and an empty string clears one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"address": "Số 1 đường Nguyễn Trãi, phường Chí Minh, thành phố Chí Linh, tỉnh Hải Dương",
    "phone": "0220 3882 123", "email": "ubndchiminh@haiduong.gov.vn", "base_url": "https://chiminh.chilinh.haiduong.gov.vn"}))]
pub struct SettingsInput {
    /// Up to 300 characters.
    #[schema(max_length = 300)]
    pub address: Option<String>,
    /// Up to 50 characters.
    #[schema(max_length = 50)]
    pub phone: Option<String>,
    /// Up to 50 characters.
    #[schema(max_length = 50)]
    pub fax: Option<String>,
    /// An email address, up to 200 characters.
    #[schema(max_length = 200, pattern = "^(|[^@\\s]+@[^@\\s]+\\.[^@\\s]+)$")]
    pub email: Option<String>,
    /// An http(s) URL or a path on this server (`/uploads/...`).
    #[schema(max_length = 2000, pattern = "^(|https?://[^/\\s]\\S*|/[^/\\s]\\S*)$")]
    pub logo_url: Option<String>,
    /// An http(s) URL or a path on this server (`/uploads/...`).
    #[schema(max_length = 2000, pattern = "^(|https?://[^/\\s]\\S*|/[^/\\s]\\S*)$")]
    pub banner_url: Option<String>,
    /// Up to 2000 characters.
    #[schema(max_length = 2000)]
    pub footer_text: Option<String>,
    /// An http(s) URL without a query or fragment; a trailing `/` is dropped.
    #[schema(max_length = 2000, pattern = "^(|https?://[^/\\s?#][^\\s?#]*)$")]
    pub base_url: Option<String>,
}

/// Checks `input` and applies it to `settings`.
fn apply(settings: &mut Settings, input: SettingsInput) -> Result<(), ApiError> {
    let mut check = Checker::default();
    let set = |target: &mut String, value: Option<String>| {
        if let Some(v) = value {
            *target = v;
        }
    };
    let address = check.text("address", input.address, 300, Need::Optional);
    let phone = check.text("phone", input.phone, 50, Need::Optional);
    let fax = check.text("fax", input.fax, 50, Need::Optional);
    let email = check.email("email", input.email, Need::Optional);
    let logo = check.url("logo_url", input.logo_url, true, Need::Optional);
    let banner = check.url("banner_url", input.banner_url, true, Need::Optional);
    let footer = check.text("footer_text", input.footer_text, 2000, Need::Optional);
    let base = check.url("base_url", input.base_url, false, Need::Optional);
    if base.as_deref().is_some_and(|b| b.contains(['?', '#'])) {
        check.reject("base_url", "must have no query or fragment");
    }
    check.finish()?;
    set(&mut settings.address, address);
    set(&mut settings.phone, phone);
    set(&mut settings.fax, fax);
    set(&mut settings.email, email);
    set(&mut settings.logo_url, logo);
    set(&mut settings.banner_url, banner);
    set(&mut settings.footer_text, footer);
    set(&mut settings.base_url, base.map(|b| b.trim_end_matches('/').to_owned()));
    Ok(())
}

/// Stores `settings` as site `site_id`'s.
pub fn save(conn: &mut AnyConnection, site_id: i64, settings: &Settings) -> QueryResult<usize> {
    diesel::update(sites::table.find(site_id))
        .set((
            sites::address.eq(&settings.address),
            sites::phone.eq(&settings.phone),
            sites::fax.eq(&settings.fax),
            sites::email.eq(&settings.email),
            sites::logo_url.eq(&settings.logo_url),
            sites::banner_url.eq(&settings.banner_url),
            sites::footer_text.eq(&settings.footer_text),
            sites::base_url.eq(&settings.base_url),
        ))
        .execute(conn)
}

/// Edit a site's settings
///
/// Its contacts (address, phone, fax, email), logo, banner, footer text and the frontend's
/// public base URL. Roles: editors and admins of the site.
#[utoipa::path(
    tag = "sites",
    request_body = SettingsInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<SiteView>),
        (status = 422, description = "Invalid fields, named in `errors`", body = Problem, content_type = "application/problem+json",
         example = json!({"type": "/problems/validation-failed", "title": "Validation failed", "status": 422,
            "detail": "email: must be an email address", "errors": [{"field": "email", "message": "must be an email address"}]})),
    )
)]
#[patch("/sites/{site}")]
pub async fn update_site(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    body: Body<SettingsInput>,
) -> Result<HttpResponse, ApiError> {
    write(&state, &req, caller, path.into_inner(), Role::Editor, move |conn, site| {
        let mut site = site.clone();
        apply(&mut site.settings, body.parse()?)?;
        save(conn, site.id, &site.settings)?;
        Ok(Done::saved("site.update", format!("site:{}", site.id), SiteView::from(&site)))
    })
    .await
}
