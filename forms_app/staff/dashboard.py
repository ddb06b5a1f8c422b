"""The KPI dashboard and report downloads of the staff console."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from .. import audit, clock
from ..extensions import db
from ..rosters import current_roster
from . import filings, officer_records, ranking, reports, supervision_report
from .permissions import visible_stations

bp = Blueprint("dashboard", __name__, url_prefix="/staff")


def _month() -> str:
    month = request.args.get("month") or reports.month_of(clock.now().date())
    try:
        reports.month_bounds(month)
    except (ValueError, TypeError):
        abort(404)
    return month


def _scope(roster) -> list[str]:
    allowed = visible_stations(current_user, roster)
    station = request.args.get("station") or None
    if station and station not in allowed:
        abort(404)
    return reports.scope_stations(roster, street=None, station=station, allowed=allowed)


@bp.get("/dashboard")
@login_required
def dashboard():
    roster = current_roster()
    month, stations = _month(), _scope(roster)
    found = reports.cases_in(roster, month, stations=stations)
    kpis = reports.station_kpis(roster, found, stations)
    handled = ranking.cases_handled(month, stations)  # seed 002's ranking counts the month's cases worked
    return render_template("staff/dashboard.html", month=month, kpis=kpis, roster=roster, total=len(found),
                           by_station=ranking.by_station(roster, handled, stations),
                           by_leader=ranking.by_grid_leader(roster, handled, stations),
                           leader=roster.role_name(ranking.grid_leader_role(roster)),
                           supervision=supervision_report.counts(month, stations),
                           stations=visible_stations(current_user, roster), station=request.args.get("station") or "")


@bp.get("/reports/<month:month>.<fmt>")
@login_required
def download(month: str, fmt: str):
    roster = current_roster()
    if fmt not in ("xlsx", "csv", "kpi.csv", "filings.csv"):
        abort(404)
    full = request.args.get("full") == "1"
    if full and current_user.role != "admin":
        abort(403)
    stations = _scope(roster)
    found = reports.cases_in(roster, month, stations=stations)
    if fmt == "kpi.csv":
        kpis = reports.kpi_rows(reports.station_kpis(roster, found, stations))
        sent = (reports.csv_text(reports.KPI_COLUMNS, reports.kpi_text_rows(kpis)).encode("utf-8"),
                "text/csv; charset=utf-8", f"{month}-kpi.csv")
    elif fmt == "filings.csv":  # the narrative and the filing of each station (filings.py)
        narrative = filings.sheet(month, filings.lines(roster, month, stations, clock.now_naive()))
        sent = (reports.csv_text(narrative.columns, narrative.rows).encode("utf-8"), "text/csv; charset=utf-8",
                f"{month}-filings.csv")
    elif fmt == "csv":
        register = reports.register_rows(roster, found, full=full)
        sent = (reports.csv_text(reports.REGISTER_COLUMNS, register).encode("utf-8"), "text/csv; charset=utf-8",
                f"{month}-register.csv")
    else:
        register = reports.register_rows(roster, found, full=full)
        kpis = reports.kpi_rows(reports.station_kpis(roster, found, stations))
        filed = filings.lines(roster, month, stations, clock.now_naive())
        sent = (reports.workbook(month, register, kpis, officer_records.sheets(roster, month, stations)
                                 + supervision_report.sheets(roster, month, stations)
                                 + (filings.sheet(month, filed),), filings.title_note(filed)),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{month}-register.xlsx")
    # On the record once the file exists. A GET that writes: end the read first, so that on SQLite
    # the log row starts a transaction of its own and waits its turn for the write lock (db/sqlite.py).
    db.session.commit()
    reports.log_export(actor=current_user.display_name, staff_id=current_user.id, month=month,
                       scope=request.args.get("station") or "我能看到的全部站点", full=full, fmt="filings" if fmt == "filings.csv" else fmt)  # the log's column holds 8
    if full:
        audit.record("export_full", staff=current_user, target=f"{month}.{fmt}")
    db.session.commit()
    return _file(*sent)


def _file(body: bytes, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                      "Cache-Control": "private, no-store"})
