//! The OpenAPI document: the base (info, tags) here, every path from its handler's
//! `#[utoipa::path]`, collected when the routes are registered.

use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, OpenApi as Document, RefOr, ResponseBuilder};

use crate::core::error::Problem;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portal API",
        description = "Headless JSON API for the web portals of Vietnamese wards and communes \
(phường/xã): news by category with related articles and previous/next, website links, the \
photo library and media, the one-stop desk (Bộ phận một cửa), visitor statistics, and one call for \
a home page. \
One deployment serves every ward of a city; per-site resources live under `/api/v1/sites/{site}`.\n\n\
Conventions: JSON field names in snake_case; times in RFC 3339 with the site's offset (`+07:00`); \
lists take `page` and `per_page` (at most 100) and answer `{\"data\": [...], \"meta\": {...}}` \
with an RFC 8288 `Link` header; one object is `{\"data\": {...}}`. Public reads carry `ETag` and \
`Cache-Control` and answer `If-None-Match` with 304; every `GET` also answers `HEAD` (the same \
status and headers, no body). Every error is an RFC 9457 \
`application/problem+json` body whose `type` is stable and whose `errors` name bad fields. \
Search and slugs fold Vietnamese diacritics and `đ`: `hai duong` finds `Hải Dương`.",
        license(name = "MIT"),
    ),
    tags(
        (name = "sites", description = "The wards and communes of the deployment"),
        (name = "categories", description = "Each site's tree of news categories"),
        (name = "articles", description = "Published news articles, searchable"),
        (name = "links", description = "Website links (Liên kết website), grouped and ordered"),
        (name = "albums", description = "The photo library (Thư viện ảnh): albums of captioned photos"),
        (name = "media", description = "Songs and videos: uploaded files or embeds from other sites"),
        (name = "desk", description = "The one-stop desk (Bộ phận một cửa): office and hours, procedures, dossier lookup, statistics, holidays"),
        (name = "auth", description = "Staff sign-in: short-lived access tokens, rotating refresh tokens"),
        (name = "visits", description = "Visitor statistics: the beacon, the counter widget, most viewed, history"),
        (name = "uploads", description = "Images, documents, audio and video: uploaded by staff, served to everyone"),
        (name = "admin", description = "For admins: the audit log"),
        (name = "health", description = "Probes for load balancers and orchestrators"),
    ),
    components(schemas(Problem)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// The `bearer` security scheme the write operations name.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut Document) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("The access_token of POST /api/v1/auth/login"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("PORTAL_METRICS_TOKEN, when it is set"))
                    .build(),
            ),
        );
    }
}

/// Adds the answers every operation can give (406, 500) to each one, so no path forgets them.
pub fn add_common_errors(doc: &mut Document) {
    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    crate::core::error::PROBLEM_JSON,
                    ContentBuilder::new()
                        .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("Problem"))))
                        .build(),
                )
                .build(),
        )
    };
    let add = |op: &mut Operation| {
        op.responses.responses.entry("406".into()).or_insert_with(|| problem("The client does not accept JSON"));
        op.responses
            .responses
            .entry("500".into())
            .or_insert_with(|| problem("An unexpected error (logged; details are never sent)"));
    };
    operations_mut(doc).for_each(add);
}

/// Every operation of `doc`.
fn operations_mut(doc: &mut Document) -> impl Iterator<Item = &mut Operation> {
    doc.paths
        .paths
        .values_mut()
        .flat_map(|item| [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete])
        .flatten()
}

/// The whole document, as served at `/api/openapi.json` and committed as `openapi/openapi.json`.
pub fn document() -> Document {
    use actix_web::App;
    use utoipa_actix_web::AppExt;
    let (_, doc) = App::new().into_utoipa_app().openapi(ApiDoc::openapi()).configure(crate::routes).split_for_parts();
    finish(doc)
}

/// Completes a collected document.
pub fn finish(mut doc: Document) -> Document {
    add_common_errors(&mut doc);
    describe_site_parameter(&mut doc);
    doc
}

/// Describes the `{site}` path parameter of every per-site operation once, here: the router
/// names it, and no handler repeats its description and example.
pub fn describe_site_parameter(doc: &mut Document) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    for op in operations_mut(doc) {
        let Some(params) = op.parameters.as_mut() else { continue };
        let Some(at) = params.iter().position(|p| p.name == "site" && matches!(p.parameter_in, ParameterIn::Path))
        else {
            continue;
        };
        // First, as every operation under `/sites/{site}` lists it.
        let site = params.remove(at);
        #[allow(deprecated)]
        let site = match site.description {
            Some(_) => site,
            None => ParameterBuilder::from(site)
                .description(Some("Site slug"))
                .example(Some(serde_json::json!("phuong-chi-minh")))
                .build(),
        };
        params.insert(0, site);
    }
}

/// The document as committed: pretty JSON with a final newline.
pub fn to_pretty_json(doc: &Document) -> String {
    let mut s = doc.to_pretty_json().expect("the OpenAPI document serialises");
    s.push('\n');
    s
}
