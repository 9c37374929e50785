"""Serve a built site on 127.0.0.1 the way a static host such as GitHub Pages does: text files
compressed with gzip. Used by the browser tests and by the Lighthouse report."""

import functools
import gzip
import http.server
import threading
from contextlib import contextmanager
from pathlib import Path


class StaticHostHandler(http.server.SimpleHTTPRequestHandler):
    COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map")

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts_gzip and path.is_file() and path.suffix in self.COMPRESSED):
            return super().do_GET()
        body = gzip.compress(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def serve(directory):
    """Serve `directory` on a free port of 127.0.0.1; yields the base URL, ending in /."""
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(StaticHostHandler, directory=str(directory))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
