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
