//! hops: follow HTTP redirects by hand, one hop at a time, and record the whole chain.
//!
//! Data flows one way: argv → [`cli`] → [`config`] → [`chain`] (using [`policy`], [`cookies`],
//! [`client`]) → [`record`] → [`render`] → [`exit`] code.

pub mod app;
pub mod chain;
pub mod checks;
pub mod cli;
pub mod client;
pub mod config;
pub mod cookies;
pub mod demo;
pub mod diagnose;
pub mod exit;
pub mod generate;
pub mod hsts;
pub mod policy;
pub mod record;
pub mod refresh;
pub mod render;
pub mod tls;
