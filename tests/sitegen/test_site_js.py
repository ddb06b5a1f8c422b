"""The browser scripts, run in Node: search by name and pinyin, on-duty-today in Beijing time."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.helpers import ROOT

SCRIPT = ROOT / "site_src/assets/javascripts/board.js"


def node(code: str) -> object:
    binary = shutil.which("node")
    if not binary:
        if os.environ.get("CI") == "true":
            pytest.fail("Node.js is needed for the script tests in CI")
        pytest.skip("Node.js not installed: the browser-script tests need it")
    program = f"const board = require({json.dumps(str(SCRIPT))});\nconsole.log(JSON.stringify((() => {{ {code} }})()));"
    result = subprocess.run([binary, "-e", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def index():
    from roster import load_roster
    from sitegen.opendata import search_index

    return search_index(load_roster(ROOT / "tests/fixtures/small"))


@pytest.mark.parametrize("query, expected", [
    ("文化路", "文化路社区"),
    ("wenhua", "文化路社区"),
    ("WenHua", "文化路社区"),
    ("whl", "文化路社区"),
    ("周明辉", "周明辉"),
    ("zhouminghui", "周明辉"),
    ("zhou minghui", "周明辉"),
    ("书院", "书院社区"),
])
def test_search_finds_by_name_and_pinyin(index, query, expected):
    found = node(f"return board.search({index}, {json.dumps(query)}, 10);")
    assert found, query
    assert found[0]["name"] == expected
    assert found[0]["path"].endswith("/")


def test_search_for_nonsense_finds_nothing(index):
    assert node(f"return board.search({index}, 'xyzxyz', 10);") == []
    assert node(f"return board.search({index}, '   ', 10);") == []


def test_beijing_time_whatever_the_clock_zone():
    # 2026-11-23T01:30Z is 09:30 in Beijing.
    now = node("return board.beijingNow(new Date(Date.UTC(2026, 10, 23, 1, 30)));")
    assert now == {"day": "2026-11-23", "time": "09:30"}


def test_on_duty_today_and_now():
    data = {"from": "2026-11-22", "to": "2027-01-22", "people": [["陈浩", "警官"], ["宋佳怡", "律师"]],
            "days": {"2026-11-23": [[0, "08:30", "12:00", "坐班", "警务室"], [1, "14:00", "17:00", "轮班", ""]]}}
    today = node(f"return board.dutyToday({json.dumps(data)}, {{day: '2026-11-23', time: '09:30'}});")
    assert [(e["name"], e["now"], e["ended"]) for e in today] == [("陈浩", True, False), ("宋佳怡", False, False)]
    # found by a resident at 15:00: the morning shift was listed as if it were still to come
    later = node(f"return board.dutyToday({json.dumps(data)}, {{day: '2026-11-23', time: '15:00'}});")
    assert [(e["name"], e["now"], e["ended"]) for e in later] == [("陈浩", False, True), ("宋佳怡", True, False)]
    assert node(f"return board.dutyToday({json.dumps(data)}, {{day: '2026-11-23', time: '12:00'}});")[0]["ended"]
    assert node(f"return board.dutyToday({json.dumps(data)}, {{day: '2026-11-24', time: '09:30'}});") == []
    # Past the embedded range the page says the data is stale instead of showing nothing.
    assert node(f"return board.dutyToday({json.dumps(data)}, {{day: '2027-02-01', time: '09:30'}});") is None
