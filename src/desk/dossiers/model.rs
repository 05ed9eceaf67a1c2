//! A dossier's statuses, rows and views, and the two writes that make its history: receiving
//! it and moving it on.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::core::error::ApiError;
use crate::db::AnyConnection;
use crate::db::schema::{dossier_events, dossiers};
use crate::desk::calendar::Calendar;
use crate::sites::Site;

/// The national status codes: (code, key, name).
pub const STATUSES: [(i32, &str, &str); 10] = [
    (1, "submitted", "Mới đăng ký"),
    (2, "received", "Được tiếp nhận"),
    (3, "rejected", "Không được tiếp nhận"),
    (4, "processing", "Đang xử lý"),
    (5, "needs_documents", "Yêu cầu bổ sung giấy tờ"),
    (6, "awaiting_payment", "Yêu cầu thực hiện nghĩa vụ tài chính"),
    (7, "withdrawn", "Công dân yêu cầu rút hồ sơ"),
    (8, "stopped", "Dừng xử lý"),
    (9, "done", "Đã xử lý xong"),
    (10, "returned", "Đã trả kết quả"),
];

/// Statuses that end a dossier without a result.
pub(super) const CLOSED: [i32; 3] = [3, 7, 8];
pub(super) const PROCESSING: i32 = 4;
pub(super) const NEEDS_DOCUMENTS: i32 = 5;
pub(super) const AWAITING_PAYMENT: i32 = 6;
pub(super) const DONE: i32 = 9;
pub(super) const RETURNED: i32 = 10;

/// The channels a dossier comes by.
pub const CHANNELS: [&str; 3] = ["truc_tiep", "truc_tuyen", "buu_chinh"];

pub(super) fn status_by_key(key: &str) -> Option<i32> {
    STATUSES.iter().find(|(_, k, _)| *k == key).map(|(c, _, _)| *c)
}

pub(super) fn status_of(code: i32) -> (&'static str, &'static str) {
    STATUSES.iter().find(|(c, _, _)| *c == code).map_or(("unknown", ""), |(_, k, n)| (*k, *n))
}

/// The statuses a dossier may move to from `from`.
pub fn next_statuses(from: i32) -> &'static [i32] {
    match from {
        1 => &[2, 3],
        2 => &[3, 4, 7, 8],
        4 => &[5, 6, 7, 8, 9],
        5 => &[4, 7, 8],
        6 => &[4, 7],
        9 => &[10],
        _ => &[],
    }
}

/// A status a dossier took.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "received", "status_name": "Được tiếp nhận", "note": "Đã nhận đủ hồ sơ",
    "at": "2026-11-26T09:15:00+07:00"}))]
pub struct DossierEvent {
    pub status: String,
    pub status_name: String,
    /// What the desk told the citizen.
    pub note: String,
    #[serde(serialize_with = "crate::http::serialize_time")]
    pub at: DateTime<FixedOffset>,
}

/// The procedure a dossier is for.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "1.001193", "name": "Thủ tục đăng ký khai sinh"}))]
pub struct ProcedureRef {
    pub code: String,
    pub name: String,
}

/// A dossier. Looked up by the citizen (with the receipt's key, no token), the applicant's
/// name is shortened (`Nguyễn V. A.`) and the phone and key left out.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "code": "000.01.14.H23-261126-0001", "lookup_key": null, "procedure": {"code": "1.001193", "name": "Thủ tục đăng ký khai sinh"},
    "applicant_name": "Nguyễn V. A.", "applicant_phone": null, "channel": "truc_tiep",
    "status": "processing", "status_code": 4, "status_name": "Đang xử lý",
    "received_at": "2026-11-26T09:15:00+07:00", "due_at": "2026-11-26T17:00:00+07:00", "finished_at": null, "returned_at": null,
    "history": [{"status": "received", "status_name": "Được tiếp nhận", "note": "", "at": "2026-11-26T09:15:00+07:00"},
                {"status": "processing", "status_name": "Đang xử lý", "note": "", "at": "2026-11-26T09:20:00+07:00"}]
}))]
pub struct Dossier {
    /// The dossier's code (mã hồ sơ), printed on the receipt.
    pub code: String,
    /// Staff only (null in a public lookup): the key printed on the receipt beside the code,
    /// which the citizen's lookup needs.
    pub lookup_key: Option<String>,
    pub procedure: ProcedureRef,
    pub applicant_name: String,
    /// Staff only; null in a public lookup.
    pub applicant_phone: Option<String>,
    /// `truc_tiep` (at the desk), `truc_tuyen` (online) or `buu_chinh` (by post).
    pub channel: String,
    pub status: String,
    /// The national status code, 1 to 10.
    pub status_code: i32,
    pub status_name: String,
    #[serde(serialize_with = "crate::http::serialize_time")]
    pub received_at: DateTime<FixedOffset>,
    /// When the result is due (the desk's close on the last working day).
    #[serde(serialize_with = "crate::http::serialize_time")]
    pub due_at: DateTime<FixedOffset>,
    /// When the result was ready.
    #[serde(serialize_with = "crate::http::serialize_opt_time")]
    pub finished_at: Option<DateTime<FixedOffset>>,
    /// When it was handed to the citizen.
    #[serde(serialize_with = "crate::http::serialize_opt_time")]
    pub returned_at: Option<DateTime<FixedOffset>>,
    /// Oldest first.
    pub history: Vec<DossierEvent>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dossiers)]
pub(super) struct DossierRow {
    pub(super) id: i64,
    pub(super) code: String,
    pub(super) lookup_key: String,
    pub(super) procedure_id: i64,
    pub(super) applicant_name: String,
    pub(super) applicant_phone: String,
    pub(super) channel: String,
    pub(super) status: i32,
    pub(super) received_at: NaiveDateTime,
    pub(super) due_at: NaiveDateTime,
    pub(super) finished_at: Option<NaiveDateTime>,
    pub(super) returned_at: Option<NaiveDateTime>,
}

/// `Nguyễn Văn An` → `Nguyễn V. A.`: the family name and initials, for public lookups.
pub fn shorten_name(name: &str) -> String {
    let mut words = name.split_whitespace();
    let mut out = words.next().unwrap_or("").to_owned();
    for w in words {
        if let Some(c) = w.chars().next() {
            out.push(' ');
            out.push(c);
            out.push('.');
        }
    }
    out
}

/// Dossiers as their viewers see them, with their procedures and histories (three queries).
pub(super) fn views(
    conn: &mut AnyConnection,
    site: &Site,
    rows: Vec<DossierRow>,
    staff: bool,
) -> QueryResult<Vec<Dossier>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let procedure_ids: Vec<i64> = rows.iter().map(|r| r.procedure_id).collect();
    let procedures = crate::desk::procedures_by_id(conn, &procedure_ids)?;
    let mut history: HashMap<i64, Vec<DossierEvent>> = HashMap::new();
    let events: Vec<(i64, i32, String, NaiveDateTime)> = dossier_events::table
        .filter(dossier_events::dossier_id.eq_any(&ids))
        .order((dossier_events::dossier_id.asc(), dossier_events::id.asc()))
        .select((dossier_events::dossier_id, dossier_events::status, dossier_events::note, dossier_events::at))
        .load(conn)?;
    for (dossier, status, note, at) in events {
        let (key, name) = status_of(status);
        history.entry(dossier).or_default().push(DossierEvent {
            status: key.into(),
            status_name: name.into(),
            note,
            at: site.local(at),
        });
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let (key, name) = status_of(r.status);
            let (code, pname) =
                procedures.get(&r.procedure_id).map(|(c, n, _)| (c.clone(), n.clone())).unwrap_or_default();
            Dossier {
                procedure: ProcedureRef { code, name: pname },
                applicant_name: if staff { r.applicant_name } else { shorten_name(&r.applicant_name) },
                applicant_phone: staff.then_some(r.applicant_phone),
                lookup_key: staff.then_some(r.lookup_key),
                channel: r.channel,
                status: key.into(),
                status_code: r.status,
                status_name: name.into(),
                received_at: site.local(r.received_at),
                due_at: site.local(r.due_at),
                finished_at: r.finished_at.map(|t| site.local(t)),
                returned_at: r.returned_at.map(|t| site.local(t)),
                history: history.remove(&r.id).unwrap_or_default(),
                code: r.code,
            }
        })
        .collect())
}

pub(super) fn find(conn: &mut AnyConnection, site_id: i64, code: &str) -> Result<DossierRow, ApiError> {
    dossiers::table
        .filter(dossiers::site_id.eq(site_id))
        .filter(dossiers::code.eq(code))
        .select(DossierRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format!("no dossier {code:?} at this desk")))
}

pub(super) fn one(conn: &mut AnyConnection, site: &Site, row: DossierRow, staff: bool) -> Result<Dossier, ApiError> {
    views(conn, site, vec![row], staff)?.pop().ok_or_else(|| ApiError::internal("dossier vanished"))
}

/// The deadline of `days` working days from `at` (UTC), as UTC.
pub(super) fn deadline(
    conn: &mut AnyConnection,
    site: &Site,
    at: NaiveDateTime,
    days: i32,
) -> QueryResult<NaiveDateTime> {
    let local = site.local(at).naive_local();
    let calendar = Calendar::new(crate::desk::holidays_from(conn, local.date())?);
    Ok(site.to_utc(calendar.due(local, days.max(0) as u32)))
}

/// A key for the receipt: eight letters and digits that cannot be mistaken for one another.
pub(super) fn lookup_key() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..8).map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char).collect()
}

/// Writes a dossier received at `received` for the procedure (id, working days) from the
/// applicant (name, phone, channel), with its code, deadline and first event. Returns the code.
#[allow(clippy::too_many_arguments)]
pub fn receive(
    conn: &mut AnyConnection,
    site: &Site,
    unit: &str,
    (procedure_id, days): (i64, i32),
    (name, phone, channel): (&str, &str, &str),
    received: NaiveDateTime,
    note: &str,
    user: Option<i64>,
) -> Result<String, ApiError> {
    let due = deadline(conn, site, received, days)?;
    let prefix = format!("{unit}-{}-", site.local(received).format("%y%m%d"));
    let key = lookup_key();
    // The day's next number; a clash with a dossier received at the same moment tries again.
    for _ in 0..5 {
        let today: Vec<String> = dossiers::table
            .filter(dossiers::site_id.eq(site.id))
            .filter(dossiers::code.like(format!("{prefix}%")))
            .select(dossiers::code)
            .load(conn)?;
        // LIKE ignores case on SQLite only: compare exactly here.
        let last = today.iter().filter_map(|c| c.strip_prefix(&prefix)?.parse::<u32>().ok()).max().unwrap_or(0);
        let code = format!("{prefix}{:04}", last + 1);
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(dossiers::table)
                .values((
                    dossiers::site_id.eq(site.id),
                    dossiers::code.eq(&code),
                    dossiers::lookup_key.eq(&key),
                    dossiers::procedure_id.eq(procedure_id),
                    dossiers::applicant_name.eq(name),
                    dossiers::applicant_phone.eq(phone),
                    dossiers::channel.eq(channel),
                    dossiers::status.eq(2),
                    dossiers::received_at.eq(received),
                    dossiers::due_at.eq(due),
                    dossiers::created_by.eq(user),
                    dossiers::updated_at.eq(received),
                ))
                .returning(dossiers::id)
                .get_result::<i64>(conn)
        });
        match inserted {
            Ok(id) => {
                diesel::insert_into(dossier_events::table)
                    .values((
                        dossier_events::dossier_id.eq(id),
                        dossier_events::status.eq(2),
                        dossier_events::note.eq(note),
                        dossier_events::at.eq(received),
                        dossier_events::user_id.eq(user),
                    ))
                    .execute(conn)?;
                return Ok(code);
            }
            Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Conflict("too many dossiers at once; try again".into()))
}

/// Moves the dossier `code` to the status `to` at `at` (UTC), if its status allows it.
pub fn advance(
    conn: &mut AnyConnection,
    site: &Site,
    code: &str,
    to: i32,
    note: &str,
    at: NaiveDateTime,
    user: Option<i64>,
) -> Result<(), ApiError> {
    let row = find(conn, site.id, code)?;
    if !next_statuses(row.status).contains(&to) {
        let allowed: Vec<&str> = next_statuses(row.status).iter().map(|s| status_of(*s).0).collect();
        let options = match allowed.split_last() {
            None => "nowhere".to_owned(),
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        };
        return Err(ApiError::Conflict(format!(
            "a dossier that is {} can go to {options}, not {}",
            status_of(row.status).0,
            status_of(to).0
        )));
    }
    let mut due = row.due_at;
    // The documents asked for came: the desk's clock starts again from now (Decree 61/2018
    // Art. 19.4). Nothing says the same of a fee paid (`awaiting_payment`): its deadline stays.
    if row.status == NEEDS_DOCUMENTS && to == PROCESSING {
        let days = crate::desk::procedures_by_id(conn, &[row.procedure_id])?.get(&row.procedure_id).map_or(0, |p| p.2);
        due = deadline(conn, site, at, days)?;
    }
    // Only from the status read above: of two moves at once (done and withdrawn, say), the
    // second finds the status changed and changes nothing.
    let moved = diesel::update(dossiers::table.find(row.id).filter(dossiers::status.eq(row.status)))
        .set((
            dossiers::status.eq(to),
            dossiers::due_at.eq(due),
            dossiers::finished_at.eq(if to == DONE { Some(at) } else { row.finished_at }),
            dossiers::returned_at.eq(if to == RETURNED { Some(at) } else { row.returned_at }),
            dossiers::updated_at.eq(at),
        ))
        .execute(conn)?;
    if moved == 0 {
        return Err(ApiError::Conflict(format!(
            "the dossier was moved by someone else at the same time (it was {}); read it again",
            status_of(row.status).0
        )));
    }
    diesel::insert_into(dossier_events::table)
        .values((
            dossier_events::dossier_id.eq(row.id),
            dossier_events::status.eq(to),
            dossier_events::note.eq(note),
            dossier_events::at.eq(at),
            dossier_events::user_id.eq(user),
        ))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_shortened_for_the_public() {
        assert_eq!(shorten_name("Nguyễn Văn An"), "Nguyễn V. A.");
        assert_eq!(shorten_name("  Đỗ   Thị  Ánh Hồng "), "Đỗ T. Á. H.");
        assert_eq!(shorten_name("Lan"), "Lan");
    }

    #[test]
    fn statuses_move_only_forward_or_aside() {
        assert_eq!(next_statuses(2), &[3, 4, 7, 8]);
        assert!(next_statuses(10).is_empty());
        assert!(next_statuses(9).contains(&RETURNED));
        for (code, key, _) in STATUSES {
            assert_eq!(status_by_key(key), Some(code));
        }
    }
}
