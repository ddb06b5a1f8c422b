"""The one exception of the case flow: an action refused, with the reason in Chinese.

Its own module so that the rules of an action can live beside flow.py (handlers.py, officers.py)
and raise it without importing the flow that names them; flow.py re-exports it, and callers keep
writing ``flow.IllegalAction``.
"""
from __future__ import annotations


class IllegalAction(Exception):
    """The action is not allowed now; ``message`` says why, in Chinese; ``field`` names the detail at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
