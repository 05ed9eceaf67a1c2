//! The `portal` command: serves the API (the default), migrates, loads the demo, prints the
//! OpenAPI document.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use portal::config::Settings;
use portal::{db, demo, openapi, telemetry};

/// Headless JSON API for the web portals of Vietnamese wards and communes.
///
/// Settings come from the environment and an optional .env file; see .env.example.
#[derive(Parser)]
#[command(name = "portal", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default): migrates first and, on an empty database, loads the demo
    /// unless PORTAL_SEED_DEMO=false.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo wards into the database (which must hold no site yet).
    SeedDemo,
    /// Print the OpenAPI document as JSON.
    Openapi,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("portal: .env: {e}");
        return ExitCode::from(2);
    }
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("portal: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log_level, settings.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => actix_web::rt::System::new().block_on(portal::serve(settings)),
        Command::Migrate => migrate(&settings),
        Command::SeedDemo => seed_demo(&settings),
        Command::Openapi => {
            print!("{}", openapi::to_pretty_json(&openapi::document()));
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("portal: {e}");
            ExitCode::FAILURE
        }
    }
}

fn connect(settings: &Settings) -> Result<db::Conn, String> {
    db::pool(&settings.database_url, 1, settings.pool_timeout)
        .get()
        .map_err(|e| format!("database: cannot connect: {e}"))
}

fn migrate(settings: &Settings) -> Result<(), String> {
    let mut conn = connect(settings)?;
    let applied = db::migrate(&mut conn).map_err(|e| format!("database: migration failed: {e}"))?;
    println!("{applied} migration(s) applied");
    Ok(())
}

fn seed_demo(settings: &Settings) -> Result<(), String> {
    let mut conn = connect(settings)?;
    db::migrate(&mut conn).map_err(|e| format!("database: migration failed: {e}"))?;
    if !demo::seed_if_empty(&mut conn).map_err(|e| format!("database: {e}"))? {
        return Err(
            "the database already holds sites; the demo loads only into an empty one".into(),
        );
    }
    println!(
        "demo loaded: sites {} and {}",
        demo::DEMO_SITE,
        demo::SECOND_SITE
    );
    Ok(())
}
