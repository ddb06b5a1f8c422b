"""Commands that look after the data: the retention purge, SQLite backup and restore, and moving
an install to another database (`copy-data`)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ..api import idempotency
from ..booking import service as appointments
from ..cases import service as cases
from ..cases import pending
from ..cases.photos import remove_photo
from ..config import driver_url
from ..db.backup import BackupError, backup, restore
from ..db.copydata import CopyError, copy_rows, schema_version
from ..extensions import db


@click.command("purge-expired")
@with_appcontext
def purge_expired() -> None:
    """删除保存期已过的预约和个人信息 / delete bookings past their retention period."""
    days = current_app.config["RETENTION_DAYS"]
    count = appointments.purge_expired(days)
    db.session.commit()
    click.echo(f"已删除 {count} 个超过 {days} 天的预约 / deleted {count} booking(s) older than {days} days")
    count = cases.purge_expired(days, remove_photo)
    db.session.commit()
    click.echo(f"已删除 {count} 个案件中的个人信息 / removed personal data from {count} closed case(s)")
    guards, keys = cases.forget_repeat_guards(), idempotency.purge_expired()
    db.session.commit()
    click.echo(f"已清理 {guards} 条防重复提交记录、{keys} 个幂等键 / removed {guards} repeat guard(s) and "
               f"{keys} idempotency key(s)")
    kept = pending.purge_expired()
    click.echo(f"已删除 {kept} 份等待重新提交的照片（保留超过 {pending.KEEP.seconds // 60} 分钟） / deleted {kept} "
               f"set(s) of photos kept for a retry past {pending.KEEP.seconds // 60} minutes")


def _pages(operation, path: str) -> int:
    """Back up to or restore from ``path``; what went wrong as the command's error."""
    try:
        return operation(current_app.config["SQLALCHEMY_DATABASE_URI"], Path(path))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None


@click.command("backup")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="备份文件 / backup file to write")
@with_appcontext
def backup_command(out: str) -> None:
    """在线备份 SQLite 数据库（服务不用停）/ back up the SQLite database while it runs."""
    pages = _pages(backup, out)
    click.echo(f"已备份到 / backed up to {out} ({pages} pages)")


@click.command("restore")
@click.option("--from", "source", required=True, type=click.Path(dir_okay=False), help="备份文件 / backup file")
@click.option("--yes", is_flag=True, help="不再确认 / do not ask")
@with_appcontext
def restore_command(source: str, yes: bool) -> None:
    """用备份替换当前数据库的全部内容 / replace the database's content with a backup."""
    if not yes:
        click.confirm("当前数据库的内容会被备份替换，继续吗？/ replace the current data with the backup?", abort=True)
    pages = _pages(restore, source)
    click.echo(f"已恢复 / restored {source} ({pages} pages)")


@click.command("copy-data")
@click.option("--from", "source", required=True, help="源数据库 / source, e.g. sqlite:///instance/forms.sqlite3")
@click.option("--to", "target", required=True, help="目标数据库 / target, e.g. postgresql+psycopg://…")
@with_appcontext
def copy_data(source: str, target: str) -> None:
    """把每一行复制到另一个数据库并核对行数 / copy every row to another database and verify counts."""
    app = current_app
    source, target = driver_url(source), driver_url(target)
    try:
        before = schema_version(source)
        if before is None:
            raise CopyError("源数据库里没有本服务的表 / the source holds no tables of this service")
        # The target's schema from the same migrations, through an app of the same factory on it.
        destination = app.extensions["app_factory"]({
            "SQLALCHEMY_DATABASE_URI": target, "SECRET_KEY": app.config["SECRET_KEY"],
            "ROSTER_DIR": app.config["ROSTER_DIR"], "REQUEST_LOG": False})
        with destination.app_context():
            upgrade()
            db.engine.dispose()
        if schema_version(target) != before:
            raise CopyError(f"源数据库的版本 {before} 不是最新，请先对它运行 flask db upgrade / the source is at "
                            f"revision {before}; run `flask db upgrade` on it first")
        result = copy_rows(source, target, db.metadata.sorted_tables)
    except CopyError as exc:
        raise click.ClickException(str(exc)) from None
    except (ArgumentError, SQLAlchemyError) as exc:
        raise click.ClickException(f"连接或复制失败 / failed: {type(exc).__name__}: {str(exc).splitlines()[0]}") from None
    for count in result:
        click.echo(f"{count.table:<20} {count.source:>8} → {count.target:>8} {'ok' if count.ok else '不一致 MISMATCH'}")
    if not all(count.ok for count in result):
        raise click.ClickException("行数不一致 / row counts differ")
    click.echo(f"已复制 {sum(c.target for c in result)} 行，行数一致 / copied {sum(c.target for c in result)} rows; "
               "every count matches")


COMMANDS = (purge_expired, backup_command, restore_command, copy_data)
