//! The end-to-end tests: the real `hops` binary against real loopback servers (the scenario
//! server of `crates/scenario`, and raw TCP servers for broken responses), one module per area.
//! One test binary instead of one per area: linked once, and run in one process.

mod support;

mod architecture;
mod check;
mod check_kinds;
mod ci_checks;
mod cli;
mod client_cert;
mod compression_bombs;
mod cookies;
mod credentials;
mod curl_habits;
mod diagnosis;
mod hsts;
mod json_output;
mod methods;
mod nothing_lost;
mod output_safety;
mod proxy;
mod redirects;
mod robustness;
mod scenarios;
mod serve;
mod socks;
mod tls;
