"""Thin Flask CLI wrappers: `flask --app forms_app db upgrade` comes from Flask-Migrate."""
from __future__ import annotations

import click
from flask import Flask

from .feeds import feed_url


def register_commands(app: Flask) -> None:
    @app.cli.command("report")
    @click.option("--month", required=True, help="YYYY-MM")
    @click.option("--street", help="只统计这个街道 / one street only")
    @click.option("--station", help="只统计这个站点 / one station only")
    @click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
                  help="FILE.xlsx（两张表）或 FILE.csv（另写 FILE-kpi.csv）")
    @click.option("--full", is_flag=True, help="不打码姓名和电话（会记录）/ unmasked names and phones (logged)")
    def report(month, street, station, out, full) -> None:
        """月度事件处置登记表和站点指标 / the monthly register and station KPIs."""
        import re
        from datetime import datetime
        from pathlib import Path

        from . import reports
        from .extensions import db
        from .models import ExportLog
        from .rosters import current_roster

        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise click.BadParameter("写成 YYYY-MM / expected YYYY-MM", param_hint="--month")
        roster = current_roster()
        if street and street not in {s.id for s in roster.streets}:
            raise click.BadParameter(f"没有这个街道 / unknown street {street}", param_hint="--street")
        if station and not roster.has_station(station):
            raise click.BadParameter(f"没有这个站点 / unknown station {station}", param_hint="--station")
        stations = reports.scope_stations(roster, street=street, station=station)
        found = reports.cases_in(roster, month, stations=stations)
        register = reports.register_rows(roster, found, full=full)
        kpis = reports.kpi_rows(reports.station_kpis(roster, found, stations))
        path = Path(out)
        try:
            if path.suffix.lower() == ".csv":
                path.write_text(reports.csv_text(reports.REGISTER_COLUMNS, register), encoding="utf-8")
                kpi_path = path.with_name(path.stem + "-kpi.csv")
                kpi_path.write_text(reports.csv_text(reports.KPI_COLUMNS, reports.kpi_text_rows(kpis)), encoding="utf-8")
                written = f"{path}, {kpi_path}"
            else:
                path.write_bytes(reports.workbook(month, register, kpis))
                written = str(path)
        except OSError as exc:
            raise click.ClickException(f"写不了 {path}：{exc.strerror}。请检查文件夹是否存在、是否有权限 / "
                                       f"cannot write {path}: {exc.strerror}") from None
        db.session.add(ExportLog(at=datetime.now(), actor="命令行 / command line", month=month,
                                 scope=street or station or "全部", full=full, format=path.suffix.lstrip(".")))
        db.session.commit()
        click.echo(f"{len(found)} 个案件，{len(stations)} 个站点 → {written}")

    @app.cli.command("create-staff")
    @click.argument("username")
    @click.option("--name", "display_name", required=True, help="显示的姓名 / display name")
    @click.option("--role", type=click.Choice(["station", "supervisor", "admin"]), required=True,
                  help="station 站点工作人员 / supervisor 街道督查 / admin 管理员")
    @click.option("--station", "stations", multiple=True, help="负责的站点（可多次）/ station id (repeatable)")
    @click.option("--street", help="督查的街道 / street id, for supervisors")
    @click.password_option(help="密码（不填会提示输入）/ password (prompted if omitted)")
    def create_staff(username, display_name, role, stations, street, password) -> None:
        """创建工作人员账号 / create a staff account."""
        from datetime import datetime

        from werkzeug.security import generate_password_hash

        from .extensions import db
        from .models import Staff
        from .rosters import current_roster

        roster = current_roster()
        unknown = [s for s in stations if not roster.has_station(s)]
        if unknown:
            raise click.BadParameter(f"没有这些站点 / unknown stations: {', '.join(unknown)}", param_hint="--station")
        if role == "station" and not stations:
            raise click.BadParameter("站点工作人员至少要有一个站点 / station staff need --station", param_hint="--station")
        if role == "supervisor" and street not in {s.id for s in roster.streets}:
            raise click.BadParameter("督查要写 --street（已有的街道编号）/ supervisors need a known --street",
                                     param_hint="--street")
        if len(password) < 10:
            raise click.BadParameter("密码至少 10 位 / at least 10 characters", param_hint="--password")
        if db.session.query(Staff).filter_by(username=username).first():
            raise click.BadParameter(f"用户名已存在 / {username} exists", param_hint="USERNAME")
        db.session.add(Staff(username=username, display_name=display_name, role=role, stations=",".join(stations),
                             street_id=street, password_hash=generate_password_hash(password),
                             created_at=datetime.now()))
        db.session.commit()
        click.echo(f"已创建 / created {username} ({role})")

    @app.cli.command("purge-expired")
    def purge_expired_command() -> None:
        """删除保存期已过的预约和个人信息 / delete bookings past their retention period."""
        from .appointments import purge_expired

        from . import cases
        from .photos import remove_photo

        days = app.config["RETENTION_DAYS"]
        count = purge_expired(days)
        click.echo(f"已删除 {count} 个超过 {days} 天的预约 / deleted {count} booking(s) older than {days} days")
        count = cases.purge_expired(days, remove_photo)
        click.echo(f"已删除 {count} 个案件中的个人信息 / removed personal data from {count} closed case(s)")

    @app.cli.command("officer-feeds")
    @click.option("--base-url", default="http://127.0.0.1:8001", help="公开地址 / public URL of this service")
    def officer_feeds(base_url: str) -> None:
        """每位人员的私人预约日历链接 / each officer's private bookings feed URL."""
        from .rosters import current_roster

        for officer in current_roster().officers:
            click.echo(f"{officer.id}\t{officer.name}\t{base_url.rstrip('/')}{feed_url(officer.id)}")

    @app.cli.command("backup")
    @click.option("--out", required=True, type=click.Path(dir_okay=False), help="备份文件 / backup file to write")
    def backup_command(out: str) -> None:
        """在线备份 SQLite 数据库（服务不用停）/ back up the SQLite database while it runs."""
        from pathlib import Path

        from .backup import BackupError, backup

        try:
            pages = backup(app.config["SQLALCHEMY_DATABASE_URI"], Path(out))
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"已备份到 / backed up to {out} ({pages} pages)")

    @app.cli.command("restore")
    @click.option("--from", "source", required=True, type=click.Path(dir_okay=False), help="备份文件 / backup file")
    @click.option("--yes", is_flag=True, help="不再确认 / do not ask")
    def restore_command(source: str, yes: bool) -> None:
        """用备份替换当前数据库的全部内容 / replace the database's content with a backup."""
        from pathlib import Path

        from .backup import BackupError, restore

        if not yes:
            click.confirm("当前数据库的内容会被备份替换，继续吗？/ replace the current data with the backup?", abort=True)
        try:
            pages = restore(app.config["SQLALCHEMY_DATABASE_URI"], Path(source))
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"已恢复 / restored {source} ({pages} pages)")

    @app.cli.command("copy-data")
    @click.option("--from", "source", required=True, help="源数据库 / source, e.g. sqlite:///instance/forms.sqlite3")
    @click.option("--to", "target", required=True, help="目标数据库 / target, e.g. postgresql+psycopg://…")
    def copy_data(source: str, target: str) -> None:
        """把每一行复制到另一个数据库并核对行数 / copy every row to another database and verify counts."""
        from flask_migrate import upgrade
        from sqlalchemy.exc import ArgumentError, SQLAlchemyError

        from . import create_app
        from .config import driver_url
        from .copydata import CopyError, copy_rows, schema_version
        from .extensions import db

        source, target = driver_url(source), driver_url(target)
        try:
            before = schema_version(source)
            if before is None:
                raise CopyError("源数据库里没有本服务的表 / the source holds no tables of this service")
            destination = create_app({"SQLALCHEMY_DATABASE_URI": target, "SECRET_KEY": app.config["SECRET_KEY"],
                                      "ROSTER_DIR": app.config["ROSTER_DIR"], "REQUEST_LOG": False})
            with destination.app_context():
                upgrade()  # the target's schema from the same migrations
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
