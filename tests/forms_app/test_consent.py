"""Each booking and case keeps the version of the consent text the resident agreed to: the page's
words, the API's (the same forms), and a meeting's case the booking's."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from roster import TZ
from tests.helpers import csrf_token

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    import forms_app.clock

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)


def shown_version(html: str, *, sensitive: bool = False) -> str:
    """The version of the consent label(s) as the page rendered them."""
    from markupsafe import Markup

    from forms_app.consent import version

    labels = dict(re.findall(r'<label[^>]*for="(consent|sensitive_consent)"[^>]*>.*?<span>(.*?)</span>', html, re.S))
    texts = [Markup(labels["consent"]).unescape().strip()]
    if sensitive:
        texts.append(Markup(labels["sensitive_consent"]).unescape().strip())
    return version(*texts)


def stored(app, model):
    from forms_app.extensions import db

    with app.app_context():
        return db.session.scalars(select(model.consent_version)).all()


def test_a_complaint_keeps_the_version_of_the_text_shown(client, app):
    from forms_app.models import Case

    html = client.get("/complaint?station=wenhua-lu").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "station": "wenhua-lu", "category": "neighbours", "description": "楼上漏水",
            "name": "张三", "phone": "13812345678", "consent": "y", "sensitive": "y", "sensitive_consent": "y"}
    assert client.post("/complaint?station=wenhua-lu", data=data).status_code == 303
    assert stored(app, Case) == [shown_version(html, sensitive=True)]


def test_a_booking_keeps_it_on_the_page_and_in_the_api_and_passes_it_to_its_case(client, app):
    from forms_app.booking.forms import CONSENT_TEXT
    from forms_app.consent import version
    from forms_app.models import Appointment

    body = {"station": "wenhua-lu", "officer": "chen-hao", "start": "2026-11-23T09:00:00+08:00", "name": "张三",
            "phone": "13812345678", "topic": "legal-advice", "consent": True}
    assert client.post("/api/v1/appointments", json=body).status_code == 201
    expected = version(CONSENT_TEXT.format(days=app.config["RETENTION_DAYS"]))
    assert stored(app, Appointment) == [expected]
    app.config["RETENTION_DAYS"] = 90  # the text now promises something else: another version
    assert client.post("/api/v1/appointments", json={**body, "phone": "13912345678",
                                                     "start": "2026-11-23T09:30:00+08:00"}).status_code == 201
    assert stored(app, Appointment)[1] == version(CONSENT_TEXT.format(days=90)) != expected
