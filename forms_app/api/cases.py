"""Complaints: categories, filing a case, tracking it. The same forms and the same resident's
view of a case as the pages (cases/public.py)."""
from __future__ import annotations

from flask import abort, jsonify, request

from .. import limits
from ..cases import officers, service, sources
from ..cases.flow import RESIDENT_STATES
from ..cases.forms import DESCRIPTION_MAX, ApiCaseForm
from ..cases.public import public_view
from ..inputs import normalise_number
from ..rosters import current_roster
from .common import bp, field_errors, iso, validated_body
from .idempotency import idempotent
from .schema import IDEMPOTENCY_KEY, IDEMPOTENCY_RESPONSES, INVALID, QUIET_SCHEMA, TOO_MANY, json_response, ref

STRINGS = ("station", "category", "description", "location", "occurred", "name", "phone", "contact_time")
FLAGS = ("anonymous", "sensitive", "consent", "sensitive_consent", "quiet")
NOT_FOUND = "no case with this number and these phone digits"


@bp.get("/categories")
def categories():
    return jsonify([{"code": c.code, "name": c.name} for c in current_roster().settings.categories])


@bp.post("/cases")
@limits.complaint
@idempotent
def create_case():
    roster = current_roster()
    form, refused = validated_body(lambda data: ApiCaseForm(formdata=data, roster=roster), STRINGS, FLAGS,
                                   nullable=False, strict_flags=True)
    if refused:
        return refused
    case = service.file_complaint(roster, form.fields())
    return jsonify({"number": case.number, "expected_response": iso(case.due_at)}), 201


@bp.get("/cases/<number>")
@limits.track
@limits.track_number
def get_case(number: str):
    digits = request.args.get("phone_last4", "")
    if not (len(digits) == 4 and digits.isascii() and digits.isdigit()):
        return field_errors({"phone_last4": ["expected the last 4 digits of the phone number"]})
    case = service.find_for_resident(normalise_number(number), digits)
    if case is None:
        abort(404, description=NOT_FOUND)  # the same answer for an unknown number and wrong digits
    roster = current_roster()
    view = public_view(roster, case)
    return jsonify({
        "number": view["number"], "state": view["state"], "state_name": view["state_name"],
        "station": view["station"], "station_name": view["station_name"], "category": view["category"],
        "category_name": view["category_name"], "department": view["department"],
        "registered_at": iso(view["registered_at"]), "expected_response": iso(view["expected_response"]),
        "due": iso(view["due"]), "satisfaction": view["satisfaction"],
        "officers": officers.public(roster, case), "source": case.source,
        "timeline": [{"at": iso(s["at"]), "action": s["action"], "state": s["state"], "text": s["text"]}
                     for s in view["timeline"]],
    })


# ---------------------------------------------------------------- OpenAPI


CASE_EXAMPLE = {"station": "wenhua-lu", "category": "neighbours", "description": "楼上漏水，协商不成", "location": "3 栋",
                "name": "张三", "phone": "13812345678", "consent": True, "sensitive_consent": False}
DATE_TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
SCHEMAS = {
    "Category": {"type": "object", "required": ["code", "name"], "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}}},
    "CaseRequest": {
        "type": "object", "required": ["station", "category", "description", "name", "phone", "consent"],
        "properties": {
            "station": {"type": "string", "description": "a station id"},
            "category": {"type": "string", "description": "a code from /api/v1/categories"},
            "description": {"type": "string", "minLength": 1, "maxLength": DESCRIPTION_MAX,
                            "description": "what happened"},
            "location": {"type": "string", "maxLength": 200}, "occurred": {"type": "string", "maxLength": 100},
            "name": {"type": "string", "minLength": 1, "maxLength": 40},
            "phone": {"type": "string", "description": "a mainland mobile number, e.g. 13812345678"},
            "contact_time": {"type": "string", "maxLength": 100},
            "anonymous": {"type": "boolean", "description": "do not tell the other party the resident's name"},
            "sensitive": {"type": "boolean", "description": "the text holds health or minors' information"},
            "consent": {"const": True, "description": "must be true: the resident agreed to the consent text"},
            "sensitive_consent": {"type": "boolean", "description": "must be true when sensitive is true"},
            "quiet": QUIET_SCHEMA},
        # sensitive text needs its own consent (PIPL art. 29): refused without it, so the schema says so
        "if": {"required": ["sensitive"], "properties": {"sensitive": {"const": True}}},
        "then": {"required": ["sensitive_consent"], "properties": {"sensitive_consent": {"const": True}}}},
    "CaseCreated": {"type": "object", "required": ["number", "expected_response"], "properties": {
        "number": {"type": "string"},
        "expected_response": {**DATE_TIME_OR_NULL, "description": "first response due by (+08:00)"}}},
    "TimelineStep": {"type": "object", "required": ["at", "action", "state", "text"], "properties": {
        "at": {"type": "string", "format": "date-time"}, "action": {"type": "string"},
        "state": {"type": ["string", "null"], "description": "the state this step led to, if it changed"},
        "text": {"type": "string"}}},
    "CaseOfficer": {"type": "object", "required": ["id", "name", "role", "role_name"], "properties": {
        "id": {"type": "string", "description": "the officer's id in the roster (data/officers.yaml)"},
        "name": {"type": ["string", "null"], "description": "the public name the board shows; null if no longer on the roster"},
        "role": {"type": ["string", "null"], "description": "judge, prosecutor, police, lawyer, mediator, grid-worker …"},
        "role_name": {"type": ["string", "null"]}}},
    "CaseStatus": {
        "type": "object",
        "required": ["number", "state", "state_name", "station", "category", "department", "expected_response", "due",
                     "timeline"],
        "properties": {
            "number": {"type": "string"}, "state": {"type": "string", "enum": list(RESIDENT_STATES)},
            "state_name": {"type": "string"}, "station": {"type": "string"}, "station_name": {"type": "string"},
            "category": {"type": "string"}, "category_name": {"type": "string"},
            "department": {"type": ["string", "null"]}, "registered_at": {"type": "string", "format": "date-time"},
            "expected_response": DATE_TIME_OR_NULL,
            "due": {**DATE_TIME_OR_NULL, "description": "deadline of the current step; null once closed"},
            "satisfaction": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
            "officers": {"type": "array", "items": ref("CaseOfficer"),
                         "description": "the roster officers who handled the case, as the board names them"},
            "source": {"type": "string", "enum": list(sources.SOURCES),
                       "description": "where the case came from: web (this API or the resident's form), or registered "
                                      "by a clerk from a phone call, the counter, the police, a grid sweep or another system"},
            "timeline": {"type": "array", "items": ref("TimelineStep")}}},
}
PATHS = {
    "/api/v1/categories": {"get": {
        "operationId": "listCategories", "summary": "complaint categories",
        "responses": {"200": json_response({"type": "array", "items": ref("Category")}, "categories")}}},
    "/api/v1/cases": {"post": {
        "operationId": "createCase", "parameters": [IDEMPOTENCY_KEY], "summary": "file a complaint; it becomes a case",
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": ref("CaseRequest"), "example": CASE_EXAMPLE}}},
        "responses": {**IDEMPOTENCY_RESPONSES, "201": json_response(ref("CaseCreated"), "registered"),
                      "429": TOO_MANY}}},
    "/api/v1/cases/{number}": {"get": {
        "operationId": "getCase", "summary": "a case's state and timeline, for the resident who filed it",
        "parameters": [
            {"name": "number", "in": "path", "required": True, "schema": {"type": "string"}},
            {"name": "phone_last4", "in": "query", "required": True,
             "schema": {"type": "string", "pattern": "^[0-9]{4}$"},
             "description": "last four digits of the phone given when filing"}],
        "responses": {"200": json_response(ref("CaseStatus"), "the case"),
                      "404": json_response(ref("Error"), "unknown number or wrong digits (the same answer)"),
                      "422": INVALID, "429": TOO_MANY}}},
}
