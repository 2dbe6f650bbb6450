//! The fixture model: a [`Scenario`] (how to run hops, what the server answers, what must happen)
//! and its [`Route`]s, with how a route matches a request and builds its response.

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use hyper::StatusCode;
use hyper::ext::ReasonPhrase;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;

use crate::expect::{Expect, Received, hostname_of, split_cookie};
use crate::placeholders::{Placeholders, mentions_tls};

/// One demonstrable redirect situation: how to run hops, what the server answers, what must happen.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub title: String,
    pub explain: String,
    /// Command-line arguments for hops, before placeholder expansion and without `--resolve`.
    pub args: Vec<String>,
    pub routes: Vec<Route>,
    pub expect: Expect,
}

impl Scenario {
    /// The full hops argument list for a server: `--resolve` pairs first, then `--cacert` with the
    /// server's CA file if the scenario uses https (and does not pass `--cacert` itself), then the
    /// expanded `args`.
    pub fn command_args(&self, placeholders: &Placeholders) -> Vec<String> {
        let mut args = placeholders.resolve_args();
        let own_cacert = self
            .args
            .iter()
            .any(|arg| arg == "--cacert" || arg.starts_with("--cacert="));
        if self.uses_tls() && !own_cacert {
            if let Some(ca_file) = placeholders.ca_file() {
                args.push("--cacert".to_owned());
                args.push(ca_file.to_string_lossy().into_owned());
            }
        }
        args.extend(self.args.iter().map(|arg| placeholders.expand(arg)));
        args
    }

    /// Whether an argument or a route (headers or body) mentions an https placeholder.
    pub fn uses_tls(&self) -> bool {
        let args = self.args.iter().map(|arg| arg.as_bytes());
        let routes = self.routes.iter().flat_map(|route| {
            let headers = route.headers.iter().map(|(_, value)| value.as_bytes());
            let raw = route
                .headers_bytes
                .iter()
                .map(|(_, value)| value.as_slice());
            let body = route.body.iter().map(|body| body.as_bytes());
            headers.chain(raw).chain(body)
        });
        let https_routes = self.routes.iter().any(|route| {
            route
                .scheme
                .as_deref()
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https"))
        });
        https_routes || args.chain(routes).any(mentions_tls)
    }
}

/// A canned response and the conditions a request must meet to get it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Hostname the Host header must name (port ignored, case-insensitive); `None` matches any host.
    #[serde(default)]
    pub host: Option<String>,
    /// `"http"` or `"https"`: the listener the request must arrive on; `None` matches both.
    #[serde(default)]
    pub scheme: Option<String>,
    /// The request path, without the query string: exact, or a prefix when `prefix` is set.
    pub path: String,
    /// `path` matches every path that starts with it (`/en/` matches `/en/en/`).
    #[serde(default)]
    pub prefix: bool,
    /// Exact raw query string (without `?`); `None` matches any query.
    #[serde(default)]
    pub query: Option<String>,
    /// A `name=value` pair the Cookie header must contain.
    #[serde(default)]
    pub cookie: Option<String>,
    /// A cookie name the Cookie header must not contain.
    #[serde(default)]
    pub no_cookie: Option<String>,
    pub status: u16,
    /// Reason phrase to send instead of the canonical one.
    #[serde(default)]
    pub reason: Option<String>,
    /// Response headers in order; repeats are sent as separate header lines.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Headers whose values are not UTF-8, sent after `headers`.
    #[serde(default)]
    pub headers_bytes: Vec<(String, Vec<u8>)>,
    #[serde(default)]
    pub body: Option<String>,
}

impl Route {
    pub fn new(path: impl Into<String>, status: u16) -> Self {
        Route {
            path: path.into(),
            status,
            ..Route::default()
        }
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn matches(&self, request: &Received) -> bool {
        let (path, query) = request
            .path
            .split_once('?')
            .unwrap_or((request.path.as_str(), ""));
        let path_matches = if self.prefix {
            path.starts_with(&self.path)
        } else {
            path == self.path
        };
        if !path_matches {
            return false;
        }
        if self.query.as_deref().is_some_and(|wanted| wanted != query) {
            return false;
        }
        if let Some(wanted) = &self.host {
            if !hostname_of(wanted).eq_ignore_ascii_case(&request.host) {
                return false;
            }
        }
        if let Some(wanted) = &self.scheme {
            if !wanted.eq_ignore_ascii_case(&request.scheme) {
                return false;
            }
        }
        if let Some(wanted) = &self.cookie {
            let wanted = split_cookie(wanted);
            if !request.cookies().any(|cookie| cookie == wanted) {
                return false;
            }
        }
        if let Some(unwanted) = &self.no_cookie {
            if request.cookies().any(|(name, _)| name == unwanted) {
                return false;
            }
        }
        true
    }

    /// Builds the response this route sends, with placeholders expanded in header values.
    pub fn response(&self, placeholders: &Placeholders) -> Result<Response<Full<Bytes>>, String> {
        let status = StatusCode::from_u16(self.status)
            .map_err(|_| format!("route {}: invalid status {}", self.path, self.status))?;
        let body = Bytes::from(self.body.clone().unwrap_or_default());
        let mut response = Response::new(Full::new(body));
        *response.status_mut() = status;
        if let Some(reason) = &self.reason {
            let phrase = ReasonPhrase::try_from(reason.as_bytes())
                .map_err(|_| format!("route {}: invalid reason phrase {reason:?}", self.path))?;
            response.extensions_mut().insert(phrase);
        }
        let headers = response.headers_mut();
        for (name, value) in &self.headers {
            append_header(
                headers,
                name,
                placeholders.expand_response(value.as_bytes()),
            )?;
        }
        for (name, value) in &self.headers_bytes {
            append_header(headers, name, placeholders.expand_response(value))?;
        }
        Ok(response)
    }
}

/// The first route that matches wins, so fixtures list specific routes before catch-alls.
pub fn find_route<'a>(routes: &'a [Route], request: &Received) -> Option<&'a Route> {
    routes.iter().find(|route| route.matches(request))
}

fn append_header(headers: &mut HeaderMap, name: &str, value: Vec<u8>) -> Result<(), String> {
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("invalid header name {name:?}"))?;
    let header_value = HeaderValue::from_bytes(&value)
        .map_err(|_| format!("invalid value for header {name:?}"))?;
    headers.append(header_name, header_value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expect::tests::request;

    #[test]
    fn a_prefix_route_matches_every_path_under_it() {
        let route = Route {
            prefix: true,
            ..Route::new("/en/", 302)
        };
        assert!(route.matches(&request("shop.test", "/en/en/en/", None)));
        assert!(route.matches(&request("shop.test", "/en/?q=1", None)));
        assert!(!route.matches(&request("shop.test", "/de/en/", None)));
        assert!(!Route::new("/en/", 302).matches(&request("shop.test", "/en/en/", None)));
    }

    #[test]
    fn route_host_ignores_port_and_case() {
        let route = Route {
            host: Some("Shop.Test".to_owned()),
            ..Route::new("/a", 200)
        };
        assert!(route.matches(&request("SHOP.test:8080", "/a", None)));
        assert!(!route.matches(&request("auth.test:8080", "/a", None)));
        assert!(Route::new("/a", 200).matches(&request("auth.test", "/a", None)));
    }

    #[test]
    fn route_path_excludes_query_and_query_is_exact() {
        let any_query = Route::new("/login", 200);
        assert!(any_query.matches(&request("shop.test", "/login?from=shop", None)));
        assert!(!any_query.matches(&request("shop.test", "/login/x", None)));
        let with_query = Route {
            query: Some("from=shop".to_owned()),
            ..Route::new("/login", 200)
        };
        assert!(with_query.matches(&request("shop.test", "/login?from=shop", None)));
        assert!(!with_query.matches(&request("shop.test", "/login?from=shop&x=1", None)));
        assert!(!with_query.matches(&request("shop.test", "/login", None)));
    }

    #[test]
    fn route_cookie_conditions() {
        let needs = Route {
            cookie: Some("consent=yes".to_owned()),
            ..Route::new("/account", 200)
        };
        let refuses = Route {
            no_cookie: Some("consent".to_owned()),
            ..Route::new("/account", 302)
        };
        let with = request("shop.test", "/account", Some("a=1; consent=yes"));
        let wrong_value = request("shop.test", "/account", Some("consent=no"));
        let without = request("shop.test", "/account", Some("consents=yes"));
        assert!(needs.matches(&with));
        assert!(!needs.matches(&wrong_value));
        assert!(!needs.matches(&without));
        assert!(!refuses.matches(&with));
        assert!(!refuses.matches(&wrong_value));
        assert!(refuses.matches(&without));
        assert!(refuses.matches(&request("shop.test", "/account", None)));
    }

    #[test]
    fn first_matching_route_wins() {
        let routes = vec![
            Route {
                cookie: Some("consent=yes".to_owned()),
                ..Route::new("/account", 200)
            },
            Route::new("/account", 302),
            Route::new("/account", 500),
        ];
        let found = |cookie| find_route(&routes, &request("shop.test", "/account", cookie));
        assert_eq!(found(Some("consent=yes")).map(|r| r.status), Some(200));
        assert_eq!(found(None).map(|r| r.status), Some(302));
        assert!(find_route(&routes, &request("shop.test", "/other", None)).is_none());
    }

    #[test]
    fn route_scheme_picks_a_listener() {
        let https_only = Route {
            scheme: Some("https".to_owned()),
            ..Route::new("/", 301)
        };
        let mut request = request("shop.test", "/", None);
        assert!(!https_only.matches(&request));
        assert!(Route::new("/", 200).matches(&request));
        request.scheme = "https".to_owned();
        assert!(https_only.matches(&request));
        assert_eq!(request.to_string(), "GET / on shop.test over https");
    }

    fn scenario(args: &[&str], location: &str) -> Scenario {
        Scenario {
            name: "s".to_owned(),
            title: "t".to_owned(),
            explain: "e".to_owned(),
            args: args.iter().map(|arg| (*arg).to_owned()).collect(),
            routes: vec![Route::new("/", 302).with_header("Location", location)],
            expect: Expect::default(),
        }
    }

    #[test]
    fn command_args_add_cacert_only_for_https_scenarios() {
        let placeholders = Placeholders::new(80, 443).with_ca_file("/tmp/x/ca.pem");
        let resolve = placeholders.resolve_args();
        let with_cacert = |rest: &[&str]| {
            let mut args = resolve.clone();
            args.extend(["--cacert", "/tmp/x/ca.pem"].map(String::from));
            args.extend(rest.iter().map(|arg| (*arg).to_owned()));
            args
        };
        let plain = scenario(&["{shop}/"], "{auth}/");
        let mut expected = resolve.clone();
        expected.push("http://shop.test:80/".to_owned());
        assert_eq!(plain.command_args(&placeholders), expected);

        let by_arg = scenario(&["{shop_tls}/"], "/next");
        assert_eq!(
            by_arg.command_args(&placeholders),
            with_cacert(&["https://shop.test:443/"])
        );
        let by_route = scenario(&["{shop}/"], "https://shop.test:{tls_port}/");
        assert_eq!(
            by_route.command_args(&placeholders),
            with_cacert(&["http://shop.test:80/"])
        );
        let own_cacert = scenario(&["--cacert", "mine.pem", "{shop_tls}/"], "/");
        assert_eq!(
            own_cacert.command_args(&placeholders)[resolve.len()],
            "--cacert"
        );
        assert_eq!(
            own_cacert.command_args(&placeholders)[resolve.len() + 1],
            "mine.pem"
        );
        // Without a CA file (placeholders made by hand) there is nothing to pass.
        let no_file = Placeholders::new(80, 443);
        assert!(
            !by_arg
                .command_args(&no_file)
                .contains(&"--cacert".to_owned())
        );
    }
}
