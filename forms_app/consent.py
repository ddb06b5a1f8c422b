"""Which consent text a resident agreed to (PIPL art. 14: consent to what was shown): a short id
of the exact words on the form, stored with the booking or case beside the time of consent. A
change of wording, or of the retention period the text names, is a new version by itself."""
from __future__ import annotations

from hashlib import sha256


def version(*texts: str) -> str:
    """"v-" and 12 hex digits of SHA-256 over the texts shown, in order."""
    return "v-" + sha256("\n".join(texts).encode("utf-8")).hexdigest()[:12]
