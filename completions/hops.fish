# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_hops_global_optspecs
    string join \n X/request= d/data= data-binary= data-raw= H/header= u/user= A/user-agent= e/referer= I/head browser compressed L/location max-redirs= post301 post302 post303 location-trusted follow-refresh f/fail expect-status= expect-url= expect-redirects= expect-chain= expect-location= expect-no-downgrade b/cookie= c/cookie-jar= no-cookies resolve= cacert= k/insecure E/cert= key= m/max-time= connect-timeout= read-timeout= x/proxy= socks5-hostname= noproxy= hsts= no-preload http1.1 http2 http2-prior-knowledge 4/ipv4 6/ipv6 v/verbose format= w/write-out= har= o/output= body i/include color= s/silent S/show-error show-secrets generate= h/help V/version
end

function __fish_hops_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_hops_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_hops_using_subcommand
    set -l cmd (__fish_hops_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c hops -n "__fish_hops_needs_command" -s X -l request -d 'Method of the first request (later hops follow the redirect rules, unlike curl)' -r
complete -c hops -n "__fish_hops_needs_command" -s d -l data -d 'Request body, as curl: @FILE reads a file (newlines removed), @- reads stdin; implies POST' -r
complete -c hops -n "__fish_hops_needs_command" -l data-binary -d 'Request body read byte for byte: @FILE or @- as with --data, but nothing is removed' -r
complete -c hops -n "__fish_hops_needs_command" -l data-raw -d 'Request body taken literally: a leading @ is not a file name' -r
complete -c hops -n "__fish_hops_needs_command" -s H -l header -d 'Extra header "Name: value" (repeatable); "Name:" removes a default, "Name;" sends it empty' -r
complete -c hops -n "__fish_hops_needs_command" -s u -l user -d 'Basic credentials "user:password" (no password: empty), sent to the first origin only' -r
complete -c hops -n "__fish_hops_needs_command" -s A -l user-agent -d 'User-Agent header' -r
complete -c hops -n "__fish_hops_needs_command" -s e -l referer -d 'Referer: URL on every hop; "URL;auto" or ";auto" sets it to the previous hop on redirects' -r
complete -c hops -n "__fish_hops_needs_command" -l max-redirs -d 'Redirects to follow before giving up (-1: no limit); 0 shows the first response without following it' -r
complete -c hops -n "__fish_hops_needs_command" -l expect-status -d 'Expect this final status' -r
complete -c hops -n "__fish_hops_needs_command" -l expect-url -d 'Expect the chain to end at this URL (/path: relative to the URL traced)' -r
complete -c hops -n "__fish_hops_needs_command" -l expect-redirects -d 'Expect exactly N redirects' -r
complete -c hops -n "__fish_hops_needs_command" -l expect-chain -d 'Expect this sequence of statuses, e.g. 301,302,200' -r
complete -c hops -n "__fish_hops_needs_command" -l expect-location -d 'Expect hop N to redirect to URL (the resolved target); repeatable' -r
complete -c hops -n "__fish_hops_needs_command" -s b -l cookie -d 'Seed the cookie jar: "name=value; name2=value2" for the first host ("; Domain=D" for domain D and its subdomains), or a Netscape cookie file' -r
complete -c hops -n "__fish_hops_needs_command" -s c -l cookie-jar -d 'Write the cookie jar to FILE (Netscape format) when the run ends' -r -F
complete -c hops -n "__fish_hops_needs_command" -l resolve -d 'Connect to ADDR for HOST (repeatable), in curl\'s form example.test:443:127.0.0.1; applies to every port of HOST' -r
complete -c hops -n "__fish_hops_needs_command" -l cacert -d 'Trust only the certificates in this PEM file instead of the system\'s, as curl does: CA certificates, and a server certificate (a self-signed one) when the server presents exactly it' -r -F
complete -c hops -n "__fish_hops_needs_command" -s E -l cert -d 'Client certificate (PEM, with its chain, and its key unless --key), offered to every https server that asks for one' -r -F
complete -c hops -n "__fish_hops_needs_command" -l key -d 'Private key (PEM) of the --cert certificate' -r -F
complete -c hops -n "__fish_hops_needs_command" -s m -l max-time -d 'Give up on the whole run after SECS seconds (default: no limit)' -r
complete -c hops -n "__fish_hops_needs_command" -l connect-timeout -d 'Give up on a new connection (DNS, TCP and TLS) after SECS seconds (default 30)' -r
complete -c hops -n "__fish_hops_needs_command" -l read-timeout -d 'Give up on a response when the server sends nothing for SECS seconds (default 120)' -r
complete -c hops -n "__fish_hops_needs_command" -s x -l proxy -d 'Use this proxy (http://, https://, socks5:// or socks5h://); otherwise http_proxy, https_proxy, all_proxy and no_proxy apply' -r
complete -c hops -n "__fish_hops_needs_command" -l socks5-hostname -d 'Use this SOCKS5 proxy, which resolves host names itself: -x socks5h://HOST:PORT' -r
complete -c hops -n "__fish_hops_needs_command" -l noproxy -d 'Do not use a proxy for these comma-separated hosts ("*" for all)' -r
complete -c hops -n "__fish_hops_needs_command" -l hsts -d 'HSTS cache file in curl\'s format: read at start, updated at the end' -r -F
complete -c hops -n "__fish_hops_needs_command" -l format -d 'Output format of the chain' -r -f -a "text\t'One block per hop, for people'
json\t'One JSON document per URL, one per line (schema in the README)'"
complete -c hops -n "__fish_hops_needs_command" -s w -l write-out -d 'After each chain, print FORMAT with curl\'s %{variables} (@FILE reads it from a file)' -r
complete -c hops -n "__fish_hops_needs_command" -l har -d 'Write the chains as an HTTP Archive (HAR 1.2) that browser devtools can import' -r -F
complete -c hops -n "__fish_hops_needs_command" -s o -l output -d 'Write the final response body of the first URL to FILE ("-": stdout, the chain to stderr)' -r -F
complete -c hops -n "__fish_hops_needs_command" -l color -d 'When to use colors' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hops -n "__fish_hops_needs_command" -l generate -d 'Regenerate shell completions and the man page into DIR' -r -F
complete -c hops -n "__fish_hops_needs_command" -s I -l head -d 'Send HEAD requests'
complete -c hops -n "__fish_hops_needs_command" -l browser -d 'Send a browser\'s User-Agent, Accept, Accept-Language, Accept-Encoding and Upgrade-Insecure-Requests (-H still wins); implies --compressed'
complete -c hops -n "__fish_hops_needs_command" -l compressed -d 'Ask for a compressed body (Accept-Encoding: gzip, deflate, br, zstd) and decode the final one, for -o and the meta refresh search; headers are shown as received'
complete -c hops -n "__fish_hops_needs_command" -s L -l location -d 'Follow redirects: what hops always does; accepted so curl command lines work unchanged'
complete -c hops -n "__fish_hops_needs_command" -l post301 -d 'Keep POST and its body on a 301 (curl\'s option; browsers switch to GET)'
complete -c hops -n "__fish_hops_needs_command" -l post302 -d 'Keep POST and its body on a 302 (curl\'s option; browsers switch to GET)'
complete -c hops -n "__fish_hops_needs_command" -l post303 -d 'Keep POST and its body on a 303 (curl\'s option; browsers switch to GET)'
complete -c hops -n "__fish_hops_needs_command" -l location-trusted -d 'Send credentials and Cookie headers to every host, also after an origin change'
complete -c hops -n "__fish_hops_needs_command" -l follow-refresh -d 'Follow a Refresh header or <meta http-equiv="refresh"> on the final response, as browsers do'
complete -c hops -n "__fish_hops_needs_command" -s f -l fail -d 'Fail when the final status is 400 or above'
complete -c hops -n "__fish_hops_needs_command" -l expect-no-downgrade -d 'Expect no redirect from https to http'
complete -c hops -n "__fish_hops_needs_command" -l no-cookies -d 'Do not keep cookies between hops (Set-Cookie is shown but never sent back)'
complete -c hops -n "__fish_hops_needs_command" -s k -l insecure -d 'Do not verify TLS certificates'
complete -c hops -n "__fish_hops_needs_command" -l no-preload -d 'Do not use the embedded Chromium HSTS preload list'
complete -c hops -n "__fish_hops_needs_command" -l http1.1 -d 'Speak HTTP/1.1 only (the TLS handshake offers http/1.1 alone)'
complete -c hops -n "__fish_hops_needs_command" -l http2 -d 'HTTP/2 where an https server agrees (ALPN), else HTTP/1.1: what hops does anyway; accepted so curl command lines work unchanged'
complete -c hops -n "__fish_hops_needs_command" -l http2-prior-knowledge -d 'Speak HTTP/2 from the first byte: on http without an upgrade (h2c), on https offering only h2'
complete -c hops -n "__fish_hops_needs_command" -s 4 -l ipv4 -d 'Resolve names to IPv4 addresses only'
complete -c hops -n "__fish_hops_needs_command" -s 6 -l ipv6 -d 'Resolve names to IPv6 addresses only'
complete -c hops -n "__fish_hops_needs_command" -s v -l verbose -d 'Show request and response headers of every hop (secrets redacted)'
complete -c hops -n "__fish_hops_needs_command" -l body -d 'Write the final response body to stdout and the chain to stderr: -o - in other words'
complete -c hops -n "__fish_hops_needs_command" -s i -l include -d 'Write the status line and headers of every response of the chain before the final body, wherever the body goes; without -o, to stdout (the chain to stderr), as curl -i -L does'
complete -c hops -n "__fish_hops_needs_command" -s s -l silent -d 'No hops and no summary: only the error line (stderr), -w output and --format json documents'
complete -c hops -n "__fish_hops_needs_command" -s S -l show-error -d 'Show errors when silent: what hops always does; accepted so curl\'s -sS works unchanged'
complete -c hops -n "__fish_hops_needs_command" -l show-secrets -d 'Print credentials, cookie values, secret-named headers and URL passwords instead of redacting them'
complete -c hops -n "__fish_hops_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hops -n "__fish_hops_needs_command" -s V -l version -d 'Print version'
complete -c hops -n "__fish_hops_needs_command" -a "demo" -d 'Trace a tour of redirect scenarios on an embedded loopback server (no network needed)'
complete -c hops -n "__fish_hops_needs_command" -a "check" -d 'Check a whole redirect map: every row traced, judged against what it expects, reported'
complete -c hops -n "__fish_hops_needs_command" -a "serve" -d 'Serve the scenarios as a redirect playground on loopback, logging every request'
complete -c hops -n "__fish_hops_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c hops -n "__fish_hops_using_subcommand demo" -l color -d 'When to use colors' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hops -n "__fish_hops_using_subcommand demo" -l list -d 'List the scenarios instead of running them'
complete -c hops -n "__fish_hops_using_subcommand demo" -s v -l verbose -d 'Show request and response headers of every hop'
complete -c hops -n "__fish_hops_using_subcommand demo" -s h -l help -d 'Print help'
complete -c hops -n "__fish_hops_using_subcommand check" -l input-format -d 'Read the maps as this format instead of detecting it' -r -f -a "list\t'One URL a line'
csv\t'CSV with a header row (source, target, status, final_status, max_hops)'
tsv\t'TSV with a header row'
cloudflare\t'Cloudflare Bulk Redirects CSV (no header)'
netlify\t'Netlify _redirects'
vercel\t'Vercel redirects JSON'
sitemap\t'sitemap.xml: every <loc> must answer 2xx without redirecting'"
complete -c hops -n "__fish_hops_using_subcommand check" -l base -d 'Resolve path-only sources and targets (/old) against this URL' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l max-hops -d 'At most N redirects for every row (1: no chains); a max_hops column wins' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l final-status -d 'The final status every row must end with (default: any 2xx); a final_status column wins' -r
complete -c hops -n "__fish_hops_using_subcommand check" -s P -l parallel -d 'Rows in flight at once' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l per-host -d 'Requests in flight to one host at once' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l rate -d 'Request starts per second to one host (default: unlimited)' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l retry -d 'Trace a row again, up to N times, after a connect or protocol error or a 429 or 503 (waiting as its Retry-After asks, up to 60 s)' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l write-flattened -d 'After the check, write the map again, byte for byte, but with each target that led on to a 2xx elsewhere replaced by where it ended (several maps: FILE is a directory, each map written in it under its own name)' -r -F
complete -c hops -n "__fish_hops_using_subcommand check" -l resume -d 'Skip the rows an earlier `--format json` output already reported' -r -F
complete -c hops -n "__fish_hops_using_subcommand check" -l shard -d 'Check only data rows K, K+N, K+2N... (1-based), for running shards on several machines' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l format -d 'How rows are reported on stdout' -r -f -a "text\t'One line per row, then a summary'
json\t'One JSON object per row (NDJSON)'
csv\t'One CSV line per row, after a header'"
complete -c hops -n "__fish_hops_using_subcommand check" -l junit -d 'Also write a JUnit XML report, one testcase per row' -r -F
complete -c hops -n "__fish_hops_using_subcommand check" -l markdown -d 'Also write a Markdown summary (counts and the failing rows), for a CI job summary' -r -F
complete -c hops -n "__fish_hops_using_subcommand check" -l color -d 'When to use colors' -r -f -a "auto\t''
always\t''
never\t''"
complete -c hops -n "__fish_hops_using_subcommand check" -s b -l cookie -d 'Seed every row\'s cookie jar: "name=value; ..." or a Netscape cookie file' -r
complete -c hops -n "__fish_hops_using_subcommand check" -s X -l request -d 'Method of the first request (later hops follow the redirect rules, unlike curl)' -r
complete -c hops -n "__fish_hops_using_subcommand check" -s d -l data -d 'Request body, as curl: @FILE reads a file (newlines removed), @- reads stdin; implies POST' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l data-binary -d 'Request body read byte for byte: @FILE or @- as with --data, but nothing is removed' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l data-raw -d 'Request body taken literally: a leading @ is not a file name' -r
complete -c hops -n "__fish_hops_using_subcommand check" -s H -l header -d 'Extra header "Name: value" (repeatable); "Name:" removes a default, "Name;" sends it empty' -r
complete -c hops -n "__fish_hops_using_subcommand check" -s u -l user -d 'Basic credentials "user:password" (no password: empty), sent to the first origin only' -r
complete -c hops -n "__fish_hops_using_subcommand check" -s A -l user-agent -d 'User-Agent header' -r
complete -c hops -n "__fish_hops_using_subcommand check" -s e -l referer -d 'Referer: URL on every hop; "URL;auto" or ";auto" sets it to the previous hop on redirects' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l max-redirs -d 'Redirects to follow before giving up (-1: no limit); 0 shows the first response without following it' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l resolve -d 'Connect to ADDR for HOST (repeatable), in curl\'s form example.test:443:127.0.0.1; applies to every port of HOST' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l cacert -d 'Trust only the certificates in this PEM file instead of the system\'s, as curl does: CA certificates, and a server certificate (a self-signed one) when the server presents exactly it' -r -F
complete -c hops -n "__fish_hops_using_subcommand check" -s E -l cert -d 'Client certificate (PEM, with its chain, and its key unless --key), offered to every https server that asks for one' -r -F
complete -c hops -n "__fish_hops_using_subcommand check" -l key -d 'Private key (PEM) of the --cert certificate' -r -F
complete -c hops -n "__fish_hops_using_subcommand check" -s m -l max-time -d 'Give up on the whole run after SECS seconds (default: no limit)' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l connect-timeout -d 'Give up on a new connection (DNS, TCP and TLS) after SECS seconds (default 30)' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l read-timeout -d 'Give up on a response when the server sends nothing for SECS seconds (default 120)' -r
complete -c hops -n "__fish_hops_using_subcommand check" -s x -l proxy -d 'Use this proxy (http://, https://, socks5:// or socks5h://); otherwise http_proxy, https_proxy, all_proxy and no_proxy apply' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l socks5-hostname -d 'Use this SOCKS5 proxy, which resolves host names itself: -x socks5h://HOST:PORT' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l noproxy -d 'Do not use a proxy for these comma-separated hosts ("*" for all)' -r
complete -c hops -n "__fish_hops_using_subcommand check" -l hsts -d 'HSTS cache file in curl\'s format: read at start, updated at the end' -r -F
complete -c hops -n "__fish_hops_using_subcommand check" -l lint -d 'Lint the maps without a request: chains, cycles, a source with two targets, self-redirects, temporary statuses among permanent ones; exit 1 on any finding'
complete -c hops -n "__fish_hops_using_subcommand check" -l skip-bad-rows -d 'Skip a malformed row with a warning instead of stopping before any request'
complete -c hops -n "__fish_hops_using_subcommand check" -l permanent -d 'Every row must redirect with 301 or 308 (unless its own status column says otherwise)'
complete -c hops -n "__fish_hops_using_subcommand check" -l ignore-slash -d 'Treat /a and /a/ as the same target'
complete -c hops -n "__fish_hops_using_subcommand check" -l ignore-query -d 'Compare targets without their query'
complete -c hops -n "__fish_hops_using_subcommand check" -l unordered -d 'Report rows as they finish instead of in input order'
complete -c hops -n "__fish_hops_using_subcommand check" -l only-failures -d 'Show only the rows that fail'
complete -c hops -n "__fish_hops_using_subcommand check" -s I -l head -d 'Send HEAD requests'
complete -c hops -n "__fish_hops_using_subcommand check" -l browser -d 'Send a browser\'s User-Agent, Accept, Accept-Language, Accept-Encoding and Upgrade-Insecure-Requests (-H still wins); implies --compressed'
complete -c hops -n "__fish_hops_using_subcommand check" -l compressed -d 'Ask for a compressed body (Accept-Encoding: gzip, deflate, br, zstd) and decode the final one, for -o and the meta refresh search; headers are shown as received'
complete -c hops -n "__fish_hops_using_subcommand check" -s L -l location -d 'Follow redirects: what hops always does; accepted so curl command lines work unchanged'
complete -c hops -n "__fish_hops_using_subcommand check" -l post301 -d 'Keep POST and its body on a 301 (curl\'s option; browsers switch to GET)'
complete -c hops -n "__fish_hops_using_subcommand check" -l post302 -d 'Keep POST and its body on a 302 (curl\'s option; browsers switch to GET)'
complete -c hops -n "__fish_hops_using_subcommand check" -l post303 -d 'Keep POST and its body on a 303 (curl\'s option; browsers switch to GET)'
complete -c hops -n "__fish_hops_using_subcommand check" -l location-trusted -d 'Send credentials and Cookie headers to every host, also after an origin change'
complete -c hops -n "__fish_hops_using_subcommand check" -l follow-refresh -d 'Follow a Refresh header or <meta http-equiv="refresh"> on the final response, as browsers do'
complete -c hops -n "__fish_hops_using_subcommand check" -s k -l insecure -d 'Do not verify TLS certificates'
complete -c hops -n "__fish_hops_using_subcommand check" -l no-preload -d 'Do not use the embedded Chromium HSTS preload list'
complete -c hops -n "__fish_hops_using_subcommand check" -l http1.1 -d 'Speak HTTP/1.1 only (the TLS handshake offers http/1.1 alone)'
complete -c hops -n "__fish_hops_using_subcommand check" -l http2 -d 'HTTP/2 where an https server agrees (ALPN), else HTTP/1.1: what hops does anyway; accepted so curl command lines work unchanged'
complete -c hops -n "__fish_hops_using_subcommand check" -l http2-prior-knowledge -d 'Speak HTTP/2 from the first byte: on http without an upgrade (h2c), on https offering only h2'
complete -c hops -n "__fish_hops_using_subcommand check" -s 4 -l ipv4 -d 'Resolve names to IPv4 addresses only'
complete -c hops -n "__fish_hops_using_subcommand check" -s 6 -l ipv6 -d 'Resolve names to IPv6 addresses only'
complete -c hops -n "__fish_hops_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c hops -n "__fish_hops_using_subcommand serve" -l port -d 'Port of the plain http listener (0: any free port, printed at start)' -r
complete -c hops -n "__fish_hops_using_subcommand serve" -l https-port -d 'Port of the https listener (0: any free port, printed at start)' -r
complete -c hops -n "__fish_hops_using_subcommand serve" -l bind -d 'Address to listen on; loopback unless you say otherwise' -r
complete -c hops -n "__fish_hops_using_subcommand serve" -l name -d 'Another name the https certificate covers, besides localhost, 127.0.0.1, ::1, the scenario hosts and --bind\'s address (repeat for more)' -r
complete -c hops -n "__fish_hops_using_subcommand serve" -l ca-out -d 'Write the test CA certificate here (default: a file in the temporary directory)' -r -F
complete -c hops -n "__fish_hops_using_subcommand serve" -l ca-dir -d 'Keep the test CA in DIR (ca.pem, ca-key.pem): made the first time, the same on every start after, so a browser or a device that trusts DIR/ca.pem once keeps trusting it' -r -F
complete -c hops -n "__fish_hops_using_subcommand serve" -l log-json -d 'Also log each request to FILE as one JSON object per line (appended to)' -r -F
complete -c hops -n "__fish_hops_using_subcommand serve" -s q -l quiet -d 'Do not log each request on stdout'
complete -c hops -n "__fish_hops_using_subcommand serve" -l list -d 'List the scenarios (name, title, start URL) and exit'
complete -c hops -n "__fish_hops_using_subcommand serve" -s h -l help -d 'Print help'
complete -c hops -n "__fish_hops_using_subcommand help; and not __fish_seen_subcommand_from demo check serve help" -f -a "demo" -d 'Trace a tour of redirect scenarios on an embedded loopback server (no network needed)'
complete -c hops -n "__fish_hops_using_subcommand help; and not __fish_seen_subcommand_from demo check serve help" -f -a "check" -d 'Check a whole redirect map: every row traced, judged against what it expects, reported'
complete -c hops -n "__fish_hops_using_subcommand help; and not __fish_seen_subcommand_from demo check serve help" -f -a "serve" -d 'Serve the scenarios as a redirect playground on loopback, logging every request'
complete -c hops -n "__fish_hops_using_subcommand help; and not __fish_seen_subcommand_from demo check serve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
