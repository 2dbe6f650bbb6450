//! Shell completions and the man page, generated from the clap definition.
//!
//! The generated files are committed under `completions/`; a test regenerates them and fails
//! when they are stale. Regenerate with `cargo run -- --generate completions`.

use std::path::Path;

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::{Generator, Shell};

use crate::cli::Cli;

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
        clap_complete::generate(shell, &mut Cli::command(), "hops", &mut bytes);
        files.push((name, bytes));
    }
    let mut man = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut man)
        .context("cannot render the man page")?;
    files.push(("hops.1".to_owned(), man));
    Ok(files)
}

pub fn write_all(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, bytes) in files()? {
        let path = dir.join(&name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
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
}
