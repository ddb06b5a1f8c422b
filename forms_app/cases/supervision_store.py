"""The 督办 table and the one writer of it: ``take`` asks the rules (supervision.py), writes the
row, the case's ledger row and the messages (notify/supervision.py) in the caller's transaction
(the caller commits), and the queries the console's pages and the monthly report read.

One unfinished 督办 per case: the rules refuse a second, and the partial unique index
``uq_supervisions_unfinished_case`` (on ``case_id`` where ``closed_at`` is empty, on SQLite and
PostgreSQL alike) makes two supervisors issuing at the same moment end with one.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .. import clock
from ..clock import naive
from ..extensions import db
from ..models import LedgerEntry
from ..notify import supervision as messages
from . import supervision as rules
from .ledger import snapshot
from .refusal import IllegalAction

RACED = "这件督办刚刚有人办理过，请刷新页面后再看"
ERASED = "（已删除）"


class Supervision(db.Model):
    """A 督办 on a case (cases/supervision.py): the supervisor's instruction and deadline, the
    owner's written reply, and how it ended. Its texts are staff texts about the matter: the
    retention purge blanks them with the case's ledger notes (``erase``)."""

    __tablename__ = "supervisions"
    __table_args__ = (Index("uq_supervisions_unfinished_case", "case_id", unique=True,
                            sqlite_where=text("closed_at IS NULL"), postgresql_where=text("closed_at IS NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    station_id: Mapped[str] = mapped_column(String(64), index=True)  # the case's, for the lists per street
    state: Mapped[str] = mapped_column(String(16), index=True)  # supervision.STATE_NAMES
    instruction: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    issued_by: Mapped[str] = mapped_column(String(40))  # display names: the record says who
    reply: Mapped[str | None] = mapped_column(Text)  # the latest; earlier ones are in the ledger
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    answered_by: Mapped[str | None] = mapped_column(String(40))
    rounds: Mapped[int] = mapped_column(default=0, server_default="0")  # times sent back
    sent_back_at: Mapped[datetime | None]
    send_back_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    closed_by: Mapped[str | None] = mapped_column(String(40))
    close_note: Mapped[str | None] = mapped_column(Text)

    def overdue(self, today: date | None = None) -> bool:
        return rules.overdue(self.state, self.deadline, today or clock.now().date())

    def due_soon(self, today: date | None = None) -> bool:
        return rules.due_soon(self.state, self.deadline, today or clock.now().date())

    @property
    def state_name(self) -> str:
        return rules.STATE_NAMES.get(self.state, self.state)


NAMES = {"issued_by_id": "issued_by", "answered_by_id": "answered_by", "closed_by_id": "closed_by"}


def unfinished(case_id: int) -> Supervision | None:
    return db.session.scalar(select(Supervision).where(Supervision.case_id == case_id,
                                                       Supervision.closed_at.is_(None)))


def history(case_id: int) -> list[Supervision]:
    """Every 督办 of the case, the newest first."""
    return list(db.session.scalars(select(Supervision).where(Supervision.case_id == case_id)
                                   .order_by(Supervision.id.desc())))


def facts(case, found: Supervision | None) -> rules.Facts:
    return rules.Facts(state=found.state if found else None, deadline=found.deadline if found else None,
                       owner_id=case.owner_id)


def context(case, actor, now: datetime) -> rules.Context:
    stations = [s for s in (getattr(actor, "stations", "") or "").split(",") if s]
    return rules.Context(actor.id, actor.role, naive(now), at_station=actor.role == "station" and
                         case.station_id in stations)


def take(roster, case, step: str, payload: dict, actor, now: datetime | None = None) -> Supervision:
    """Take one 督办 step on ``case`` as ``actor`` (a Staff account); raises IllegalAction. The
    row, the ledger row and the messages go into the session's transaction; the caller commits."""
    now = now or clock.now()
    found = unfinished(case.id)
    change = rules.apply(step, facts(case, found), payload, context(case, actor, now))
    values = {name: naive(value) if isinstance(value, datetime) else value for name, value in change.fields.items()}
    for id_name, name_name in NAMES.items():
        if id_name in values:
            values[name_name] = actor.display_name
    values["state"] = change.state
    before = {"supervision_state": found.state if found else None}
    if found is None:
        found = Supervision(case_id=case.id, station_id=case.station_id, **values)
        try:
            with db.session.begin_nested():
                db.session.add(found)
                db.session.flush()
        except IntegrityError:
            raise IllegalAction(rules.ALREADY) from None
    else:
        if step == "send_back":
            values["rounds"] = (found.rounds or 0) + 1
        done = db.session.execute(update(Supervision).where(Supervision.id == found.id,
                                                            Supervision.state == found.state)
                                  .values(**values).execution_options(synchronize_session=False))
        if done.rowcount != 1:
            raise IllegalAction(RACED)
        db.session.refresh(found)
    after = {"supervision_state": found.state, "supervision_deadline": found.deadline}
    db.session.add(LedgerEntry(case_id=case.id, at=naive(now), actor_id=actor.id, actor=actor.display_name,
                               action=rules.BY_CODE[step].ledger, before=snapshot(before),
                               after=snapshot({"supervision": found.id, **after}),
                               note=rules.ledger_note(step, change, payload)))
    messages.write(roster, case, found, step, now)
    return found


def unfinished_of(case_ids: list[int]) -> dict[int, Supervision]:
    """The unfinished 督办 of these cases: case id → 督办 (the queue marks them)."""
    if not case_ids:
        return {}
    found = db.session.scalars(select(Supervision).where(Supervision.case_id.in_(case_ids),
                                                         Supervision.closed_at.is_(None)))
    return {row.case_id: row for row in found}


def unfinished_case_ids():
    """A subquery of the cases with an unfinished 督办, for the queue's filter."""
    return select(Supervision.case_id).where(Supervision.closed_at.is_(None))


def unfinished_in(stations: list[str]) -> list[Supervision]:
    """The unfinished 督办 of these stations: overdue first, then by deadline."""
    found = list(db.session.scalars(select(Supervision).where(Supervision.station_id.in_(stations),
                                                              Supervision.closed_at.is_(None))))
    today = clock.now().date()
    return sorted(found, key=lambda s: (not s.overdue(today), s.state not in rules.AWAITING_REPLY, s.deadline, s.id))


def issued_between(start: datetime, end: datetime, stations: list[str]) -> list[Supervision]:
    return list(db.session.scalars(select(Supervision).where(
        Supervision.station_id.in_(stations), Supervision.issued_at >= start, Supervision.issued_at < end)
        .order_by(Supervision.issued_at, Supervision.id)))


def erase(case_ids: list[int]) -> int:
    """The retention purge: the texts of these cases' 督办 go, as their ledger notes do (the
    caller commits); who issued, replied and closed, and when, stay for the record."""
    if not case_ids:
        return 0
    return db.session.execute(update(Supervision).where(Supervision.case_id.in_(case_ids)).values(
        instruction=ERASED, reply=None, send_back_reason=None, close_note=None)
        .execution_options(synchronize_session=False)).rowcount
