"""The console's pages of the per-officer record (实绩档案, officer_records.py): the officers of
the stations one may see with the month's figures, and one officer's month with the cases counted.
An officer who serves none of one's stations answers 404, like a case of another street."""
from __future__ import annotations

import re

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from .. import clock
from ..rosters import current_roster
from . import officer_records, reports
from .permissions import visible_stations

bp = Blueprint("officers", __name__, url_prefix="/staff")
MONTH = re.compile(r"(?:19|20|21)\d{2}-(?:0[1-9]|1[0-2])")  # years a record can have: 9999-12 has no month after it
BAD_MONTH = "月份要写成“年-月”，例如 2026-11；下面是本月的数字"


def _month() -> tuple[str, str | None]:
    """The month asked for, or this month with the words of what was wrong (the picker keeps what was typed)."""
    asked = request.args.get("month") or ""
    this = reports.month_of(clock.now().date())
    if not asked:
        return this, None
    return (asked, None) if MONTH.fullmatch(asked) else (this, BAD_MONTH)


def _stations(roster) -> tuple[list[str], str]:
    allowed = visible_stations(current_user, roster)
    station = request.args.get("station") or ""
    return ([station] if station in allowed else allowed), (station if station in allowed else "")


@bp.get("/officers")
@login_required
def officers_page():
    roster = current_roster()
    (month, error), (stations, station) = _month(), _stations(roster)
    found = officer_records.records(roster, month, stations)
    return render_template("staff/officers.html", month=month, error=error, asked=request.args.get("month") or month,
                           records=found, roster=roster, stations=visible_stations(current_user, roster),
                           station=station), 422 if error else 200


@bp.get("/officers/<officer>")
@login_required
def officer_page(officer: str):
    roster = current_roster()
    (month, error), (stations, station) = _month(), _stations(roster)
    found = officer_records.records(roster, month, stations, only=officer)
    if not found:
        abort(404)
    return render_template("staff/officer.html", month=month, error=error, asked=request.args.get("month") or month,
                           record=found[0], station=station), 422 if error else 200
