"""The statements of a resident's new case, per database: the repeat check, the case and its
first ledger row. Built once: no statement and cache key to build for every case.

On SQLite they are three plain statements; on PostgreSQL one (CTEs), atomic by itself. A case
number already given makes the INSERT do nothing (ON CONFLICT, in both databases) instead of
being looked up first: one statement less while SQLite's write lock is held.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from sqlalchemy import DateTime, bindparam, exists, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from ..models import Case, LedgerEntry

_cases = Case.__table__.c
REPEAT = select(_cases.id).where(_cases.phone == bindparam("phone"), _cases.station_id == bindparam("station"),
                                 _cases.description == bindparam("description"),
                                 _cases.created_at >= bindparam("since")).limit(1)
INSERT_CASE = {dialect.dialect.name: dialect.insert(Case.__table__).on_conflict_do_nothing(
    index_elements=[_cases.number]).returning(_cases.id) for dialect in (postgresql, sqlite)}
INSERT_LEDGER = insert(LedgerEntry.__table__)
NUMBER_ATTEMPTS = 10


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
                    fresh_number: Callable[[], str]) -> tuple[int | None, int | None]:
    """(new case id, None), or (None, id of the repeat); a fresh number while the last was taken.
    ``values["number"]`` is the number the case got."""
    for _ in range(NUMBER_ATTEMPTS):
        case_id, repeat = _insert(connection, values, first_row, since)
        if case_id is not None or repeat is not None:
            return case_id, repeat
        values["number"] = fresh_number()  # this month's number was already given
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
