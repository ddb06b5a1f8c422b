"""Security headers on every response of the form service.

The policy allows scripts and styles from this service only: no inline script, no inline
style attribute (the templates carry none), and no page of the service may be framed, so the
staff console cannot be overlaid by another site (clickjacking)."""
from __future__ import annotations

from flask import Flask, request

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

# Pages that show one resident's booking or case (a department's report-in page too), or staff data: a shared computer's cache,
# or the back button after logout, must not show them again. Every page of the console lives under /staff, whichever
# blueprint draws it, so the prefix decides: a new console blueprint cannot forget to be private.
CONSOLE_PREFIX = "/staff"
PRIVATE_BLUEPRINTS = frozenset({"report_in"})
PRIVATE_ENDPOINTS = frozenset({
    "booking.booked", "booking.booked_ics", "booking.manage", "booking.find",
    "complaints.received", "complaints.tracked",
    "api.get_appointment", "api.get_case", "feeds.officer_feed",
})


def is_private(path: str, endpoint: str | None, blueprint: str | None) -> bool:
    in_console = path == CONSOLE_PREFIX or path.startswith(CONSOLE_PREFIX + "/")
    return in_console or blueprint in PRIVATE_BLUEPRINTS or endpoint in PRIVATE_ENDPOINTS


def install(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")  # for browsers without frame-ancestors
        if is_private(request.path, request.endpoint, request.blueprint):
            cache = response.headers.get("Cache-Control", "")
            if "no-store" not in cache:
                response.headers["Cache-Control"] = "no-store"
        return response
