//! One run of `hops URL`: resolve the config, trace the chain, render it, pick the exit code.

use std::io::Write;

use anyhow::{Context, Result};

use crate::chain::{self, BodySink};
use crate::cli::{Cli, Command};
use crate::config::{Config, UsageError};
use crate::cookies::Jar;
use crate::exit::{ExitCode, Failure};
use crate::record::{Chain, Outcome};
use crate::render::{Redaction, text};

pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Some(dir) = &cli.generate {
        crate::generate::write_all(dir)?;
        return Ok(ExitCode::Ok);
    }
    if let Some(Command::Demo(args)) = &cli.command {
        return crate::demo::run(args);
    }
    let config = Config::from_cli(&cli)?;
    colored::control::set_override(config.output.color);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let chain = runtime.block_on(trace(&config))?;
    finish(&config, &chain, &mut std::io::stdout().lock())
}

/// Sets up the client, jar and body sink, then traces; everything that can fail before the first
/// request is sent is a usage error.
pub async fn trace(config: &Config) -> Result<Chain> {
    let client =
        crate::client::build(&config.connection).map_err(|err| UsageError(format!("{err:#}")))?;
    let mut jar = seeded_jar(config)?;
    let sink = open_body_sink(config).await?;
    let chain = chain::trace(config, &client, &mut jar, sink).await;
    if let Some(path) = &config.cookies.jar_out {
        std::fs::write(path, jar.to_netscape())
            .with_context(|| format!("cannot write the cookie jar {}", path.display()))?;
    }
    Ok(chain)
}

fn seeded_jar(config: &Config) -> Result<Jar> {
    let mut jar = Jar::new(config.cookies.enabled);
    jar.seed_pairs(&config.cookies.seed_pairs, &config.start.url);
    for (path, text) in &config.cookies.seed_files {
        jar.load_netscape(text)
            .map_err(|err| UsageError(format!("cookie file {}: {err}", path.display())))?;
    }
    Ok(jar)
}

async fn open_body_sink(config: &Config) -> Result<Option<BodySink>> {
    let Some(path) = &config.output.body_to else {
        return Ok(None);
    };
    if path.as_os_str() == "-" {
        return Ok(Some(Box::new(tokio::io::stdout())));
    }
    let file = tokio::fs::File::create(path).await.map_err(|err| {
        UsageError(format!(
            "cannot create output file {}: {err}",
            path.display()
        ))
    })?;
    Ok(Some(Box::new(file)))
}

/// Renders the chain (unless silent) and turns its outcome into an exit code or a failure.
pub fn finish(config: &Config, chain: &Chain, out: &mut dyn Write) -> Result<ExitCode> {
    if !config.output.silent {
        let options = text::TextOptions {
            verbose: config.output.verbose,
            redaction: Redaction {
                show_secrets: config.output.show_secrets,
            },
        };
        text::render(chain, options, out)?;
        out.flush()?;
    }
    outcome_code(config, chain)
}

fn outcome_code(config: &Config, chain: &Chain) -> Result<ExitCode> {
    if let Some(error) = &chain.error {
        return Err(Failure {
            code: ExitCode::for_outcome(chain.outcome),
            message: format!("hop {}: {}", error.hop, error.message),
        }
        .into());
    }
    if let (Outcome::Ok, Some(last)) = (chain.outcome, chain.last_response()) {
        if config.fail_on_http_error && last.status >= 400 {
            return Err(Failure {
                code: ExitCode::CheckFailed,
                message: format!(
                    "hop {}: final status {} {} (--fail)",
                    last.index, last.status, last.reason
                ),
            }
            .into());
        }
    }
    Ok(ExitCode::Ok)
}
