"""The statements of a resident's new case, per database: the repeat guard, the case, its
first ledger row and the messages that tell the resident its number (the outbox,
notify/outbox.py). Built once: no statement and cache key to build for every case.

A double submit (two taps, two tabs, a client's retry) must give one case on every database, so
the rule is held by a row, not by a read: each station, phone and text has one RepeatGuard row
(models.py), claimed with INSERT … ON CONFLICT DO UPDATE. Of two submissions at the same moment,
the second waits for the first's row lock and then reads the case the first wrote; a read-then-
insert check ("is there a case like this?") lets both through on PostgreSQL.

On PostgreSQL the guard, the case, its ledger row and its messages are one statement (CTEs) in
autocommit: atomic by itself, one round trip. On SQLite the writer holds the database's write lock from the
start of its transaction (db/sqlite.py), so three plain statements cannot interleave.
"""
from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime
from hashlib import sha256
from functools import lru_cache
from typing import Callable

from sqlalchemy import DateTime, String, bindparam, case as when, exists, insert, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from ..models import Case, LedgerEntry, Notification, RepeatGuard

NUMBER_ATTEMPTS = 10
# Registering without a repeat window (staff, a meeting's case): the guard is taken over whatever
# its age, so that it always names the latest case of its text.
ALWAYS = datetime(9999, 1, 1)

_cases, _guards, _ledger, _notes = Case.__table__, RepeatGuard.__table__, LedgerEntry.__table__, Notification.__table__
_NOTE_COLUMNS = [c for c in _notes.columns if not c.primary_key]
Notes = Callable[[str], list[dict]]  # the outbox rows that tell the resident a case number


def repeat_key(station: str, phone: str, description: str) -> str:
    """The guard's key: what makes two submissions the same complaint."""
    return sha256("\x1f".join((station, phone, description)).encode("utf-8", "surrogatepass")).hexdigest()


def _claim(dialect_insert, rows):
    """The guard row claimed for this case, or kept for the case that holds it while that case is
    younger than ``since``; RETURNING gives the number of the case the guard names after the
    statement, so a repeat is told from a new case by comparing it with this case's number."""
    claim = dialect_insert(_guards).from_select(["key", "case_number", "at"], rows)
    stale = _guards.c.at < bindparam("since", type_=DateTime)
    return claim.on_conflict_do_update(index_elements=[_guards.c.key], set_={
        "case_number": when((stale, claim.excluded.case_number), else_=_guards.c.case_number),
        "at": when((stale, claim.excluded.at), else_=_guards.c.at),
    }).returning(_guards.c.case_number)


# ---------------------------------------------------------------- SQLite: three statements

NUMBER_GIVEN = select(_cases.c.id).where(_cases.c.number == bindparam("number"))
CLAIM_SQLITE = _claim(sqlite.insert, select(bindparam("guard_key", type_=String), bindparam("number", type_=String),
                                            bindparam("created_at", type_=DateTime)))
INSERT_CASE = insert(_cases).returning(_cases.c.id)
INSERT_LEDGER = insert(_ledger)
INSERT_NOTES = insert(_notes)
CASE_ID = select(_cases.c.id).where(_cases.c.number == bindparam("number"))


# ---------------------------------------------------------------- PostgreSQL: one statement

@lru_cache(maxsize=4)
def register_postgresql(notes: int = 0):
    """The guard, the case, its first ledger row and ``notes`` outbox rows as one statement. The
    case is inserted only if the guard now names it, and the rows that refer to it only with it;
    the guard is claimed only if the case number is free (as this statement sees the table: a
    number given by another case at the very same moment makes the INSERT fail on the unique
    number, which undoes the whole statement). Gives (new_id, holder)."""
    case = {c.name: bindparam(c.name, type_=c.type) for c in _cases.columns if not c.primary_key}
    entry = {c.name: bindparam(f"entry_{c.name}", type_=c.type) for c in _ledger.columns
             if not c.primary_key and c.name != "case_id"}
    number_free = ~exists().where(_cases.c.number == case["number"])
    guard = _claim(postgresql.insert, select(bindparam("guard_key", type_=String), case["number"],
                                             case["created_at"]).where(number_free)).cte("guard")
    new = insert(_cases).from_select(
        list(case), select(*case.values()).where(exists().where(guard.c.case_number == case["number"]))
    ).returning(_cases.c.id).cte("new_case")
    first = insert(_ledger).from_select([*entry, "case_id"], select(*entry.values(), new.c.id)).cte("new_entry")
    statement = select(new.select().scalar_subquery().label("new_id"),
                       guard.select().scalar_subquery().label("holder")).add_cte(first)
    if notes:
        rows = [select(*(bindparam(f"note{i}_{c.name}", type_=c.type) for c in _NOTE_COLUMNS))
                .where(exists(new.select())) for i in range(notes)]
        told = insert(_notes).from_select([c.name for c in _NOTE_COLUMNS], union_all(*rows) if notes > 1 else rows[0])
        statement = statement.add_cte(told.cte("new_notes"))
    return statement


def note_params(rows: list[dict]) -> dict:
    return {f"note{i}_{c.name}": row.get(c.name) for i, row in enumerate(rows) for c in _NOTE_COLUMNS}


def with_defaults(table, values: dict) -> dict:
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


def insert_numbered(connection, values: dict, first_row: dict, since: datetime | None,
                    fresh_number: Callable[[], str], notes: Notes = lambda _number: []) -> tuple[int | None, int | None]:
    """(new case id, None), or (None, id of the case already filed with the same station, phone
    and text since ``since``; None: no repeat window); a fresh number while the last was taken.
    ``values["number"]`` is the number the case got; ``notes(number)`` are the outbox rows written
    with a new case (none with a repeat)."""
    key = repeat_key(values["station_id"], values["phone"], values["description"])
    since = since or ALWAYS
    insert_one = _insert_postgresql if connection.dialect.name == "postgresql" else _insert_sqlite
    for _ in range(NUMBER_ATTEMPTS):
        case_id, holder = insert_one(connection, values, first_row, since, key, notes(values["number"]))
        if case_id is not None:
            return case_id, None
        if holder is not None and holder != values["number"]:
            return None, connection.execute(CASE_ID, {"number": holder}).scalar_one()
        values["number"] = fresh_number()  # this month's number was already given
    raise RuntimeError(f"no free case number after {NUMBER_ATTEMPTS} tries this month")


def _insert_postgresql(connection, values, first_row, since, key, rows) -> tuple[int | None, str | None]:
    autocommit = connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
    try:
        # in the caller's transaction, a failed statement must not undo what the caller did before it
        with nullcontext() if autocommit else connection.begin_nested():
            found = connection.execute(register_postgresql(len(rows)), {
                **values, **{f"entry_{name}": value for name, value in first_row.items()},
                **note_params(rows), "guard_key": key, "since": since}).one()
    except IntegrityError as exc:
        if "uq_cases_number" not in str(exc.orig):
            raise
        return None, None
    return found.new_id, found.holder


def _insert_sqlite(connection, values, first_row, since, key, rows) -> tuple[int | None, str | None]:
    if connection.execute(NUMBER_GIVEN, {"number": values["number"]}).first() is not None:
        return None, None
    holder = connection.execute(CLAIM_SQLITE, {"guard_key": key, "number": values["number"],
                                               "created_at": values["created_at"], "since": since}).scalar_one()
    if holder != values["number"]:
        return None, holder
    case_id = connection.execute(INSERT_CASE, values).scalar_one()
    connection.execute(INSERT_LEDGER, {**first_row, "case_id": case_id})
    if rows:
        connection.execute(INSERT_NOTES, rows)
    return case_id, holder
