"""首问首办 (seed 001): the owner (首问责任人) may hand a case to a 承办人, a station account of the
case's station, and take it back. The owner stays answerable (``owner_id`` does not change); the
handler works the case as the owner does, and it is in the handler's queue ("mine").

The rules of the two actions, which flow.py names in their rows; the accounts one may choose
come from the database and reach the rules through the flow's context (``choices["handler"]``),
so that the rules themselves stay free of it.
"""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Case, Staff
from .refusal import IllegalAction
from .steps import Step

ACTIONS = ("hand_over", "take_back")
NOT_OWNER = "只有这件案件的首问责任人才能交承办人或收回；承办人和其他工作人员可以写处置记录、记录到场"


def eligible(case: Case) -> dict[int, str]:
    """The accounts the case may be handed to: active station accounts of its station, the owner
    and the present handler left out; id → display name, by name."""
    found = db.session.execute(select(Staff.id, Staff.display_name, Staff.stations).where(
        Staff.role == "station", Staff.active.is_(True)).order_by(Staff.display_name, Staff.id)).all()
    return {id_: name for id_, name, stations in found
            if case.station_id in (stations or "").split(",") and id_ not in (case.owner_id, case.handler_id)}


def owner_only(facts, _payload: dict, context) -> None:
    """The owner's own decision. A page asking what it may offer asks without an actor (offers.py);
    the case page then shows these actions to the owner alone (``offered_to``)."""
    if facts.owner_id is None:
        raise IllegalAction("案件还没有首问责任人：先受理，再交承办人")
    if context.actor_id is not None and context.actor_id != facts.owner_id:
        raise IllegalAction(NOT_OWNER)


def take_back_check(facts, payload: dict, context) -> None:
    owner_only(facts, payload, context)
    if facts.handler_id is None:
        raise IllegalAction("这件案件没有交给承办人，不用收回")


def validate_handler(facts, payload: dict, context) -> None:
    try:
        chosen = int(payload["handler"])
    except (TypeError, ValueError):
        chosen = None
    if chosen is not None and chosen == facts.handler_id:
        raise IllegalAction("已经交给这位承办人了", "handler")
    if chosen is None or chosen not in (context.choices or {}).get("handler", ()):
        raise IllegalAction("请从本站点在用的工作人员里选择承办人", "handler")


def offered_to(action: str, case: Case, staff) -> bool:
    """Whether the case page offers ``action`` to ``staff``: the hand-over and taking back to the
    owner alone (the rules refuse everyone else anyway, with NOT_OWNER)."""
    return action not in ACTIONS or case.owner_id == staff.id


def handed_record(step: Step) -> str:
    return f"交给承办人 {step.after.get('handler_name') or '（姓名未记录）'}，首问责任人不变"


def taken_record(step: Step) -> str:
    return f"从承办人 {step.before.get('handler_name') or '（姓名未记录）'} 收回"
