//! Shell completions and the man page, generated from the clap definition and the lists that
//! `--help` shows (exit codes, environment, examples), so the three cannot drift apart.
//!
//! The generated files are committed under `completions/`; a test regenerates them and fails
//! when they are stale. Regenerate with `cargo run -- --generate completions`.

use std::path::Path;

use anyhow::{Context, Result};
use clap::ArgAction;
use clap_complete::{Generator, Shell};
use roff::{Roff, bold, roman};

use crate::cli::{self, ENVIRONMENT, EXAMPLES};
use crate::exit::ExitCode;

const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::PowerShell,
    Shell::Elvish,
];

/// Every generated file: its name under the output directory and its contents.
pub fn files() -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for shell in SHELLS {
        let name = shell.file_name("hops");
        let mut bytes = Vec::new();
        clap_complete::generate(shell, &mut cli::command(), "hops", &mut bytes);
        files.push((name, bytes));
    }
    files.push(("hops.1".to_owned(), man_page()?));
    files.push(("hops-check.1".to_owned(), check_man_page()?));
    Ok(files)
}

/// The man page: clap's title, name, synopsis, description and options, then the sections clap
/// cannot know (the demo and serve commands, exit status, environment, examples). clap's own subcommand
/// section would point at `hops-demo(1)` and `hops-help(1)` pages that do not exist.
fn man_page() -> Result<Vec<u8>> {
    let man = clap_mangen::Man::new(cli::command().disable_help_subcommand(true));
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]).control("TP", []);
    roff.text([bold("hops demo"), roman(synopsis("demo")?)]);
    roff.text([roman(
        "Trace a tour of redirect scenarios on an embedded loopback server (no network \
         needed); FILTER runs only the scenarios whose name contains it.",
    )]);
    roff.control("TP", []);
    roff.text([bold("hops serve"), roman(synopsis("serve")?)]);
    roff.text([roman(
        "Serve the scenarios as a redirect playground for any client, on an http and an \
         https port (loopback unless --bind says otherwise): /scenario/NAME redirects to where \
         scenario NAME starts, / lists them, and every request is logged on stdout. Ctrl-C \
         exits 130, SIGTERM 143.",
    )]);
    roff.control("TP", []);
    roff.text([bold("hops check"), roman(" [OPTIONS] [FILE]...")]);
    roff.text([
        roman(
            "Check a whole redirect map (CSV, TSV, URL list, Cloudflare, Netlify, Vercel or \
         sitemap), rows in parallel, in constant memory: see ",
        ),
        bold("hops-check"),
        roman("(1)."),
    ]);
    roff.control("SH", ["EXIT STATUS"]);
    for code in ExitCode::ALL {
        roff.control("TP", []).text([bold(code.code().to_string())]);
        roff.text([roman(code.meaning())]);
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, what) in ENVIRONMENT {
        roff.control("TP", [])
            .text([bold(name)])
            .text([roman(what)]);
    }
    roff.control("SH", ["EXAMPLES"]);
    for (command, what) in EXAMPLES {
        roff.control("TP", [])
            .text([bold(command)])
            .text([roman(what)]);
    }
    roff.to_writer(&mut page)?;
    man.render_version_section(&mut page)?;
    Ok(page)
}

/// A subcommand's arguments as the man page lists them after its name (` [FILTER] [--list]
/// [--color WHEN]`), read from its clap definition so that an option added there cannot be left
/// out here.
fn synopsis(name: &str) -> Result<String> {
    let command = cli::command();
    let subcommand = command
        .find_subcommand(name)
        .with_context(|| format!("the {name} command is defined"))?;
    let mut synopsis = String::new();
    for arg in subcommand.get_arguments() {
        if arg.is_hide_set()
            || matches!(
                arg.get_action(),
                ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version
            )
        {
            continue;
        }
        let value = arg
            .get_value_names()
            .and_then(|names| names.first())
            .map_or_else(
                || arg.get_id().as_str().to_uppercase(),
                |name| name.to_string(),
            );
        let word = match (arg.get_long(), arg.get_short()) {
            _ if arg.is_positional() => value,
            (Some(long), _) if arg.get_action().takes_values() => format!("--{long} {value}"),
            (Some(long), _) => format!("--{long}"),
            (None, Some(short)) if arg.get_action().takes_values() => format!("-{short} {value}"),
            (None, Some(short)) => format!("-{short}"),
            (None, None) => value,
        };
        let repeated = matches!(arg.get_action(), ArgAction::Append);
        synopsis.push_str(&format!(" [{word}]{}", if repeated { "..." } else { "" }));
    }
    Ok(synopsis)
}

/// The man page of `hops check`: its synopsis, description, options and exit status.
fn check_man_page() -> Result<Vec<u8>> {
    let check = cli::command()
        .find_subcommand("check")
        .context("the check command is defined")?
        .clone()
        .name("hops-check");
    let man = clap_mangen::Man::new(check);
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    let mut roff = Roff::new();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in [
        ("0", "every row passed"),
        ("1", "a row failed (or, with --lint, the map has a finding)"),
        (
            "2",
            "usage or input error: a bad flag, an unreadable file, a malformed row",
        ),
        ("130", "interrupted by Ctrl-C (SIGINT)"),
        ("143", "stopped by SIGTERM"),
    ] {
        roff.control("TP", []).text([bold(code)]);
        roff.text([roman(meaning)]);
    }
    roff.control("SH", ["SEE ALSO"])
        .text([bold("hops"), roman("(1)")]);
    roff.to_writer(&mut page)?;
    Ok(page)
}

/// Writes every generated file into `dir` (created if need be) and says what it wrote.
pub fn write_all(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, bytes) in files()? {
        let path = dir.join(&name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_completions_and_man_page_are_current() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
        for (name, expected) in files().unwrap() {
            let committed = std::fs::read(dir.join(&name)).unwrap_or_default();
            assert!(
                committed == expected,
                "completions/{name} is stale: run `cargo run -- --generate completions` and commit it"
            );
        }
    }

    #[test]
    fn the_man_page_has_its_sections_and_no_missing_pages() {
        let page = String::from_utf8(man_page().unwrap()).unwrap();
        for section in [
            "OPTIONS",
            "COMMANDS",
            "\"EXIT STATUS\"",
            "ENVIRONMENT",
            "EXAMPLES",
        ] {
            assert!(page.contains(&format!("\n.SH {section}\n")), "{section}");
        }
        for code in ExitCode::ALL {
            assert!(
                page.contains(&code.meaning().replace('-', "\\-")),
                "{code:?}"
            );
        }
        assert!(!page.contains("hops\\-demo(1)") && !page.contains("hops\\-help(1)"));
        assert!(!page.contains(".SH EXTRA"));
        assert!(page.contains("\\fBhops\\-check\\fR(1)"));
        let check = String::from_utf8(check_man_page().unwrap()).unwrap();
        for option in [
            "\\-\\-lint",
            "\\-\\-per\\-host",
            "\\-\\-shard",
            "\\-\\-junit",
        ] {
            assert!(check.contains(option), "{option}");
        }
        assert!(check.contains("\n.SH \"EXIT STATUS\"\n"));
    }
}
