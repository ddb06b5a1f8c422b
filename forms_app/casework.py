"""The case flow of the seeds as a state machine: 登记 → 受理 → 吹哨 → 处置 → 反馈 → 回访 → 归档.

The rules live here, not in the pages: an action the state does not allow is refused with
IllegalAction whoever calls it. This module knows nothing of the database; ``apply`` takes the
case's current facts and returns the changes to make, which the caller writes together with
the ledger row that records them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

STATES = {
    "registered": "登记",
    "accepted": "受理",
    "dispatched": "吹哨",
    "handling": "处置",
    "resolved": "反馈",
    "followed_up": "回访",
    "archived": "归档",
    "rejected": "不予受理",
}
OPEN = ("registered", "accepted", "dispatched", "handling")
CLOSED = ("resolved", "followed_up", "archived", "rejected")

# action → (states it may start from, state it leads to; None = stays)
ACTIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "accept": (("registered",), "accepted"),
    "reject": (("registered",), "rejected"),
    "dispatch": (("accepted", "handling"), "dispatched"),
    "arrive": (("dispatched",), None),
    "handle": (("accepted", "dispatched", "handling"), "handling"),
    "resolve": (("accepted", "dispatched", "handling"), "resolved"),
    "feedback": (("resolved",), None),
    "follow_up": (("resolved",), "followed_up"),
    "archive": (("followed_up",), "archived"),
    "reopen": (("resolved", "followed_up", "archived"), "handling"),
    "extend": (OPEN, None),
    "note": (OPEN + ("resolved", "followed_up"), None),
}
ACTION_NAMES = {"accept": "受理", "reject": "不予受理", "dispatch": "吹哨（派给部门）", "arrive": "记录到场",
                "handle": "处置记录", "resolve": "办结", "feedback": "反馈给群众", "follow_up": "回访", "archive": "归档",
                "reopen": "重新办理", "extend": "延长期限", "note": "备注"}


# What a clerk calls each detail an action may need, for messages.
FIELD_NAMES = {"reason": "原因", "department": "部门", "arrived_at": "到场时间", "note": "记录", "outcome": "是否化解",
               "result": "处理结果", "channel": "反馈方式", "given_at": "反馈时间", "days": "延长几个工作日"}


class IllegalAction(Exception):
    """The action is not allowed now; ``message`` says why, in Chinese; ``field`` names the detail at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about a case."""

    state: str
    owner_id: int | None = None
    resolved_at: datetime | None = None
    feedback_at: datetime | None = None
    dispatched_on_site: bool = False
    dispatched_at: datetime | None = None
    arrived_at: datetime | None = None


@dataclass
class Change:
    """What an allowed action does: the new state and the fields to set."""

    state: str
    fields: dict = field(default_factory=dict)


def allowed(facts: Facts) -> list[str]:
    """Actions a page may offer for this case (the same rules apply, so this is only a hint)."""
    found = []
    for action, (sources, _) in ACTIONS.items():
        if facts.state in sources:
            try:
                _guard(action, facts, {}, datetime.max, reopen_days=None, check_payload=False)
            except IllegalAction:
                continue
            found.append(action)
    return found


def _require(payload: dict, *names: str) -> None:
    missing = [n for n in names if payload.get(n) in (None, "")]
    if missing:
        raise IllegalAction("请填写：" + "、".join(FIELD_NAMES.get(n, n) for n in missing), missing[0])


def _check_moment(name: str, moment: datetime, now: datetime, earliest: datetime | None, since: str) -> None:
    if moment > now:
        raise IllegalAction(f"{FIELD_NAMES[name]}不能晚于现在", name)
    # The form takes minutes; a step taken at 09:20:45 may be followed by one written as 09:20.
    if earliest is not None and moment < earliest.replace(second=0, microsecond=0):
        raise IllegalAction(f"{FIELD_NAMES[name]}不能早于{since}（{earliest:%Y-%m-%d %H:%M}）", name)


def _guard(action: str, facts: Facts, payload: dict, now: datetime, *, reopen_days: int | None,
           departments: tuple[str, ...] | None = None, check_payload: bool = True) -> None:
    if action not in ACTIONS:
        raise IllegalAction(f"没有“{action}”这个操作")
    sources, _ = ACTIONS[action]
    if facts.state not in sources:
        raise IllegalAction(f"案件处于“{STATES[facts.state]}”状态，不能{ACTION_NAMES[action]}")
    if action == "arrive" and not facts.dispatched_on_site:
        raise IllegalAction("这次吹哨不需要到场，不用记录到场时间")
    if action == "arrive" and facts.arrived_at is not None:
        raise IllegalAction("已经记录过到场时间")
    if action == "follow_up" and facts.feedback_at is None:
        raise IllegalAction("先把结果反馈给群众，再回访")
    if action == "reopen" and reopen_days is not None and facts.resolved_at is not None:
        if now > facts.resolved_at + timedelta(days=reopen_days):
            raise IllegalAction(f"办结已超过 {reopen_days} 天，不能重新办理；请登记为新案件")
    if not check_payload:
        return
    required = {"reject": ("reason",), "dispatch": ("department",), "arrive": ("arrived_at",), "handle": ("note",),
                "resolve": ("outcome", "result"), "feedback": ("channel", "given_at"), "follow_up": ("note",),
                "reopen": ("reason",), "extend": ("reason", "days"), "note": ("note",)}.get(action, ())
    _require(payload, *required)
    if action == "resolve" and payload["outcome"] not in ("resolved", "unresolved"):
        raise IllegalAction("请选择是否化解", "outcome")
    if action == "extend" and not 1 <= int(payload["days"]) <= 60:
        raise IllegalAction("延长的工作日数应在 1 到 60 之间", "days")
    if action == "dispatch" and departments is not None and payload["department"] not in departments:
        raise IllegalAction("请从名单里选择部门（名单在 roster.yaml 的 settings.departments）", "department")
    if action == "arrive":
        _check_moment("arrived_at", payload["arrived_at"], now, facts.dispatched_at, "吹哨时间")
    if action == "feedback":
        _check_moment("given_at", payload["given_at"], now, facts.resolved_at, "办结时间")


def apply(action: str, facts: Facts, payload: dict, actor_id: int, now: datetime, *, reopen_days: int,
          departments: tuple[str, ...] | None = None) -> Change:
    """Check ``action`` against the rules and return what it changes; raises IllegalAction."""
    _guard(action, facts, payload, now, reopen_days=reopen_days, departments=departments)
    target = ACTIONS[action][1] or facts.state
    change = Change(target)
    if action == "accept":
        change.fields["owner_id"] = actor_id  # 首问责任人: whoever accepts answers for it to the end
        change.fields["accepted_at"] = now
    elif action == "reject":
        change.fields["closed_at"] = now
    elif action == "dispatch":
        change.fields.update(department=payload["department"], dispatched_at=now,
                             dispatched_on_site=bool(payload.get("on_site")), arrived_at=None)
    elif action == "arrive":
        change.fields["arrived_at"] = payload["arrived_at"]
    elif action == "resolve":
        change.fields.update(resolved_at=now, outcome=payload["outcome"], result=payload["result"])
    elif action == "feedback":
        change.fields.update(feedback_at=payload["given_at"], feedback_channel=payload["channel"])
    elif action == "follow_up":
        change.fields["followed_up_at"] = now
    elif action == "archive":
        change.fields["closed_at"] = now
    elif action == "reopen":
        change.fields.update(resolved_at=None, feedback_at=None, outcome=None, closed_at=None)
    return change
