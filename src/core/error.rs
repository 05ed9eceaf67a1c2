//! The one error type of the API and its RFC 9457 `application/problem+json` body.
//!
//! Handlers return `Result<_, ApiError>`:
//! - a bad query or path parameter: [`ApiError::invalid`] naming the field (400);
//! - a missing site, category or article: [`ApiError::not_found`] (404);
//! - no or a bad token: [`ApiError::Unauthorized`] (401); a role too low: [`ApiError::Forbidden`];
//! - a bad request body: [`ApiError::Validation`] naming the fields (422);
//! - a stale `If-Match`: [`ApiError::PreconditionFailed`] (412); a clash: [`ApiError::Conflict`];
//! - a database that cannot be reached in time: [`ApiError::Unavailable`] (503, `Retry-After`);
//! - anything unexpected: [`ApiError::internal`] (500). The cause is logged, never sent.
//!
//! Errors that actix-web produces itself (unknown path, wrong method, extractor failures,
//! oversized or mistyped bodies) are turned into the same body by [`problem_errors`], so a
//! client never sees HTML or a bare string.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The parameter or body field, as the client spelled it.
    #[schema(example = "per_page")]
    pub field: String,
    /// What is wrong with it.
    #[schema(example = "must be a whole number from 1 to 100")]
    pub message: String,
}

/// An RFC 9457 problem: the body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/invalid-parameter",
    "title": "Invalid parameter",
    "status": 400,
    "detail": "per_page: must be a whole number from 1 to 100",
    "errors": [{"field": "per_page", "message": "must be a whole number from 1 to 100"}]
}))]
pub struct Problem {
    /// A stable identifier of the kind of problem, for clients to switch on:
    /// `/problems/invalid-parameter` (400), `/problems/unauthorized` (401),
    /// `/problems/forbidden` (403), `/problems/not-found` (404),
    /// `/problems/method-not-allowed` (405), `/problems/not-acceptable` (406),
    /// `/problems/request-timeout` (408),
    /// `/problems/conflict` (409), `/problems/precondition-failed` (412),
    /// `/problems/payload-too-large` (413), `/problems/unsupported-media-type` (415),
    /// `/problems/range-not-satisfiable` (416),
    /// `/problems/validation-failed` (422), `/problems/precondition-required` (428),
    /// `/problems/too-many-requests` (429), `/problems/service-unavailable` (503),
    /// `/problems/internal-error` (500).
    #[serde(rename = "type")]
    #[schema(example = "/problems/not-found")]
    pub kind: &'static str,
    /// A short summary of the kind of problem (English, stable).
    #[schema(example = "Not found")]
    pub title: &'static str,
    /// The HTTP status code.
    #[schema(example = 404)]
    pub status: u16,
    /// What went wrong with this request, for a person to read.
    #[schema(example = "no site \"phuong-khong-co\"")]
    pub detail: String,
    /// The invalid fields, for 400 and 422 answers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// Every error the API answers with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid parameter")]
    InvalidParameters(Vec<FieldError>),
    #[error("{0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("not acceptable")]
    NotAcceptable,
    #[error("payload too large")]
    PayloadTooLarge(String),
    #[error("unsupported media type")]
    UnsupportedMediaType(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("conflict: {0}")]
    Conflict(String),
    /// Fields that are well formed but clash with what is stored: a slug or code another
    /// record has, an id of something this site does not have (409, naming each field).
    #[error("conflicting fields")]
    Clash(Vec<FieldError>),
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    #[error("precondition required")]
    PreconditionRequired,
    /// Too many attempts; retry after this many seconds.
    #[error("too many requests")]
    TooManyRequests(u64),
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
    /// Another layer's error of this status, with a detail safe to show.
    #[error("{1}")]
    Other(StatusCode, String),
}

impl ApiError {
    /// 422 when a field is malformed (naming it, and any that clash too), else 409 naming the
    /// fields that clash with what is stored, else nothing.
    pub fn fields(mut errors: Vec<FieldError>, clashes: Vec<FieldError>) -> Result<(), ApiError> {
        match (errors.is_empty(), clashes.is_empty()) {
            (true, true) => Ok(()),
            (true, false) => Err(Self::Clash(clashes)),
            (false, _) => {
                errors.extend(clashes);
                Err(Self::Validation(errors))
            }
        }
    }

    /// A 400 for one bad parameter.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidParameters(vec![FieldError { field: field.into(), message: message.into() }])
    }

    /// A 404 with a detail naming what was not found.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::NotFound(detail.into())
    }

    /// A 500; the cause is logged and not sent to the client.
    pub fn internal(cause: impl Into<String>) -> Self {
        Self::Internal(cause.into())
    }

    /// The problem body of this error.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let (kind, title) = kind_and_title(status);
        let (detail, errors) = match self {
            Self::InvalidParameters(errors) | Self::Validation(errors) | Self::Clash(errors) => {
                (describe(errors), errors.clone())
            }
            Self::NotFound(detail)
            | Self::PayloadTooLarge(detail)
            | Self::UnsupportedMediaType(detail)
            | Self::Unauthorized(detail)
            | Self::Forbidden(detail)
            | Self::Conflict(detail)
            | Self::PreconditionFailed(detail)
            | Self::Other(_, detail) => (detail.clone(), Vec::new()),
            Self::PreconditionRequired => {
                ("send If-Match with the ETag of the version you edited, so no one's save is lost".into(), Vec::new())
            }
            Self::TooManyRequests(secs) => (format!("too many attempts; retry in {secs} seconds"), Vec::new()),
            Self::MethodNotAllowed => ("this path does not answer that method".into(), Vec::new()),
            Self::NotAcceptable => {
                ("this API answers application/json; send Accept: application/json".into(), Vec::new())
            }
            Self::Unavailable => ("the database is busy or unreachable; retry shortly".into(), Vec::new()),
            Self::Internal(_) => ("an unexpected error occurred; it has been logged".into(), Vec::new()),
        };
        Problem { kind, title, status: status.as_u16(), detail, errors }
    }
}

fn describe(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
}

/// The `type` and `title` of the problem answered with `status`.
pub fn kind_and_title(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("/problems/invalid-parameter", "Invalid parameter"),
        401 => ("/problems/unauthorized", "Unauthorized"),
        403 => ("/problems/forbidden", "Forbidden"),
        404 => ("/problems/not-found", "Not found"),
        405 => ("/problems/method-not-allowed", "Method not allowed"),
        406 => ("/problems/not-acceptable", "Not acceptable"),
        408 => ("/problems/request-timeout", "Request timeout"),
        409 => ("/problems/conflict", "Conflict"),
        412 => ("/problems/precondition-failed", "Precondition failed"),
        413 => ("/problems/payload-too-large", "Payload too large"),
        415 => ("/problems/unsupported-media-type", "Unsupported media type"),
        416 => ("/problems/range-not-satisfiable", "Range not satisfiable"),
        422 => ("/problems/validation-failed", "Validation failed"),
        428 => ("/problems/precondition-required", "Precondition required"),
        429 => ("/problems/too-many-requests", "Too many requests"),
        503 => ("/problems/service-unavailable", "Service unavailable"),
        s if s >= 500 => ("/problems/internal-error", "Internal server error"),
        _ => ("/problems/bad-request", "Bad request"),
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::InvalidParameters(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) | Self::Clash(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Other(status, _) => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
        let mut res = problem_response(&self.problem());
        match self {
            Self::Unavailable => {
                res.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
            }
            Self::TooManyRequests(secs) => {
                res.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(*secs));
            }
            Self::Unauthorized(_) => {
                res.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        res
    }
}

/// Serialises a problem with its status and media type.
pub fn problem_response(problem: &Problem) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .content_type(PROBLEM_JSON)
        .body(serde_json::to_vec(problem).unwrap_or_default())
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::not_found("not found"),
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                Self::Conflict("something with the same name already exists".into())
            }
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::ForeignKeyViolation, _) => {
                Self::Conflict("it is still referred to, or refers to something missing".into())
            }
            // The server went away under a pooled connection (a restart, a network cut): the
            // client may retry, and the pool drops that connection (see `db::Manager`).
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::ClosedConnection
                | diesel::result::DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => {
                tracing::warn!(error = info.message(), "the database connection was lost");
                Self::Unavailable
            }
            other => Self::internal(format!("database: {other}")),
        }
    }
}

/// Answers every error response that is not already a problem (actix-web's own 404, 405, 413,
/// extractor errors, ...) with a problem of the same status, keeping its other headers
/// (`Allow`, CORS, request id).
pub async fn problem_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<BoxBody>>, actix_web::Error> {
    // An error a middleware returned instead of a response (CORS refusals) keeps its status and
    // gets a problem body.
    let res = next.call(req).await.map_err(|err| {
        let status = err.as_response_error().status_code();
        let detail = if status.is_client_error() { err.to_string() } else { default_detail(status) };
        ApiError::Other(status, detail)
    })?;
    let status = res.status();
    let is_problem =
        res.headers().get(header::CONTENT_TYPE).is_some_and(|ct| ct.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return Ok(res.map_body(|_, body| EitherBody::left(body.boxed())));
    }
    let detail = match res.response().error() {
        // actix-web's messages for its own client errors are safe and useful ("Json payload
        // size is bigger than allowed", "Content type error"); server errors stay generic.
        Some(err) if status.is_client_error() => err.to_string(),
        _ => default_detail(status),
    };
    let (kind, title) = kind_and_title(status);
    let problem = Problem { kind, title, status: status.as_u16(), detail, errors: Vec::new() };
    if status.is_server_error() {
        tracing::error!(status = status.as_u16(), error = ?res.response().error(), "server error");
    }
    let (req, old) = res.into_parts();
    let mut new = problem_response(&problem);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH && name != header::CONTENT_ENCODING {
            new.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(req, new).map_into_right_body())
}

fn default_detail(status: StatusCode) -> String {
    match status.as_u16() {
        404 => "no resource at this path".into(),
        405 => "this path does not answer that method".into(),
        s if s >= 500 => "an unexpected error occurred; it has been logged".into(),
        _ => status.canonical_reason().unwrap_or("error").to_lowercase(),
    }
}

/// The methods each documented path answers, for the `Allow` header of 405 answers.
pub struct RouteMethods(pub Vec<(actix_web::dev::ResourceDef, String)>);

impl RouteMethods {
    /// Reads the paths and methods of an OpenAPI document.
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> RouteMethods {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ];
                let allow: Vec<&str> = methods.iter().filter(|(_, on)| *on).map(|(m, _)| *m).collect();
                (actix_web::dev::ResourceDef::new(path.as_str()), allow.join(", "))
            })
            .collect();
        RouteMethods(routes)
    }

    fn allowed(&self, path: &str) -> Option<&str> {
        self.0.iter().find(|(def, _)| def.is_match(path)).map(|(_, allow)| allow.as_str())
    }
}

/// The answer for requests no route takes: 405 with `Allow` when the path exists with other
/// methods, else 404.
pub async fn no_route(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    let routes = req.app_data::<actix_web::web::Data<RouteMethods>>();
    if let Some(allow) = routes.and_then(|r| r.allowed(req.path())) {
        let mut res = ApiError::MethodNotAllowed.error_response();
        if let Ok(value) = header::HeaderValue::from_str(allow) {
            res.headers_mut().insert(header::ALLOW, value);
        }
        return Ok(res);
    }
    Err(ApiError::not_found("no resource at this path"))
}

/// Makes a failed query string a 400 problem (actix-web would answer a bare string).
pub fn query_error(err: actix_web::error::QueryPayloadError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::invalid("query", err.to_string()).into()
}

/// Makes a failed path segment a 404 problem.
pub fn path_error(err: actix_web::error::PathError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    ApiError::not_found(format!("no resource at this path ({err})")).into()
}

/// A body that did not parse: well-formed JSON of the wrong shape is 422, text that is not
/// JSON at all is 400.
pub fn body_error(e: &serde_json::Error) -> ApiError {
    if e.is_data() {
        ApiError::Validation(vec![FieldError { field: "body".into(), message: e.to_string() }])
    } else {
        ApiError::invalid("body", format!("malformed JSON: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_maps_to_its_status_and_type() {
        let cases: Vec<(ApiError, u16, &str)> = vec![
            (ApiError::invalid("page", "bad"), 400, "/problems/invalid-parameter"),
            (ApiError::not_found("x"), 404, "/problems/not-found"),
            (ApiError::MethodNotAllowed, 405, "/problems/method-not-allowed"),
            (ApiError::NotAcceptable, 406, "/problems/not-acceptable"),
            (ApiError::PayloadTooLarge("big".into()), 413, "/problems/payload-too-large"),
            (ApiError::UnsupportedMediaType("xml".into()), 415, "/problems/unsupported-media-type"),
            (ApiError::Validation(vec![]), 422, "/problems/validation-failed"),
            (ApiError::Unavailable, 503, "/problems/service-unavailable"),
            (ApiError::internal("secret cause"), 500, "/problems/internal-error"),
        ];
        for (err, status, kind) in cases {
            let p = err.problem();
            assert_eq!((p.status, p.kind), (status, kind));
            assert!(!p.detail.contains("secret"));
        }
    }

    #[test]
    fn invalid_parameters_name_the_field() {
        let p = ApiError::invalid("per_page", "must be a whole number from 1 to 100").problem();
        assert_eq!(p.detail, "per_page: must be a whole number from 1 to 100");
        assert_eq!(p.errors[0].field, "per_page");
    }
}
