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
//! | `server` | the listeners, HTTP/1.1 and h2, TLS accept, [`ScenarioServer`], [`BlockingServer`] |
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

pub use ca::{LEAF_NAMES, LeafKind, TlsOptions, WRONG_NAME};
pub use expect::{Expect, ExpectedRequest, Received, check_received};
/// The response body type of routes and of a [`Fallback`].
pub use http_body_util::Full;
pub use placeholders::{Placeholders, SCENARIO_HOSTS};
pub use scenario::{Route, Scenario, find_route};
pub use server::{
    BlockingServer, Exchange, Fallback, MAX_REQUEST_BODY, OnRequest, ScenarioServer, ServeOptions,
    ServerInfo,
};

/// The scenarios embedded from `fixtures/scenarios.json`, in demo order.
///
/// Cannot fail at run time: the embedded file is fixed at build time and a unit test parses it.
pub fn builtin() -> Vec<Scenario> {
    parse_scenarios(include_str!("../../../fixtures/scenarios.json"))
        .expect("fixtures/scenarios.json is embedded at build time and parsed by the unit tests")
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
    fn builtin_names_are_unique() {
        let scenarios = builtin();
        let names: HashSet<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names.len(), scenarios.len());
    }

    #[test]
    fn builtin_routes_all_build_responses() {
        let placeholders = Placeholders::new(8080, 8443);
        for scenario in builtin() {
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
    fn builtin_schemes_name_a_listener() {
        for scenario in builtin() {
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

    #[test]
    fn unknown_fixture_fields_are_rejected() {
        let json = r#"[{"name":"x","title":"t","explain":"e","args":[],"routes":[],
            "expect":{"exit":0,"stdout_contains":[]}}]"#;
        let error = parse_scenarios(json).unwrap_err().to_string();
        assert!(error.contains("unknown field `stdout_contains`"), "{error}");
    }
}
