"""The clerk's registration form (登记, intake_views.py): the resident's fields of the web form
(cases/forms.py CaseForm, the same checks), the source, and the consent the resident gives by word
of mouth: the clerk reads the text out and ticks that they did and the resident agreed. The consent
version is that of the words read out (consent.py), as a web case keeps that of the words shown."""
from __future__ import annotations

from flask import current_app
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from roster import Roster

from .. import consent
from ..cases import sources
from ..cases.forms import CaseForm

ORAL_CONSENT = ("您告诉我们的姓名、手机号和事情经过，本站只用于登记、办理和回访这件诉求；只有所选站点和承办部门的"
                "工作人员能看到，不会公开；办结或不予受理后 {days} 天删除（一直没有办结的，从登记或最后一次办理算起"
                " {days} 天后删除）。您同意吗？")
ORAL_SENSITIVE = "事情里涉及健康状况、未成年人等敏感信息，本站只用于办理这件诉求，只有办理人员能看到。您同意吗？"
CONSENT_TICK = "我已把上面的告知念给群众听，群众口头同意"
SENSITIVE_TICK = "我已念了敏感信息的告知，群众口头同意"
CONSENT_REQUIRED = "请先把告知念给群众听；群众同意后勾选这一项，才能登记"


class RegisterForm(CaseForm):
    """``stations``: the stations the clerk may register at (their own); one alone is preselected."""

    source = SelectField("来源", validators=[DataRequired("请选择诉求的来源")], validate_choice=False)

    def __init__(self, *args, roster: Roster, stations: list[str], **kwargs):
        super().__init__(*args, roster=roster, **kwargs)
        days = current_app.config["RETENTION_DAYS"]
        self.consent_text = ORAL_CONSENT.format(days=days)
        self.sensitive_text = ORAL_SENSITIVE
        self.consent.label.text = CONSENT_TICK
        self.consent.validators = [DataRequired(CONSENT_REQUIRED)]
        self.sensitive_consent.label.text = SENSITIVE_TICK
        self.stations = stations
        self.station.choices = ([] if len(stations) == 1 else [SelectChoice("", "请选择")]) + [
            SelectChoice(s, roster.station(s).name) for s in stations]
        self.source.choices = [SelectChoice("", "请选择")] + [SelectChoice(code, sources.label(code))
                                                            for code in sources.STAFF_SOURCES]
        self.category.choices = [SelectChoice("", "请选择")] + [SelectChoice(c.code, c.name)
                                                              for c in roster.settings.categories]
        self.phone.label.text = "手机号"
        self.name.label.text = "反映人姓名"

    def validate_station(self, field) -> None:
        if field.data not in self.stations:
            raise ValidationError("请从列表中选择站点")

    def validate_source(self, field) -> None:
        if field.data not in sources.STAFF_SOURCES:
            raise ValidationError("请从列表中选择来源")

    def fields(self) -> dict:
        found = super().fields()
        read = [self.consent_text] + ([self.sensitive_text] if found["sensitive_consent"] else [])
        found.update(source=self.source.data, consent_version=consent.version(*read))
        return found
