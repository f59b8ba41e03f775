#!/usr/bin/env python3
"""tests/api/exchange_receiver.py - a consumer's endpoint for the exchange's
push tests (t1500): answers each POST with the next status of a list (the
last one repeated), and keeps what it got: request N's body in DIR/N.body and
its headers in DIR/N.headers. Listens on 127.0.0.1 on a free port, written
to DIR/port once it accepts connections.

usage: exchange_receiver.py DIR STATUS[,STATUS...]
"""
import http.server
import os
import sys

folder, statuses = sys.argv[1], [int(s) for s in sys.argv[2].split(",")]
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        count += 1
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(os.path.join(folder, "%d.body" % count), "wb") as f:
            f.write(body)
        with open(os.path.join(folder, "%d.headers" % count), "w") as f:
            f.write(str(self.headers))
        status = statuses[min(count, len(statuses)) - 1]
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(folder, "port.tmp"), "w") as f:
    f.write(str(server.server_port))
os.rename(os.path.join(folder, "port.tmp"), os.path.join(folder, "port"))
server.serve_forever()
