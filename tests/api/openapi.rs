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
    let generated: Value = serde_json::from_str(&portal::openapi::to_pretty_json(
        &portal::openapi::document(),
    ))
    .unwrap();
    assert_eq!(served, generated);
}

#[test]
fn every_operation_is_documented() {
    let doc: Value = serde_json::from_str(&portal::openapi::to_pretty_json(
        &portal::openapi::document(),
    ))
    .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut names: Vec<&str> = paths.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "/api/v1/sites",
            "/api/v1/sites/{site}",
            "/api/v1/sites/{site}/articles",
            "/api/v1/sites/{site}/articles/{article}",
            "/api/v1/sites/{site}/categories",
            "/api/v1/sites/{site}/categories/{slug}",
            "/healthz",
            "/readyz",
        ]
    );
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let at = format!("{method} {path}");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{at}: summary"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{at}: tag"
            );
            let responses = op["responses"].as_object().unwrap();
            for status in ["200", "406", "500"] {
                assert!(responses.contains_key(status), "{at}: {status}");
            }
            for (status, res) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = &res["content"]["application/problem+json"]["schema"]["$ref"];
                    assert_eq!(
                        schema, "#/components/schemas/Problem",
                        "{at}: {status} is a problem"
                    );
                }
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for segment in path.split('/').filter(|s| s.starts_with('{')) {
                let name = segment.trim_matches(['{', '}']);
                let param = params
                    .iter()
                    .find(|p| p["name"] == name && p["in"] == "path");
                let param = param.unwrap_or_else(|| panic!("{at}: path parameter {name}"));
                assert!(param["example"].is_string(), "{at}: example of {name}");
            }
            for p in &params {
                assert!(
                    p["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{at}: description of {}",
                    p["name"]
                );
            }
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for (name, schema) in schemas {
        if name.starts_with("Data") || name.starts_with("List") {
            continue;
        }
        assert!(
            schema.get("example").is_some() || name == "FieldError" || name == "ListMeta",
            "schema {name} has an example"
        );
    }
}
