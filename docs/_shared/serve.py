"""Serve the built book on 127.0.0.1 as GitHub Pages does: a missing page gets ``404.html``.

Usage: ``python docs/_shared/serve.py [PORT] [HTML_DIR]`` (``nox -s serve``).
The browser checks (``tests/site``) serve the book with the same handler.
"""

from __future__ import annotations

import functools
import http.server
import sys
from pathlib import Path


class BookHandler(http.server.SimpleHTTPRequestHandler):
    """A static server that answers a missing address with the book's ``404.html``."""

    def send_error(self, code, message=None, explain=None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def server(html: Path, port: int = 0, quiet: bool = False) -> http.server.ThreadingHTTPServer:
    """A server for the book in ``html`` on 127.0.0.1 (port 0: any free port)."""
    handler = BookHandler
    if quiet:
        handler = type("QuietBookHandler", (BookHandler,), {"log_message": lambda *a: None})
    return http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(handler, directory=str(html))
    )


def main(argv: list[str]) -> None:
    port = int(argv[0]) if argv else 8000
    html = Path(argv[1] if len(argv) > 1 else Path(__file__).resolve().parents[1] / "_build/html")
    with server(html, port) as httpd:
        print(f"serving {html} on http://127.0.0.1:{port}/ (Ctrl+C to stop)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main(sys.argv[1:])
