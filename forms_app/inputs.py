"""What a resident types, made usable: the checks and clean-ups that every form shares."""
from __future__ import annotations

import secrets
import unicodedata

from wtforms.validators import ValidationError

from roster.phones import MOBILE, PhoneError, normalise_phone


# Booking and case numbers are read out over the phone and typed back: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
NUMBER_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"


def random_code(length: int) -> str:
    """``length`` characters of NUMBER_ALPHABET, from the system's secure random source."""
    return "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(length))


def nfkc(value):
    """Full-width digits and letters (common with Chinese keyboards) as plain ones."""
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else value


def normalise_number(value: str | None) -> str:
    """A case number as typed (２６１１ ７kqx, 26117KQX) as it is stored: 2611-7KQX."""
    text = "".join(nfkc(value or "").split()).upper()
    if len(text) == 8 and "-" not in text:
        text = f"{text[:4]}-{text[4:]}"
    return text


def plain_text(_form, field) -> None:
    """No NUL or unpaired surrogates: neither can be stored (PostgreSQL refuses NUL in text)."""
    value = field.data
    if isinstance(value, str) and ("\x00" in value or _unencodable(value)):
        raise ValidationError("含有无法识别的字符，请删掉后再试")


def _unencodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def mobile_phone(_form, field) -> None:
    """Accepts full-width digits, spaces and +86; stores 13812345678."""
    try:
        number = normalise_phone(field.data or "")
    except PhoneError as exc:
        raise ValidationError(exc.zh) from None
    if not MOBILE.match(number):
        raise ValidationError("请填 11 位手机号，方便工作人员联系您")
    field.data = number
