"""The built site as a WSGI app, for `make serve` under gunicorn (nginx does this job in
production: deploy/nginx.conf). Fingerprinted assets are cached for a year; pages and
unfingerprinted files are revalidated each time, so a rebuilt roster shows at once."""
from __future__ import annotations

import os
import re
from pathlib import Path

from werkzeug.security import safe_join
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

ROOT = Path(__file__).resolve().parent.parent
# mkdocs-material names its bundles main.6f8fc17f.min.css, bundle.2a6f1dda.min.js …
FINGERPRINTED = re.compile(r"\.[0-9a-f]{8,}\.min\.(?:js|css)$")


def cache_control(path: str) -> str:
    if FINGERPRINTED.search(path):
        return "public, max-age=31536000, immutable"
    return "no-cache"


def create(root: str | os.PathLike | None = None):
    site = Path(root or os.environ.get("SITE_DIR") or ROOT / "site").resolve()

    def app(environ, start_response):
        request = Request(environ)
        if request.method not in ("GET", "HEAD"):
            return Response("405 Method Not Allowed", 405, {"Allow": "GET, HEAD"})(environ, start_response)
        relative = request.path.lstrip("/")
        found = safe_join(str(site), relative) if relative else str(site)
        if found and os.path.isdir(found):
            if not request.path.endswith("/"):
                return Response("", 301, {"Location": request.path + "/"})(environ, start_response)
            found = os.path.join(found, "index.html")
        if not found or not os.path.isfile(found):
            missing = site / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"404 Not Found"
            return Response(body, 404, content_type="text/html; charset=utf-8")(environ, start_response)
        response = send_file(found, environ, conditional=True, etag=True)
        response.headers["Cache-Control"] = cache_control(found)
        response.headers.pop("Content-Disposition", None)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response(environ, start_response)

    return app
