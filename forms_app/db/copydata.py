"""Move a running install from one database to another (SQLite → PostgreSQL): the target gets
the schema from the Alembic migrations, then every row of every table, parents before children,
and the row counts are compared table by table."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine

BATCH = 1000


class CopyError(Exception):
    """Something an operator can act on, in Chinese and English."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


def copy_rows(source_url: str, target_url: str, tables) -> list[TableCount]:
    """Copy ``tables`` (SQLAlchemy Table objects, in dependency order) and verify the counts.
    The target's schema must exist already and its tables must be empty."""
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        with source.connect() as reading, target.begin() as writing:
            for table in tables:
                if writing.scalar(select(func.count()).select_from(table)):
                    raise CopyError(f"目标数据库的 {table.name} 表已有数据，不会覆盖 / table {table.name} in the "
                                    "target is not empty; copy-data only fills an empty database")
            for table in tables:
                rows = reading.execute(select(table).order_by(*table.primary_key.columns))
                while batch := rows.fetchmany(BATCH):
                    writing.execute(table.insert(), [row._asdict() for row in batch])
            _reset_sequences(writing, tables)
        return counts(source, target, tables)
    finally:
        source.dispose()
        target.dispose()


def counts(source: Engine, target: Engine, tables) -> list[TableCount]:
    found = []
    with source.connect() as left, target.connect() as right:
        for table in tables:
            found.append(TableCount(table.name, left.scalar(select(func.count()).select_from(table)),
                                    right.scalar(select(func.count()).select_from(table))))
    return found


def _reset_sequences(connection, tables) -> None:
    """Rows came with their ids; PostgreSQL's id sequences must continue after the largest."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and column.type.python_type is int):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"))



def schema_version(url: str) -> str | None:
    """The Alembic revision a database is at (None: no schema yet)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if not engine.dialect.has_table(connection, "alembic_version"):
                return None
            return connection.scalar(text("SELECT version_num FROM alembic_version"))
    finally:
        engine.dispose()

