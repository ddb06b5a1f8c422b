"""The console's forms: logging in, and the details of an action of the case flow."""
from __future__ import annotations

from datetime import datetime

from wtforms import BooleanField, IntegerField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from .. import clock
from ..cases import handlers, officers
from ..cases.flow import FEEDBACK_CHANNELS, MOMENTS, OUTCOMES, Facts, earliest
from ..clock import aware, naive
from ..inputs import PlainTextForm, nfkc


class LoginForm(PlainTextForm):
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


WholeNumberField = _in_chinese(IntegerField, "请填一个整数，例如 5")
JUST_NOW = ("刚才", "刚刚", "现在", "just now", "now")
# The first is what a datetime-local input sends and shows; the others are what a clerk types
# where the browser draws a plain text box (older WeChat browsers), and a time alone means today.
MOMENT_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M",
                  "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H:%M")


class MomentField(DateTimeLocalField):
    """A moment in Beijing time to the minute: what the picker sends, a typed date and time, a time
    alone (today), or "刚才" (now), typed or sent by the form's one-tap button of that value."""

    just_now = False  # the value was "刚才"

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=list(MOMENT_FORMATS), **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        texts = [nfkc(value) for value in valuelist if isinstance(value, str)]
        if any(text.lower() in JUST_NOW for text in texts):
            self.just_now = True
            self.data = naive(clock.now()).replace(second=0, microsecond=0)
            return
        text = texts[0] if texts else ""
        self.data = _parse(text) if text else None  # none given: the flow asks for it, if the action needs it
        if text and self.data is None:
            raise ValueError("请按“年-月-日 时:分”填写，例如 2026-11-23 14:30；刚刚发生的可以点“刚才”")

    def _value(self):
        if self.raw_data and not self.just_now:
            return self.raw_data[0]  # what the clerk typed, to correct (a pressed "刚才" sends a second value)
        return self.data.strftime(self.format[0]) if self.data else ""


def _parse(text: str) -> datetime | None:
    for pattern in MOMENT_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    try:
        alone = datetime.strptime(text, "%H:%M")
    except ValueError:
        return None
    return naive(clock.now()).replace(hour=alone.hour, minute=alone.minute, second=0, microsecond=0)


class ActionForm(PlainTextForm):
    """All the details any action may need; the state machine says which are required.
    Each action's form on the case page carries its own prefix, so ids stay unique."""

    reason = StringField("原因", validators=[Optional()])
    department = SelectField("派给哪个部门", validators=[Optional()], validate_choice=False)
    on_site = BooleanField("需要到场处置（30 分钟内到场）")
    arrived_at = MomentField("到场时间（北京时间）", validators=[Optional()])
    note = TextAreaField("记录", validators=[Optional()])
    outcome = RadioField("是否化解", choices=[SelectChoice(code, label) for code, label in OUTCOMES.items()],
                         validators=[Optional()],
                         validate_choice=False)
    result = TextAreaField("处理结果（群众在查询页能看到这段话）", validators=[Optional()])
    channel = SelectField("反馈方式", choices=[SelectChoice(c, c) for c in FEEDBACK_CHANNELS],
                          validators=[Optional()])
    given_at = MomentField("反馈时间（北京时间）", validators=[Optional()])
    days = WholeNumberField("延长几个工作日", validators=[Optional()])
    handler = SelectField("交给哪位承办人", validators=[Optional()], validate_choice=False)
    officer = SelectField("办理人员", validators=[Optional()], validate_choice=False)

    def payload(self) -> dict:
        """The details as the flow takes them: text stripped, times in Beijing time."""
        def text(field) -> str:
            return (field.data or "").strip()
        return {"reason": text(self.reason), "department": self.department.data, "on_site": self.on_site.data,
                "note": text(self.note), "outcome": self.outcome.data, "result": text(self.result),
                "channel": self.channel.data, "days": self.days.data, "handler": self.handler.data,
                "officer": self.officer.data,
                "arrived_at": self.arrived_at.data and aware(self.arrived_at.data),
                "given_at": self.given_at.data and aware(self.given_at.data)}


def action_form(action: str, roster, formdata=None, facts: Facts | None = None, case=None) -> ActionForm:
    """The form of ``action``; a fresh one has its moments at now, and with the case's ``facts``
    the picker is bounded by the range the flow allows; with the ``case``, the handlers and
    officers one may choose are its station's."""
    form = ActionForm(formdata=formdata, prefix=action) if formdata is not None else ActionForm(prefix=action)
    form.department.choices = [SelectChoice("", "请选择")] + [SelectChoice(d, d) for d in roster.settings.departments]
    if case is not None:
        form.handler.choices = [SelectChoice("", "请选择")] + [SelectChoice(str(i), name) for i, name in
                                                              (handlers.eligible(case).items() if action == "hand_over" else ())]
        named = case.officer_ids
        shown = ([o.id for o in officers.people(roster, case.station_id) if o.id not in named]
                 if action == "name_officer" else named)
        form.officer.choices = [SelectChoice("", "请选择")] + [SelectChoice(o, officers.words(roster, o)) for o in shown]
    now = naive(clock.now()).replace(second=0, microsecond=0)
    for name in MOMENTS:
        field = getattr(form, name)
        if formdata is None:
            field.data = now
        first = earliest(name, facts) if facts is not None else None
        field.render_kw = {**(field.render_kw or {}), "max": f"{now:%Y-%m-%dT%H:%M}",
                           **({"min": f"{naive(first):%Y-%m-%dT%H:%M}"} if first is not None else {})}
    return form


class ContactForm(PlainTextForm):
    contact = StringField("手机号、电子邮箱或 webhook 地址", validators=[Optional(), Length(max=300, message="最多 300 个字")],
                          render_kw={"autocomplete": "off", "inputmode": "email"})


class PasswordForm(PlainTextForm):
    old_password = PasswordField("原密码", validators=[DataRequired("请填写原密码")],
                                 render_kw={"autocomplete": "current-password"})
    new_password = PasswordField("新密码", validators=[DataRequired("请填写新密码")],
                                 render_kw={"autocomplete": "new-password"})
    new_again = PasswordField("再输一次新密码", validators=[DataRequired("请再输一次新密码")],
                              render_kw={"autocomplete": "new-password"})
