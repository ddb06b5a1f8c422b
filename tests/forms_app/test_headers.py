"""Security headers on every route of the form service, and a browser that keeps to the policy."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.forms_app.booking.test_slots import api_book, fixed_clock  # noqa: F401 - a fixture

TEMPLATES = Path(__file__).resolve().parents[2] / "forms_app" / "templates"
SAMPLE = {"int": "1", "id": "1", "month": "2026-11", "path": "forms.css"}
PRIVATE = ("/staff/", "/booked/", "/manage", "/track/", "/complaint/received", "/api/v1/appointments/",
           "/api/v1/cases/", "/feeds/", "/r/")


def sample_path(rule) -> str:
    path = rule.rule
    for converter, name in re.findall(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule.rule):
        value = SAMPLE.get(converter, "csv" if name == "fmt" else "x")
        path = re.sub(r"<[^>]*\b" + name + ">", value, path, count=1)
    return path


def test_every_route_carries_the_security_headers(app, client):
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 30
    for rule in rules:
        path = sample_path(rule)
        response = client.get(path)
        assert response.status_code < 500, path
        headers = response.headers
        policy = headers.get("Content-Security-Policy", "")
        assert "frame-ancestors 'none'" in policy, path
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, path
        assert headers.get("X-Content-Type-Options") == "nosniff", path
        assert headers.get("Referrer-Policy") == "same-origin", path
        if path.startswith(PRIVATE) and "GET" in rule.methods:  # a 405 has no route, and nothing to keep
            assert "no-store" in headers.get("Cache-Control", ""), path
        response.close()


@pytest.mark.usefixtures("fixed_clock")
def test_a_real_booking_page_and_the_console_are_not_stored(app, client):
    made = api_book(client)
    for path in (f"/manage/{made['manage_token']}", "/staff/login"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    assert "no-store" not in client.get("/book").headers.get("Cache-Control", "")


def test_templates_carry_no_inline_script_handler_or_style():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"\son[a-z]+\s*=", text), template
        assert not re.search(r"\sstyle\s*=", text), template


@pytest.mark.browser
def test_pages_work_under_the_policy_without_violations(live, phone):
    page = phone
    problems = []
    page.on("console", lambda message: problems.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(live["site"] + "stations/wenhua-lu/")  # the board's pages load under their own policy
    page.goto(live["forms"] + "/track")
    page.evaluate('localStorage.setItem("sb-elder", "1")')  # the form service's origin keeps its own setting
    for path in ("book?station=wenhua-lu", "complaint", "track", "staff/login"):
        response = page.goto(live["forms"] + "/" + path)
        assert response.headers.get("content-security-policy"), path
        # elder.js ran from its file, in <head>, before the page was drawn
        assert page.evaluate('document.documentElement.classList.contains("sb-elder")'), path
    assert problems == []


def test_session_cookie_is_httponly_lax_and_secure_over_https(make_app):
    plain = make_app().test_client().get("/staff/login")
    cookie = plain.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    proxied = make_app({"TRUSTED_PROXIES": 1}).test_client().get(
        "/staff/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    cookie = proxied.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
