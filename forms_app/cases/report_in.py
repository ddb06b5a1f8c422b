"""A department's report-in (报到) link: one per dispatch, without a staff account.

A dispatch (吹哨) issues a link for that case and that dispatch. The token is 15 random
characters of the alphabet of case numbers, without look-alikes (inputs.NUMBER_ALPHABET, in lower
case): 69 bits, short enough that the link fits the dispatch SMS and can be read out over the phone
(case does not matter), and still beyond guessing at any rate a server answers, the more so within
a month's lifetime; only its SHA-256 is stored (ReportLink.token_hash), so the database alone opens no
link. The raw token exists once, when ``issue`` makes it inside the dispatch's own transaction
(service.act calls it). ``issue`` keeps it on the Case object it was given, for the rest of that
request: the notifier that writes the dispatch message to the outbox, in the same transaction,
calls ``link_for(case)`` for the full URL (built from FORMS_URL, like the officers' calendar
feeds). ``link_for`` answers None for a case object that was not just dispatched, because the
token cannot be worked out again: a lost link is replaced by dispatching again.

A link works while all of these hold (``find``, the one rule): it was not ended, its hard expiry
(``LIFETIME``) has not passed, the case is still open (a resolved or closed case ends its links
in the action's transaction, so a reopened case does not bring them back) and still on the very
dispatch it was issued for (a new dispatch ends the old link). The case owner (首问责任人) may end
it on the staff case page (``revoke``). Anything else, a wrong token included, is "no link",
which the page answers with a 404 that changes nothing.

What the department does through the link (arrive, a handling note, "处置完毕") goes through
service.act as ``actor(link)``: the flow's rules apply to it as to anyone, and the ledger names the
department.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from hashlib import sha256
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update

from ..clock import naive
from ..extensions import db
from ..inputs import lookup_key, random_code
from ..models import Case, LedgerEntry, ReportLink
from . import flow

# The case ends its links when it closes; this is the safeguard beyond that, past the longest
# time limits of a dispatch and its handling (3 + 10 working days, plus an extension).
LIFETIME = timedelta(days=30)
TOKEN_LENGTH = 15  # 25**15 ≈ 2**69.7
REVOKED, REDISPATCHED, CLOSED = "revoked", "redispatched", "closed"
_RAW = "_report_in_token"  # the attribute of the Case object that carries a token just issued


@dataclass(frozen=True)
class DepartmentActor:
    """The department as service.act's actor (the shape of service.Actor and of a Staff row)."""

    id: None
    display_name: str
    role: str = flow.DEPARTMENT


def _digest(token: str) -> str:
    return sha256(token.encode("ascii")).hexdigest()


def issue(case: Case, now: datetime) -> str:
    """A new link for the case's current dispatch (the caller commits); ends the links of any
    earlier dispatch. Returns the raw token, which is also kept on ``case`` for ``link_for``."""
    end(case, REDISPATCHED, now)
    token = random_code(TOKEN_LENGTH).lower()
    db.session.add(ReportLink(case_id=case.id, token_hash=_digest(token), department=case.department or "",
                              dispatched_at=case.dispatched_at, created_at=naive(now),
                              expires_at=naive(now + LIFETIME)))
    setattr(case, _RAW, token)
    return token


def link_for(case: Case) -> str | None:
    """The full report-in URL of the dispatch just made on this Case object, for the dispatch
    message; None when this request did not dispatch it."""
    token = getattr(case, _RAW, None)
    return url(token) if token else None


def url(token: str) -> str:
    public = urlsplit(current_app.config["FORMS_URL"])
    adapter = current_app.url_map.bind(public.netloc, script_name=public.path or "/", url_scheme=public.scheme)
    return adapter.build("report_in.page", {"report_token": token}, force_external=True)


def end(case: Case, why: str, now: datetime) -> None:
    """End every link of the case still working (the caller commits)."""
    db.session.execute(update(ReportLink).where(ReportLink.case_id == case.id, ReportLink.ended_at.is_(None))
                       .values(ended_at=naive(now), ended_why=why).execution_options(synchronize_session=False))


def find(token, now: datetime) -> tuple[ReportLink, Case] | None:
    """The link and its case, if the token opens one now; None for anything else."""
    key = lookup_key(token)
    if not key:
        return None
    key = key.strip().lower()  # read out over the phone and typed in again, in any case
    link = db.session.scalar(select(ReportLink).where(ReportLink.token_hash == _digest(key)))
    if link is None or not _works(link, now):
        return None
    case = db.session.get(Case, link.case_id)
    if case is None or case.state not in flow.OPEN or case.dispatched_at != link.dispatched_at:
        return None
    return link, case


def _works(link: ReportLink, now: datetime) -> bool:
    return link.ended_at is None and naive(now) < link.expires_at


def current(case: Case, now: datetime) -> ReportLink | None:
    """The link of the case's current dispatch, if it still works: what the staff page shows."""
    if case.state not in flow.OPEN or case.dispatched_at is None:
        return None
    link = db.session.scalar(select(ReportLink).where(
        ReportLink.case_id == case.id, ReportLink.dispatched_at == case.dispatched_at,
        ReportLink.ended_at.is_(None)).order_by(ReportLink.id.desc()).limit(1))
    return link if link is not None and _works(link, now) else None


def may_revoke(case: Case, staff) -> bool:
    """The case owner (首问责任人) answers for the case to the end, so the link is theirs to end."""
    return case.owner_id is not None and staff.id == case.owner_id


def revoke(case: Case, staff, now: datetime) -> bool:
    """End the current link, on the record (the caller commits); False if there was none to end."""
    link = current(case, now)
    if link is None:
        return False
    end(case, REVOKED, now)
    db.session.add(LedgerEntry(case_id=case.id, at=naive(now), actor_id=staff.id, actor=staff.display_name,
                               action="report_link_revoked", note=f"{link.department}的报到链接已失效"))
    return True


def actor(link: ReportLink) -> DepartmentActor:
    return DepartmentActor(None, (link.department or "承办部门")[:40])
