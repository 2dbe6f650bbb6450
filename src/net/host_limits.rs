//! Politeness towards each host during `hops check`: at most N requests in flight per host,
//! and at most R request starts per second per host.
//!
//! Hand-written: the rate-limiting crates (governor and kin) limit one key or allow bursts; a
//! checker must space the starts to one host evenly and cap the requests in flight to it at
//! the same time, which is a semaphore and a "next start" instant per host.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// The limits, shared by every request of a run.
#[derive(Debug)]
pub struct HostLimits {
    per_host: usize,
    /// The gap between two request starts to one host, from `--rate`.
    interval: Option<Duration>,
    hosts: Mutex<HashMap<String, Arc<HostSlot>>>,
}

#[derive(Debug)]
struct HostSlot {
    in_flight: Arc<Semaphore>,
    next_start: tokio::sync::Mutex<Instant>,
}

/// Held while a request to the host is in flight.
pub struct HostTurn {
    _permit: OwnedSemaphorePermit,
}

impl HostLimits {
    /// `per_host` requests in flight per host (at least 1), `rate` starts per second per host.
    pub fn new(per_host: usize, rate: Option<f64>) -> HostLimits {
        HostLimits {
            per_host: per_host.max(1),
            interval: rate
                .filter(|rate| rate.is_finite() && *rate > 0.0)
                .map(|rate| Duration::from_secs_f64(1.0 / rate)),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for the host's turn: a free slot, then the next start time the rate allows.
    pub async fn enter(&self, host: &str) -> HostTurn {
        let slot = {
            let mut hosts = self
                .hosts
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            Arc::clone(hosts.entry(host.to_owned()).or_insert_with(|| {
                Arc::new(HostSlot {
                    in_flight: Arc::new(Semaphore::new(self.per_host)),
                    next_start: tokio::sync::Mutex::new(Instant::now()),
                })
            }))
        };
        let permit = Arc::clone(&slot.in_flight)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        if let Some(interval) = self.interval {
            let mut next_start = slot.next_start.lock().await;
            let now = Instant::now();
            if *next_start > now {
                tokio::time::sleep_until(*next_start).await;
            }
            *next_start = (*next_start).max(now) + interval;
        }
        HostTurn { _permit: permit }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn starts_to_one_host_are_spaced_by_the_rate() {
        let limits = HostLimits::new(8, Some(4.0));
        let begin = Instant::now();
        let mut starts = Vec::new();
        for _ in 0..3 {
            let _turn = limits.enter("a.test").await;
            starts.push(begin.elapsed());
        }
        assert_eq!(
            starts,
            [
                Duration::ZERO,
                Duration::from_millis(250),
                Duration::from_millis(500)
            ]
        );
        // Another host has its own clock.
        let _turn = limits.enter("b.test").await;
        assert_eq!(begin.elapsed(), Duration::from_millis(500));
    }

    #[tokio::test]
    async fn a_host_has_at_most_per_host_requests_in_flight() {
        let limits = HostLimits::new(2, None);
        let first = limits.enter("a.test").await;
        let _second = limits.enter("a.test").await;
        let third = limits.enter("a.test");
        tokio::pin!(third);
        assert!(futures_util::poll!(&mut third).is_pending());
        let _other_host = limits.enter("b.test").await;
        drop(first);
        assert!(futures_util::poll!(&mut third).is_ready());
    }
}
