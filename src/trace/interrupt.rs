//! Ctrl-C and SIGTERM stop a run cleanly: instead of the process dying with its hops unseen, the
//! chain under way ends as interrupted, and the run shows it, writes its files and exits 130 or
//! 143.

use std::io;

use crate::model::Signal;

/// The signals a run listens for. Once listening, SIGINT and SIGTERM no longer end the process:
/// they are reported by [`Interrupts::next`], which the driver races against the chain.
pub struct Interrupts {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Interrupts {
    /// Starts listening. Must be called inside the runtime.
    pub fn listen() -> io::Result<Interrupts> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Interrupts {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Interrupts {})
        }
    }

    /// The next signal; one that came while nobody was waiting is reported at once.
    pub async fn next(&mut self) -> Signal {
        #[cfg(unix)]
        {
            tokio::select! {
                Some(()) = self.interrupt.recv() => Signal::Interrupt,
                Some(()) = self.terminate.recv() => Signal::Terminate,
                // Both streams closed: no signal will come any more.
                else => std::future::pending().await,
            }
        }
        #[cfg(not(unix))]
        {
            match tokio::signal::ctrl_c().await {
                Ok(()) => Signal::Interrupt,
                Err(_) => std::future::pending().await,
            }
        }
    }
}
