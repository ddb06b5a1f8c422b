"""One JSON line per request, without personal data.

The line names the route pattern (``/manage/<token>``), never the path itself, which may carry
a manage token or a case number; no query string, no client address, no form fields. gunicorn's
own access log is off (deploy/gunicorn.conf.py) because it would write the raw path.
"""
from __future__ import annotations

import json
import logging
import sys
import time

from flask import Flask, Response, g, has_request_context, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import WSGIRequestHandler

logger = logging.getLogger("forms_app.requests")


class _Stderr(logging.StreamHandler):
    """Whatever sys.stderr is now (gunicorn and pytest both replace it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def route_pattern(app: Flask, path: str, method: str | None = None) -> str:
    """What a log line may say of a path: its route pattern (``/manage/<token>``), never the path
    itself, nor its query string; the one rule for every log that names a request."""
    # the request's own method: with match()'s default (GET) a POST-only route was "(no route)"
    method = method or (request.method if has_request_context() else None)
    try:
        rule, _args = app.url_map.bind("localhost").match(path.split("?", 1)[0], method=method, return_rule=True)
    except HTTPException:
        return "(no route)"
    return rule.rule


def dev_server_handler(app: Flask) -> type[WSGIRequestHandler]:
    """Werkzeug's development server (`make demo`) logs each request's raw path; this one logs
    the route pattern instead."""

    class PatternHandler(WSGIRequestHandler):
        def log_request(self, code="-", size="-") -> None:
            self.log("info", '"%s %s" %s %s', self.command, route_pattern(app, self.path, self.command), code, size)

    return PatternHandler


def install(app: Flask) -> None:
    if not app.config.get("REQUEST_LOG", True):
        return
    if not logger.handlers:
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    @app.before_request
    def _start() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response: Response) -> Response:
        if request.endpoint in ("health.healthz", "health.readyz", "static"):
            return response
        started = g.get("request_started")
        logger.info(json.dumps({
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else "(no route)",
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "bytes": response.calculate_content_length(),
        }, ensure_ascii=False))
        return response
