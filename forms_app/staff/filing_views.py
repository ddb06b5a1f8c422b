"""The console's pages of the filed monthly register (filings.py): a station's month, where its
staff write the narrative, file it (报送) and withdraw it; and the street's list of who has filed
by the deadline. Station staff edit their own stations, an administrator any; a supervisor reads
the street's; a station or street outside one's reach answers 404."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import clock
from ..extensions import db
from ..inputs import PlainTextForm
from ..rosters import current_roster
from . import filing_rules as rules, filings, reports
from .filing_forms import FilingForm
from .permissions import visible_stations

bp = Blueprint("register_filings", __name__, url_prefix="/staff")
BAD_MONTH = "月份要写成“年-月”，例如 2026-11；下面是本月的情况"
EDITORS = ("station", "admin")


def _station_month(station_id: str, month: str):
    roster = current_roster()
    if not rules.valid_month(month) or station_id not in visible_stations(current_user, roster):
        abort(404)
    return roster


def _page(roster, station_id: str, month: str, form: FilingForm | None = None, error: str | None = None,
          status: int = 200):
    now = clock.now_naive()
    row = filings.find(station_id, month)
    editable = current_user.role in EDITORS and (row is None or row.filed_at is None)
    if form is None and editable:
        form = FilingForm(formdata=None, data={**({name: getattr(row, name) for name in rules.PARTS} if row else {}),
                                               "version": str(row.version if row else 0)})
    return render_template(
        "staff/filing.html", roster=roster, station=roster.station(station_id), station_id=station_id, month=month,
        row=row, form=form if editable else None, error=error, parts=rules.PARTS,
        unsaved=form.texts() if form is not None and not editable and current_user.role in EDITORS else None,
        label=rules.STATUSES[rules.status(month, row.filed_at if row else None, now)], due=rules.due_date(month),
        may_file=rules.may_file_yet(month, now),
        may_withdraw=bool(row and row.filed_at and rules.may_withdraw(current_user.role, month, now))), status


@bp.route("/register-filings/<station_id>/<month>", methods=["GET", "POST"])
@login_required
def filing_page(station_id: str, month: str):
    roster = _station_month(station_id, month)
    if request.method == "GET":
        return _page(roster, station_id, month)
    if current_user.role not in EDITORS:
        abort(403)  # a supervisor reads the street's registers; the station writes its own
    form = FilingForm()
    if not form.validate_on_submit():
        return _page(roster, station_id, month, form, "还有内容需要改一下，见下面各栏的提示", 422)
    file = request.form.get("intent") == "file"
    try:
        filings.save(station_id, month, form.texts(), current_user, int(form.version.data), clock.now_naive(), file=file)
    except filings.Refused as refused:
        db.session.rollback()
        return _page(roster, station_id, month, form, str(refused), 409)
    db.session.commit()
    flash(f"{month} 登记表已报送" if file else "已保存（还没有报送）", "success")
    return redirect(url_for(".filing_page", station_id=station_id, month=month), 303)


@bp.post("/register-filings/<station_id>/<month>/withdraw")
@login_required
def withdraw(station_id: str, month: str):
    roster = _station_month(station_id, month)
    if current_user.role not in EDITORS:
        abort(403)
    if not PlainTextForm().validate_on_submit():
        abort(400)
    try:
        filings.withdraw(station_id, month, current_user, clock.now_naive())
    except filings.Refused as refused:
        db.session.rollback()
        return _page(roster, station_id, month, error=str(refused), status=409)
    db.session.commit()
    flash("已撤回报送：改好后请再次报送", "success")
    return redirect(url_for(".filing_page", station_id=station_id, month=month), 303)


@bp.get("/register-filings")
@login_required
def filings_list():
    roster = current_roster()
    asked = request.args.get("month") or ""
    month, error = asked or reports.month_of(clock.now().date()), None
    if not rules.valid_month(month):
        month, error = reports.month_of(clock.now().date()), BAD_MONTH
    reach = visible_stations(current_user, roster)
    street = request.args.get("street") or ""
    stations = [s for s in reach if not street or roster.station(s).street == street]
    if street and not stations:
        abort(404)  # a street one cannot see, or none of that name
    streets = list(dict.fromkeys(roster.station(s).street for s in reach))
    found = filings.lines(roster, month, stations, clock.now_naive())
    return render_template("staff/filings.html", roster=roster, month=month, asked=asked or month, error=error,
                           street=street, streets=streets, lines=found, counts=filings.counts(found),
                           statuses=rules.STATUSES, due=rules.due_date(month)), 422 if error else 200
