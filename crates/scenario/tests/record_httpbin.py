#!/usr/bin/env python3
"""Records how a real httpbin answers a fixed list of requests, for httpbin_recorded.rs.

The recording in httpbin-recorded.json was made with httpbin 0.10.2's code (postmanlabs/httpbin's
core.py and helpers.py as released by their later maintainers) served the way httpbin.org serves
it: Flask 1.0.2, Werkzeug 0.14.1 and gunicorn 19.9.0 as postmanlabs/httpbin's
Pipfile.lock pins them, on CPython 3.7 (Werkzeug 0.14 does not import on 3.10 and later).
httpbin 0.10.2 asks for Flask >= 2.2.4 in its metadata, hence --no-deps for it alone:

    python3.7 -m venv /tmp/httpbin-venv
    /tmp/httpbin-venv/bin/pip install flask==1.0.2 werkzeug==0.14.1 jinja2==2.10.3 \
        markupsafe==1.1.1 itsdangerous==1.1.0 gunicorn==19.9.0 flasgger==0.9.5 \
        brotlicffi decorator six 'jsonschema<4' 'mistune<2'
    /tmp/httpbin-venv/bin/pip install --no-deps httpbin==0.10.2
    PYTHONHASHSEED=0 /tmp/httpbin-venv/bin/gunicorn -b 127.0.0.1:18081 httpbin:app &
    python3 crates/scenario/tests/record_httpbin.py --port 18081 \
        --out crates/scenario/tests/httpbin-recorded.json

That was CPython 3.7.16, and pip chose brotlicffi 1.1.0.0, decorator 5.1.1, six 1.17.0,
jsonschema 3.2.0, mistune 0.8.4 and PyYAML 6.0.1 for the unpinned names. Recording again the
same way writes the same file.

PYTHONHASHSEED=0 only makes the file repeatable: Werkzeug builds `Allow` from a set, so its order
changes from one server start to the next, and the Rust test compares it as a set.

This client is the standard library's http.client, so redirects are not followed, and every
request header is written out here (no Host or Accept-Encoding added behind our back): the file
lists exactly the headers the server got. Host is a fixed `httpbin.test`, so `url` and absolute
Locations do not depend on the port the server happened to use.
"""

import argparse
import base64
import http.client
import json

HOST = "httpbin.test"
USER_AGENT = "record_httpbin.py"
BOUNDARY = "hopsboundary7MA4YWxkTrZu0gW"

# One text file, two binary ones (not UTF-8: httpbin answers them as data: URLs of their type),
# two values for one field name, and one field name twice with a file each (httpbin keeps the
# first).
MULTIPART_BODY = (
    (
        "--{b}\r\n"
        'Content-Disposition: form-data; name="name"\r\n\r\n'
        "hops\r\n"
        "--{b}\r\n"
        'Content-Disposition: form-data; name="tag"\r\n\r\n'
        "a\r\n"
        "--{b}\r\n"
        'Content-Disposition: form-data; name="tag"\r\n\r\n'
        "b\r\n"
        "--{b}\r\n"
        'Content-Disposition: form-data; name="note"; filename="note.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
        "hello\nworld\n\r\n"
        "--{b}\r\n"
        'Content-Disposition: form-data; name="pair"; filename="one.txt"\r\n\r\n'
        "first\r\n"
        "--{b}\r\n"
        'Content-Disposition: form-data; name="pair"; filename="two.txt"\r\n\r\n'
        "second\r\n"
        "--{b}\r\n"
        'Content-Disposition: form-data; name="blob"; filename="blob.png"\r\n'
        "Content-Type: image/png\r\n\r\n"
    ).format(b=BOUNDARY).encode()
    + b"\x89PNG\r\n\x1a\n\x00\xff\xfe"
    + "\r\n--{b}\r\n".format(b=BOUNDARY).encode()
    + (
        'Content-Disposition: form-data; name="raw"; filename="raw.dat"\r\n\r\n'
    ).encode()
    + b"\xc3\x28"
    + "\r\n--{b}--\r\n".format(b=BOUNDARY).encode()
)
MULTIPART_TYPE = "multipart/form-data; boundary=" + BOUNDARY
FORM_TYPE = "application/x-www-form-urlencoded"


def requests():
    """(method, target, extra headers, body) for every request recorded, in order."""
    form = [("Content-Type", FORM_TYPE)]
    json_type = [("Content-Type", "application/json")]
    multipart = [("Content-Type", MULTIPART_TYPE)]
    out = []
    for target in (
        "/redirect/3",
        "/redirect/1",
        "/redirect/3?absolute=true",
        "/redirect/1?absolute=true",
        "/redirect/0",
        "/relative-redirect/2",
        "/relative-redirect/1",
        "/absolute-redirect/2",
        "/absolute-redirect/1",
        "/redirect-to?url=/get",
        "/redirect-to?url=http://example.com/",
        "/redirect-to?url=http%3A%2F%2Fexample.com%2Fa%3Fb%3Dc%26d&x=1",
        "/redirect-to?URL=/get",
        "/redirect-to",
    ):
        out.append(("GET", target, [], b""))
    for code in ("307", "308", "301", "303", "200", "404", "abc"):
        target = "/redirect-to?url=http://example.com/&status_code=" + code
        out.append(("GET", target, [], b""))
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        out.append((method, "/redirect-to?url=/get&status_code=307", [], b""))
    out.append(("POST", "/redirect-to?url=/get", form, b"url=/post"))
    for code in ("302", "301", "303", "307", "200", "418", "204", "304", "401", "abc", "200,x"):
        out.append(("GET", "/status/" + code, [], b""))
    out.append(("GET", "/status/418:1,200:0", [], b""))
    out.append(("POST", "/status/201", [], b""))
    out.append(("GET", "/get?a=1&a=2&b=3", [], b""))
    out.append(("GET", "/get?q=%C3%A9t%C3%A9&empty=&plus=a+b", [], b""))
    out.append(("GET", "/get", [("X-Repeat", "1"), ("X-Repeat", "2")], b""))
    out.append(("GET", "/get", [("X-Forwarded-For", "203.0.113.9")], b""))
    out.append(("GET", "/get?show_env=1", [("X-Forwarded-Proto", "https")], b""))
    out.append(("GET", "/get", [("Origin", "http://example.org")], b""))
    out.append(("POST", "/post", form, b"a=1&a=2&b=%C3%A9"))
    out.append(("POST", "/post", json_type, b'{"x": [1, 2.5, null], "y": "\\u00e9"}'))
    out.append(("POST", "/post", [("Content-Type", "text/plain")], b"not json {"))
    out.append(("POST", "/post", [], b"\xff\xfe\x00raw"))
    out.append(("POST", "/post", multipart, MULTIPART_BODY))
    out.append(("PUT", "/put", json_type, b"[1, 2]"))
    out.append(("PATCH", "/patch", form, b"k=v"))
    out.append(("DELETE", "/delete", [], b""))
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "TRACE"):
        out.append((method, "/anything", [], b""))
        out.append((method, "/anything/x/y?a=1&b=2", [], b""))
    # werkzeug rebuilds `url` from the decoded path and a re-quoted query, and routes on the
    # decoded path.
    for target in (
        "/anything?next=/a/b~c&at=@&semi=%3B&sp=%20x&pct=%25&q=%3F&h=%2f",
        "/anything/a%20b/%C3%A9;x%3Fy%25z?y=1",
        "/anything/%E9",
        "/get?",
        "/redirect%2F2",
        "/status/418%2C418",
    ):
        out.append(("GET", target, [], b""))
    out.append(("POST", "/anything?a=1", form, b"f=1"))
    out.append(("PUT", "/anything", json_type, b'{"k": "v"}'))
    out.append(("POST", "/anything", multipart, MULTIPART_BODY))
    out.append(("GET", "/headers", [("X-Custom", "One"), ("Accept", "*/*")], b""))
    out.append(("GET", "/cookies", [("Cookie", 'k=v; quoted="a b"; k=second; __utma=1')], b""))
    out.append(("GET", "/cookies?show_env=1", [("Cookie", "__utma=1; k=v")], b""))
    out.append(("GET", "/cookies/set?k=v", [], b""))
    out.append(("GET", "/cookies/set?a=1&b=two%20words&a=2", [], b""))
    out.append(("GET", "/cookies/delete?k", [], b""))
    out.append(("GET", "/cookies/delete?k&j=1", [], b""))
    out.append(("OPTIONS", "/get", [], b""))
    out.append(
        (
            "OPTIONS",
            "/anything",
            [
                ("Origin", "http://example.org"),
                ("Access-Control-Request-Method", "PUT"),
                ("Access-Control-Request-Headers", "X-Custom"),
            ],
            b"",
        )
    )
    out.append(("OPTIONS", "/post", [], b""))
    out.append(("POST", "/get", [], b""))
    out.append(("GET", "/post", [], b""))
    out.append(("PUT", "/redirect/1", [], b""))
    out.append(("HEAD", "/get", [], b""))
    out.append(("HEAD", "/redirect/2", [], b""))
    return out


KEPT_HEADERS = ("location", "content-type", "set-cookie", "allow", "www-authenticate", "x-more-info")


def kept(name):
    name = name.lower()
    return name in KEPT_HEADERS or name.startswith("access-control-")


def body_field(data):
    """A body as JSON text when it is UTF-8, base64 otherwise."""
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode("ascii")}


def record(port, method, target, extra_headers, body):
    headers = [("Host", HOST), ("User-Agent", USER_AGENT)] + list(extra_headers)
    if body:
        headers.append(("Content-Length", str(len(body))))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
    for name, value in headers:
        connection.putheader(name, value)
    connection.endheaders(body or None)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    answer = {
        "status": response.status,
        "headers": [[name.lower(), value] for name, value in response.getheaders() if kept(name)],
        "body": body_field(data),
    }
    content_type = response.getheader("Content-Type") or ""
    if content_type.startswith("application/json") and data:
        answer["body"]["json"] = json.loads(data.decode("utf-8"))
    request = {"method": method, "target": target, "headers": headers, "body": body_field(body)}
    return {"request": request, "response": answer}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="httpbin on 127.0.0.1:PORT")
    parser.add_argument("--out", required=True, help="the JSON file to write")
    parser.add_argument("--server", default="httpbin 0.10.2 on Flask 1.0.2, Werkzeug 0.14.1, "
                        "gunicorn 19.9.0, CPython 3.7", help="what answered, for the file")
    args = parser.parse_args()
    exchanges = [record(args.port, *request) for request in requests()]
    recording = {"recorded_from": args.server, "exchanges": exchanges}
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(recording, out, indent=1, ensure_ascii=False)
        out.write("\n")
    print("recorded", len(exchanges), "exchanges into", args.out)


if __name__ == "__main__":
    main()
