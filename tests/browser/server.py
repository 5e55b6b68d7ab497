"""A static file server for the built site on 127.0.0.1 (a free port), in a background thread.

Content types come from the file extension, as on any static host; the data downloads get the
registered types explicitly so the result does not depend on the machine's /etc/mime.types.
`gzip=True` and `cache_seconds` make it behave like a typical static host (GitHub Pages:
gzip for text, `Cache-Control: max-age=600`) for the bandwidth benchmark."""
from __future__ import annotations

import contextlib
import functools
import gzip as gzip_module
import http.server
import io
import threading
from pathlib import Path

TYPES = {
    ".csv": "text/csv",
    ".zip": "application/zip",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".sqlite": "application/vnd.sqlite3",
    ".sqlite3": "application/vnd.sqlite3",
    ".db": "application/vnd.sqlite3",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".js": "text/javascript",
    ".css": "text/css",
    ".xml": "application/xml",
    ".webmanifest": "application/manifest+json",
}
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml",
                "application/xml", "application/manifest+json")


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}
    use_gzip = False
    cache_seconds: int | None = None

    def log_message(self, *args):  # quiet
        pass

    def end_headers(self):
        if self.cache_seconds is not None:
            self.send_header("Cache-Control", f"max-age={self.cache_seconds}")
        super().end_headers()

    def send_head(self):
        if not self.use_gzip or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to the folder URL
            path = path / "index.html"
        ctype = self.guess_type(str(path))
        if not path.is_file() or not ctype.startswith(COMPRESSIBLE):
            return super().send_head()
        body = gzip_module.compress(path.read_bytes(), compresslevel=6, mtime=0)
        stamp = self.date_time_string(int(path.stat().st_mtime))
        if self.headers.get("If-Modified-Since") == stamp:
            self.send_response(304)
            self.end_headers()
            return None
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", stamp)
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)


@contextlib.contextmanager
def serve(site_dir: Path, gzip: bool = False, cache_seconds: int | None = None):
    """Serve `site_dir`; yields the base URL ('http://127.0.0.1:PORT/'); stops on exit."""
    handler = type("SiteHandler", (Handler,), {"use_gzip": gzip, "cache_seconds": cache_seconds})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site_dir)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
