//! The environment variables and examples that `--help` and the man page both list.

/// Environment variables hops reads, and what for: `--help` and the man page show this list.
pub const ENVIRONMENT: [(&str, &str); 6] = [
    ("NO_COLOR", "set to anything: no colors (as --color never)"),
    ("TERM", "dumb: no colors"),
    (
        "http_proxy",
        "proxy for http URLs (lower case only, as curl)",
    ),
    ("https_proxy, HTTPS_PROXY", "proxy for https URLs"),
    (
        "all_proxy, ALL_PROXY",
        "proxy for every URL without one of its own",
    ),
    (
        "no_proxy, NO_PROXY",
        "comma-separated hosts that bypass the proxy; * for all",
    ),
];

/// Examples for `--help` and the man page: the command and what it shows.
pub const EXAMPLES: [(&str, &str); 5] = [
    (
        "hops http://example.com/",
        "every hop of the chain, and why it stopped",
    ),
    (
        "hops -X POST -d 'a=1' https://example.com/form",
        "what the POST becomes on each redirect",
    ),
    (
        "hops -s --expect-chain 301,200 --expect-url https://example.com/new https://example.com/old",
        "check a redirect in CI: nothing printed when it holds, exit 1 when it does not",
    ),
    (
        "hops --format json https://example.com/ | jq .verdict",
        "the chain as one JSON document",
    ),
    (
        "hops demo",
        "a tour of redirect scenarios on a loopback server",
    ),
];
