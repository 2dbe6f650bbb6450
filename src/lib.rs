//! hops: follow HTTP redirects by hand, one hop at a time, and record the whole chain.
//!
//! Data flows one way, every layer standing on [`model`]: argv → [`cli`] → [`config`] →
//! [`trace`] (driving [`redirect`]'s navigator, with [`hsts`], [`cookies`] and [`net`]) →
//! [`analyze`] → [`render`] → [`exit`] code. [`cmd`] holds the modes `main.rs` picks.

pub mod analyze;
pub mod check;
pub mod cli;
pub mod cli_help;
pub mod cli_serve;
pub mod cmd;
pub mod config;
pub mod cookies;
pub mod exit;
pub mod hsts;
pub mod model;
pub mod net;
pub mod redirect;
pub mod render;
pub mod trace;
