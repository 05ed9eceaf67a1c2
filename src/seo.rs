//! What search engines and link previews read of an article, a page or a category: a title, a
//! description, an image, a canonical URL and `noindex`. Each defaults to what the content
//! already has (its title, its summary, its cover, the frontend's own address); an editor
//! overrides any of them, and a row of the `seo` table holds only what was overridden.

use std::collections::HashSet;

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::AnyConnection;
use crate::db::schema::seo;
use crate::http::input::{Checker, Need};

/// The kinds of content that carry SEO fields (the `kind` column).
pub const ARTICLE: &str = "article";
pub const PAGE: &str = "page";
pub const CATEGORY: &str = "category";

/// The longest default description, in characters: what search results show.
pub const DESCRIPTION_CHARS: usize = 160;

/// What an editor overrides. Every field is optional: left out, it stays; sent empty, it goes
/// back to its default.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Đại hội Đảng bộ phường Chí Minh lần thứ XXIV",
    "description": "Phường Chí Minh chuẩn bị Đại hội Đảng bộ lần thứ XXIV, nhiệm kỳ 2020-2025.",
    "image_url": "/uploads/3f/3fa2c9e1.jpg",
    "canonical_url": "",
    "noindex": false
}))]
pub struct SeoInput {
    /// For `<title>` and `og:title`; empty: the content's own title. Up to 200 characters.
    #[schema(max_length = 200)]
    pub title: Option<String>,
    /// For `<meta name="description">`; empty: the summary, cut to 160 characters. Up to 500.
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// For `og:image`: an http(s) URL or a path on this server; empty: the cover, if any.
    #[schema(pattern = "^(https?://[^/\\s]\\S*|/([^/\\s]\\S*)?)?$", max_length = 2000)]
    pub image_url: Option<String>,
    /// For `<link rel="canonical">`: an http(s) URL; empty: the page's own address on the
    /// site's `base_url`.
    #[schema(pattern = "^(https?://[^/\\s]\\S*)?$", max_length = 2000)]
    pub canonical_url: Option<String>,
    /// True asks search engines not to index it; it is then left out of the sitemap.
    pub noindex: Option<bool>,
}

/// What an editor overrode, as stored (empty strings: not overridden).
#[derive(Debug, Clone, Default, PartialEq, Queryable, Selectable)]
#[diesel(table_name = seo)]
pub struct Overrides {
    pub title: String,
    pub description: String,
    pub image_url: String,
    pub canonical_url: String,
    pub noindex: bool,
}

/// What the content has that the SEO fields default to.
pub struct Defaults<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub image_url: Option<&'a str>,
    /// The frontend's path of the content (`/tin-trong-phuong/ten-bai`, `/trang/gioi-thieu`).
    pub path: &'a str,
}

/// The SEO fields as a frontend puts them in `<head>`: overrides, or else the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "title": "Đại hội Đảng bộ phường Chí Minh lần thứ XXIV",
    "description": "Thời gian qua, Đảng bộ phường Chí Minh đã chủ động, nghiêm túc trong công tác lãnh đạo…",
    "image_url": null,
    "canonical_url": "https://chiminh.chilinh.haiduong.gov.vn/dang-uy-xa/dang-bo-phuong-chi-minh-chuan-bi-dai-hoi",
    "noindex": false
}))]
pub struct Seo {
    pub title: String,
    pub description: String,
    /// Null when neither an override nor a cover gives one.
    pub image_url: Option<String>,
    /// Null when the site has no `base_url` and no override gives one.
    pub canonical_url: Option<String>,
    pub noindex: bool,
}

impl Overrides {
    /// The fields to show, overrides first, then `defaults`; the canonical URL defaults to the
    /// path on `base_url` (the site's, empty when unset: then none).
    pub fn view(&self, base_url: &str, defaults: Defaults<'_>) -> Seo {
        let or = |own: &str, default: Option<String>| match own {
            "" => default.filter(|d| !d.is_empty()),
            own => Some(own.to_owned()),
        };
        let canonical = (!base_url.is_empty()).then(|| format!("{base_url}{}", defaults.path));
        Seo {
            title: or(&self.title, Some(defaults.title.to_owned())).unwrap_or_default(),
            description: or(&self.description, Some(cut(defaults.description, DESCRIPTION_CHARS))).unwrap_or_default(),
            image_url: or(&self.image_url, defaults.image_url.map(str::to_owned)),
            canonical_url: or(&self.canonical_url, canonical),
            noindex: self.noindex,
        }
    }

    /// `input` checked into `check` and applied; the fields left out stay.
    pub fn apply(&mut self, check: &mut Checker, input: Option<SeoInput>) {
        let Some(input) = input else { return };
        if let Some(t) = check.text("seo.title", input.title, 200, Need::Optional) {
            self.title = t;
        }
        if let Some(d) = check.text("seo.description", input.description, 500, Need::Optional) {
            self.description = d;
        }
        if let Some(u) = check.url("seo.image_url", input.image_url, true, Need::Optional) {
            self.image_url = u;
        }
        if let Some(u) = check.url("seo.canonical_url", input.canonical_url, false, Need::Optional) {
            self.canonical_url = u;
        }
        if let Some(n) = input.noindex {
            self.noindex = n;
        }
    }
}

/// `text` with white space made single, at most `max` characters, cut after a whole word with
/// `…` when it is longer.
pub fn cut(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let head: String = text.chars().take(max - 1).collect();
    let head = match head.rfind(' ') {
        Some(space) if space > 0 => &head[..space],
        _ => &head,
    };
    format!("{}…", head.trim_end_matches([',', ';', ':', '.', '-', ' ']))
}

/// The overrides of one thing (none: all defaults).
pub fn load(conn: &mut AnyConnection, kind: &str, id: i64) -> QueryResult<Overrides> {
    Ok(seo::table
        .filter(seo::kind.eq(kind))
        .filter(seo::target_id.eq(id))
        .select(Overrides::as_select())
        .first(conn)
        .optional()?
        .unwrap_or_default())
}

/// Stores the overrides of one thing; a row only when something is overridden.
pub fn save(conn: &mut AnyConnection, site_id: i64, kind: &str, id: i64, o: &Overrides) -> QueryResult<()> {
    forget(conn, kind, id)?;
    if *o == Overrides::default() {
        return Ok(());
    }
    diesel::insert_into(seo::table)
        .values((
            seo::kind.eq(kind),
            seo::target_id.eq(id),
            seo::site_id.eq(site_id),
            seo::title.eq(&o.title),
            seo::description.eq(&o.description),
            seo::image_url.eq(&o.image_url),
            seo::canonical_url.eq(&o.canonical_url),
            seo::noindex.eq(o.noindex),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets the overrides of one thing (it was deleted).
pub fn forget(conn: &mut AnyConnection, kind: &str, id: i64) -> QueryResult<()> {
    diesel::delete(seo::table.filter(seo::kind.eq(kind)).filter(seo::target_id.eq(id))).execute(conn)?;
    Ok(())
}

/// The ids of the site's things of `kind` that say `noindex` (left out of the sitemap).
pub fn noindexed(conn: &mut AnyConnection, site_id: i64, kind: &str) -> QueryResult<HashSet<i64>> {
    let ids: Vec<i64> = seo::table
        .filter(seo::site_id.eq(site_id))
        .filter(seo::kind.eq(kind))
        .filter(seo::noindex.eq(true))
        .select(seo::target_id)
        .load(conn)?;
    Ok(ids.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_cut_after_a_word() {
        assert_eq!(cut("  Ngắn   gọn ", 160), "Ngắn gọn");
        assert_eq!(cut("Đảng bộ phường Chí Minh", 12), "Đảng bộ…");
        assert_eq!(cut("Một, hai, ba", 9), "Một…");
        assert_eq!(cut("Dàiquámộttừ", 5), "Dàiq…");
        assert_eq!(cut(&"chữ ".repeat(100), DESCRIPTION_CHARS).chars().count(), 156);
    }
}
