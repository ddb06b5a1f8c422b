"""Chinese phone numbers: normalise what clerks and residents type, then validate.

Accepted after normalisation (full-width digits, spaces, brackets and +86 removed):
mobile ``1[3-9]`` + 9 digits, landline ``0AA(A)-NNNNNNN(N)`` with an optional extension,
400/800 service numbers and short hotlines such as 110 and 12345.
"""
from __future__ import annotations

import re
import unicodedata

MOBILE = re.compile(r"^1[3-9]\d{9}$")
SHORT = re.compile(r"^(1\d{2}|1\d{4}|9\d{4})$")
SERVICE = re.compile(r"^[48]00\d{7}$")
EXT_MARKER = re.compile(r"(转|分机|ext\.?|x|#)", re.I)


class PhoneError(ValueError):
    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en
        super().__init__(en)


def _clean(raw: object) -> str:
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    text = re.sub(r"[\s()（）]", "", text)
    text = text.replace("—", "-").replace("–", "-")
    country = re.match(r"^(\+86|0086)-?", text)
    if country:
        text = text[country.end():]
        # +86 755 1234 5678: the international form drops the trunk 0 of the area code
        if re.match(r"[2-9]|10", text) and not re.match(r"[48]00", text):
            text = "0" + text
    return text


def _split_landline(digits: str) -> tuple[str, str] | None:
    """Area codes: 010 and 02X have three digits, the rest four."""
    if not digits.startswith("0") or len(digits) < 2:
        return None
    area_len = 3 if digits[1] in "12" else 4
    area, local = digits[:area_len], digits[area_len:]
    if len(local) in (7, 8) and local[0] != "0":
        return area, local
    return None


def _landline(main: str) -> tuple[str, str, str] | None:
    """Split "0755-1234-5678-801" style input into area code, local number, extension."""
    groups = [g for g in main.split("-") if g]
    if not groups or not all(g.isdigit() for g in groups):
        return None
    candidates = [("".join(groups), "")]
    if len(groups) >= 3 and len(groups[-1]) <= 6:
        candidates.append(("".join(groups[:-1]), groups[-1]))
    for digits, ext in candidates:
        parts = _split_landline(digits)
        if parts:
            return parts[0], parts[1], ext
    return None


def normalise_phone(raw: object) -> str:
    """Return the canonical form or raise PhoneError with a bilingual reason.

    Canonical forms: ``13812345678``, ``0755-12345678``, ``0755-12345678-801`` (extension),
    ``4001234567``, ``110``.
    """
    if raw is None or str(raw).strip() == "":
        raise PhoneError("电话号码为空", "the phone number is empty")
    text = _clean(raw)
    main, ext = text, ""
    marker = EXT_MARKER.search(text)
    if marker:
        main, ext = text[: marker.start()].rstrip("-"), text[marker.end():].lstrip("-")
        if not ext.isdigit() or len(ext) > 6:
            raise PhoneError(f"“{raw}”的分机号无效", f'"{raw}" has an invalid extension')
    digits = main.replace("-", "")
    if not ext:
        if MOBILE.match(digits) or SERVICE.match(digits):
            return digits
        international = re.match(r"\s*(\+86|0086)", unicodedata.normalize("NFKC", str(raw)))
        if SHORT.match(digits) and main == digits and not international:
            return digits
    found = _landline(main)
    if found:
        area, local, own_ext = found
        if ext and own_ext:
            found = None
        else:
            ext = ext or own_ext
            return f"{area}-{local}" + (f"-{ext}" if ext else "")
    if re.fullmatch(r"1\d{10}", digits):
        raise PhoneError(f"“{raw}”不是有效的手机号（第二位应为 3–9）",
                         f'"{raw}" is not a valid mobile number (the second digit must be 3-9)')
    if digits.isdigit() and digits.startswith("1") and len(digits) != 11 and len(digits) > 5:
        raise PhoneError(f"“{raw}”位数不对：手机号应为 11 位（现为 {len(digits)} 位）",
                         f'"{raw}" has {len(digits)} digits; a mobile number has 11')
    if digits.isdigit() and digits.startswith("0"):
        raise PhoneError(f"“{raw}”不是有效的座机号：区号后应为 7 或 8 位号码",
                         f'"{raw}" is not a valid landline: 7 or 8 digits must follow the area code')
    raise PhoneError(f"“{raw}”不是有效的电话号码", f'"{raw}" is not a valid phone number')


def phone_hint() -> tuple[str, str]:
    return (
        "手机写 11 位，如 13812345678；座机带区号，如 0755-12345678 或 0755-12345678-801（分机）；热线如 110、12345",
        "mobile: 11 digits such as 13812345678; landline with area code such as 0755-12345678 "
        "or 0755-12345678-801 (extension); hotlines such as 110 or 12345",
    )


def tel_uri(phone: str) -> str:
    """A tel: link a phone can dial from inside China; an extension becomes a pause."""
    parts = phone.split("-")
    if len(parts) == 3:
        return f"tel:{parts[0]}{parts[1]},{parts[2]}"
    return "tel:" + phone.replace("-", "")


def display_phone(phone: str) -> str:
    parts = phone.split("-")
    if len(parts) == 3:
        return f"{parts[0]}-{parts[1]} 转 {parts[2]}"
    if MOBILE.match(phone):
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    return phone


def mask_phone(phone: str) -> str:
    """138****5678 for lists in staff screens (PIPL: reveal only on purpose)."""
    parts = phone.split("-")
    digits = "".join(parts[:2]) if len(parts) == 3 else phone.replace("-", "")  # the extension is not the number
    if len(digits) < 7:
        return phone
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
