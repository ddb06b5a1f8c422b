"""The webhook's signature, as receivers check it (docs/notifications.md):

    X-Board-Timestamp: <Unix seconds>
    X-Board-Signature: sha256=<hex of HMAC-SHA256(secret, timestamp + "." + raw body)>

A receiver refuses a body whose signature does not match, and one whose timestamp is more than
REPLAY_WINDOW seconds from its own clock (a replayed request)."""
from __future__ import annotations

import hashlib
import hmac

REPLAY_WINDOW = 300  # seconds
TIMESTAMP_HEADER = "X-Board-Timestamp"
SIGNATURE_HEADER = "X-Board-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(secret: str, timestamp: str | None, given: str | None, body: bytes, now: float,
           window: int = REPLAY_WINDOW) -> bool:
    """The check a receiver runs: the signature matches this body and the time is recent."""
    if not timestamp or not given or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > window:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body).encode("ascii"), given.encode("ascii", "replace"))
