"""The form of a 督办 step on the case page (cases/supervision.py says which details each step
needs): each step's form carries its own prefix, so the panel's ids stay unique."""
from __future__ import annotations

from datetime import timedelta

from wtforms import DateField, TextAreaField
from wtforms.validators import Length, Optional

from .. import clock
from ..cases.supervision import MAX_TEXT
from ..inputs import PlainTextForm


class ChineseDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("请按“年-月-日”填写，例如 2026-12-10") from None


def _most(name: str) -> Length:
    return Length(max=MAX_TEXT[name], message=f"最多 {MAX_TEXT[name]} 个字")


class SupervisionForm(PlainTextForm):
    instruction = TextAreaField("督办要求（站点要做什么、怎么回复）", validators=[Optional(), _most("instruction")])
    deadline = ChineseDateField("书面回复期限", validators=[Optional()])
    reply = TextAreaField("书面回复（做了什么、结果如何）", validators=[Optional(), _most("reply")])
    reason = TextAreaField("退回原因（还要补充什么）", validators=[Optional(), _most("reason")])
    note = TextAreaField("办结意见（可不填）", validators=[Optional(), _most("note")])

    def payload(self) -> dict:
        def text(field) -> str:
            return (field.data or "").strip()
        return {"instruction": text(self.instruction), "deadline": self.deadline.data, "reply": text(self.reply),
                "reason": text(self.reason), "note": text(self.note)}


DEFAULT_DAYS = 3  # a fresh 督办's deadline, which the supervisor may change


def supervision_form(step: str, formdata=None, deadline=None) -> SupervisionForm:
    """The form of ``step``; a fresh one has its deadline filled in (the present one, or a few days on)."""
    form = SupervisionForm(formdata=formdata, prefix=step) if formdata is not None else SupervisionForm(prefix=step)
    today = clock.now().date()
    if formdata is None and step in ("issue", "send_back"):
        form.deadline.data = deadline if deadline is not None and deadline >= today else today + timedelta(DEFAULT_DAYS)
    form.deadline.render_kw = {"min": today.isoformat(), "max": (today + timedelta(days=90)).isoformat()}
    return form
