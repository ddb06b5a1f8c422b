"""The case flow of the seeds as a state machine: 登记 → 受理 → 吹哨 → 处置 → 办结 → 回访 → 归档.

Everything about an action is in its row of FLOW, here and nowhere else: who may take it, from
which states, to which state, the details it needs, what a clerk calls it, what the resident
reads of it on the tracking page, and what it changes. An action the state does not allow is
refused with IllegalAction whoever calls it. This module knows nothing of the database:
``apply`` takes the case's current facts and returns the changes to make, which the caller
(service.act) writes together with the ledger row that records them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from roster.model import CASE_STATES

from . import handlers, officers, supervision
from .refusal import IllegalAction
from .steps import (OUTCOME_TABLE, OUTCOMES, RESIDENT_OUTCOMES, Step, dispatch_record, extended_words,  # noqa: F401
                    feedback_record, minute, resolved_words, with_reason)
from .workdays import add_workdays


@dataclass(frozen=True)
class State:
    code: str
    label: str  # what a clerk calls it
    resident: str  # what a resident reads
    open: bool  # still being worked, with a deadline running


STATE_TABLE = (
    State("registered", "登记", "已登记，等待受理", True),
    State("accepted", "受理", "已受理", True),
    State("dispatched", "吹哨", "已交承办部门", True),
    State("handling", "处置", "正在处置", True),
    # Not "反馈": the result may not have been given to the resident yet (that is an action).
    State("resolved", "办结", "已办结", False),
    State("followed_up", "回访", "已回访", False),
    State("archived", "归档", "已归档", False),
    State("rejected", "不予受理", "不予受理", False),
)
assert tuple(s.code for s in STATE_TABLE) == CASE_STATES, "the flow names every state of roster.model, in order"
STATES = {s.code: s.label for s in STATE_TABLE}
RESIDENT_STATES = {s.code: s.resident for s in STATE_TABLE}
OPEN = tuple(s.code for s in STATE_TABLE if s.open)
CLOSED = tuple(s.code for s in STATE_TABLE if not s.open)
RATABLE = ("resolved", "followed_up", "archived")
# accepted, with an owner, and not yet filed away: who works it and who handled it may still change
WORKED = ("accepted", "dispatched", "handling", "resolved", "followed_up")  # a resident may rate the handling from these

FEEDBACK_CHANNELS = ("电话", "当面", "短信", "上门")
STAFF_ROLES = ("station", "admin")
RESIDENT = "resident"  # the role of the resident's own actions
DEPARTMENT = "department"  # a department reporting in through its link (report_in.py), without an account
CONSOLE_ROLES = STAFF_ROLES + ("supervisor",)

# What a clerk calls each detail an action may need, for messages.
FIELD_NAMES = {"reason": "原因", "department": "部门", "arrived_at": "到场时间", "note": "记录", "outcome": "是否化解",
               "result": "处理结果", "channel": "反馈方式", "given_at": "反馈时间", "days": "延长几个工作日",
               "score": "评分", "handler": "承办人", "officer": "办理人员"}


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
    due_at: datetime | None = None
    extended_days: int = 0
    satisfaction: int | None = None
    # "未到场" was recorded, with its reason, since the latest dispatch
    arrival_excused: bool = False
    handler_id: int | None = None  # 承办人 (handlers.py)
    officers: tuple[str, ...] = ()  # the roster officers named on the case (officers.py)


@dataclass
class Change:
    """What an allowed action does: the new state and the fields to set."""

    state: str
    fields: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What the rules need besides the case: who acts, when, and the roster's settings."""

    actor_id: int | None
    now: datetime
    reopen_days: int | None
    departments: tuple[str, ...] | None
    # what a detail may be chosen from where the database or the roster says: "handler" → staff
    # ids (handlers.eligible), "officer" → the station's people (officers.people)
    choices: dict | None = None


def _no_check(_facts: Facts, _payload: dict, _context: Context) -> None:
    return None


def _nothing(_facts: Facts, _payload: dict, _context: Context) -> dict:
    return {}


@dataclass(frozen=True)
class Action:
    code: str
    label: str  # what a clerk calls it: on the button, in messages
    sources: tuple[str, ...]  # the states it may start from
    target: str | None  # the state it leads to; None: the state stays
    required: tuple[str, ...] = ()  # details that must be given
    by: tuple[str, ...] = STAFF_ROLES  # who may take it
    check: Callable[[Facts, dict, Context], None] = _no_check  # what the case allows; raises IllegalAction
    # what must be done first (the page says so beside the actions it offers); raises IllegalAction
    needs: Callable[[Facts, dict, Context], None] = _no_check
    validate: Callable[[Facts, dict, Context], None] = _no_check  # the details given, once all are there
    fields: Callable[[Facts, dict, Context], dict] = _nothing  # the case's fields it sets
    unset: tuple[str, ...] = ()  # fields that must still be empty when it is written (a second try loses)
    # The row must still be in the state the rules were asked about when the change is written;
    # False: in any of ``sources`` (what it writes does not depend on which, as with a rating).
    same_state: bool = True
    tells_resident: Callable[[Step], str] | None = None  # None: stays internal
    records: Callable[[Step], str] | None = None  # what the console's ledger says of it besides the note


# A moment a clerk enters lies between the step it follows and now: detail → (the fact it follows, its name).
MOMENTS = {"arrived_at": ("dispatched_at", "吹哨时间"), "given_at": ("resolved_at", "办结时间")}


def earliest(name: str, facts: Facts) -> datetime | None:
    """The earliest ``name`` may be, to the minute: the form takes minutes, so a step taken at
    09:20:45 may be followed by one written as 09:20."""
    moment = getattr(facts, MOMENTS[name][0])
    return moment.replace(second=0, microsecond=0) if moment is not None else None


def moment_range(name: str, facts: Facts) -> str:
    """The allowed range of ``name`` in words, for the hint before anyone gets it wrong."""
    first = earliest(name, facts)
    since = f"不能早于{MOMENTS[name][1]}（{first:%Y-%m-%d %H:%M}），" if first is not None else ""
    return f"{since}不能晚于现在"


def _check_moment(name: str, moment: datetime, facts: Facts, now: datetime) -> None:
    if moment > now:
        raise IllegalAction(f"{FIELD_NAMES[name]}不能晚于现在", name)
    first = earliest(name, facts)
    if first is not None and moment < first:
        raise IllegalAction(f"{FIELD_NAMES[name]}不能早于{MOMENTS[name][1]}（{first:%Y-%m-%d %H:%M}）", name)


# ---------------------------------------------------------------- each action's rules

def _dispatch_validate(_facts: Facts, payload: dict, context: Context) -> None:
    if context.departments is not None and payload["department"] not in context.departments:
        raise IllegalAction("请从名单里选择部门（名单在 roster.yaml 的 settings.departments）", "department")


def _arrive_check(facts: Facts, _payload: dict, _context: Context) -> None:
    if not facts.dispatched_on_site:
        raise IllegalAction("这次吹哨不需要到场，不用记录到场时间")
    if facts.arrived_at is not None:
        raise IllegalAction("已经记录过到场时间")
    if facts.arrival_excused:
        raise IllegalAction("已经记录为未到场")


def _arrive_validate(facts: Facts, payload: dict, context: Context) -> None:
    _check_moment("arrived_at", payload["arrived_at"], facts, context.now)


def _resolve_needs(facts: Facts, _payload: dict, _context: Context) -> None:
    # An on-site dispatch counts in the arrival rate (到场率): it cannot end without saying whether anyone came.
    if facts.dispatched_on_site and facts.arrived_at is None and not facts.arrival_excused:
        raise IllegalAction("这次吹哨需要到场：办结前请先“记录到场”时间，或记录“未到场”并写明原因")


def _report_done_needs(facts: Facts, _payload: dict, _context: Context) -> None:
    if facts.dispatched_on_site and facts.arrived_at is None and not facts.arrival_excused:
        raise IllegalAction("这次吹哨需要到场：请先点“已到场”，再报告处置完毕")


def _resolve_validate(_facts: Facts, payload: dict, _context: Context) -> None:
    if payload["outcome"] not in OUTCOMES:
        raise IllegalAction("请选择是否化解", "outcome")


def _feedback_validate(facts: Facts, payload: dict, context: Context) -> None:
    _check_moment("given_at", payload["given_at"], facts, context.now)


def _follow_up_needs(facts: Facts, _payload: dict, _context: Context) -> None:
    if facts.feedback_at is None:
        raise IllegalAction("先把结果反馈给群众，再回访")


def _reopen_check(facts: Facts, _payload: dict, context: Context) -> None:
    days = context.reopen_days
    if days is not None and facts.resolved_at is not None and context.now > facts.resolved_at + timedelta(days=days):
        raise IllegalAction(f"办结已超过 {days} 天，不能重新办理；请登记为新案件")


def _extend_validate(_facts: Facts, payload: dict, _context: Context) -> None:
    if not 1 <= int(payload["days"]) <= 60:
        raise IllegalAction("延长的工作日数应在 1 到 60 之间", "days")


def _extend_fields(facts: Facts, payload: dict, _context: Context) -> dict:
    days = int(payload["days"])
    found = {"extended_days": facts.extended_days + days, "extension_reason": payload["reason"]}
    if facts.due_at is not None:
        found["due_at"] = add_workdays(facts.due_at, days)
    return found


def _satisfaction_check(facts: Facts, _payload: dict, _context: Context) -> None:
    if facts.satisfaction is not None:
        raise IllegalAction("这件诉求已经评价过了，谢谢您。")


def _satisfaction_validate(_facts: Facts, payload: dict, _context: Context) -> None:
    if payload["score"] not in (1, 2, 3, 4, 5):
        raise IllegalAction("请选一个分数", "score")


FLOW = (
    Action("accept", "受理", ("registered",), "accepted",
           # 首问责任人 answers to the end: who accepts, unless the clerk who registered it already is (intake.py)
           fields=lambda f, _p, c: {"owner_id": f.owner_id or c.actor_id, "accepted_at": c.now},
           tells_resident=lambda _s: "工作人员已受理，并由专人负责到底"),
    Action("reject", "不予受理", ("registered",), "rejected", required=("reason",),
           fields=lambda _f, _p, c: {"closed_at": c.now}, tells_resident=with_reason("不予受理")),
    # From "dispatched" too: a department that is the wrong one, or a link the owner revoked, is
    # answered by dispatching again (a new link), without a note first.
    Action("dispatch", "吹哨（派给部门）", ("accepted", "dispatched", "handling"), "dispatched", required=("department",),
           validate=_dispatch_validate,
           fields=lambda _f, p, c: {"department": p["department"], "dispatched_at": c.now,
                                    "dispatched_on_site": bool(p.get("on_site")), "arrived_at": None},
           tells_resident=lambda s: f"已交给{s.after.get('department') or s.department or '承办部门'}办理",
           records=dispatch_record),
    # From "handling" too: a note written before the arrival was recorded must not lock it out.
    Action("arrive", "记录到场", ("dispatched", "handling"), None, required=("arrived_at",), check=_arrive_check,
           validate=_arrive_validate, by=STAFF_ROLES + (DEPARTMENT,),
           fields=lambda _f, p, _c: {"arrived_at": p["arrived_at"]}, unset=("arrived_at",),
           tells_resident=lambda _s: "承办人员已到场", records=lambda s: f"到场时间 {minute(s.after.get('arrived_at'))}"),
    # The reason is the ledger row's note; the arrival rate counts the dispatch as not arrived.
    Action("no_arrival", "未到场", ("dispatched", "handling"), None, required=("reason",), check=_arrive_check),
    Action("handle", "处置记录", ("accepted", "dispatched", "handling"), "handling", required=("note",),
           by=STAFF_ROLES + (DEPARTMENT,), tells_resident=lambda _s: "正在处置"),
    # The department says it is done, with its result (the row's note), for the owner to read; 办结
    # stays the owner's decision (resolve), which says to the resident whether it was resolved.
    Action("report_done", "部门报告处置完毕", ("dispatched", "handling"), "handling", required=("result",),
           by=(DEPARTMENT,), needs=_report_done_needs,
           tells_resident=lambda _s: "承办部门已处置完毕，等待工作人员办结"),
    Action("resolve", "办结", ("accepted", "dispatched", "handling"), "resolved", required=("outcome", "result"),
           needs=_resolve_needs, validate=_resolve_validate,
           fields=lambda _f, p, c: {"resolved_at": c.now, "outcome": p["outcome"], "result": p["result"]},
           tells_resident=resolved_words),
    Action("feedback", "反馈给群众", ("resolved",), None, required=("channel", "given_at"), validate=_feedback_validate,
           fields=lambda _f, p, _c: {"feedback_at": p["given_at"], "feedback_channel": p["channel"]},
           tells_resident=lambda s: (f"已把办理结果告诉您（{s.after['feedback_channel']}）"
                                     if s.after.get("feedback_channel") else "已把办理结果告诉您"),
           records=feedback_record),
    Action("follow_up", "回访", ("resolved",), "followed_up", required=("note",), needs=_follow_up_needs,
           fields=lambda _f, _p, c: {"followed_up_at": c.now}, tells_resident=lambda _s: "已回访"),
    Action("archive", "归档", ("followed_up",), "archived", fields=lambda _f, _p, c: {"closed_at": c.now},
           tells_resident=lambda _s: "已归档"),
    Action("reopen", "重新办理", ("resolved", "followed_up", "archived"), "handling", required=("reason",),
           check=_reopen_check,
           fields=lambda _f, _p, _c: {"resolved_at": None, "feedback_at": None, "outcome": None, "closed_at": None},
           tells_resident=with_reason("重新办理")),
    Action("extend", "延长期限", OPEN, None, required=("reason", "days"), validate=_extend_validate, fields=_extend_fields,
           tells_resident=extended_words),
    Action("note", "备注", OPEN + ("resolved", "followed_up"), None, required=("note",),
           by=STAFF_ROLES + ("supervisor",)),  # a street supervisor's 督查 note
    # 首办 (seed 001): the owner alone hands the case to a 承办人 and takes it back; owner_id stays.
    Action("hand_over", "交承办人", WORKED, None, required=("handler",),
           check=handlers.owner_only, validate=handlers.validate_handler,
           fields=lambda _f, p, _c: {"handler_id": int(p["handler"])}, records=handlers.handed_record),
    Action("take_back", "收回", WORKED + ("archived",), None, check=handlers.take_back_check,
           fields=lambda _f, _p, _c: {"handler_id": None}, records=handlers.taken_record),
    # The roster officers who handled it, from the station's people; the rows are officers.write's.
    Action("name_officer", "记录办理人员", WORKED, None, required=("officer",),
           validate=officers.validate_named),
    Action("unname_officer", "删除办理人员", WORKED, None, required=("officer",),
           validate=officers.validate_unnamed),
    Action("satisfaction", "群众评价", RATABLE, None, required=("score",), by=(RESIDENT,), check=_satisfaction_check,
           validate=_satisfaction_validate,
           fields=lambda _f, p, _c: {"satisfaction": p["score"], "satisfaction_comment": p.get("comment") or None},
           unset=("satisfaction",), same_state=False,
           tells_resident=lambda s: (f"您的评价：{s.after['satisfaction']} 分" if s.after.get("satisfaction")
                                     else "您已评价")),
)
BY_CODE = {action.code: action for action in FLOW}
# The console's actions: action → (states it may start from, state it leads to; None = stays).
ACTIONS = {a.code: (a.sources, a.target) for a in FLOW if set(a.by) & set(CONSOLE_ROLES)}
# The actions a department takes on its report-in page (report_in.py).
DEPARTMENT_ACTIONS = tuple(a.code for a in FLOW if DEPARTMENT in a.by)
ACTION_NAMES = {a.code: a.label for a in FLOW}

# Ledger rows no action makes: what the console calls them, and what the resident reads (None: internal).
RECORDED = {"registered": ("登记", "已登记，等待工作人员受理"), "reveal": ("查看个人信息", None),
            "purged": ("删除个人信息", None), "report_link_revoked": ("收回报到链接", None),
            "quiet": ("只收必要通知", None), "unquiet": ("恢复接收通知", None),  # notify/choices.py
            officers.FROM_APPOINTMENT: ("由预约转来", None),
            **supervision.RECORDED}  # 督办, its reply, 办结 and 退回 (supervision.py)
LEDGER_NAMES = {**ACTION_NAMES, **{code: label for code, (label, _) in RECORDED.items()}}


def may(role: str, action: str) -> bool:
    """Whether someone of ``role`` (a staff role, or RESIDENT) may take ``action`` at all."""
    found = BY_CODE.get(action)
    return found is not None and role in found.by


def resident_words(action: str, step: Step) -> str | None:
    """The resident's words for one ledger row; None for what stays internal (notes, reveals)."""
    if action in BY_CODE:
        tells = BY_CODE[action].tells_resident
        return tells(step) if tells else None
    return RECORDED[action][1] if action in RECORDED else None


def ledger_words(action: str, step: Step) -> str:
    """What the console's ledger says of one row: what the action recorded, then the clerk's note."""
    found = BY_CODE.get(action)
    recorded = found.records(step) if found is not None and found.records is not None else ""
    return "；".join(part for part in (recorded, step.note) if part)


def _require(payload: dict, names: tuple[str, ...]) -> None:
    missing = [n for n in names if payload.get(n) in (None, "")]
    if missing:
        raise IllegalAction("请填写：" + "、".join(FIELD_NAMES.get(n, n) for n in missing), missing[0])


def guard(action: Action, facts: Facts, payload: dict, context: Context) -> None:
    if facts.state not in action.sources:
        raise IllegalAction(f"案件处于“{STATES[facts.state]}”状态，不能{action.label}")
    action.check(facts, payload, context)
    action.needs(facts, payload, context)


def apply(action: str, facts: Facts, payload: dict, actor_id: int | None, now: datetime, *, reopen_days: int | None,
          departments: tuple[str, ...] | None = None, choices: dict | None = None) -> Change:
    """Check ``action`` against the rules and return what it changes; raises IllegalAction."""
    found = BY_CODE.get(action)
    if found is None:
        raise IllegalAction(f"没有“{action}”这个操作")
    context = Context(actor_id, now, reopen_days, departments, choices)
    guard(found, facts, payload, context)
    _require(payload, found.required)
    found.validate(facts, payload, context)
    return Change(found.target or facts.state, found.fields(facts, payload, context))
