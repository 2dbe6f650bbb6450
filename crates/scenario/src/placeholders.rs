//! The placeholders a scenario writes instead of this server's origins and ports (`{shop}`,
//! `{shop_tls}`, `{port}` ...), and the `--resolve` arguments that send every scenario host to it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The host names every scenario may use; `--resolve` points all of them at the one loopback
/// server, which covers both its listeners. The test CA's leaf certificate names each of them.
pub const SCENARIO_HOSTS: [&str; 6] = [
    "shop.test",
    "auth.test",
    "other.test",
    "www.shop.test",
    "example.test",
    // Under the `dev` top-level domain, which the HSTS preload list covers whole.
    "shop.dev",
];

/// Placeholders that lead to https (`{dev}` through the HSTS preload list); a scenario using one
/// runs with `--cacert`.
pub(crate) const TLS_PLACEHOLDERS: [&str; 7] = [
    "{dev}",
    "{shop_tls}",
    "{auth_tls}",
    "{other_tls}",
    "{www_tls}",
    "{example_tls}",
    "{tls_port}",
];

pub(crate) fn mentions_tls(text: &[u8]) -> bool {
    TLS_PLACEHOLDERS.iter().any(|placeholder| {
        text.windows(placeholder.len())
            .any(|window| window == placeholder.as_bytes())
    })
}

/// Expands the scenario placeholders for one server: `{shop}`, `{auth}`, `{other}`, `{www}`
/// (www.shop.test) and `{example}` give `http://HOST:PORT`; the same names with `_tls`
/// (`{shop_tls}`, ...) give `https://HOST:TLS_PORT`; `{port}` and `{tls_port}` give the ports.
///
/// In response headers only, `{seq}` gives the next number of a counter shared by every clone,
/// starting at [`FIRST_SEQUENCE`]: a redirect that never repeats itself (a timestamp-like query),
/// yet the same from one run to the next on a fresh server.
#[derive(Debug, Clone)]
pub struct Placeholders {
    port: u16,
    tls_port: u16,
    ca_file: Option<Arc<Path>>,
    sequence: Arc<AtomicU64>,
    /// Each placeholder and what it gives, made once: a server expands them on every request.
    table: Arc<[(&'static str, String); 13]>,
}

/// The first number `{seq}` gives: a plausible Unix time, so it reads like the timestamp it
/// stands for.
pub const FIRST_SEQUENCE: u64 = 1_700_000_002;

impl Placeholders {
    /// Placeholders for the given ports, with no CA file (so no `--cacert` in command lines).
    pub fn new(port: u16, tls_port: u16) -> Self {
        Placeholders {
            port,
            tls_port,
            ca_file: None,
            sequence: Arc::new(AtomicU64::new(FIRST_SEQUENCE)),
            table: Arc::new(table(port, tls_port)),
        }
    }

    /// The CA certificate file that [`crate::Scenario::command_args`] passes as `--cacert`.
    pub fn with_ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(Arc::from(path.into()));
        self
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn tls_port(&self) -> u16 {
        self.tls_port
    }

    pub fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }

    /// `http://HOST:PORT`, the origin a scenario host has on this server.
    pub fn origin(&self, host: &str) -> String {
        format!("http://{host}:{}", self.port)
    }

    /// `https://HOST:TLS_PORT`, the origin a scenario host has on this server's https listener.
    pub fn tls_origin(&self, host: &str) -> String {
        format!("https://{host}:{}", self.tls_port)
    }

    pub fn expand(&self, text: &str) -> String {
        let expanded = self.expand_bytes(text.as_bytes());
        // Replacements are ASCII and cut only at ASCII `{`, so valid UTF-8 stays valid.
        String::from_utf8(expanded)
            .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
    }

    /// Expands in one left-to-right pass, so a replacement is never itself expanded.
    pub fn expand_bytes(&self, bytes: &[u8]) -> Vec<u8> {
        let substitutions = &*self.table;
        let mut out = Vec::with_capacity(bytes.len());
        let mut rest = bytes;
        while let Some(start) = rest.iter().position(|&byte| byte == b'{') {
            out.extend_from_slice(&rest[..start]);
            let tail = &rest[start..];
            match substitutions
                .iter()
                .find(|(placeholder, _)| tail.starts_with(placeholder.as_bytes()))
            {
                Some((placeholder, value)) => {
                    out.extend_from_slice(value.as_bytes());
                    rest = &tail[placeholder.len()..];
                }
                None => {
                    out.push(b'{');
                    rest = &tail[1..];
                }
            }
        }
        out.extend_from_slice(rest);
        out
    }

    /// [`Self::expand_bytes`] for a response header value, where each `{seq}` first takes the
    /// counter's next number.
    pub fn expand_response(&self, bytes: &[u8]) -> Vec<u8> {
        const SEQ: &[u8] = b"{seq}";
        let mut numbered = Vec::with_capacity(bytes.len());
        let mut rest = bytes;
        while let Some(start) = rest.windows(SEQ.len()).position(|window| window == SEQ) {
            numbered.extend_from_slice(&rest[..start]);
            let next = self.sequence.fetch_add(1, Ordering::Relaxed);
            numbered.extend_from_slice(next.to_string().as_bytes());
            rest = &rest[start + SEQ.len()..];
        }
        numbered.extend_from_slice(rest);
        self.expand_bytes(&numbered)
    }

    /// `--resolve` arguments that send every scenario host to this loopback server.
    ///
    /// One per host serves both listeners: hops (like reqwest) ignores the port of an override.
    pub fn resolve_args(&self) -> Vec<String> {
        SCENARIO_HOSTS
            .iter()
            .flat_map(|host| {
                [
                    "--resolve".to_owned(),
                    format!("{host}:{}:127.0.0.1", self.port),
                ]
            })
            .collect()
    }
}

fn table(port: u16, tls_port: u16) -> [(&'static str, String); 13] {
    let origin = |host: &str| format!("http://{host}:{port}");
    let tls_origin = |host: &str| format!("https://{host}:{tls_port}");
    [
        ("{dev}", origin("shop.dev")),
        ("{shop}", origin("shop.test")),
        ("{auth}", origin("auth.test")),
        ("{other}", origin("other.test")),
        ("{www}", origin("www.shop.test")),
        ("{example}", origin("example.test")),
        ("{shop_tls}", tls_origin("shop.test")),
        ("{auth_tls}", tls_origin("auth.test")),
        ("{other_tls}", tls_origin("other.test")),
        ("{www_tls}", tls_origin("www.shop.test")),
        ("{example_tls}", tls_origin("example.test")),
        ("{port}", port.to_string()),
        ("{tls_port}", tls_port.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_counts_up_across_clones_and_only_in_responses() {
        let placeholders = Placeholders::new(4242, 4443);
        let clone = placeholders.clone();
        assert_eq!(
            placeholders.expand_response(b"/b?t={seq}&u={seq} {shop}"),
            b"/b?t=1700000002&u=1700000003 http://shop.test:4242"
        );
        assert_eq!(clone.expand_response(b"{seq}"), b"1700000004");
        assert_eq!(placeholders.expand("{seq}"), "{seq}");
        assert_eq!(
            Placeholders::new(4242, 4443).expand_response(b"{seq}"),
            b"1700000002"
        );
    }

    #[test]
    fn placeholders_expand_once_and_resolve_every_host() {
        let placeholders = Placeholders::new(4242, 4443);
        assert_eq!(
            placeholders.expand("{shop}/a {auth}/b {other} :{port} {nope} {"),
            "http://shop.test:4242/a http://auth.test:4242/b http://other.test:4242 :4242 {nope} {"
        );
        assert_eq!(
            placeholders.expand("{www}/ {example}/ :{tls_port} {shop_tls}/a {auth_tls}/b"),
            "http://www.shop.test:4242/ http://example.test:4242/ :4443 \
             https://shop.test:4443/a https://auth.test:4443/b"
        );
        assert_eq!(
            placeholders.expand("{other_tls} {www_tls} {example_tls}/{shop_tls"),
            "https://other.test:4443 https://www.shop.test:4443 https://example.test:4443/{shop_tls"
        );
        assert_eq!(
            placeholders.expand_bytes(b"{shop}/caf\xE9"),
            b"http://shop.test:4242/caf\xE9"
        );
        assert_eq!(
            placeholders.resolve_args(),
            [
                "--resolve",
                "shop.test:4242:127.0.0.1",
                "--resolve",
                "auth.test:4242:127.0.0.1",
                "--resolve",
                "other.test:4242:127.0.0.1",
                "--resolve",
                "www.shop.test:4242:127.0.0.1",
                "--resolve",
                "example.test:4242:127.0.0.1",
                "--resolve",
                "shop.dev:4242:127.0.0.1"
            ]
        );
    }
}
