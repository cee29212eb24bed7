#!/usr/bin/env python3
"""Loopback baseline for the hazards upload benchmark (bench/hazards/run.sh): an HTTP server that reads a request
body (Content-Length) in 1 MiB pieces, throws it away and answers 200 with the byte count. curl uploading the same
multipart form to it measures the client and the loopback alone, with nothing stored. Prints its port."""
import http.server
import sys


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        left = int(self.headers.get("Content-Length", "0"))
        total = 0
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 20))
            if not chunk:
                break
            total += len(chunk)
            left -= len(chunk)
        body = ('{"received":%d}' % total).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
print(server.server_address[1], flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    sys.exit(0)
