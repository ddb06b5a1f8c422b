"""Complaints become cases: registration, the actions of the flow, tracking, the retention purge.

Every change of a case goes through ``act``, which asks the flow (flow.py) first and writes the
ledger row in the same transaction as the change it records.

Who commits: the caller (a view or a command), once, after the last change of its request. The
one exception is a resident's new case: ``register_at_once`` and ``file_complaint`` commit by
themselves, on a connection of their own unless the caller has a transaction open
(db/transactions.py), so that SQLite's write lock is held for the INSERTs alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import make_transient_to_detached, selectinload

from roster import Roster

from .. import clock
from ..clock import aware, naive
from ..db.transactions import caller_transaction_open, own_connection
from ..extensions import db
from ..inputs import lookup_key, random_code, same_secret
from ..models import Case, LedgerEntry, RepeatGuard
from ..notify import choices, events, outbox
from ..notify.outbox import forget as forget_messages
from . import flow, handlers, officers, photos, report_in, sources, sql, supervision_store
from .deadlines import due_for
from .ledger import erase, snapshot

SYSTEM = "系统"
DUPLICATE_WINDOW = timedelta(minutes=10)  # a double tap on "submit" gives the same case, not two
# Fields whose before/after the ledger records for each action.
TRACKED = ("state", "owner_id", "department", "dispatched_on_site", "arrived_at", "outcome", "result", "feedback_at",
           "feedback_channel", "due_at", "extended_days", "closed_at", "satisfaction",
           "handler_id", "handler_name", "officer_ids")  # the name too: the ledger says who, not an account number
RACED = "这件案件刚刚有人办理过，请刷新页面后再看"


@dataclass(frozen=True)
class Actor:
    """Who takes an action: a staff account (Staff has these three attributes) or the resident."""

    id: int | None
    display_name: str
    role: str


RESIDENT = Actor(None, "群众", flow.RESIDENT)


def new_number(now: datetime) -> str:
    """2611-7KQX: year and month, then four characters that read unambiguously over the phone."""
    return f"{now:%y%m}-{random_code(4)}"


# ---------------------------------------------------------------- registering

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
    sensitive_consent, and optionally quiet (notify/choices.py).

    Residents file cases all day, so the rows go in as plain INSERTs rather than through the ORM's
    unit of work, which costs more than the rest of the request; the Case returned is attached to
    the session as if it had been loaded, ready for ``act``."""
    now = now or clock.now()
    values, first_row = _rows(roster, now, **fields)
    case_id, repeat = sql.insert_numbered(db.session.connection(), values, first_row, _since(now, repeat_window),
                                          lambda: new_number(now), _notes(roster, values, now))
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
    now = now or clock.now()
    values, first_row = _rows(roster, now, **fields)
    with own_connection(db.engine) as connection:
        case_id, repeat = sql.insert_numbered(connection, values, first_row, _since(now, repeat_window),
                                              lambda: new_number(now), _notes(roster, values, now))
    if repeat is not None:
        return Registered.of(db.session.get(Case, repeat), False)
    return Registered(case_id, values["number"], values["category"], values["created_at"], values["due_at"], True)


def file_complaint(roster: Roster, fields: dict, clean_photos: list | None = None,
                   now: datetime | None = None) -> Registered:
    """Register a resident's complaint (with its photos) and commit. A repeat of the same text
    from the same phone within minutes gives the case already made."""
    now = now or clock.now()
    if not clean_photos:
        return register_at_once(roster, now=now, repeat_window=DUPLICATE_WINDOW, **fields)
    # with photos: the case, its photo rows and the files stand or fall together
    case, new = register_unless_repeat(roster, now=now, repeat_window=DUPLICATE_WINDOW, **fields)
    if new:
        written = photos.save(case, clean_photos)
        try:
            db.session.commit()
        except Exception:
            db.session.rollback()
            photos.remove(written)
            raise
    return Registered.of(case, new)


def _rows(roster: Roster, now: datetime, *, station: str, category: str, description: str, location: str,
          occurred: str, name: str, phone: str, contact_time: str, anonymous: bool,
          sensitive_consent: bool, consent_version: str | None = None, quiet: bool = False,
          source: str = sources.WEB, registrar=None) -> tuple[dict, dict]:
    """The case's row and its first ledger row, worked out before the first statement: on SQLite
    that statement takes the write lock, which every other complaint and booking then waits for.
    ``registrar``: the staff account that registers a request it received (cases/intake.py), which
    is its first-contact owner (首问责任人) from the start and the ledger row's actor."""
    due_at = due_for(roster, category, "registered", now)
    values = sql.with_defaults(Case.__table__, {
        "station_id": station, "category": category, "description": description, "location": location,
        "occurred": occurred, "name": name, "phone": phone, "contact_time": contact_time, "anonymous": anonymous,
        "quiet": quiet, "consent_at": naive(now), "consent_version": consent_version,
        "sensitive_consent_at": naive(now) if sensitive_consent else None, "source": source,
        "owner_id": registrar.id if registrar is not None else None,
        "state": "registered", "due_at": due_at, "created_at": naive(now), "number": new_number(now)})
    after = {"state": "registered", "due_at": due_at}
    if registrar is not None:
        after.update(source=source, owner_id=registrar.id)
    first_row = sql.with_defaults(LedgerEntry.__table__, {
        "at": naive(now), "actor": registrar.display_name if registrar is not None else RESIDENT.display_name,
        "actor_id": registrar.id if registrar is not None else None, "action": "registered",
        "after": snapshot(after),
        "note": f"{sources.label(source)}登记，首问责任人 {registrar.display_name}" if registrar is not None else ""})
    return values, first_row


def _notes(roster: Roster, values: dict, now: datetime) -> sql.Notes:
    """The outbox rows that give the resident the number a new case gets (case.registered)."""
    return lambda number: outbox.rows(events.registered_messages(roster, {**values, "number": number}), now)


def _since(now: datetime, repeat_window: timedelta | None) -> datetime | None:
    return naive(now) - repeat_window if repeat_window is not None else None


# ---------------------------------------------------------------- the flow

def facts(case: Case) -> flow.Facts:
    def moment(value):
        return value and aware(value)
    return flow.Facts(state=case.state, owner_id=case.owner_id, resolved_at=moment(case.resolved_at),
                      feedback_at=moment(case.feedback_at), dispatched_on_site=case.dispatched_on_site,
                      dispatched_at=moment(case.dispatched_at), arrived_at=moment(case.arrived_at),
                      due_at=moment(case.due_at), extended_days=case.extended_days or 0,
                      satisfaction=case.satisfaction, arrival_excused=arrival_excused(case),
                      handler_id=case.handler_id, officers=tuple(case.officer_ids))


def _choices(roster: Roster, case: Case, action: str) -> dict | None:
    """What the action's detail may be chosen from, where the database or the roster says."""
    if action == "hand_over":
        return {"handler": tuple(handlers.eligible(case))}
    if action == "name_officer":
        return {"officer": tuple(o.id for o in officers.people(roster, case.station_id))}
    return None


def arrival_excused(case: Case) -> bool:
    """Whether "未到场" was recorded since the latest dispatch: the ledger holds it (its reason is the
    row's note), and only an on-site dispatch still waiting for its arrival needs to ask."""
    if not case.dispatched_on_site or case.arrived_at is not None or case.id is None:
        return False
    latest = db.session.scalar(select(LedgerEntry.action).where(
        LedgerEntry.case_id == case.id, LedgerEntry.action.in_(("dispatch", "no_arrival")))
        .order_by(LedgerEntry.id.desc()).limit(1))
    return latest == "no_arrival"


def act(roster: Roster, case: Case, action: str, payload: dict, actor, now: datetime | None = None) -> Case:
    """Apply one action of the flow as ``actor`` (a Staff account, RESIDENT, or a department through
    its report-in link: report_in.actor); raises flow.IllegalAction. The caller commits. A dispatch
    issues the department's report-in link (``report_in.link_for(case)`` gives its URL afterwards);
    closing the case ends it.

    The row is changed only if it is still in the state the rules were asked about (and the
    fields the action fills are still empty): of two clerks, or two taps, acting on the same case
    at once, the second is refused instead of acting on a state that has gone."""
    now = now or clock.now()
    if action in flow.BY_CODE and not flow.may(actor.role, action):
        raise flow.IllegalAction("您不能对案件进行这个操作")
    change = flow.apply(action, facts(case), payload, actor.id, now, reopen_days=roster.settings.reopen_days,
                        departments=roster.settings.departments, choices=_choices(roster, case, action))
    values = {name: naive(value) if isinstance(value, datetime) else value for name, value in change.fields.items()}
    if change.state != case.state:
        values["state"] = change.state
        values["due_at"] = due_for(roster, case.category, change.state, now)
    before = {name: getattr(case, name) for name in TRACKED}
    state_before = case.state
    if values:
        rule = flow.BY_CODE[action]
        still = Case.state == case.state if rule.same_state else Case.state.in_(rule.sources)
        unset = [getattr(Case, name).is_(None) for name in rule.unset]
        done = db.session.execute(update(Case).where(Case.id == case.id, still, *unset)
                                  .values(**values).execution_options(synchronize_session=False))
        if done.rowcount != 1:
            raise flow.IllegalAction(RACED)
        db.session.refresh(case)  # the row as written, also what another request changed meanwhile
    named = officers.write(roster, case, action, payload["officer"], actor.display_name, now) \
        if action in officers.ACTIONS else ""
    # The department's report-in link lives and dies with its dispatch and the open case (report_in.py).
    if action == "dispatch":
        report_in.issue(case, now)
    elif before["state"] != case.state and case.state not in flow.OPEN:
        report_in.end(case, report_in.CLOSED, now)
    after = {name: getattr(case, name) for name in TRACKED}
    # What changed, and what the action set even where it was so already (a second dispatch to the
    # same department still names it in its row).
    changed = {k for k in TRACKED if before[k] != after[k] or k in change.fields}
    note = payload.get("note") or payload.get("reason") or payload.get("result") or payload.get("comment") or named
    db.session.add(LedgerEntry(case_id=case.id, at=naive(now), actor_id=actor.id, actor=actor.display_name,
                               action=action, before=snapshot({k: before[k] for k in changed}),
                               after=snapshot({k: after[k] for k in changed}), note=str(note)))
    events.after_case_action(roster, case, action, state_before, now)  # in this transaction: no message without its action
    return case


def record_satisfaction(roster: Roster, case: Case, score: int, comment: str, now: datetime | None = None) -> bool:
    """The resident's rating, once (the caller commits); False if the case was already rated or
    cannot be rated. Two simultaneous submissions store one rating (see ``act``)."""
    try:
        act(roster, case, "satisfaction", {"score": score, "comment": comment}, RESIDENT, now)
    except flow.IllegalAction:
        db.session.rollback()
        return False
    return True


def record_reveal(case: Case, staff, what: str, now: datetime | None = None) -> None:
    """Showing a full phone number or name is deliberate and on the record (PIPL); the caller commits."""
    now = now or clock.now()
    db.session.add(LedgerEntry(case_id=case.id, at=naive(now), actor_id=staff.id, actor=staff.display_name,
                               action="reveal", note=what))


def switch_quiet(case: Case, quiet: bool, now: datetime | None = None) -> bool:
    """The resident's choice of messages (notify/choices.py), on the ledger (the caller commits);
    False when it was already so, and nothing is written."""
    if bool(case.quiet) == quiet:
        return False
    case.quiet = quiet
    db.session.add(LedgerEntry(case_id=case.id, at=naive(now or clock.now()), actor=RESIDENT.display_name,
                               action=choices.ACTIONS[quiet], note=choices.switched("case", quiet)))
    return True


def by_number(number: str) -> Case | None:
    key = lookup_key(number)  # a NUL or a control character in a path: no case has it, and no query is made
    return db.session.scalar(select(Case).where(Case.number == key)) if key is not None else None


def find_for_resident(number: str, phone_last4: str) -> Case | None:
    """A case by number and the last four digits of the phone; wrong digits look like no case."""
    number = lookup_key((number or "").strip().upper())
    if number is None:
        return None
    found = db.session.scalar(select(Case).where(Case.number == number))
    if found is None or not same_secret((phone_last4 or "").strip(), found.phone[-4:]):
        return None
    return found


def forget_repeat_guards(now: datetime | None = None) -> int:
    """Remove the repeat guards older than the repeat window (the caller commits): they have done
    their job, and each is a hash of a phone and a text."""
    cutoff = naive(now or clock.now()) - DUPLICATE_WINDOW
    return db.session.execute(delete(RepeatGuard).where(RepeatGuard.at < cutoff)).rowcount


ANONYMISED = "（已删除）"
# What a purge blanks: everything a resident or a clerk wrote about the person or the matter.
# What stays is what the reports count: station, category, states and their times, outcome,
# satisfaction score, deadlines, department.
PERSONAL_TEXT = ("phone", "contact_time", "location", "description", "occurred")  # NOT NULL columns
PERSONAL_NOTES = ("result", "extension_reason", "satisfaction_comment")  # nullable ones
# The clock of retention for each path a case can take: closed (archived, rejected) from
# closed_at; resolved but not archived from resolved_at (办结后, as the consent says); still open
# from the last time anyone moved it, so a case that was never handled does not keep its
# resident's data for ever, while one being worked on keeps it.
_OPEN_CLOCK = ("created_at", "accepted_at", "dispatched_at", "arrived_at", "due_at")


def _retention_over(cutoff: datetime):
    """The SQL condition "this case's retention clock ran out before ``cutoff``", so that a city's
    cases are chosen by the database, not loaded into Python to be looked at."""
    untouched_since = and_(*(or_(getattr(Case, name).is_(None), getattr(Case, name) < cutoff)
                             for name in _OPEN_CLOCK))
    return or_(Case.closed_at < cutoff,
               and_(Case.closed_at.is_(None), Case.resolved_at < cutoff),
               and_(Case.closed_at.is_(None), Case.resolved_at.is_(None), untouched_since))


PURGE_BATCH = 500  # cases loaded at once with their photos and ledger: memory stays flat at any size


def purge_expired(retention_days: int, remove_photo, now: datetime | None = None) -> int:
    """Strip the personal data of cases whose retention clock ran more than ``retention_days``
    ago, as the consent text promises (the caller commits). The case and its ledger rows stay
    for the statistics and the record; every personal text goes, in the case and in its ledger
    (``ledger.erase``). ``remove_photo(filename)`` deletes a stored file."""
    now = now or clock.now()
    cutoff = naive(now) - timedelta(days=retention_days)
    expired = db.session.scalars(select(Case.id).where(Case.name != ANONYMISED, _retention_over(cutoff))
                                 .order_by(Case.id)).all()
    for start in range(0, len(expired), PURGE_BATCH):
        batch = db.session.scalars(select(Case).where(Case.id.in_(expired[start:start + PURGE_BATCH]))
                                   .options(selectinload(Case.photos), selectinload(Case.ledger))).all()
        for case in batch:
            _purge(case, retention_days, now, remove_photo)
        forget_messages(cases=[case.number for case in batch])
        supervision_store.erase([case.id for case in batch])  # 督办 texts go with the ledger's notes
        db.session.flush()  # clean once flushed, the batch leaves the session's (weak) identity map
    return len(expired)


def _purge(case: Case, retention_days: int, now: datetime, remove_photo) -> None:
    for photo in list(case.photos):
        remove_photo(photo.filename)
    case.photos = []
    case.name = ANONYMISED
    for name in PERSONAL_TEXT:
        setattr(case, name, "")
    for name in PERSONAL_NOTES:
        setattr(case, name, None)
    for entry in case.ledger:
        erase(entry)
    case.ledger.append(LedgerEntry(at=naive(now), actor=SYSTEM, action="purged",
                                   note=f"保存期满 {retention_days} 天，已删除个人信息"))
