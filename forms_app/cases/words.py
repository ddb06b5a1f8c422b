"""Dates as a resident reads them: 11月23日（周一）, with the year only when it is not this year."""
from __future__ import annotations

from datetime import datetime

from roster.describe import weekday_char

from .. import clock
from ..clock import aware


def day_words(moment: datetime, now: datetime | None = None) -> str:
    """11月23日（周一）; with the year when it is not this year."""
    moment = aware(moment)
    now = aware(now or clock.now())
    year = f"{moment.year}年" if moment.year != now.year else ""
    return f"{year}{moment.month}月{moment.day}日（周{weekday_char(moment)}）"


def when_words(moment: datetime, now: datetime | None = None) -> str:
    return f"{day_words(moment, now)} {aware(moment):%H:%M}"
