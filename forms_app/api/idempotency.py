"""``Idempotency-Key`` on the API's POSTs (IETF draft-ietf-httpapi-idempotency-key-header): a client
that did not hear the answer to a booking or a complaint sends the same request again with the
same key, and gets the first answer again instead of a second booking or case.

- The first request with a key claims it by inserting a row (unique per route and key) on a
  connection of its own, so a second request with the key sees the claim at once.
- The same key with the same body, once answered: the stored answer, with ``Idempotent-Replayed: true``.
- While the first is still being handled: 409 with Retry-After. With another body: 422.
- Only a 2xx answer is kept; after a 4xx or 5xx the key is free again, so that a client can
  correct its request and send it with the same key.
- Keys are kept for a day (``KEPT``) and then removed by ``purge-expired``.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import wraps
from hashlib import sha256

from flask import jsonify, make_response, request
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .. import clock
from ..db.transactions import caller_transaction_open, own_connection
from ..extensions import db
from ..models import IdempotentRequest

HEADER = "Idempotency-Key"
KEPT = timedelta(hours=24)
# A first request that has not answered after this has died with its worker: the key may be used again.
ABANDONED = timedelta(seconds=60)
KEY_MAX = 255

_keys = IdempotentRequest.__table__
CLAIM = {dialect.dialect.name: dialect.insert(_keys).on_conflict_do_nothing(
    index_elements=[_keys.c.scope, _keys.c.key]).returning(_keys.c.id) for dialect in (postgresql, sqlite)}


def idempotent(view):
    """The view, answered once per ``Idempotency-Key`` (the header is optional)."""
    @wraps(view)
    def answer_once(*args, **kwargs):
        raw = request.headers.get(HEADER)
        if raw is None:
            return view(*args, **kwargs)
        key = _parse(raw)
        if key is None:
            return jsonify({"error": "invalid idempotency key",
                            "message": f"{HEADER} must be 1 to {KEY_MAX} visible ASCII characters"}), 400
        scope = f"{request.method} {request.url_rule.rule}"[:64]
        fingerprint = sha256(request.get_data()).hexdigest()
        earlier = _claim(scope, key, fingerprint)
        if earlier is not None:
            return earlier
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            _release(scope, key)
            raise
        if 200 <= response.status_code < 300:
            _keep(scope, key, response)
        else:
            _release(scope, key)
        return response
    return answer_once


def _parse(raw: str) -> str | None:
    """The key as sent: a bare token or a Structured Field string ("…")."""
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not 1 <= len(key) <= KEY_MAX or not all("!" <= c <= "~" for c in key):
        return None
    return key


def _claim(scope: str, key: str, fingerprint: str):
    """None: this request holds the key now and goes ahead; else the answer to give instead."""
    now = clock.naive(clock.now())
    row = {"scope": scope, "key": key, "fingerprint": fingerprint, "status": None, "body": None, "location": None,
           "created_at": now}
    with _settled() as connection:
        if connection.execute(CLAIM[connection.dialect.name], row).first() is not None:
            return None
        found = connection.execute(select(_keys).where(_keys.c.scope == scope, _keys.c.key == key)).one_or_none()
        if found is None:  # released between the two statements: try once more
            return None if connection.execute(CLAIM[connection.dialect.name], row).first() is not None else _busy()
        stale = now - (KEPT if found.status is not None else ABANDONED)
        if found.created_at < stale:  # expired, or its first request died: take the key over
            taken = connection.execute(update(_keys).where(_keys.c.id == found.id,
                                                           _keys.c.created_at == found.created_at).values(**row))
            return None if taken.rowcount == 1 else _busy()
    if found.fingerprint != fingerprint:
        return jsonify({"error": "idempotency key reused",
                        "fields": {HEADER: ["already used for a different request body"]}}), 422
    if found.status is None:
        return _busy()
    replay = make_response(found.body or "", found.status)
    replay.mimetype = "application/json"
    replay.headers["Idempotent-Replayed"] = "true"
    if found.location:
        replay.headers["Location"] = found.location
    return replay


def _busy():
    answer = jsonify({"error": "request in progress",
                      "message": f"a request with this {HEADER} is still being handled; try again in a moment"})
    return answer, 409, {"Retry-After": "1"}


def _settled():
    """A connection of its own for the key's row. Whatever the request's session still holds is
    rolled back first, as the end of the request would: its writes were committed by the view,
    and on SQLite an open transaction would hold the write lock this connection waits for."""
    if caller_transaction_open():
        db.session.rollback()
    return own_connection(db.engine)


def _keep(scope: str, key: str, response) -> None:
    with _settled() as connection:
        connection.execute(update(_keys).where(_keys.c.scope == scope, _keys.c.key == key).values(
            status=response.status_code, body=response.get_data(as_text=True),
            location=(response.headers.get("Location") or "")[:200] or None))


def _release(scope: str, key: str) -> None:
    with _settled() as connection:
        connection.execute(delete(_keys).where(_keys.c.scope == scope, _keys.c.key == key, _keys.c.status.is_(None)))


def purge_expired(now: datetime | None = None) -> int:
    """Forget keys older than KEPT, with the answers they hold (the caller commits)."""
    cutoff = clock.naive(now or clock.now()) - KEPT
    return db.session.execute(delete(IdempotentRequest).where(IdempotentRequest.created_at < cutoff)).rowcount
