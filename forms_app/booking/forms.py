"""The booking forms, shared by the HTML pages and the JSON API."""
from __future__ import annotations

from flask import current_app
from wtforms import BooleanField, RadioField, SelectField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from .. import consent
from ..inputs import PlainTextForm, mobile_phone, nfkc, normalise_number
from ..notify.choices import BOOKING_CHOICE
from .service import Resident

CONSENT_TEXT = ("我同意本站收集我的姓名、手机号和上面的说明，仅用于安排这次见面；只有所选站点的工作人员和接待人员能看到；"
                "见面结束 {days} 天后删除。")


class ResidentForm(PlainTextForm):
    name = StringField("您的姓名", validators=[DataRequired("请填写姓名"), Length(max=40, message="姓名最多 40 个字")],
                       render_kw={"autocomplete": "name"})
    phone = TelField("手机号", validators=[DataRequired("请填写手机号"), mobile_phone],
                     render_kw={"autocomplete": "tel", "inputmode": "tel"})
    topic = SelectField("想咨询的事情", validators=[DataRequired("请选择事情的类别")], validate_choice=False)
    description = TextAreaField("简单说明（选填，最多 500 字）",
                                validators=[Length(max=500, message="最多 500 字，请精简一下")])
    quiet = BooleanField(BOOKING_CHOICE)
    consent = BooleanField(validators=[DataRequired("需要您同意，才能为您预约")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent.label.text = CONSENT_TEXT.format(days=current_app.config["RETENTION_DAYS"])

    def resident(self) -> Resident:
        """Who books, as the booking service stores them, with the consent text they agreed to."""
        return Resident(self.name.data.strip(), self.phone.data, self.topic.data, (self.description.data or "").strip(),
                        consent.version(self.consent.label.text), quiet=bool(self.quiet.data))

    def validate_topic(self, field) -> None:
        # In place of WTForms' English "Not a valid choice".
        if field.data not in {value for value, *_ in (field.choices or []) if value}:
            raise ValidationError("请从列表中选择事情的类别")

    def set_topics(self, categories) -> None:
        self.topic.choices = [SelectChoice("", "请选择")] + [SelectChoice(c.code, c.name) for c in categories]


class BookingForm(ResidentForm):
    slot = RadioField("选择时间", validate_choice=False, validators=[InputRequired("请选择一个时间")])


class ApiBookingForm(ResidentForm):
    """The API's body: the same resident fields plus the slot as station, officer and start."""

    class Meta:
        csrf = False

    station = StringField(validators=[DataRequired("missing station")])
    officer = StringField(validators=[DataRequired("missing officer")])
    start = StringField(validators=[DataRequired("missing start")])


class CancelForm(PlainTextForm):
    reason = StringField("取消原因", validators=[DataRequired("请写一下取消的原因"), Length(max=200)])


class RescheduleForm(PlainTextForm):
    slot = RadioField("新的时间", validate_choice=False, validators=[InputRequired("请选择新的时间")])
    reason = StringField("改约原因", validators=[DataRequired("请写一下改约的原因"), Length(max=200)])


class FindBookingForm(PlainTextForm):
    """A look-up changes nothing, so, like tracking a case, it carries no CSRF token, and the "not
    found" page is the same whichever number or digits were typed."""

    class Meta:
        csrf = False

    number = StringField("预约号", filters=[normalise_number], render_kw={"autocomplete": "off",
                                                                      "autocapitalize": "characters"},
                         validators=[DataRequired("请填写预约号"), Length(max=16, message="预约号不对，请核对")])
    phone_last4 = StringField("预约时填写的手机号的后四位", filters=[nfkc],
                              render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 4},
                              validators=[DataRequired("请填写手机号的后四位"),
                                          Regexp(r"^[0-9]{4}$", message="请填写手机号最后 4 位数字")])
