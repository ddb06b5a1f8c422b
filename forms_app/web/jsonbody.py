"""How the service reads JSON request bodies."""
from __future__ import annotations

from flask.json.provider import DefaultJSONProvider


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested deeper than Python's recursion limit (``[`` × 100000)
    is malformed JSON — a 4xx through the usual path — not a RecursionError and a 500."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
