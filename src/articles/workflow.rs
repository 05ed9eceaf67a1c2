//! The workflow of an article: submit, publish now or later, unpublish, trash, restore; and
//! the related articles an editor chooses.

use actix_web::{HttpRequest, HttpResponse, post, put, web};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use super::types::*;
use crate::AppState;
use crate::auth::staff::{write, write_as};
use crate::auth::{Caller, Role};
use crate::core::error::{ApiError, Problem};
use crate::db::schema::{article_related, articles};
use crate::http::body::Body;
use crate::http::{Data, field_error};

use super::write::*;

/// A workflow step: who may take it, and what it does to the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    Submit,
    Publish,
    Unpublish,
    Trash,
    Restore,
}

impl Step {
    /// The step's name (`submit`): the last part of its audit action.
    fn action(self) -> &'static str {
        self.audited().trim_start_matches("article.")
    }

    /// The audit action; its last part names the revision the step keeps.
    fn audited(self) -> &'static str {
        match self {
            Step::Submit => "article.submit",
            Step::Publish => "article.publish",
            Step::Unpublish => "article.unpublish",
            Step::Trash => "article.trash",
            Step::Restore => "article.restore",
        }
    }

    fn needed(self) -> Role {
        match self {
            Step::Submit | Step::Trash => Role::Author,
            Step::Publish | Step::Unpublish | Step::Restore => Role::Editor,
        }
    }

    /// The article after this step, or 409 when its status does not allow it.
    fn apply(self, row: &ArticleRow, publish_at: Option<NaiveDateTime>) -> Result<ArticleRow, ApiError> {
        let mut new = row.clone();
        let conflict = |wanted: &str| {
            ApiError::Conflict(format!(
                "only {wanted} can be {}ed; this article is {}",
                self.action().trim_end_matches('e'),
                row.status
            ))
        };
        match self {
            Step::Submit if row.status == DRAFT => new.status = REVIEW.into(),
            Step::Submit => return Err(conflict("a draft")),
            Step::Publish if row.status != TRASHED => {
                new.status = PUBLISHED.into();
                new.published_at = Some(publish_at.unwrap_or_else(|| Utc::now().naive_utc()));
            }
            Step::Publish => return Err(conflict("an article out of the trash")),
            Step::Unpublish if row.status == PUBLISHED => {
                new.status = DRAFT.into();
                new.published_at = None;
            }
            Step::Unpublish => return Err(conflict("a published article")),
            Step::Trash if row.status != TRASHED => new.status = TRASHED.into(),
            Step::Trash => return Err(conflict("an article out of the trash")),
            Step::Restore if row.status == TRASHED => {
                new.status = DRAFT.into();
                new.published_at = None;
            }
            Step::Restore => return Err(conflict("a trashed article")),
        }
        Ok(new)
    }
}

async fn step(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    (site, key): (String, String),
    step: Step,
    body: Option<Body<PublishInput>>,
) -> Result<HttpResponse, ApiError> {
    let limit = state.related_limit;
    write_as(&state, &req, caller, site, step.needed(), move |conn, site, actor, role| {
        let publish_at = match body {
            Some(body) => publish_time(body.parse_or_default()?)?,
            None => None,
        };
        let old = load(conn, site, &key)?;
        may_edit(actor, role, &old)?;
        let new = step.apply(&old, publish_at)?;
        let row = save(conn, &old, new)?;
        let revised = revision_of(&row)?;
        Ok(done(conn, site, row, limit, step.audited(), false)?.with_revision(revised))
    })
    .await
}

/// When to publish: now (`None`) unless `published_at` says when.
fn publish_time(input: PublishInput) -> Result<Option<NaiveDateTime>, ApiError> {
    let Some(t) = input.published_at.as_deref() else { return Ok(None) };
    let at = crate::http::input::parse_instant(t).ok_or_else(|| {
        ApiError::Validation(vec![field_error(
            "published_at",
            "must be an RFC 3339 time such as 2026-12-01T07:00:00+07:00, from 1900 to 2100",
        )])
    })?;
    Ok(Some(at))
}

macro_rules! step_route {
    ($(#[$doc:meta])* $name:ident, $path:literal, $step:expr, $roles:literal) => {
        $(#[$doc])*
        #[utoipa::path(
            tag = "articles",
            description = $roles,
            params(
                ("article" = String, Path, description = "Article id or slug", example = "19"),
            ),
            security(("bearer" = [])),
            responses(
                (status = 200, description = "Done", body = Data<ArticleDetail>, headers(("ETag" = String))),
                (status = 404, description = "No such site or article", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "The article's status does not allow it", body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            req: HttpRequest,
            caller: Caller,
            path: web::Path<(String, String)>,
        ) -> Result<HttpResponse, ApiError> {
            step(state, req, caller, path.into_inner(), $step, None).await
        }
    };
}

step_route!(
    /// Submit an article for review
    submit_article, "/sites/{site}/articles/{article}/submit", Step::Submit,
    "A draft goes to the editors. Roles: the author of the draft, editors, admins."
);
step_route!(
    /// Unpublish an article
    unpublish_article, "/sites/{site}/articles/{article}/unpublish", Step::Unpublish,
    "A published (or scheduled) article goes back to draft. Roles: editors, admins."
);
step_route!(
    /// Move an article to the trash
    trash_article, "/sites/{site}/articles/{article}/trash", Step::Trash,
    "Hidden from readers; can be restored. Roles: editors and admins any article; authors their own unpublished ones."
);
step_route!(
    /// Restore an article from the trash
    restore_article, "/sites/{site}/articles/{article}/restore", Step::Restore,
    "It comes back as a draft. Roles: editors, admins."
);

/// Publish an article
///
/// Now, or at `published_at`: a time to come schedules it, and it appears by itself then,
/// with nothing to run. Publishing a published article moves its time. Roles: editors, admins.
#[utoipa::path(
    tag = "articles",
    params(
        ("article" = String, Path, description = "Article id or slug", example = "19"),
    ),
    request_body(content = Option<PublishInput>, description = "Optional: when to publish"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Published or scheduled", body = Data<ArticleDetail>, headers(("ETag" = String))),
        (status = 404, description = "No such site or article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The article is in the trash", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad published_at", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sites/{site}/articles/{article}/publish")]
pub async fn publish_article(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Body<PublishInput>,
) -> Result<HttpResponse, ApiError> {
    step(state, req, caller, path.into_inner(), Step::Publish, Some(body)).await
}

/// Choose related articles
///
/// Replaces the editor's choice, in order; the rest of the related list still fills from the
/// category. Roles: editors, admins.
#[utoipa::path(
    tag = "articles",
    params(
        ("article" = String, Path, description = "Article id or slug", example = "1"),
    ),
    request_body = RelatedInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = Data<ArticleDetail>, headers(("ETag" = String))),
        (status = 404, description = "No such site or article", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown, repeated or too many articles", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/sites/{site}/articles/{article}/related")]
pub async fn set_related(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: Body<RelatedInput>,
) -> Result<HttpResponse, ApiError> {
    let (site, key) = path.into_inner();
    let limit = state.related_limit;
    write(&state, &req, caller, site, Role::Editor, move |conn, site| {
        let ids = body.parse()?.article_ids;
        let row = load(conn, site, &key)?;
        let mut errors = Vec::new();
        if ids.len() > MAX_RELATED {
            errors.push(field_error("article_ids", format!("at most {MAX_RELATED}")));
        }
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        if unique.len() != ids.len() {
            errors.push(field_error("article_ids", "names an article twice"));
        }
        if ids.contains(&row.id) {
            errors.push(field_error("article_ids", "names the article itself"));
        }
        let found: i64 = articles::table
            .filter(articles::site_id.eq(site.id))
            .filter(articles::id.eq_any(&unique))
            .count()
            .get_result(conn)?;
        let mut clashes = Vec::new();
        if found as usize != unique.len() {
            clashes.push(field_error("article_ids", "names an article that is not in this site"));
        }
        ApiError::fields(errors, clashes)?;
        diesel::delete(article_related::table.filter(article_related::article_id.eq(row.id))).execute(conn)?;
        relate(conn, row.id, &ids)?;
        done(conn, site, row, limit, "article.related", false)
    })
    .await
}
