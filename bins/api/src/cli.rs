//! Command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve HTTP (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Print the OpenAPI document and exit.
    Openapi,
    /// Insert realistic demo data (Spanish personas and solicitudes with their historial).
    Seed {
        /// Personas to insert.
        #[arg(long, default_value_t = 100)]
        personas: u64,
        /// Solicitudes to insert, spread over all personas.
        #[arg(long, default_value_t = 1000)]
        solicitudes: u64,
    },
}
