//! The program's modes, one per file, picked by `main.rs`: trace the URLs on the command line,
//! check a redirect map, play the built-in demo, serve the scenarios as a playground, or write the generated completions and man page.

pub mod check;
pub mod demo;
pub mod generate;
pub mod serve;
pub mod trace;
