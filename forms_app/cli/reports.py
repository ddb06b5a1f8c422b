"""`flask --app forms_app report`: the monthly register and station KPIs as files."""
from __future__ import annotations

import re
from pathlib import Path

import click
from flask.cli import with_appcontext

from .. import audit, clock
from ..extensions import db
from ..rosters import current_roster
from ..staff import filings, officer_records, reports, supervision_report


@click.command("report")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--street", help="只统计这个街道 / one street only")
@click.option("--station", help="只统计这个站点 / one station only")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="FILE.xlsx（登记表、指标、实绩档案、联动排名、督办、运行情况与报送）或 FILE.csv（另写 FILE-kpi.csv、FILE-filings.csv）")
@click.option("--full", is_flag=True, help="不打码姓名和电话（会记录）/ unmasked names and phones (logged)")
@with_appcontext
def report(month, street, station, out, full) -> None:
    """月度事件处置登记表和站点指标 / the monthly register and station KPIs."""
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
        filed = filings.lines(roster, month, stations, clock.now_naive())
        written = reports.write_files(path, month, register, kpis, officer_records.sheets(roster, month, stations)
                                      + supervision_report.sheets(roster, month, stations),
                                      filings.sheet(month, filed), filings.title_note(filed))
    except OSError as exc:
        raise click.ClickException(f"写不了 {path}：{exc.strerror}。请检查文件夹是否存在、是否有权限 / "
                                   f"cannot write {path}: {exc.strerror}") from None
    reports.log_export(actor="命令行 / command line", staff_id=None, month=month, scope=street or station or "全部",
                       full=full, fmt=path.suffix.lstrip("."))
    if full:
        audit.record("export_full", actor="命令行 / command line", target=f"{month}{path.suffix}")
    db.session.commit()
    click.echo(f"{len(found)} 个案件，{len(stations)} 个站点 → {written}")


COMMANDS = (report,)
