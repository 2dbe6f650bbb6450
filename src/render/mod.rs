//! Renderers read a chain and its analysis and write them out: the human view ([`text`], hop by
//! hop as the chain goes, then its end), one JSON document per chain ([`json`]), an HTTP Archive
//! ([`har`]) and curl's `-w` ([`write_out`]). They never send requests and never decide anything
//! about the chain.

pub mod escape;
pub mod har;
pub mod json;
pub mod text;
pub mod write_out;

use std::io::{self, Write};

use crate::model::{Analysis, Chain, CheckResult, Redactor};

/// How the chain is shown on stdout: the `--format` value itself, so there is nothing to
/// translate between the command line and the renderers.
pub use crate::cli::Format;

/// Everything `show` needs to know about the output the user asked for.
#[derive(Debug, Clone)]
pub struct ShowOptions {
    pub format: Format,
    /// `-s`: no text output (errors and `-w` still appear).
    pub silent: bool,
    pub verbose: bool,
    pub redactor: Redactor,
    /// `-w`: the format text itself.
    pub write_out: Option<String>,
    /// Text goes to stderr, because the body goes to stdout (`-o -`); JSON cannot be asked for
    /// then, and `-w` stays on stdout, after the body, as curl has it.
    pub text_to_stderr: bool,
    /// Several URLs are traced: every error line names the URL its chain started at.
    pub name_start_url: bool,
}

impl ShowOptions {
    /// How hops are shown as they complete: `None` unless the output is text and not silent.
    pub fn text(&self) -> Option<text::TextOptions> {
        (self.format == Format::Text && !self.silent).then_some(text::TextOptions {
            verbose: self.verbose,
            redactor: self.redactor,
        })
    }
}

/// Shows one finished chain: its JSON document, or the end of its text (unless silent: the hops
/// were shown by [`text::hop`] as they completed) on `out` (`err` with `-o -`), its error and
/// failed checks as `hops: error:` lines on `err`, then `-w`. `exit_code` is the chain's, for
/// `%{exitcode}`.
pub fn show(
    chain: &Chain,
    analysis: &Analysis,
    exit_code: i32,
    options: &ShowOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    let redactor = options.redactor;
    if options.format == Format::Json {
        json::render(chain, analysis, redactor, out)?;
    } else if let Some(text_options) = options.text() {
        let text_out: &mut dyn Write = if options.text_to_stderr {
            &mut *err
        } else {
            &mut *out
        };
        text::end(chain, analysis, text_options, text_out)?;
        text_out.flush()?;
    }
    out.flush()?;
    let error = chain.outcome.error();
    let start = if options.name_start_url {
        format!("{}: ", escape::shown(&redactor.url(&chain.request.url)))
    } else {
        String::new()
    };
    if let Some(error) = error {
        writeln!(
            err,
            "hops: error: {start}hop {}: {}",
            error.hop,
            escape::shown(&redactor.text(error.message))
        )?;
    }
    // A failed check is said once: by its ✗ line in the text view when that is shown, else
    // here. A broken chain has its one error line; the checks fail because of it.
    if error.is_none() && options.text().is_none() {
        for failed in analysis.failed_checks() {
            writeln!(err, "hops: error: {start}{}", describe_failed_check(failed))?;
        }
    }
    if let Some(format) = &options.write_out {
        let context = write_out::WriteOutContext {
            chain,
            exit_code,
            redactor,
        };
        write_out::render(format, &context, out, err)?;
        out.flush()?;
    }
    Ok(())
}

/// One failed check in words: "hop 2: --expect-status failed: expected 200, got 404".
pub fn describe_failed_check(result: &CheckResult) -> String {
    let at = result
        .hop
        .map_or(String::new(), |hop| format!("hop {hop}: "));
    format!(
        "{at}--{} failed: expected {}, got {}",
        result.check, result.expected, result.actual
    )
}
