//! Sending one request, and sending it once more when the reused keep-alive connection it went
//! out on turns out to be closed: a server may close an idle connection just as the next
//! request is written, and browsers and curl then send the request again on a new connection.
//!
//! Only then: the connection came from the pool (no new one was opened for the request) and it
//! closed or reset before any answer (`error_wording::closed_before_answer`). A new connection
//! that fails, a refused one, or a response that breaks off after its head are errors as they
//! are. Any method is sent again, as Chromium does for a reused connection: the server closed
//! it without answering, which is what an idle timeout looks like, and the body can be replayed
//! (hops keeps it as bytes). One retry, never more.

use std::time::Instant;

use reqwest::{Request, Response};

use super::client::HopClient;
use super::error_wording::{cause, closed_before_answer};
use super::host_port;

/// A response, and whether it took a second attempt.
pub struct Sent {
    pub response: Response,
    /// The first attempt's error, in words, when the request was sent again.
    pub retried: Option<String>,
    /// When the attempt that got the response was sent: after any wait for a turn at its host
    /// (`hops check --per-host`) and after a failed first attempt, so neither counts as the
    /// server's time.
    pub sent_at: Instant,
}

impl HopClient {
    /// Sends `request`, once more on a new connection when its reused connection was found
    /// closed before any answer came.
    pub async fn send(&self, request: Request) -> Result<Sent, reqwest::Error> {
        // A body of bytes clones; a streamed one would not (hops never streams one).
        let again = request.try_clone();
        let _turn = match &self.host_limits {
            Some(limits) => Some(limits.enter(&host_port(request.url())).await),
            None => None,
        };
        let opened_before = self.log.opened();
        let sent_at = Instant::now();
        let error = match self.http.execute(request).await {
            Ok(response) => {
                return Ok(Sent {
                    response,
                    retried: None,
                    sent_at,
                });
            }
            Err(error) => error,
        };
        let reused = self.log.opened() == opened_before;
        match again {
            Some(again) if reused && closed_before_answer(&error) => {
                let sent_at = Instant::now();
                let response = self.http.execute(again).await?;
                Ok(Sent {
                    response,
                    retried: Some(cause(&error)),
                    sent_at,
                })
            }
            _ => Err(error),
        }
    }
}
