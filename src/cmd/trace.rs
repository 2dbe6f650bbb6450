//! `hops URL...`: resolve the config, trace each chain, analyse and show it as soon as it ends,
//! save what the run learned, and pick the exit code.

use anyhow::{Context, Result};

use crate::analyze::analyze;
use crate::cli::{self, Cli};
use crate::config::{Config, UsageError};
use crate::exit::ExitCode;
use crate::model::Redactor;
use crate::render::{self, Format, ShowOptions};
use crate::trace::Run;

pub fn execute(cli: &Cli) -> Result<ExitCode> {
    let config = Config::from_cli(cli)?;
    colored::control::set_override(config.output.color && config.format == cli::Format::Text);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(trace_all(&config))
}

/// Traces every URL in order, showing each chain as soon as it ends. With several URLs the exit
/// code is the first non-zero one in the order of the exit code table (1 before 2 before 3 ...).
async fn trace_all(config: &Config) -> Result<ExitCode> {
    check_output_files(config)?;
    let options = show_options(config);
    let mut run = Run::open(config).await?;
    let mut chains = Vec::with_capacity(config.urls.len());
    let mut worst = ExitCode::Ok;
    for (number, url) in config.urls.iter().enumerate() {
        if number > 0 && config.format == cli::Format::Text && !config.output.silent {
            // A blank line between one chain's summary and the next chain's first hop.
            println!();
        }
        let mut chain = run.trace(config.start_for(url)).await;
        let analysis = analyze(&mut chain, &config.checks, options.redactor);
        let code = ExitCode::for_chain(&chain.outcome, &analysis);
        render::show(
            &chain,
            &analysis,
            code.code(),
            &options,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        )?;
        worst = worst.worst(code);
        chains.push(chain);
    }
    run.save()?;
    if let Some(path) = &config.har {
        let har = render::har::document(&chains, options.redactor);
        std::fs::write(path, render::escape::to_vec_pretty(&har)?)
            .with_context(|| format!("cannot write the HAR file {}", path.display()))?;
    }
    Ok(worst)
}

/// What the renderers need to know of the config.
pub fn show_options(config: &Config) -> ShowOptions {
    ShowOptions {
        format: match config.format {
            cli::Format::Text => Format::Text,
            cli::Format::Json => Format::Json,
        },
        silent: config.output.silent,
        verbose: config.output.verbose,
        redactor: Redactor {
            show_secrets: config.output.show_secrets,
        },
        write_out: config.write_out.clone(),
    }
}

/// The files written at the end (`-c`, `--hsts`, `--har`) must be writable before any request
/// is sent, so a typo in a path does not cost the whole trace. A missing file is created empty;
/// an existing one is left as it is until the end.
fn check_output_files(config: &Config) -> Result<()> {
    let files = [
        (config.cookies.jar_out.as_deref(), "cookie jar"),
        (
            config
                .connection
                .hsts_file
                .as_ref()
                .map(|(path, _)| path.as_path()),
            "HSTS cache file",
        ),
        (config.har.as_deref(), "HAR file"),
    ];
    for (path, what) in files {
        if let Some(path) = path {
            std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(path)
                .map_err(|err| {
                    UsageError(format!("cannot write the {what} {}: {err}", path.display()))
                })?;
        }
    }
    Ok(())
}
