//! The program's modes, one per file, picked by `main.rs`: trace the URLs on the command line,
//! check a redirect map, play the built-in demo, serve the scenarios as a playground, or write the generated completions and man page.

pub mod check;
pub mod demo;
pub mod generate;
pub mod serve;
pub mod trace;

use anyhow::Context;

/// The async runtime every mode runs on: one thread is enough, the work is waiting on sockets.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}
