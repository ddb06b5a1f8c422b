"""URL converters of the service."""
from __future__ import annotations

from werkzeug.routing import BaseConverter


class MonthConverter(BaseConverter):
    """YYYY-MM in a URL, so that /reports/2026-11.kpi.csv is month 2026-11 in format kpi.csv."""
    regex = r"\d{4}-(?:0[1-9]|1[0-2])"
