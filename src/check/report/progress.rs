//! The progress bar of `hops check` on stderr, when stderr is a terminal: rows done of the
//! rows to check, rows per second, the time left and the failures so far.

use std::fmt;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// A bar, or nothing when stderr is not a terminal (CI logs get the report, not redraws).
pub struct Progress {
    bar: Option<ProgressBar>,
    failed: u64,
}

impl Progress {
    /// A bar over `total` rows, shown only when stderr is a terminal.
    pub fn new(total: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{bar:30} {pos}/{len} rows  {rate} rows/s  {eta} left  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key("rate", |state: &ProgressState, out: &mut dyn fmt::Write| {
                let _ = write!(out, "{:.0}", state.per_sec());
            });
            bar.set_style(style.progress_chars("=> "));
            bar.set_message("0 failed");
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress { bar, failed: 0 }
    }

    /// One more row done.
    pub fn row_done(&mut self, ok: bool) {
        if let Some(bar) = &self.bar {
            if !ok {
                self.failed += 1;
                bar.set_message(format!("{} failed", self.failed));
            }
            bar.inc(1);
        }
    }

    /// Runs `write` with the bar out of the way, so a report line on the same terminal is not
    /// drawn over.
    pub fn suspend<R>(&self, write: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    /// Removes the bar before the summary is written.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
