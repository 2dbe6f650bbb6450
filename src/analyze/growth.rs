//! URLs that grow: a chain that never repeats a request because every round makes the address
//! longer (a return-to parameter wrapped again, a relative `Location` that adds a path segment).
//! Found after the chain hit its limit, never used to stop one early: a growing chain may still
//! end in a page, as it would in a browser (docs/rules.md §6.3).

use url::Url;

/// How a chain's URL grows, and the hops that show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Growth {
    /// Three visits, oldest first, each longer than the one before.
    pub hops: Vec<usize>,
    pub kind: GrowthKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrowthKind {
    /// The query of the same page wraps itself once more (`r=/a?r=/b?r=...`); the parameter.
    Query { page: String, parameter: String },
    /// The path gains the same piece every `period` hops.
    Path { piece: String, period: usize },
}

/// The growth at the end of a chain, if its last visits show one. `visits` are the hop numbers
/// and URLs of the requests sent, in order.
pub fn find_growth(visits: &[(usize, &Url)]) -> Option<Growth> {
    let (&(last_hop, last), earlier) = visits.split_last()?;
    let urls: Vec<&Url> = earlier.iter().map(|(_, url)| *url).collect();
    if let Some(positions) = growing_query(&urls, last) {
        let mut hops: Vec<usize> = positions.iter().map(|&i| earlier[i].0).collect();
        hops.push(last_hop);
        let parameter = last
            .query()
            .and_then(|q| q.split(['=', '&']).next())
            .unwrap_or_default()
            .to_owned();
        return Some(Growth {
            hops,
            kind: GrowthKind::Query {
                page: last.path().to_owned(),
                parameter,
            },
        });
    }
    for period in 1..=4 {
        let n = visits.len();
        if n < 2 * period + 1 {
            break;
        }
        let (a, b, c) = (
            visits[n - 1 - 2 * period],
            visits[n - 1 - period],
            visits[n - 1],
        );
        let (Some(first), Some(second)) = (added_piece(a.1, b.1), added_piece(b.1, c.1)) else {
            continue;
        };
        if first == second {
            return Some(Growth {
                hops: vec![a.0, b.0, c.0],
                kind: GrowthKind::Path {
                    piece: first.to_owned(),
                    period,
                },
            });
        }
    }
    None
}

/// What `later`'s path adds to `earlier`'s, when it only adds (same origin, same query).
fn added_piece<'a>(earlier: &Url, later: &'a Url) -> Option<&'a str> {
    let piece = later.path().strip_prefix(earlier.path())?;
    (!piece.is_empty() && earlier.origin() == later.origin() && earlier.query() == later.query())
        .then_some(piece)
}

/// The earlier visits (positions in `visited`) to the same page whose query wrapped itself once
/// more each time, when `next` makes the third such visit. A query that only gains parameters
/// (`?a=1`, then `?a=1&b=2`) is not this: the nesting depth must grow too.
fn growing_query(visited: &[&Url], next: &Url) -> Option<Vec<usize>> {
    let next_origin = next.origin();
    let same_page: Vec<usize> = visited
        .iter()
        .enumerate()
        // The path first: it is a cheap comparison and usually settles it.
        .filter(|(_, url)| url.path() == next.path() && url.origin() == next_origin)
        .map(|(i, _)| i)
        .collect();
    if same_page.len() < 2 {
        return None;
    }
    let tail = &same_page[same_page.len() - 2..];
    let visits: Vec<&Url> = tail.iter().map(|&i| visited[i]).chain([next]).collect();
    let lengths: Vec<usize> = visits.iter().map(|url| query_len(url)).collect();
    let depths: Vec<usize> = visits.iter().map(|url| nesting_depth(url)).collect();
    let strictly_growing = |values: &[usize]| values.windows(2).all(|w| w[0] < w[1]);
    (strictly_growing(&lengths) && strictly_growing(&depths)).then(|| tail.to_vec())
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
    // Each round undoes one level of encoding; a handful covers the visits looked at.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(list: &[&str]) -> Vec<Url> {
        list.iter().map(|u| Url::parse(u).unwrap()).collect()
    }

    fn growth(list: &[&str]) -> Option<Growth> {
        let urls = urls(list);
        let visits: Vec<(usize, &Url)> = urls.iter().enumerate().map(|(i, u)| (i + 1, u)).collect();
        find_growth(&visits)
    }

    #[test]
    fn a_wrapped_return_to_parameter_grows() {
        let found = growth(&[
            "http://shop.test/login?next=%2F",
            "http://shop.test/account",
            "http://shop.test/login?next=%2Flogin%3Fnext%3D%252F",
            "http://shop.test/account",
            "http://shop.test/login?next=%2Flogin%3Fnext%3D%252Flogin%253Fnext%253D%25252F",
        ])
        .unwrap();
        assert_eq!(found.hops, [1, 3, 5]);
        assert_eq!(
            found.kind,
            GrowthKind::Query {
                page: "/login".into(),
                parameter: "next".into()
            }
        );
    }

    #[test]
    fn a_path_that_gains_the_same_piece_grows() {
        #[rustfmt::skip]
        let table: [(&[&str], &str, usize); 4] = [
            (&["http://s.test/en/", "http://s.test/en/en/", "http://s.test/en/en/en/"], "en/", 1),
            (&["http://s.test/a", "http://s.test/ax", "http://s.test/axx"], "x", 1),
            (&["http://s.test/index.php", "http://s.test/index.php/index.php",
               "http://s.test/index.php/index.php/index.php"], "/index.php", 1),
            (&["http://s.test/a", "http://s.test/b", "http://s.test/a/z", "http://s.test/b",
               "http://s.test/a/z/z"], "/z", 2),
        ];
        for (list, piece, period) in table {
            let found = growth(list).unwrap_or_else(|| panic!("{list:?}"));
            assert_eq!(
                found.kind,
                GrowthKind::Path {
                    piece: piece.into(),
                    period
                },
                "{list:?}"
            );
        }
    }

    #[test]
    fn distinct_or_merely_longer_urls_do_not_grow() {
        #[rustfmt::skip]
        let table: [&[&str]; 4] = [
            &["http://s.test/a", "http://s.test/a/b", "http://s.test/a/b/c"],
            &["http://s.test/step/1", "http://s.test/step/2", "http://s.test/step/3"],
            &["http://s.test/start", "http://s.test/start?lang=en", "http://s.test/start?lang=en&region=eu"],
            &["http://s.test/a", "http://other.test/ax", "http://s.test/axx"],
        ];
        for list in table {
            assert_eq!(growth(list), None, "{list:?}");
        }
        let depth = |u: &str| nesting_depth(&Url::parse(u).unwrap());
        assert_eq!(depth("http://s.test/?r=%2Fapp%3Fr%3D%252Flogin"), 2);
        assert_eq!(depth("http://s.test/?lang=en&region=eu"), 1);
        assert_eq!(depth("http://s.test/"), 0);
    }
}
