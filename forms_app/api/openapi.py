"""The OpenAPI 3.1 description of /api/v1, assembled from each resource module's PATHS and
SCHEMAS (so a route and its description live side by side); kept true by a schemathesis test."""
from __future__ import annotations

import copy

from flask import jsonify

from ..rosters import current_roster

from . import appointments, cases, schema, stations
from .common import bp

RESOURCES = (stations, appointments, cases)


def openapi_document(roster=None) -> dict:
    """The document; with a roster, a booking example that would book now."""
    paths, schemas = copy.deepcopy({k: v for r in RESOURCES for k, v in r.PATHS.items()}), dict(schema.SCHEMAS)
    for resource in RESOURCES:
        schemas.update(resource.SCHEMAS)
    example = appointments.booking_example(roster) if roster is not None else None
    if example:
        paths["/api/v1/appointments"]["post"]["requestBody"]["content"]["application/json"]["example"] = example
    paths["/api/v1/openapi.json"] = {"get": {"operationId": "openapi", "summary": "this document", "responses": {
        "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "三官一师 form service", "version": "1.0.0",
                 "description": "Appointments inside published duty hours. Times are ISO 8601 in +08:00."},
        "paths": paths,
        "components": {"schemas": schemas},
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(current_roster()))
