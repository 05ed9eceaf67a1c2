//! Passwords: argon2id hashes, and the rules a new password must meet.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted, in bytes (hashing cost grows with it).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The most common passwords (from public breach lists) and local favourites; a password equal
/// to one of them, ignoring case, is refused.
const COMMON: &str = include_str!("common-passwords.txt");

fn hasher() -> Argon2<'static> {
    // OWASP's recommendation for argon2id: 19 MiB, 2 passes, 1 lane.
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters"),
    )
}

/// The PHC string (`$argon2id$v=19$...`) of `password` with a fresh salt.
pub fn hash(password: &str) -> String {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16 bytes make a salt");
    hasher().hash_password(password.as_bytes(), &salt).expect("argon2 hashes any password").to_string()
}

/// True when `password` matches `phc`. A malformed hash matches nothing.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| hasher().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of nothing anyone knows, verified against when an email is unknown so that a wrong
/// email takes as long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash(&format!("{:x}", rand::random::<u128>())))
}

/// Why `password` may not be used by `email`, if it may not.
pub fn check_strength(password: &str, email: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!("must be at least {MIN_PASSWORD_CHARS} characters"));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(format!("must be at most {MAX_PASSWORD_BYTES} bytes"));
    }
    let lower = password.to_lowercase();
    if COMMON.lines().any(|c| c.trim() == lower) {
        return Err("is one of the most common passwords; choose another".into());
    }
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if local.chars().count() >= 4 && lower.contains(&local) {
        return Err("must not contain the email address".into());
    }
    if lower.chars().all(|c| c == lower.chars().next().unwrap_or(' ')) {
        return Err("must not repeat one character".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash("Chí Minh 2020!");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("Chí Minh 2020!", &a));
        assert!(!verify("chí minh 2020!", &a));
        assert_ne!(a, hash("Chí Minh 2020!"));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn weak_passwords_are_refused() {
        assert!(check_strength("short", "a@b.vn").is_err());
        assert!(check_strength("1234567890", "a@b.vn").is_err());
        assert!(check_strength("Password123", "a@b.vn").is_err());
        assert!(check_strength("aaaaaaaaaaaa", "a@b.vn").is_err());
        assert!(check_strength("bientap-2020-xyz", "bientap@chiminh.gov.vn").is_err());
        assert!(check_strength("Hoa sen nở giữa hồ", "a@b.vn").is_ok());
    }
}
