"""The monthly register (事件处置登记表) and the KPIs of the seeds: 化解率, 及时率, 到场率, 满意度,
with the monthly ranking of stations (seed 002: by arrival rate, timeliness and disposal rate)."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select

from roster import Roster
from roster.phones import mask_phone

from .. import clock
from ..cases import sources
from ..cases.flow import OPEN, OUTCOMES, STATES
from ..clock import naive
from ..extensions import db
from ..inputs import without_hostile
from ..models import Case, ExportLog
from .permissions import mask_name

REGISTER_COLUMNS = ["编号", "登记日期", "站点", "类别", "事由概要", "反映人", "联系电话", "首问责任人", "处置部门", "处置结果",
                    "当前状态", "受理时间", "吹哨时间", "到场时间", "办结时间", "反馈时间", "回访时间", "归档时间",
                    "满意度（1–5 分）", "是否按时", "来源"]
# Width of each register column in the workbook, in characters (a Chinese character counts two).
REGISTER_WIDTHS = [11, 11, 14, 10, 34, 8, 13, 10, 14, 24, 9, 16, 16, 16, 16, 16, 16, 16, 9, 8, 10]
DATE_FORMAT, TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
KPI_COLUMNS = ["排名", "站点", "街道", "案件数", "已办结", "化解率", "及时率", "到场率", "满意度（平均分）", "评价数", "综合得分"]
KPI_WIDTHS = [6, 16, 14, 8, 8, 8, 8, 8, 10, 8, 9]


def month_bounds(month: str) -> tuple[datetime, datetime]:
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1)
    end = datetime(year + (number == 12), number % 12 + 1, 1)
    return start, end


def on_time(case: Case, now: datetime) -> bool:
    """Every step taken before the deadline then in force, and an open case not yet past its own."""
    due = None
    for entry in case.ledger:
        after = json.loads(entry.after or "{}")
        if "state" in after and entry.action != "registered" and due is not None and entry.at > due:
            return False
        if "due_at" in after:
            due = datetime.fromisoformat(after["due_at"]) if after["due_at"] else None
    if case.state in OPEN and due is not None:
        return naive(now) <= due
    return True


def arrived_in_time(case: Case, minutes: int) -> bool | None:
    if not case.dispatched_on_site or case.dispatched_at is None:
        return None
    return case.arrived_at is not None and case.arrived_at - case.dispatched_at <= timedelta(minutes=minutes)


def _arrival(case: Case):
    """The arrival time, or 未到场 when that was recorded (with its reason, in the ledger) instead."""
    if case.arrived_at is not None:
        return case.arrived_at
    missed = False
    for entry in case.ledger:  # of the latest dispatch only
        missed = {"dispatch": False, "no_arrival": True}.get(entry.action, missed)
    return "未到场" if missed else None


def cases_in(roster: Roster, month: str, *, street: str | None = None, station: str | None = None,
             stations: list[str] | None = None) -> list[Case]:
    start, end = month_bounds(month)
    scope = stations if stations is not None else [s.id for s in roster.stations]
    if street:
        scope = [s for s in scope if roster.has_station(s) and roster.station(s).street == street]
    if station:
        scope = [s for s in scope if s == station]
    query = select(Case).where(Case.created_at >= start, Case.created_at < end, Case.station_id.in_(scope))
    return list(db.session.scalars(query.order_by(Case.created_at, Case.id)))


def register_rows(roster: Roster, found: list[Case], *, full: bool, now: datetime | None = None) -> list[list]:
    """One row per case in REGISTER_COLUMNS: dates and times as values (Beijing time, so that the
    workbook holds real Excel dates), None where nothing happened yet."""
    now = now or clock.now()
    topics = {c.code: c.name for c in roster.settings.categories}
    rows = []
    for case in found:
        departments = []
        for entry in case.ledger:
            if entry.action == "dispatch":
                department = json.loads(entry.after or "{}").get("department")
                if department and department not in departments:
                    departments.append(department)
        outcome = OUTCOMES.get(case.outcome or "", "")
        station = roster.station(case.station_id).name if roster.has_station(case.station_id) else case.station_id
        rows.append([case.number, case.created_at.date(), station, topics.get(case.category, case.category),
                     case.description[:60], case.name if full else mask_name(case.name),
                     case.phone if full else mask_phone(case.phone), case.owner.display_name if case.owner else "",
                     "、".join(departments), f"{outcome} {case.result or ''}".strip() if outcome else ("不予受理" if case.state == "rejected" else ""),
                     STATES.get(case.state, case.state),
                     case.accepted_at, case.dispatched_at, _arrival(case), case.resolved_at,
                     case.feedback_at, case.followed_up_at, case.closed_at if case.state == "archived" else None,
                     case.satisfaction, "是" if on_time(case, now) else "否", sources.label(case.source)])
    return rows


@dataclass
class StationKpi:
    station: str
    name: str
    street: str
    cases: int = 0
    closed: int = 0
    resolved: int = 0
    on_time: int = 0
    dispatched_on_site: int = 0
    arrived: int = 0
    ratings: list[int] = field(default_factory=list)

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def resolution_rate(self) -> float | None:
        return self._rate(self.resolved, self.closed)

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.on_time, self.cases)

    @property
    def arrival_rate(self) -> float | None:
        return self._rate(self.arrived, self.dispatched_on_site)

    @property
    def satisfaction(self) -> float | None:
        return sum(self.ratings) / len(self.ratings) if self.ratings else None

    @property
    def score(self) -> float | None:
        """Seed 002 ranks stations by arrival, timeliness and disposal; missing rates are left out."""
        rates = [r for r in (self.arrival_rate, self.on_time_rate, self.resolution_rate) if r is not None]
        return sum(rates) / len(rates) if rates else None

    ranked: bool = False  # set by station_kpis: one lucky case must not top the ranking


def station_kpis(roster: Roster, found: list[Case], stations: list[str], now: datetime | None = None) -> list[StationKpi]:
    now = now or clock.now()
    table = {}
    for station_id in stations:
        station = roster.station(station_id)
        table[station_id] = StationKpi(station_id, station.name, roster.street(station.street).name)
    minutes = roster.settings.arrival_minutes
    for case in found:
        kpi = table.get(case.station_id)
        if kpi is None:
            continue
        kpi.cases += 1
        if case.outcome:
            kpi.closed += 1
            kpi.resolved += case.outcome == "resolved"
        kpi.on_time += on_time(case, now)
        arrived = arrived_in_time(case, minutes)
        if arrived is not None:
            kpi.dispatched_on_site += 1
            kpi.arrived += arrived
        if case.satisfaction:
            kpi.ratings.append(case.satisfaction)
    for kpi in table.values():
        kpi.ranked = kpi.score is not None and kpi.cases >= roster.settings.ranking_min_cases
    return sorted(table.values(), key=lambda k: (not k.ranked, -(k.score or 0), -k.cases, k.station))


RATE_COLUMNS = {KPI_COLUMNS.index(name) for name in ("化解率", "及时率", "到场率", "综合得分")}
SATISFACTION_COLUMN = KPI_COLUMNS.index("满意度（平均分）")


def kpi_rows(kpis: list[StationKpi]) -> list[list]:
    """Rates stay numbers (None when there is nothing to rate) so that a spreadsheet can sum and sort them."""
    rows = []
    for rank, kpi in enumerate(kpis, start=1):
        rows.append([rank if kpi.ranked else None, kpi.name, kpi.street, kpi.cases, kpi.closed,
                     kpi.resolution_rate, kpi.on_time_rate, kpi.arrival_rate, kpi.satisfaction, len(kpi.ratings),
                     kpi.score])
    return rows


def kpi_text_rows(rows: list[list]) -> list[list]:
    """The same rows for CSV: 50.0%, 4.00 and — for nothing to rate."""
    def text(index: int, value):
        if value is None:
            return "—"
        if index in RATE_COLUMNS:
            return f"{value * 100:.1f}%"
        if index == SATISFACTION_COLUMN:
            return f"{value:.2f}"
        return value
    return [[text(i, v) for i, v in enumerate(row)] for row in rows]


def _csv_value(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else value


def _inert(value):
    """A summary a resident typed ("=HYPERLINK(…)", "+86…", "@SUM") must stay text, not run as a formula
    (CSV injection); and a control character stored before the forms refused them must not stop the
    file being written (openpyxl refuses them, and a lone surrogate cannot be UTF-8)."""
    value = without_hostile(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def scope_stations(roster: Roster, *, street: str | None, station: str | None,
                   allowed: list[str] | None = None) -> list[str]:
    found = allowed if allowed is not None else [s.id for s in roster.stations]
    if street:
        found = [s for s in found if roster.station(s).street == street]
    if station:
        found = [s for s in found if s == station]
    return found


@dataclass(frozen=True)
class Sheet:
    """A further sheet of the monthly workbook (the per-officer record, the ranking: officer_records.py)."""

    title: str
    heading: str
    columns: list[str]
    rows: list[list]
    widths: list[int]
    rates: frozenset[int] = frozenset()  # columns shown as 0.0%
    decimals: frozenset[int] = frozenset()  # columns shown as 0.00


def workbook(month: str, register: list[list], kpis: list[list], extra: tuple[Sheet, ...] = (),
             register_note: str = "") -> bytes:
    """The register, the KPIs and the ``extra`` sheets, ready to file and to print: the title, a
    frozen header row with filters, real dates, widths that fit, and A4 landscape pages that
    repeat the header and name the month. ``register_note``: what the register's title adds (its
    filing, filings.title_note)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for title, heading, columns, rows, widths, rates, decimals in (
            ("事件处置登记表", f"{month} 事件处置登记表{register_note}", REGISTER_COLUMNS, register, REGISTER_WIDTHS, (), ()),
            ("站点指标与排名", f"{month} 各站点指标与排名", KPI_COLUMNS, kpis, KPI_WIDTHS, RATE_COLUMNS,
             {SATISFACTION_COLUMN}),
            *((x.title, x.heading, x.columns, x.rows, x.widths, x.rates, x.decimals) for x in extra)):
        sheet = book.create_sheet(title)
        sheet.append([heading])
        sheet.append(columns)
        for row in rows:
            # an empty cell where nothing happened yet (it filters as "blanks"); "—" where a rate has no cases
            sheet.append([None if value is None and columns is REGISTER_COLUMNS else _inert("—" if value is None else value)
                          for value in row])
        sheet["A1"].font = Font(bold=True, size=14)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                if isinstance(cell.value, datetime):
                    cell.number_format = TIME_FORMAT
                elif isinstance(cell.value, date):
                    cell.number_format = DATE_FORMAT
        for row in sheet.iter_rows(min_row=3):
            for index in rates:
                row[index].number_format = "0.0%"
            for index in decimals:
                row[index].number_format = "0.00"
        last = get_column_letter(len(columns))
        sheet.freeze_panes = "A3"  # the title and the header stay in view
        sheet.auto_filter.ref = f"A2:{last}{max(2, sheet.max_row)}"
        sheet.print_title_rows = "2:2"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.oddHeader.center.text = heading
        sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(columns: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([_inert(_csv_value(value)) for value in row] for row in rows)
    return "\ufeff" + buffer.getvalue()  # the BOM lets Excel open UTF-8 Chinese correctly


def log_export(*, actor: str, staff_id: int | None, month: str, scope: str, full: bool, fmt: str) -> None:
    """Every download or export is on the record: who, when, what, and whether unmasked (the caller commits)."""
    db.session.add(ExportLog(at=clock.now_naive(), staff_id=staff_id, actor=actor, month=month, scope=scope, full=full,
                             format=fmt))


def write_files(path, month: str, register: list[list[str]], kpis: list[list], extra: tuple[Sheet, ...] = (),
                filings: Sheet | None = None, register_note: str = "") -> str:
    """FILE.xlsx (every sheet, ``filings`` last), or FILE.csv and FILE-kpi.csv beside it (and
    FILE-filings.csv of ``filings``: the narrative and the filing); returns what was written.
    Raises OSError."""
    if path.suffix.lower() == ".csv":
        path.write_text(csv_text(REGISTER_COLUMNS, register), encoding="utf-8")
        kpi_path = path.with_name(path.stem + "-kpi.csv")
        kpi_path.write_text(csv_text(KPI_COLUMNS, kpi_text_rows(kpis)), encoding="utf-8")
        written = [path, kpi_path]
        if filings is not None:
            written.append(path.with_name(path.stem + "-filings.csv"))
            written[-1].write_text(csv_text(filings.columns, filings.rows), encoding="utf-8")
        return ", ".join(str(p) for p in written)
    path.write_bytes(workbook(month, register, kpis, extra + ((filings,) if filings else ()), register_note))
    return str(path)


def month_of(today: date) -> str:
    return f"{today:%Y-%m}"
