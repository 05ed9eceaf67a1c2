//! The desk's figures for a period: received by channel; processed early, on time or late;
//! in progress within or past the deadline.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::core::error::{ApiError, Problem};
use crate::db::schema::dossiers;
use crate::db::{self};
use crate::http::{Data, check, field_error, fresh_json};

use super::model::*;

/// Dossiers received in the period, by channel.
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({"carried_over": 2, "in_period": 41, "in_person": 30, "online": 10, "postal": 1}))]
pub struct Received {
    /// Received before the period and still open when it began.
    pub carried_over: i64,
    /// Received in the period.
    pub in_period: i64,
    pub in_person: i64,
    pub online: i64,
    pub postal: i64,
}

/// Dossiers whose result was ready in the period.
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({"total": 38, "early": 20, "on_time": 17, "late": 1}))]
pub struct Processed {
    pub total: i64,
    /// Ready before the day it was due.
    pub early: i64,
    /// Ready on the day it was due, by the deadline.
    pub on_time: i64,
    /// Ready after the deadline.
    pub late: i64,
}

/// Dossiers still open at the end of the period (or now, for a period not over yet), by the
/// status they have now.
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({"total": 5, "within_deadline": 3, "overdue": 0, "waiting_on_citizen": 2}))]
pub struct InProgress {
    pub total: i64,
    pub within_deadline: i64,
    pub overdue: i64,
    /// Waiting on the citizen: for documents (the deadline starts again when they come) or for
    /// a fee (the deadline stands).
    pub waiting_on_citizen: i64,
}

/// The desk's figures for a period, as wards publish them (the periodic report, form Biểu số
/// II.06a/VPCP/KSTT of Annex XII to Thông tư 02/2017/TT-VPCP, to which Thông tư
/// 01/2018/TT-VPCP Art. 11.2 refers).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "from": "2026-11-01", "to": "2026-11-30",
    "received": {"carried_over": 2, "in_period": 41, "in_person": 30, "online": 10, "postal": 1},
    "processed": {"total": 38, "early": 20, "on_time": 17, "late": 1},
    "in_progress": {"total": 4, "within_deadline": 4, "overdue": 0, "waiting_on_citizen": 0},
    "returned": 36, "rejected": 0, "withdrawn": 1, "stopped": 0, "on_time_percent": 97.4
}))]
pub struct Statistics {
    /// The first day of the period (site time).
    pub from: NaiveDate,
    /// The last day of the period, included.
    pub to: NaiveDate,
    pub received: Received,
    pub processed: Processed,
    pub in_progress: InProgress,
    /// Results handed over in the period.
    pub returned: i64,
    /// Closed in the period without a result.
    pub rejected: i64,
    pub withdrawn: i64,
    pub stopped: i64,
    /// Early and on time, as a share of those processed (one decimal); null when none were.
    pub on_time_percent: Option<f64>,
}

/// The period of the statistics.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsParams {
    /// First day (YYYY-MM-DD, site time, 1900 to 2100); default the first of this month.
    #[param(
        pattern = "^$|^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        example = "2026-11-01"
    )]
    pub from: Option<String>,
    /// Last day, included (YYYY-MM-DD, 1900 to 2100); default today. At most 366 days after
    /// `from` (else 400: a bound between two parameters, which the schema cannot carry).
    #[param(
        pattern = "^$|^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        example = "2026-11-30"
    )]
    pub to: Option<String>,
}

#[derive(Queryable)]
pub(super) struct Counted {
    pub(super) channel: String,
    pub(super) status: i32,
    pub(super) received_at: NaiveDateTime,
    pub(super) due_at: NaiveDateTime,
    pub(super) finished_at: Option<NaiveDateTime>,
    pub(super) returned_at: Option<NaiveDateTime>,
    pub(super) updated_at: NaiveDateTime,
}

/// Counts `rows` into the figures of [`start`, `end`) (UTC), as of `now`.
pub(super) fn count(
    rows: &[Counted],
    from: NaiveDate,
    to: NaiveDate,
    start: NaiveDateTime,
    end: NaiveDateTime,
    now: NaiveDateTime,
) -> Statistics {
    let within = |t: NaiveDateTime| t >= start && t < end;
    let closed_by = |r: &Counted, t: NaiveDateTime| CLOSED.contains(&r.status) && r.updated_at <= t;
    let open_at =
        |r: &Counted, t: NaiveDateTime| r.received_at < t && r.finished_at.is_none_or(|f| f > t) && !closed_by(r, t);
    let as_of = end.min(now);
    let mut s = Statistics {
        from,
        to,
        received: Received::default(),
        processed: Processed::default(),
        in_progress: InProgress::default(),
        returned: 0,
        rejected: 0,
        withdrawn: 0,
        stopped: 0,
        on_time_percent: None,
    };
    for r in rows {
        if open_at(r, start) {
            s.received.carried_over += 1;
        }
        if within(r.received_at) {
            s.received.in_period += 1;
            match r.channel.as_str() {
                "truc_tuyen" => s.received.online += 1,
                "buu_chinh" => s.received.postal += 1,
                _ => s.received.in_person += 1,
            }
        }
        if let Some(f) = r.finished_at.filter(|f| within(*f)) {
            s.processed.total += 1;
            if f > r.due_at {
                s.processed.late += 1;
            } else if f.date() < r.due_at.date() {
                s.processed.early += 1;
            } else {
                s.processed.on_time += 1;
            }
        }
        if open_at(r, as_of) {
            s.in_progress.total += 1;
            if [NEEDS_DOCUMENTS, AWAITING_PAYMENT].contains(&r.status) {
                s.in_progress.waiting_on_citizen += 1;
            } else if r.due_at < as_of {
                s.in_progress.overdue += 1;
            } else {
                s.in_progress.within_deadline += 1;
            }
        }
        if r.returned_at.is_some_and(within) {
            s.returned += 1;
        }
        if CLOSED.contains(&r.status) && within(r.updated_at) {
            match r.status {
                3 => s.rejected += 1,
                7 => s.withdrawn += 1,
                _ => s.stopped += 1,
            }
        }
    }
    if s.processed.total > 0 {
        let share = (s.processed.early + s.processed.on_time) as f64 * 100.0 / s.processed.total as f64;
        s.on_time_percent = Some((share * 10.0).round() / 10.0);
    }
    s
}

/// Get a desk's statistics
///
/// What the desk received, processed (early, on time, late) and still has open, for a period
/// of site days. The figures change as time passes, so they are recounted on every request
/// (`Cache-Control: no-cache`; the `ETag` still answers `If-None-Match` with 304).
#[utoipa::path(
    tag = "desk",
    params(StatisticsParams),
    responses(
        (status = 200, description = "The figures", body = Data<Statistics>, headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "A bad period, named in `errors`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sites/{site}/desk/statistics")]
pub async fn get_statistics(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    params: web::Query<StatisticsParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let slug = path.into_inner();
    let st = state.clone();
    let stats = db::run(&state.pool, move |conn| {
        let context = st.sites.get(conn, &st.responses, &slug)?;
        let site = &context.site;
        let now = Utc::now().naive_utc();
        let today = site.local(now).date_naive();
        let mut errors = Vec::new();
        let mut day = |field: &str, value: Option<&str>, default: NaiveDate| match value.filter(|v| !v.is_empty()) {
            None => default,
            Some(v) => crate::http::input::parse_date(v).unwrap_or_else(|| {
                errors.push(field_error(field, "must be a date like 2026-11-01, from 1900 to 2100"));
                default
            }),
        };
        let from = day("from", params.from.as_deref(), today.with_day(1).unwrap_or(today));
        let to = day("to", params.to.as_deref(), today);
        if to < from || (to - from).num_days() > 366 {
            errors.push(field_error("to", "must be from `from` to 366 days after it"));
        }
        check(errors)?;
        let utc = |d: NaiveDate| site.to_utc(d.and_time(chrono::NaiveTime::MIN));
        let (start, end) = (utc(from), utc(to + Duration::days(1)));
        let rows: Vec<Counted> = dossiers::table
            .filter(dossiers::site_id.eq(site.id))
            .filter(dossiers::received_at.lt(end))
            .filter(
                dossiers::finished_at
                    .is_null()
                    .or(dossiers::finished_at.ge(start))
                    .or(dossiers::returned_at.ge(start))
                    .or(dossiers::updated_at.ge(start)),
            )
            .select((
                dossiers::channel,
                dossiers::status,
                dossiers::received_at,
                dossiers::due_at,
                dossiers::finished_at,
                dossiers::returned_at,
                dossiers::updated_at,
            ))
            .load(conn)?;
        // Due times compare as site days for early/on time: shift everything into site time.
        let local = |t: NaiveDateTime| site.local(t).naive_local();
        let rows: Vec<Counted> = rows
            .into_iter()
            .map(|r| Counted {
                received_at: local(r.received_at),
                due_at: local(r.due_at),
                finished_at: r.finished_at.map(local),
                returned_at: r.returned_at.map(local),
                updated_at: local(r.updated_at),
                ..r
            })
            .collect();
        Ok(count(&rows, from, to, local(start), local(end), local(now)))
    })
    .await?;
    fresh_json(&req, &Data { data: stats })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::dossiers::model::{DONE, NEEDS_DOCUMENTS, PROCESSING};

    fn at(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
    }

    fn row(
        channel: &str,
        status: i32,
        received: NaiveDateTime,
        due: NaiveDateTime,
        finished: Option<NaiveDateTime>,
    ) -> Counted {
        Counted {
            channel: channel.into(),
            status,
            received_at: received,
            due_at: due,
            finished_at: finished,
            returned_at: None,
            updated_at: finished.unwrap_or(received),
        }
    }

    #[test]
    fn the_period_counts_each_dossier_where_it_belongs() {
        let rows = [
            // Received in October, open on 1 November: carried over; done late in November.
            row("truc_tiep", DONE, at(1, 0) - Duration::days(3), at(2, 17), Some(at(3, 9))),
            // Done on its due day, before the close: on time.
            row("truc_tuyen", DONE, at(9, 9), at(10, 17), Some(at(10, 16))),
            // Done the day before it was due: early.
            row("buu_chinh", DONE, at(9, 9), at(12, 17), Some(at(11, 9))),
            // Still open, past its deadline on the 20th.
            row("truc_tiep", PROCESSING, at(12, 9), at(13, 17), None),
            // Still open, within its deadline.
            row("truc_tiep", PROCESSING, at(19, 9), at(25, 17), None),
            // Waiting for the citizen's documents: past its old deadline, but not overdue.
            row("truc_tiep", NEEDS_DOCUMENTS, at(18, 9), at(19, 17), None),
            // Rejected in the period.
            row("truc_tiep", 3, at(15, 9), at(16, 17), None),
        ];
        let (from, to) =
            (NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 11, 19).unwrap());
        let s = count(&rows, from, to, at(1, 0), at(20, 0), at(26, 0));
        assert_eq!(
            (s.received.carried_over, s.received.in_period, s.received.in_person, s.received.online, s.received.postal),
            (1, 6, 4, 1, 1)
        );
        assert_eq!((s.processed.total, s.processed.early, s.processed.on_time, s.processed.late), (3, 1, 1, 1));
        let p = &s.in_progress;
        assert_eq!((p.total, p.within_deadline, p.overdue, p.waiting_on_citizen), (3, 1, 1, 1));
        assert_eq!((s.rejected, s.withdrawn, s.stopped), (1, 0, 0));
        assert_eq!(s.on_time_percent, Some(66.7));
    }
}
