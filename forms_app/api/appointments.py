"""Appointments: book a slot, look one up, cancel it (with the number and the private token)."""
from __future__ import annotations

from flask import abort, jsonify, request

from .. import clock, limits
from ..booking import service as appointments
from ..booking.forms import ApiBookingForm
from ..booking.slots import candidate_slots, officers_for
from ..booking.service import BookingError
from ..extensions import db
from ..rosters import current_roster
from .common import bp, field_errors, iso, validated_body
from .idempotency import idempotent
from .schema import (IDEMPOTENCY_KEY, IDEMPOTENCY_RESPONSES, INVALID, NOT_FOUND, QUIET_SCHEMA, TOO_MANY,
                     json_response, ref)

STRINGS = ("station", "officer", "start", "name", "phone", "topic", "description")


@bp.post("/appointments")
@limits.resident_post
@idempotent
def create_appointment():
    roster = current_roster()

    def make_form(formdata):
        form = ApiBookingForm(formdata=formdata)
        form.set_topics(roster.settings.categories)
        return form
    form, refused = validated_body(make_form, STRINGS, ("consent", "quiet"), nullable=True, strict_flags=False)
    if refused:
        return refused
    try:
        start = clock.from_iso(form.start.data)
    except ValueError:
        return field_errors({"start": ["expected an ISO 8601 date-time such as 2026-11-23T09:00:00+08:00"]})
    if not roster.has_station(form.station.data):
        return field_errors({"station": ["no such station"]})
    resident = form.resident()
    try:
        appointment = appointments.book(roster, form.station.data, form.officer.data, start, resident)
    except appointments.SlotTaken as exc:
        return jsonify({"error": exc.code, "message": exc.message}), 409
    except BookingError as exc:
        return field_errors({exc.field or "slot": [exc.message]})
    return jsonify({"number": appointment.number, "manage_token": appointment.manage_token,
                    "start": iso(appointment.starts_at), "end": iso(appointment.ends_at)}), 201


def _appointment_json(roster, appointment) -> dict:
    return {"number": appointment.number, "status": appointment.status, "station": appointment.station_id,
            "officer": appointment.officer_id, "start": iso(appointment.starts_at), "end": iso(appointment.ends_at),
            "topic": appointment.topic, "bring": roster.settings.bring}


@bp.get("/appointments/<number>")
@limits.booking_lookup
@limits.booking_number
def get_appointment(number: str):
    """With the private token, or with the phone's last four digits (counted like the page's look-up)."""
    if "phone_last4" in request.args:
        digits = request.args["phone_last4"]
        if not (len(digits) == 4 and digits.isascii() and digits.isdigit()):
            return field_errors({"phone_last4": ["expected the last 4 digits of the phone number"]})
        appointment = appointments.find_for_resident(number, digits)
    else:
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
        db.session.commit()
    except BookingError as exc:
        return jsonify({"error": exc.code, "message": exc.message}), 409
    return jsonify(_appointment_json(roster, appointment))


# ---------------------------------------------------------------- OpenAPI

APPOINTMENT_REQUEST = {"type": "object", "required": ["station", "officer", "start", "name", "phone", "topic", "consent"],
                       "properties": {
                           "station": {"type": "string", "minLength": 1}, "officer": {"type": "string", "minLength": 1},
                           "start": {"type": "string", "format": "date-time",
                                     "description": "a slot start from .../slots, e.g. 2026-11-23T09:00:00+08:00"},
                           "name": {"type": "string", "minLength": 1, "maxLength": 40, "pattern": "\\S"},
                           "phone": {"type": "string", "minLength": 1,
                                     "description": "a mainland mobile number; full-width digits, spaces and +86 accepted"},
                           "topic": {"type": "string", "minLength": 1, "description": "a category code from the roster"},
                           "description": {"type": ["string", "null"], "maxLength": 500},
                           "consent": {"const": True, "description": "must be true: the resident agreed to the consent text"},
                           "quiet": QUIET_SCHEMA}}
def booking_example(roster) -> dict | None:
    """A request that would book now: the roster's first published slot (the document is read
    later than it was written, so a fixed date would soon be in the past; the document reads no
    bookings, so the slot may be full by then); None if the roster publishes none."""
    now = clock.now()
    for station in roster.stations:
        found = candidate_slots(roster, station.id, officers_for(roster, station.id), now.date(),
                                roster.settings.booking_days, now)
        if found and roster.settings.categories:
            officer, start, _end = found[0]
            return {"station": station.id, "officer": officer, "start": iso(start), "name": "张三",
                    "phone": "13812345678", "topic": roster.settings.categories[0].code,
                    "description": "想问问租房合同的事", "consent": True}
    return None
CREATED = {"type": "object", "required": ["number", "manage_token", "start", "end"], "properties": {
    "number": {"type": "string"}, "manage_token": {"type": "string"},
    "start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"}}}
APPOINTMENT = {"type": "object", "required": ["number", "status", "station", "officer", "start", "end"], "properties": {
    "number": {"type": "string"}, "status": {"type": "string", "enum": ["booked", "cancelled"]},
    "station": {"type": "string"}, "officer": {"type": "string"}, "start": {"type": "string", "format": "date-time"},
    "end": {"type": "string", "format": "date-time"}, "topic": {"type": "string"}, "bring": {"type": "string"}}}
NUMBER = {"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}
TOKEN = {"name": "token", "in": "query", "required": True, "schema": {"type": "string"},
         "description": "manage_token returned when the appointment was made"}
# Looking up: the token, or the last four digits of the phone (rate-limited per address and number).
LOOKUP = [{**TOKEN, "required": False, "description": "manage_token returned when the appointment was made; "
                                                     "or give phone_last4"},
          {"name": "phone_last4", "in": "query", "required": False, "schema": {"type": "string", "pattern": "^[0-9]{4}$"},
           "description": "last four digits of the phone given when booking, instead of the token"}]
SCHEMAS = {"AppointmentRequest": APPOINTMENT_REQUEST, "Created": CREATED, "Appointment": APPOINTMENT}
PATHS = {
    "/api/v1/appointments": {"post": {
        "operationId": "createAppointment", "parameters": [IDEMPOTENCY_KEY], "summary": "book a slot",
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": ref("AppointmentRequest")}}},  # the example is the current roster's (booking_example)
        "responses": {**IDEMPOTENCY_RESPONSES, "201": json_response(ref("Created"), "booked"), "429": TOO_MANY}}},
    "/api/v1/appointments/{number}": {
        "get": {"operationId": "getAppointment", "summary": "an appointment, by its token or the phone's last four digits",
                "parameters": [NUMBER, *LOOKUP],
                "responses": {"200": json_response(ref("Appointment"), "the appointment"),
                              "404": json_response(ref("Error"), "unknown number, wrong token or digits (the same answer)"),
                              "422": INVALID, "429": TOO_MANY}},
        "delete": {"operationId": "cancelAppointment", "summary": "cancel an appointment",
                   "parameters": [NUMBER, TOKEN, {"name": "reason", "in": "query", "schema": {"type": "string"}}],
                   "responses": {"200": json_response(ref("Appointment"), "cancelled"), "404": NOT_FOUND,
                                 "409": json_response(ref("Error"), "too late to cancel online, or already cancelled"),
                                 "429": TOO_MANY}}},
}
