"""JSON API v1 for mini-programs and other front ends; the same service layer as the pages."""
from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, abort, jsonify, request
from werkzeug.datastructures import MultiDict

from . import appointments, limits
from .appointments import BookingError, Resident
from .forms import ApiBookingForm
from .openapi import openapi_document
from .rosters import current_roster
from .slots import aware, available_slots

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_DAYS = 90


def _station_brief(roster, station) -> dict:
    return {"id": station.id, "name": station.name, "street": roster.street(station.street).name}


def _iso(moment: datetime) -> str:
    return aware(moment).isoformat(timespec="seconds")


def _errors(fields: dict[str, list[str]], status: int = 422):
    return jsonify({"error": "invalid input", "fields": fields}), status


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/stations")
def stations():
    roster = current_roster()
    return jsonify([_station_brief(roster, s) for s in roster.stations])


@bp.get("/stations/<station_id>")
def station(station_id: str):
    roster = current_roster()
    if not roster.has_station(station_id):
        abort(404, description="no such station")
    found = roster.station(station_id)
    officers = [{"id": o.id, "name": o.name, "role": o.role, "role_name": roster.role_name(o.role),
                 "organisation": o.organisation, "title": o.title, "phone": o.phone}
                for o in roster.officers_at(station_id)]
    return jsonify({**_station_brief(roster, found), "address": found.address, "officers": officers,
                    "roles": sorted({o["role"] for o in officers}, key=roster.role_order)})


@bp.get("/stations/<station_id>/slots")
def slots(station_id: str):
    roster = current_roster()
    if not roster.has_station(station_id):
        abort(404, description="no such station")
    errors: dict[str, list[str]] = {}
    first_day = None
    if request.args.get("from"):
        try:
            first_day = date.fromisoformat(request.args["from"])
        except ValueError:
            errors["from"] = ["expected YYYY-MM-DD"]
    days = None
    if request.args.get("days"):
        try:
            days = int(request.args["days"])
            if not 1 <= days <= MAX_DAYS:
                raise ValueError
        except ValueError:
            errors["days"] = [f"expected a whole number from 1 to {MAX_DAYS}"]
    officer, role = request.args.get("officer") or None, request.args.get("role") or None
    # A typo is an error; a real officer or role this station lacks just has no slots here.
    if officer and not roster.has_officer(officer):
        errors["officer"] = ["no such officer"]
    if role and role not in roster.roles:
        errors["role"] = ["no such role; one of " + ", ".join(roster.roles)]
    if errors:
        return _errors(errors)
    found = available_slots(roster, station_id, officer=officer, role=role, first_day=first_day, days=days)
    return jsonify([{"officer": s.officer, "start": _iso(s.start), "end": _iso(s.end), "remaining": s.remaining}
                    for s in found])


def _form_data(body: dict) -> tuple[MultiDict, dict[str, list[str]]]:
    """The body as form data, and the fields that are not JSON strings (``"name": false`` must
    not become a resident called "False")."""
    data, wrong = MultiDict(), {}
    for key in ("station", "officer", "start", "name", "phone", "topic", "description"):
        value = body.get(key)
        if isinstance(value, str):
            data[key] = value
        elif value is not None:
            wrong[key] = ["expected a string"]
    if body.get("consent") is True:
        data["consent"] = "y"
    return data, wrong


@bp.post("/appointments")
@limits.resident_post
def create_appointment():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _errors({"body": ["expected a JSON object"]})
    roster = current_roster()
    formdata, wrong_types = _form_data(body)
    form = ApiBookingForm(formdata=formdata)
    form.set_topics(roster.settings.categories)
    if not form.validate() or wrong_types:
        return _errors({**{name: list(errors) for name, errors in form.errors.items()}, **wrong_types})
    try:
        start = datetime.fromisoformat(form.start.data)
    except ValueError:
        return _errors({"start": ["expected an ISO 8601 date-time such as 2026-11-23T09:00:00+08:00"]})
    if not roster.has_station(form.station.data):
        return _errors({"station": ["no such station"]})
    resident = Resident(form.name.data.strip(), form.phone.data, form.topic.data, (form.description.data or "").strip())
    try:
        appointment = appointments.book(roster, form.station.data, form.officer.data, start, resident)
    except appointments.SlotTaken as exc:
        return jsonify({"error": exc.code, "message": exc.message}), 409
    except BookingError as exc:
        return _errors({exc.field or "slot": [exc.message]})
    return jsonify({"number": appointment.number, "manage_token": appointment.manage_token,
                    "start": _iso(appointment.starts_at), "end": _iso(appointment.ends_at)}), 201


def _appointment_json(roster, appointment) -> dict:
    return {"number": appointment.number, "status": appointment.status, "station": appointment.station_id,
            "officer": appointment.officer_id, "start": _iso(appointment.starts_at), "end": _iso(appointment.ends_at),
            "topic": appointment.topic, "bring": roster.settings.bring}


@bp.get("/appointments/<number>")
def get_appointment(number: str):
    appointment = appointments.by_number(number, request.args.get("token", ""))
    if appointment is None:
        abort(404, description="no such appointment")
    return jsonify(_appointment_json(current_roster(), appointment))


@bp.delete("/appointments/<number>")
@limits.resident_post
def delete_appointment(number: str):
    appointment = appointments.by_number(number, request.args.get("token", ""))
    if appointment is None:
        abort(404, description="no such appointment")
    roster = current_roster()
    body = request.get_json(silent=True)
    reason = (body.get("reason") if isinstance(body, dict) else None) or request.args.get("reason") or "居民在线取消"
    try:
        appointments.cancel(roster, appointment, str(reason)[:200])
    except appointments.TooLate as exc:
        return jsonify({"error": exc.code, "message": exc.message}), 409
    except BookingError as exc:
        return jsonify({"error": exc.code, "message": exc.message}), 409
    return jsonify(_appointment_json(roster, appointment))
