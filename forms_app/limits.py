"""Rate limits, one place: every POST a resident can make, login, and look-ups of a case or a booking.

Each limit is a Flask-Limiter ``RATELIMIT_*`` setting, settable from the environment
(config.py reads every ``RATELIMIT_*`` variable). Storage is in memory, or Redis when
``REDIS_URL`` is set, so that a limit hit on one server holds on every other.
"""
from __future__ import annotations

from flask import current_app, request
from flask_limiter.util import get_remote_address

from .extensions import limiter
from .inputs import normalise_number

DEFAULTS = {
    # Booking, changing or cancelling a booking, rating a closed case: per client address.
    "RATELIMIT_RESIDENT_POST": "20 per minute;200 per day",
    "RATELIMIT_COMPLAINT": "30 per hour",
    # Tracking: per address, enough for a family and too few to try 10,000 last-four digits;
    # and per case number from any address.
    "RATELIMIT_TRACK": "20 per minute",
    "RATELIMIT_TRACK_NUMBER": "30 per hour",
    # Staff login: per account and address, and per address whatever the account (password spraying).
    "RATELIMIT_LOGIN": "5 per minute",
    "RATELIMIT_LOGIN_ADDRESS": "20 per minute",
}


def setting(name: str):
    """The limit string for ``limiter.limit``, read when the request comes."""
    def current() -> str:
        return current_app.config.get(name) or DEFAULTS[name]
    current.__name__ = name.lower()
    return current


def _tracked_number() -> str | None:
    return request.form.get("number") if request.method == "POST" else (request.view_args or {}).get("number")


def track_number_key() -> str:
    return "track|" + normalise_number(_tracked_number())


def login_key() -> str:
    return f"login|{get_remote_address()}|{(request.form.get('username') or '').strip().lower()}"


resident_post = limiter.limit(setting("RATELIMIT_RESIDENT_POST"), methods=["POST", "DELETE"])
complaint = limiter.limit(setting("RATELIMIT_COMPLAINT"), methods=["POST"])
def _no_number() -> bool:
    return normalise_number(_tracked_number()) == ""


# Shared by the page and the API: a case number gets its documented tries in all, not per route.
track = limiter.shared_limit(setting("RATELIMIT_TRACK"), scope="track")
track_number = limiter.shared_limit(setting("RATELIMIT_TRACK_NUMBER"), scope="track-number",
                                    key_func=track_number_key, exempt_when=_no_number)


# Finding a booking by its number and the phone's last four digits: the same limits as tracking a
# case, per address and per booking number, shared by the page and the API.
def booking_number_key() -> str:
    return "booking|" + normalise_number(_tracked_number())


def _not_by_digits() -> bool:
    """The private link (a 43-character token) cannot be guessed; only a look-up by digits is counted."""
    return "phone_last4" not in request.values


booking_lookup = limiter.shared_limit(setting("RATELIMIT_TRACK"), scope="booking-lookup", exempt_when=_not_by_digits)
booking_number = limiter.shared_limit(setting("RATELIMIT_TRACK_NUMBER"), scope="booking-number",
                                      key_func=booking_number_key,
                                      exempt_when=lambda: _not_by_digits() or _no_number())
login = limiter.limit(setting("RATELIMIT_LOGIN"), key_func=login_key, methods=["POST"])
login_address = limiter.limit(setting("RATELIMIT_LOGIN_ADDRESS"), methods=["POST"])
