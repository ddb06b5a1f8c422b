"""The service's one clock. Everything asks ``clock.now()`` when it runs (never ``from .clock import
now``), so that a test moves time for the whole service by patching this one attribute.

Stored times are naive Beijing wall-clock times (models.py says why); ``naive`` and ``aware``
convert between them and the aware times the code computes with.
"""
from __future__ import annotations

from datetime import MAXYEAR, MINYEAR, datetime

from roster import TZ


def now() -> datetime:
    """Now, aware, in Asia/Shanghai."""
    return datetime.now(TZ)


def naive(moment: datetime) -> datetime:
    """Beijing wall-clock time without tzinfo, as stored."""
    return moment.astimezone(TZ).replace(tzinfo=None)


def aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=TZ) if moment.tzinfo is None else moment.astimezone(TZ)


def from_iso(text: str) -> datetime:
    """An ISO 8601 date-time as an aware Beijing time. ValueError also for a moment in year 1 or 9999:
    near those ends the conversion to Beijing or a slot's length would overflow (an OverflowError, a 500)."""
    try:
        moment = aware(datetime.fromisoformat(text))
    except OverflowError:
        raise ValueError("date-time out of range") from None
    if not MINYEAR < moment.year < MAXYEAR:
        raise ValueError("date-time out of range")
    return moment


def now_naive() -> datetime:
    """Now as it is stored."""
    return naive(now())
