//! The query knobs `hops serve` honours on any endpoint: `?delay=MS` answers late,
//! `?status=CODE` changes the status of an answer that would have been a success and
//! `?drip=BYTES_PER_SECOND` sends its body slowly.

use std::time::Duration;

/// The longest `?delay=` honoured: a typo must not hold a connection for hours.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// The knobs of one request, from its path and query.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Knobs {
    pub delay: Option<Duration>,
    pub status: Option<u16>,
    /// Bytes per second, at least 1.
    pub drip: Option<u64>,
}

impl Knobs {
    /// Reads `delay` (milliseconds, capped at [`MAX_DELAY`]) and `status` (100 to 599) from the
    /// query of `path_and_query`; values that are not numbers in range are ignored.
    pub fn parse(path_and_query: &str) -> Knobs {
        let Some((_, query)) = path_and_query.split_once('?') else {
            return Knobs::default();
        };
        let mut knobs = Knobs::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            match &*name {
                "delay" => {
                    if let Ok(ms) = value.parse::<u64>() {
                        knobs.delay = Some(Duration::from_millis(ms).min(MAX_DELAY));
                    }
                }
                "drip" => {
                    if let Ok(rate) = value.parse::<u64>() {
                        knobs.drip = (rate > 0).then_some(rate);
                    }
                }
                "status" => {
                    if let Ok(code) = value.parse::<u16>() {
                        knobs.status = (100..=599).contains(&code).then_some(code);
                    }
                }
                _ => {}
            }
        }
        knobs
    }

    /// The status to answer with: `status` when the answer would have been a success (a
    /// redirect or an error keeps its own: changing it would break what the endpoint is for).
    pub fn status_for(&self, answered: u16) -> u16 {
        match self.status {
            Some(code) if (200..300).contains(&answered) => code,
            _ => answered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_and_status_from_the_query() {
        let cases: &[(&str, Knobs)] = &[
            ("/get", Knobs::default()),
            (
                "/get?delay=250",
                Knobs {
                    delay: Some(Duration::from_millis(250)),
                    status: None,
                    drip: None,
                },
            ),
            (
                "/anything?status=503&delay=999999999&drip=100",
                Knobs {
                    delay: Some(MAX_DELAY),
                    status: Some(503),
                    drip: Some(100),
                },
            ),
            ("/get?drip=0", Knobs::default()),
            ("/get?delay=soon&status=42", Knobs::default()),
            ("/get?status=600", Knobs::default()),
        ];
        for (path, expected) in cases {
            assert_eq!(Knobs::parse(path), *expected, "{path}");
        }
        let knobs = Knobs::parse("/x?status=418");
        assert_eq!(knobs.status_for(200), 418);
        assert_eq!(knobs.status_for(302), 302);
        assert_eq!(knobs.status_for(404), 404);
    }
}
