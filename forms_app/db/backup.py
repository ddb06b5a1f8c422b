"""Backup and restore of the SQLite database with SQLite's online backup API: consistent while
the service keeps running, no need to stop it. PostgreSQL has pg_dump and pg_restore for this
(README, "Deployment"); these functions refuse it with that advice."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """Something an operator can act on, in Chinese and English."""


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError("PostgreSQL 请用 pg_dump / pg_restore 备份和恢复（见 README“部署”）/ "
                          "for PostgreSQL use pg_dump and pg_restore (README, Deployment)")
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份 / an in-memory database cannot be backed up")
    return Path(url.database)


def backup(database_url: str, out: Path) -> int:
    """Copy the live database to ``out``; returns the number of pages copied."""
    source = sqlite_path(database_url)
    if not source.is_file():
        raise BackupError(f"找不到数据库文件 {source} / no database file at {source}")
    if out.exists():
        raise BackupError(f"{out} 已存在，不会覆盖 / {out} exists; it will not be overwritten")
    out.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(out)) as copy:
        live.backup(copy)
        return copy.execute("PRAGMA page_count").fetchone()[0]


def restore(database_url: str, source: Path) -> int:
    """Replace the live database's content with the backup at ``source``, in place, so that the
    service's open connections see the restored data; returns the number of pages restored."""
    target = sqlite_path(database_url)
    if not source.is_file():
        raise BackupError(f"找不到备份文件 {source} / no backup file at {source}")
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as saved:
            check = saved.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"备份文件已损坏：{check} / the backup is damaged: {check}")
            tables = {row[0] for row in saved.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "alembic_version" not in tables:
                raise BackupError("这不是本服务的备份（没有 alembic_version 表）/ not a backup of this service")
            target.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(target)) as live:
                saved.backup(live)
                return live.execute("PRAGMA page_count").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{source} 不是可用的 SQLite 备份：{exc} / not a usable SQLite backup: {exc}") from None
