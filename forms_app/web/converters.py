"""URL converters of the service."""
from __future__ import annotations

from werkzeug.routing import BaseConverter, IntegerConverter


class MonthConverter(BaseConverter):
    """YYYY-MM in a URL, so that /reports/2026-11.kpi.csv is month 2026-11 in format kpi.csv."""
    regex = r"\d{4}-(?:0[1-9]|1[0-2])"


class RowIdConverter(IntegerConverter):
    """A row id in a URL: 1 to the largest INTEGER of PostgreSQL. Werkzeug's <int:> takes any size,
    and 9223372036854775808 then fails in the database driver (a 500) instead of being a 404."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**31 - 1)
