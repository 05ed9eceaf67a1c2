//! The benchmark's second reference (`bench/run.sh`): actix-web answering every GET with one
//! prepared body from memory, and nothing else (no routing, cache, ETag, logging or metrics),
//! with the workers and keep-alive of `portal serve`. What portal's cached reads add to
//! actix-web itself is the gap between the two.
//!
//!   cargo run --release --example bytes_server -- FILE PORT

use actix_web::{App, HttpResponse, HttpServer, web};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(port)) = (args.next(), args.next()) else {
        eprintln!("usage: bytes_server FILE PORT");
        std::process::exit(2);
    };
    let body = web::Bytes::from(std::fs::read(&file)?);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    HttpServer::new(move || {
        let body = body.clone();
        App::new().default_service(web::to(move || {
            let body = body.clone();
            async move { HttpResponse::Ok().content_type("application/json").body(body) }
        }))
    })
    .workers(workers)
    .bind(("127.0.0.1", port.parse::<u16>().map_err(std::io::Error::other)?))?
    .run()
    .await
}
