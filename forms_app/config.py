"""Configuration from the environment, with defaults that need nothing installed."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def from_environment(instance_path: str) -> dict:
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'forms.sqlite3'}"
    return {
        # Without SECRET_KEY a random key is made per process: fine for a demo, but sessions,
        # CSRF tokens and officers' feed links then change on every restart.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": database,
        "ROSTER_DIR": os.environ.get("ROSTER_DIR") or str(ROOT / "data"),
        "SITE_URL": os.environ.get("SITE_URL") or "http://127.0.0.1:8000/",
        "WTF_CSRF_TIME_LIMIT": None,
    }
