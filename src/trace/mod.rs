//! Tracing: the I/O side of following a chain. [`driver`] sends what the navigator asks for and
//! records each hop; [`run`] holds what the chains of one run share (client, jar, HSTS store,
//! `-o` output).

pub mod driver;
pub mod interrupt;
pub mod run;

pub use driver::{BodyOutput, HopObserver, drive};
pub use interrupt::Interrupts;
pub use run::Run;
