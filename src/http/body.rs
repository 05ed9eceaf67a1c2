//! Request bodies, read before the handler runs but parsed only when it asks: a staff write
//! signs the caller in and checks the role first, then parses, so a request without a token
//! answers 401 whatever its body (and a reader cannot probe the checks without signing in).

use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, mime, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::core::error::{ApiError, body_error};

/// The largest JSON body accepted: an article's body may be 500,000 bytes of HTML
/// (`articles::write::MAX_BODY_BYTES`), which JSON escaping (quotes, `<` as `\u003c` by some
/// clients) can make several times longer.
pub const MAX_JSON_BYTES: usize = 4 * 1024 * 1024;

/// A JSON body of type `T`, read in full (at most [`MAX_JSON_BYTES`], else 413) but not yet
/// parsed: [`Body::parse`] parses it, 415 when it was not sent as `application/json`, 400 when
/// it is not JSON, 422 naming the field when it is JSON of the wrong shape.
pub struct Body<T> {
    bytes: web::Bytes,
    json: bool,
    kind: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Body<T> {
    /// The body as a `T`.
    pub fn parse(self) -> Result<T, ApiError> {
        if !self.json {
            return Err(ApiError::UnsupportedMediaType("send the body as application/json".into()));
        }
        from_json(&self.bytes)
    }

    /// The body as a `T`, or `T::default()` when there is none: empty, only white space, or
    /// JSON `null` (what a client that sends an optional body of `null` means).
    pub fn parse_or_default(self) -> Result<T, ApiError>
    where
        T: Default,
    {
        let text = self.bytes.trim_ascii();
        if text.is_empty() || text == b"null" {
            return Ok(T::default());
        }
        self.parse()
    }
}

impl<T> FromRequest for Body<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = req.mime_type().ok().flatten().is_some_and(|m| {
            m.type_() == mime::APPLICATION && (m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON))
        });
        let announced = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if announced.is_some_and(|n| n > MAX_JSON_BYTES) {
                return Err(too_large());
            }
            let mut bytes = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::invalid("body", e.to_string()))?;
                if bytes.len() + chunk.len() > MAX_JSON_BYTES {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(Body { bytes: bytes.freeze(), json, kind: PhantomData })
        })
    }
}

/// `bytes` as a `T`: 400 when they are not JSON, 422 when it is JSON of the wrong shape. What
/// JSON allows but the backends cannot take is smoothed first (see [`smooth`]).
pub fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| body_error(&e))?;
    smooth(&mut value);
    serde_json::from_value(value).map_err(|e| body_error(&e))
}

/// Two things valid JSON may carry that a field cannot store as sent:
/// - a whole number written with a fraction (`3.0`, `1e3`): JSON Schema's `integer` counts it
///   as an integer, so a client may send it where the document says `integer`; it is read as
///   that integer (serde would refuse it for an `i64`);
/// - the character NUL (`\u0000`), which PostgreSQL's text cannot hold (the statement would
///   fail) and which no text means: it is dropped, so both backends store the same text.
fn smooth(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9_007_199_254_740_992.0
            {
                *value = Value::from(f as i64);
            }
        }
        Value::String(s) if s.contains('\0') => s.retain(|c| c != '\0'),
        Value::Array(items) => items.iter_mut().for_each(smooth),
        Value::Object(map) => map.values_mut().for_each(smooth),
        _ => {}
    }
}

fn too_large() -> ApiError {
    ApiError::PayloadTooLarge(format!("a JSON body may be at most {MAX_JSON_BYTES} bytes"))
}
