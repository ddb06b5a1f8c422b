"""The webhook's signature, as receivers check it (docs/notifications.md):

    X-Board-Timestamp: <Unix seconds>
    X-Board-Signature: sha256=<hex of HMAC-SHA256(secret, timestamp + "." + raw body)>

A receiver refuses a body whose signature does not match, and one whose timestamp is more than
REPLAY_WINDOW seconds from its own clock (a replayed request).

The secret is NOTIFY_WEBHOOK_SECRET for the global webhook (NOTIFY_WEBHOOK_URL), which is the
street office's own gateway. A recipient's own webhook (a department's, an officer's) gets a
secret of its own, derived from that one and its URL (``secret_for``; `flask --app forms_app
webhook-secret URL` prints it for its owner): a receiver that checks its messages cannot sign
messages for the gateway, or for another receiver."""
from __future__ import annotations

import hashlib
import hmac
import re

REPLAY_WINDOW = 300  # seconds
TIMESTAMP_HEADER = "X-Board-Timestamp"
SIGNATURE_HEADER = "X-Board-Signature"


def secret_for(secret: str, target: str) -> str:
    """The secret of a recipient's own webhook at ``target`` ("" is the global webhook's own)."""
    if not target:
        return secret
    return hmac.new(secret.encode("utf-8"), b"webhook:" + target.encode("utf-8"), hashlib.sha256).hexdigest()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(secret: str, timestamp: str | None, given: str | None, body: bytes, now: float,
           window: int = REPLAY_WINDOW) -> bool:
    """The check a receiver runs: the signature matches this body and the time is recent."""
    if not isinstance(timestamp, str) or not isinstance(given, str) or not re.fullmatch(r"[0-9]{1,12}", timestamp):
        return False  # also "²", which str.isdigit takes and int() does not
    if abs(now - int(timestamp)) > window:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body).encode("ascii"), given.encode("ascii", "replace"))
