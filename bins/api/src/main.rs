//! `solicitudes-api`: see `solicitudes_api` for the library this shim drives.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use solicitudes_api::cli::{Cli, Command, UsuariosCommand, read_password};
use solicitudes_api::config::Settings;
use solicitudes_api::startup::Application;
use solicitudes_api::{demo, openapi, telemetry};
use solicitudes_domain::{PersonaId, Rol};
use solicitudes_persistence::{build_pool, migrations};
use solicitudes_schemas::auth::Password;
use solicitudes_schemas::usuario::UsuarioCreate;
use solicitudes_services::{Auth, ServiceError, usuarios};

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.clone().unwrap_or(Command::Serve) {
        // Needs no configuration and no database.
        Command::Openapi => print_openapi(),
        Command::Migrate => with_settings(&cli, migrate).await,
        Command::Seed {
            personas,
            solicitudes,
            accounts_file,
        } => {
            with_settings(&cli, async |s: &Settings| {
                seed(s, personas, solicitudes, accounts_file.as_deref()).await
            })
            .await
        }
        Command::Serve => with_settings(&cli, serve).await,
        Command::Usuarios {
            command:
                UsuariosCommand::Crear {
                    email,
                    rol,
                    persona_id,
                    password_env,
                },
        } => {
            with_settings(&cli, async |s: &Settings| {
                crear_usuario(s, email, rol, persona_id, password_env.as_deref()).await
            })
            .await
        }
    }
}

/// Loads and checks the configuration, starts the logs, runs `task`, and turns its outcome
/// into the exit code: 2 for a configuration error, 1 for a failed task.
async fn with_settings(
    cli: &Cli,
    task: impl AsyncFnOnce(&Settings) -> anyhow::Result<()>,
) -> ExitCode {
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("solicitudes-api: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = settings.database_url() {
        eprintln!("solicitudes-api: {e}");
        return ExitCode::from(2);
    }
    telemetry::init(
        cli.log_format.unwrap_or(settings.log.format),
        &settings.log.level,
    );
    match task(&settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Once, on standard error: as a log line (in `log.format`, for the log collector)
            // when the server fails, as a plain message when a command run by hand does.
            if matches!(cli.command, None | Some(Command::Serve)) {
                tracing::error!("{e:#}");
            } else {
                eprintln!("solicitudes-api: {e:#}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Prints the OpenAPI document. `solicitudes-api openapi | head` closes the pipe early: that
/// is not a failure worth a panic, but any other error is reported with a failing exit code.
fn print_openapi() -> ExitCode {
    let json = match openapi::to_pretty_json() {
        Ok(json) => json,
        Err(e) => {
            eprintln!("solicitudes-api: serialising the OpenAPI document: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{json}").and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("solicitudes-api: writing the OpenAPI document: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let url = settings.database_url().map_err(anyhow::Error::msg)?;
    let applied = migrations::run_pending(url).await?;
    if applied.is_empty() {
        println!("no pending migrations");
    }
    for v in applied {
        println!("applied {v}");
    }
    Ok(())
}

async fn seed(
    settings: &Settings,
    personas: u64,
    solicitudes: u64,
    accounts_file: Option<&Path>,
) -> anyhow::Result<()> {
    let url = settings.database_url().map_err(anyhow::Error::msg)?;
    migrations::run_pending(url).await?;
    let auth = Auth::new(settings.auth()).map_err(|e| anyhow::anyhow!("auth settings: {e}"))?;
    let pool = build_pool(url, &settings.pool());
    // The bootstrap admin first, as `serve` makes it: the demo admin below must not be the
    // "active admin" that keeps it from being created.
    if let (Some(email), Some(password)) = (
        &auth.settings().bootstrap_admin_email,
        &auth.settings().bootstrap_admin_password,
    ) {
        let password = Password::from_secret(password.clone());
        if let Some(u) = usuarios::bootstrap_admin(&pool, &auth, email, &password).await? {
            println!(
                "bootstrap admin {} ready (auth.bootstrap_admin_email)",
                u.email
            );
        }
    }
    let started = std::time::Instant::now();
    let seeded = solicitudes_persistence::seed::run(url, personas, solicitudes, |done, total| {
        eprintln!("  {done}/{total} solicitudes");
    })
    .await?;
    println!(
        "seeded {} personas and {} solicitudes in {:.1} s",
        seeded.personas,
        seeded.solicitudes,
        started.elapsed().as_secs_f64()
    );
    if let Some(file) = accounts_file {
        let hechas = demo::sembrar(&pool, &auth, url, file).await?;
        println!("demo accounts (credentials in {}):", file.display());
        for (email, rol, resultado) in hechas {
            let what = match resultado {
                demo::Resultado::Creada(Some(p)) => format!("created, files as persona {p}"),
                demo::Resultado::Creada(None) => "created".to_owned(),
                demo::Resultado::Existia(true) => "exists already".to_owned(),
                demo::Resultado::Existia(false) => {
                    "exists already; its password is not in the file (kept as it was)".to_owned()
                }
                demo::Resultado::SinPersona => {
                    "not created: no persona without an account left to file as".to_owned()
                }
            };
            println!("  {email:<27} {:<12} {what}", rol.as_str());
        }
    }
    Ok(())
}

/// `usuarios crear`: validates the account with the API's rules (those of `POST /usuarios`),
/// creates it through `usuarios::alta` and prints it as JSON. Migrations are applied first
/// when `database.migrate_on_start` is on, as `serve` would, so a fresh database can get its
/// first admin before the service ever starts.
async fn crear_usuario(
    settings: &Settings,
    email: String,
    rol: Rol,
    persona_id: Option<PersonaId>,
    password_env: Option<&str>,
) -> anyhow::Result<()> {
    let url = settings.database_url().map_err(anyhow::Error::msg)?;
    if password_env.is_none() && std::io::stdin().is_terminal() {
        eprint!("password for {email} (8–128 characters, one line; it is shown as typed): ");
    }
    let password =
        read_password(password_env, std::io::stdin().lock()).map_err(anyhow::Error::msg)?;
    let body = serde_json::json!({
        "email": email,
        "rol": rol,
        "persona_id": persona_id,
        "password": password.expose(),
    });
    let dto = solicitudes_schemas::body::from_value::<UsuarioCreate>(body).map_err(|errors| {
        let lines: Vec<String> = errors
            .entries()
            .iter()
            .map(|e| {
                // Name the option the value came from (the password has none).
                let field = match e.loc.last() {
                    Some(solicitudes_schemas::Loc::Key(k)) if k == "password" => k.clone(),
                    Some(solicitudes_schemas::Loc::Key(k)) => format!("--{}", k.replace('_', "-")),
                    Some(solicitudes_schemas::Loc::Index(i)) => i.to_string(),
                    None => String::new(),
                };
                format!("{field}: {}", e.msg)
            })
            .collect();
        anyhow::anyhow!("invalid account: {}", lines.join("; "))
    })?;
    if settings.database.migrate_on_start {
        migrations::run_pending(url).await?;
    }
    let auth = Auth::new(settings.auth()).map_err(|e| anyhow::anyhow!("auth settings: {e}"))?;
    let pool = build_pool(url, &settings.pool());
    let created = usuarios::alta(&pool, &auth, &dto)
        .await
        .map_err(|e| match e {
            ServiceError::EmailTaken => {
                anyhow::anyhow!("an account with the e-mail {} exists already", dto.email)
            }
            ServiceError::PersonaRequerida => {
                anyhow::anyhow!("a solicitante needs --persona-id (the persona they file as)")
            }
            ServiceError::PersonaInexistente(p) => anyhow::anyhow!("--persona-id: no persona {p}"),
            e => anyhow::anyhow!("creating the account: {e}"),
        })?;
    println!("{}", serde_json::to_string_pretty(&created)?);
    Ok(())
}

async fn serve(settings: &Settings) -> anyhow::Result<()> {
    let app = Application::build(settings).await?;
    tracing::info!(
        "listening on http://{}:{} (docs at /docs)",
        settings.server.host,
        app.port()
    );
    app.run_until_stopped().await?;
    Ok(())
}
