//! Loop detection (docs/rules.md §6.2): what makes two requests the same, what makes two answers
//! the same, and the history that finds a request sent again and answered as before. Lookups are
//! hashed, so a hop costs the same at hop 100,000 as at hop 1.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use bytes::Bytes;
use reqwest::Method;
use url::{Position, Url};

/// What makes two requests the same for loop detection: method, URL without fragment, body
/// and the Cookie header that would be sent. The same URL with other cookies is not a loop.
///
/// Only its fingerprint is kept (see [`History`]), hashed from the request's own parts as
/// borrowed: nothing is copied for a key that lives one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey(u128);

impl RequestKey {
    pub fn new(method: &Method, url: &Url, body: Option<&Bytes>, cookie: Option<&str>) -> Self {
        RequestKey(fingerprint(&(
            method,
            without_fragment(url),
            body.map(|body| &body[..]),
            cookie,
        )))
    }
}

/// What makes two answers the same for loop detection: the status, where the answer leads (the
/// resolved target without its fragment), and the cookies it set, in order. Kept as its
/// fingerprint, as a [`RequestKey`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerKey(u128);

impl AnswerKey {
    pub fn new<'a, I>(status: u16, next: Option<&Url>, set_cookies: I) -> Self
    where
        I: IntoIterator<Item = &'a str>,
        I::IntoIter: Clone,
    {
        let set_cookies = set_cookies.into_iter();
        AnswerKey(fingerprint_with(|hasher| {
            (status, next.map(without_fragment)).hash(hasher);
            // Each cookie, then how many: a `str` hashes with an end marker, so two different
            // lists never feed the same bytes, and none has to be collected first.
            let mut count = 0_usize;
            for cookie in set_cookies.clone() {
                cookie.hash(hasher);
                count += 1;
            }
            count.hash(hasher);
        }))
    }
}

/// `url` as the loop check compares it: its serialization up to the fragment, which is what
/// the URL would serialize as with the fragment removed.
fn without_fragment(url: &Url) -> &str {
    &url[..Position::AfterQuery]
}

/// The requests of a chain and the answers they got. A request sent again is not yet a loop: the
/// server may answer it differently (a page that redirects to `#top` once, then serves itself).
/// It is a loop when the same request gets the same answer, since from there the chain can only
/// go round again.
///
/// Requests and answers are kept as 128-bit fingerprints, not whole: a chain of 100,000 hops
/// would otherwise hold every URL twice more. Two different requests share a fingerprint with a
/// probability of about n² / 2¹²⁹, far below anything a chain can reach.
#[derive(Debug, Default)]
pub struct History {
    /// For each request sent, the first hop that sent it and the answer it got.
    answers: HashMap<u128, (usize, u128)>,
    /// The later hops that sent a request again and got another answer (rare: a separate map
    /// keeps the common case to one entry a request).
    other_answers: HashMap<u128, Vec<(usize, u128)>>,
    /// The request in flight: its hop and fingerprint.
    pending: Option<(usize, u128)>,
}

impl History {
    /// Notes the request about to be sent as hop `hop`.
    pub fn sent(&mut self, hop: usize, key: RequestKey) {
        self.pending = Some((hop, key.0));
    }

    /// Notes the answer to the request in flight. Returns the earlier hop that sent the same
    /// request and got the same answer, if there is one: the loop.
    pub fn answered(&mut self, answer: AnswerKey) -> Option<usize> {
        let (hop, key) = self.pending.take()?;
        let answer = answer.0;
        let Some(&(first_hop, first_answer)) = self.answers.get(&key) else {
            self.answers.insert(key, (hop, answer));
            return None;
        };
        if first_answer == answer {
            return Some(first_hop);
        }
        let others = self.other_answers.entry(key).or_default();
        if let Some((repeated, _)) = others.iter().find(|(_, seen)| *seen == answer) {
            return Some(*repeated);
        }
        others.push((hop, answer));
        None
    }
}

/// Two independent 64-bit SipHashes of `value`, as one number.
fn fingerprint(value: &impl Hash) -> u128 {
    fingerprint_with(|hasher| value.hash(hasher))
}

/// Two independent 64-bit SipHashes of what `feed` hashes, as one number.
fn fingerprint_with(feed: impl Fn(&mut DefaultHasher)) -> u128 {
    let half = |seed: u8| {
        let mut hasher = DefaultHasher::new();
        seed.hash(&mut hasher);
        feed(&mut hasher);
        hasher.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn loop_keys() {
        let body = Bytes::from_static(b"x");
        let key = |method: &Method, u: &str, body: Option<&Bytes>, cookie| {
            RequestKey::new(method, &url(u), body, cookie)
        };
        let a = key(&Method::GET, "http://shop.test/a#one", None, None);
        assert_eq!(a, key(&Method::GET, "http://shop.test/a#two", None, None));
        assert_ne!(
            a,
            key(&Method::GET, "http://shop.test/a", None, Some("c=1"))
        );
        assert_ne!(
            a,
            key(&Method::POST, "http://shop.test/a", Some(&body), None)
        );
        assert_ne!(a, key(&Method::GET, "http://shop.test/b", None, None));
    }

    #[test]
    fn a_loop_is_the_same_request_answered_the_same() {
        let a = RequestKey::new(&Method::GET, &url("http://shop.test/a"), None, None);
        let b = RequestKey::new(&Method::GET, &url("http://shop.test/b"), None, None);
        let to = |u: &str| AnswerKey::new(302, Some(&url(u)), []);
        let mut history = History::default();
        history.sent(1, a.clone());
        assert_eq!(history.answered(to("http://shop.test/a#top")), None);
        // The same request again, answered differently: not a loop.
        history.sent(2, a.clone());
        assert_eq!(history.answered(AnswerKey::new(200, None, [])), None);
        history.sent(3, a.clone());
        // The same answer as hop 1 (the fragment does not count): a loop.
        assert_eq!(history.answered(to("http://shop.test/a")), Some(1));
        history.sent(4, b.clone());
        assert_eq!(history.answered(to("http://shop.test/a")), None);
        // New cookies make a new answer.
        history.sent(5, b);
        let with_cookie = AnswerKey::new(302, Some(&url("http://shop.test/a")), ["s=1"]);
        assert_eq!(history.answered(with_cookie), None);
    }
}
