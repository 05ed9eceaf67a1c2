//! The OpenAPI document: the base (info, tags) here, every path from its handler's
//! `#[utoipa::path]`, collected when the routes are registered.

use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, OpenApi as Document, RefOr, ResponseBuilder};

use std::collections::HashMap;

use serde_json::Value;

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
        license(name = "MIT", identifier = "MIT"),
    ),
    servers((url = "http://127.0.0.1:8080", description = "`cargo run`: the demo wards on the embedded database")),
    tags(
        (name = "sites", description = "The wards and communes of the deployment"),
        (name = "categories", description = "Each site's tree of news categories: the page's menu and the section an article sits in (`Đảng ủy xã`)"),
        (name = "articles", description = "Published news articles, searchable: the article itself, `Các bài liên quan` (related) and `Quay lại` / `Xem tiếp` (previous and next)"),
        (name = "links", description = "The `LIÊN KẾT WEBSITE` block: links to other sites, grouped and ordered"),
        (name = "pages", description = "The site's static pages in a tree, read at the path of their slugs (`gioi-thieu/lich-su`): introduction, history, organisation, contacts (Decree 224/2026 Art. 9.1.c)"),
        (name = "officials", description = "The ward's leaders with their duties and the officials who answer requests for information (Decree 224/2026 Art. 9.1.c; Law on Access to Information Art. 17.1.m)"),
        (name = "documents", description = "The ward's legal and administrative documents (văn bản): kind, number, issuer, dates, status, files (Law on Access to Information Art. 19.1.a)"),
        (name = "calendar", description = "The leaders' work calendar (lịch công tác) by ISO week, in the site's time zone"),
        (name = "disclosures", description = "The register of disclosed information (công khai): budget, investment, land, beneficiaries... by kind and period (Law on Grassroots Democracy Art. 11-13; Law on Access to Information Art. 19.1.g)"),
        (name = "feeds", description = "RSS, Atom and JSON Feed of the newest articles, per site and per category; the sitemap and the news sitemap, on the site's public base URL"),
        (name = "albums", description = "The `Thư viện ảnh` block (photo library): albums of captioned photos"),
        (name = "media", description = "Songs and videos (`Hát về Chí Linh`): uploaded files or embeds from other sites"),
        (name = "desk", description = "The `BỘ PHẬN MỘT CỬA` block (one-stop desk): office and hours, procedures, dossier lookup, statistics, holidays"),
        (name = "auth", description = "Staff sign-in: short-lived access tokens, rotating refresh tokens"),
        (name = "visits", description = "The `LƯỢT TRUY CẬP` block: `Hôm nay`, `Hôm qua`, `Tuần này`, `Tất cả` and the visitor's `IP`; the beacon that counts them, most viewed, history"),
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

/// The answers an operation can give because of what it is, added here once so no handler
/// copies them: every operation can answer 406, 500 and 503; one with query parameters or a
/// body, 400; one with a JSON body, 413, 415 and 422; one with a path parameter, 404; one
/// that takes a staff token, 401, and 403 where a site role is required. A handler that lists one of these itself keeps its
/// own, more precise description.
fn add_common_errors(path: &str, op: &mut Operation) {
    let query =
        op.parameters.iter().flatten().any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query));
    let json_body = op.request_body.as_ref().is_some_and(|b| b.content.contains_key("application/json"));
    let body = op.request_body.is_some();
    let requirements: Vec<serde_json::Value> =
        op.security.iter().flatten().filter_map(|s| serde_json::to_value(s).ok()).collect();
    let token = requirements.iter().any(|r| r.get("bearer").is_some());
    let optional = requirements.iter().any(|r| r.as_object().is_some_and(|o| o.is_empty()));
    let site = path.contains("{site}");
    let mut add = |status: &str, description: &str| {
        op.responses.responses.entry(status.into()).or_insert_with(|| problem(description));
    };
    if query || body {
        add("400", "A malformed parameter or body, named in `errors`");
    }
    if token {
        add("401", "Not signed in, or the access token is invalid or expired");
        if site && !optional {
            add("403", "The caller has no role on this site that allows this (the description names the roles)");
        }
    }
    if site {
        add("404", "No such site");
    } else if path.contains('{') {
        add("404", "Not found");
    }
    if json_body && token {
        add(
            "409",
            "A field clashes with what is stored (a slug or code taken, an id this site does not have), named in `errors`",
        );
    }
    if json_body {
        add("413", "The body is larger than the limit");
        add("415", "The body is not `application/json`");
        add("422", "Invalid fields, named in `errors`");
    }
    add("406", "The client does not accept JSON");
    add("500", "An unexpected error (logged; details are never sent)");
    add("503", "The database is busy or unreachable; retry after `Retry-After` seconds");
}

/// A problem answer (RFC 9457) with `description`.
fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
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
}

/// Operations that take no token say so (`security: []`), so a reader (and a linter) can
/// tell a public operation from one that forgot its requirement.
fn mark_public(op: &mut Operation) {
    op.security.get_or_insert_with(Vec::new);
}

/// Every operation of `doc`, with its path.
fn operations_mut(doc: &mut Document) -> impl Iterator<Item = (&str, &mut Operation)> {
    doc.paths.paths.iter_mut().flat_map(|(path, item)| {
        [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete]
            .into_iter()
            .flatten()
            .map(move |op| (path.as_str(), op))
    })
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
    for (path, op) in operations_mut(&mut doc) {
        add_common_errors(path, op);
        mark_public(op);
    }
    describe_site_parameter(&mut doc);
    let mut value = serde_json::to_value(&doc).expect("the OpenAPI document serialises");
    share_component_schemas(&mut value);
    require_answer_fields(&mut value);
    require_body_fields(&mut value);
    serde_json::from_value(value).expect("the OpenAPI document reads back")
}

/// utoipa copies the schema of a generic's argument (the `T` of `Data<T>` and `List<T>`)
/// inline; every inline schema equal to a named one becomes a `$ref` to it, so a generated
/// client gets one `AlbumDetail` type, not one per answer that carries it.
fn share_component_schemas(doc: &mut Value) {
    fn share(value: &mut Value, named: &HashMap<String, String>, root: bool) {
        if !root
            && value.is_object()
            && let Some(name) = named.get(&value.to_string())
        {
            *value = serde_json::json!({ "$ref": format!("{SCHEMAS}{name}") });
            return;
        }
        children(value).for_each(|v| share(v, named, false));
    }
    let named: HashMap<String, String> = doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, schema)| (schema.to_string(), name.clone()))
        .collect();
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        schemas.values_mut().for_each(|schema| share(schema, &named, true));
    }
    share(&mut doc["paths"], &named, true);
}

/// Every field of what the server answers is always there (`null` when it has no value),
/// so every property of a schema an answer uses is `required`, and a generated client needs
/// no check for a missing field; `Option` fields stay nullable. The bodies clients send keep
/// their optional fields. The one exception: a problem's `errors`, sent only when it names
/// fields.
fn require_answer_fields(doc: &mut Value) {
    fn refs(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    found.extend(r.strip_prefix(SCHEMAS).map(str::to_owned));
                }
                map.iter().filter(|(k, _)| !is_example(k)).for_each(|(_, v)| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    fn require_all(value: &mut Value) {
        if let Some(map) = value.as_object_mut() {
            let names: Vec<Value> = map
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone().into())
                .collect();
            if !names.is_empty() {
                map.insert("required".into(), names.into());
            }
        }
        children(value).for_each(require_all);
    }
    let answers: Vec<&mut Value> = doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("responses"))
        .collect();
    let mut todo = Vec::new();
    for answer in answers {
        refs(answer, &mut todo);
        require_all(answer);
    }
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            refs(&doc["components"]["schemas"][&name], &mut todo);
        }
    }
    seen.remove("Problem");
    for name in seen {
        require_all(&mut doc["components"]["schemas"][&name]);
    }
}

/// The extension by which an operation names the fields its body must carry, not null: the
/// body types keep every field an `Option` so that a missing one is a 422 naming it (and an
/// update may leave it out), so the requirement is stated at the operation:
/// `extensions(("x-required-fields" = json!(["title", "url"])))`.
pub const REQUIRED_FIELDS: &str = "x-required-fields";

/// Turns each [`REQUIRED_FIELDS`] into the body's schema: `allOf` the body type and an object
/// that requires those fields, not null, so a generated client types them as required.
fn require_body_fields(doc: &mut Value) {
    let schemas = doc["components"]["schemas"].clone();
    let Some(paths) = doc["paths"].as_object_mut() else { return };
    for op in paths.values_mut().filter_map(Value::as_object_mut).flat_map(|item| item.values_mut()) {
        let Some(Value::Array(fields)) = op.as_object_mut().and_then(|o| o.remove(REQUIRED_FIELDS)) else {
            continue;
        };
        let Some(schema) = op.pointer_mut("/requestBody/content/application~1json/schema") else { continue };
        let shared = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix(SCHEMAS))
            .map(|name| schemas[name].clone())
            .unwrap_or_else(|| schema.clone());
        let properties: serde_json::Map<String, Value> = fields
            .iter()
            .filter_map(Value::as_str)
            .map(|field| (field.to_owned(), not_null(shared["properties"][field].clone())))
            .collect();
        let required = serde_json::json!({ "type": "object", "required": fields, "properties": properties });
        *schema = serde_json::json!({ "allOf": [schema.take(), required] });
    }
}

/// `schema` without `null` among its types.
fn not_null(mut schema: Value) -> Value {
    if let Some(Value::Array(types)) = schema.get_mut("type") {
        types.retain(|t| t != "null");
        if let [one] = types.as_slice() {
            schema["type"] = one.clone();
        }
    }
    if let Some(Value::Array(branches)) = schema.get_mut("oneOf") {
        branches.retain(|b| b.get("type").is_none_or(|t| t != "null"));
        if let [one] = branches.as_slice() {
            return one.clone();
        }
    }
    schema
}

const SCHEMAS: &str = "#/components/schemas/";

fn is_example(key: &str) -> bool {
    key == "example" || key == "examples"
}

/// The schemas nested in `value`, examples left out.
fn children(value: &mut Value) -> Box<dyn Iterator<Item = &mut Value> + '_> {
    match value {
        Value::Object(map) => Box::new(map.iter_mut().filter(|(k, _)| !is_example(k)).map(|(_, v)| v)),
        Value::Array(items) => Box::new(items.iter_mut()),
        _ => Box::new(std::iter::empty()),
    }
}

/// Describes the `{site}` path parameter of every per-site operation once, here: the router
/// names it, and no handler repeats its description and example.
pub fn describe_site_parameter(doc: &mut Document) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    for (_, op) in operations_mut(doc) {
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
