//! The `portal` command: serves the API (the default), migrates, rebuilds the search index,
//! loads the demo, prints the OpenAPI document.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use portal::auth::{Role, accounts};
use portal::core::config::Settings;
use portal::core::telemetry;
use portal::{db, demo, openapi};

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
    /// Rebuild the search index from the articles (when a node of an older version saved
    /// articles during an upgrade past migration 10) and exit.
    Reindex,
    /// Load the demo wards into the database (which must hold no site yet).
    SeedDemo,
    /// Print the OpenAPI document as JSON.
    Openapi,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Fill an empty database with a large generated dataset (for benchmarks).
    Generate {
        /// Wards to make (phuong-1, phuong-2...).
        #[arg(long, default_value_t = 10)]
        sites: usize,
        /// Articles in all.
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
        /// The same seed makes the same data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from standard input (one line), never from an
    /// argument: `portal user add --email a@b.vn --role editor --site phuong-chi-minh`.
    Add {
        #[arg(long)]
        email: String,
        /// admin (every site), editor or author.
        #[arg(long)]
        role: String,
        /// The site of an editor or author.
        #[arg(long)]
        site: Option<String>,
    },
    /// Give an existing account a role (on a site, unless admin).
    Grant {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        site: Option<String>,
    },
}

/// glibc gives every thread that meets contention a heap of its own (up to eight per core) and
/// each keeps what it held at its peak. Two heaps serve the same load as fast with a fifth less
/// memory (`bench/run.sh`: SQLite peak 76 -> 59 MB). `MALLOC_ARENA_MAX` in the environment
/// still decides when set.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: called first thing in main, before any other thread exists; mallopt only
        // changes a setting of the allocator.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

fn main() -> ExitCode {
    limit_malloc_arenas();
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
        Command::Reindex => reindex(&settings),
        Command::SeedDemo => seed_demo(&settings),
        Command::Openapi => {
            print!("{}", openapi::to_pretty_json(&openapi::document()));
            Ok(())
        }
        Command::User(command) => user(&settings, command),
        Command::Generate { sites, articles, seed } => generate(&settings, sites, articles, seed),
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
    let applied = portal::migrate(&mut conn).map_err(|e| format!("database: migration failed: {e}"))?;
    println!("{applied} migration(s) applied");
    Ok(())
}

fn reindex(settings: &Settings) -> Result<(), String> {
    let mut conn = connect(settings)?;
    let started = std::time::Instant::now();
    let indexed = portal::reindex(&mut conn).map_err(|e| format!("database: reindex failed: {e}"))?;
    println!("search index rebuilt: {indexed} articles in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

fn user(settings: &Settings, command: UserCommand) -> Result<(), String> {
    // The same preparation as `serve`, so on a fresh machine the demo sites exist to be named.
    let pool = db::pool(&settings.database_url, 1, settings.pool_timeout);
    portal::prepare_database(&pool, settings)?;
    let mut conn = pool.get().map_err(|e| format!("database: cannot connect: {e}"))?;
    let parse_role =
        |r: &str| Role::parse(r).ok_or_else(|| format!("--role: {r:?} is not admin, editor, author or desk"));
    match command {
        UserCommand::Add { email, role, site } => {
            let role = parse_role(&role)?;
            let password = read_password()?;
            let id = accounts::create(&mut conn, &email, &password, role, site.as_deref())?;
            println!("account {id} created: {email} ({})", role.as_str());
        }
        UserCommand::Grant { email, role, site } => {
            let role = parse_role(&role)?;
            accounts::grant(&mut conn, &email, role, site.as_deref())?;
            println!("{email} is now {} {}", role.as_str(), site.map(|s| format!("of {s}")).unwrap_or_default());
        }
    }
    Ok(())
}

/// One line from standard input (a prompt goes to standard error when it is a terminal).
fn read_password() -> Result<String, String> {
    use std::io::{BufRead, IsTerminal, Write};
    if std::io::stdin().is_terminal() {
        eprint!("Password (shown as typed; pipe it in to hide it): ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("password: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err("password: none given on standard input".into());
    }
    Ok(password)
}

fn generate(settings: &Settings, sites: usize, articles: usize, seed: u64) -> Result<(), String> {
    let mut conn = connect(settings)?;
    portal::migrate(&mut conn).map_err(|e| format!("database: migration failed: {e}"))?;
    let started = std::time::Instant::now();
    let made =
        demo::generate::generate(&mut conn, sites.max(1), articles, seed).map_err(|e| format!("database: {e}"))?;
    println!("{made} articles in {sites} sites generated in {:.1}s", started.elapsed().as_secs_f64());
    Ok(())
}

fn seed_demo(settings: &Settings) -> Result<(), String> {
    let mut conn = connect(settings)?;
    portal::migrate(&mut conn).map_err(|e| format!("database: migration failed: {e}"))?;
    if !demo::seed_if_empty(&mut conn, &settings.upload_dir).map_err(|e| format!("database: {e}"))? {
        return Err("the database already holds sites; the demo loads only into an empty one".into());
    }
    println!("demo loaded: sites {} and {}", demo::DEMO_SITE, demo::SECOND_SITE);
    Ok(())
}
