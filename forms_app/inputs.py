"""What a resident types, made usable: the checks and clean-ups that every form shares."""
from __future__ import annotations

import hmac
import secrets
import unicodedata

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS, _Auto as _AUTO
from werkzeug.datastructures import CombinedMultiDict
from wtforms import TextAreaField
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


# Characters a resident never means to type and that break what we write (PostgreSQL refuses NUL,
# openpyxl refuses C0 controls, .ics lines split on CR/LF, bidi overrides disguise a name on screen).
_BIDI_CONTROLS = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))
# Browsers send a textarea's line breaks as CR LF; tab is pasted from spreadsheets.
_MULTI_LINE_ALLOWED = frozenset("\n\r\t")


def _hostile(char: str, multi_line: bool) -> bool:
    code = ord(char)
    if multi_line and char in _MULTI_LINE_ALLOWED:
        return False
    return code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in _BIDI_CONTROLS


def hostile_character(value: str, *, multi_line: bool) -> bool:
    """Whether ``value`` holds a C0/C1 control, DEL, a lone surrogate or a bidi override/isolate
    (line breaks and tab pass where the text is ``multi_line``)."""
    return any(_hostile(char, multi_line) for char in value)


def without_hostile(value, *, multi_line: bool = True):
    """``value`` with what ``hostile_character`` names taken out: for what we write from rows
    stored before the forms refused such characters (an export, a calendar file), which must
    come out whole whatever the database holds. Anything but a string is returned as it is."""
    if not isinstance(value, str) or not hostile_character(value, multi_line=multi_line):
        return value
    return "".join(char for char in value if not _hostile(char, multi_line))


def plain_text(_form, field) -> None:
    """Refuses what ``hostile_character`` names; a TextAreaField is multi-line, any other field is not."""
    value = field.data
    if isinstance(value, str) and hostile_character(value, multi_line=isinstance(field, TextAreaField)):
        raise ValidationError("含有无法识别的字符（如控制字符），请删掉后再试")


def lookup_key(value) -> str | None:
    """A number or token from a URL, query or body as it may be looked up, or None when no row can
    have it: ours are ASCII without controls, and PostgreSQL refuses NUL in a query."""
    if not isinstance(value, str) or not value.isascii() or hostile_character(value, multi_line=False):
        return None
    return value


def same_secret(given, expected: str) -> bool:
    """Constant-time comparison that answers False (not TypeError) for a non-ASCII or non-str guess."""
    key = lookup_key(given)
    return key is not None and hmac.compare_digest(key.encode("ascii"), expected.encode("utf-8"))


class PlainTextForm(FlaskForm):
    """A form whose every text field is checked by ``plain_text``, so no field can forget it; and
    which reads only what a browser's form sends. Flask-WTF would read a JSON body too, and turn
    ``[true]`` or ``{"a": 1}`` into a TypeError (a 500): a page's form posted as JSON is simply
    empty here, so it is re-shown with its errors. (The API passes its JSON to its forms itself.)"""

    class Meta:
        def wrap_formdata(self, form, formdata):
            if formdata is _AUTO and request.method in SUBMIT_METHODS and not request.is_json:
                return CombinedMultiDict((request.files, request.form)) if request.files else request.form
            return None if formdata is _AUTO else formdata

    def validate(self, extra_validators=None):
        extra = {name: [plain_text, *(extra_validators or {}).get(name, ())] for name in self._fields}
        return super().validate(extra_validators=extra)


def mobile_phone(_form, field) -> None:
    """Accepts full-width digits, spaces and +86; stores 13812345678."""
    try:
        number = normalise_phone(field.data or "")
    except PhoneError as exc:
        raise ValidationError(exc.zh) from None
    if not MOBILE.match(number):
        raise ValidationError("请填 11 位手机号，方便工作人员联系您")
    field.data = number
