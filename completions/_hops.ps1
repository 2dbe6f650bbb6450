
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'hops' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'hops'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'hops' {
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Method of the first request (later hops follow the redirect rules, unlike curl)')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'Method of the first request (later hops follow the redirect rules, unlike curl)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Request body, as curl: @FILE reads a file (newlines removed), @- reads stdin; implies POST')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Request body, as curl: @FILE reads a file (newlines removed), @- reads stdin; implies POST')
            [CompletionResult]::new('--data-binary', '--data-binary', [CompletionResultType]::ParameterName, 'Request body read byte for byte: @FILE or @- as with --data, but nothing is removed')
            [CompletionResult]::new('--data-raw', '--data-raw', [CompletionResultType]::ParameterName, 'Request body taken literally: a leading @ is not a file name')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra header "Name: value" (repeatable); "Name:" removes a default, "Name;" sends it empty')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra header "Name: value" (repeatable); "Name:" removes a default, "Name;" sends it empty')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Basic credentials "user:password" (no password: empty), sent to the first origin only')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Basic credentials "user:password" (no password: empty), sent to the first origin only')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'User-Agent header')
            [CompletionResult]::new('--user-agent', '--user-agent', [CompletionResultType]::ParameterName, 'User-Agent header')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Referer: URL on every hop; "URL;auto" or ";auto" sets it to the previous hop on redirects')
            [CompletionResult]::new('--referer', '--referer', [CompletionResultType]::ParameterName, 'Referer: URL on every hop; "URL;auto" or ";auto" sets it to the previous hop on redirects')
            [CompletionResult]::new('--max-redirs', '--max-redirs', [CompletionResultType]::ParameterName, 'Redirects to follow before giving up (-1: no limit); 0 shows the first response without following it')
            [CompletionResult]::new('--expect-status', '--expect-status', [CompletionResultType]::ParameterName, 'Expect this final status')
            [CompletionResult]::new('--expect-url', '--expect-url', [CompletionResultType]::ParameterName, 'Expect the chain to end at this URL (/path: relative to the URL traced)')
            [CompletionResult]::new('--expect-redirects', '--expect-redirects', [CompletionResultType]::ParameterName, 'Expect exactly N redirects')
            [CompletionResult]::new('--expect-chain', '--expect-chain', [CompletionResultType]::ParameterName, 'Expect this sequence of statuses, e.g. 301,302,200')
            [CompletionResult]::new('--expect-location', '--expect-location', [CompletionResultType]::ParameterName, 'Expect hop N to redirect to URL (the resolved target); repeatable')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Seed the cookie jar: "name=value; name2=value2" for the first host ("; Domain=D" for domain D and its subdomains), or a Netscape cookie file')
            [CompletionResult]::new('--cookie', '--cookie', [CompletionResultType]::ParameterName, 'Seed the cookie jar: "name=value; name2=value2" for the first host ("; Domain=D" for domain D and its subdomains), or a Netscape cookie file')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Write the cookie jar to FILE (Netscape format) when the run ends')
            [CompletionResult]::new('--cookie-jar', '--cookie-jar', [CompletionResultType]::ParameterName, 'Write the cookie jar to FILE (Netscape format) when the run ends')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Connect to ADDR for HOST (repeatable), in curl''s form example.test:443:127.0.0.1; applies to every port of HOST')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust only the certificates in this PEM file instead of the system''s, as curl does: CA certificates, and a server certificate (a self-signed one) when the server presents exactly it')
            [CompletionResult]::new('-E', '-E ', [CompletionResultType]::ParameterName, 'Client certificate (PEM, with its chain, and its key unless --key), offered to every https server that asks for one')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM, with its chain, and its key unless --key), offered to every https server that asks for one')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key (PEM) of the --cert certificate')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Give up on the whole run after SECS seconds (default: no limit)')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Give up on the whole run after SECS seconds (default: no limit)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up on a new connection (DNS, TCP and TLS) after SECS seconds (default 30)')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Give up on a response when the server sends nothing for SECS seconds (default 120)')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Use this proxy (http://, https://, socks5:// or socks5h://); otherwise http_proxy, https_proxy, all_proxy and no_proxy apply')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Use this proxy (http://, https://, socks5:// or socks5h://); otherwise http_proxy, https_proxy, all_proxy and no_proxy apply')
            [CompletionResult]::new('--socks5-hostname', '--socks5-hostname', [CompletionResultType]::ParameterName, 'Use this SOCKS5 proxy, which resolves host names itself: -x socks5h://HOST:PORT')
            [CompletionResult]::new('--noproxy', '--noproxy', [CompletionResultType]::ParameterName, 'Do not use a proxy for these comma-separated hosts ("*" for all)')
            [CompletionResult]::new('--hsts', '--hsts', [CompletionResultType]::ParameterName, 'HSTS cache file in curl''s format: read at start, updated at the end')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the chain')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'After each chain, print FORMAT with curl''s %{variables} (@FILE reads it from a file)')
            [CompletionResult]::new('--write-out', '--write-out', [CompletionResultType]::ParameterName, 'After each chain, print FORMAT with curl''s %{variables} (@FILE reads it from a file)')
            [CompletionResult]::new('--har', '--har', [CompletionResultType]::ParameterName, 'Write the chains as an HTTP Archive (HAR 1.2) that browser devtools can import')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the final response body of the first URL to FILE ("-": stdout, the chain to stderr)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the final response body of the first URL to FILE ("-": stdout, the chain to stderr)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--generate', '--generate', [CompletionResultType]::ParameterName, 'Regenerate shell completions and the man page into DIR')
            [CompletionResult]::new('-I', '-I ', [CompletionResultType]::ParameterName, 'Send HEAD requests')
            [CompletionResult]::new('--head', '--head', [CompletionResultType]::ParameterName, 'Send HEAD requests')
            [CompletionResult]::new('--browser', '--browser', [CompletionResultType]::ParameterName, 'Send a browser''s User-Agent, Accept, Accept-Language, Accept-Encoding and Upgrade-Insecure-Requests (-H still wins); implies --compressed')
            [CompletionResult]::new('--compressed', '--compressed', [CompletionResultType]::ParameterName, 'Ask for a compressed body (Accept-Encoding: gzip, deflate, br, zstd) and decode the final one, for -o and the meta refresh search; headers are shown as received')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow redirects: what hops always does; accepted so curl command lines work unchanged')
            [CompletionResult]::new('--location', '--location', [CompletionResultType]::ParameterName, 'Follow redirects: what hops always does; accepted so curl command lines work unchanged')
            [CompletionResult]::new('--post301', '--post301', [CompletionResultType]::ParameterName, 'Keep POST and its body on a 301 (curl''s option; browsers switch to GET)')
            [CompletionResult]::new('--post302', '--post302', [CompletionResultType]::ParameterName, 'Keep POST and its body on a 302 (curl''s option; browsers switch to GET)')
            [CompletionResult]::new('--post303', '--post303', [CompletionResultType]::ParameterName, 'Keep POST and its body on a 303 (curl''s option; browsers switch to GET)')
            [CompletionResult]::new('--location-trusted', '--location-trusted', [CompletionResultType]::ParameterName, 'Send credentials and Cookie headers to every host, also after an origin change')
            [CompletionResult]::new('--follow-refresh', '--follow-refresh', [CompletionResultType]::ParameterName, 'Follow a Refresh header or <meta http-equiv="refresh"> on the final response, as browsers do')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Fail when the final status is 400 or above')
            [CompletionResult]::new('--fail', '--fail', [CompletionResultType]::ParameterName, 'Fail when the final status is 400 or above')
            [CompletionResult]::new('--expect-no-downgrade', '--expect-no-downgrade', [CompletionResultType]::ParameterName, 'Expect no redirect from https to http')
            [CompletionResult]::new('--no-cookies', '--no-cookies', [CompletionResultType]::ParameterName, 'Do not keep cookies between hops (Set-Cookie is shown but never sent back)')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates')
            [CompletionResult]::new('--no-preload', '--no-preload', [CompletionResultType]::ParameterName, 'Do not use the embedded Chromium HSTS preload list')
            [CompletionResult]::new('--http1.1', '--http1.1', [CompletionResultType]::ParameterName, 'Speak HTTP/1.1 only (the TLS handshake offers http/1.1 alone)')
            [CompletionResult]::new('--http2', '--http2', [CompletionResultType]::ParameterName, 'HTTP/2 where an https server agrees (ALPN), else HTTP/1.1: what hops does anyway; accepted so curl command lines work unchanged')
            [CompletionResult]::new('--http2-prior-knowledge', '--http2-prior-knowledge', [CompletionResultType]::ParameterName, 'Speak HTTP/2 from the first byte: on http without an upgrade (h2c), on https offering only h2')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Resolve names to IPv4 addresses only')
            [CompletionResult]::new('--ipv4', '--ipv4', [CompletionResultType]::ParameterName, 'Resolve names to IPv4 addresses only')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Resolve names to IPv6 addresses only')
            [CompletionResult]::new('--ipv6', '--ipv6', [CompletionResultType]::ParameterName, 'Resolve names to IPv6 addresses only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show request and response headers of every hop (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show request and response headers of every hop (secrets redacted)')
            [CompletionResult]::new('--body', '--body', [CompletionResultType]::ParameterName, 'Write the final response body to stdout and the chain to stderr: -o - in other words')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Write the status line and headers of every response of the chain before the final body, wherever the body goes; without -o, to stdout (the chain to stderr), as curl -i -L does')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Write the status line and headers of every response of the chain before the final body, wherever the body goes; without -o, to stdout (the chain to stderr), as curl -i -L does')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'No hops and no summary: only the error line (stderr), -w output and --format json documents')
            [CompletionResult]::new('--silent', '--silent', [CompletionResultType]::ParameterName, 'No hops and no summary: only the error line (stderr), -w output and --format json documents')
            [CompletionResult]::new('-S', '-S ', [CompletionResultType]::ParameterName, 'Show errors when silent: what hops always does; accepted so curl''s -sS works unchanged')
            [CompletionResult]::new('--show-error', '--show-error', [CompletionResultType]::ParameterName, 'Show errors when silent: what hops always does; accepted so curl''s -sS works unchanged')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print credentials, cookie values, secret-named headers and URL passwords instead of redacting them')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Trace a tour of redirect scenarios on an embedded loopback server (no network needed)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check a whole redirect map: every row traced, judged against what it expects, reported')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the scenarios as a redirect playground on loopback, logging every request')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hops;demo' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the scenarios instead of running them')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show request and response headers of every hop')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show request and response headers of every hop')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hops;check' {
            [CompletionResult]::new('--input-format', '--input-format', [CompletionResultType]::ParameterName, 'Read the maps as this format instead of detecting it')
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'Resolve path-only sources and targets (/old) against this URL')
            [CompletionResult]::new('--max-hops', '--max-hops', [CompletionResultType]::ParameterName, 'At most N redirects for every row (1: no chains); a max_hops column wins')
            [CompletionResult]::new('--final-status', '--final-status', [CompletionResultType]::ParameterName, 'The final status every row must end with (default: any 2xx); a final_status column wins')
            [CompletionResult]::new('-P', '-P ', [CompletionResultType]::ParameterName, 'Rows in flight at once')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Rows in flight at once')
            [CompletionResult]::new('--per-host', '--per-host', [CompletionResultType]::ParameterName, 'Requests in flight to one host at once')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Request starts per second to one host (default: unlimited)')
            [CompletionResult]::new('--retry', '--retry', [CompletionResultType]::ParameterName, 'Trace a row again, up to N times, after a connect or protocol error or a 429 or 503 (waiting as its Retry-After asks, up to 60 s)')
            [CompletionResult]::new('--write-flattened', '--write-flattened', [CompletionResultType]::ParameterName, 'After the check, write the map again, byte for byte, but with each target that led on to a 2xx elsewhere replaced by where it ended (several maps: FILE is a directory, each map written in it under its own name)')
            [CompletionResult]::new('--resume', '--resume', [CompletionResultType]::ParameterName, 'Skip the rows an earlier `--format json` output already reported')
            [CompletionResult]::new('--shard', '--shard', [CompletionResultType]::ParameterName, 'Check only data rows K, K+N, K+2N... (1-based), for running shards on several machines')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How rows are reported on stdout')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Also write a JUnit XML report, one testcase per row')
            [CompletionResult]::new('--markdown', '--markdown', [CompletionResultType]::ParameterName, 'Also write a Markdown summary (counts and the failing rows), for a CI job summary')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colors')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Seed every row''s cookie jar: "name=value; ..." or a Netscape cookie file')
            [CompletionResult]::new('--cookie', '--cookie', [CompletionResultType]::ParameterName, 'Seed every row''s cookie jar: "name=value; ..." or a Netscape cookie file')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'Method of the first request (later hops follow the redirect rules, unlike curl)')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'Method of the first request (later hops follow the redirect rules, unlike curl)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Request body, as curl: @FILE reads a file (newlines removed), @- reads stdin; implies POST')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Request body, as curl: @FILE reads a file (newlines removed), @- reads stdin; implies POST')
            [CompletionResult]::new('--data-binary', '--data-binary', [CompletionResultType]::ParameterName, 'Request body read byte for byte: @FILE or @- as with --data, but nothing is removed')
            [CompletionResult]::new('--data-raw', '--data-raw', [CompletionResultType]::ParameterName, 'Request body taken literally: a leading @ is not a file name')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra header "Name: value" (repeatable); "Name:" removes a default, "Name;" sends it empty')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra header "Name: value" (repeatable); "Name:" removes a default, "Name;" sends it empty')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Basic credentials "user:password" (no password: empty), sent to the first origin only')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Basic credentials "user:password" (no password: empty), sent to the first origin only')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'User-Agent header')
            [CompletionResult]::new('--user-agent', '--user-agent', [CompletionResultType]::ParameterName, 'User-Agent header')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Referer: URL on every hop; "URL;auto" or ";auto" sets it to the previous hop on redirects')
            [CompletionResult]::new('--referer', '--referer', [CompletionResultType]::ParameterName, 'Referer: URL on every hop; "URL;auto" or ";auto" sets it to the previous hop on redirects')
            [CompletionResult]::new('--max-redirs', '--max-redirs', [CompletionResultType]::ParameterName, 'Redirects to follow before giving up (-1: no limit); 0 shows the first response without following it')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Connect to ADDR for HOST (repeatable), in curl''s form example.test:443:127.0.0.1; applies to every port of HOST')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust only the certificates in this PEM file instead of the system''s, as curl does: CA certificates, and a server certificate (a self-signed one) when the server presents exactly it')
            [CompletionResult]::new('-E', '-E ', [CompletionResultType]::ParameterName, 'Client certificate (PEM, with its chain, and its key unless --key), offered to every https server that asks for one')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (PEM, with its chain, and its key unless --key), offered to every https server that asks for one')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Private key (PEM) of the --cert certificate')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Give up on the whole run after SECS seconds (default: no limit)')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Give up on the whole run after SECS seconds (default: no limit)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up on a new connection (DNS, TCP and TLS) after SECS seconds (default 30)')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Give up on a response when the server sends nothing for SECS seconds (default 120)')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Use this proxy (http://, https://, socks5:// or socks5h://); otherwise http_proxy, https_proxy, all_proxy and no_proxy apply')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Use this proxy (http://, https://, socks5:// or socks5h://); otherwise http_proxy, https_proxy, all_proxy and no_proxy apply')
            [CompletionResult]::new('--socks5-hostname', '--socks5-hostname', [CompletionResultType]::ParameterName, 'Use this SOCKS5 proxy, which resolves host names itself: -x socks5h://HOST:PORT')
            [CompletionResult]::new('--noproxy', '--noproxy', [CompletionResultType]::ParameterName, 'Do not use a proxy for these comma-separated hosts ("*" for all)')
            [CompletionResult]::new('--hsts', '--hsts', [CompletionResultType]::ParameterName, 'HSTS cache file in curl''s format: read at start, updated at the end')
            [CompletionResult]::new('--lint', '--lint', [CompletionResultType]::ParameterName, 'Lint the maps without a request: chains, cycles, a source with two targets, self-redirects, temporary statuses among permanent ones; exit 1 on any finding')
            [CompletionResult]::new('--skip-bad-rows', '--skip-bad-rows', [CompletionResultType]::ParameterName, 'Skip a malformed row with a warning instead of stopping before any request')
            [CompletionResult]::new('--permanent', '--permanent', [CompletionResultType]::ParameterName, 'Every row must redirect with 301 or 308 (unless its own status column says otherwise)')
            [CompletionResult]::new('--ignore-slash', '--ignore-slash', [CompletionResultType]::ParameterName, 'Treat /a and /a/ as the same target')
            [CompletionResult]::new('--ignore-query', '--ignore-query', [CompletionResultType]::ParameterName, 'Compare targets without their query')
            [CompletionResult]::new('--unordered', '--unordered', [CompletionResultType]::ParameterName, 'Report rows as they finish instead of in input order')
            [CompletionResult]::new('--only-failures', '--only-failures', [CompletionResultType]::ParameterName, 'Show only the rows that fail')
            [CompletionResult]::new('-I', '-I ', [CompletionResultType]::ParameterName, 'Send HEAD requests')
            [CompletionResult]::new('--head', '--head', [CompletionResultType]::ParameterName, 'Send HEAD requests')
            [CompletionResult]::new('--browser', '--browser', [CompletionResultType]::ParameterName, 'Send a browser''s User-Agent, Accept, Accept-Language, Accept-Encoding and Upgrade-Insecure-Requests (-H still wins); implies --compressed')
            [CompletionResult]::new('--compressed', '--compressed', [CompletionResultType]::ParameterName, 'Ask for a compressed body (Accept-Encoding: gzip, deflate, br, zstd) and decode the final one, for -o and the meta refresh search; headers are shown as received')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow redirects: what hops always does; accepted so curl command lines work unchanged')
            [CompletionResult]::new('--location', '--location', [CompletionResultType]::ParameterName, 'Follow redirects: what hops always does; accepted so curl command lines work unchanged')
            [CompletionResult]::new('--post301', '--post301', [CompletionResultType]::ParameterName, 'Keep POST and its body on a 301 (curl''s option; browsers switch to GET)')
            [CompletionResult]::new('--post302', '--post302', [CompletionResultType]::ParameterName, 'Keep POST and its body on a 302 (curl''s option; browsers switch to GET)')
            [CompletionResult]::new('--post303', '--post303', [CompletionResultType]::ParameterName, 'Keep POST and its body on a 303 (curl''s option; browsers switch to GET)')
            [CompletionResult]::new('--location-trusted', '--location-trusted', [CompletionResultType]::ParameterName, 'Send credentials and Cookie headers to every host, also after an origin change')
            [CompletionResult]::new('--follow-refresh', '--follow-refresh', [CompletionResultType]::ParameterName, 'Follow a Refresh header or <meta http-equiv="refresh"> on the final response, as browsers do')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify TLS certificates')
            [CompletionResult]::new('--no-preload', '--no-preload', [CompletionResultType]::ParameterName, 'Do not use the embedded Chromium HSTS preload list')
            [CompletionResult]::new('--http1.1', '--http1.1', [CompletionResultType]::ParameterName, 'Speak HTTP/1.1 only (the TLS handshake offers http/1.1 alone)')
            [CompletionResult]::new('--http2', '--http2', [CompletionResultType]::ParameterName, 'HTTP/2 where an https server agrees (ALPN), else HTTP/1.1: what hops does anyway; accepted so curl command lines work unchanged')
            [CompletionResult]::new('--http2-prior-knowledge', '--http2-prior-knowledge', [CompletionResultType]::ParameterName, 'Speak HTTP/2 from the first byte: on http without an upgrade (h2c), on https offering only h2')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Resolve names to IPv4 addresses only')
            [CompletionResult]::new('--ipv4', '--ipv4', [CompletionResultType]::ParameterName, 'Resolve names to IPv4 addresses only')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Resolve names to IPv6 addresses only')
            [CompletionResult]::new('--ipv6', '--ipv6', [CompletionResultType]::ParameterName, 'Resolve names to IPv6 addresses only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'hops;serve' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port of the plain http listener (0: any free port, printed at start)')
            [CompletionResult]::new('--https-port', '--https-port', [CompletionResultType]::ParameterName, 'Port of the https listener (0: any free port, printed at start)')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address to listen on; loopback unless you say otherwise')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Another name the https certificate covers, besides localhost, 127.0.0.1, ::1, the scenario hosts and --bind''s address (repeat for more)')
            [CompletionResult]::new('--ca-out', '--ca-out', [CompletionResultType]::ParameterName, 'Write the test CA certificate here (default: a file in the temporary directory)')
            [CompletionResult]::new('--ca-dir', '--ca-dir', [CompletionResultType]::ParameterName, 'Keep the test CA in DIR (ca.pem, ca-key.pem): made the first time, the same on every start after, so a browser or a device that trusts DIR/ca.pem once keeps trusting it')
            [CompletionResult]::new('--log-json', '--log-json', [CompletionResultType]::ParameterName, 'Also log each request to FILE as one JSON object per line (appended to)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Do not log each request on stdout')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not log each request on stdout')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the scenarios (name, title, start URL) and exit')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'hops;help' {
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Trace a tour of redirect scenarios on an embedded loopback server (no network needed)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check a whole redirect map: every row traced, judged against what it expects, reported')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve the scenarios as a redirect playground on loopback, logging every request')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hops;help;demo' {
            break
        }
        'hops;help;check' {
            break
        }
        'hops;help;serve' {
            break
        }
        'hops;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
