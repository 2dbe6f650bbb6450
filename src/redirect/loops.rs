//! Loop detection: what makes two requests the same, and a URL that grows on every visit
//! (docs/rules.md §6.2 and §6.3).

use bytes::Bytes;
use reqwest::Method;
use url::Url;

/// What makes two requests the same for loop detection: method, URL without fragment, body
/// and the Cookie header that would be sent. The same URL with other cookies is not a loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey {
    pub method: Method,
    pub url: String,
    pub body: Option<Bytes>,
    pub cookie: Option<String>,
}

impl RequestKey {
    pub fn new(method: &Method, url: &Url, body: Option<&Bytes>, cookie: Option<&str>) -> Self {
        let mut url = url.clone();
        url.set_fragment(None);
        RequestKey {
            method: method.clone(),
            url: url.into(),
            body: body.cloned(),
            cookie: cookie.map(str::to_owned),
        }
    }
}

/// The index (0-based) of an earlier request that `next` repeats exactly, if any.
pub fn find_repeat(earlier: &[RequestKey], next: &RequestKey) -> Option<usize> {
    earlier.iter().position(|key| key == next)
}

/// The earlier visits to the same page whose query wrapped itself once more each time, when
/// `next` would make the third such visit: a loop that never repeats exactly (a return-to
/// parameter wrapped again and again). A query that only gains parameters (`?a=1`, then
/// `?a=1&b=2`) is not this: the nesting depth must grow too. Also a path that keeps repeating a
/// segment (`/a/`, `/a/a/`, ...). Returns the 1-based hop numbers of the earlier visits.
pub fn growing_url(visited: &[Url], next: &Url) -> Option<Vec<usize>> {
    let next_origin = next.origin();
    let same_page: Vec<usize> = visited
        .iter()
        .enumerate()
        // The path first: it is a cheap comparison and usually settles it.
        .filter(|(_, url)| url.path() == next.path() && url.origin() == next_origin)
        .map(|(i, _)| i)
        .collect();
    if same_page.len() >= 2 {
        let tail = &same_page[same_page.len() - 2..];
        let visits: Vec<&Url> = tail.iter().map(|&i| &visited[i]).chain([next]).collect();
        let lengths: Vec<usize> = visits.iter().map(|url| query_len(url)).collect();
        let depths: Vec<usize> = visits.iter().map(|url| nesting_depth(url)).collect();
        let strictly_growing = |values: &[usize]| values.windows(2).all(|w| w[0] < w[1]);
        if strictly_growing(&lengths) && strictly_growing(&depths) {
            return Some(tail.iter().map(|i| i + 1).collect());
        }
    }
    // A path that keeps getting longer, each one extending the one before (/a/ → /a/a/ → ...).
    let recent: Vec<&Url> = visited
        .iter()
        .rev()
        .take(3)
        .rev()
        .chain(std::iter::once(next))
        .collect();
    let extends = |a: &&Url, b: &&Url| {
        a.origin() == b.origin()
            && b.path().len() > a.path().len()
            && b.path().starts_with(a.path().trim_end_matches('/'))
    };
    if recent.len() == 4
        && recent.windows(2).all(|w| extends(&w[0], &w[1]))
        && has_repeated_segment(next.path())
    {
        return Some(((visited.len() - 2)..=visited.len()).collect());
    }
    None
}

fn query_len(url: &Url) -> usize {
    url.query().map_or(0, str::len)
}

/// How many times the query's first parameter name appears once every level of percent-encoding
/// is undone: `r=%2Fapp%3Fr%3D%252Flogin` reads `r=/app?r=/login`, depth 2.
fn nesting_depth(url: &Url) -> usize {
    let Some(query) = url.query() else {
        return 0;
    };
    let Some(name) = query.split(['=', '&']).next().filter(|n| !n.is_empty()) else {
        return 0;
    };
    let mut decoded = query.to_owned();
    // Each round undoes one level of encoding; a handful covers any loop caught on its third visit.
    for _ in 0..8 {
        let once = percent_encoding::percent_decode_str(&decoded)
            .decode_utf8_lossy()
            .into_owned();
        if once == decoded {
            break;
        }
        decoded = once;
    }
    decoded.matches(&format!("{name}=")).count()
}

fn has_repeated_segment(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    segments.windows(2).any(|w| w[0] == w[1])
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
        let a = RequestKey::new(&Method::GET, &url("http://shop.test/a#one"), None, None);
        let a_other_fragment =
            RequestKey::new(&Method::GET, &url("http://shop.test/a#two"), None, None);
        let a_cookie = RequestKey::new(&Method::GET, &url("http://shop.test/a"), None, Some("c=1"));
        let a_post = RequestKey::new(&Method::POST, &url("http://shop.test/a"), Some(&body), None);
        let b = RequestKey::new(&Method::GET, &url("http://shop.test/b"), None, None);
        let earlier = [a.clone(), b.clone()];
        assert_eq!(find_repeat(&earlier, &a_other_fragment), Some(0));
        assert_eq!(find_repeat(&earlier, &b), Some(1));
        assert_eq!(find_repeat(&earlier, &a_cookie), None);
        assert_eq!(find_repeat(&earlier, &a_post), None);
    }

    #[test]
    fn growing_query_detected_on_third_visit() {
        let visited = [
            url("http://shop.test/login?next=%2F"),
            url("http://shop.test/account"),
            url("http://shop.test/login?next=%2Flogin%3Fnext%3D%252F"),
            url("http://shop.test/account"),
        ];
        let next =
            url("http://shop.test/login?next=%2Flogin%3Fnext%3D%252Flogin%253Fnext%253D%25252F");
        assert_eq!(growing_url(&visited, &next), Some(vec![1, 3]));
        assert_eq!(growing_url(&visited[..2], &visited[2]), None);
        assert_eq!(
            growing_url(&visited, &url("http://shop.test/login?next=%2F")),
            None
        );
    }

    #[test]
    fn a_query_that_only_gains_parameters_is_not_growing() {
        let visited = [
            url("http://s.test/start"),
            url("http://s.test/start?lang=en"),
        ];
        assert_eq!(
            growing_url(&visited, &url("http://s.test/start?lang=en&region=eu")),
            None
        );
        assert_eq!(
            nesting_depth(&url("http://s.test/?r=%2Fapp%3Fr%3D%252Flogin")),
            2
        );
        assert_eq!(nesting_depth(&url("http://s.test/?lang=en&region=eu")), 1);
        assert_eq!(nesting_depth(&url("http://s.test/")), 0);
    }

    #[test]
    fn growing_path_detected() {
        let visited = [
            url("http://s.test/a/"),
            url("http://s.test/a/a/"),
            url("http://s.test/a/a/a/"),
        ];
        assert!(growing_url(&visited, &url("http://s.test/a/a/a/a/")).is_some());
        let distinct = [
            url("http://s.test/a"),
            url("http://s.test/a/b"),
            url("http://s.test/a/b/c"),
        ];
        assert_eq!(growing_url(&distinct, &url("http://s.test/a/b/c/d")), None);
    }
}
