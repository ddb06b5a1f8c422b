"""Duty in plain Chinese words, as a resident reads it on the board: 每周一至周五 08:30–12:00。"""
from __future__ import annotations

from datetime import date

from .model import DUTY_SYSTEMS, WEEKDAY_CHARS, WEEKDAYS, Duty

_DAY = dict(zip(WEEKDAYS, WEEKDAY_CHARS))
_ORDINAL = {1: "第一个", 2: "第二个", 3: "第三个", 4: "第四个", 5: "第五个", -1: "最后一个", -2: "倒数第二个"}


def weekday_char(day: date) -> str:
    """The character after 周 for ``day`` (a date or datetime): 一 for a Monday."""
    return WEEKDAY_CHARS[day.weekday()]


def weekday_phrase(codes) -> str:
    """['MO','TU','WE','TH','FR'] → 周一至周五; ['MO','WE'] → 周一、周三."""
    days = sorted({c[-2:] for c in codes}, key=WEEKDAYS.index)
    if len(days) == 7:
        return "每天"
    indexes = [WEEKDAYS.index(d) for d in days]
    if len(days) >= 3 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"周{_DAY[days[0]]}至周{_DAY[days[-1]]}"
    return "、".join(f"周{_DAY[d]}" for d in days)


def time_range(opens, closes) -> str:
    return f"{opens:%H:%M}–{closes:%H:%M}"


def short_date(day: date, today: date | None = None) -> str:
    if today is not None and day.year == today.year:
        return f"{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def when_words(duty: Duty, today: date | None = None) -> str:
    """The days of a duty, without its times: 每周一至周五 / 隔周周三 / 每月第一个周四 / 12月10日、1月14日."""
    if duty.freq is None:
        days = sorted(d for d in duty.dates if today is None or d >= today) or sorted(duty.dates)[-1:]
        return "、".join(short_date(d, today) for d in days)
    if duty.freq == "daily":
        base = "每天" if duty.interval == 1 else f"每 {duty.interval} 天"
        return base + (f"（限{weekday_phrase(duty.byday)}）" if duty.byday else "")
    if duty.freq == "weekly":
        days = weekday_phrase(duty.byday)
        if days == "每天":
            return days if duty.interval == 1 else f"每 {duty.interval} 周的每天"
        if duty.interval == 1:
            return "每" + days
        return ("隔周" if duty.interval == 2 else f"每 {duty.interval} 周的") + days
    parts = []
    for code in duty.byday:
        n, day = (int(code[:-2]), code[-2:]) if len(code) > 2 else (None, code)
        parts.append(f"{_ORDINAL.get(n, f'第{n}个') if n else '每个'}周{_DAY[day]}")
    for n in duty.bymonthday:
        parts.append("最后一天" if n == -1 else f"{n}日" if n > 0 else f"倒数第{-n}天")
    prefix = "每月" if duty.interval == 1 else f"每 {duty.interval} 个月的"
    return prefix + "、".join(parts)


def duty_words(duty: Duty, today: date | None = None) -> str:
    """每周一至周五 08:30–12:00（坐班，警务室）"""
    extras = [DUTY_SYSTEMS[duty.system]]
    if duty.place:
        extras.append(duty.place)
    text = f"{when_words(duty, today)} {time_range(duty.opens_at, duty.closes_at)}（{'，'.join(extras)}）"
    if duty.valid_from and (today is None or duty.valid_from > today):
        text += f"，{short_date(duty.valid_from, today)}起"
    if duty.valid_to:
        text += f"，至{short_date(duty.valid_to, today)}"
    return text
