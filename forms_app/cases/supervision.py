"""督办 (seed 001 督查督办, seed 000 督查): a street supervisor's written instruction on a case,
with a deadline and a written reply the case's owner owes. Its life:

    issued (待回复) → answered (已回复) → closed (办结)
                                  ↘ sent_back (退回, 待重新回复) → answered → …

One unfinished 督办 per case at a time (the table's partial unique index says so too). Like
flow.py this module knows nothing of the database: ``apply`` takes what the rules need to know
(``Facts``, ``Context``) and returns the change to write (``Change``), which
supervision_store.take writes with its ledger row and its messages in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable

from .refusal import IllegalAction

STATE_NAMES = {"issued": "待回复", "answered": "已回复，待督办人审核", "sent_back": "已退回，待重新回复",
               "closed": "已办结"}
UNFINISHED = ("issued", "answered", "sent_back")
AWAITING_REPLY = ("issued", "sent_back")  # the owner owes the written reply; the deadline runs
ISSUERS = ("supervisor", "admin")  # who issues, closes and sends back
RESPONDERS = ("station", "admin")  # who may reply (the rules then ask for the owner)
LONGEST_DEADLINE = timedelta(days=90)
MAX_TEXT = {"instruction": 1000, "reply": 2000, "reason": 1000, "note": 1000}
FIELD_NAMES = {"instruction": "督办要求", "deadline": "回复期限", "reply": "书面回复", "reason": "退回原因",
               "note": "办结意见"}
NOT_OWNER = "督办要由这件案件的首问责任人书面回复；案件还没有人受理时，由本站点的工作人员回复"
ALREADY = "这件案件已有未办结的督办：等它办结后再督办"


@dataclass(frozen=True)
class Facts:
    """What the rules need to know: the case's unfinished 督办 (its state and deadline; None
    when there is none) and the case's owner."""

    state: str | None = None
    deadline: date | None = None
    owner_id: int | None = None


@dataclass(frozen=True)
class Context:
    actor_id: int | None
    role: str
    now: datetime
    at_station: bool = False  # the actor is a station account of the case's station

    @property
    def today(self) -> date:
        return self.now.date()


@dataclass
class Change:
    state: str
    fields: dict = field(default_factory=dict)


def _no_check(_facts: Facts, _payload: dict, _context: Context) -> None:
    return None


@dataclass(frozen=True)
class Step:
    code: str
    label: str  # on the button
    ledger: str  # the ledger row's action code
    ledger_label: str  # what the console's ledger calls it
    sources: tuple[str | None, ...]  # the 督办's states it may start from (None: no unfinished 督办)
    target: str
    by: tuple[str, ...]
    required: tuple[str, ...] = ()
    check: Callable[[Facts, dict, Context], None] = _no_check
    fields: Callable[[Facts, dict, Context], dict] = lambda _f, _p, _c: {}


def _deadline(value, context: Context) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise IllegalAction("请按“年-月-日”填写回复期限，例如 2026-12-10", "deadline")
    if value < context.today:
        raise IllegalAction("回复期限不能早于今天", "deadline")
    if value > context.today + LONGEST_DEADLINE:
        raise IllegalAction(f"回复期限最多定在 {LONGEST_DEADLINE.days} 天以内", "deadline")
    return value


def _responder(facts: Facts, _payload: dict, context: Context) -> None:
    if context.role == "admin":
        return
    if facts.owner_id is not None and context.actor_id == facts.owner_id:
        return
    if facts.owner_id is None and context.at_station:
        return
    raise IllegalAction(NOT_OWNER)


def _issue_fields(_facts: Facts, payload: dict, context: Context) -> dict:
    return {"instruction": payload["instruction"], "deadline": _deadline(payload["deadline"], context),
            "issued_at": context.now, "issued_by_id": context.actor_id}


def _answer_fields(_facts: Facts, payload: dict, context: Context) -> dict:
    return {"reply": payload["reply"], "answered_at": context.now, "answered_by_id": context.actor_id}


def _close_fields(_facts: Facts, payload: dict, context: Context) -> dict:
    return {"closed_at": context.now, "closed_by_id": context.actor_id, "close_note": payload.get("note") or None}


def _send_back_fields(facts: Facts, payload: dict, context: Context) -> dict:
    given = payload.get("deadline")
    if given in (None, ""):
        if facts.deadline is not None and facts.deadline < context.today:
            raise IllegalAction("原来的回复期限已经过了：请定一个新的回复期限", "deadline")
        deadline = facts.deadline
    else:
        deadline = _deadline(given, context)
    return {"sent_back_at": context.now, "send_back_reason": payload["reason"], "deadline": deadline}


STEPS = (
    Step("issue", "督办", "supervise", "督办", (None,), "issued", ISSUERS, ("instruction", "deadline"),
         fields=_issue_fields),
    Step("answer", "提交书面回复", "supervision_answer", "督办回复", AWAITING_REPLY, "answered", RESPONDERS, ("reply",),
         check=_responder, fields=_answer_fields),
    Step("close", "督办办结", "supervision_close", "督办办结", ("answered",), "closed", ISSUERS, fields=_close_fields),
    Step("send_back", "退回重新回复", "supervision_send_back", "督办退回", ("answered",), "sent_back", ISSUERS, ("reason",),
         fields=_send_back_fields),
)
BY_CODE = {step.code: step for step in STEPS}
# The ledger rows of 督办, for flow.RECORDED: internal, the resident's timeline does not show them.
RECORDED = {step.ledger: (step.ledger_label, None) for step in STEPS}


def may(role: str, step: str) -> bool:
    """Whether someone of ``role`` may take ``step`` at all (a clerk never issues one)."""
    found = BY_CODE.get(step)
    return found is not None and role in found.by


def guard(step: Step, facts: Facts, payload: dict, context: Context) -> None:
    if facts.state not in step.sources:
        if facts.state is None:
            raise IllegalAction("这件案件现在没有未办结的督办")
        if step.code == "issue":
            raise IllegalAction(ALREADY)
        raise IllegalAction(f"督办处于“{STATE_NAMES[facts.state]}”，不能{step.label}")
    step.check(facts, payload, context)


def offered(facts: Facts, context: Context) -> list[str]:
    """The steps a page may offer this person now (the same rules apply when one is taken)."""
    found = []
    for step in STEPS:
        if context.role not in step.by:
            continue
        try:
            guard(step, facts, {}, context)
        except IllegalAction:
            continue
        found.append(step.code)
    return found


def apply(step: str, facts: Facts, payload: dict, context: Context) -> Change:
    """Check ``step`` against the rules and return what it changes; raises IllegalAction."""
    found = BY_CODE.get(step)
    if found is None:
        raise IllegalAction(f"没有“{step}”这个督办操作")
    if context.role not in found.by:
        raise IllegalAction("您不能进行这个督办操作")
    guard(found, facts, payload, context)
    missing = [name for name in found.required if payload.get(name) in (None, "")]
    if missing:
        raise IllegalAction("请填写：" + "、".join(FIELD_NAMES[n] for n in missing), missing[0])
    for name, limit in MAX_TEXT.items():
        if isinstance(payload.get(name), str) and len(payload[name]) > limit:
            raise IllegalAction(f"{FIELD_NAMES[name]}最多 {limit} 个字", name)
    return Change(found.target, found.fields(facts, payload, context))


def overdue(state: str | None, deadline: date | None, today: date) -> bool:
    """The reply is owed and its deadline (the end of that day) has passed."""
    return state in AWAITING_REPLY and deadline is not None and today > deadline


def due_soon(state: str | None, deadline: date | None, today: date) -> bool:
    """The reply is owed by the end of today or tomorrow."""
    return state in AWAITING_REPLY and deadline is not None and today <= deadline <= today + timedelta(days=1)


def ledger_note(step: str, change: Change, payload: dict) -> str:
    """What the ledger row says: the instruction with its deadline, the reply, the reason, the note."""
    deadline = change.fields.get("deadline")
    if step == "issue":
        return f"{payload['instruction']}（限 {deadline:%Y-%m-%d} 前书面回复）"
    if step == "answer":
        return payload["reply"]
    if step == "send_back":
        return f"{payload['reason']}（重新回复期限 {deadline:%Y-%m-%d}）" if deadline else payload["reason"]
    return payload.get("note") or ""
