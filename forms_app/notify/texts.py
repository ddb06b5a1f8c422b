"""The texts of the notifications: Jinja2 templates in Chinese under
forms_app/templates/notify/<event>.<recipient kind>.txt, each short enough for one SMS
(SMS_LIMIT characters, tested with the longest realistic values), with the number and a short
link (FORMS_URL + /t/<number>)."""
from __future__ import annotations

from flask import current_app, render_template

SMS_LIMIT = 70


def short_link(number: str, kind: str = "t") -> str:
    """/t/<number> opens a case's tracking form, /b/<number> a booking's look-up, number filled in."""
    return current_app.config["FORMS_URL"].rstrip("/") + f"/{kind}/" + number


def staff_link(number: str) -> str:
    """The staff case page (staff/views.py case_page, behind the console's login): where the owner
    and the supervisor act on a deadline or an arrival notice."""
    return current_app.config["FORMS_URL"].rstrip("/") + "/staff/cases/" + number


def render(event: str, kind: str, **values) -> str:
    return " ".join(render_template(f"notify/{event}.{kind}.txt", **values).split())


def render_detail(event: str, kind: str, **values) -> str:
    """The longer body of notify/detail/<event>.<kind>.txt, line by line, for e-mail and webhooks."""
    lines = (" ".join(line.split()) for line in render_template(f"notify/detail/{event}.{kind}.txt", **values).splitlines())
    return "\n".join(line for line in lines if line)
