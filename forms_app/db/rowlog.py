"""SQLAlchemy's engine logger prints every fetched row at DEBUG (residents' names, phones and
tokens with them), whatever ``hide_parameters`` says. A filter on that logger drops those lines,
so turning every logger up to DEBUG to chase a fault does not write personal data."""
from __future__ import annotations

import logging

ENGINE_LOGGER = "sqlalchemy.engine.Engine"


class NoRows(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith("Row "))


def install() -> None:
    engine_logger = logging.getLogger(ENGINE_LOGGER)
    if not any(isinstance(f, NoRows) for f in engine_logger.filters):
        engine_logger.addFilter(NoRows())
