"""Pieces of the OpenAPI 3.1 document that every resource uses."""
from __future__ import annotations


def json_response(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string"}, "message": {"type": "string"}}}
FIELD_ERRORS = {"type": "object", "required": ["error", "fields"], "properties": {
    "error": {"type": "string"},
    "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}
SCHEMAS = {"Error": ERROR, "FieldErrors": FIELD_ERRORS}

NOT_FOUND = json_response(ref("Error"), "not found")
INVALID = json_response(ref("FieldErrors"), "invalid input, per field")
TOO_MANY = {**json_response(ref("Error"), "too many requests from this address; wait as Retry-After says"),
            "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
    "description": "any unique string (a UUID): the same request sent again with the same key gets the first "
                   "answer again (with Idempotent-Replayed: true) instead of being done twice; kept for 24 hours; "
                   "only 2xx answers are kept. A Structured Field string (in double quotes) is accepted too."}
IDEMPOTENCY_RESPONSES = {
    "400": json_response(ref("Error"), "the Idempotency-Key is not 1 to 255 visible ASCII characters"),
    "409": json_response(ref("Error"), "a request with this Idempotency-Key is still being handled (Retry-After), "
                                       "or the booking's slot is full"),
    "422": json_response(ref("FieldErrors"), "invalid input, per field; also an Idempotency-Key already used with "
                                             "another body"),
}
# notify/choices.py: the resident's choice of messages, for a case and a booking alike
QUIET_SCHEMA = {"type": "boolean", "default": False,
                "description": "true: send the resident only what the case or booking needs (its number, a booking "
                               "made, cancelled or moved, the result), no reminders or progress messages"}
