//! Documents as stored and shown: kinds, the status a document has on a given day, and the
//! queries of the list and of one document. No actix here.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::core::text;
use crate::db::AnyConnection;
use crate::db::schema::{document_files, documents, uploads};
use crate::http::Page;

/// The kinds of document a ward publishes, with their Vietnamese names (Decree 30/2020/NĐ-CP
/// Art. 7 for the State's administrative documents; the Party's use the same names).
pub const KINDS: &[(&str, &str)] = &[
    ("nghi_quyet", "Nghị quyết"),
    ("quyet_dinh", "Quyết định"),
    ("chi_thi", "Chỉ thị"),
    ("ket_luan", "Kết luận"),
    ("quy_che", "Quy chế"),
    ("quy_dinh", "Quy định"),
    ("thong_bao", "Thông báo"),
    ("huong_dan", "Hướng dẫn"),
    ("chuong_trinh", "Chương trình"),
    ("ke_hoach", "Kế hoạch"),
    ("phuong_an", "Phương án"),
    ("de_an", "Đề án"),
    ("bao_cao", "Báo cáo"),
    ("to_trinh", "Tờ trình"),
    ("cong_van", "Công văn"),
    ("cong_dien", "Công điện"),
    ("giay_moi", "Giấy mời"),
    ("khac", "Văn bản khác"),
];

/// The kind of a document.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    NghiQuyet,
    QuyetDinh,
    ChiThi,
    KetLuan,
    QuyChe,
    QuyDinh,
    ThongBao,
    HuongDan,
    ChuongTrinh,
    KeHoach,
    PhuongAn,
    DeAn,
    BaoCao,
    ToTrinh,
    CongVan,
    CongDien,
    GiayMoi,
    Khac,
}

/// The Vietnamese name of kind `code`, if it is one.
pub fn kind_name(code: &str) -> Option<&'static str> {
    KINDS.iter().find(|(c, _)| *c == code).map(|(_, name)| *name)
}

/// Where a document stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    /// In force: its effective date (or, without one, its issue date) has come, its expiry
    /// date has not, and no document replaces it.
    InForce,
    /// Its effective date is still to come.
    NotYetInForce,
    /// Its expiry date has come (it is no longer in force from that day).
    Expired,
    /// Another document of the site replaces it.
    Replaced,
}

impl DocumentStatus {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "in_force" => Self::InForce,
            "not_yet_in_force" => Self::NotYetInForce,
            "expired" => Self::Expired,
            "replaced" => Self::Replaced,
            _ => return None,
        })
    }

    /// The status on `today` of a document with these dates, replaced or not.
    pub fn of(
        effective_on: Option<NaiveDate>,
        expires_on: Option<NaiveDate>,
        replaced: bool,
        today: NaiveDate,
    ) -> Self {
        if replaced {
            Self::Replaced
        } else if expires_on.is_some_and(|d| d <= today) {
            Self::Expired
        } else if effective_on.is_some_and(|d| d > today) {
            Self::NotYetInForce
        } else {
            Self::InForce
        }
    }
}

/// A document as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    pub id: i64,
    pub kind: String,
    pub number: String,
    pub issuer: String,
    pub signer: String,
    pub issued_on: NaiveDate,
    pub effective_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub field: String,
    pub summary: String,
    pub replaces_id: Option<i64>,
    pub updated_at: NaiveDateTime,
}

/// Another document, named.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 2, "kind": "ke_hoach", "number": "112-KH/TU", "path": "/api/v1/sites/phuong-chi-minh/documents/2"}))]
pub struct DocumentRef {
    pub id: i64,
    pub kind: String,
    pub number: String,
    /// Where the API serves it.
    pub path: String,
}

impl DocumentRef {
    pub fn new(site: &str, id: i64, kind: &str, number: &str) -> Self {
        DocumentRef { id, kind: kind.to_owned(), number: number.to_owned(), path: path(site, id) }
    }
}

/// A file of a document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"upload_id": 7, "url": "/uploads/3f/3fa2c9e1b0d4e5f6.pdf", "name": "09-KH-DU.pdf",
    "content_type": "application/pdf", "size_bytes": 184320}))]
pub struct DocumentFile {
    pub upload_id: i64,
    /// Where the file is served.
    pub url: String,
    /// The name it was uploaded with.
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

/// A legal or administrative document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"id": 4, "kind": "ke_hoach", "kind_name": "Kế hoạch", "number": "09-KH/ĐU",
    "issuer": "Đảng ủy phường Chí Minh", "issuer_key": "dang-uy-phuong-chi-minh", "signer": "Nguyễn Văn Hùng",
    "issued_on": "2019-09-20", "effective_on": null, "expires_on": null, "field": "Xây dựng Đảng",
    "field_key": "xay-dung-dang", "summary": "Kế hoạch thực hiện Chỉ thị số 35-CT/TW về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ XIII của Đảng",
    "status": "in_force", "replaces": null, "replaced_by": null,
    "files": [{"upload_id": 7, "url": "/uploads/3f/3fa2c9e1b0d4e5f6.pdf", "name": "09-KH-DU.pdf",
        "content_type": "application/pdf", "size_bytes": 184320}],
    "path": "/api/v1/sites/phuong-chi-minh/documents/4", "updated_at": "2026-12-06T09:00:00+07:00"}))]
pub struct Document {
    pub id: i64,
    #[schema(inline, value_type = DocumentKind)]
    pub kind: String,
    /// The kind's Vietnamese name.
    pub kind_name: String,
    /// Number and symbol as issued (`09-KH/ĐU`).
    pub number: String,
    /// The body that issued it.
    pub issuer: String,
    /// The issuer folded, as the list's `issuer` filter takes it.
    pub issuer_key: String,
    /// Who signed it, possibly empty.
    pub signer: String,
    #[schema(value_type = String, format = Date)]
    pub issued_on: NaiveDate,
    /// In force from this day; null for the issue date.
    #[schema(value_type = Option<String>, format = Date)]
    pub effective_on: Option<NaiveDate>,
    /// No longer in force from this day; null for none set.
    #[schema(value_type = Option<String>, format = Date)]
    pub expires_on: Option<NaiveDate>,
    /// The field it belongs to (lĩnh vực), possibly empty.
    pub field: String,
    /// The field folded, as the list's `field` filter takes it.
    pub field_key: String,
    /// Its summary (trích yếu).
    pub summary: String,
    /// Where it stands today, in the site's time zone.
    pub status: DocumentStatus,
    /// The document this one replaces.
    pub replaces: Option<DocumentRef>,
    /// The document that replaces this one.
    pub replaced_by: Option<DocumentRef>,
    pub files: Vec<DocumentFile>,
    /// Where the API serves it.
    pub path: String,
    pub updated_at: chrono::DateTime<chrono::FixedOffset>,
}

/// What the list is narrowed to, checked.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub kind: Option<String>,
    pub field_key: Option<String>,
    pub issuer_key: Option<String>,
    pub year: Option<i32>,
    pub status: Option<DocumentStatus>,
    pub words: Vec<String>,
}

/// The folded words a document is found by.
pub fn search_text(row: &DocumentRow) -> String {
    text::words(&format!("{} {} {} {} {}", row.number, row.summary, row.issuer, row.signer, row.field)).join(" ")
}

/// The key a number, an issuer or a field is compared by: its folded words joined by dashes
/// (`Đảng ủy phường` → `dang-uy-phuong`; empty for none).
pub fn key(s: &str) -> String {
    text::words(s).join("-")
}

pub fn path(site: &str, id: i64) -> String {
    format!("/api/v1/sites/{site}/documents/{id}")
}

/// The ids of the site's documents that another one replaces, with the one that does.
fn replaced(conn: &mut AnyConnection, site_id: i64) -> QueryResult<Vec<(i64, i64)>> {
    let pairs: Vec<(Option<i64>, i64)> = documents::table
        .filter(documents::site_id.eq(site_id))
        .filter(documents::replaces_id.is_not_null())
        .select((documents::replaces_id, documents::id))
        .load(conn)?;
    Ok(pairs.into_iter().filter_map(|(old, new)| old.map(|old| (old, new))).collect())
}

/// Finds document `id` of the site.
pub fn find(conn: &mut AnyConnection, site_id: i64, id: i64) -> QueryResult<Option<DocumentRow>> {
    documents::table
        .filter(documents::site_id.eq(site_id))
        .filter(documents::id.eq(id))
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()
}

/// One page of the site's documents, newest issued first, with the size of the whole list.
pub fn list(
    conn: &mut AnyConnection,
    site: &crate::sites::Site,
    filters: &Filters,
    today: NaiveDate,
    page: Page,
) -> QueryResult<(Vec<Document>, i64)> {
    let replaced = replaced(conn, site.id)?;
    let replaced_ids: Vec<i64> = replaced.iter().map(|(old, _)| *old).collect();
    let filtered = || {
        let mut q = documents::table.filter(documents::site_id.eq(site.id)).into_boxed();
        if let Some(k) = &filters.kind {
            q = q.filter(documents::kind.eq(k.clone()));
        }
        if let Some(f) = &filters.field_key {
            q = q.filter(documents::field_key.eq(f.clone()));
        }
        if let Some(i) = &filters.issuer_key {
            q = q.filter(documents::issuer_key.eq(i.clone()));
        }
        if let Some(y) = filters.year {
            q = q.filter(documents::issued_year.eq(y));
        }
        for w in &filters.words {
            q = q.filter(documents::search_text.like(format!("%{w}%")));
        }
        let not_expired = documents::expires_on.is_null().or(documents::expires_on.gt(today));
        match filters.status {
            None => q,
            Some(DocumentStatus::Replaced) => q.filter(documents::id.eq_any(replaced_ids.clone())),
            Some(status) => {
                if !replaced_ids.is_empty() {
                    q = q.filter(documents::id.ne_all(replaced_ids.clone()));
                }
                match status {
                    DocumentStatus::Expired => q.filter(documents::expires_on.le(today)),
                    DocumentStatus::NotYetInForce => q.filter(not_expired).filter(documents::effective_on.gt(today)),
                    _ => q
                        .filter(not_expired)
                        .filter(documents::effective_on.is_null().or(documents::effective_on.le(today))),
                }
            }
        }
    };
    let rows: Vec<DocumentRow> = filtered()
        .order((documents::issued_on.desc(), documents::id.desc()))
        .limit(page.limit())
        .offset(page.offset())
        .select(DocumentRow::as_select())
        .load(conn)?;
    let total =
        crate::http::list_total(rows.len(), page.limit(), page.offset(), || filtered().count().get_result(conn))?;
    Ok((views(conn, site, rows, &replaced, today)?, total))
}

/// The views of `rows`, with their files and the documents they replace or are replaced by.
pub fn views(
    conn: &mut AnyConnection,
    site: &crate::sites::Site,
    rows: Vec<DocumentRow>,
    replaced: &[(i64, i64)],
    today: NaiveDate,
) -> QueryResult<Vec<Document>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let files: Vec<(i64, String, String, String, i64, i64)> = document_files::table
        .inner_join(uploads::table)
        .filter(document_files::document_id.eq_any(&ids))
        .order((document_files::document_id, document_files::position, uploads::id))
        .select((
            document_files::document_id,
            uploads::file_name,
            uploads::original_name,
            uploads::content_type,
            uploads::size_bytes,
            uploads::id,
        ))
        .load(conn)?;
    // The documents named beside these: the ones they replace and the ones replacing them.
    let mut named: Vec<i64> = rows.iter().filter_map(|r| r.replaces_id).collect();
    named.extend(replaced.iter().filter(|(old, _)| ids.contains(old)).map(|(_, new)| *new));
    let refs: Vec<(i64, String, String)> = documents::table
        .filter(documents::id.eq_any(&named))
        .select((documents::id, documents::kind, documents::number))
        .load(conn)?;
    let reference = |id: i64| {
        refs.iter().find(|r| r.0 == id).map(|(id, kind, number)| DocumentRef::new(&site.slug, *id, kind, number))
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let replaced_by = replaced.iter().find(|(old, _)| *old == r.id).and_then(|(_, new)| reference(*new));
            Document {
                id: r.id,
                kind_name: kind_name(&r.kind).unwrap_or("Văn bản khác").to_owned(),
                issuer_key: key(&r.issuer),
                field_key: key(&r.field),
                status: DocumentStatus::of(r.effective_on, r.expires_on, replaced_by.is_some(), today),
                replaces: r.replaces_id.and_then(reference),
                replaced_by,
                files: files
                    .iter()
                    .filter(|f| f.0 == r.id)
                    .map(|(_, file, name, content_type, size, upload)| DocumentFile {
                        upload_id: *upload,
                        url: crate::uploads::url_of(file),
                        name: name.clone(),
                        content_type: content_type.clone(),
                        size_bytes: *size,
                    })
                    .collect(),
                path: path(&site.slug, r.id),
                updated_at: site.local(r.updated_at),
                kind: r.kind,
                number: r.number,
                issuer: r.issuer,
                signer: r.signer,
                issued_on: r.issued_on,
                effective_on: r.effective_on,
                expires_on: r.expires_on,
                field: r.field,
                summary: r.summary,
            }
        })
        .collect())
}

/// The view of one document.
pub fn view(
    conn: &mut AnyConnection,
    site: &crate::sites::Site,
    row: DocumentRow,
    today: NaiveDate,
) -> QueryResult<Document> {
    let replaced = replaced(conn, site.id)?;
    Ok(views(conn, site, vec![row], &replaced, today)?.remove(0))
}

/// Stores `row` (new when its id is 0) with its files, replacing the files it had; returns
/// its id.
pub fn save(conn: &mut AnyConnection, site_id: i64, row: &DocumentRow, file_ids: Option<&[i64]>) -> QueryResult<i64> {
    let now = Utc::now().naive_utc();
    let values = (
        documents::kind.eq(&row.kind),
        documents::number.eq(&row.number),
        documents::number_key.eq(key(&row.number)),
        documents::issuer.eq(&row.issuer),
        documents::issuer_key.eq(key(&row.issuer)),
        documents::signer.eq(&row.signer),
        documents::issued_on.eq(row.issued_on),
        documents::issued_year.eq(chrono::Datelike::year(&row.issued_on)),
        documents::effective_on.eq(row.effective_on),
        documents::expires_on.eq(row.expires_on),
        documents::field.eq(&row.field),
        documents::field_key.eq(key(&row.field)),
        documents::summary.eq(&row.summary),
        documents::replaces_id.eq(row.replaces_id),
        documents::search_text.eq(search_text(row)),
        documents::updated_at.eq(now),
    );
    let id = if row.id == 0 {
        diesel::insert_into(documents::table)
            .values((values, documents::site_id.eq(site_id), documents::created_at.eq(now)))
            .returning(documents::id)
            .get_result(conn)?
    } else {
        diesel::update(documents::table.find(row.id)).set(values).execute(conn)?;
        row.id
    };
    if let Some(file_ids) = file_ids {
        diesel::delete(document_files::table.filter(document_files::document_id.eq(id))).execute(conn)?;
        for (n, upload) in file_ids.iter().enumerate() {
            diesel::insert_into(document_files::table)
                .values((
                    document_files::document_id.eq(id),
                    document_files::upload_id.eq(upload),
                    document_files::position.eq(n as i32),
                ))
                .execute(conn)?;
        }
    }
    Ok(id)
}

/// Another document of the site with the same number from the same issuer in the same year
/// as `row`, if any.
pub fn same_number(conn: &mut AnyConnection, site_id: i64, row: &DocumentRow) -> QueryResult<Option<i64>> {
    documents::table
        .filter(documents::site_id.eq(site_id))
        .filter(documents::issuer_key.eq(key(&row.issuer)))
        .filter(documents::issued_year.eq(chrono::Datelike::year(&row.issued_on)))
        .filter(documents::number_key.eq(key(&row.number)))
        .filter(documents::id.ne(row.id))
        .select(documents::id)
        .first(conn)
        .optional()
}

/// The document of the site that replaces document `id`, if any.
pub fn replaced_by(conn: &mut AnyConnection, site_id: i64, id: i64, except: i64) -> QueryResult<Option<i64>> {
    documents::table
        .filter(documents::site_id.eq(site_id))
        .filter(documents::replaces_id.eq(id))
        .filter(documents::id.ne(except))
        .select(documents::id)
        .first(conn)
        .optional()
}

/// Of `ids`, those that are not uploads of the site.
pub fn foreign_uploads(conn: &mut AnyConnection, site_id: i64, ids: &[i64]) -> QueryResult<Vec<i64>> {
    let found: Vec<i64> = uploads::table
        .filter(uploads::site_id.eq(site_id))
        .filter(uploads::id.eq_any(ids))
        .select(uploads::id)
        .load(conn)?;
    Ok(ids.iter().copied().filter(|id| !found.contains(id)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_the_dates() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let today = d(12, 6);
        assert_eq!(DocumentStatus::of(None, None, false, today), DocumentStatus::InForce);
        assert_eq!(DocumentStatus::of(Some(d(12, 6)), None, false, today), DocumentStatus::InForce);
        assert_eq!(DocumentStatus::of(Some(d(12, 7)), None, false, today), DocumentStatus::NotYetInForce);
        assert_eq!(DocumentStatus::of(Some(d(1, 1)), Some(d(12, 6)), false, today), DocumentStatus::Expired);
        assert_eq!(DocumentStatus::of(Some(d(1, 1)), Some(d(12, 7)), false, today), DocumentStatus::InForce);
        assert_eq!(DocumentStatus::of(None, None, true, today), DocumentStatus::Replaced);
        assert_eq!(key("09-KH/ĐU"), "09-kh-du");
        assert_eq!(key(" "), "");
        assert_eq!(kind_name("chi_thi"), Some("Chỉ thị"));
        assert_eq!(KINDS.len(), 18);
    }
}
