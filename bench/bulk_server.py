#!/usr/bin/env python3
"""A loopback server for bench/check_bulk.sh: GET /r/<id>/<n> answers 301 to /r/<id>/<n-1> while
n > 0, and /r/<id>/0 answers 200 with a small body, so /r/<id>/3 is a chain of 3 redirects and 4
requests. Every response waits LATENCY_MS milliseconds first (environment, default 0). GET
/stats, on a connection of its own, answers "connections=C requests=R" counted since the
previous /stats (itself not counted). Keep-alive HTTP/1.1, one daemon thread per connection, a
deep listen queue (so bursts of new connections are not refused). Prints its port, then serves
until killed."""

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LATENCY = float(os.environ.get("LATENCY_MS", "0")) / 1000
BODY = b"the end of the chain\n"
lock = threading.Lock()
counts = {"connections": 0, "requests": 0}


def count(key):
    with lock:
        counts[key] += 1


class Bulk(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One write per response (headers and body together, sent by the flush after each request)
    # and TCP_NODELAY: otherwise the body, written after the headers, waits for the client's
    # delayed ACK under Nagle's algorithm, about 40 ms per response with a body.
    wbufsize = -1
    disable_nagle_algorithm = True

    def setup(self):
        super().setup()
        count("connections")

    def do_GET(self):
        if self.path == "/stats":
            with lock:
                # This connection was counted too: leave it out.
                body = f"connections={counts['connections'] - 1} requests={counts['requests']}\n"
                body = body.encode()
                counts["connections"] = counts["requests"] = 0
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        count("requests")
        if LATENCY:
            time.sleep(LATENCY)
        parts = self.path.split("?", 1)[0].split("/")
        try:
            ident, n = parts[2], int(parts[3])
            assert parts[1] == "r" and len(parts) == 4
        except (AssertionError, IndexError, ValueError):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if n > 0:
            self.send_response(301)
            self.send_header("Location", f"/r/{ident}/{n - 1}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024


server = Server(("127.0.0.1", 0), Bulk)
print(server.server_address[1], flush=True)
server.serve_forever()
