"""Probes for a load balancer or systemd: /healthz (the process answers) and /readyz (it can
serve: the database answers and the roster is loaded). Neither is rate limited or logged as traffic."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from ..db.postgresql import deadline
from ..extensions import db, limiter
from ..rosters import RosterUnavailable, current_roster

bp = Blueprint("health", __name__)

READY_TIMEOUT = 2.0  # seconds for the database's answer: a load balancer's probe gives up soon after


@bp.get("/healthz")
@limiter.exempt
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
@limiter.exempt
def readyz():
    checks = {}
    try:
        with deadline(READY_TIMEOUT):  # a frozen server: "not ready" now, not when the probe gave up
            db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; its class name says which
        db.session.rollback()
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        checks["roster"] = f"ok: {len(current_roster().stations)} stations"
    except RosterUnavailable:
        checks["roster"] = "error: roster not loaded"
    ready = all(value.startswith("ok") for value in checks.values())
    return jsonify({"status": "ready" if ready else "not ready", **checks}), 200 if ready else 503
