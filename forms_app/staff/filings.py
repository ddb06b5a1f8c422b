"""The filed monthly register (报送): a station writes the month's narrative (运行工作情况, 存在问题,
工作建议) in the console, files it, and may withdraw the filing (rules in filing_rules.py); the
street sees who has filed by the deadline; the workbook and the report command carry it.

Every write here is a conditional UPDATE (the row still at the version the page showed, still
unfiled, still filed), so two clerks or two tabs cannot overwrite each other or file twice; the
audit log says who saved, filed and withdrew (never the text). The caller commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from roster import Roster

from .. import audit
from ..extensions import db
from ..models import Staff
from . import filing_rules as rules
from .filing_store import RegisterFiling
from .reports import Sheet

COLUMNS = ["站点", "街道", "报送状态", "报送人", "报送时间", "报送期限", "运行工作情况", "存在问题", "工作建议"]
WIDTHS = [14, 12, 10, 10, 16, 11, 50, 40, 40]


class Refused(Exception):
    """Why a save, a filing or a withdrawal was not done, in words for the page."""


def find(station_id: str, month: str) -> RegisterFiling | None:
    return db.session.scalar(select(RegisterFiling).where(RegisterFiling.station_id == station_id,
                                                          RegisterFiling.month == month))


def of_month(month: str, stations: list[str]) -> dict[str, RegisterFiling]:
    query = select(RegisterFiling).where(RegisterFiling.month == month, RegisterFiling.station_id.in_(stations))
    return {row.station_id: row for row in db.session.scalars(query)}


def _target(station_id: str, month: str) -> str:
    return f"{station_id} {month}"[:100]


def save(station_id: str, month: str, texts: dict[str, str], staff: Staff, version: int, now: datetime, *,
         file: bool = False) -> RegisterFiling:
    """The narrative as written (and, with ``file``, the filing in the same change); ``version``
    is the one the page was opened at (0: there was no row yet). Raises Refused."""
    texts = {name: (texts.get(name) or "").strip() for name in rules.PARTS}
    if file:
        if not rules.may_file_yet(month, now):
            raise Refused("这个月还没开始，不能报送")
        missing = rules.missing_parts(texts)
        if missing:
            raise Refused("报送前请填写" + "、".join(rules.PARTS[m] for m in missing) + "（没有可写“无”）")
    values = {**texts, "updated_at": now, "updated_by": staff.display_name[:40], "updated_by_id": staff.id}
    if file:
        values.update(filed_at=now, filed_by=staff.display_name[:40], filed_by_id=staff.id)
    row = find(station_id, month)
    if row is None and version == 0:
        try:
            with db.session.begin_nested():
                row = RegisterFiling(station_id=station_id, month=month, version=1, **values)
                db.session.add(row)
        except IntegrityError:
            raise Refused("别人刚刚也保存了这个月的内容：请刷新页面，看过后再改") from None
    else:
        if row is None or row.version != version:
            _stale(row)
        changed = db.session.execute(
            update(RegisterFiling).where(RegisterFiling.id == row.id, RegisterFiling.version == version,
                                         RegisterFiling.filed_at.is_(None))
            .values(version=RegisterFiling.version + 1, **values).execution_options(synchronize_session=False))
        if changed.rowcount != 1:
            db.session.refresh(row)
            _stale(row)
        db.session.refresh(row)
    audit.record("register_saved", staff=staff, target=_target(station_id, month))
    if file:
        audit.record("register_filed", staff=staff, target=_target(station_id, month))
    return row


def _stale(row: RegisterFiling | None):
    if row is not None and row.filed_at is not None:
        raise Refused(f"{row.filed_by} 已于 {row.filed_at:%Y-%m-%d %H:%M} 报送，报送后不能修改；要改请先撤回")
    raise Refused("别人刚刚也保存了这个月的内容：请刷新页面，看过后再改")


def withdraw(station_id: str, month: str, staff: Staff, now: datetime) -> RegisterFiling:
    """The filing taken back: the narrative can be edited again and must be filed again. Raises Refused."""
    row = find(station_id, month)
    if row is None or row.filed_at is None:
        raise Refused("这个月还没有报送，无需撤回")
    if not rules.may_withdraw(staff.role, month, now):
        raise Refused(f"已过报送期限（{rules.due_date(month):%Y-%m-%d}），不能撤回；如需更正，请联系管理员")
    changed = db.session.execute(
        update(RegisterFiling).where(RegisterFiling.id == row.id, RegisterFiling.filed_at.is_not(None))
        .values(version=RegisterFiling.version + 1, filed_at=None, filed_by=None, filed_by_id=None)
        .execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        raise Refused("这个月的报送刚刚已被撤回")
    db.session.refresh(row)
    audit.record("register_withdrawn", staff=staff, target=_target(station_id, month))
    return row


@dataclass(frozen=True)
class Line:
    """One station's month in the street's list and in the workbook."""

    station: str
    name: str
    street: str
    status: str  # filing_rules.STATUSES key
    row: RegisterFiling | None

    @property
    def label(self) -> str:
        return rules.STATUSES[self.status]


def lines(roster: Roster, month: str, stations: list[str], now: datetime) -> list[Line]:
    """Every station of ``stations`` with its status for the month (naive ``now``), in roster order."""
    found = of_month(month, stations)
    result = []
    for station_id in stations:
        station = roster.station(station_id)
        row = found.get(station_id)
        result.append(Line(station_id, station.name, roster.street(station.street).name,
                           rules.status(month, row.filed_at if row else None, now), row))
    return result


def counts(found: list[Line]) -> dict[str, int]:
    return {code: sum(line.status == code for line in found) for code in rules.STATUSES}


def rows(month: str, found: list[Line]) -> list[list]:
    due = rules.due_date(month)
    return [[line.name, line.street, line.label, line.row.filed_by if line.row and line.row.filed_at else None,
             line.row.filed_at if line.row else None, due,
             *((getattr(line.row, part) or None) if line.row else None for part in rules.PARTS)] for line in found]


def sheet(month: str, found: list[Line]) -> Sheet:
    """The workbook's sheet 运行情况与报送 (and the report command's CSV of it)."""
    return Sheet("运行情况与报送", f"{month} 运行工作情况、存在问题、工作建议及报送情况（报送期限 {rules.due_date(month):%Y-%m-%d}）",
                 COLUMNS, rows(month, found), WIDTHS)


def title_note(found: list[Line]) -> str:
    """What the register's title says of the filing: one station's status, who and when; or how
    many of the stations have filed."""
    if len(found) == 1:
        line = found[0]
        if line.row is not None and line.row.filed_at is not None:
            return f"（{line.name}：{line.label}，{line.row.filed_by}，{line.row.filed_at:%Y-%m-%d %H:%M}）"
        return f"（{line.name}：{line.label}）"
    filed = sum(line.status in (rules.FILED, rules.FILED_LATE) for line in found)
    return f"（已报送 {filed}/{len(found)} 个站点）" if found else ""
