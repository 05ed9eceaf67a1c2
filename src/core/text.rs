//! Vietnamese text: folding diacritics and `đ` for slugs and search, and plain text from HTML.

/// Folds text to lower-case ASCII: `Đảng bộ Hải Dương` → `dang bo hai duong`. Both `Đ` (U+0110)
/// and the look-alike `Ð` (U+00D0) become `d`; the original text is kept for display elsewhere.
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// The words of `text` after folding: runs of ASCII letters and digits. Every other character,
/// including the search engines' operators, only separates words.
pub fn words(text: &str) -> Vec<String> {
    fold(text).split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

/// The longest slug made from a title, in bytes (slugs are ASCII).
pub const MAX_SLUG_LEN: usize = 80;

/// Compares two secrets (tokens, keys) in a time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A URL slug from a title: `Đảng bộ phường Chí Minh` → `dang-bo-phuong-chi-minh`. Never
/// empty: a title without letters or digits gives `bai-viet`.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for word in words(title) {
        if slug.len() + word.len() + 1 > MAX_SLUG_LEN && !slug.is_empty() {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word);
    }
    slug.truncate(MAX_SLUG_LEN);
    if slug.is_empty() { "bai-viet".to_owned() } else { slug }
}

/// True for a well-formed slug: lower-case ASCII letters and digits separated by single dashes.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `html` with only safe markup left: scripts, styles, event handlers, `javascript:` and other
/// dangerous URLs, and unknown tags are removed (ammonia's allow-list); links get
/// `rel="noopener noreferrer"`.
pub fn sanitize_html(html: &str) -> String {
    ammonia::clean(html)
}

/// The readable text of an HTML fragment: tags dropped (block tags become spaces), the common
/// entities decoded. Used to index article bodies for search.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        match rest[start..].find('>') {
            Some(end) => {
                out.push(' ');
                rest = &rest[start + end + 1..];
            }
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    decode_entities(&out)
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let decoded = after.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &after[..end];
            let ch = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((ch, end))
        });
        match decoded {
            Some((ch, end)) => {
                out.push(ch);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A slug from `title` that is not in `taken`: `le-hoi`, then `le-hoi-2`, `le-hoi-3`...
pub fn free_slug(title: &str, taken: &[String]) -> String {
    let base = slugify(title);
    let mut candidate = base.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_including_both_capital_d_forms() {
        assert_eq!(fold("Đảng bộ Ðảng Hải Dương"), "dang bo dang hai duong");
        assert_eq!(fold("ĐẢNG BỘ"), "dang bo");
    }

    #[test]
    fn slugs_come_from_titles() {
        assert_eq!(slugify("Đảng bộ phường Chí Minh"), "dang-bo-phuong-chi-minh");
        assert_eq!(slugify("Thăm \"phố tơ lụa\" ở thành phố Hải Dương"), "tham-pho-to-lua-o-thanh-pho-hai-duong");
        assert_eq!(slugify("TP Hải Dương: Trao tặng 37 Huân chương"), "tp-hai-duong-trao-tang-37-huan-chuong");
        assert_eq!(slugify("!!!"), "bai-viet");
        let long = slugify(&"Nhiệm kỳ ".repeat(40));
        assert!(long.len() <= MAX_SLUG_LEN && is_slug(&long), "{long}");
    }

    #[test]
    fn slug_shape_is_checked() {
        assert!(is_slug("dang-bo-2020"));
        assert!(!is_slug("Dang-bo"));
        assert!(!is_slug("dang--bo"));
        assert!(!is_slug("-dang"));
        assert!(!is_slug(""));
    }

    #[test]
    fn search_words_ignore_operators() {
        assert_eq!(
            words("\"Đảng\" AND (bộ* OR -Chí) NEAR/2 ^Minh:"),
            ["dang", "and", "bo", "or", "chi", "near", "2", "minh"]
        );
        assert!(words("*** \" ( ) -").is_empty());
    }

    #[test]
    fn sanitising_removes_scripts_handlers_and_javascript_urls() {
        let dirty = r#"<p onclick="steal()">Đảng bộ<script>alert(1)</script></p><a href="javascript:alert(1)">x</a><img src="/a.jpg" onerror="x()"><iframe src="https://evil"></iframe>"#;
        let clean = sanitize_html(dirty);
        assert_eq!(clean, r#"<p>Đảng bộ</p><a rel="noopener noreferrer">x</a><img src="/a.jpg">"#);
    }

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            html_to_text("<p>Đảng&nbsp;bộ &amp; nhân dân</p><p>phường&#x20;Chí&#77;inh &bogus; a &lt; b</p>"),
            " Đảng bộ & nhân dân  phường ChíMinh &bogus; a < b "
        );
        assert_eq!(html_to_text("a <b"), "a ");
    }

    #[test]
    fn free_slugs_count_up() {
        let taken = vec!["le-hoi".to_owned(), "le-hoi-2".to_owned()];
        assert_eq!(free_slug("Lễ hội", &taken), "le-hoi-3");
        assert_eq!(free_slug("Lễ hội Côn Sơn", &taken), "le-hoi-con-son");
    }
}
