"""What a resident sees of a case, built from the ledger (台账) and shared by the pages and the
JSON API: the state of each step, its date, the department, the reasons for a rejection or a
deadline extension — never a staff member's name or phone, nor internal handling notes."""
from __future__ import annotations

from datetime import datetime

from roster import Roster

from ..clock import aware
from ..models import Case
from .deadlines import expected_response
from .flow import OPEN, RESIDENT_STATES, resident_words
from .ledger import step
from .words import day_words


def expected_words(roster: Roster, case: Case, now: datetime | None = None) -> str | None:
    due = expected_response(roster, case)
    return f"{day_words(due, now)}前" if due else None


def timeline(case: Case) -> list[dict]:
    """[{at, action, state, text}] from the ledger, oldest first; no actor, no internal note."""
    steps = []
    for entry in case.ledger:
        found = step(entry, case.department)
        text = resident_words(entry.action, found)
        if text is None:
            continue
        state = found.after.get("state") if found.after.get("state") in RESIDENT_STATES else None
        steps.append({"at": aware(entry.at), "action": entry.action, "state": state, "text": text})
    return steps


def public_view(roster: Roster, case: Case) -> dict:
    """Everything a resident (page or API) may see about their case."""
    station = roster.station(case.station_id) if roster.has_station(case.station_id) else None
    categories = {c.code: c.name for c in roster.settings.categories}
    return {
        "number": case.number, "state": case.state, "state_name": RESIDENT_STATES.get(case.state, case.state),
        "station": case.station_id, "station_name": station.name if station else case.station_id,
        "category": case.category, "category_name": categories.get(case.category, case.category),
        "department": case.department, "registered_at": aware(case.created_at),
        "expected_response": expected_response(roster, case),
        "due": aware(case.due_at) if case.due_at and case.state in OPEN else None,
        "extension_reason": case.extension_reason, "satisfaction": case.satisfaction,
        "timeline": timeline(case),
    }
