//! The command line as the user types it: clap definitions with curl's flag names.
//!
//! Nothing here is validated beyond what clap does; `config` turns a [`Cli`] into the
//! resolved [`crate::config::Config`] the rest of the program sees.

use std::path::PathBuf;

use clap::{
    ArgAction, ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum,
};

use crate::exit::ExitCode;

pub use crate::cli_help::{ENVIRONMENT, EXAMPLES};

/// The exit codes, one a line, for `--help`.
fn exit_codes_help() -> String {
    let mut text = String::from("Exit codes:\n");
    for code in ExitCode::ALL {
        text.push_str(&format!("  {}  {}\n", code.code(), code.meaning()));
    }
    text
}

/// The clap command with the help texts built from the lists above.
pub fn command() -> clap::Command {
    let short = format!(
        "{}\nRun `hops demo` to see a tour of redirect rules on an embedded loopback server.",
        exit_codes_help()
    );
    let mut long = exit_codes_help();
    long.push_str("\nEnvironment:\n");
    for (name, what) in ENVIRONMENT {
        long.push_str(&format!("  {name}: {what}\n"));
    }
    long.push_str("\nExamples:\n");
    for (command, what) in EXAMPLES {
        long.push_str(&format!("  {command}\n      {what}\n"));
    }
    Cli::command().after_help(short).after_long_help(long)
}

#[derive(Debug, Parser)]
#[command(
    name = "hops",
    version,
    about = "Follow HTTP redirects by hand, one hop at a time, and show the whole chain",
    long_about = "Follow HTTP redirects by hand, one hop at a time, and show the whole chain.\n\n\
                  Each hop shows its status, the raw Location value, where it resolved to, and what \
                  changed on the way to the next hop (method, body, stripped credentials, cookies). \
                  Redirects follow the WHATWG Fetch rules browsers use; curl-named flags deviate \
                  where curl does.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The URLs to trace, one after the other; without a scheme, http:// is assumed (as curl does)
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,

    #[command(flatten)]
    pub request: RequestArgs,

    #[command(flatten)]
    pub follow: FollowArgs,

    #[command(flatten)]
    pub checks: CheckArgs,

    #[command(flatten)]
    pub cookies: CookieArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Regenerate shell completions and the man page into DIR
    #[arg(long, value_name = "DIR", hide = true)]
    pub generate: Option<PathBuf>,
}

impl Cli {
    /// Parses `args` like [`Parser::try_parse_from`], and also records the body arguments in the
    /// order they were typed, which curl joins them in.
    pub fn try_parse_ordered<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let matches = command().try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        cli.request.body_parts = body_parts_in_order(&matches);
        Ok(cli)
    }
}

/// Every `-d`, `--data-binary` and `--data-raw`, in command-line order.
fn body_parts_in_order(matches: &ArgMatches) -> Vec<BodyPart> {
    let mut parts = Vec::new();
    for (id, kind) in [
        ("data", DataKind::Data),
        ("data_binary", DataKind::Binary),
        ("data_raw", DataKind::Raw),
    ] {
        let (Some(indices), Some(values)) =
            (matches.indices_of(id), matches.get_many::<String>(id))
        else {
            continue;
        };
        parts.extend(
            indices
                .zip(values)
                .map(|(index, value)| (index, kind, value.clone())),
        );
    }
    parts.sort_by_key(|(index, ..)| *index);
    parts
        .into_iter()
        .map(|(_, kind, value)| BodyPart { kind, value })
        .collect()
}

/// One body argument as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyPart {
    pub kind: DataKind,
    pub value: String,
}

/// How curl reads a body argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKind {
    /// `-d`: `@FILE` with newlines removed.
    Data,
    /// `--data-binary`: `@FILE` byte for byte.
    Binary,
    /// `--data-raw`: no `@`.
    Raw,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Trace a tour of redirect scenarios on an embedded loopback server (no network needed)
    Demo(DemoArgs),
    /// Check a whole redirect map: every row traced, judged against what it expects, reported
    Check(Box<CheckCommand>),
    /// Serve the scenarios as a redirect playground on loopback, logging every request
    Serve(crate::cli_serve::ServeArgs),
}

/// `hops check [OPTIONS] [FILE]...`: the flags of a normal run that make sense per row, and the
/// map's own.
#[derive(Debug, Args)]
pub struct CheckCommand {
    /// Redirect maps: URL list, CSV/TSV with a header, Cloudflare bulk CSV, Netlify _redirects,
    /// Vercel JSON, sitemap.xml; "-" or none reads stdin
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Read the maps as this format instead of detecting it
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<MapFormat>,

    /// Resolve path-only sources and targets (/old) against this URL
    #[arg(long, value_name = "URL")]
    pub base: Option<String>,

    /// Lint the maps without a request: chains, cycles, a source with two targets,
    /// self-redirects, temporary statuses among permanent ones; exit 1 on any finding
    #[arg(long, conflicts_with_all = ["format", "junit", "markdown", "shard", "only_failures"])]
    pub lint: bool,

    /// Skip a malformed row with a warning instead of stopping before any request
    #[arg(long)]
    pub skip_bad_rows: bool,

    /// Every row must redirect with 301 or 308 (unless its own status column says otherwise)
    #[arg(long)]
    pub permanent: bool,

    /// At most N redirects for every row (1: no chains); a max_hops column wins
    #[arg(long, value_name = "N")]
    pub max_hops: Option<usize>,

    /// The final status every row must end with (default: any 2xx); a final_status column wins
    #[arg(long, value_name = "CODE")]
    pub final_status: Option<u16>,

    /// Treat /a and /a/ as the same target
    #[arg(long)]
    pub ignore_slash: bool,

    /// Compare targets without their query
    #[arg(long)]
    pub ignore_query: bool,

    /// Rows in flight at once
    #[arg(short = 'P', long, value_name = "N", default_value_t = 32)]
    pub parallel: usize,

    /// Requests in flight to one host at once
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..))]
    pub per_host: u32,

    /// Request starts per second to one host (default: unlimited)
    #[arg(long, value_name = "N")]
    pub rate: Option<f64>,

    /// Trace a row again, up to N times, after a connect or protocol error or a 429 or 503
    /// (waiting as its Retry-After asks, up to 60 s)
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub retry: u32,

    /// After the check, write the map again, byte for byte, but with each target that led on
    /// to a 2xx elsewhere replaced by where it ended (several maps: FILE is a directory, each
    /// map written in it under its own name)
    #[arg(long, value_name = "FILE", conflicts_with = "lint")]
    pub write_flattened: Option<PathBuf>,

    /// Skip the rows an earlier `--format json` output already reported
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,

    /// Report rows as they finish instead of in input order
    #[arg(long)]
    pub unordered: bool,

    /// Check only data rows K, K+N, K+2N... (1-based), for running shards on several machines
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,

    /// Show only the rows that fail
    #[arg(long)]
    pub only_failures: bool,

    /// How rows are reported on stdout
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    /// Also write a JUnit XML report, one testcase per row
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Also write a Markdown summary (counts and the failing rows), for a CI job summary
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,

    /// When to use colors
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,

    /// Seed every row's cookie jar: "name=value; ..." or a Netscape cookie file
    #[arg(short = 'b', long = "cookie", value_name = "DATA|FILE", action = ArgAction::Append)]
    pub cookie: Vec<String>,

    #[command(flatten)]
    pub request: RequestArgs,

    #[command(flatten)]
    pub follow: FollowArgs,

    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// The formats of a redirect map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MapFormat {
    /// One URL a line
    List,
    /// CSV with a header row (source, target, status, final_status, max_hops)
    Csv,
    /// TSV with a header row
    Tsv,
    /// Cloudflare Bulk Redirects CSV (no header)
    Cloudflare,
    /// Netlify _redirects
    Netlify,
    /// Vercel redirects JSON
    Vercel,
    /// sitemap.xml: every <loc> must answer 2xx without redirecting
    Sitemap,
}

/// How `hops check` reports rows on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// One line per row, then a summary
    Text,
    /// One JSON object per row (NDJSON)
    Json,
    /// One CSV line per row, after a header
    Csv,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Run only the scenarios whose name contains this text
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,

    /// List the scenarios instead of running them
    #[arg(long)]
    pub list: bool,

    /// Show request and response headers of every hop
    #[arg(short = 'v', long)]
    pub verbose: bool,

    /// When to use colors
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Request")]
pub struct RequestArgs {
    /// Method of the first request (later hops follow the redirect rules, unlike curl)
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub method: Option<String>,

    /// Request body, as curl: @FILE reads a file (newlines removed), @- reads stdin; implies POST
    #[arg(short = 'd', long = "data", value_name = "DATA", action = ArgAction::Append)]
    pub data: Vec<String>,

    /// Request body read byte for byte: @FILE or @- as with --data, but nothing is removed
    #[arg(long = "data-binary", value_name = "DATA", action = ArgAction::Append)]
    pub data_binary: Vec<String>,

    /// Request body taken literally: a leading @ is not a file name
    #[arg(long = "data-raw", value_name = "DATA", action = ArgAction::Append)]
    pub data_raw: Vec<String>,

    /// Extra header "Name: value" (repeatable); "Name:" removes a default, "Name;" sends it empty
    #[arg(short = 'H', long = "header", value_name = "HEADER", action = ArgAction::Append)]
    pub headers: Vec<String>,

    /// Basic credentials "user:password" (no password: empty), sent to the first origin only
    #[arg(short = 'u', long = "user", value_name = "USER:PASSWORD")]
    pub user: Option<String>,

    /// User-Agent header
    #[arg(short = 'A', long = "user-agent", value_name = "NAME")]
    pub user_agent: Option<String>,

    /// Referer: URL on every hop; "URL;auto" or ";auto" sets it to the previous hop on redirects
    #[arg(short = 'e', long = "referer", value_name = "URL")]
    pub referer: Option<String>,

    /// Send HEAD requests
    #[arg(short = 'I', long = "head")]
    pub head: bool,

    /// The body arguments above in the order they were typed (filled by `Cli::try_parse_ordered`).
    #[arg(skip)]
    pub body_parts: Vec<BodyPart>,

    /// Send a browser's User-Agent, Accept, Accept-Language, Accept-Encoding and Upgrade-Insecure-Requests (-H still wins); implies --compressed
    #[arg(long = "browser")]
    pub browser: bool,

    /// Ask for a compressed body (Accept-Encoding: gzip, deflate, br, zstd) and decode the final one, for -o and the meta refresh search; headers are shown as received
    #[arg(long = "compressed")]
    pub compressed: bool,
}

#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Following redirects")]
pub struct FollowArgs {
    /// Follow redirects: what hops always does; accepted so curl command lines work unchanged
    #[arg(short = 'L', long = "location", action = ArgAction::Count)]
    pub location: u8,

    /// Redirects to follow before giving up (-1: no limit); 0 shows the first response without following it
    #[arg(
        long = "max-redirs",
        value_name = "N",
        default_value_t = 20,
        allow_negative_numbers = true
    )]
    pub max_redirs: i64,

    /// Keep POST and its body on a 301 (curl's option; browsers switch to GET)
    #[arg(long = "post301")]
    pub post301: bool,

    /// Keep POST and its body on a 302 (curl's option; browsers switch to GET)
    #[arg(long = "post302")]
    pub post302: bool,

    /// Keep POST and its body on a 303 (curl's option; browsers switch to GET)
    #[arg(long = "post303")]
    pub post303: bool,

    /// Send credentials and Cookie headers to every host, also after an origin change
    #[arg(long = "location-trusted")]
    pub location_trusted: bool,

    /// Follow a Refresh header or <meta http-equiv="refresh"> on the final response, as browsers do
    #[arg(long = "follow-refresh")]
    pub follow_refresh: bool,
}

#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Checks (exit code 1 when one fails)")]
pub struct CheckArgs {
    /// Fail when the final status is 400 or above
    #[arg(short = 'f', long = "fail")]
    pub fail: bool,

    /// Expect this final status
    #[arg(long = "expect-status", value_name = "CODE")]
    pub status: Option<u16>,

    /// Expect the chain to end at this URL (/path: relative to the URL traced)
    #[arg(long = "expect-url", value_name = "URL")]
    pub url: Option<String>,

    /// Expect exactly N redirects
    #[arg(long = "expect-redirects", value_name = "N")]
    pub redirects: Option<usize>,

    /// Expect this sequence of statuses, e.g. 301,302,200
    #[arg(long = "expect-chain", value_name = "CODES")]
    pub chain: Option<String>,

    /// Expect hop N to redirect to URL (the resolved target); repeatable
    #[arg(long = "expect-location", value_name = "N=URL", action = ArgAction::Append)]
    pub locations: Vec<String>,

    /// Expect no redirect from https to http
    #[arg(long = "expect-no-downgrade")]
    pub no_downgrade: bool,
}

#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Cookies")]
pub struct CookieArgs {
    /// Seed the cookie jar: "name=value; name2=value2" for the first host ("; Domain=D" for domain D and its subdomains), or a Netscape cookie file
    #[arg(short = 'b', long = "cookie", value_name = "DATA|FILE", action = ArgAction::Append)]
    pub cookie: Vec<String>,

    /// Write the cookie jar to FILE (Netscape format) when the run ends
    #[arg(short = 'c', long = "cookie-jar", value_name = "FILE")]
    pub cookie_jar: Option<PathBuf>,

    /// Do not keep cookies between hops (Set-Cookie is shown but never sent back)
    #[arg(long = "no-cookies", conflicts_with_all = ["cookie", "cookie_jar"])]
    pub no_cookies: bool,
}

#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Connection")]
pub struct ConnectionArgs {
    /// Connect to ADDR for HOST (repeatable), in curl's form example.test:443:127.0.0.1; applies to every port of HOST
    #[arg(long = "resolve", value_name = "HOST:PORT:ADDR", action = ArgAction::Append)]
    pub resolve: Vec<String>,

    /// Trust only the certificates in this PEM file instead of the system's, as curl does: CA certificates, and a server certificate (a self-signed one) when the server presents exactly it
    #[arg(long = "cacert", value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Do not verify TLS certificates
    #[arg(short = 'k', long = "insecure")]
    pub insecure: bool,

    /// Client certificate (PEM, with its chain, and its key unless --key), offered to every https server that asks for one
    #[arg(short = 'E', long = "cert", value_name = "FILE")]
    pub cert: Option<PathBuf>,

    /// Private key (PEM) of the --cert certificate
    #[arg(long = "key", value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,

    /// Give up on the whole run after SECS seconds (default: no limit)
    #[arg(short = 'm', long = "max-time", value_name = "SECS")]
    pub max_time: Option<f64>,

    /// Give up on a new connection (DNS, TCP and TLS) after SECS seconds (default 30)
    #[arg(long = "connect-timeout", value_name = "SECS")]
    pub connect_timeout: Option<f64>,

    /// Give up on a response when the server sends nothing for SECS seconds (default 120)
    #[arg(long = "read-timeout", value_name = "SECS")]
    pub read_timeout: Option<f64>,

    /// Use this proxy (http://, https://, socks5:// or socks5h://); otherwise http_proxy, https_proxy, all_proxy and no_proxy apply
    #[arg(short = 'x', long = "proxy", value_name = "URL")]
    pub proxy: Option<String>,

    /// Use this SOCKS5 proxy, which resolves host names itself: -x socks5h://HOST:PORT
    #[arg(
        long = "socks5-hostname",
        value_name = "HOST:PORT",
        overrides_with = "proxy"
    )]
    pub socks5_hostname: Option<String>,

    /// Do not use a proxy for these comma-separated hosts ("*" for all)
    #[arg(long = "noproxy", value_name = "HOSTS")]
    pub noproxy: Option<String>,

    /// HSTS cache file in curl's format: read at start, updated at the end
    #[arg(long = "hsts", value_name = "FILE")]
    pub hsts: Option<PathBuf>,

    /// Do not use the embedded Chromium HSTS preload list
    #[arg(long = "no-preload")]
    pub no_preload: bool,

    /// Speak HTTP/1.1 only (the TLS handshake offers http/1.1 alone)
    #[arg(long = "http1.1", overrides_with_all = ["http2", "http2_prior_knowledge"])]
    pub http1_1: bool,

    /// HTTP/2 where an https server agrees (ALPN), else HTTP/1.1: what hops does anyway; accepted so curl command lines work unchanged
    #[arg(long = "http2", overrides_with_all = ["http1_1", "http2_prior_knowledge"])]
    pub http2: bool,

    /// Speak HTTP/2 from the first byte: on http without an upgrade (h2c), on https offering only h2
    #[arg(
        long = "http2-prior-knowledge",
        overrides_with_all = ["http1_1", "http2"]
    )]
    pub http2_prior_knowledge: bool,

    /// Resolve names to IPv4 addresses only
    #[arg(short = '4', long = "ipv4", conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// Resolve names to IPv6 addresses only
    #[arg(short = '6', long = "ipv6")]
    pub ipv6: bool,
}

#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Show request and response headers of every hop (secrets redacted)
    #[arg(short = 'v', long = "verbose")]
    pub verbose: bool,

    /// Output format of the chain
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Format::Text)]
    pub format: Format,

    /// After each chain, print FORMAT with curl's %{variables} (@FILE reads it from a file)
    #[arg(short = 'w', long = "write-out", value_name = "FORMAT")]
    pub write_out: Option<String>,

    /// Write the chains as an HTTP Archive (HAR 1.2) that browser devtools can import
    #[arg(long = "har", value_name = "FILE")]
    pub har: Option<PathBuf>,

    /// Write the final response body of the first URL to FILE ("-": stdout, the chain to stderr)
    ///
    /// FILE is created when the final response's body starts, as curl does, so a chain that
    /// fails leaves no file behind. With "-" the body goes to stdout and the text of the chain to
    /// stderr, so stdout is exactly the body; -w still writes to stdout, after the body, as curl
    /// does.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write the final response body to stdout and the chain to stderr: -o - in other words
    #[arg(long = "body", conflicts_with = "output")]
    pub body: bool,

    /// Write the status line and headers of every response of the chain before the final body,
    /// wherever the body goes; without -o, to stdout (the chain to stderr), as curl -i -L does
    #[arg(short = 'i', long = "include")]
    pub include: bool,

    /// When to use colors
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,

    /// No hops and no summary: only the error line (stderr), -w output and --format json documents
    #[arg(short = 's', long = "silent", conflicts_with = "verbose")]
    pub silent: bool,

    /// Show errors when silent: what hops always does; accepted so curl's -sS works unchanged
    #[arg(short = 'S', long = "show-error", action = ArgAction::Count)]
    pub show_error: u8,

    /// Print credentials, cookie values, secret-named headers and URL passwords instead of
    /// redacting them
    #[arg(long = "show-secrets")]
    pub show_secrets: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One block per hop, for people
    #[default]
    Text,
    /// One JSON document per URL, one per line (schema in the README)
    Json,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    #[default]
    Auto,
    Always,
    Never,
}
