//! `?drip=BYTES_PER_SECOND`: a response body sent slowly, at that exact average pace, for
//! clients that must cope with a server that trickles.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full};
use hyper::Response;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::{Instant, Sleep};

/// The shortest pause between two pieces of a dripped body: fast rates come in pieces of a
/// tenth of a second's worth, not in a flood of tiny frames.
const STEP: Duration = Duration::from_millis(100);

/// The rate a response is to be dripped at, set by the knobs and read when it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DripRate(pub u64);

/// A body whose first `floor(rate × elapsed)` bytes are out at any time, handed out every
/// [`STEP`], or every `1 / rate` seconds when that is longer, so that a slow rate still sends
/// one byte at a time on time.
pub struct Drip {
    rest: Bytes,
    rate: u64,
    sent: u64,
    started: Instant,
    step: Duration,
    /// The number of the next tick, counted from `started`: ticks are at fixed times, so a late
    /// wake-up is made up for by a bigger piece rather than slowing the pace.
    tick: u32,
    next: Pin<Box<Sleep>>,
}

impl Drip {
    pub fn new(body: Bytes, bytes_per_second: u64) -> Drip {
        let rate = bytes_per_second.max(1);
        // Rounded up, so that each tick of a slow rate has at least one whole byte due.
        let per_byte = Duration::from_nanos(1_000_000_000u64.div_ceil(rate));
        let step = STEP.max(per_byte);
        let started = Instant::now();
        Drip {
            rest: body,
            rate,
            sent: 0,
            started,
            step,
            tick: 1,
            next: Box::pin(tokio::time::sleep_until(started + step)),
        }
    }

    /// How many bytes are due by now and not sent yet.
    fn due(&self) -> u64 {
        let elapsed = self.started.elapsed().as_nanos();
        let owed = u128::from(self.rate) * elapsed / 1_000_000_000;
        u64::try_from(owed)
            .unwrap_or(u64::MAX)
            .saturating_sub(self.sent)
    }
}

impl Body for Drip {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        loop {
            if self.rest.is_empty() {
                return Poll::Ready(None);
            }
            if self.next.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.tick = self.tick.saturating_add(1);
            let next = self.started + self.step * self.tick;
            self.next.as_mut().reset(next);
            let take = usize::try_from(self.due())
                .unwrap_or(usize::MAX)
                .min(self.rest.len());
            if take > 0 {
                let piece = self.rest.split_to(take);
                self.sent += take as u64;
                return Poll::Ready(Some(Ok(Frame::data(piece))));
            }
        }
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

    /// The pieces of `body` dripped at `rate`, each with when it came (on a paused clock).
    async fn dripped(body: &'static [u8], rate: u64) -> Vec<(String, Duration)> {
        let started = Instant::now();
        let mut body = Drip::new(Bytes::from_static(body), rate);
        let mut pieces = Vec::new();
        while let Some(frame) = body.frame().await {
            let data = frame.unwrap().into_data().unwrap();
            pieces.push((
                String::from_utf8_lossy(&data).into_owned(),
                started.elapsed(),
            ));
        }
        pieces
    }

    fn at(pieces: &[(&str, u64)]) -> Vec<(String, Duration)> {
        pieces
            .iter()
            .map(|(piece, ms)| ((*piece).to_owned(), Duration::from_millis(*ms)))
            .collect()
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_comes_a_tenth_of_its_rate_at_a_time() {
        let expected = at(&[("abcd", 100), ("efgh", 200), ("ij", 300)]);
        assert_eq!(dripped(b"abcdefghij", 40).await, expected);
    }

    /// Below 10 bytes a second a tick of a tenth of a second would owe less than a byte: each
    /// byte comes alone, when it is due.
    #[tokio::test(start_paused = true)]
    async fn slow_rates_send_a_byte_when_it_is_due() {
        let expected = at(&[("a", 1000), ("b", 2000), ("c", 3000)]);
        assert_eq!(dripped(b"abc", 1).await, expected);
        let expected = at(&[("a", 200), ("b", 400), ("c", 600), ("d", 800), ("e", 1000)]);
        assert_eq!(dripped(b"abcde", 5).await, expected);
    }

    /// 15 bytes a second is 1.5 a tick: the pieces alternate so that the pace stays exact.
    #[tokio::test(start_paused = true)]
    async fn a_rate_that_is_not_a_multiple_of_ten_keeps_its_pace() {
        let expected = at(&[
            ("a", 100),
            ("bc", 200),
            ("d", 300),
            ("ef", 400),
            ("g", 500),
            ("hi", 600),
        ]);
        assert_eq!(dripped(b"abcdefghi", 15).await, expected);
    }
}
