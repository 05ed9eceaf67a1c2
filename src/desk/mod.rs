//! The one-stop desk ("Bộ phận một cửa"; since 1 July 2025 the ward's "Trung tâm Phục vụ hành
//! chính công"): its office and hours, its catalogue of procedures, the holidays deadlines skip
//! ([`calendar`]), and the dossiers citizens file there with their statistics ([`dossiers`]).

pub mod calendar;
pub mod dossiers;
pub mod holidays;
pub mod office;
pub mod procedures;

pub use holidays::holidays_from;
pub use office::{Desk, Session, find_desk, unit_code};
pub use procedures::{Procedure, find_procedure, procedures_by_id, save_procedure};

use holidays::{delete_holiday, list_holidays, put_holiday};
use office::{get_desk, put_desk};
use procedures::{create_procedure, delete_procedure, get_procedure, list_procedures, update_procedure};

/// Registers the desk routes.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_desk)
        .service(put_desk)
        .service(list_holidays)
        .service(put_holiday)
        .service(delete_holiday)
        .service(list_procedures)
        .service(get_procedure)
        .service(create_procedure)
        .service(update_procedure)
        .service(delete_procedure);
    dossiers::configure(cfg);
}
