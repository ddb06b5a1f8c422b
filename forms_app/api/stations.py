"""Stations, their officers and their bookable slots."""
from __future__ import annotations

from datetime import date

from flask import abort, jsonify, request

from ..booking.slots import available_slots, people_at
from ..rosters import current_roster
from .common import bp, field_errors, iso
from .schema import NOT_FOUND, json_response, ref

MAX_DAYS = 90


def _station_brief(roster, station) -> dict:
    return {"id": station.id, "name": station.name, "street": roster.street(station.street).name}


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
                for o in people_at(roster, station_id)]
    return jsonify({**_station_brief(roster, found), "address": found.address, "officers": officers,
                    "roles": sorted({o["role"] for o in officers}, key=roster.role_order)})


@bp.get("/stations/<station_id>/slots")
def slots(station_id: str):
    roster = current_roster()
    if not roster.has_station(station_id):
        abort(404, description="no such station")
    errors: dict[str, list[str]] = {}
    first_day = None
    # given but empty is a mistake too (the document says a date), not "from today"
    if "from" in request.args:
        try:
            first_day = date.fromisoformat(request.args["from"])
        except ValueError:
            errors["from"] = ["expected YYYY-MM-DD"]
    days = None
    if "days" in request.args:
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
        return field_errors(errors)
    found = available_slots(roster, station_id, officer=officer, role=role, first_day=first_day, days=days)
    return jsonify([{"officer": s.officer, "start": iso(s.start), "end": iso(s.end), "remaining": s.remaining}
                    for s in found])


# ---------------------------------------------------------------- OpenAPI

STATION_BRIEF = {"type": "object", "required": ["id", "name", "street"], "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "street": {"type": "string"}}}
OFFICER = {"type": "object", "required": ["id", "name", "role", "role_name", "organisation", "phone"], "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string"}, "role_name": {"type": "string"},
    "organisation": {"type": "string"}, "title": {"type": ["string", "null"]}, "phone": {"type": "string"}}}
SLOT = {"type": "object", "required": ["officer", "start", "end", "remaining"], "properties": {
    "officer": {"type": "string"}, "start": {"type": "string", "format": "date-time"},
    "end": {"type": "string", "format": "date-time"}, "remaining": {"type": "integer", "minimum": 0}}}
STATION = {"name": "station", "in": "path", "required": True, "schema": {"type": "string"}}
SCHEMAS = {"StationBrief": STATION_BRIEF, "Officer": OFFICER, "Slot": SLOT}
PATHS = {
    "/api/v1/stations": {"get": {"operationId": "listStations", "summary": "all stations", "responses": {
        "200": json_response({"type": "array", "items": ref("StationBrief")}, "stations")}}},
    "/api/v1/stations/{station}": {"get": {
        "operationId": "getStation", "summary": "a station with its officers and roles", "parameters": [STATION],
        "responses": {"200": json_response({"allOf": [ref("StationBrief"), {
            "type": "object", "required": ["officers", "roles"], "properties": {
                "address": {"type": "string"}, "officers": {"type": "array", "items": ref("Officer")},
                "roles": {"type": "array", "items": {"type": "string"}}}}]}, "the station"), "404": NOT_FOUND}}},
    "/api/v1/stations/{station}/slots": {"get": {
        "operationId": "listSlots", "summary": "bookable slots", "parameters": [
            STATION,
            {"name": "officer", "in": "query", "schema": {"type": "string"}},
            {"name": "role", "in": "query", "schema": {"type": "string"}},
            {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
            {"name": "days", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS}}],
        "responses": {"200": json_response({"type": "array", "items": ref("Slot")}, "free slots"),
                      "404": NOT_FOUND, "422": json_response(ref("FieldErrors"), "invalid parameters")}}},
}
