//! The demo's one-stop desk: the holidays of 2026, each ward's office and procedures, and a
//! few dossiers.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::core::error::ApiError;
use crate::db::AnyConnection;

/// The days off of 2026 by the Labour Code (Điều 112): fixed days, and for Tết and Giỗ Tổ the
/// days of the demo's choosing (the Prime Minister sets them each year; admins edit them).
const HOLIDAYS_2026: &[((u32, u32), &str)] = &[
    ((1, 1), "Tết Dương lịch"),
    ((2, 16), "Tết Nguyên đán"),
    ((2, 17), "Tết Nguyên đán"),
    ((2, 18), "Tết Nguyên đán"),
    ((2, 19), "Tết Nguyên đán"),
    ((2, 20), "Tết Nguyên đán"),
    ((4, 27), "Giỗ Tổ Hùng Vương (nghỉ bù)"),
    ((4, 30), "Ngày Chiến thắng"),
    ((5, 1), "Ngày Quốc tế lao động"),
    ((9, 1), "Quốc khánh"),
    ((9, 2), "Quốc khánh"),
];

pub(crate) fn insert_holidays(conn: &mut AnyConnection) -> QueryResult<()> {
    use crate::db::schema::holidays;
    for ((m, d), name) in HOLIDAYS_2026 {
        let day = NaiveDate::from_ymd_opt(2026, *m, *d).expect("a valid date");
        // Kept as they are where an admin has set them already.
        let set: i64 = holidays::table.filter(holidays::day.eq(day)).count().get_result(conn)?;
        if set == 0 {
            diesel::insert_into(holidays::table)
                .values((holidays::day.eq(day), holidays::name.eq(name)))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// A procedure as `procedures.json` (20 commune-level procedures of the national database)
/// gives it.
#[derive(serde::Deserialize)]
struct ProcedureSource {
    code: String,
    name: String,
    field: String,
    processing_days: i32,
    fee_vnd: Option<i64>,
    online_level: String,
    documents: Vec<String>,
}

/// The desk of the ward named `ward`: its office and hours and the 20 procedures.
pub(crate) fn insert_desk(
    conn: &mut AnyConnection,
    site: &crate::sites::Site,
    ward: &str,
    unit: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    use crate::db::schema::desks;
    use crate::desk::{Procedure, Session};
    let weekdays = vec![1, 2, 3, 4, 5];
    let hours = [("07:00", "11:30"), ("13:30", "17:00")].map(|(opens, closes)| Session {
        weekdays: weekdays.clone(),
        opens: opens.into(),
        closes: closes.into(),
    });
    diesel::insert_into(desks::table)
        .values((
            desks::site_id.eq(site.id),
            desks::name.eq(format!("Trung tâm Phục vụ hành chính công phường {ward} (Bộ phận một cửa)")),
            desks::address.eq(format!("Trụ sở UBND phường {ward}, thành phố Chí Linh, tỉnh Hải Dương")),
            desks::phone.eq(""),
            desks::email.eq(""),
            desks::unit_code.eq(unit),
            desks::hours.eq(serde_json::to_string(&hours).map_err(|e| ApiError::internal(e.to_string()))?),
            desks::updated_at.eq(now),
        ))
        .execute(conn)?;
    let sources: Vec<ProcedureSource> = serde_json::from_str(include_str!("procedures.json"))
        .map_err(|e| ApiError::internal(format!("procedures.json: {e}")))?;
    for p in sources {
        let fee_note = match p.fee_vnd {
            None => "Do HĐND tỉnh quy định",
            Some(0) => "Miễn phí",
            Some(_) => "",
        };
        let procedure = Procedure {
            code: p.code,
            name: p.name,
            field: p.field,
            processing_days: p.processing_days,
            fee_vnd: p.fee_vnd,
            fee_note: fee_note.into(),
            online_level: p.online_level,
            documents: p.documents,
        };
        crate::desk::save_procedure(conn, site.id, 0, &procedure)?;
    }
    Ok(())
}

/// A few dossiers of the past days in each state, at the reference ward's desk.
pub(super) fn insert_demo_dossiers(
    conn: &mut AnyConnection,
    site: &crate::sites::Site,
    unit: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    use crate::desk::dossiers;
    // (procedure, applicant, channel, days ago, the statuses it went through)
    let demo: [(&str, &str, &str, i64, &[i32]); 4] = [
        ("1.001193", "Nguyễn Văn An", "truc_tiep", 9, &[4, 9, 10]),
        ("1.000894", "Trần Thị Bình", "truc_tiep", 3, &[4]),
        ("1.004222", "Lê Văn Cường", "truc_tuyen", 2, &[4, 5]),
        ("2.000884", "Phạm Thị Dung", "truc_tiep", 0, &[]),
    ];
    for (code, name, channel, days_ago, steps) in demo {
        let (id, procedure) = crate::desk::find_procedure(conn, site.id, code)?;
        let received = now - Duration::days(days_ago) - Duration::hours(1);
        let dossier = dossiers::receive(
            conn,
            site,
            unit,
            (id, procedure.processing_days),
            (name, "0912345678", channel),
            received,
            "",
            None,
        )?;
        for (i, status) in steps.iter().enumerate() {
            let at = received + Duration::minutes(30 * (i as i64 + 1));
            let note =
                if *status == 5 { "Bổ sung bản sao giấy tờ chứng minh chỗ ở hợp pháp" } else { "" };
            dossiers::advance(conn, site, &dossier, *status, note, at, None)?;
        }
    }
    Ok(())
}
