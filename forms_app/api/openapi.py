"""The OpenAPI 3.1 description of /api/v1, assembled from each resource module's PATHS and
SCHEMAS (so a route and its description live side by side); kept true by a schemathesis test."""
from __future__ import annotations

from flask import jsonify

from . import appointments, cases, schema, stations
from .common import bp

RESOURCES = (stations, appointments, cases)


def openapi_document() -> dict:
    paths, schemas = {}, dict(schema.SCHEMAS)
    for resource in RESOURCES:
        paths.update(resource.PATHS)
        schemas.update(resource.SCHEMAS)
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
    return jsonify(openapi_document())
