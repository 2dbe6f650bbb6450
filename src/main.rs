//! The `hops` binary: parse the command line, pick the mode, turn the result into an exit code.

use std::io::Write;

use hops::cli::{Cli, Command};
use hops::cmd;
use hops::exit::ExitCode;

fn main() {
    let cli = Cli::try_parse_ordered(std::env::args_os()).unwrap_or_else(|error| error.exit());
    let result = if let Some(dir) = &cli.generate {
        cmd::generate::write_all(dir).map(|()| ExitCode::Ok)
    } else if let Some(Command::Demo(args)) = &cli.command {
        demo(args)
    } else if let Some(Command::Serve(args)) = &cli.command {
        serve(args)
    } else if let Some(Command::Check(args)) = &cli.command {
        cmd::check::execute(args)
    } else {
        cmd::trace::execute(&cli)
    };
    let code = match result {
        Ok(code) => code,
        Err(error) => report(&error),
    };
    std::process::exit(code.code());
}

#[cfg(feature = "demo")]
fn demo(args: &hops::cli::DemoArgs) -> anyhow::Result<ExitCode> {
    cmd::demo::execute(args)
}

/// A lean build (`--no-default-features`) keeps the subcommand, so completions do not change.
#[cfg(not(feature = "demo"))]
fn demo(_: &hops::cli::DemoArgs) -> anyhow::Result<ExitCode> {
    let message = "this hops was built without the demo (feature `demo`)";
    Err(hops::config::UsageError(message.to_owned()).into())
}

#[cfg(feature = "demo")]
fn serve(args: &hops::cli_serve::ServeArgs) -> anyhow::Result<ExitCode> {
    cmd::serve::execute(args)
}

#[cfg(not(feature = "demo"))]
fn serve(_: &hops::cli_serve::ServeArgs) -> anyhow::Result<ExitCode> {
    let message = "this hops was built without the scenario server (feature `demo`)";
    Err(hops::config::UsageError(message.to_owned()).into())
}

fn report(error: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(error) {
        return ExitCode::Ok;
    }
    // Chains report their own failures; what reaches here is about the command line or the
    // files it names (URL, header, body file, output file, cookie jar, HAR file).
    let _ = writeln!(std::io::stderr(), "hops: error: {error:#}");
    ExitCode::Usage
}

/// `hops demo | head` closing the pipe early is not an error. (The trace mode does not get here:
/// it stops writing to a closed stdout and finishes its chains, which keep their exit codes.)
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
