"""The staff console: log in, work the queue, take each case through the flow."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.security import check_password_hash
from wtforms import BooleanField, IntegerField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from . import cases, casework, limits
from .extensions import db, login_manager
from .models import ATTENDED, BOOKED, NO_SHOW, Appointment, Case, Staff
from .permissions import ROLES, can_act, case_or_404, mask_name, mask_phone, visible_stations
from .photos import upload_dir
from .rosters import current_roster
from .slots import aware, naive, now_local

bp = Blueprint("staff", __name__, url_prefix="/staff")
DUE_SOON = timedelta(days=1)


@login_manager.user_loader
def _load(staff_id: str) -> Staff | None:
    staff = db.session.get(Staff, int(staff_id))
    return staff if staff is not None and staff.active else None


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名")], render_kw={"autocomplete": "username"})
    password = PasswordField("密码", validators=[DataRequired("请填写密码")],
                             render_kw={"autocomplete": "current-password"})


def _in_chinese(field_class, message: str):
    """``field_class`` with its English parse error ("Not a valid datetime value.") in Chinese."""
    class Field(field_class):
        def process_formdata(self, valuelist):
            try:
                super().process_formdata(valuelist)
            except ValueError:
                raise ValueError(message) from None
    Field.__name__ = f"Chinese{field_class.__name__}"
    return Field


MomentField = _in_chinese(DateTimeLocalField, "请按“年-月-日 时:分”填写，例如 2026-11-23 14:30")
WholeNumberField = _in_chinese(IntegerField, "请填一个整数，例如 5")


class ActionForm(FlaskForm):
    """All the details any action may need; the state machine says which are required.
    Each action's form on the case page carries its own prefix, so ids stay unique."""

    reason = StringField("原因", validators=[Optional()])
    department = SelectField("派给哪个部门", validators=[Optional()], validate_choice=False)
    on_site = BooleanField("需要到场处置（30 分钟内到场）")
    arrived_at = MomentField("到场时间", validators=[Optional()], format="%Y-%m-%dT%H:%M")
    note = TextAreaField("记录", validators=[Optional()])
    outcome = RadioField("是否化解", choices=[SelectChoice("resolved", "已化解"), SelectChoice("unresolved", "未化解")], validators=[Optional()],
                         validate_choice=False)
    result = TextAreaField("处理结果（群众在查询页能看到这段话）", validators=[Optional()])
    channel = SelectField("反馈方式", choices=[SelectChoice(c, c) for c in ("电话", "当面", "短信", "上门")],
                          validators=[Optional()])
    given_at = MomentField("反馈时间", validators=[Optional()], format="%Y-%m-%dT%H:%M")
    days = WholeNumberField("延长几个工作日", validators=[Optional()])


def _action_form(action: str, roster, formdata=None) -> ActionForm:
    form = ActionForm(formdata=formdata, prefix=action) if formdata is not None else ActionForm(prefix=action)
    form.department.choices = [SelectChoice("", "请选择")] + [SelectChoice(d, d) for d in roster.settings.departments]
    return form


@bp.route("/login", methods=["GET", "POST"])
@limits.login
@limits.login_address
def login():
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        staff = db.session.scalar(select(Staff).where(Staff.username == form.username.data.strip()))
        if staff and staff.active and check_password_hash(staff.password_hash, form.password.data):
            login_user(staff)
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/staff") else url_for(".queue"), 303)
        error = "用户名或密码不对"
    return render_template("staff/login.html", form=form, error=error), 401 if error else 200


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for(".login"), 303)


def _sorted_queue(found: list[Case], now: datetime) -> list[Case]:
    """Overdue first, then by the nearest deadline, then the newest."""
    def key(case: Case):
        late = cases.overdue(case, now)
        due = case.due_at or datetime.max
        return (0 if late else 1, due if case.state in casework.OPEN else datetime.max, -case.created_at.timestamp())
    return sorted(found, key=key)


@bp.get("/")
@login_required
def queue():
    roster = current_roster()
    stations = visible_stations(current_user, roster)
    now = now_local()
    query = select(Case).where(Case.station_id.in_(stations))
    station = request.args.get("station") or ""
    if station in stations:
        query = query.where(Case.station_id == station)
    state = request.args.get("state") or ""
    if state in casework.STATES:
        query = query.where(Case.state == state)
    elif state != "all":
        query = query.where(Case.state.in_(casework.OPEN + ("resolved", "followed_up")))
    category = request.args.get("category") or ""
    if category:
        query = query.where(Case.category == category)
    owner = request.args.get("owner") or ""
    if owner == "me":
        query = query.where(Case.owner_id == current_user.id)
    due = request.args.get("due") or ""
    if due == "overdue":
        query = query.where(Case.state.in_(casework.OPEN), Case.due_at < naive(now))
    elif due == "soon":
        query = query.where(Case.state.in_(casework.OPEN), Case.due_at >= naive(now),
                            Case.due_at < naive(now + DUE_SOON))
    found = _sorted_queue(list(db.session.scalars(query.limit(500))), now)
    today = now.date()
    appointments = db.session.scalars(select(Appointment).where(
        Appointment.station_id.in_([station] if station in stations else stations),
        Appointment.starts_at >= datetime.combine(today, datetime.min.time()),
        Appointment.starts_at < datetime.combine(today + timedelta(days=1), datetime.min.time()),
        Appointment.status.in_((BOOKED, ATTENDED, NO_SHOW))).order_by(Appointment.starts_at)).all()
    return render_template("staff/queue.html", cases=found, appointments=appointments, roster=roster,
                           stations=stations, station=station, state=state, category=category, owner=owner, due=due,
                           now=naive(now), overdue=lambda c: cases.overdue(c, now), states=casework.STATES,
                           mask_name=mask_name, mask_phone=mask_phone, soon=naive(now + DUE_SOON))


def _case_page(case: Case, submitted: tuple[str, ActionForm] | None = None, revealed: bool = False, status: int = 200):
    roster = current_roster()
    actions = [a for a in casework.allowed(cases.facts(case)) if can_act(current_user, a)]
    forms = {a: _action_form(a, roster) for a in actions}
    if submitted and submitted[0] in forms:
        forms[submitted[0]] = submitted[1]
    topics = {c.code: c.name for c in roster.settings.categories}
    return render_template("staff/case.html", case=case, forms=forms, opened=submitted[0] if submitted else "",
                           actions=actions, names=casework.ACTION_NAMES,
                           states=casework.STATES, roster=roster, topic=topics.get(case.category, case.category),
                           revealed=revealed, mask_name=mask_name, mask_phone=mask_phone,
                           overdue=cases.overdue(case)), status


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
    if action not in casework.ACTIONS:
        abort(400)
    if not can_act(current_user, action):
        abort(403)
    form = _action_form(action, roster, request.form)
    if not form.validate_on_submit():
        return _case_page(case, (action, form), status=422)
    payload = {"reason": (form.reason.data or "").strip(), "department": form.department.data,
               "on_site": form.on_site.data, "note": (form.note.data or "").strip(), "outcome": form.outcome.data,
               "result": (form.result.data or "").strip(), "channel": form.channel.data, "days": form.days.data,
               "arrived_at": form.arrived_at.data and aware(form.arrived_at.data),
               "given_at": form.given_at.data and aware(form.given_at.data)}
    try:
        cases.act(roster, case, action, payload, current_user)
    except casework.IllegalAction as exc:
        db.session.rollback()
        if exc.field and hasattr(form, exc.field):
            getattr(form, exc.field).errors = [exc.message]
        else:
            flash(exc.message, "error")
        return _case_page(case, (action, form), status=422)
    db.session.commit()
    flash(f"已{casework.ACTION_NAMES[action]}", "success")
    return redirect(url_for(".case_page", number=number), 303)


@bp.get("/cases/<number>/photos/<int:photo_id>")
@login_required
def photo(number: str, photo_id: int):
    case = case_or_404(number, current_user, current_roster())
    found = next((p for p in case.photos if p.id == photo_id), None)
    if found is None:
        abort(404)
    path = upload_dir() / found.filename
    if not path.is_file():
        abort(404)
    # Photos are small (≤ 5 MB): read whole, so no file handle outlives the request.
    return Response(path.read_bytes(), mimetype=found.content_type, headers={"Cache-Control": "private, no-store"})


@bp.post("/cases/<number>/reveal")
@login_required
def reveal(number: str):
    case = case_or_404(number, current_user, current_roster())
    if not FlaskForm().validate_on_submit():
        abort(400)
    cases.record_reveal(case, current_user, "查看完整姓名和手机号")
    db.session.commit()
    session["revealed"] = case.number
    return redirect(url_for(".case_page", number=case.number), 303)


@bp.post("/appointments/<int:appointment_id>/<outcome>")
@login_required
def appointment_outcome(appointment_id: int, outcome: str):
    roster = current_roster()
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.station_id not in visible_stations(current_user, roster):
        abort(404)
    if not FlaskForm().validate_on_submit() or current_user.role == "supervisor":
        abort(400)
    if outcome in (ATTENDED, NO_SHOW) and appointment.status in (BOOKED, ATTENDED, NO_SHOW):
        appointment.status = outcome
        db.session.commit()
        return redirect(url_for(".queue"), 303)
    if outcome == "case":
        case = cases.register(roster, station=appointment.station_id, category=appointment.topic,
                              description=appointment.description or f"预约 {appointment.number} 当面反映",
                              location="", occurred="", name=appointment.name, phone=appointment.phone,
                              contact_time="", anonymous=False, sensitive_consent=False)
        appointment.status = ATTENDED
        db.session.commit()
        return redirect(url_for(".case_page", number=case.number), 303)
    abort(404)


__all__ = ["bp", "ROLES"]
