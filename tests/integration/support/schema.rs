//! Schema 1 of `--format json`, mirrored field for field from the documentation in
//! `src/render/json.rs` so that it cannot drift: one copy, shared by every test that reads the
//! JSON output. Every field is required: nullable ones go through `nullable`, so a missing key
//! fails instead of reading as `None`; `deny_unknown_fields` rejects any key not documented.

use serde::{Deserialize, Deserializer};

/// `Option<T>` that must be present (as a value or `null`).
pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    Option::deserialize(d)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub schema: u32,
    pub request: Request,
    pub hops: Vec<Hop>,
    pub outcome: Outcome,
    #[serde(rename = "loop", deserialize_with = "nullable")]
    pub loop_: Option<Loop>,
    #[serde(deserialize_with = "nullable")]
    pub error: Option<Error>,
    #[serde(rename = "final", deserialize_with = "nullable")]
    pub final_: Option<Final>,
    pub ok: bool,
    pub verdict: String,
    pub redirects: usize,
    pub time_ms: f64,
    pub checks: Vec<Check>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    #[serde(deserialize_with = "nullable")]
    pub body_bytes: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hop {
    pub index: usize,
    pub method: String,
    pub url: String,
    pub synthetic: bool,
    pub status: u16,
    pub reason: String,
    pub http_version: String,
    #[serde(deserialize_with = "nullable")]
    pub remote_addr: Option<String>,
    /// Checked through a loopback proxy in `tests/integration/proxy.rs`.
    #[serde(deserialize_with = "nullable")]
    pub proxy: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub tls: Option<Tls>,
    /// The first attempt's error, when the request went out again (`src/net/retry.rs`).
    #[serde(deserialize_with = "nullable")]
    pub retried: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub location: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub next_url: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub next_method: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub body_kept: Option<bool>,
    pub stripped_headers: Vec<String>,
    #[serde(deserialize_with = "nullable")]
    pub not_followed: Option<String>,
    pub via: Via,
    #[serde(deserialize_with = "nullable")]
    pub hsts: Option<Hsts>,
    #[serde(deserialize_with = "nullable")]
    pub refresh: Option<Refresh>,
    pub set_cookies: Vec<SetCookie>,
    pub request_headers: Vec<(String, String)>,
    pub response_headers: Vec<(String, String)>,
    pub timing_ms: TimingMs,
    pub warnings: Vec<Warning>,
}

/// Checked over https in `tests/integration/tls.rs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    #[serde(deserialize_with = "nullable")]
    pub version: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub cipher: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub alpn: Option<String>,
    pub new_connection: bool,
    /// "requested" or "sent" when the server asked for a client certificate (mTLS).
    #[serde(deserialize_with = "nullable")]
    pub client_certificate: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub certificate: Option<TlsCertificate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsCertificate {
    pub subject: String,
    pub issuer: String,
    pub names: Vec<String>,
    pub not_before: String,
    pub not_after: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Start,
    Redirect,
    Refresh,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hsts {
    #[serde(deserialize_with = "nullable")]
    pub header: Option<String>,
    pub valid: bool,
    #[serde(deserialize_with = "nullable")]
    pub error: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub max_age: Option<u64>,
    #[serde(deserialize_with = "nullable")]
    pub max_age_effective: Option<u64>,
    pub include_subdomains: bool,
    pub preload: bool,
    pub action: HstsAction,
    #[serde(deserialize_with = "nullable")]
    pub ignored_reason: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub upgrade: Option<HstsUpgrade>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HstsAction {
    Noted,
    Updated,
    Removed,
    Ignored,
    #[serde(rename = "none")]
    NoAction,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HstsUpgrade {
    pub source: String,
    pub matched: String,
    pub include_subdomains: bool,
    pub from: String,
    pub to: String,
}

#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Refresh {
    pub source: RefreshSource,
    pub raw: String,
    pub delay_seconds: u64,
    pub url: String,
}

#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefreshSource {
    Header,
    Meta,
}

#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetCookie {
    pub raw: String,
    pub stored: bool,
    #[serde(deserialize_with = "nullable")]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimingMs {
    #[serde(deserialize_with = "nullable")]
    pub dns: Option<f64>,
    #[serde(deserialize_with = "nullable")]
    pub connect: Option<f64>,
    #[serde(deserialize_with = "nullable")]
    pub tls: Option<f64>,
    pub first_byte: f64,
    pub total: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Loop,
    TooManyRedirects,
    BadLocation,
    NetworkError,
    Interrupted,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Loop {
    #[serde(deserialize_with = "nullable")]
    pub repeats_hop: Option<usize>,
    #[serde(deserialize_with = "nullable")]
    pub at_hop: Option<usize>,
    pub kind: LoopKind,
    pub hops: Vec<usize>,
    #[serde(deserialize_with = "nullable")]
    pub method: Option<String>,
    #[serde(deserialize_with = "nullable")]
    pub url: Option<String>,
    pub title: String,
    pub explanation: String,
    pub fix: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoopKind {
    ExactRepeat,
    SchemeFlip,
    HostFlip,
    TrailingSlashFlip,
    CookieNotStored,
    CookieIgnored,
    GrowingUrl,
    VolatileRepeat,
    LongChain,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Error {
    pub hop: usize,
    pub kind: ErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Loop,
    TooManyRedirects,
    BadLocation,
    Dns,
    Connect,
    Tls,
    Timeout,
    Protocol,
    Io,
    Interrupted,
}

#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Final {
    pub status: u16,
    pub url: String,
}

#[derive(Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub check: String,
    pub expected: String,
    pub actual: String,
    pub ok: bool,
    #[serde(deserialize_with = "nullable")]
    pub hop: Option<usize>,
}
