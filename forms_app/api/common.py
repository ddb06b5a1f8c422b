"""What every resource of /api/v1 shares: the blueprint, times, field errors, JSON bodies as form data."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify, request
from werkzeug.datastructures import MultiDict

from ..clock import aware

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def iso(moment: datetime | None) -> str | None:
    """+08:00, to the second."""
    return aware(moment).isoformat(timespec="seconds") if moment else None


def field_errors(fields: dict[str, list[str]], status: int = 422):
    return jsonify({"error": "invalid input", "fields": fields}), status


def form_data(body: dict, strings: tuple[str, ...], flags: tuple[str, ...], *, nullable: bool,
              strict_flags: bool) -> tuple[MultiDict, dict[str, list[str]]]:
    """The JSON body as form data for a WTForms form, and the fields of the wrong JSON type, which
    are refused rather than guessed at (``"name": false`` must not become a resident called
    "False"). ``nullable``: a null string counts as not given. A flag is on only when it is JSON
    true; ``strict_flags``: anything but true or false is an error, else it counts as off."""
    data, wrong = MultiDict(), {}
    for key in strings:
        value = body.get(key)
        if isinstance(value, str):
            data[key] = value
        elif key in body and not (value is None and nullable):
            wrong[key] = ["expected a string"]
    for key in flags:
        if strict_flags and key in body and not isinstance(body[key], bool):
            wrong[key] = ["expected true or false"]
        elif body.get(key) is True:
            data[key] = "y"
    return data, wrong


def validated_body(make_form, strings: tuple[str, ...], flags: tuple[str, ...], *, nullable: bool,
                   strict_flags: bool):
    """The request's JSON object in the form ``make_form(formdata)`` builds, validated: (form, None),
    or (None, the 422 answer naming every field at fault)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None, field_errors({"body": ["expected a JSON object"]})
    data, wrong = form_data(body, strings, flags, nullable=nullable, strict_flags=strict_flags)
    form = make_form(data)
    if not form.validate() or wrong:
        return None, field_errors({**{name: list(errors) for name, errors in form.errors.items()}, **wrong})
    return form, None
