"""Access probe: 100 wrong passwords for one staff account, each from its own address, then the right
one from another; and a session cookie saved before logout, replayed from a fresh client.

    python -m tools.probe_access [DATABASE_URL]

Without an argument, a temporary SQLite file; otherwise an empty database or schema (the migrations
run on it). The per-address login limits are raised so that only the per-account lockout is at work.
"""
from __future__ import annotations

import re
import sys
import tempfile
from collections import Counter
from datetime import datetime

from werkzeug.security import generate_password_hash

PASSWORD = "right password 1"


def post_login(client, username: str, password: str, address: str) -> int:
    page = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    return client.post("/staff/login", data={"csrf_token": token, "username": username, "password": password},
                       environ_overrides={"REMOTE_ADDR": address}).status_code


def main(url: str) -> None:
    from flask_migrate import upgrade

    from forms_app import create_app
    from forms_app.extensions import db
    from forms_app.models import Staff

    app = create_app({"TESTING": True, "SECRET_KEY": "probe", "SQLALCHEMY_DATABASE_URI": url, "REQUEST_LOG": False,
                      "RATELIMIT_LOGIN": "10000 per minute", "RATELIMIT_LOGIN_ADDRESS": "10000 per minute"})
    with app.app_context():
        upgrade()
        for username in ("guessed", "replayed"):
            db.session.add(Staff(username=username, display_name=username, role="admin", stations="",
                                 password_hash=generate_password_hash(PASSWORD), created_at=datetime(2026, 12, 3)))
        db.session.commit()

    guesser = app.test_client()
    codes = Counter(post_login(guesser, "guessed", f"guess {n}", f"10.9.{n // 200}.{n % 200 + 1}") for n in range(100))
    right = post_login(app.test_client(), "guessed", PASSWORD, "192.0.2.1")
    print(f"100 guesses from 100 addresses: {dict(codes)}; the right password afterwards: {right}")

    client = app.test_client()
    assert post_login(client, "replayed", PASSWORD, "192.0.2.2") == 303
    cookie = client.get_cookie("session").value
    page = client.get("/staff/logout").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    print("logout:", client.post("/staff/logout", data={"csrf_token": token}).status_code)
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    print("the cookie saved before logout, replayed on GET /staff/:", thief.get("/staff/").status_code)
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/probe.sqlite3")
