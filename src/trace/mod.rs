//! Tracing: the I/O side of following a chain. [`driver`] sends what the navigator asks for and
//! records each hop; `body` reads the final body, decoded with `--compressed`; `prefix` reads the start of a final HTML body, capped in size and time;
//! [`run`] holds what the chains of one run share (client, jar, HSTS store, `-o` output);
//! [`interrupt`] turns SIGINT and SIGTERM into a clean stop.

mod body;
pub mod driver;
pub mod interrupt;
mod prefix;
pub mod run;

pub use driver::{BodyOutput, HopObserver, OutputTarget, drive};
pub use interrupt::Interrupts;
pub use run::Run;
