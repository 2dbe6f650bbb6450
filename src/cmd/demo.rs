//! `hops demo`: the built-in scenarios of `fixtures/scenarios.json`, each served by an in-process
//! loopback server and traced exactly as `hops ARGS` would trace it. No network is needed: the
//! server answers on an http and an https port, and scenarios that use https run with `--cacert`
//! pointing at the test CA the server made at start. The `$ hops` line shows the scenario's own
//! arguments; the `--resolve` and `--cacert` added for the loopback server are left out.
//!
//! Built with the `demo` feature (on by default), which brings in the scenario server crate.
#![cfg(feature = "demo")]

use std::io::Write;

use anyhow::{Context, Result};
use colored::Colorize;
use hops_scenario::{Scenario, ScenarioServer};

use crate::cli::{Cli, DemoArgs};
use crate::config::{Config, color_enabled};
use crate::exit::ExitCode;
use crate::trace::Run;

pub fn execute(args: &DemoArgs) -> Result<ExitCode> {
    let color = color_enabled(args.color);
    colored::control::set_override(color);
    let scenarios: Vec<Scenario> = hops_scenario::builtin()
        .into_iter()
        .filter(|s| args.filter.as_deref().is_none_or(|f| s.name.contains(f)))
        .collect();
    if scenarios.is_empty() {
        let filter = args.filter.as_deref().unwrap_or_default();
        return Err(crate::config::UsageError(format!(
            "no demo scenario matches {filter:?} (`hops demo --list` names them)"
        ))
        .into());
    }
    let mut out = std::io::stdout().lock();
    if args.list {
        for scenario in &scenarios {
            writeln!(out, "{:<20} {}", scenario.name, scenario.title)?;
        }
        return Ok(ExitCode::Ok);
    }
    let runtime = super::runtime()?;
    let total = scenarios.len();
    runtime.block_on(async {
        for (number, scenario) in scenarios.iter().enumerate() {
            show_scenario(scenario, number + 1, total, args, &mut out).await?;
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::Ok)
}

async fn show_scenario(
    scenario: &Scenario,
    number: usize,
    total: usize,
    args: &DemoArgs,
    out: &mut dyn Write,
) -> Result<()> {
    let server = ScenarioServer::start(scenario.routes.clone())
        .await
        .context("cannot start the demo server on 127.0.0.1")?;
    let placeholders = server.placeholders();
    let shown: Vec<String> = scenario
        .args
        .iter()
        .map(|arg| shell_quote(&placeholders.expand(arg)))
        .collect();
    writeln!(
        out,
        "{}",
        format!("━━ {number}/{total} {} ━━", scenario.title).bold()
    )?;
    writeln!(out, "{}", scenario.explain.dimmed())?;
    writeln!(out, "{} {}", "$ hops".bold(), shown.join(" "))?;
    writeln!(out)?;

    let mut argv = vec!["hops".to_owned()];
    argv.extend(scenario.command_args(&placeholders));
    if args.verbose {
        argv.push("--verbose".to_owned());
    }
    let cli = Cli::try_parse_ordered(&argv)
        .with_context(|| format!("scenario {}: bad arguments", scenario.name))?;
    let config = Config::from_cli(&cli)?;
    let options = super::trace::show_options(&config);
    let mut errors = Vec::new();
    let (_, code) = super::trace::trace_and_show(
        &mut Run::open(&config).await?,
        &config,
        config.start.clone(),
        std::future::pending(),
        &options,
        out,
        &mut errors,
    )
    .await?;
    for line in String::from_utf8_lossy(&errors).lines() {
        writeln!(out, "{}", line.red())?;
    }
    writeln!(out, "{}", format!("(exit code {})", code.code()).dimmed())?;
    writeln!(out)?;
    Ok(())
}

/// Quotes an argument for display the way a POSIX shell would need it.
pub(super) fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}
