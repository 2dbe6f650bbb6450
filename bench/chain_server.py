#!/usr/bin/env python3
"""A loopback server for bench/long_chain.sh: GET /hop/N answers 302 to /hop/N+1 until N reaches
the length given on the command line, which answers 200. Keep-alive HTTP/1.1, one thread per
connection, so the client's per-hop cost is what the benchmark sees. Prints its port, then serves
until killed."""

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LENGTH = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


class Chain(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        try:
            n = int(self.path.rsplit("/", 1)[1])
        except (IndexError, ValueError):
            n = LENGTH
        if n < LENGTH:
            self.send_response(302)
            self.send_header("Location", f"/hop/{n + 1}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            body = b"the end of the chain\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Chain)
print(server.server_address[1], flush=True)
server.serve_forever()
