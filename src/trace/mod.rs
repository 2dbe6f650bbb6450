//! Tracing: the I/O side of following a chain. [`driver`] sends what the navigator asks for and
//! records each hop; `prefix` reads the start of a final HTML body, capped in size and time;
//! [`run`] holds what the chains of one run share (client, jar, HSTS store, `-o` sink).

pub mod driver;
mod prefix;
pub mod run;

pub use driver::{BodySink, drive};
pub use run::Run;
