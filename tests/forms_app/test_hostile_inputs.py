"""Hostile input at the service's doors: refused with a field error or a 404, never a 500, and a
refused request writes nothing. Runs on SQLite and PostgreSQL through the ``app`` fixture."""
from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from forms_app.extensions import db
from forms_app.inputs import hostile_character, lookup_key, same_secret
from forms_app.models import Case

CASE = {"station": "wenhua-lu", "category": "labour", "description": "工资拖欠两个月", "location": "工地",
        "name": "王五", "phone": "13912345678", "consent": True, "sensitive_consent": False}
# Each example from its own address, so that the rate limits (a 429) do not hide the answer.
ADDRESSES = (f"10.9.{n // 250}.{n % 250 + 1}" for n in itertools.count())
HOSTILE = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f", "\ud800", "\u202a", "\u202e", "\u2066", "\u2069"]


def case_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Case))


@pytest.mark.parametrize("char", HOSTILE + ["\n", "\t", "\r"])
def test_single_line_text_refuses_every_control(char):
    assert hostile_character(f"王{char}五", multi_line=False)


@pytest.mark.parametrize("char", HOSTILE)
def test_multi_line_text_refuses_controls_but_not_line_breaks(char):
    assert hostile_character(f"第一行{char}", multi_line=True)
    assert not hostile_character("第一行\r\n第二行\t完", multi_line=True)


@pytest.mark.parametrize("char", HOSTILE + ["\n"])
@pytest.mark.parametrize("field", ["name", "location"])
def test_api_refuses_a_control_in_a_single_line_field_and_writes_nothing(client, app, field, char):
    response = client.post("/api/v1/cases", json={**CASE, field: f"王{char}五"})
    assert response.status_code == 422 and field in response.json["fields"]
    assert case_count(app) == 0


@pytest.mark.parametrize("char", HOSTILE)
def test_api_refuses_a_control_in_the_description(client, app, char):
    response = client.post("/api/v1/cases", json={**CASE, "description": f"工资{char}拖欠"})
    assert response.status_code == 422 and "description" in response.json["fields"]
    assert case_count(app) == 0


def test_api_keeps_line_breaks_in_the_description(client):
    response = client.post("/api/v1/cases", json={**CASE, "description": "工资拖欠\r\n两个月\t未付"})
    assert response.status_code == 201, response.json


@pytest.mark.parametrize("path", ["/booked/%00abc", "/manage/%00abc", "/manage/%C3%A9",
                                  "/api/v1/appointments/%00AB?token=x", "/api/v1/appointments/2611-AB?token=%C3%A9",
                                  "/api/v1/cases/%00?phone_last4=5678"])
def test_hostile_path_tokens_are_not_found(client, path):
    assert client.get(path).status_code == 404


def test_secret_comparison_refuses_non_ascii_instead_of_raising():
    assert not same_secret("é", "abc") and not same_secret("\ud800", "abc") and not same_secret(None, "abc")
    assert same_secret("abc", "abc") and lookup_key("a\x00b") is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["name", "description", "location", "occurred", "contact_time", "station"]),
       value=st.one_of(st.text(), st.text(alphabet=st.characters(codec=None, categories=["Cc", "Cs", "Cf"])),
                       st.integers(), st.none(), st.lists(st.text(), max_size=3)))
def test_api_case_never_answers_500_and_a_refusal_writes_nothing(client, app, field, value):
    before = case_count(app)
    response = client.post("/api/v1/cases", json={**CASE, field: value},
                           environ_overrides={"REMOTE_ADDR": next(ADDRESSES)})
    assert response.status_code in (201, 422), response.get_data(as_text=True)
    if response.status_code == 422:
        assert case_count(app) == before


@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/appointments"])
def test_deeply_nested_json_is_refused_not_a_500(client, app, path):
    response = client.post(path, data="[" * 100000, content_type="application/json",
                           environ_overrides={"REMOTE_ADDR": next(ADDRESSES)})
    assert 400 <= response.status_code < 500
    assert case_count(app) == 0


@pytest.mark.parametrize("start", ["9999-12-31T23:59:00-12:00", "0001-01-01T00:00:00+14:00", "9999-12-31T20:00:00+08:00"])
def test_a_booking_start_at_the_ends_of_the_calendar_is_a_field_error(client, start):
    response = client.post("/api/v1/appointments", environ_overrides={"REMOTE_ADDR": next(ADDRESSES)},
                           json={"station": "wenhua-lu", "officer": "chen-hao", "start": start, "name": "王五",
                                 "phone": "13912345678", "topic": "legal-advice", "consent": True})
    assert response.status_code == 422 and "start" in response.json["fields"]


@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/appointments", "/book?station=wenhua-lu", "/track"])
def test_a_body_over_a_megabyte_is_refused_unread(client, app, path):
    body = {**CASE, "description": "长" * 400_000}  # 1.2 MB of UTF-8
    response = client.post(path, json=body, environ_overrides={"REMOTE_ADDR": next(ADDRESSES)})
    assert response.status_code == 413
    assert case_count(app) == 0
