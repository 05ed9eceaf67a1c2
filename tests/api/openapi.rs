//! The committed OpenAPI document is the code's document, and it documents everything.

use serde_json::Value;

use crate::helpers::{Backend, spawn};

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");

#[test]
fn committed_document_matches_the_code() {
    let generated = portal::openapi::to_pretty_json(&portal::openapi::document());
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(COMMITTED, &generated).expect("write openapi/openapi.json");
        return;
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json differs from the code's document. Regenerate it with:\n\n    \
         UPDATE_OPENAPI=1 cargo test --test api openapi\n\n(or `cargo run -- openapi > openapi/openapi.json`) and commit it."
    );
}

#[actix_web::test]
async fn the_served_document_is_the_committed_one() {
    let app = spawn(Backend::Sqlite).await.unwrap();
    let served = app.get_json("/api/openapi.json").await;
    let generated: Value =
        serde_json::from_str(&portal::openapi::to_pretty_json(&portal::openapi::document())).unwrap();
    assert_eq!(served, generated);
}

#[test]
fn every_operation_is_documented() {
    let doc: Value = serde_json::from_str(&portal::openapi::to_pretty_json(&portal::openapi::document())).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut names: Vec<&str> = paths.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "/api/v1/audit",
            "/api/v1/auth/login",
            "/api/v1/auth/logout",
            "/api/v1/auth/refresh",
            "/api/v1/holidays",
            "/api/v1/holidays/{day}",
            "/api/v1/me",
            "/api/v1/sites",
            "/api/v1/sites/{site}",
            "/api/v1/sites/{site}/albums",
            "/api/v1/sites/{site}/albums/{album}",
            "/api/v1/sites/{site}/albums/{album}/photos",
            "/api/v1/sites/{site}/albums/{album}/photos/{photo}",
            "/api/v1/sites/{site}/articles",
            "/api/v1/sites/{site}/articles/{article}",
            "/api/v1/sites/{site}/articles/{article}/publish",
            "/api/v1/sites/{site}/articles/{article}/related",
            "/api/v1/sites/{site}/articles/{article}/restore",
            "/api/v1/sites/{site}/articles/{article}/revisions",
            "/api/v1/sites/{site}/articles/{article}/revisions/{revision}/restore",
            "/api/v1/sites/{site}/articles/{article}/submit",
            "/api/v1/sites/{site}/articles/{article}/trash",
            "/api/v1/sites/{site}/articles/{article}/unpublish",
            "/api/v1/sites/{site}/articles/{article}/views",
            "/api/v1/sites/{site}/calendar",
            "/api/v1/sites/{site}/calendar/{entry}",
            "/api/v1/sites/{site}/categories",
            "/api/v1/sites/{site}/categories/{slug}",
            "/api/v1/sites/{site}/desk",
            "/api/v1/sites/{site}/desk/statistics",
            "/api/v1/sites/{site}/disclosures",
            "/api/v1/sites/{site}/disclosures/{disclosure}",
            "/api/v1/sites/{site}/documents",
            "/api/v1/sites/{site}/documents/{document}",
            "/api/v1/sites/{site}/dossiers",
            "/api/v1/sites/{site}/dossiers/{code}",
            "/api/v1/sites/{site}/dossiers/{code}/status",
            "/api/v1/sites/{site}/feeds/atom.xml",
            "/api/v1/sites/{site}/feeds/feed.json",
            "/api/v1/sites/{site}/feeds/rss.xml",
            "/api/v1/sites/{site}/home",
            "/api/v1/sites/{site}/links",
            "/api/v1/sites/{site}/links/{link}",
            "/api/v1/sites/{site}/media",
            "/api/v1/sites/{site}/media/{media}",
            "/api/v1/sites/{site}/menus/{location}",
            "/api/v1/sites/{site}/officials",
            "/api/v1/sites/{site}/officials/{official}",
            "/api/v1/sites/{site}/pages",
            "/api/v1/sites/{site}/pages/{page}",
            "/api/v1/sites/{site}/pages/{page}/revisions",
            "/api/v1/sites/{site}/pages/{page}/revisions/{revision}/restore",
            "/api/v1/sites/{site}/procedures",
            "/api/v1/sites/{site}/procedures/{code}",
            "/api/v1/sites/{site}/sitemap-news.xml",
            "/api/v1/sites/{site}/sitemap.xml",
            "/api/v1/sites/{site}/uploads",
            "/api/v1/sites/{site}/uploads/{upload}",
            "/api/v1/sites/{site}/visits",
            "/api/v1/sites/{site}/visits/history",
            "/api/v1/sites/{site}/visits/imported-total",
            "/api/v1/sites/{site}/visits/most-viewed",
            "/api/v1/sites/{site}/visits/summary",
            "/healthz",
            "/metrics",
            "/readyz",
            "/uploads/{prefix}/{name}",
        ]
    );
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{at}: summary");
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{at}: tag");
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.keys().any(|s| s.starts_with('2')), "{at}: a success answer");
            for status in ["406", "500"] {
                assert!(responses.contains_key(status), "{at}: {status}");
            }
            // Every operation that needs a token says so, and documents 401.
            if op["security"].as_array().is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some())) {
                assert!(responses.contains_key("401"), "{at}: 401");
            }
            for (status, res) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = &res["content"]["application/problem+json"]["schema"]["$ref"];
                    assert_eq!(schema, "#/components/schemas/Problem", "{at}: {status} is a problem");
                }
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for segment in path.split('/').filter(|s| s.starts_with('{')) {
                let name = segment.trim_matches(['{', '}']);
                let param = params.iter().find(|p| p["name"] == name && p["in"] == "path");
                let param = param.unwrap_or_else(|| panic!("{at}: path parameter {name}"));
                assert!(!param["example"].is_null(), "{at}: example of {name}");
            }
            for p in &params {
                assert!(p["description"].as_str().is_some_and(|d| !d.is_empty()), "{at}: description of {}", p["name"]);
            }
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let missing: Vec<&String> = schemas
        .iter()
        .filter(|(name, schema)| {
            let envelope = name.starts_with("Data") || name.starts_with("List");
            let enumeration = schema.get("enum").is_some() || schema.get("oneOf").is_some();
            !envelope
                && !enumeration
                && schema.get("example").is_none()
                && !["FieldError", "ListMeta", "DocumentName", "UploadForm", "Weekday"].contains(&name.as_str())
        })
        .map(|(name, _)| name)
        .collect();
    assert!(missing.is_empty(), "schemas without an example: {missing:?}");
}
