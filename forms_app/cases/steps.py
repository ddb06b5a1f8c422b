"""What a ledger row says: the resident's words and the console's record of each action's step.

flow.py names, in each action's row, which of these it uses; they know only the row's before and
after, never the database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from .words import day_words

# 是否化解: the console's word, and the resident's.
OUTCOME_TABLE = (("resolved", "已化解", "已化解"), ("unresolved", "未化解", "未能化解"))
OUTCOMES = {code: label for code, label, _ in OUTCOME_TABLE}
RESIDENT_OUTCOMES = {code: words for code, _, words in OUTCOME_TABLE}


@dataclass(frozen=True)
class Step:
    """One ledger row as the resident's timeline reads it."""

    note: str
    before: dict
    after: dict
    department: str | None  # the case's, when the row does not say


def resolved_words(step: Step) -> str:
    outcome = RESIDENT_OUTCOMES.get(step.after.get("outcome"), "")
    text = "已办结" + (f"（{outcome}）" if outcome else "")
    result = step.after.get("result") or step.note
    return f"{text}。结果：{result}" if result else text


def extended_words(step: Step) -> str:
    days = (step.after.get("extended_days") or 0) - (step.before.get("extended_days") or 0)
    text = f"办理期限延长 {days} 个工作日" if days > 0 else "办理期限已延长"
    if step.after.get("due_at"):
        try:
            text += f"，新的期限：{day_words(datetime.fromisoformat(step.after['due_at']))}"
        except (TypeError, ValueError):
            pass
    return f"{text}。原因：{step.note}" if step.note else text


def with_reason(text: str) -> Callable[[Step], str]:
    return lambda step: f"{text}。原因：{step.note}" if step.note else text


def minute(value) -> str:
    try:
        return f"{datetime.fromisoformat(value):%Y-%m-%d %H:%M}"
    except (TypeError, ValueError):
        return ""


def dispatch_record(step: Step) -> str:
    department = step.after.get("department") or step.department or "（部门未记录）"
    return f"派给{department}" + ("，需到场" if step.after.get("dispatched_on_site") else "")


def feedback_record(step: Step) -> str:
    channel, moment = step.after.get("feedback_channel"), minute(step.after.get("feedback_at"))
    return "，".join(part for part in (f"{channel}反馈" if channel else "", moment) if part)
