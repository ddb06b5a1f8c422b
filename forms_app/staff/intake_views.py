"""The console's registration (登记) of a request received by phone, at the counter, from the
police, by a sweep or from another system (cases/intake.py), and the slip printed for the resident
(回执: A5 or an 80 mm receipt). Another clerk's station, and registering as a street supervisor,
answer 404 like everything outside one's reach."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import clock
from ..cases import flow, intake, sources
from ..extensions import db
from ..rosters import current_roster
from .intake_forms import RegisterForm
from .permissions import case_or_404, visible_stations

bp = Blueprint("intake", __name__, url_prefix="/staff")


def _stations(roster) -> list[str]:
    """The stations the signed-in clerk registers at; 404 for a supervisor, or for a station asked
    for (in the query or the form) outside them."""
    if not intake.may_register(current_user):
        abort(404)
    stations = visible_stations(current_user, roster)
    asked = request.form.get("station") if request.method == "POST" else request.args.get("station")
    if asked and asked not in stations:
        abort(404)
    return stations


@bp.route("/register", methods=["GET", "POST"])
@login_required
def register():
    roster = current_roster()
    stations = _stations(roster)
    preselected = request.args.get("station") or (stations[0] if len(stations) == 1 else "")
    form = RegisterForm(roster=roster, stations=stations, data={"station": preselected})
    if form.validate_on_submit():
        try:
            case, new = intake.register(roster, current_user, form.fields(), stations, clock.now())
        except flow.IllegalAction as exc:
            db.session.rollback()
            if exc.field and hasattr(form, exc.field):
                getattr(form, exc.field).errors = [exc.message]
            else:
                flash(exc.message, "error")
        else:
            db.session.commit()
            flash(f"已登记，编号 {case.number}，您是首问责任人；请打印回执交给群众" if new
                  else "同样的内容几分钟前已经登记过，这就是那件案件", "success")
            return redirect(url_for("staff.case_page", number=case.number), 303)
    return render_template("staff/register.html", form=form, single=len(stations) == 1, roster=roster), \
        422 if form.is_submitted() else 200


@bp.get("/cases/<number>/slip")
@login_required
def slip(number: str):
    roster = current_roster()
    case = case_or_404(number, current_user, roster)
    size = request.args.get("size") or intake.SIZES[0]
    if size not in intake.SIZES:
        abort(404)
    return render_template("staff/slip.html", slip=intake.slip(roster, case), size=size, case=case)


@bp.app_template_filter("source")
def _source_words(code: str | None) -> str:
    """{{ case.source|source }}: 电话, 窗口/来访 … (cases/sources.py)."""
    return sources.label(code)


@bp.app_template_global("may_register")
def _may_register() -> bool:
    """Whether the queue offers 登记 to the signed-in account."""
    return current_user.is_authenticated and intake.may_register(current_user)
