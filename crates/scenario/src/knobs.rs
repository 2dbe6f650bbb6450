//! The query knobs `hops serve` honours on any endpoint: `?delay=MS` answers late,
//! `?status=CODE` changes the status of an answer that would have been a success and
//! `?drip=BYTES_PER_SECOND` sends its body slowly. A knob with a value it does not take is
//! an error the client is told about, never silently ignored.

use std::fmt;
use std::time::Duration;

/// The longest `?delay=` honoured: a typo must not hold a connection for hours.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// The knobs of one request, from its path and query.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Knobs {
    pub delay: Option<Duration>,
    /// A final status, 200 to 599.
    pub status: Option<u16>,
    /// Bytes per second, at least 1.
    pub drip: Option<u64>,
}

/// A knob whose value it does not take; its text names the knob and what it accepts, for the
/// `400 Bad Request` the client gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidKnob(String);

impl fmt::Display for InvalidKnob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidKnob {}

impl Knobs {
    /// Reads `delay` (milliseconds, capped at [`MAX_DELAY`]), `status` (a final status, 200 to
    /// 599) and `drip` (bytes per second, 1 or more) from the query of `path_and_query`. The
    /// last of a repeated knob counts; any value that is not one the knob takes is an error.
    pub fn parse(path_and_query: &str) -> Result<Knobs, InvalidKnob> {
        let Some((_, query)) = path_and_query.split_once('?') else {
            return Ok(Knobs::default());
        };
        let mut knobs = Knobs::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let invalid =
                |takes: &str| InvalidKnob(format!("?{name}= takes {takes}, not {value:?}"));
            match &*name {
                "delay" => {
                    let ms =
                        number(&value).ok_or_else(|| invalid("a whole number of milliseconds"))?;
                    knobs.delay = Some(Duration::from_millis(ms).min(MAX_DELAY));
                }
                "drip" => {
                    let rate = number(&value)
                        .filter(|rate| *rate > 0)
                        .ok_or_else(|| invalid("a whole number of bytes per second, 1 or more"))?;
                    knobs.drip = Some(rate);
                }
                "status" => {
                    let code = number(&value)
                        .and_then(|code| u16::try_from(code).ok())
                        .filter(|code| (200..=599).contains(code))
                        .ok_or_else(|| invalid("a final status code 200-599"))?;
                    knobs.status = Some(code);
                }
                _ => {}
            }
        }
        Ok(knobs)
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

/// Digits only: `u64::from_str` would also take a leading `+`.
fn number(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    // Too many digits for a u64 is still a number, just a huge one.
    Some(value.parse().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_status_and_drip_from_the_query() {
        let cases: &[(&str, Knobs)] = &[
            ("/get", Knobs::default()),
            ("/get?other=abc&status_code=1", Knobs::default()),
            (
                "/get?delay=250",
                Knobs {
                    delay: Some(Duration::from_millis(250)),
                    status: None,
                    drip: None,
                },
            ),
            (
                "/anything?status=503&delay=999999999999999999999&drip=100",
                Knobs {
                    delay: Some(MAX_DELAY),
                    status: Some(503),
                    drip: Some(100),
                },
            ),
            (
                "/get?status=200&drip=1&status=599",
                Knobs {
                    delay: None,
                    status: Some(599),
                    drip: Some(1),
                },
            ),
        ];
        for (path, expected) in cases {
            assert_eq!(Knobs::parse(path), Ok(*expected), "{path}");
        }
        let knobs = Knobs::parse("/x?status=418").unwrap();
        assert_eq!(knobs.status_for(200), 418);
        assert_eq!(knobs.status_for(302), 302);
        assert_eq!(knobs.status_for(404), 404);
    }

    #[test]
    fn a_value_a_knob_does_not_take_is_an_error_that_says_what_it_takes() {
        let status = "takes a final status code 200-599";
        let drip = "takes a whole number of bytes per second, 1 or more";
        let delay = "takes a whole number of milliseconds";
        let cases = [
            (
                "/get?status=abc",
                format!(r#"?status= {status}, not "abc""#),
            ),
            (
                "/get?status=5O3",
                format!(r#"?status= {status}, not "5O3""#),
            ),
            (
                "/get?status=101",
                format!(r#"?status= {status}, not "101""#),
            ),
            (
                "/get?status=199",
                format!(r#"?status= {status}, not "199""#),
            ),
            (
                "/get?status=600",
                format!(r#"?status= {status}, not "600""#),
            ),
            ("/get?status=", format!(r#"?status= {status}, not """#)),
            (
                "/get?status=%2B200",
                format!(r#"?status= {status}, not "+200""#),
            ),
            ("/get?delay=abc", format!(r#"?delay= {delay}, not "abc""#)),
            ("/get?delay=-1", format!(r#"?delay= {delay}, not "-1""#)),
            ("/get?drip=abc", format!(r#"?drip= {drip}, not "abc""#)),
            ("/get?drip=0", format!(r#"?drip= {drip}, not "0""#)),
            ("/get?delay=10&drip", format!(r#"?drip= {drip}, not """#)),
        ];
        for (path, expected) in cases {
            assert_eq!(Knobs::parse(path), Err(InvalidKnob(expected)), "{path}");
        }
    }
}
