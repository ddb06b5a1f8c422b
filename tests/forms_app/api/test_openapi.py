"""The JSON API against its OpenAPI 3.1 document: schemathesis calls every operation through WSGI
and checks status codes, content types and bodies against the document."""
from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from roster import TZ
from tests.helpers import SMALL_ROSTER

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=TZ)


@pytest.fixture
def fixed_clock(monkeypatch):
    import forms_app.clock

    monkeypatch.setattr(forms_app.clock, "now", lambda: NOW)


def _document_app():
    """An app just to serve the document at collection time (the API under test is the ``app``
    fixture, with its migrated database). schemathesis.pytest.from_fixture would be neater, but
    schemathesis 4.32's lazy schemas use ``Node._nodeid``, which pytest 9.2 no longer has."""
    from forms_app import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                       "ROSTER_DIR": str(SMALL_ROSTER)})


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _document_app())


@schema.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api_matches_its_document(case, app, fixed_clock):
    # A well-formed booking can still be refused with 422: the start must be a published slot
    # and the topic one of the roster's categories, which a static document cannot enumerate.
    excluded = [positive_data_acceptance] if case.method == "POST" else []
    case.call_and_validate(app=app, excluded_checks=excluded)


def test_document_is_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.json
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] and document["info"]["version"]
    # every $ref points at a schema that exists
    refs = set(re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(document)))
    assert refs and refs <= set(document["components"]["schemas"])


def test_every_api_route_is_documented(app, client):
    document = client.get("/api/v1/openapi.json").json
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path.replace("{station_id}", "{station}"), method))
    assert routes, "no API routes found"
    assert routes == documented
    # path parameters in the document are named as in the paths
    for path, item in document["paths"].items():
        for operation in item.values():
            in_path = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert in_path == set(re.findall(r"{(\w+)}", path)), path


def call(app, method: str, path: str, **parts):
    """One hand-made case through schemathesis, its response validated against the document."""
    operation = schema[path][method]
    case = operation.Case(**parts)
    response = case.call(app=app)
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
    return response


def test_happy_paths_match_the_document(app, fixed_clock):
    """Random input rarely names a real station or a published slot: walk the real ones too."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    BOOKING_EXAMPLE = document["paths"]["/api/v1/appointments"]["post"]["requestBody"]["content"][
        "application/json"]["example"]  # the roster's first free slot, as the document says

    assert call(app, "GET", "/api/v1/stations").json()[0]["id"] == "wenhua-lu"
    station = call(app, "GET", "/api/v1/stations/{station}", path_parameters={"station": "wenhua-lu"}).json()
    assert station["roles"] == ["judge", "prosecutor", "police", "lawyer"]
    slots = call(app, "GET", "/api/v1/stations/{station}/slots", path_parameters={"station": "wenhua-lu"},
                 query={"role": "police", "from": "2026-11-23", "days": 1}).json()
    assert slots[0]["start"] == BOOKING_EXAMPLE["start"] == "2026-11-23T09:00:00+08:00"

    created = call(app, "POST", "/api/v1/appointments", body=BOOKING_EXAMPLE)
    assert created.status_code == 201
    made = created.json()
    assert call(app, "POST", "/api/v1/appointments", body=dict(BOOKING_EXAMPLE, phone="13900000000")).status_code == 409
    key = {"path_parameters": {"number": made["number"]}, "query": {"token": made["manage_token"]}}
    shown = call(app, "GET", "/api/v1/appointments/{number}", **key).json()
    assert shown["status"] == "booked" and shown["officer"] == "chen-hao"
    assert call(app, "DELETE", "/api/v1/appointments/{number}", **key).json()["status"] == "cancelled"
    again = call(app, "DELETE", "/api/v1/appointments/{number}", **key)
    assert again.status_code == 409
    wrong = {"path_parameters": {"number": made["number"]}, "query": {"token": "wrong"}}
    assert call(app, "GET", "/api/v1/appointments/{number}", **wrong).status_code == 404


@pytest.mark.parametrize("today", [datetime(2026, 11, 23, 7, 0, tzinfo=TZ), datetime(2027, 3, 1, 20, 0, tzinfo=TZ)])
def test_the_booking_example_would_book_whenever_the_document_is_read(app, client, monkeypatch, today):
    import forms_app.clock

    monkeypatch.setattr(forms_app.clock, "now", lambda: today)
    example = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/appointments"]["post"][
        "requestBody"]["content"]["application/json"]["example"]
    assert datetime.fromisoformat(example["start"]) > today
    assert client.post("/api/v1/appointments", json=example).status_code == 201


def test_the_document_says_what_the_service_refuses(client, fixed_clock):
    document = client.get("/api/v1/openapi.json").get_json()
    case = document["components"]["schemas"]["CaseRequest"]
    assert case["properties"]["consent"] == {"const": True, "description": case["properties"]["consent"]["description"]}
    assert case["then"]["properties"]["sensitive_consent"]["const"] is True
    body = {"station": "wenhua-lu", "category": "neighbours", "description": "楼上漏水", "name": "张三",
            "phone": "13812345678", "consent": True, "sensitive": True}
    assert client.post("/api/v1/cases", json=body).status_code == 422  # as the schema's if/then says
    assert client.get("/api/v1/stations/wenhua-lu/slots?from=").status_code == 422
    assert client.get("/api/v1/stations/wenhua-lu/slots?days=").status_code == 422
