"""Messages for the mistakes a clerk with a Chinese input method actually makes."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import roster
from tests.helpers import SMALL_ROSTER

SMALL = SMALL_ROSTER
TODAY = date(2026, 11, 22)


def broken(tmp_path: Path, file: str, old: str, new: str):
    for name in ("officers.yaml", "roster.yaml"):
        (tmp_path / name).write_text((SMALL / name).read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return roster.load(tmp_path, today=TODAY)


@pytest.mark.parametrize("old, new, line, column, mark", [
    ("    title: 员额法官", "    title：员额法官", 8, 10, "："),
    ("    role: judge\n", "　　role: judge\n", 6, 1, "　"),
])
def test_full_width_punctuation_breaking_yaml_is_named(tmp_path, old, new, line, column, mark):
    result = broken(tmp_path, "officers.yaml", old, new)
    first = result.errors[0]
    assert (first.line, first.column) == (line, column)
    assert f"“{mark}”" in first.zh and "英文标点" in first.hint_zh


def test_full_width_comma_inside_a_list_is_named_in_the_hint(tmp_path):
    result = broken(tmp_path, "roster.yaml", "freq: weekly\n        byday: [MO, TU, WE, TH, FR]",
                    "freq: weekly\n        byday: [MO，TU, WE, TH, FR]")
    first = result.errors[0]
    assert first.code == "byday_format"
    assert first.hint_zh.startswith("这里用了中文标点“，”")


def test_time_in_chinese_quotes_is_accepted(tmp_path):
    result = broken(tmp_path, "roster.yaml", 'opens_at: "08:30"', "opens_at: “08:30”")
    assert result.ok, [d.format() for d in result.errors]


def test_duty_system_written_in_chinese_gets_its_code(tmp_path):
    result = broken(tmp_path, "roster.yaml", "system: resident", "system: 坐班")
    first = result.errors[0]
    assert first.zh == "“坐班”要写成英文代码“resident”"
    assert "resident（坐班）、rotation（轮班）、visiting（驻点）、reception（接访）" in first.hint_zh


def test_swapped_coordinates_are_suggested(tmp_path):
    result = broken(tmp_path, "roster.yaml", "location: {lat: 28.2104, lon: 112.9851}",
                    "location: {lat: 112.9851, lon: 28.2104}")
    first = result.errors[0]
    assert (first.line, first.column) == (30, 21)
    assert "写反" in first.hint_zh


def test_an_emergency_number_is_not_an_office_phone(tmp_path):
    result = broken(tmp_path, "officers.yaml", "phone: 0731-28813101", "phone: 110")
    assert [(d.code, d.line) for d in result.errors] == [("hotline-as-office-phone", 9)]


def test_a_mobile_office_phone_is_a_warning(tmp_path):
    result = broken(tmp_path, "officers.yaml", "phone: 0731-28813101", "phone: 13912345678")
    assert result.ok
    assert [d.code for d in result.warnings] == ["mobile-as-office-phone"]


def test_duty_when_the_station_is_closed_is_a_warning(tmp_path):
    result = broken(tmp_path, "roster.yaml", "freq: weekly\n        byday: [MO, TU, WE, TH, FR]",
                    "freq: weekly\n        byday: [MO, TU, WE, TH, FR, SU]")
    assert result.ok
    assert [d.code for d in result.warnings] == ["outside-opening-hours"]
    assert "（周日）" in result.warnings[0].zh


def test_a_misspelt_station_does_not_also_report_its_roles_missing(tmp_path):
    # the lawyer's assignment to shuyuan names "shuyuna": one mistake, one message
    result = broken(tmp_path, "roster.yaml", "  - officer: song-jiayi\n    station: shuyuan\n",
                    "  - officer: song-jiayi\n    station: shuyuna\n")
    assert [d.code for d in result.errors] == ["unknown-reference"]
    assert any(s.check_zh == "“书院社区”有没有律师" for s in result.skipped)


def test_a_misspelt_officer_does_not_also_report_the_officer_without_a_station(tmp_path):
    result = broken(tmp_path, "roster.yaml", "  - officer: xie-ning\n", "  - officer: xie-nign\n")
    assert [d.code for d in result.diagnostics] == ["unknown-reference"]
    assert any(s.check_en == "whether xie-ning serves a station" for s in result.skipped)
