"""How a notification leaves the service: one small interface, ``deliver(notification)``, which
returns or raises DeliveryFailed with a reason that names no person.

- ``log``: prints the message on the sender's output (the default, and what `make demo` shows).
  Long tokens in links are shortened, so that no secret link reaches a log.
- ``email``: smtplib, settings from the environment (SMTP_HOST, SMTP_PORT, SMTP_USER,
  SMTP_PASSWORD, SMTP_FROM, SMTP_STARTTLS).
- ``webhook``: a JSON POST signed with HMAC-SHA256 (signing.py), to the notification's target or,
  for the global delivery, NOTIFY_WEBHOOK_URL; the secret is NOTIFY_WEBHOOK_SECRET. The body is
  the contract in docs/notifications.md."""
from __future__ import annotations

import json
import os
import re
import smtplib
import sys
import time
import urllib.error
import urllib.request
from email.message import EmailMessage

from ..clock import aware
from ..models import Notification
from ..staff.permissions import mask_name
from . import signing

TIMEOUT = 10  # seconds for one delivery; the sender's claim lasts much longer (sender.LEASE)
# a report-in link's token (short, to fit an SMS), and any other long random string
_TOKEN = re.compile(r"(?<=/r/)[A-Za-z0-9_-]{5,}|[A-Za-z0-9_-]{20,}")


class DeliveryFailed(Exception):
    """The channel did not take the message; ``str()`` is kept on the attempt (no personal data)."""


def shorten_tokens(text: str) -> str:
    return _TOKEN.sub(lambda found: found[0][:4] + "…", text)


def deliver_log(note: Notification) -> None:
    # a resident's name masked, as in the console's lists: this goes to a log (the texts hold no name or phone)
    name = mask_name(note.recipient_name) if note.recipient_kind == "resident" else note.recipient_name
    print(f"[通知 notification] {note.event} → {note.recipient_kind} {name}："
          f"{shorten_tokens(note.text)}", file=sys.stdout, flush=True)


def deliver_email(note: Notification) -> None:
    host = os.environ.get("SMTP_HOST")
    if not host:
        raise DeliveryFailed("SMTP_HOST is not set")
    if not note.target:
        raise DeliveryFailed("no e-mail address for this recipient")
    message = EmailMessage()
    message["From"] = os.environ.get("SMTP_FROM") or "board@localhost"
    message["To"] = note.target
    message["Subject"] = "三官一师公示栏：" + note.text.split("\n", 1)[0][:40]
    message["Message-ID"] = f"<{note.uid}@board>"  # the same on a retry: mail systems drop the duplicate
    message.set_content(note.text + (f"\n\n{note.detail}" if note.detail else ""))
    try:
        with smtplib.SMTP(host, int(os.environ.get("SMTP_PORT") or 25), timeout=TIMEOUT) as smtp:
            if (os.environ.get("SMTP_STARTTLS") or "").lower() in ("1", "true", "yes"):
                smtp.starttls()
            if os.environ.get("SMTP_USER"):
                smtp.login(os.environ["SMTP_USER"], os.environ.get("SMTP_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryFailed(f"SMTP: {type(exc).__name__}") from None


def webhook_body(note: Notification) -> bytes:
    """Exactly the documented contract; ``id`` is the same on every retry."""
    return json.dumps({
        "id": note.uid, "event": note.event,
        "recipient": {"kind": note.recipient_kind, "name": note.recipient_name, "address": note.recipient_address},
        "text": note.text, "case": note.case_number, "appointment": note.appointment_number,
        "created_at": aware(note.created_at).isoformat(timespec="seconds"),
        # beyond the contract, for a receiver that shows more than one SMS (WeChat, e-mail): may be null
        "detail": note.detail,
    }, ensure_ascii=False).encode("utf-8")


def deliver_webhook(note: Notification) -> None:
    url = note.target or os.environ.get("NOTIFY_WEBHOOK_URL") or ""
    secret = os.environ.get("NOTIFY_WEBHOOK_SECRET") or ""
    if not url.startswith(("http://", "https://")):
        raise DeliveryFailed("no webhook URL")
    if not secret:
        raise DeliveryFailed("NOTIFY_WEBHOOK_SECRET is not set")
    body = webhook_body(note)
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "sanguan-board",
        **signing.headers(signing.secret_for(secret, note.target or ""), int(time.time()), body)})
    try:
        with _NO_REDIRECTS.open(request, timeout=TIMEOUT) as answer:
            if not 200 <= answer.status < 300:
                raise DeliveryFailed(f"webhook answered {answer.status}")
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"webhook answered {exc.code}") from None
    except (OSError, ValueError) as exc:
        raise DeliveryFailed(f"webhook: {type(exc).__name__}") from None


class _Refuse(urllib.request.HTTPRedirectHandler):
    """A webhook's answer is its own: a redirect elsewhere (another host, a port on the loopback)
    is not followed but is a failed delivery, so a URL cannot send the sender where it points."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_NO_REDIRECTS = urllib.request.build_opener(_Refuse)


CHANNELS = {"log": deliver_log, "email": deliver_email, "webhook": deliver_webhook}


def deliver(note: Notification) -> None:
    channel = CHANNELS.get(note.channel)
    if channel is None:
        raise DeliveryFailed(f"unknown channel {note.channel}")
    channel(note)
