"""The console's pages of 督办 (cases/supervision.py): a step taken on the case page's panel,
the list of unfinished and overdue 督办 per street, and the street's overview (街道总览).

Who: a street supervisor for the stations of their street, an administrator for every street
(``?street=``). A station clerk replies to a 督办 on the case page but has neither list: they
answer 404, as anything outside one's reach does. A case of another street answers 404 before
any step is looked at; a step one's role never takes answers 403, as the console's actions do.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import clock
from ..cases import supervision as rules
from ..cases import supervision_store as store
from ..cases.refusal import IllegalAction
from ..extensions import db
from ..models import Case
from ..rosters import current_roster
from . import reports, street as overview
from .permissions import case_or_404, visible_stations
from .supervision_forms import SupervisionForm, supervision_form
from .views import render_case

bp = Blueprint("supervision", __name__, url_prefix="/staff")
LISTS = ("supervisor", "admin")
MONTH = re.compile(r"(?:19|20|21)\d{2}-(?:0[1-9]|1[0-2])")
BAD_MONTH = "月份要写成“年-月”，例如 2026-11；下面是本月的数字"
DONE = {"issue": "已督办，首问责任人会收到通知", "answer": "书面回复已提交，督办人会收到通知", "close": "督办已办结",
        "send_back": "已退回，首问责任人需要重新回复"}


# ---------------------------------------------------------------- the case page's panel

@dataclass
class Panel:
    open: store.Supervision | None
    past: list[store.Supervision]
    steps: list[str]
    forms: dict[str, SupervisionForm] = field(default_factory=dict)
    opened: str = ""
    overdue: bool = False
    due_soon: bool = False
    names: dict = field(default_factory=lambda: {s.code: s.label for s in rules.STEPS})


def panel(case: Case) -> Panel:
    """What the case page shows of 督办 to the person signed in; a step just refused keeps its form."""
    found = store.unfinished(case.id)
    now = clock.now()
    steps = rules.offered(store.facts(case, found), store.context(case, current_user, now))
    forms = {step: supervision_form(step, deadline=found.deadline if found else None) for step in steps}
    submitted = g.get("supervision_submitted")
    if submitted and submitted[0] in forms:
        forms[submitted[0]] = submitted[1]
    today = now.date()
    return Panel(found, [s for s in store.history(case.id) if s.closed_at is not None], steps, forms,
                 submitted[0] if submitted else "", bool(found and found.overdue(today)),
                 bool(found and found.due_soon(today)))


@bp.app_context_processor
def _supervision_helpers():
    def supervision_marks(cases) -> dict:
        """case id → its unfinished 督办, for the queue's badge."""
        return store.unfinished_of([c.id for c in cases]) if current_user.is_authenticated else {}
    return {"supervision_panel": panel, "supervision_marks": supervision_marks,
            "supervision_today": lambda: clock.now().date()}


@bp.post("/cases/<number>/supervision")
@login_required
def act(number: str):
    roster = current_roster()
    case = case_or_404(number, current_user, roster)
    step = request.form.get("step", "")
    if step not in rules.BY_CODE:
        abort(400)
    if not rules.may(current_user.role, step):
        abort(403)
    form = supervision_form(step, request.form)
    if not form.validate_on_submit():
        return _reshown(case, step, form)
    try:
        store.take(roster, case, step, form.payload(), current_user)
    except IllegalAction as exc:
        db.session.rollback()
        if exc.field and hasattr(form, exc.field):
            getattr(form, exc.field).errors = [exc.message]
        else:
            flash(exc.message, "error")
        return _reshown(case, step, form)
    db.session.commit()
    flash(DONE[step], "success")
    return redirect(url_for("staff.case_page", number=number) + "#supervision", 303)


def _reshown(case: Case, step: str, form: SupervisionForm):
    g.supervision_submitted = (step, form)
    return render_case(case, 422)


# ---------------------------------------------------------------- the lists of a street

def _streets(roster) -> list[str]:
    """The streets one may look at: a supervisor's own, an administrator's all (or the one asked for)."""
    if current_user.role not in LISTS:
        abort(404)
    if current_user.role == "supervisor":
        own = current_user.street_id or ""
        asked = request.args.get("street") or own
        if asked != own or own not in {s.id for s in roster.streets}:
            abort(404)
        return [own]
    every = [s.id for s in roster.streets]
    asked = request.args.get("street") or ""
    if asked and asked not in every:
        abort(404)
    return [asked] if asked else every


@bp.get("/supervision")
@login_required
def list_page():
    roster = current_roster()
    streets = _streets(roster)
    today = clock.now().date()
    groups = []
    for street_id in streets:
        stations = [s for s in visible_stations(current_user, roster) if roster.station(s).street == street_id]
        found = store.unfinished_in(stations)
        groups.append((roster.street(street_id), found, sum(s.overdue(today) for s in found)))
    ids = [s.case_id for _, found, _ in groups for s in found]
    cases = {c.id: c for c in db.session.scalars(db.select(Case).where(Case.id.in_(ids)))} if ids else {}
    return render_template("staff/supervision.html", groups=groups, cases=cases, roster=roster, today=today,
                           streets=[s for s in roster.streets] if current_user.role == "admin" else [],
                           street=request.args.get("street") or "")


def _month() -> tuple[str, str | None]:
    asked = request.args.get("month") or ""
    this = reports.month_of(clock.now().date())
    if not asked:
        return this, None
    return (asked, None) if MONTH.fullmatch(asked) else (this, BAD_MONTH)


@bp.get("/street")
@login_required
def street_page():
    roster = current_roster()
    streets = _streets(roster)
    month, error = _month()
    found = overview.overview(roster, streets[0], month, clock.now())
    return render_template("staff/street.html", overview=found, month=month, error=error,
                           asked=request.args.get("month") or month, target=overview.RESOLUTION_TARGET,
                           streets=list(roster.streets) if current_user.role == "admin" else [],
                           street=streets[0]), 422 if error else 200
