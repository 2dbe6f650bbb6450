//! `?drip=BYTES_PER_SECOND`: a response body sent slowly, a tenth of a second's worth at a
//! time, for clients that must cope with a server that trickles.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full};
use hyper::Response;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

/// The pace between two pieces of a dripped body.
const STEP: Duration = Duration::from_millis(100);

/// The rate a response is to be dripped at, set by the knobs and read when it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DripRate(pub u64);

/// A body that hands out `rate / 10` bytes (at least one) every tenth of a second.
pub struct Drip {
    rest: Bytes,
    piece: usize,
    next: Pin<Box<Sleep>>,
}

impl Drip {
    pub fn new(body: Bytes, bytes_per_second: u64) -> Drip {
        let piece = usize::try_from(bytes_per_second / 10)
            .unwrap_or(usize::MAX)
            .max(1);
        Drip {
            rest: body,
            piece,
            next: Box::pin(tokio::time::sleep(STEP)),
        }
    }
}

impl Body for Drip {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.rest.is_empty() {
            return Poll::Ready(None);
        }
        if self.next.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        let take = self.piece.min(self.rest.len());
        let piece = self.rest.split_to(take);
        self.next.as_mut().reset(Instant::now() + STEP);
        Poll::Ready(Some(Ok(Frame::data(piece))))
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.rest.len() as u64)
    }
}

/// The response as it goes out: its body whole, or dripped when the knobs asked for it.
pub async fn served(response: Response<Full<Bytes>>) -> Response<Either<Full<Bytes>, Drip>> {
    let Some(DripRate(rate)) = response.extensions().get::<DripRate>().copied() else {
        return response.map(Either::Left);
    };
    let (parts, body) = response.into_parts();
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(never) => match never {},
    };
    Response::from_parts(parts, Either::Right(Drip::new(bytes, rate)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_body_comes_a_tenth_of_its_rate_at_a_time() {
        let started = Instant::now();
        let mut body = Drip::new(Bytes::from_static(b"abcdefghij"), 40);
        let mut pieces = Vec::new();
        while let Some(frame) = body.frame().await {
            let data = frame.unwrap().into_data().unwrap();
            pieces.push((
                String::from_utf8_lossy(&data).into_owned(),
                started.elapsed(),
            ));
        }
        let expected: Vec<(String, Duration)> = ["abcd", "efgh", "ij"]
            .iter()
            .zip(1..)
            .map(|(piece, n)| ((*piece).to_owned(), STEP * n))
            .collect();
        assert_eq!(pieces, expected);
    }
}
