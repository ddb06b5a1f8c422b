"""The console's forms: logging in, and the details of an action of the case flow."""
from __future__ import annotations

from wtforms import BooleanField, IntegerField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from ..cases.flow import FEEDBACK_CHANNELS, OUTCOMES
from ..clock import aware
from ..inputs import PlainTextForm


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


MomentField = _in_chinese(DateTimeLocalField, "请按“年-月-日 时:分”填写，例如 2026-11-23 14:30")
WholeNumberField = _in_chinese(IntegerField, "请填一个整数，例如 5")


class ActionForm(PlainTextForm):
    """All the details any action may need; the state machine says which are required.
    Each action's form on the case page carries its own prefix, so ids stay unique."""

    reason = StringField("原因", validators=[Optional()])
    department = SelectField("派给哪个部门", validators=[Optional()], validate_choice=False)
    on_site = BooleanField("需要到场处置（30 分钟内到场）")
    arrived_at = MomentField("到场时间", validators=[Optional()], format="%Y-%m-%dT%H:%M")
    note = TextAreaField("记录", validators=[Optional()])
    outcome = RadioField("是否化解", choices=[SelectChoice(code, label) for code, label in OUTCOMES.items()],
                         validators=[Optional()],
                         validate_choice=False)
    result = TextAreaField("处理结果（群众在查询页能看到这段话）", validators=[Optional()])
    channel = SelectField("反馈方式", choices=[SelectChoice(c, c) for c in FEEDBACK_CHANNELS],
                          validators=[Optional()])
    given_at = MomentField("反馈时间", validators=[Optional()], format="%Y-%m-%dT%H:%M")
    days = WholeNumberField("延长几个工作日", validators=[Optional()])

    def payload(self) -> dict:
        """The details as the flow takes them: text stripped, times in Beijing time."""
        def text(field) -> str:
            return (field.data or "").strip()
        return {"reason": text(self.reason), "department": self.department.data, "on_site": self.on_site.data,
                "note": text(self.note), "outcome": self.outcome.data, "result": text(self.result),
                "channel": self.channel.data, "days": self.days.data,
                "arrived_at": self.arrived_at.data and aware(self.arrived_at.data),
                "given_at": self.given_at.data and aware(self.given_at.data)}


def action_form(action: str, roster, formdata=None) -> ActionForm:
    form = ActionForm(formdata=formdata, prefix=action) if formdata is not None else ActionForm(prefix=action)
    form.department.choices = [SelectChoice("", "请选择")] + [SelectChoice(d, d) for d in roster.settings.departments]
    return form


class PasswordForm(PlainTextForm):
    old_password = PasswordField("原密码", validators=[DataRequired("请填写原密码")],
                                 render_kw={"autocomplete": "current-password"})
    new_password = PasswordField("新密码", validators=[DataRequired("请填写新密码")],
                                 render_kw={"autocomplete": "new-password"})
    new_again = PasswordField("再输一次新密码", validators=[DataRequired("请再输一次新密码")],
                              render_kw={"autocomplete": "new-password"})
