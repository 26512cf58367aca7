//! Triaje: as a revisor, move every `urgente` solicitud that has been `pendiente` for more
//! than N minutes to `en_revision`, and say what was done.
//!
//! ```sh
//! SOLICITUDES_EMAIL=eva@example.com SOLICITUDES_PASSWORD='…' \
//!     cargo run -p solicitudes-client --example triaje -- --minutos 30
//! ```
//!
//! Safe to run from several processes at once: each move carries the `If-Match` of the
//! version it was decided on, so a solicitud another process moved first answers 412; the
//! run re-reads it, sees it is no longer `pendiente` and skips it. The logic is
//! `solicitudes_client::triaje::triar`, which the tests run twice concurrently.

use std::process::ExitCode;

use clap::Parser;
use solicitudes_client::Client;
use solicitudes_client::triaje::{self, Motivo};
use time::OffsetDateTime;

/// Moves old urgente pendientes to en_revision.
#[derive(Debug, Parser)]
struct Args {
    /// The service's base URL.
    #[arg(long, env = "SOLICITUDES_URL", default_value = "http://127.0.0.1:8000")]
    base_url: String,
    /// The revisor's e-mail.
    #[arg(long, env = "SOLICITUDES_EMAIL")]
    email: String,
    /// The revisor's password (better from the environment than on the command line).
    #[arg(long, env = "SOLICITUDES_PASSWORD", hide_env_values = true)]
    password: String,
    /// How long a solicitud must have been waiting, in minutes.
    #[arg(long, env = "TRIAJE_MINUTOS", default_value_t = 30)]
    minutos: u32,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("triaje: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<(), solicitudes_client::Error> {
    let client = Client::login(&args.base_url, &args.email, &args.password).await?;
    let corte = OffsetDateTime::now_utc() - time::Duration::minutes(i64::from(args.minutos));
    let informe = triaje::triar(&client, corte).await;
    // Log out whatever happened: the session is of no further use.
    let _ = client.logout().await;
    let informe = informe?;
    for s in &informe.movidas {
        println!(
            "movida   {} «{}» → en_revision (ETag \"{}\")",
            s.id, s.titulo, s.version
        );
    }
    for o in &informe.omitidas {
        let motivo = match &o.motivo {
            Motivo::YaNoPendiente(estado) => format!("ya está en «{estado}»"),
            Motivo::YaNoUrgente(prioridad) => format!("ya es «{prioridad}»"),
            Motivo::Desaparecida => "ya no existe".to_owned(),
            Motivo::Prohibida(detail) => format!("no puedo revisarla: {detail}"),
            Motivo::Conflicto(detail) => format!("conflicto: {detail}"),
            Motivo::SigueCambiando => "cambia sin parar; otra vez será".to_owned(),
        };
        println!("omitida  {}: {motivo}", o.id);
    }
    println!(
        "triaje: {} movidas a en_revision, {} omitidas (urgentes pendientes desde antes de {})",
        informe.movidas.len(),
        informe.omitidas.len(),
        solicitudes_client::rfc3339(corte)
    );
    Ok(())
}
