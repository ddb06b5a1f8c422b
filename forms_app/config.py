"""Configuration from the environment, with defaults that need nothing installed."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from .db.postgresql import ROUND_TRIP_ARG  # registers the bounded connections where it is used
from .limits import DEFAULTS as DEFAULT_LIMITS
from .staff.lockout import DEFAULTS as DEFAULT_LOCKOUT

ROOT = Path(__file__).resolve().parent.parent


def instance_secret(instance_path: str) -> str:
    """Without SECRET_KEY, a key made once and kept in the instance folder (mode 0600), so that
    officers' feed links and open forms survive a restart of a single-server install."""
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key)
        return key


def driver_url(url: str) -> str:
    """postgresql://… (as pg_dump and most hosting panels write it) as SQLAlchemy's psycopg 3 URL,
    the driver this project installs; other URLs unchanged."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def seconds(environ, name: str, default: float) -> float:
    raw = (environ.get(name) or "").strip()
    return float(raw) if raw else default


def url_options(url: str) -> str:
    from sqlalchemy.engine import make_url
    given = make_url(url).query.get("options", "")
    return " ".join(given) if isinstance(given, tuple) else given


def engine_options(url: str, environ=os.environ) -> dict:
    """SQLAlchemy engine options for a database URL. A server connection is checked before use,
    so that a pooled connection a restart of PostgreSQL cut is replaced instead of failing a
    resident's request; a SQLite file has no connection to lose, and the check is a query.

    Every wait on the database is bounded, so that a frozen or overloaded server answers the
    resident with a 503 within seconds instead of gunicorn killing the worker after 30 s with
    no answer at all: DB_CONNECT_TIMEOUT (a server that accepts and never answers),
    DB_STATEMENT_TIMEOUT and DB_LOCK_TIMEOUT (a query or a lock that never ends), DB_POOL_TIMEOUT
    (every pooled connection in use). SQLite's busy timeout is in db/sqlite.py."""
    # hide_parameters: an error's log line must not carry a resident's name, phone or token
    if url.startswith("sqlite"):
        return {"pool_pre_ping": False, "hide_parameters": True}
    statement_ms = int(seconds(environ, "DB_STATEMENT_TIMEOUT", 5) * 1000)
    lock_ms = int(seconds(environ, "DB_LOCK_TIMEOUT", 3) * 1000)
    return {
        "pool_pre_ping": True,
        "hide_parameters": True,
        "pool_timeout": seconds(environ, "DB_POOL_TIMEOUT", 5),
        "connect_args": {
            "connect_timeout": max(1, int(seconds(environ, "DB_CONNECT_TIMEOUT", 3))),
            # after any options the URL gives (a search_path), which this argument would otherwise replace
            "options": " ".join(filter(None, [url_options(url),
                                              f"-c statement_timeout={statement_ms} -c lock_timeout={lock_ms}"])),
            # a frozen server: no round trip waits longer than this (db/postgresql.py)
            ROUND_TRIP_ARG: seconds(environ, "DB_ROUND_TRIP_TIMEOUT", statement_ms / 1000 + 2),
            # a server that vanished without closing the connection is noticed within ~30 s
            "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3,
        },
    }


def ratelimit_settings(environ) -> dict:
    """Every RATELIMIT_* variable, as Flask-Limiter expects it: RATELIMIT_ENABLED=false is False."""
    found = {}
    for name, raw in environ.items():
        if not name.startswith("RATELIMIT_"):
            continue
        value = raw.strip()
        if value.lower() in ("true", "false"):
            found[name] = value.lower() == "true"
        elif value.isdigit():
            found[name] = int(value)
        else:
            found[name] = value
    return found


def from_environment(instance_path: str) -> dict:
    database = driver_url(os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'forms.sqlite3'}")
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": database,
        "ROSTER_DIR": os.environ.get("ROSTER_DIR") or str(ROOT / "data"),
        "SITE_URL": os.environ.get("SITE_URL") or "http://127.0.0.1:8000/",
        # This service's own public address, for links handed out where there is no request (officer-feeds).
        "FORMS_URL": os.environ.get("FORMS_URL") or "http://127.0.0.1:8001/",
        "WTF_CSRF_TIME_LIMIT": None,
        # Rate limits: Redis when several workers or hosts share them, memory on one process.
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_ENABLED": True,  # RATELIMIT_ENABLED=false turns every limit off (a load test, a limiting proxy)
        "RATELIMIT_HEADERS_ENABLED": True,  # Retry-After on a 429
        **DEFAULT_LIMITS,
        **ratelimit_settings(os.environ),
        # Per-account lockout after failed logins from any address (staff/lockout.py); LOGIN_LOCKOUT_* in minutes.
        **DEFAULT_LOCKOUT,
        **{name: int(os.environ[name]) for name in DEFAULT_LOCKOUT if (os.environ.get(name) or "").strip()},
        # One JSON line per request on stderr, without personal data (requestlog.py).
        "REQUEST_LOG": os.environ.get("REQUEST_LOG", "true").lower() != "false",
        # Addresses come from X-Forwarded-For only behind this many trusted proxies (nginx: 1).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES") or 0),
        # Photos of complaints; a shared volume when several hosts run the service.
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR"),
        # How long after the meeting a booking's personal data is kept (the consent text says so).
        "RETENTION_DAYS": int(os.environ.get("RETENTION_DAYS") or 180),
        # Every FlaskForm checks its own token, so a stale page re-shows the form with the
        # resident's input kept, instead of a bare 400 from a global check.
        "WTF_CSRF_CHECK_DEFAULT": False,
        # No request body is read past this (a 413); the complaint form raises it for its photos.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
    }
