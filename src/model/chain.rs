//! A traced chain: the first request as asked, every hop, how it ended and how long it took.

use std::time::Duration;

use url::Url;

use super::hop::Hop;
use super::outcome::Outcome;

/// The whole trace of one starting URL. The tracer fills it; analysis and renderers read it.
/// Secrets are stored as they were sent; what is shown is decided by [`super::Redactor`].
#[derive(Debug, Clone)]
pub struct Chain {
    pub request: RequestSummary,
    /// Boxed: a hop is large, and a chain of 100,000 hops must not move them all each time the
    /// vector grows.
    pub hops: Vec<Box<Hop>>,
    pub outcome: Outcome,
    pub time: Duration,
}

impl Chain {
    /// Redirects followed: responses that led to another request.
    /// HSTS upgrades are not counted: no server asked for them (curl does not count its own either).
    pub fn redirects(&self) -> usize {
        self.hops
            .iter()
            .filter(|hop| hop.next.is_some() && !hop.synthetic)
            .count()
    }

    /// The last response received, which is the final response when the outcome is final.
    pub fn last_response(&self) -> Option<&Hop> {
        self.hops.last().map(|hop| &**hop)
    }

    /// The final response: the last hop, when the chain ended on it.
    pub fn final_response(&self) -> Option<&Hop> {
        self.last_response().filter(|_| self.outcome.is_final())
    }
}

/// The first request as the user asked for it.
#[derive(Debug, Clone)]
pub struct RequestSummary {
    pub method: String,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body_bytes: Option<usize>,
}

/// Milliseconds with microsecond precision, the unit of every time in the machine outputs.
pub fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1_000_000.0).round() / 1000.0
}
