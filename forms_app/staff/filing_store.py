"""The table of the filed monthly register (报送, filings.py): one row per station and month with
the narrative parts seed 000 names beside the 事件处置登记表 (运行工作情况, 存在问题, 工作建议) and
who filed it when. Its own module, imported at the end of models.py so that the metadata (and
Alembic) has it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RegisterFiling(db.Model):
    """A station's month: the narrative as last saved, and the filing (filed_at empty: not filed,
    or withdrawn). ``version`` grows with every change, so that a save from a page opened before
    someone else's change is refused instead of overwriting it. What was done when is in the audit
    log (register_saved, register_filed, register_withdrawn)."""

    __tablename__ = "register_filings"
    __table_args__ = (UniqueConstraint("station_id", "month", name="uq_register_filings_station_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[str] = mapped_column(String(64))
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    work: Mapped[str] = mapped_column(Text, default="")  # 运行工作情况
    problems: Mapped[str] = mapped_column(Text, default="")  # 存在问题
    suggestions: Mapped[str] = mapped_column(Text, default="")  # 工作建议
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(40))  # display name of who saved last
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    filed_at: Mapped[datetime | None]
    filed_by: Mapped[str | None] = mapped_column(String(40))
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
