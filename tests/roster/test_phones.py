"""Chinese phone numbers: what clerks type → one canonical form, or a bilingual reason."""
from __future__ import annotations

import pytest

from roster.phones import PhoneError, display_phone, mask_phone, normalise_phone, tel_uri


@pytest.mark.parametrize(("raw", "canonical"), [
    # mobiles, however they are typed
    ("13812345678", "13812345678"),
    (13812345678, "13812345678"),                 # a number typed bare in YAML
    ("１３８１２３４５６７８", "13812345678"),          # full-width digits (Chinese IME)
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("  13812345678  ", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("+86-13812345678", "13812345678"),
    ("＋８６ １３８１２３４５６７８", "13812345678"),     # full-width plus and digits
    ("008613812345678", "13812345678"),
    ("0086 199 1234 5678", "19912345678"),
    ("(+86) 13812345678", "13812345678"),
    # landlines: 3-digit area codes (010, 02X) and 4-digit ones, 7- or 8-digit numbers
    ("010-12345678", "010-12345678"),
    ("01012345678", "010-12345678"),
    ("021 6123 4567", "021-61234567"),
    ("021-6123456", "021-6123456"),
    ("0755-12345678", "0755-12345678"),
    ("075512345678", "0755-12345678"),
    ("0731-2881001", "0731-2881001"),
    ("(0755)12345678", "0755-12345678"),
    ("（0755）1234-5678", "0755-12345678"),       # full-width brackets, dash inside the number
    ("0755—12345678", "0755-12345678"),           # em dash
    ("0755–12345678", "0755-12345678"),           # en dash
    ("０７５５－１２３４５６７８", "0755-12345678"),      # full-width hyphen-minus
    ("+86 0755 12345678", "0755-12345678"),
    ("+86 755 1234 5678", "0755-12345678"),       # international form: no trunk 0
    ("+86-10-12345678", "010-12345678"),
    ("0086 21 61234567", "021-61234567"),
    ("+86 411 1234 5678 转 8", "0411-12345678-8"),
    ("+86 400 123 4567", "4001234567"),
    # extensions: 转 / 分机 / ext / x / # / a trailing -group
    ("0755-12345678转801", "0755-12345678-801"),
    ("0755-12345678 转 801", "0755-12345678-801"),
    ("0755-12345678-转801", "0755-12345678-801"),
    ("0755 1234 5678 分机 801", "0755-12345678-801"),
    ("0755-12345678 ext. 12", "0755-12345678-12"),
    ("0755-12345678x12", "0755-12345678-12"),
    ("0755-12345678#12", "0755-12345678-12"),
    ("0755-12345678-801", "0755-12345678-801"),
    ("0755-1234-5678-801", "0755-12345678-801"),
    ("010-12345678-123456", "010-12345678-123456"),
    # 400/800 service numbers
    ("4001234567", "4001234567"),
    ("400-123-4567", "4001234567"),
    ("400 123 4567", "4001234567"),
    ("800-123-4567", "8001234567"),
    # short hotlines
    ("110", "110"),
    ("120", "120"),
    ("12345", "12345"),
    ("12348", "12348"),
    ("12309", "12309"),
    ("95588", "95588"),
    (110, "110"),
])
def test_valid_numbers_normalise(raw, canonical):
    assert normalise_phone(raw) == canonical


def test_normalising_is_idempotent():
    for canonical in ("13812345678", "010-12345678", "0755-12345678-801", "4001234567", "12345"):
        assert normalise_phone(canonical) == canonical


@pytest.mark.parametrize(("raw", "zh", "en"), [
    ("12812345678", "“12812345678”不是有效的手机号（第二位应为 3–9）",
     '"12812345678" is not a valid mobile number (the second digit must be 3-9)'),
    ("10012345678", "“10012345678”不是有效的手机号（第二位应为 3–9）",
     '"10012345678" is not a valid mobile number (the second digit must be 3-9)'),
    ("1381234567", "“1381234567”位数不对：手机号应为 11 位（现为 10 位）",
     '"1381234567" has 10 digits; a mobile number has 11'),
    ("138123456789", "“138123456789”位数不对：手机号应为 11 位（现为 12 位）",
     '"138123456789" has 12 digits; a mobile number has 11'),
    ("138 1234 567", "“138 1234 567”位数不对：手机号应为 11 位（现为 10 位）",
     '"138 1234 567" has 10 digits; a mobile number has 11'),
    ("0755-123456", "“0755-123456”不是有效的座机号：区号后应为 7 或 8 位号码",
     '"0755-123456" is not a valid landline: 7 or 8 digits must follow the area code'),
    ("010-123456789", "“010-123456789”不是有效的座机号：区号后应为 7 或 8 位号码",
     '"010-123456789" is not a valid landline: 7 or 8 digits must follow the area code'),
    ("010-01234567", "“010-01234567”不是有效的座机号：区号后应为 7 或 8 位号码",
     '"010-01234567" is not a valid landline: 7 or 8 digits must follow the area code'),
    ("0731-2882", "“0731-2882”不是有效的座机号：区号后应为 7 或 8 位号码",
     '"0731-2882" is not a valid landline: 7 or 8 digits must follow the area code'),
    ("0755-12345678转", "“0755-12345678转”的分机号无效", '"0755-12345678转" has an invalid extension'),
    ("0755-12345678转abc", "“0755-12345678转abc”的分机号无效", '"0755-12345678转abc" has an invalid extension'),
    ("0755-12345678转1234567", "“0755-12345678转1234567”的分机号无效",
     '"0755-12345678转1234567" has an invalid extension'),
    ("办公室电话", "“办公室电话”不是有效的电话号码", '"办公室电话" is not a valid phone number'),
    ("1234", "“1234”不是有效的电话号码", '"1234" is not a valid phone number'),
    ("11", "“11”不是有效的电话号码", '"11" is not a valid phone number'),
    ("", "电话号码为空", "the phone number is empty"),
    ("   ", "电话号码为空", "the phone number is empty"),
    (None, "电话号码为空", "the phone number is empty"),
])
def test_invalid_numbers_say_why_in_both_languages(raw, zh, en):
    with pytest.raises(PhoneError) as caught:
        normalise_phone(raw)
    assert caught.value.zh == zh
    assert caught.value.en == en
    assert str(caught.value) == en


def test_phone_error_is_a_value_error():
    with pytest.raises(ValueError):
        normalise_phone("abc")


@pytest.mark.parametrize("raw", [
    "4001234",           # a 400 number is 10 digits
    "13812345678转801",   # mobiles have no extension
    "+86",
    "-",
    "0755-12345678-801-9",
    "0755-12345678转801-9",
    "0755-12345678-801转9",  # two extensions
])
def test_other_garbage_is_rejected(raw):
    with pytest.raises(PhoneError):
        normalise_phone(raw)


@pytest.mark.parametrize(("phone", "uri"), [
    ("13812345678", "tel:13812345678"),
    ("0755-12345678", "tel:075512345678"),
    ("010-12345678", "tel:01012345678"),
    ("0755-12345678-801", "tel:075512345678,801"),   # the extension after a pause
    ("4001234567", "tel:4001234567"),
    ("110", "tel:110"),
])
def test_tel_uri(phone, uri):
    assert tel_uri(phone) == uri


@pytest.mark.parametrize(("phone", "shown"), [
    ("13812345678", "138 1234 5678"),
    ("0755-12345678", "0755-12345678"),
    ("0755-12345678-801", "0755-12345678 转 801"),
    ("4001234567", "4001234567"),
    ("12345", "12345"),
])
def test_display_phone(phone, shown):
    assert display_phone(phone) == shown


@pytest.mark.parametrize(("phone", "masked"), [
    ("13812345678", "138****5678"),
    ("0755-12345678", "075*****5678"),
    ("010-1234567", "010***4567"),
    ("4001234567", "400***4567"),
    ("12345", "12345"),        # too short to hide anything
    ("110", "110"),
])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_keeps_length_and_hides_the_middle():
    masked = mask_phone("13912345678")
    assert len(masked) == 11
    assert masked.startswith("139") and masked.endswith("5678")
    assert "1234" not in masked[3:7] and set(masked[3:7]) == {"*"}


def test_round_trip_of_every_form_through_the_helpers():
    phone = normalise_phone("（0731）2881-3101 转 806")
    assert phone == "0731-28813101-806"
    assert tel_uri(phone) == "tel:073128813101,806"
    assert display_phone(phone) == "0731-28813101 转 806"
