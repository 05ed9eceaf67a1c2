//! Access tokens (short-lived HS256 JWTs) and refresh tokens (opaque, stored hashed, rotated).

use std::collections::BTreeMap;
use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::core::config::Settings;

/// What an access token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id.
    pub sub: String,
    pub iat: u64,
    pub exp: u64,
    /// True for admins, who act on every site.
    pub admin: bool,
    /// The user's role on each site, by site slug.
    pub sites: BTreeMap<String, String>,
}

/// Signing and checking keys with their rules.
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub issuer: String,
    pub audience: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

impl Keys {
    /// Keys from the settings; without a secret (development only) a random one, so tokens
    /// die with the process.
    pub fn new(settings: &Settings) -> Keys {
        let secret: Vec<u8> = match &settings.jwt_secret {
            Some(s) => s.0.as_bytes().to_vec(),
            None => {
                tracing::warn!("PORTAL_JWT_SECRET is not set: using a random key; tokens end with this process");
                rand::random::<[u8; 32]>().to_vec()
            }
        };
        Keys::from_secret(&secret, settings)
    }

    /// Keys from an explicit secret.
    pub fn from_secret(secret: &[u8], settings: &Settings) -> Keys {
        // Only HS256: a token naming another algorithm, `none` included, is refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&settings.jwt_issuer]);
        validation.set_audience(&[&settings.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Keys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: settings.jwt_issuer.clone(),
            audience: settings.jwt_audience.clone(),
            access_ttl: settings.access_token_ttl,
            refresh_ttl: settings.refresh_token_ttl,
        }
    }

    /// Signs an access token for `user_id` with its roles.
    pub fn issue(&self, user_id: i64, admin: bool, sites: BTreeMap<String, String>) -> String {
        let now = chrono::Utc::now().timestamp() as u64;
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user_id.to_string(),
            iat: now,
            exp: now + self.access_ttl.as_secs(),
            admin,
            sites,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).expect("HS256 signs any claims")
    }

    /// Checks signature, algorithm, issuer, audience and expiry.
    pub fn check(&self, token: &str) -> Result<Claims, String> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|e| e.to_string())
    }
}

/// A new refresh token: 256 random bits, hex, with a prefix that makes it recognisable in logs
/// and secret scanners.
pub fn new_refresh_token() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("rt_{}", hex(&bytes))
}

/// The stored form of a refresh token.
pub fn hash_refresh_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A new family id for a sign-in.
pub fn new_family() -> String {
    hex(&rand::random::<[u8; 16]>())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
