//! One run of `hops URL...`: resolve the config, trace each chain, render it, pick the exit code.

use std::io::Write;
use std::time::SystemTime;

use anyhow::{Context, Result};

use crate::chain::{self, BodySink};
use crate::checks::{self, CheckResult};
use crate::cli::{Cli, Command, Format};
use crate::config::{Config, UsageError};
use crate::cookies::Jar;
use crate::exit::ExitCode;
use crate::hsts::HstsStore;
use crate::record::{Chain, Outcome};
use crate::render::write_out::{self, WriteOutContext};
use crate::render::{Redaction, json, text};

pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Some(dir) = &cli.generate {
        crate::generate::write_all(dir)?;
        return Ok(ExitCode::Ok);
    }
    #[cfg(feature = "demo")]
    if let Some(Command::Demo(args)) = &cli.command {
        return crate::demo::run(args);
    }
    #[cfg(not(feature = "demo"))]
    if let Some(Command::Demo(_)) = &cli.command {
        let message = "this hops was built without the demo (feature `demo`)";
        return Err(UsageError(message.to_owned()).into());
    }
    let config = Config::from_cli(&cli)?;
    colored::control::set_override(config.output.color && config.format == Format::Text);
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
    let mut run = Run::open(config).await?;
    let mut chains = Vec::with_capacity(config.urls.len());
    let mut worst = ExitCode::Ok;
    for (number, url) in config.urls.iter().enumerate() {
        if number > 0 && config.format == Format::Text && !config.output.silent {
            // A blank line between one chain's summary and the next chain's first hop.
            println!();
        }
        let chain = run.trace(config.start_for(url)).await;
        let code = show(
            config,
            &chain,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        )?;
        if code != ExitCode::Ok && (worst == ExitCode::Ok || code.code() < worst.code()) {
            worst = code;
        }
        chains.push(chain);
    }
    run.save()?;
    if let Some(path) = &config.har {
        let har = crate::render::har::document(&chains, redaction(config));
        std::fs::write(path, serde_json::to_vec_pretty(&har)?)
            .with_context(|| format!("cannot write the HAR file {}", path.display()))?;
    }
    Ok(worst)
}

/// What the chains of one run share: the client and its connection pool, the cookie jar, the
/// HSTS store and the `-o` body sink (used by the first chain only).
pub struct Run<'a> {
    config: &'a Config,
    client: crate::client::HopClient,
    jar: Jar,
    hsts: HstsStore,
    sink: Option<BodySink>,
}

impl<'a> Run<'a> {
    pub async fn open(config: &'a Config) -> Result<Run<'a>> {
        let client = crate::client::build(&config.connection)
            .map_err(|err| UsageError(format!("{err:#}")))?;
        Ok(Run {
            config,
            client,
            jar: seeded_jar(config)?,
            hsts: loaded_hsts(config),
            sink: open_body_sink(config).await?,
        })
    }

    pub async fn trace(&mut self, start: crate::policy::PlannedRequest) -> Chain {
        let sink = self.sink.take();
        chain::trace(
            self.config,
            start,
            &self.client,
            &mut self.jar,
            &mut self.hsts,
            sink,
        )
        .await
    }

    /// Writes what the run learned: the cookie jar (`-c`) and the HSTS cache (`--hsts`).
    pub fn save(&self) -> Result<()> {
        if let Some(path) = &self.config.cookies.jar_out {
            std::fs::write(path, self.jar.to_netscape())
                .with_context(|| format!("cannot write the cookie jar {}", path.display()))?;
        }
        if let Some((path, _)) = &self.config.connection.hsts_file {
            self.hsts
                .save_cache(path)
                .with_context(|| format!("cannot write the HSTS cache file {}", path.display()))?;
        }
        Ok(())
    }
}

/// The HSTS store: the embedded preload list (unless `--no-preload`) and the `--hsts` cache file.
/// Unreadable lines of the cache file are skipped, as curl does, with a warning.
fn loaded_hsts(config: &Config) -> HstsStore {
    let mut store = HstsStore::new(config.connection.hsts_preload);
    if let Some((path, Some(text))) = &config.connection.hsts_file {
        let report = store.load_cache(text, SystemTime::now());
        for skipped in &report.skipped {
            eprintln!(
                "hops: warning: {}:{}: skipped: {}",
                path.display(),
                skipped.line,
                skipped.reason
            );
        }
    }
    store
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

fn redaction(config: &Config) -> Redaction {
    Redaction {
        show_secrets: config.output.show_secrets,
    }
}

/// Shows one finished chain: its rendering on `out` (unless silent), its error and failed checks
/// as `hops: error:` lines on `err`, then `-w`. Returns the chain's exit code.
pub fn show(
    config: &Config,
    chain: &Chain,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<ExitCode> {
    let redaction = redaction(config);
    let results = checks::evaluate_with(chain, &config.checks, redaction);
    let code = exit_code(chain, &results);
    match config.format {
        Format::Json => json::render(chain, &results, redaction, out)?,
        Format::Text if !config.output.silent => {
            let options = text::TextOptions {
                verbose: config.output.verbose,
                redaction,
            };
            text::render(chain, &results, options, out)?;
        }
        Format::Text => {}
    }
    out.flush()?;
    if let Some(error) = &chain.error {
        writeln!(
            err,
            "hops: error: hop {}: {}",
            error.hop,
            redaction.url(&error.message)
        )?;
    }
    // A broken chain has its one error line; the checks it made fail are shown in the output.
    for failed in results.iter().filter(|r| !r.ok && chain.error.is_none()) {
        writeln!(err, "hops: error: {}", describe_failed_check(failed))?;
    }
    if let Some(format) = &config.write_out {
        let context = WriteOutContext {
            chain,
            exit_code: code.code(),
            redaction,
        };
        write_out::render(format, &context, out, err)?;
        out.flush()?;
    }
    Ok(code)
}

/// A broken chain (3 to 6) says more than a check that failed because of it.
fn exit_code(chain: &Chain, results: &[CheckResult]) -> ExitCode {
    if chain.outcome != Outcome::Ok {
        ExitCode::for_outcome(chain.outcome)
    } else if results.iter().any(|r| !r.ok) {
        ExitCode::CheckFailed
    } else {
        ExitCode::Ok
    }
}

pub fn describe_failed_check(result: &CheckResult) -> String {
    let at = result
        .hop
        .map_or(String::new(), |hop| format!("hop {hop}: "));
    format!(
        "{at}--{} failed: expected {}, got {}",
        result.check, result.expected, result.actual
    )
}
