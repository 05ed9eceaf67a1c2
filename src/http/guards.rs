//! What every request and answer passes, whatever its route: a deadline for the request body,
//! and the headers that keep browsers from sniffing, framing or running what we answer.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError, web};
use futures_util::Stream;

use crate::core::error::ApiError;

/// How long a request body may take to arrive in all (`PORTAL_BODY_TIMEOUT_MS`), as the app
/// hands it to [`body_deadline`].
#[derive(Clone, Copy, Debug)]
pub struct BodyTimeout(pub std::time::Duration);

/// Put in an answer's extensions by a handler whose answers other sites may frame (uploads,
/// which ward frontends embed): [`security_headers`] then adds only `nosniff`.
#[derive(Clone, Copy, Debug)]
pub struct Embeddable;

/// A request body that has not arrived in full by its deadline ends in an error; the flag
/// tells the middleware why the handler failed.
struct Deadline {
    inner: Payload,
    sleep: Pin<Box<actix_web::rt::time::Sleep>>,
    expired: Arc<AtomicBool>,
}

impl Stream for Deadline {
    type Item = Result<web::Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired.load(Ordering::Relaxed) {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        match self.sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.expired.store(true, Ordering::Relaxed);
                let late = std::io::Error::new(std::io::ErrorKind::TimedOut, "the request body arrived too slowly");
                Poll::Ready(Some(Err(PayloadError::Io(late))))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Gives the body of every request that may have one (not `GET`, `HEAD`, `OPTIONS`) the
/// node's `PORTAL_BODY_TIMEOUT_MS` in all to arrive; one that takes longer (a client sending a
/// byte a second to hold a connection and its worker) is answered 408.
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let bodiless = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let limit = req.app_data::<web::Data<BodyTimeout>>().map(|t| t.0);
    let (Some(limit), false) = (limit, bodiless) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let expired = Arc::new(AtomicBool::new(false));
    let deadline = Deadline {
        inner: req.take_payload(),
        sleep: Box::pin(actix_web::rt::time::sleep(limit)),
        expired: expired.clone(),
    };
    req.set_payload(Payload::Stream { payload: Box::pin(deadline) });
    let res = next.call(req).await;
    if !expired.load(Ordering::Relaxed) {
        return Ok(res?.map_into_left_body());
    }
    let late = ApiError::Other(
        StatusCode::REQUEST_TIMEOUT,
        format!("the request body did not arrive within {} ms", limit.as_millis()),
    );
    let mut answer = late.error_response();
    answer.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    match res {
        Ok(res) => Ok(res.into_response(answer).map_into_right_body()),
        Err(e) => Err(actix_web::error::InternalError::from_response(e, answer).into()),
    }
}

/// Refuses a request whose path (404: no slug or code holds it) or query (400 naming `query`)
/// carries NUL (`%00`): PostgreSQL's text cannot hold it, so a statement would fail, and
/// refusing it here keeps every handler on both backends from meeting it. (Bodies drop it:
/// see [`crate::http::body`].)
pub async fn refuse_nul(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let nul = |s: &str| s.as_bytes().windows(3).any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0');
    let refused = if nul(req.uri().path()) {
        ApiError::not_found("no resource at this path")
    } else if nul(req.query_string()) {
        ApiError::invalid("query", "must not contain NUL (%00)")
    } else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let refused = refused.error_response();
    Ok(req.into_response(refused).map_into_right_body())
}

/// The content security policy of the docs page: its own scripts and styles (Swagger UI sets
/// styles inline), its own icons, calls to this server only, and no framing.
const DOCS_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
     script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
/// The policy of every JSON answer: nothing in it may load or run, and no one may frame it.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Adds to every answer `X-Content-Type-Options: nosniff`; to all but [`Embeddable`] ones
/// frame protection (`X-Frame-Options: DENY` and CSP `frame-ancestors
/// 'none'`) and a content security policy: the docs page's own, or one that lets nothing run.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let policy = if req.path().starts_with("/docs") { DOCS_POLICY } else { API_POLICY };
    let mut res = next.call(req).await?;
    let policy = (!res.response().extensions().contains::<Embeddable>()).then_some(policy);
    let headers = res.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Some(policy) = policy {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    Ok(res)
}
