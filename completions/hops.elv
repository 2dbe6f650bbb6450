
use builtin;
use str;

set edit:completion:arg-completer[hops] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'hops'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'hops'= {
            cand -X 'Method of the first request (later hops follow the redirect rules, unlike curl)'
            cand --request 'Method of the first request (later hops follow the redirect rules, unlike curl)'
            cand -d 'Request body, as curl: @FILE reads a file (newlines removed), @- reads stdin; implies POST'
            cand --data 'Request body, as curl: @FILE reads a file (newlines removed), @- reads stdin; implies POST'
            cand --data-binary 'Request body read byte for byte: @FILE or @- as with --data, but nothing is removed'
            cand --data-raw 'Request body taken literally: a leading @ is not a file name'
            cand -H 'Extra header "Name: value" (repeatable); "Name:" removes a default, "Name;" sends it empty'
            cand --header 'Extra header "Name: value" (repeatable); "Name:" removes a default, "Name;" sends it empty'
            cand -u 'Basic credentials "user:password" (no password: empty), sent to the first origin only'
            cand --user 'Basic credentials "user:password" (no password: empty), sent to the first origin only'
            cand -A 'User-Agent header'
            cand --user-agent 'User-Agent header'
            cand -e 'Referer: URL on every hop; "URL;auto" or ";auto" sets it to the previous hop on redirects'
            cand --referer 'Referer: URL on every hop; "URL;auto" or ";auto" sets it to the previous hop on redirects'
            cand --max-redirs 'Redirects to follow before giving up (-1: no limit); 0 shows the first response without following it'
            cand --expect-status 'Expect this final status'
            cand --expect-url 'Expect the chain to end at this URL (/path: relative to the URL traced)'
            cand --expect-redirects 'Expect exactly N redirects'
            cand --expect-chain 'Expect this sequence of statuses, e.g. 301,302,200'
            cand --expect-location 'Expect hop N to redirect to URL (the resolved target); repeatable'
            cand -b 'Seed the cookie jar: "name=value; name2=value2" for the first host ("; Domain=D" for domain D and its subdomains), or a Netscape cookie file'
            cand --cookie 'Seed the cookie jar: "name=value; name2=value2" for the first host ("; Domain=D" for domain D and its subdomains), or a Netscape cookie file'
            cand -c 'Write the cookie jar to FILE (Netscape format) when the run ends'
            cand --cookie-jar 'Write the cookie jar to FILE (Netscape format) when the run ends'
            cand --resolve 'Connect to ADDR for HOST (repeatable), in curl''s form example.test:443:127.0.0.1; applies to every port of HOST'
            cand --cacert 'Trust only the certificates in this PEM file instead of the system''s, as curl does: CA certificates, and a server certificate (a self-signed one) when the server presents exactly it'
            cand -E 'Client certificate (PEM, with its chain, and its key unless --key), offered to every https server that asks for one'
            cand --cert 'Client certificate (PEM, with its chain, and its key unless --key), offered to every https server that asks for one'
            cand --key 'Private key (PEM) of the --cert certificate'
            cand -m 'Give up on the whole run after SECS seconds (default: no limit)'
            cand --max-time 'Give up on the whole run after SECS seconds (default: no limit)'
            cand --connect-timeout 'Give up on a new connection (DNS, TCP and TLS) after SECS seconds (default 30)'
            cand -x 'Use this proxy (http://, https://, socks5:// or socks5h://); otherwise http_proxy, https_proxy, all_proxy and no_proxy apply'
            cand --proxy 'Use this proxy (http://, https://, socks5:// or socks5h://); otherwise http_proxy, https_proxy, all_proxy and no_proxy apply'
            cand --socks5-hostname 'Use this SOCKS5 proxy, which resolves host names itself: -x socks5h://HOST:PORT'
            cand --noproxy 'Do not use a proxy for these comma-separated hosts ("*" for all)'
            cand --hsts 'HSTS cache file in curl''s format: read at start, updated at the end'
            cand --format 'Output format of the chain'
            cand -w 'After each chain, print FORMAT with curl''s %{variables} (@FILE reads it from a file)'
            cand --write-out 'After each chain, print FORMAT with curl''s %{variables} (@FILE reads it from a file)'
            cand --har 'Write the chains as an HTTP Archive (HAR 1.2) that browser devtools can import'
            cand -o 'Write the final response body of the first URL to FILE ("-": stdout, the chain to stderr)'
            cand --output 'Write the final response body of the first URL to FILE ("-": stdout, the chain to stderr)'
            cand --color 'When to use colors'
            cand --generate 'Regenerate shell completions and the man page into DIR'
            cand -I 'Send HEAD requests'
            cand --head 'Send HEAD requests'
            cand --browser 'Send a browser''s User-Agent, Accept, Accept-Language, Accept-Encoding and Upgrade-Insecure-Requests (-H still wins); implies --compressed'
            cand --compressed 'Ask for a compressed body (Accept-Encoding: gzip, deflate, br, zstd) and decode the final one, for -o and the meta refresh search; headers are shown as received'
            cand -L 'Follow redirects: what hops always does; accepted so curl command lines work unchanged'
            cand --location 'Follow redirects: what hops always does; accepted so curl command lines work unchanged'
            cand --post301 'Keep POST and its body on a 301 (curl''s option; browsers switch to GET)'
            cand --post302 'Keep POST and its body on a 302 (curl''s option; browsers switch to GET)'
            cand --post303 'Keep POST and its body on a 303 (curl''s option; browsers switch to GET)'
            cand --location-trusted 'Send credentials and Cookie headers to every host, also after an origin change'
            cand --follow-refresh 'Follow a Refresh header or <meta http-equiv="refresh"> on the final response, as browsers do'
            cand -f 'Fail when the final status is 400 or above'
            cand --fail 'Fail when the final status is 400 or above'
            cand --expect-no-downgrade 'Expect no redirect from https to http'
            cand --no-cookies 'Do not keep cookies between hops (Set-Cookie is shown but never sent back)'
            cand -k 'Do not verify TLS certificates'
            cand --insecure 'Do not verify TLS certificates'
            cand --no-preload 'Do not use the embedded Chromium HSTS preload list'
            cand --http1.1 'Speak HTTP/1.1 only (the TLS handshake offers http/1.1 alone)'
            cand --http2 'HTTP/2 where an https server agrees (ALPN), else HTTP/1.1: what hops does anyway; accepted so curl command lines work unchanged'
            cand --http2-prior-knowledge 'Speak HTTP/2 from the first byte: on http without an upgrade (h2c), on https offering only h2'
            cand -4 'Resolve names to IPv4 addresses only'
            cand --ipv4 'Resolve names to IPv4 addresses only'
            cand -6 'Resolve names to IPv6 addresses only'
            cand --ipv6 'Resolve names to IPv6 addresses only'
            cand -v 'Show request and response headers of every hop (secrets redacted)'
            cand --verbose 'Show request and response headers of every hop (secrets redacted)'
            cand --body 'Write the final response body to stdout and the chain to stderr: -o - in other words'
            cand -i 'Write the final response''s status line and headers before its body, wherever the body goes; without -o, to stdout (the chain to stderr), as curl -i -L prints them'
            cand --include 'Write the final response''s status line and headers before its body, wherever the body goes; without -o, to stdout (the chain to stderr), as curl -i -L prints them'
            cand -s 'No hops and no summary: only the error line (stderr), -w output and --format json documents'
            cand --silent 'No hops and no summary: only the error line (stderr), -w output and --format json documents'
            cand -S 'Show errors when silent: what hops always does; accepted so curl''s -sS works unchanged'
            cand --show-error 'Show errors when silent: what hops always does; accepted so curl''s -sS works unchanged'
            cand --show-secrets 'Print credentials, cookie values, secret-named headers and URL passwords instead of redacting them'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand demo 'Trace a tour of redirect scenarios on an embedded loopback server (no network needed)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hops;demo'= {
            cand --color 'When to use colors'
            cand --list 'List the scenarios instead of running them'
            cand -v 'Show request and response headers of every hop'
            cand --verbose 'Show request and response headers of every hop'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'hops;help'= {
            cand demo 'Trace a tour of redirect scenarios on an embedded loopback server (no network needed)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'hops;help;demo'= {
        }
        &'hops;help;help'= {
        }
    ]
    $completions[$command]
}
