"""JSON API v1 for mini-programs and other front ends: one blueprint at /api/v1 (common.py), one
module per resource (stations, appointments, cases), each with its routes and its part of the
OpenAPI document, which openapi.py assembles. The same forms and services as the pages."""
from __future__ import annotations

from . import appointments, cases, openapi, stations  # noqa: F401 - each adds its routes to the blueprint
from .common import bp

__all__ = ["bp"]
