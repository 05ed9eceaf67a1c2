//! Integration tests through the real app, on SQLite always and on PostgreSQL when
//! `TEST_DATABASE_URL` is set (each test in its own database or schema).

mod helpers;

mod articles;
mod auth;
mod cache;
mod categories;
mod desk;
mod feeds;
mod hardening;
mod http;
mod library;
mod openapi;
mod pages;
mod process;
mod schema;
mod seo;
mod sites;
mod uploads;
mod visits;
mod ward;
mod writing;
