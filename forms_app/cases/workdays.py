"""Deadlines in Chinese working days: weekends, official holidays and adjusted working days
(调休) from the chinese-calendar package. For a year the package does not know yet (the State
Council publishes each year's schedule in the autumn before), plain Monday-to-Friday is used
and ``schedule_known`` says so, so that a deadline is never silently wrong."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import chinese_calendar


def schedule_known(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
        return True
    except NotImplementedError:
        return False


def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(start: datetime, days: int) -> datetime:
    """The end of the ``days``-th working day after ``start`` (the day of ``start`` not counted).

    A case registered on Friday evening with one working day to respond is due at the end of
    Monday; across the National Day holiday it is due after the holiday's adjusted working day.
    """
    if days <= 0:
        return start
    day, counted = start.date(), 0
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    return datetime.combine(day, time(23, 59, 59), tzinfo=start.tzinfo)


def workdays_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_workday(day):
            count += 1
    return count
