"""The resident's forms of a complaint, shared by the page and the JSON API, and the tracking
and rating forms."""
from __future__ import annotations

from flask import current_app
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from roster import Roster

from .. import consent
from ..notify.choices import CASE_CHOICE
from ..inputs import PlainTextForm, mobile_phone, nfkc, normalise_number
from . import photos

DESCRIPTION_MAX = 2000
COMPLAINT_CONSENT = ("我同意本站收集我填写的姓名、手机号、事情经过和照片，仅用于登记、办理和回访这件诉求；"
                     "只有所选站点和承办部门的工作人员能看到，不会公开；办结或不予受理后 {days} 天删除"
                     "（一直没有办结的，从登记或最后一次办理算起 {days} 天后删除）。")
SENSITIVE_CONSENT = ("我单独同意本站处理上面内容中的敏感个人信息（如健康状况、未成年人的信息），"
                     "仅用于办理这件诉求，只有办理人员能看到。")
SENSITIVE_REQUIRED = "内容涉及健康、未成年人等敏感信息时，需要您另外勾选这一项同意"

SCORES = [SelectChoice(str(n), f"{n} {word}") for n, word in ((5, "很满意"), (4, "满意"), (3, "一般"), (2, "不满意"),
                                                              (1, "很不满意"))]


class CaseForm(PlainTextForm):
    """The resident's fields, shared by the page and the JSON API."""

    station = SelectField("站点", validators=[DataRequired("请选择您所在的社区或站点")], validate_choice=False)
    category = SelectField("事情的类别", validators=[DataRequired("请选择事情的类别")], validate_choice=False)
    description = TextAreaField(f"发生了什么（最多 {DESCRIPTION_MAX} 字）", validators=[
        DataRequired("请写一下发生了什么"), Length(max=DESCRIPTION_MAX, message=f"最多 {DESCRIPTION_MAX} 字，请精简一下")])
    location = StringField("在哪里（选填）",
                           validators=[Length(max=200, message="地点最多 200 字")])
    occurred = StringField("什么时候发生的（选填）",
                           validators=[Length(max=100, message="时间最多 100 字")])
    name = StringField("您的姓名", render_kw={"autocomplete": "name"},
                       validators=[DataRequired("请填写姓名"), Length(max=40, message="姓名最多 40 个字")])
    phone = TelField("手机号", validators=[DataRequired("请填写手机号"), mobile_phone],
                     render_kw={"autocomplete": "tel", "inputmode": "tel"})
    contact_time = StringField("方便联系您的时间（选填）",
                               validators=[Length(max=100, message="最多 100 字")])
    anonymous = BooleanField("不要向对方透露我的姓名")
    sensitive = BooleanField("内容涉及健康、未成年人等敏感信息")
    sensitive_consent = BooleanField(SENSITIVE_CONSENT)
    quiet = BooleanField(CASE_CHOICE)
    consent = BooleanField(validators=[DataRequired("需要您同意，才能登记您的诉求")])

    def __init__(self, *args, roster: Roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.roster = roster
        self.consent.label.text = COMPLAINT_CONSENT.format(days=current_app.config["RETENTION_DAYS"])

    def fields(self) -> dict:
        """The validated values, as cases.service registers them."""
        found = {name: (getattr(self, name).data or "").strip()
                 for name in ("description", "location", "occurred", "name", "contact_time")}
        found.update(station=self.station.data, category=self.category.data, phone=self.phone.data,
                     anonymous=bool(self.anonymous.data), sensitive_consent=bool(self.sensitive_consent.data),
                     quiet=bool(self.quiet.data))
        shown = [self.consent.label.text] + ([self.sensitive_consent.label.text] if found["sensitive_consent"] else [])
        found["consent_version"] = consent.version(*shown)
        return found

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

    photo_token = HiddenField()  # names the photos kept for a retry (cases/pending.py)

    def __init__(self, *args, roster: Roster, kept_photos: int = 0, **kwargs):
        super().__init__(*args, roster=roster, **kwargs)
        self.kept_photos = kept_photos  # how many photos wait from an earlier try; they count towards the limit
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
        self.photo_names: list[str] = []  # each clean photo's name on the phone, in the same order
        self.photos_chosen = bool(chosen)
        if len(chosen) + self.kept_photos > photos.MAX_PHOTOS:
            kept = f"已保留 {self.kept_photos} 张，" if self.kept_photos else ""
            raise ValidationError(f"最多 {photos.MAX_PHOTOS} 张照片，{kept}您又选了 {len(chosen)} 张")
        problems = []
        for storage in chosen:
            try:
                data = photos.read_limited(storage.stream, storage.filename)
                self.clean_photos.append(photos.clean(data, storage.filename))
                self.photo_names.append(storage.filename)
            except photos.PhotoError as exc:
                problems.append(exc.message)
        if problems:
            raise ValidationError("；".join(problems))


class ApiCaseForm(CaseForm):
    class Meta:
        csrf = False


class TrackForm(PlainTextForm):
    """A lookup changes nothing, so it carries no CSRF token; that also keeps the "not found" page
    byte-for-byte the same whichever number or digits were typed."""

    class Meta:
        csrf = False

    number = StringField("诉求编号", filters=[normalise_number], render_kw={"autocomplete": "off",
                                                                          "autocapitalize": "characters"},
                         validators=[DataRequired("请填写诉求编号"), Length(max=16, message="编号不对，请核对")])
    phone_last4 = StringField("登记手机号的后四位", filters=[nfkc], render_kw={"inputmode": "numeric",
                                                                         "autocomplete": "off", "maxlength": 4},
                              validators=[DataRequired("请填写手机号的后四位"),
                                          Regexp(r"^[0-9]{4}$", message="请填写手机号最后 4 位数字")])


class SatisfactionForm(PlainTextForm):
    score = RadioField("您对这次办理满意吗？", choices=SCORES, validators=[InputRequired("请选一个分数")])
    comment = TextAreaField("还想说的话（选填，最多 500 字）",
                            validators=[Length(max=500, message="最多 500 字，请精简一下")])


class ReportForm(PlainTextForm):
    """A department's report-in (report_views.py): the flow says which detail each action needs."""

    note = TextAreaField("处置情况", validators=[Length(max=2000, message="最多 2000 字，请精简一下")])
    result = TextAreaField("处置结果（首问责任人据此办结并答复群众）",
                           validators=[Length(max=2000, message="最多 2000 字，请精简一下")])

    def payload(self, action: str, now) -> dict:
        """"已到场" is now: the department reports as it happens, it does not type a time."""
        if action == "arrive":
            return {"arrived_at": now}
        return {"note": (self.note.data or "").strip(), "result": (self.result.data or "").strip()}
