"""The department's report-in page (报到): opened from the private link of a dispatch message,
without a staff account. The link's rules are in report_in.py, the actions' in flow.py."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .. import clock, limits
from ..extensions import db
from ..rosters import current_roster
from ..staff.permissions import mask_name, mask_phone
from . import flow, offers, report_in, service
from .forms import ReportForm

bp = Blueprint("report_in", __name__)

# one answer for a link that is unknown, malformed, revoked or expired, so that none can be told apart
GONE = ("这个报到链接已失效：可能案件已办结、重新派给了别的部门、首问责任人收回了链接，或超过了有效期。"
        "请打电话给派单的站点。")
NOTED = ("arrive", "handle", "report_done")  # the department's own entries, listed back to it
DONE = {"arrive": "已记录到场时间", "handle": "已记下处置情况", "report_done": "已报告处置完毕，首问责任人会办结并答复群众"}


@bp.route("/r/<report_token>", methods=["GET", "POST"])  # short, for the dispatch SMS
@limits.resident_post
def page(report_token: str):
    now = clock.now()
    found = report_in.find(report_token, now)
    if found is None:
        return render_template("report_in/gone.html", message=GONE), 404
    link, case = found
    form = ReportForm()
    status = 200
    if request.method == "POST":
        action = request.form.get("action", "")
        if action not in flow.DEPARTMENT_ACTIONS:
            abort(400)
        if form.validate_on_submit():
            try:
                service.act(current_roster(), case, action, form.payload(action, now), report_in.actor(link), now)
            except flow.IllegalAction as exc:
                db.session.rollback()
                field = {"note": form.note, "result": form.result}.get(exc.field or "")
                if field is not None:
                    field.errors = [exc.message]
                else:
                    flash(exc.message, "error")
                status = 422
            else:
                db.session.commit()
                flash(DONE[action], "success")
                return redirect(url_for(".page", report_token=report_token), 303)
        else:
            status = 422
    return _page(case, link, form, status)


def _page(case, link, form, status: int):
    roster = current_roster()
    facts = service.facts(case)
    station = roster.station(case.station_id) if roster.has_station(case.station_id) else None
    topics = {c.code: c.name for c in roster.settings.categories}
    reported = _reported(case, link)
    # once 处置完毕 is reported the station closes the case: the form is not offered a second time
    actions = [a for a in offers.allowed(facts, flow.DEPARTMENT) if not (reported and a == "report_done")]
    return render_template("report_in/page.html", case=case, link=link, form=form, station=station,
                           topic=topics.get(case.category, case.category), actions=actions, notes=_notes(case, link),
                           arrive_by=link.dispatched_at + timedelta(minutes=roster.settings.arrival_minutes),
                           waiting=offers.waiting(facts, flow.DEPARTMENT), names=flow.ACTION_NAMES,
                           resident=_resident(case), arrival_minutes=roster.settings.arrival_minutes,
                           states=flow.STATES, reported=reported), status


def _reported(case, link):
    """The department's latest "处置完毕" on this dispatch, so that a reload shows it was sent."""
    return next((e for e in reversed(case.ledger) if e.action == "report_done" and e.at >= link.dispatched_at), None)


def _notes(case, link):
    """What the department itself reported on this dispatch (not the station's entries), oldest first."""
    by = report_in.actor(link).display_name
    return [e for e in case.ledger if e.action in NOTED and e.actor_id is None and e.actor == by
            and e.at >= link.dispatched_at]


def _resident(case) -> str:
    """Who to ask for on site: the surname and the phone's last digits, or nothing for a resident
    who asked not to be named to the other party (docs/privacy.md)."""
    if case.anonymous:
        return "反映人要求不透露姓名，请联系站点"
    return f"{mask_name(case.name)}（手机 {mask_phone(case.phone)}）"
