"""Complaints become cases: registration, the actions of the flow, deadlines, tracking.

Every change goes through ``act``, which asks the state machine (casework.py) first and
writes the ledger row in the same transaction as the change it records.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, bindparam, exists, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached

from roster import Roster

from . import casework
from .extensions import db
from .ledger import snapshot
from .models import Case, LedgerEntry, Staff
from .slots import aware, naive, now_local
from .transactions import caller_transaction_open, own_connection
from .workdays import add_workdays

NUMBER_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
RESIDENT, SYSTEM = "群众", "系统"
# Fields whose before/after the ledger records for each action.
TRACKED = ("state", "owner_id", "department", "dispatched_on_site", "arrived_at", "outcome", "result", "feedback_at",
           "feedback_channel", "due_at", "extended_days", "closed_at")


def deadline_days(roster: Roster, category: str, state: str) -> int | None:
    override = roster.settings.category_deadlines.get(category, {})
    if state in override:
        return override[state]
    return roster.settings.deadlines.get(state)


def due_for(roster: Roster, category: str, state: str, since: datetime) -> datetime | None:
    days = deadline_days(roster, category, state)
    return None if days is None else naive(add_workdays(aware(since), days))


def new_number(now: datetime) -> str:
    """2611-7KQX: year and month, then four characters that read unambiguously over the phone."""
    return f"{now:%y%m}-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(4))


# Built once: no statement and cache key to build for every case (see register).
_cases = Case.__table__.c
REPEAT = select(_cases.id).where(_cases.phone == bindparam("phone"), _cases.station_id == bindparam("station"),
                                 _cases.description == bindparam("description"),
                                 _cases.created_at >= bindparam("since")).limit(1)
# A number already given makes the INSERT do nothing (ON CONFLICT, in both databases) instead of
# being looked up first: one statement less while SQLite's write lock is held.
INSERT_CASE = {dialect.dialect.name: dialect.insert(Case.__table__).on_conflict_do_nothing(
    index_elements=[_cases.number]).returning(_cases.id) for dialect in (postgresql, sqlite)}
NUMBER_ATTEMPTS = 10
INSERT_LEDGER = insert(LedgerEntry.__table__)


def _one_statement():
    """REPEAT, INSERT_CASE and INSERT_LEDGER as one PostgreSQL statement (CTEs): no case if the
    repeat finds one, no case and no ledger row if the number was taken. Gives (new_id, repeat_id)."""
    cases, ledger = Case.__table__, LedgerEntry.__table__
    case = {c.name: bindparam(c.name, type_=c.type) for c in cases.columns if not c.primary_key}
    entry = {c.name: bindparam(f"entry_{c.name}", type_=c.type) for c in ledger.columns
             if not c.primary_key and c.name != "case_id"}
    repeat = select(cases.c.id).where(
        cases.c.phone == case["phone"], cases.c.station_id == case["station_id"],
        cases.c.description == case["description"], cases.c.created_at >= bindparam("since", type_=DateTime),
    ).limit(1).cte("repeat")
    new = postgresql.insert(cases).from_select(
        list(case), select(*case.values()).where(~exists(repeat.select()))
    ).on_conflict_do_nothing(index_elements=[cases.c.number]).returning(cases.c.id).cte("new_case")
    first = insert(ledger).from_select([*entry, "case_id"], select(*entry.values(), new.c.id)).cte("new_entry")
    return select(new.select().scalar_subquery().label("new_id"),
                  repeat.select().scalar_subquery().label("repeat_id")).add_cte(first)


REGISTER_POSTGRESQL = _one_statement()


def _with_defaults(table, values: dict) -> dict:
    """Every column of a new row: the given values, else the column's default. The object built
    from them is then complete, so that reading a column needs no query (relationships still load
    when first read)."""
    row = {}
    for column in table.columns:
        if column.primary_key or column.server_default is not None:
            continue
        if column.default is None:
            row[column.name] = None
        elif column.default.is_scalar:
            row[column.name] = column.default.arg
        # a computed default is left to the INSERT; the attribute then loads when first read
    row.update(values)
    return row


def register(roster: Roster, **fields) -> Case:
    """Register a resident's case and its first ledger row (the caller commits); the fields are
    those of ``register_unless_repeat``."""
    return register_unless_repeat(roster, repeat_window=None, **fields)[0]


def register_unless_repeat(roster: Roster, *, now: datetime | None = None, repeat_window: timedelta | None,
                           **fields) -> tuple[Case, bool]:
    """(case, True) for a case registered with its first ledger row in the session's transaction
    (the caller commits), or (the case already made, False) when the same text came from the same
    phone at the same station within ``repeat_window`` (a double tap on "submit"). The fields:
    station, category, description, location, occurred, name, phone, contact_time, anonymous,
    sensitive_consent.

    Residents file cases all day, so the rows go in as plain INSERTs rather than through the ORM's
    unit of work, which costs more than the rest of the request; the Case returned is attached to
    the session as if it had been loaded, ready for ``act``."""
    now = now or now_local()
    values, first_row = _rows(roster, now, **fields)
    case_id, repeat = _insert_numbered(db.session.connection(), values, first_row, _since(now, repeat_window), now)
    if repeat is not None:
        return db.session.get(Case, repeat), False
    case = Case(id=case_id, **values)
    make_transient_to_detached(case)
    db.session.add(case)
    return case, True


@dataclass(frozen=True)
class Registered:
    """What the resident is told of a registered case."""

    id: int
    number: str
    category: str
    created_at: datetime  # naive Beijing time, as stored
    due_at: datetime | None  # the first response is due by then
    new: bool  # False: the same text came from the same phone minutes ago, and this is that case

    @classmethod
    def of(cls, case: Case, new: bool) -> Registered:
        return cls(case.id, case.number, case.category, case.created_at, case.due_at, new)


def register_at_once(roster: Roster, *, now: datetime | None = None, repeat_window: timedelta | None,
                     **fields) -> Registered:
    """``register_unless_repeat``, committed at once on a connection of its own (transactions.py)
    and without an ORM object, which would cost a tenth of the request for a number and a date."""
    if caller_transaction_open():
        case, new = register_unless_repeat(roster, now=now, repeat_window=repeat_window, **fields)
        db.session.commit()
        return Registered.of(case, new)
    now = now or now_local()
    values, first_row = _rows(roster, now, **fields)
    with own_connection(db.engine) as connection:
        case_id, repeat = _insert_numbered(connection, values, first_row, _since(now, repeat_window), now)
    if repeat is not None:
        return Registered.of(db.session.get(Case, repeat), False)
    return Registered(case_id, values["number"], values["category"], values["created_at"], values["due_at"], True)


def _rows(roster: Roster, now: datetime, *, station: str, category: str, description: str, location: str,
          occurred: str, name: str, phone: str, contact_time: str, anonymous: bool,
          sensitive_consent: bool) -> tuple[dict, dict]:
    """The case's row and its first ledger row, worked out before the first statement: on SQLite
    that statement takes the write lock, which every other complaint and booking then waits for."""
    due_at = due_for(roster, category, "registered", now)
    values = _with_defaults(Case.__table__, {
        "station_id": station, "category": category, "description": description, "location": location,
        "occurred": occurred, "name": name, "phone": phone, "contact_time": contact_time, "anonymous": anonymous,
        "consent_at": naive(now), "sensitive_consent_at": naive(now) if sensitive_consent else None,
        "state": "registered", "due_at": due_at, "created_at": naive(now), "number": new_number(now)})
    first_row = _with_defaults(LedgerEntry.__table__, {"at": naive(now), "actor": RESIDENT, "action": "registered",
                                                       "after": snapshot({"state": "registered", "due_at": due_at})})
    return values, first_row


def _since(now: datetime, repeat_window: timedelta | None) -> datetime | None:
    return naive(now) - repeat_window if repeat_window is not None else None


def _insert_numbered(connection, values: dict, first_row: dict, since: datetime | None,
                     now: datetime) -> tuple[int | None, int | None]:
    """(new case id, None), or (None, id of the repeat); a fresh number while the last was taken."""
    for _ in range(NUMBER_ATTEMPTS):
        case_id, repeat = _insert(connection, values, first_row, since)
        if case_id is not None or repeat is not None:
            return case_id, repeat
        values["number"] = new_number(now)  # this month's number was already given
    raise RuntimeError(f"no free case number after {NUMBER_ATTEMPTS} tries this month")


def _insert(connection, values: dict, first_row: dict, since: datetime | None) -> tuple[int | None, int | None]:
    if connection.dialect.name == "postgresql":
        found = connection.execute(REGISTER_POSTGRESQL, {
            **values, **{f"entry_{name}": value for name, value in first_row.items()}, "since": since}).one()
        return found.new_id, found.repeat_id
    if since is not None:
        repeat = connection.execute(REPEAT, {"phone": values["phone"], "station": values["station_id"],
                                             "description": values["description"], "since": since}).scalar()
        if repeat is not None:
            return None, repeat
    case_id = connection.execute(INSERT_CASE[connection.dialect.name], values).scalar()
    if case_id is not None:
        connection.execute(INSERT_LEDGER, {**first_row, "case_id": case_id})
    return case_id, None


def facts(case: Case) -> casework.Facts:
    return casework.Facts(state=case.state, owner_id=case.owner_id, resolved_at=case.resolved_at and aware(case.resolved_at),
                          feedback_at=case.feedback_at and aware(case.feedback_at),
                          dispatched_on_site=case.dispatched_on_site,
                          dispatched_at=case.dispatched_at and aware(case.dispatched_at),
                          arrived_at=case.arrived_at and aware(case.arrived_at))


def act(roster: Roster, case: Case, action: str, payload: dict, staff: Staff, now: datetime | None = None) -> Case:
    """Apply one action of the flow; raises casework.IllegalAction. The caller commits."""
    now = now or now_local()
    change = casework.apply(action, facts(case), payload, staff.id, now, reopen_days=roster.settings.reopen_days,
                            departments=roster.settings.departments)
    before = {name: getattr(case, name) for name in TRACKED}
    for name, value in change.fields.items():
        setattr(case, name, naive(value) if isinstance(value, datetime) else value)
    if change.state != case.state:
        case.state = change.state
        case.due_at = due_for(roster, case.category, change.state, now)
    if action == "extend":
        case.extended_days += int(payload["days"])
        case.extension_reason = payload["reason"]
        if case.due_at:
            case.due_at = naive(add_workdays(aware(case.due_at), int(payload["days"])))
    after = {name: getattr(case, name) for name in TRACKED}
    changed = {k for k in TRACKED if before[k] != after[k]}
    note = payload.get("note") or payload.get("reason") or payload.get("result") or ""
    db.session.add(LedgerEntry(case_id=case.id, at=naive(now), actor_id=staff.id, actor=staff.display_name,
                               action=action, before=snapshot({k: before[k] for k in changed}),
                               after=snapshot({k: after[k] for k in changed}), note=str(note)))
    return case


def record_reveal(case: Case, staff: Staff, what: str, now: datetime | None = None) -> None:
    """Showing a full phone number or name is deliberate and on the record (PIPL)."""
    now = now or now_local()
    db.session.add(LedgerEntry(case_id=case.id, at=naive(now), actor_id=staff.id, actor=staff.display_name,
                               action="reveal", note=what))


def find_for_resident(number: str, phone_last4: str) -> Case | None:
    """A case by number and the last four digits of the phone; wrong digits look like no case."""
    found = db.session.scalar(select(Case).where(Case.number == (number or "").strip().upper()))
    if found is None or not secrets.compare_digest(found.phone[-4:], (phone_last4 or "").strip()):
        return None
    return found


ANONYMISED = "（已删除）"


def purge_expired(retention_days: int, remove_photo, now: datetime | None = None) -> int:
    """Strip the personal data of cases closed more than ``retention_days`` ago, as the consent
    text promises. The case and its ledger stay for the statistics and the record; the name,
    phone, contact details and photos go. ``remove_photo(filename)`` deletes a stored file."""
    now = now or now_local()
    cutoff = naive(now) - timedelta(days=retention_days)
    expired = db.session.scalars(select(Case).where(Case.closed_at < cutoff, Case.name != ANONYMISED)).all()
    for case in expired:
        for photo in list(case.photos):
            remove_photo(photo.filename)
        case.photos = []
        case.name, case.phone, case.contact_time, case.location = ANONYMISED, "", "", ""
        db.session.add(LedgerEntry(case_id=case.id, at=naive(now), actor=SYSTEM, action="purged",
                                   note=f"保存期满 {retention_days} 天，已删除个人信息"))
    db.session.commit()
    return len(expired)


def overdue(case: Case, now: datetime | None = None) -> bool:
    now = now or now_local()
    return case.state in casework.OPEN and case.due_at is not None and naive(now) > case.due_at
