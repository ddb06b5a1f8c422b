"""The OpenAPI 3.1 description of /api/v1, kept true by a schemathesis test."""
from __future__ import annotations

ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string"}, "message": {"type": "string"}}}
FIELD_ERRORS = {"type": "object", "required": ["error", "fields"], "properties": {
    "error": {"type": "string"},
    "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}
STATION_BRIEF = {"type": "object", "required": ["id", "name", "street"], "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "street": {"type": "string"}}}
OFFICER = {"type": "object", "required": ["id", "name", "role", "role_name", "organisation", "phone"], "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string"}, "role_name": {"type": "string"},
    "organisation": {"type": "string"}, "title": {"type": ["string", "null"]}, "phone": {"type": "string"}}}
SLOT = {"type": "object", "required": ["officer", "start", "end", "remaining"], "properties": {
    "officer": {"type": "string"}, "start": {"type": "string", "format": "date-time"},
    "end": {"type": "string", "format": "date-time"}, "remaining": {"type": "integer", "minimum": 0}}}
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
                           "consent": {"const": True, "description": "must be true: the resident agreed to the consent text"}}}
BOOKING_EXAMPLE = {"station": "wenhua-lu", "officer": "chen-hao", "start": "2026-11-23T09:00:00+08:00", "name": "张三",
                   "phone": "13812345678", "topic": "legal-advice", "description": "想问问租房合同的事", "consent": True}
CREATED = {"type": "object", "required": ["number", "manage_token", "start", "end"], "properties": {
    "number": {"type": "string"}, "manage_token": {"type": "string"},
    "start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"}}}
APPOINTMENT = {"type": "object", "required": ["number", "status", "station", "officer", "start", "end"], "properties": {
    "number": {"type": "string"}, "status": {"type": "string", "enum": ["booked", "cancelled"]},
    "station": {"type": "string"}, "officer": {"type": "string"}, "start": {"type": "string", "format": "date-time"},
    "end": {"type": "string", "format": "date-time"}, "topic": {"type": "string"}, "bring": {"type": "string"}}}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


NOT_FOUND = _json(_ref("Error"), "not found")
TOO_MANY = {**_json(_ref("Error"), "too many requests from this address; wait as Retry-After says"),
            "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}}
STATION = {"name": "station", "in": "path", "required": True, "schema": {"type": "string"}}
NUMBER = {"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}
TOKEN = {"name": "token", "in": "query", "required": True, "schema": {"type": "string"},
         "description": "manage_token returned when the appointment was made"}


def openapi_document() -> dict:
    from .cases_api import CASES_PATHS, CASES_SCHEMAS  # complaints and tracking (issue 4)

    document = {
        "openapi": "3.1.0",
        "info": {"title": "三官一师 form service", "version": "1.0.0",
                 "description": "Appointments inside published duty hours. Times are ISO 8601 in +08:00."},
        "paths": {
            "/api/v1/stations": {"get": {"operationId": "listStations", "summary": "all stations", "responses": {
                "200": _json({"type": "array", "items": _ref("StationBrief")}, "stations")}}},
            "/api/v1/stations/{station}": {"get": {
                "operationId": "getStation", "summary": "a station with its officers and roles", "parameters": [STATION],
                "responses": {"200": _json({"allOf": [_ref("StationBrief"), {"type": "object", "required": ["officers", "roles"], "properties": {
                    "address": {"type": "string"}, "officers": {"type": "array", "items": _ref("Officer")},
                    "roles": {"type": "array", "items": {"type": "string"}}}}]}, "the station"), "404": NOT_FOUND}}},
            "/api/v1/stations/{station}/slots": {"get": {
                "operationId": "listSlots", "summary": "bookable slots", "parameters": [
                    STATION,
                    {"name": "officer", "in": "query", "schema": {"type": "string"}},
                    {"name": "role", "in": "query", "schema": {"type": "string"}},
                    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                    {"name": "days", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 90}}],
                "responses": {"200": _json({"type": "array", "items": _ref("Slot")}, "free slots"),
                              "404": NOT_FOUND, "422": _json(_ref("FieldErrors"), "invalid parameters")}}},
            "/api/v1/appointments": {"post": {
                "operationId": "createAppointment", "summary": "book a slot",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": _ref("AppointmentRequest"), "example": BOOKING_EXAMPLE}}},
                "responses": {"201": _json(_ref("Created"), "booked"),
                              "409": _json(_ref("Error"), "the slot is full"),
                              "422": _json(_ref("FieldErrors"), "invalid input, per field"), "429": TOO_MANY}}},
            "/api/v1/appointments/{number}": {
                "get": {"operationId": "getAppointment", "summary": "an appointment", "parameters": [NUMBER, TOKEN],
                        "responses": {"200": _json(_ref("Appointment"), "the appointment"), "404": NOT_FOUND}},
                "delete": {"operationId": "cancelAppointment", "summary": "cancel an appointment",
                           "parameters": [NUMBER, TOKEN, {"name": "reason", "in": "query", "schema": {"type": "string"}}],
                           "responses": {"200": _json(_ref("Appointment"), "cancelled"), "404": NOT_FOUND,
                                         "409": _json(_ref("Error"), "too late to cancel online, or already cancelled"),
                                         "429": TOO_MANY}}},
            "/api/v1/openapi.json": {"get": {"operationId": "openapi", "summary": "this document", "responses": {
                "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        },
        "components": {"schemas": {
            "Error": ERROR, "FieldErrors": FIELD_ERRORS, "StationBrief": STATION_BRIEF, "Officer": OFFICER, "Slot": SLOT,
            "AppointmentRequest": APPOINTMENT_REQUEST, "Created": CREATED, "Appointment": APPOINTMENT}},
    }
    document["paths"].update(CASES_PATHS)
    document["components"]["schemas"].update(CASES_SCHEMAS)
    return document
