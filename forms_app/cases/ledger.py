"""台账 (the ledger) is append-only: the ORM refuses to update or delete a row, whoever asks.

A database trigger would be stronger still, but it differs between SQLite and PostgreSQL;
the ORM guard covers every code path of this application that changes rows, and the tests
try them. (cases.service writes a case's first row with a plain INSERT: it only appends.)
"""
from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..models import LedgerEntry
from .steps import Step


class LedgerIsAppendOnly(Exception):
    pass


# The one change a ledger row may take: the retention purge blanks its personal text (the
# note and the before/after snapshots) and nothing else; the row, its action, actor and time stay.
ERASED = {"note": "（已删除）", "before": "{}", "after": "{}"}


def erase(entry: LedgerEntry) -> None:
    for name, value in ERASED.items():
        setattr(entry, name, value)


def _is_erasure(entry: LedgerEntry) -> bool:
    changed = {attr.key for attr in inspect(entry).attrs if attr.history.has_changes()}
    return changed <= set(ERASED) and all(getattr(entry, name) == value for name, value in ERASED.items())


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if not isinstance(obj, LedgerEntry):
            continue
        if obj in session.deleted or (session.is_modified(obj) and not _is_erasure(obj)):
            raise LedgerIsAppendOnly("台账只能追加，不能修改或删除 / the ledger is append-only")


@event.listens_for(LedgerEntry, "before_update")
def _refuse_update(_mapper, _connection, entry) -> None:
    if not _is_erasure(entry):
        raise LedgerIsAppendOnly("台账只能追加，不能修改 / ledger rows cannot be updated")


@event.listens_for(LedgerEntry, "before_delete")
def _refuse_delete(*_args) -> None:
    raise LedgerIsAppendOnly("台账只能追加，不能删除 / ledger rows cannot be deleted")


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat(timespec="seconds") if isinstance(value, datetime) else value.isoformat()
    return value


def snapshot(values: dict) -> str:
    return json.dumps({k: _plain(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=True)


def read(text: str | None) -> dict:
    """A before/after snapshot as written by ``snapshot``; {} for an erased or unreadable one."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def step(entry: LedgerEntry, department: str | None) -> Step:
    """One ledger row as the flow's words read it; ``department`` is the case's, for rows that do not say."""
    return Step((entry.note or "").strip(), read(entry.before), read(entry.after), department)
