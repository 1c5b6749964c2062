#!/usr/bin/env python3
"""One site for bench/many-links.sh, on 127.0.0.1: 'hostile' (the front page links to --links pages) or 'normal'
(--pages pages reached through chained listing pages of 100 links). Every other page is small and has no link.
robots.txt answers 404 (everything allowed)."""
import argparse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--kind", choices=["hostile", "normal"], required=True)
parser.add_argument("--links", type=int, default=1_000_000)
parser.add_argument("--pages", type=int, default=10_000)
parser.add_argument("--port", type=int, required=True)
args = parser.parse_args()

PAGE = b"<html><head><title>page</title></head><body><p>A small page without links.</p></body></html>"
FRONT = None
if args.kind == "hostile":
    FRONT = ("<html><head><title>many links</title></head><body>"
             + "".join(f'<a href="/p/{i}">{i}</a>\n' for i in range(args.links)) + "</body></html>").encode()


def listing(n):
    listings = (args.pages + 99) // 100
    start = n * 100
    items = "".join(f'<a href="/p/{i}">{i}</a>\n' for i in range(start, min(start + 100, args.pages)))
    nxt = f'<a href="/list/{n + 1}">next</a>' if n + 1 < listings else ""
    return f"<html><head><title>list {n}</title></head><body>{items}{nxt}</body></html>".encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/":
            body = FRONT if FRONT is not None else listing(0)
        elif self.path.startswith("/list/") and args.kind == "normal":
            body = listing(int(self.path[6:]))
        elif self.path.startswith("/p/"):
            body = PAGE
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()
