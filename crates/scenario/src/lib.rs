//! The loopback scenario server of `hops` and its test CA, shared by `hops demo`, the integration
//! tests and the speed benchmark.
//!
//! A server listens on two loopback ports (or where [`ServeOptions`] says): plain http, and https
//! with a leaf certificate signed by a test CA made when the server starts. Both serve the same
//! routes and record into the same log, each request tagged with the scheme of the listener that got it. Scenario hosts reach
//! both through one `--resolve HOST:PORT:127.0.0.1` each, since hops ignores the port there.
//!
//! Everything public is re-exported here; the modules are private except `httpbin` and `knobs`.
//!
//! | module | owns |
//! |---|---|
//! | `scenario` | the fixture model ([`Scenario`], [`Route`]) and how a route answers |
//! | `placeholders` | `{shop}`, `{shop_tls}`, `{port}` ... and the `--resolve` arguments |
//! | `expect` | what the server received ([`Received`]) and [`check_received`] |
//! | `server` | [`ScenarioServer`], [`BlockingServer`], how a request is read and answered |
//! | `server::connection` | the listeners, TLS sniffing and accept, HTTP/1.1 and h2, idle limits |
//! | `ca` | the test CA, the leaf certificates ([`LeafKind`]) and the CA file |
//! | `httpbin` (public) | httpbin's endpoints answered in memory ([`httpbin::answer`]) |
//! | `knobs` (public) | `?delay=MS`, `?status=CODE` and `?drip=RATE` on any endpoint of `hops serve` |
//! | `drip` | the slow body of `?drip=` |

mod ca;
mod drip;
mod expect;
pub mod httpbin;
pub mod knobs;
mod placeholders;
mod scenario;
mod server;

pub use ca::{LEAF_DAYS, LEAF_NAMES, LeafKind, StoredCa, TlsOptions, WRONG_NAME};
pub use expect::{Expect, ExpectedRequest, Received, check_received};
/// The response body type of routes and of a [`Fallback`].
pub use http_body_util::Full;
pub use placeholders::{Placeholders, SCENARIO_HOSTS};
pub use scenario::{Route, Scenario, find_route};
pub use server::{
    BlockingServer, Exchange, Fallback, IDLE_TIMEOUT, MAX_REQUEST_BODY, OnRequest, ScenarioServer,
    ServeOptions, ServerInfo,
};

/// The scenarios embedded from `fixtures/scenarios.json`, in demo order.
///
/// Cannot fail at run time: the embedded file is fixed at build time and a unit test parses it.
pub fn builtin() -> Vec<Scenario> {
    parse_scenarios(include_str!("../../../fixtures/scenarios.json"))
        .expect("fixtures/scenarios.json is embedded at build time and parsed by the unit tests")
}

/// Every scenario `hops serve` plays: the demo's ([`builtin`]) followed by those of
/// `fixtures/playground.json`, which show more cases than a demo should take the time for.
///
/// Cannot fail at run time, for the same reason as [`builtin`].
pub fn playground() -> Vec<Scenario> {
    let mut scenarios = builtin();
    scenarios.extend(
        parse_scenarios(include_str!("../../../fixtures/playground.json")).expect(
            "fixtures/playground.json is embedded at build time and parsed by the unit tests",
        ),
    );
    scenarios
}

/// Parses a JSON array of scenarios in the fixture format.
pub fn parse_scenarios(json: &str) -> Result<Vec<Scenario>, serde_json::Error> {
    serde_json::from_str(json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn builtin_fixtures_parse_in_demo_order() {
        let names: Vec<String> = builtin().into_iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "post-307-303",
                "put-301",
                "cross-origin-auth",
                "consent-cookie",
                "loop",
                "bad-location",
                "scheme-flip",
                "https-downgrade",
                "host-flip",
                "trailing-slash",
                "cookie-not-stored",
                "cookie-ignored",
                "growing-url",
                "volatile-loop",
                "long-chain",
                "meta-refresh",
                "hsts-upgrade",
                "hsts-preload"
            ]
        );
    }

    #[test]
    fn playground_names_are_unique() {
        let scenarios = playground();
        let names: HashSet<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names.len(), scenarios.len());
    }

    #[test]
    fn playground_routes_all_build_responses() {
        let placeholders = Placeholders::new(8080, 8443);
        for scenario in playground() {
            assert!(scenario.expect.received.is_some(), "{}", scenario.name);
            for route in &scenario.routes {
                if let Err(error) = route.response(&placeholders) {
                    panic!("{}: {error}", scenario.name);
                }
            }
        }
    }

    /// A misspelt scheme would silently never match, so fixtures may only name the two listeners.
    #[test]
    fn playground_schemes_name_a_listener() {
        for scenario in playground() {
            let routes = scenario.routes.iter().map(|route| &route.scheme);
            let expected = scenario.expect.received.iter().flatten();
            for scheme in routes.chain(expected.map(|request| &request.scheme)) {
                assert!(
                    matches!(scheme.as_deref(), None | Some("http" | "https")),
                    "{}: scheme {scheme:?}",
                    scenario.name
                );
            }
        }
    }

    /// Whether a route of `earlier` could answer a request meant for a route of `later`: a host
    /// and a listener both accept, and overlapping paths. Queries and cookies are ignored, so
    /// this errs on the side of seeing an overlap.
    fn overlap(earlier: &Route, later: &Route) -> bool {
        let same = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => true,
        };
        let path = if earlier.prefix {
            later.path.starts_with(&earlier.path)
        } else {
            earlier.path == later.path || (later.prefix && earlier.path.starts_with(&later.path))
        };
        same(&earlier.host, &later.host) && same(&earlier.scheme, &later.scheme) && path
    }

    /// `hops serve` serves every scenario at once, first route first: a scenario whose route
    /// another one shares would get the other's answers and not play as designed.
    #[test]
    fn no_two_playground_scenarios_share_a_route() {
        let scenarios = playground();
        for (index, later) in scenarios.iter().enumerate() {
            for earlier in &scenarios[..index] {
                for route in &later.routes {
                    if let Some(first) = earlier.routes.iter().find(|first| overlap(first, route)) {
                        panic!(
                            "{} {:?} {} is answered first by {} {:?} {}",
                            later.name,
                            route.host,
                            route.path,
                            earlier.name,
                            first.host,
                            first.path
                        );
                    }
                }
            }
        }
    }

    /// Every scenario host is sent to the server by `--resolve` and named in its certificate; a
    /// route on another host could never be reached.
    #[test]
    fn playground_routes_use_scenario_hosts() {
        for scenario in playground() {
            for route in &scenario.routes {
                let host = route.host.as_deref().unwrap_or_default();
                assert!(
                    SCENARIO_HOSTS.contains(&host),
                    "{}: host {host:?}",
                    scenario.name
                );
            }
        }
    }

    #[test]
    fn overlap_sees_shared_paths_and_prefixes() {
        let route = |host: &str, path: &str| Route {
            host: Some(host.to_owned()),
            ..Route::new(path, 302)
        };
        assert!(overlap(
            &route("shop.test", "/a"),
            &route("SHOP.test", "/a")
        ));
        assert!(!overlap(
            &route("shop.test", "/a"),
            &route("auth.test", "/a")
        ));
        assert!(!overlap(
            &route("shop.test", "/a"),
            &route("shop.test", "/b")
        ));
        let prefix = Route {
            prefix: true,
            ..route("shop.test", "/en/")
        };
        assert!(overlap(&prefix, &route("shop.test", "/en/x")));
        assert!(overlap(&route("shop.test", "/en/x"), &prefix));
        let https = Route {
            scheme: Some("https".to_owned()),
            ..route("shop.test", "/")
        };
        let http = Route {
            scheme: Some("http".to_owned()),
            ..route("shop.test", "/")
        };
        assert!(!overlap(&https, &http));
        assert!(overlap(&https, &route("shop.test", "/")));
    }

    #[test]
    fn unknown_fixture_fields_are_rejected() {
        let json = r#"[{"name":"x","title":"t","explain":"e","args":[],"routes":[],
            "expect":{"exit":0,"stdout_contains":[]}}]"#;
        let error = parse_scenarios(json).unwrap_err().to_string();
        assert!(error.contains("unknown field `stdout_contains`"), "{error}");
    }
}
