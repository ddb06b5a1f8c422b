"""Two console accounts for the session and lockout tests, and logging in by the form."""
from __future__ import annotations

from datetime import datetime

import pytest
from werkzeug.security import generate_password_hash

from roster import TZ
from tests.helpers import csrf_token

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


@pytest.fixture
def accounts(app):
    """A station account ``wenhua`` and an administrator ``admin``, both with PASSWORD; the
    per-address login limits raised, so that only the per-account lockout is at work."""
    from forms_app.extensions import db
    from forms_app.models import Staff

    app.config.update(RATELIMIT_LOGIN="10000 per minute", RATELIMIT_LOGIN_ADDRESS="10000 per minute")
    with app.app_context():
        for username, role, stations in (("wenhua", "station", "wenhua-lu"), ("admin", "admin", "")):
            db.session.add(Staff(username=username, display_name=f"{username}工作人员", role=role, stations=stations,
                                 password_hash=generate_password_hash(PASSWORD), created_at=NOW.replace(tzinfo=None)))
        db.session.commit()
    return app


def post_login(client, username, password, address="127.0.0.1"):
    page = client.get("/staff/login").get_data(as_text=True)
    return client.post("/staff/login", data={"csrf_token": csrf_token(page), "username": username, "password": password},
                       environ_overrides={"REMOTE_ADDR": address})


def signed_in(app, username):
    client = app.test_client()
    response = post_login(client, username, PASSWORD)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client
