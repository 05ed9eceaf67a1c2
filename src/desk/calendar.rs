//! Working days and deadlines. A desk works Monday to Friday except holidays; a dossier
//! taking N working days is due at the close (17:00) of the Nth working day after the day it
//! was received. A same-day procedure (N = 0) received after 15:00, like any dossier received
//! after the close or on a day off, counts from the next working day.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

/// The desk closes: deadlines fall at this local time.
pub const CLOSE: NaiveTime = NaiveTime::from_hms_opt(17, 0, 0).unwrap();
/// After this local time a same-day dossier is returned the next working day.
pub const SAME_DAY_CUTOFF: NaiveTime = NaiveTime::from_hms_opt(15, 0, 0).unwrap();

/// The days off a deadline skips.
#[derive(Debug, Default, Clone)]
pub struct Calendar {
    holidays: BTreeSet<NaiveDate>,
}

impl Calendar {
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        Calendar { holidays: holidays.into_iter().collect() }
    }

    /// Monday to Friday, and not a holiday.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    /// The first working day after `day`.
    pub fn next_working_day(&self, day: NaiveDate) -> NaiveDate {
        let mut next = day + Duration::days(1);
        while !self.is_working_day(next) {
            next += Duration::days(1);
        }
        next
    }

    /// When a dossier received at `received` (local time) and taking `days` working days is
    /// due (local time).
    pub fn due(&self, received: NaiveDateTime, days: u32) -> NaiveDateTime {
        let cutoff = if days == 0 { SAME_DAY_CUTOFF } else { CLOSE };
        let mut day = received.date();
        if !self.is_working_day(day) || received.time() >= cutoff {
            day = self.next_working_day(day);
        }
        for _ in 0..days {
            day = self.next_working_day(day);
        }
        day.and_time(CLOSE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap()
    }

    #[test]
    fn deadlines_count_working_days() {
        let cal = Calendar::default();
        // Thursday 26/11/2026, 3 working days: Friday, Monday, Tuesday.
        assert_eq!(cal.due(at(2026, 11, 26, 9, 0), 3), at(2026, 12, 1, 17, 0));
        // Same day before 15:00; after it, the next working day (Friday → Monday).
        assert_eq!(cal.due(at(2026, 11, 26, 14, 59), 0), at(2026, 11, 26, 17, 0));
        assert_eq!(cal.due(at(2026, 11, 27, 15, 0), 0), at(2026, 11, 30, 17, 0));
        // Received after the close or at the weekend: counting starts on the next working day.
        assert_eq!(cal.due(at(2026, 11, 26, 17, 30), 1), at(2026, 11, 30, 17, 0));
        assert_eq!(cal.due(at(2026, 11, 28, 10, 0), 1), at(2026, 12, 1, 17, 0));
    }

    #[test]
    fn holidays_are_skipped() {
        // 30/4 and 1/5/2026 are Thursday and Friday.
        let cal = Calendar::new([
            NaiveDate::from_ymd_opt(2026, 4, 30).unwrap(),
            NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
        ]);
        assert!(!cal.is_working_day(NaiveDate::from_ymd_opt(2026, 4, 30).unwrap()));
        assert_eq!(cal.due(at(2026, 4, 29, 10, 0), 1), at(2026, 5, 4, 17, 0));
        assert_eq!(cal.due(at(2026, 4, 30, 10, 0), 0), at(2026, 5, 4, 17, 0));
    }
}
