"""What a page may offer for a case: the actions the rules allow now, and those waiting for
another step first. The rules are flow.py's; this only asks them (so an offer is a hint, and the
action itself is checked again when it is taken)."""
from __future__ import annotations

from datetime import datetime

from . import flow


def _offered(role: str | None) -> list[str]:
    """The actions a page may offer: the console's, or with ``role`` those that role may take."""
    return list(flow.ACTIONS) if role is None else [a.code for a in flow.FLOW if role in a.by]


def waiting(facts: flow.Facts, role: str | None = None) -> dict[str, str]:
    """The console's actions that apply to this case but must wait for another step first:
    action → what to do first, so that the page can say why it does not offer them."""
    context = flow.Context(None, datetime.max, None, None)
    found = {}
    for code in _offered(role):
        action = flow.BY_CODE[code]
        if facts.state not in action.sources:
            continue
        try:
            action.check(facts, {}, context)
        except flow.IllegalAction:
            continue  # does not apply to this case at all
        try:
            action.needs(facts, {}, context)
        except flow.IllegalAction as exc:
            found[code] = exc.message
    return found


def allowed(facts: flow.Facts, role: str | None = None) -> list[str]:
    """The console's actions a page may offer for this case (the same rules apply, so this is only
    a hint); with ``role``, only those that role may take."""
    context = flow.Context(None, datetime.max, None, None)
    found = []
    for code in _offered(role):
        try:
            flow.guard(flow.BY_CODE[code], facts, {}, context)
        except flow.IllegalAction:
            continue
        found.append(code)
    return found
