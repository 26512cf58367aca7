//! Command line.

use std::io::BufRead;
use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand};
use solicitudes_domain::{PersonaId, Rol};
use solicitudes_schemas::auth::Password;

use crate::config::LogFormat;

/// The solicitudes service.
#[derive(Debug, Parser)]
#[command(name = "solicitudes-api", version, about)]
pub struct Cli {
    /// TOML configuration file (see docs/configuration.md).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Log format; overrides `log.format`.
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve HTTP (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the OpenAPI document and exit.
    Openapi,
    /// Insert realistic demo data (Spanish personas and solicitudes with their historial),
    /// after the bootstrap admin (`auth.bootstrap_admin_*`) when one is configured, as `serve`
    /// would.
    Seed {
        /// Personas to insert.
        #[arg(long, default_value_t = 100)]
        personas: u64,
        /// Solicitudes to insert, spread over all personas.
        #[arg(long, default_value_t = 1000)]
        solicitudes: u64,
        /// Also create the demo accounts (an admin, two revisores, three solicitantes) that
        /// do not exist yet, with random passwords written to this file (git-ignored
        /// `.local/seed-accounts.txt` in `make seed`); passwords already in it are reused.
        #[arg(long, value_name = "PATH")]
        accounts_file: Option<PathBuf>,
    },
    /// Manage usuarios (accounts) with the database's credentials, no login needed.
    Usuarios {
        /// What to do with them.
        #[command(subcommand)]
        command: UsuariosCommand,
    },
}

/// `usuarios` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum UsuariosCommand {
    /// Create an account (the way to make the first admin) and print it as JSON.
    ///
    /// The password is read from the environment variable named by --password-env, else as
    /// one line from standard input (only the trailing newline is removed). It is never
    /// taken as an argument, which other users of the machine could read.
    Crear {
        /// The login name (unique case-insensitively).
        #[arg(long)]
        email: String,
        /// What the account may do.
        #[arg(long, value_parser = rol_parser())]
        rol: Rol,
        /// The persona the account files as (required for a solicitante).
        #[arg(long, value_name = "UUID")]
        persona_id: Option<PersonaId>,
        /// Read the password from this environment variable instead of standard input.
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
    },
}

/// Accepts exactly the contract's rol labels, listing them in `--help` and in the error.
fn rol_parser() -> impl TypedValueParser<Value = Rol> {
    PossibleValuesParser::new(Rol::ETIQUETAS).try_map(|s| s.parse::<Rol>())
}

/// The password of `usuarios crear`: the variable `env` when given (it must be set), else
/// the first line of `stdin` without its line ending (`\n` or `\r\n`); nothing else is
/// trimmed, since spaces may be part of a password. Its length is checked later, with the
/// API's rules.
///
/// # Errors
/// When the variable is unset or not Unicode, or standard input is empty or unreadable.
pub fn read_password(env: Option<&str>, stdin: impl BufRead) -> Result<Password, String> {
    if let Some(var) = env {
        return std::env::var(var)
            .map(Password::new)
            .map_err(|e| format!("--password-env {var}: {e}"));
    }
    let mut line = String::new();
    let mut stdin = stdin;
    match stdin.read_line(&mut line) {
        Ok(0) => Err("no password on standard input (or use --password-env VAR)".to_owned()),
        Ok(_) => {
            if line.ends_with('\n') {
                line.pop();
                if line.ends_with('\r') {
                    line.pop();
                }
            }
            Ok(Password::new(line))
        }
        Err(e) => Err(format!("reading the password from standard input: {e}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn leer(input: &str) -> Result<String, String> {
        read_password(None, input.as_bytes()).map(|p| p.expose().to_owned())
    }

    #[test]
    fn la_clave_de_stdin_pierde_solo_el_salto_de_linea() {
        assert_eq!(leer("  una clave  \n").unwrap(), "  una clave  ");
        assert_eq!(leer("windows\r\n").unwrap(), "windows");
        assert_eq!(leer("sin salto").unwrap(), "sin salto");
        assert_eq!(leer("primera\nsegunda\n").unwrap(), "primera");
        assert_eq!(leer("\n").unwrap(), "");
        assert!(leer("").unwrap_err().contains("no password"));
    }

    #[test]
    fn usuarios_crear_acepta_los_roles_del_contrato() {
        let cli = Cli::try_parse_from([
            "solicitudes-api",
            "usuarios",
            "crear",
            "--email",
            "a@example.com",
            "--rol",
            "revisor",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::Usuarios {
                command: UsuariosCommand::Crear {
                    rol: Rol::Revisor,
                    persona_id: None,
                    password_env: None,
                    ..
                }
            })
        ));
        let e = Cli::try_parse_from([
            "solicitudes-api",
            "usuarios",
            "crear",
            "--email",
            "a@example.com",
            "--rol",
            "jefe",
        ])
        .unwrap_err();
        assert!(e.to_string().contains("solicitante"), "{e}");
    }
}
