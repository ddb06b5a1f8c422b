"""The form of a station's month for the filed register (filing_views.py): the three narrative
parts seed 000 names, and the version of the row the page was opened at."""
from __future__ import annotations

from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from ..inputs import PlainTextForm
from .filing_rules import PART_MAX, PARTS

TOO_LONG = f"最多 {PART_MAX} 个字"


class FilingForm(PlainTextForm):
    work = TextAreaField(PARTS["work"], validators=[Optional(), Length(max=PART_MAX, message=TOO_LONG)],
                         render_kw={"rows": 8})
    problems = TextAreaField(PARTS["problems"], validators=[Optional(), Length(max=PART_MAX, message=TOO_LONG)],
                             render_kw={"rows": 6})
    suggestions = TextAreaField(PARTS["suggestions"], validators=[Optional(), Length(max=PART_MAX, message=TOO_LONG)],
                                render_kw={"rows": 6})
    # 0 before the first save; a number of at most nine digits, so that it always fits the column
    version = HiddenField(validators=[Regexp(r"^[0-9]{1,9}$", message="页面已过期，请刷新后再试")], default="0")

    def texts(self) -> dict[str, str]:
        return {name: self[name].data or "" for name in PARTS}
