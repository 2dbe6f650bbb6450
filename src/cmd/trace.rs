//! `hops URL...`: resolve the config, trace each chain showing each hop as soon as it is
//! complete, analyse and show the chain's end, save what the run learned, and pick the exit
//! code.

use std::io::{self, Write};

use anyhow::{Context, Result};

use crate::analyze::analyze;
use crate::cli::{self, Cli};
use crate::config::{Config, UsageError};
use crate::exit::ExitCode;
use crate::model::{Chain, Hop, Outcome, Redactor, Signal};
use crate::redirect::PlannedRequest;
use crate::render::{self, ShowOptions, text};
use crate::trace::{HopObserver, Interrupts, Run};

pub fn execute(cli: &Cli) -> Result<ExitCode> {
    let config = Config::from_cli(cli)?;
    colored::control::set_override(config.output.color && config.format == cli::Format::Text);
    let runtime = super::runtime()?;
    runtime.block_on(trace_all(&config))
}

/// Traces every URL in order, showing each hop as soon as it is complete and each chain's end
/// when it ends. With several URLs the exit code is the first non-zero one in the order of the
/// exit code table (1 before 2 before 3 ...). A signal stops the chain under way and the run:
/// what it gathered is still shown and saved.
async fn trace_all(config: &Config) -> Result<ExitCode> {
    check_output_files(config)?;
    let options = show_options(config);
    // From here on Ctrl-C and SIGTERM stop the chain under way instead of the process.
    let mut interrupts = Interrupts::listen().context("cannot listen for Ctrl-C")?;
    let mut run = Run::open(config).await?;
    let (mut stdout, mut stderr) = (Stream::new(io::stdout()), Stream::new(io::stderr()));
    let mut chains = Vec::with_capacity(config.urls.len());
    let mut worst = ExitCode::Ok;
    for (number, url) in config.urls.iter().enumerate() {
        if number > 0 && options.text().is_some() {
            // A blank line between one chain's summary and the next chain's first hop.
            let text_out: &mut dyn Write = if options.text_to_stderr {
                &mut stderr
            } else {
                &mut stdout
            };
            writeln!(text_out)?;
        }
        let (chain, code) = trace_and_show(
            &mut run,
            config,
            config.start_for(url),
            interrupts.next(),
            &options,
            &mut stdout,
            &mut stderr,
        )
        .await?;
        worst = worst.worst(code);
        let interrupted = matches!(chain.outcome, Outcome::Interrupted { .. });
        chains.push(chain);
        if interrupted {
            break;
        }
    }
    run.save()?;
    if let Some(path) = &config.har {
        let har = render::har::document(&chains, options.redactor);
        std::fs::write(path, render::escape::to_vec_pretty(&har)?)
            .with_context(|| format!("cannot write the HAR file {}", path.display()))?;
    }
    Ok(worst)
}

/// One chain as `hops URL` and `hops demo` both show it: traced with each hop shown as soon as
/// it is complete, then analysed, its end shown, and its exit code picked.
pub(crate) async fn trace_and_show(
    run: &mut Run<'_>,
    config: &Config,
    start: PlannedRequest,
    stop: impl Future<Output = Signal>,
    options: &ShowOptions,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(Chain, ExitCode)> {
    let text_out: &mut dyn Write = if options.text_to_stderr {
        &mut *stderr
    } else {
        &mut *stdout
    };
    let mut live = LiveText::new(text_out, options);
    let mut chain = run.trace(start, &mut live, stop).await;
    live.finish()?;
    let analysis = analyze(&mut chain, &config.checks, options.redactor);
    let code = ExitCode::for_chain(&chain.outcome, &analysis);
    render::show(&chain, &analysis, code.code(), options, stdout, stderr)?;
    Ok((chain, code))
}

/// The text output as the chain goes: each hop's block as soon as the hop is complete, so a
/// chain whose last server hangs still shows what came before. Nothing for JSON or `-s`.
pub struct LiveText<'a> {
    out: &'a mut dyn Write,
    options: Option<text::TextOptions>,
    shown: usize,
    /// The first write that failed; the chain goes on, and the error is reported when it ends.
    failed: Option<io::Error>,
}

impl<'a> LiveText<'a> {
    pub fn new(out: &'a mut dyn Write, options: &ShowOptions) -> Self {
        LiveText {
            out,
            options: options.text(),
            shown: 0,
            failed: None,
        }
    }

    /// The chain is over: a write that failed on the way fails now.
    pub fn finish(self) -> io::Result<()> {
        self.failed.map_or(Ok(()), Err)
    }
}

impl HopObserver for LiveText<'_> {
    fn on_hop(&mut self, hop: &Hop) {
        let Some(options) = self.options.filter(|_| self.failed.is_none()) else {
            return;
        };
        let first = self.shown == 0;
        self.shown += 1;
        if let Err(error) = text::hop(hop, first, options, self.out).and_then(|()| self.out.flush())
        {
            self.failed = Some(error);
        }
    }
}

/// stdout or stderr as the trace mode writes to them. Once the reader has gone (`hops URL |
/// head`), the rest of the output is dropped instead of failing the run: the chain still
/// finishes, and keeps its exit code and its error line. `hops check` writes through it too.
pub(crate) struct Stream<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> Stream<W> {
    pub(crate) fn new(inner: W) -> Self {
        Stream {
            inner,
            closed: false,
        }
    }

    /// `result`, unless it says the reader has gone: then nothing is written from now on.
    fn unless_closed<T>(&mut self, result: io::Result<T>, written: T) -> io::Result<T> {
        match result {
            Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(written)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for Stream<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.unless_closed(result, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.unless_closed(result, ())
    }
}

/// What the renderers need to know of the config.
pub fn show_options(config: &Config) -> ShowOptions {
    ShowOptions {
        format: config.format,
        silent: config.output.silent,
        verbose: config.output.verbose,
        redactor: Redactor {
            show_secrets: config.output.show_secrets,
        },
        write_out: config.write_out.clone(),
        name_start_url: config.urls.len() > 1,
        text_to_stderr: config
            .output
            .body_to
            .as_ref()
            .is_some_and(|path| path.as_os_str() == "-"),
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
