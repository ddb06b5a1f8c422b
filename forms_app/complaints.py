"""Residents' complaints (反映诉求) and case tracking: the form, the confirmation with the case
number and the expected first response, the tracking page with its timeline, satisfaction.

What a resident sees of a case is built here from the ledger (台账) and shared with the JSON API
(cases_api.py): the state of each step, its date, the department, the reasons for a rejection or a
deadline extension — never a staff member's name or phone, nor internal handling notes.
"""
from __future__ import annotations

import json
import unicodedata
from datetime import datetime, timedelta

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from sqlalchemy import select, update
from wtforms import BooleanField, RadioField, SelectField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from roster import Roster

from . import cases, casework, limits, photos
from .extensions import db
from .forms import mobile_phone
from .models import Case, LedgerEntry
from .rosters import current_roster
from .slots import aware, naive, now_local

bp = Blueprint("complaints", __name__)

WEEKDAYS = "一二三四五六日"
DESCRIPTION_MAX = 2000
DUPLICATE_WINDOW = timedelta(minutes=10)  # a double tap on "submit" gives the same case, not two
TRACKED_IN_SESSION = 5

COMPLAINT_CONSENT = ("我同意本站收集我填写的姓名、手机号、事情经过和照片，仅用于登记、办理和回访这件诉求；"
                     "只有所选站点和承办部门的工作人员能看到，不会公开；办结后 {days} 天删除。")
SENSITIVE_CONSENT = ("我单独同意本站处理上面内容中的敏感个人信息（如健康状况、未成年人的信息），"
                     "仅用于办理这件诉求，只有办理人员能看到。")
SENSITIVE_REQUIRED = "内容涉及健康、未成年人等敏感信息时，需要您另外勾选这一项同意"

# What a resident reads for each state and each step of the ledger.
STATE_NAMES = {"registered": "已登记，等待受理", "accepted": "已受理", "dispatched": "已交承办部门",
               "handling": "正在处置", "resolved": "已办结", "followed_up": "已回访", "archived": "已归档",
               "rejected": "不予受理"}
SATISFACTION_STATES = ("resolved", "followed_up", "archived")
SCORES = [SelectChoice(str(n), f"{n} {word}") for n, word in ((5, "很满意"), (4, "满意"), (3, "一般"), (2, "不满意"),
                                                              (1, "很不满意"))]


# ---------------------------------------------------------------- forms

def plain_text(_form, field) -> None:
    """No NUL or unpaired surrogates: neither can be stored (PostgreSQL refuses NUL in text)."""
    value = field.data
    if isinstance(value, str) and ("\x00" in value or _unencodable(value)):
        raise ValidationError("含有无法识别的字符，请删掉后再试")


def _unencodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _nfkc(value):
    """Full-width digits and letters (common with Chinese keyboards) as plain ones."""
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else value


def normalise_number(value: str | None) -> str:
    text = "".join(_nfkc(value or "").split()).upper()
    if len(text) == 8 and "-" not in text:
        text = f"{text[:4]}-{text[4:]}"
    return text


class CaseForm(FlaskForm):
    """The resident's fields, shared by the page and the JSON API."""

    station = SelectField("站点", validators=[DataRequired("请选择您所在的社区或站点")], validate_choice=False)
    category = SelectField("事情的类别", validators=[DataRequired("请选择事情的类别")], validate_choice=False)
    description = TextAreaField(f"发生了什么（最多 {DESCRIPTION_MAX} 字）", validators=[
        DataRequired("请写一下发生了什么"), plain_text, Length(max=DESCRIPTION_MAX, message=f"最多 {DESCRIPTION_MAX} 字，请精简一下")])
    location = StringField("在哪里（选填）",
                           validators=[plain_text, Length(max=200, message="地点最多 200 字")])
    occurred = StringField("什么时候发生的（选填）",
                           validators=[plain_text, Length(max=100, message="时间最多 100 字")])
    name = StringField("您的姓名", render_kw={"autocomplete": "name"},
                       validators=[DataRequired("请填写姓名"), plain_text, Length(max=40, message="姓名最多 40 个字")])
    phone = TelField("手机号", validators=[DataRequired("请填写手机号"), mobile_phone],
                     render_kw={"autocomplete": "tel", "inputmode": "tel"})
    contact_time = StringField("方便联系您的时间（选填）",
                               validators=[plain_text, Length(max=100, message="最多 100 字")])
    anonymous = BooleanField("不要向对方透露我的姓名")
    sensitive = BooleanField("内容涉及健康、未成年人等敏感信息")
    sensitive_consent = BooleanField(SENSITIVE_CONSENT)
    consent = BooleanField(validators=[DataRequired("需要您同意，才能登记您的诉求")])

    def __init__(self, *args, roster: Roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.roster = roster
        self.consent.label.text = COMPLAINT_CONSENT.format(days=current_app.config["RETENTION_DAYS"])

    def validate_station(self, field) -> None:
        if not self.roster.has_station(field.data):
            raise ValidationError("没有这个站点，请从列表中选择")

    def validate_category(self, field) -> None:
        if field.data not in {c.code for c in self.roster.settings.categories}:
            raise ValidationError("请从列表中选择事情的类别")

    def validate_sensitive_consent(self, field) -> None:
        if self.sensitive.data and not field.data:
            raise ValidationError(SENSITIVE_REQUIRED)


class ComplaintForm(CaseForm):
    photos = MultipleFileField("照片（选填，最多 3 张，JPG 或 PNG，每张不超过 5 MB）",
                               render_kw={"accept": "image/jpeg,image/png"})

    def __init__(self, *args, roster: Roster, **kwargs):
        super().__init__(*args, roster=roster, **kwargs)
        # Only the page shows the lists; the fields check against the roster either way, so the
        # API (which never renders them) skips a list as long as the city's stations.
        self.station.choices = [SelectChoice("", "请选择")] + [
            SelectChoice(s.id, f"{street.name} · {s.name}") for street in roster.streets
            for s in roster.stations_of(street.id)]
        self.category.choices = [SelectChoice("", "请选择")] + [SelectChoice(c.code, c.name)
                                                              for c in roster.settings.categories]

    def validate_photos(self, field) -> None:
        chosen = [f for f in (field.data or []) if getattr(f, "filename", "")]
        self.clean_photos: list[photos.CleanPhoto] = []
        self.photos_chosen = bool(chosen)
        if len(chosen) > photos.MAX_PHOTOS:
            raise ValidationError(f"最多 {photos.MAX_PHOTOS} 张照片，您选了 {len(chosen)} 张")
        problems = []
        for storage in chosen:
            try:
                data = photos.read_limited(storage.stream, storage.filename)
                self.clean_photos.append(photos.clean(data, storage.filename))
            except photos.PhotoError as exc:
                problems.append(exc.message)
        if problems:
            raise ValidationError("；".join(problems))


class ApiCaseForm(CaseForm):
    class Meta:
        csrf = False


class TrackForm(FlaskForm):
    """A lookup changes nothing, so it carries no CSRF token; that also keeps the "not found" page
    byte-for-byte the same whichever number or digits were typed."""

    class Meta:
        csrf = False

    number = StringField("诉求编号", filters=[normalise_number], render_kw={"autocomplete": "off",
                                                                          "autocapitalize": "characters"},
                         validators=[DataRequired("请填写诉求编号"), Length(max=16, message="编号不对，请核对")])
    phone_last4 = StringField("登记手机号的后四位", filters=[_nfkc], render_kw={"inputmode": "numeric",
                                                                         "autocomplete": "off", "maxlength": 4},
                              validators=[DataRequired("请填写手机号的后四位"),
                                          Regexp(r"^[0-9]{4}$", message="请填写手机号最后 4 位数字")])


class SatisfactionForm(FlaskForm):
    score = RadioField("您对这次办理满意吗？", choices=SCORES, validators=[InputRequired("请选一个分数")])
    comment = TextAreaField("还想说的话（选填，最多 500 字）",
                            validators=[plain_text, Length(max=500, message="最多 500 字，请精简一下")])


# ---------------------------------------------------------------- what residents read

def day_words(moment: datetime, now: datetime | None = None) -> str:
    """11月23日（周一）; with the year when it is not this year."""
    moment = aware(moment)
    now = aware(now or now_local())
    year = f"{moment.year}年" if moment.year != now.year else ""
    return f"{year}{moment.month}月{moment.day}日（周{WEEKDAYS[moment.weekday()]}）"


def when_words(moment: datetime, now: datetime | None = None) -> str:
    return f"{day_words(moment, now)} {aware(moment):%H:%M}"


def expected_response(roster: Roster, case: Case) -> datetime | None:
    """The first response is due by the end of the "registered" deadline, from registration."""
    return cases.due_for(roster, case.category, "registered", aware(case.created_at))


def expected_words(roster: Roster, case: Case, now: datetime | None = None) -> str | None:
    due = expected_response(roster, case)
    return f"{day_words(due, now)}前" if due else None


def _loads(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _step_text(entry: LedgerEntry, before: dict, after: dict) -> str | None:
    """The resident's words for one ledger row; None for what stays internal (notes, reveals)."""
    action, note = entry.action, (entry.note or "").strip()
    if action == "registered":
        return "已登记，等待工作人员受理"
    if action == "accept":
        return "工作人员已受理，并由专人负责到底"
    if action == "reject":
        return f"不予受理。原因：{note}" if note else "不予受理"
    if action == "dispatch":
        department = after.get("department") or entry.case.department or "承办部门"
        return f"已交给{department}办理"
    if action == "arrive":
        return "承办人员已到场"
    if action == "handle":
        return "正在处置"
    if action == "resolve":
        outcome = {"resolved": "已化解", "unresolved": "未能化解"}.get(after.get("outcome"), "")
        text = "已办结" + (f"（{outcome}）" if outcome else "")
        result = after.get("result") or note
        return f"{text}。结果：{result}" if result else text
    if action == "feedback":
        channel = after.get("feedback_channel")
        return f"已把办理结果告诉您（{channel}）" if channel else "已把办理结果告诉您"
    if action == "follow_up":
        return "已回访"
    if action == "archive":
        return "已归档"
    if action == "reopen":
        return f"重新办理。原因：{note}" if note else "重新办理"
    if action == "extend":
        days = (after.get("extended_days") or 0) - (before.get("extended_days") or 0)
        text = f"办理期限延长 {days} 个工作日" if days > 0 else "办理期限已延长"
        if after.get("due_at"):
            try:
                text += f"，新的期限：{day_words(datetime.fromisoformat(after['due_at']))}"
            except (TypeError, ValueError):
                pass
        return f"{text}。原因：{note}" if note else text
    if action == "satisfaction":
        return f"您的评价：{after.get('satisfaction')} 分" if after.get("satisfaction") else "您已评价"
    return None


def timeline(case: Case) -> list[dict]:
    """[{at, action, state, text}] from the ledger, oldest first; no actor, no internal note."""
    steps = []
    for entry in case.ledger:
        before, after = _loads(entry.before), _loads(entry.after)
        text = _step_text(entry, before, after)
        if text is None:
            continue
        state = after.get("state") if after.get("state") in STATE_NAMES else None
        steps.append({"at": aware(entry.at), "action": entry.action, "state": state, "text": text})
    return steps


def public_view(roster: Roster, case: Case) -> dict:
    """Everything a resident (page or API) may see about their case."""
    station = roster.station(case.station_id) if roster.has_station(case.station_id) else None
    categories = {c.code: c.name for c in roster.settings.categories}
    return {
        "number": case.number, "state": case.state, "state_name": STATE_NAMES.get(case.state, case.state),
        "station": case.station_id, "station_name": station.name if station else case.station_id,
        "category": case.category, "category_name": categories.get(case.category, case.category),
        "department": case.department, "registered_at": aware(case.created_at),
        "expected_response": expected_response(roster, case),
        "due": aware(case.due_at) if case.due_at and case.state in casework.OPEN else None,
        "extension_reason": case.extension_reason, "satisfaction": case.satisfaction,
        "timeline": timeline(case),
    }


# ---------------------------------------------------------------- registering

def submit(roster: Roster, form: CaseForm, clean_photos: list | None = None,
           now: datetime | None = None) -> cases.Registered:
    """Register the case of a validated form (with its photos) and commit. A repeat of the same
    text from the same phone within minutes gives the case already made."""
    now = now or now_local()
    fields = {name: (getattr(form, name).data or "").strip()
              for name in ("description", "location", "occurred", "name", "contact_time")}
    fields.update(station=form.station.data, category=form.category.data, phone=form.phone.data,
                  anonymous=bool(form.anonymous.data), sensitive_consent=bool(form.sensitive_consent.data))
    if not clean_photos:
        return cases.register_at_once(roster, now=now, repeat_window=DUPLICATE_WINDOW, **fields)
    # with photos: the case, its photo rows and the files stand or fall together
    case, new = cases.register_unless_repeat(roster, now=now, repeat_window=DUPLICATE_WINDOW, **fields)
    if new:
        written = photos.save(case, clean_photos)
        try:
            db.session.commit()
        except Exception:
            db.session.rollback()
            photos.remove(written)
            raise
    return cases.Registered.of(case, new)


def record_satisfaction(case: Case, score: int, comment: str, now: datetime | None = None) -> bool:
    """Store the resident's rating once; False if the case was already rated (or is not closed).
    The conditional UPDATE makes two simultaneous submissions store one rating."""
    now = now or now_local()
    done = db.session.execute(
        update(Case).where(Case.id == case.id, Case.satisfaction.is_(None), Case.state.in_(SATISFACTION_STATES))
        .values(satisfaction=score, satisfaction_comment=comment or None))
    if done.rowcount != 1:
        db.session.rollback()
        return False
    db.session.add(LedgerEntry(case_id=case.id, at=naive(now), actor=cases.RESIDENT, action="satisfaction",
                               before=json.dumps({"satisfaction": None}),
                               after=json.dumps({"satisfaction": score}), note=comment or ""))
    db.session.commit()
    db.session.refresh(case)
    return True


# ---------------------------------------------------------------- pages

@bp.route("/complaint", methods=["GET", "POST"])
@limits.complaint
def complaint():
    request.max_content_length = (photos.MAX_PHOTOS + 1) * photos.MAX_BYTES + 1024 * 1024
    roster = current_roster()
    station_id = request.args.get("station", "")
    fixed = roster.station(station_id) if roster.has_station(station_id) else None
    form = ComplaintForm(roster=roster, data={"station": fixed.id} if fixed else None)
    status = 200
    if form.validate_on_submit():
        case = submit(roster, form, getattr(form, "clean_photos", []))
        session["complaint"] = case.number
        _remember(case.number)
        return redirect(url_for(".received"), 303)
    if request.method == "POST":
        status = 422
        if getattr(form, "photos_chosen", False) and not form.photos.errors:
            form.photos.errors = ["为了安全，出错后照片不会保留，请重新选择照片"]
        elif form.photos.errors:
            form.photos.errors = list(form.photos.errors) + ["请重新选择照片"]
    chosen = roster.station(form.station.data) if roster.has_station(form.station.data or "") else None
    station = fixed or chosen
    street = roster.street(station.street) if station else None
    return render_template("complaints/form.html", form=form, fixed=fixed, station=station, street=street), status


@bp.get("/complaint/received")
def received():
    number = session.get("complaint")
    case = db.session.scalar(select(Case).where(Case.number == number)) if number else None
    if case is None:
        return redirect(url_for(".track"), 303)
    roster = current_roster()
    view = public_view(roster, case)
    return render_template("complaints/received.html", case=case, view=view,
                           expected=expected_words(roster, case),
                           track_url=url_for(".track", number=case.number, _external=True))


def _remember(number: str) -> None:
    """The session remembers the cases this browser has looked up, so that the case page and its
    satisfaction form need no digits in the URL."""
    seen = [n for n in session.get("tracked", []) if n != number]
    session["tracked"] = ([number] + seen)[:TRACKED_IN_SESSION]


@bp.route("/track", methods=["GET", "POST"])
@limits.track
@limits.track_number
def track():
    form = TrackForm(formdata=request.form if request.method == "POST" else None,
                     data={"number": normalise_number(request.args.get("number"))})
    if request.method == "POST" and form.validate():
        case = cases.find_for_resident(form.number.data, form.phone_last4.data)
        if case is not None:
            _remember(case.number)
            return redirect(url_for(".tracked", number=case.number), 303)
        # Unknown number and wrong digits: the same page and status. The number the resident typed
        # stays (it says nothing they did not type); the digits do not.
        again = TrackForm(formdata=None, data={"number": form.number.data})
        return render_template("complaints/track.html", form=again, not_found=True, streets=_hotlines()), 404
    status = 422 if request.method == "POST" else 200
    return render_template("complaints/track.html", form=form, not_found=False), status


def _hotlines() -> list:
    """Streets with a hotline, for a resident whose number is not found: someone to ask."""
    return [street for street in current_roster().streets if street.hotline]


def _tracked_case(number: str) -> Case | None:
    if number not in session.get("tracked", []):
        return None
    return db.session.scalar(select(Case).where(Case.number == number))


@bp.get("/track/<number>")
def tracked(number: str):
    case = _tracked_case(number)
    if case is None:
        return redirect(url_for(".track", number=number), 303)
    return _case_page(case, SatisfactionForm())


@bp.post("/track/<number>/satisfaction")
@limits.resident_post
def satisfaction(number: str):
    case = _tracked_case(number)
    if case is None:
        return redirect(url_for(".track", number=number), 303)
    form = SatisfactionForm()
    if case.satisfaction is not None or case.state not in SATISFACTION_STATES:
        return _case_page(case, form, message="这件诉求已经评价过了，谢谢您。"), 409
    if not form.validate_on_submit():
        return _case_page(case, form), 422
    if not record_satisfaction(case, int(form.score.data), (form.comment.data or "").strip()):
        return _case_page(case, form, message="这件诉求已经评价过了，谢谢您。"), 409
    session["rated"] = case.number
    return redirect(url_for(".tracked", number=case.number), 303)


def _case_page(case: Case, form: SatisfactionForm, message: str | None = None):
    roster = current_roster()
    thanks = session.pop("rated", None) == case.number
    return render_template("complaints/case.html", case=case, view=public_view(roster, case), form=form,
                           can_rate=case.state in SATISFACTION_STATES and case.satisfaction is None,
                           message=message, thanks=thanks, day_words=day_words, when_words=when_words)
