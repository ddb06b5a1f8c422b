"""The staff console's pages: log in, work the queue, take each case through the flow."""
from __future__ import annotations


from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import audit, clock, limits
from ..booking import outcomes
from ..cases import flow, handlers, offers, officers, report_in
from ..cases import service as cases
from ..cases.deadlines import overdue
from ..cases.ledger import step as ledger_step
from ..cases.photos import upload_dir
from ..cases.sources import SOURCES
from ..clock import naive
from ..extensions import db
from ..inputs import PlainTextForm
from ..models import Appointment, Case, Staff
from ..notify import events
from ..rosters import current_roster
from . import accounts, lockout, notifications, queue as work
from .forms import ActionForm, ContactForm, LoginForm, PasswordForm, action_form
from .permissions import can_act, case_or_404, mask_name, mask_phone, visible_stations

bp = Blueprint("staff", __name__, url_prefix="/staff")


WRONG = "用户名或密码不对"


@bp.route("/login", methods=["GET", "POST"])
@limits.login
@limits.login_address
def login():
    form = LoginForm()
    error, status = None, 200
    if form.validate_on_submit():
        try:
            staff = accounts.check_login(form.username.data, form.password.data)
        except accounts.Locked:
            # The same answer as a wrong password or an unknown name (the page says that ten wrong
            # tries lock an account): a different one would tell a guesser which names exist.
            audit.record("login_locked", actor=form.username.data.strip())
            db.session.commit()
            return render_template("staff/login.html", form=form, error=WRONG, lockout=_lockout_terms()), 401
        audit.record("login" if staff else "login_failed", staff=staff, actor=form.username.data.strip())
        db.session.commit()
        if staff is not None:
            login_user(staff)
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/staff") else url_for(".queue"), 303)
        error, status = WRONG, 401
    return render_template("staff/login.html", form=form, error=error, lockout=_lockout_terms()), status


def _lockout_terms() -> dict:
    return {"failures": lockout.setting("LOGIN_LOCKOUT_FAILURES"), "minutes": lockout.setting("LOGIN_LOCKOUT_MINUTES")}


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    # Only with the console's CSRF token: another site must not be able to sign staff out.
    if request.method == "POST" and PlainTextForm().validate():
        accounts.end_sessions(current_user)
        db.session.commit()
        logout_user()
        return redirect(url_for(".login"), 303)
    return render_template("staff/logout.html")


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.old_password.data, form.new_password.data,
                                     form.new_again.data)
        except accounts.AccountError as exc:
            db.session.rollback()
            getattr(form, exc.field).errors = [exc.message]
        else:
            db.session.commit()
            # this session goes on under the new version; every other one has ended
            login_user(db.session.get(Staff, current_user.id))
            flash("密码已修改，其他设备上的登录都已退出", "success")
            return redirect(url_for(".queue"), 303)
    return render_template("staff/password.html", form=form, minimum=accounts.MIN_PASSWORD), \
        422 if form.is_submitted() else 200


@bp.route("/contact", methods=["GET", "POST"])
@login_required
def contact():
    """Where this account's deadline and arrival notices go (notify/schedule.py)."""
    form = ContactForm(data={"contact": current_user.contact or ""})
    if form.validate_on_submit():
        try:
            changed = accounts.set_contact(current_user, form.contact.data)
        except accounts.AccountError as exc:
            db.session.rollback()
            form.contact.errors = [exc.message]
        else:
            if changed:
                audit.record("contact_changed", staff=current_user, target=current_user.username)
            db.session.commit()
            flash("通知方式已保存" if current_user.contact else "已删除通知方式：到期和超期提醒不会再发给您", "success")
            return redirect(url_for(".contact"), 303)
    return render_template("staff/contact.html", form=form, reaches=events.reaches(
        events.contact_recipient(current_roster(), "staff", current_user.display_name, current_user.contact))), \
        422 if form.is_submitted() else 200


def _admin_only() -> None:
    if current_user.role != "admin":
        abort(404)


@bp.get("/accounts")
@login_required
def accounts_page():
    _admin_only()
    now = clock.now()
    staff = db.session.scalars(db.select(Staff).order_by(Staff.username)).all()
    return render_template("staff/accounts.html", staff=staff, locked=lockout.locked_accounts(now),
                           is_locked=lambda s: lockout.is_locked(s, now), roles=accounts.ROLES)


def _account_for_admin(staff_id: int) -> Staff:
    _admin_only()
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        abort(404)
    if not PlainTextForm().validate_on_submit():
        abort(400)
    return staff


@bp.post("/accounts/<id:staff_id>/unlock")
@login_required
def unlock(staff_id: int):
    staff = _account_for_admin(staff_id)
    lockout.clear(staff)
    db.session.commit()
    flash(f"已解锁 {staff.username}", "success")
    return redirect(url_for(".accounts_page"), 303)


@bp.post("/accounts/<id:staff_id>/sign-out-everywhere")
@login_required
def sign_out_everywhere(staff_id: int):
    staff = _account_for_admin(staff_id)
    accounts.end_sessions(staff)
    db.session.commit()
    flash(f"{staff.username} 在所有设备上的登录都已退出", "success")
    return redirect(url_for(".accounts_page"), 303)


@bp.get("/")
@login_required
def queue():
    roster = current_roster()
    stations = visible_stations(current_user, roster)
    now = clock.now()
    filters = work.Filters(**{name: request.args.get(name) or "" for name in ("station", "state", "category",
                                                                              "owner", "due", "source")})
    found = work.cases_for(stations, filters, current_user.id, now)
    appointments = work.appointments_today([filters.station] if filters.station in stations else stations, now)
    return render_template("staff/queue.html", cases=found, appointments=appointments, roster=roster,
                           stations=stations, station=filters.station, state=filters.state,
                           category=filters.category, owner=filters.owner, due=filters.due,
                           now=naive(now), overdue=lambda c: overdue(c, now), states=flow.STATES, open_states=flow.OPEN,
                           mask_name=mask_name, mask_phone=mask_phone, soon=naive(now + work.DUE_SOON),
                           source=filters.source, sources=SOURCES)


def _case_page(case: Case, submitted: tuple[str, ActionForm] | None = None, revealed: bool = False, status: int = 200):
    roster = current_roster()
    facts = cases.facts(case)
    actions = [a for a in offers.allowed(facts, current_user.role) if handlers.offered_to(a, case, current_user)]
    forms = {a: action_form(a, roster, facts=facts, case=case) for a in actions}
    if submitted and submitted[0] in forms:
        forms[submitted[0]] = submitted[1]
    topics = {c.code: c.name for c in roster.settings.categories}
    return render_template("staff/case.html", case=case, forms=forms, opened=submitted[0] if submitted else "",
                           actions=actions, names=flow.ACTION_NAMES, ledger_names=flow.LEDGER_NAMES, outcomes=flow.OUTCOMES, open_states=flow.OPEN,
                           states=flow.STATES, roster=roster, topic=topics.get(case.category, case.category),
                           revealed=revealed, mask_name=mask_name, mask_phone=mask_phone,
                           overdue=overdue(case), waiting=offers.waiting(facts, current_user.role),
                           report_link=report_in.current(case, clock.now()),
                           officer_words=lambda o: officers.words(roster, o),
                           may_revoke=report_in.may_revoke(case, current_user),
                           ranges={name: flow.moment_range(name, facts) for name in flow.MOMENTS},
                           ledger_words=lambda entry: flow.ledger_words(entry.action, ledger_step(entry, case.department))), status


def render_case(case: Case, status: int = 200):
    """The case page as its own views draw it, for another page's form re-shown with its errors
    (the 督办 panel: supervision_views.py)."""
    return _case_page(case, status=status)


@bp.get("/cases/<number>")
@login_required
def case_page(number: str):
    case = case_or_404(number, current_user, current_roster())
    # A reveal shows the full details once, on the page it redirects to; a reload masks them again.
    revealed = session.pop("revealed", None) == case.number
    return _case_page(case, revealed=revealed)


@bp.post("/cases/<number>/act")
@login_required
def act(number: str):
    roster = current_roster()
    case = case_or_404(number, current_user, roster)
    action = request.form.get("action", "")
    if action not in flow.ACTIONS:
        abort(400)
    if not can_act(current_user, action):
        abort(403)
    form = action_form(action, roster, request.form, facts=cases.facts(case), case=case)
    if not form.validate_on_submit():
        return _case_page(case, (action, form), status=422)
    try:
        cases.act(roster, case, action, form.payload(), current_user)
    except flow.IllegalAction as exc:
        db.session.rollback()
        if exc.field and hasattr(form, exc.field):
            getattr(form, exc.field).errors = [exc.message]
        else:
            flash(exc.message, "error")
        return _case_page(case, (action, form), status=422)
    link = report_in.link_for(case)  # only now, in the dispatching request
    db.session.commit()
    flash(f"已{flow.ACTION_NAMES[action]}", "success")
    if action == "dispatch" and link:
        words, reached = events.dispatch_notice(roster, case, link)
        flash(words, "success" if reached else "error")
    return redirect(url_for(".case_page", number=number), 303)


@bp.post("/cases/<number>/report-link/revoke")
@login_required
def revoke_report_link(number: str):
    case = case_or_404(number, current_user, current_roster())
    if not PlainTextForm().validate_on_submit():
        abort(400)
    if not report_in.may_revoke(case, current_user):
        abort(403)
    if report_in.revoke(case, current_user, clock.now()):
        db.session.commit()
        flash("报到链接已失效，部门再打开会看到“链接已失效”。要给部门一个新链接，请再吹哨一次", "success")
    else:
        flash("这件案件现在没有可用的报到链接", "error")
    return redirect(url_for(".case_page", number=number), 303)


@bp.get("/cases/<number>/photos/<id:photo_id>")
@login_required
def photo(number: str, photo_id: int):
    case = case_or_404(number, current_user, current_roster())
    found = next((p for p in case.photos if p.id == photo_id), None)
    if found is None:
        abort(404)
    path = upload_dir() / found.filename
    if not path.is_file():
        abort(404)
    audit.record("photo", staff=current_user, target=case.number)
    db.session.commit()
    # Photos are small (≤ 5 MB): read whole, so no file handle outlives the request.
    return Response(path.read_bytes(), mimetype=found.content_type, headers={"Cache-Control": "private, no-store"})


@bp.get("/audit")
@login_required
def audit_log():
    if current_user.role != "admin":
        abort(403)
    action = request.args.get("action") if request.args.get("action") in audit.ACTIONS else None
    number = max(1, request.args.get("page", 1, type=int) or 1)
    rows, pages = audit.page(action, number)
    return render_template("staff/audit.html", rows=rows, pages=pages, page=min(number, pages), action=action,
                           actions=audit.ACTIONS)


@bp.app_context_processor
def _failed_badge():
    """The nav's count of failed messages, worked out only where a signed-in page shows the nav."""
    def failed_notifications() -> int:
        return notifications.failed_count(current_user, current_roster()) if current_user.is_authenticated else 0
    return {"failed_notifications": failed_notifications}


@bp.get("/notifications")
@login_required
def notifications_page():
    number = max(1, request.args.get("page", 1, type=int) or 1)
    lines, pages = notifications.page(current_user, current_roster(), number)
    return render_template("staff/notifications.html", lines=lines, pages=pages, page=min(number, pages),
                           statuses=notifications.STATUS_NAMES, logged_why=notifications.LOGGED_WHY)


@bp.post("/notifications/<id:notification_id>/retry")
@login_required
def retry_notification(notification_id: int):
    note = notifications.find(notification_id, current_user, current_roster())
    if note is None:
        abort(404)
    if not PlainTextForm().validate_on_submit():
        abort(400)
    if notifications.retry(note, current_user, clock.now()):
        db.session.commit()
        flash("已重新排队：发送程序下一轮就会发送", "success")
    else:
        flash("这条通知已经不是“发送失败”了，不用再发", "error")
    return redirect(url_for(".notifications_page"), 303)


@bp.post("/cases/<number>/reveal")
@login_required
def reveal(number: str):
    case = case_or_404(number, current_user, current_roster())
    if not PlainTextForm().validate_on_submit():
        abort(400)
    cases.record_reveal(case, current_user, "查看完整姓名和手机号")
    audit.record("reveal", staff=current_user, target=case.number)
    db.session.commit()
    session["revealed"] = case.number
    return redirect(url_for(".case_page", number=case.number), 303)


@bp.post("/appointments/<id:appointment_id>/<outcome>")
@login_required
def appointment_outcome(appointment_id: int, outcome: str):
    roster = current_roster()
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.station_id not in visible_stations(current_user, roster):
        abort(404)
    if not PlainTextForm().validate_on_submit() or current_user.role == "supervisor":
        abort(400)
    if outcome not in (*outcomes.OUTCOMES, "case"):
        abort(404)
    try:
        if outcome == "case":
            case, new = outcomes.open_case(roster, appointment, current_user)
        else:
            outcomes.record(appointment, outcome)
    except outcomes.Refused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".queue"), 303)
    db.session.commit()
    if outcome != "case":
        return redirect(url_for(".queue"), 303)
    if not new:
        flash("这个预约已经转为案件，这就是那件案件", "success")
    return redirect(url_for(".case_page", number=case.number), 303)
