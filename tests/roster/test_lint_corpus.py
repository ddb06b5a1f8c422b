"""The linter on a corpus of broken rosters: exact file:line:column and exact messages.

Each folder under fixtures/bad/ is the small golden roster with one thing broken (or, for
"many-errors" and a few others, several things). ``expected.txt`` lists the first line of every
diagnostic the loader must report, with paths relative to the case folder, then every check it
had to skip ("未检查 not checked: …"); ``today.txt``, when present, is the day the check
pretends it is (default 2026-11-22).
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

import roster
from roster import RosterError
from tests.helpers import FIXTURES, ROOT

SMALL = FIXTURES / "small"
BAD = FIXTURES / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())
DEFAULT_TODAY = date(2026, 11, 22)

# Cases that must produce warnings only: the roster is usable.
USABLE = {"custom-roles-satisfied", "warning-next-month-empty", "warning-officer-without-station",
          "warning-photo-missing", "vacancy-declared", "replaced-within-a-year"}


def today_of(case: Path) -> date:
    marker = case / "today.txt"
    return date.fromisoformat(marker.read_text(encoding="utf-8").strip()) if marker.exists() else DEFAULT_TODAY


def expected_lines(case: Path) -> list[str]:
    return (case / "expected.txt").read_text(encoding="utf-8").splitlines()


def first_lines(result) -> list[str]:
    return [d.format().splitlines()[0] for d in result.diagnostics] + [s.format() for s in result.skipped]


def load_case(name: str, monkeypatch, today: date | None = None):
    case = BAD / name
    monkeypatch.chdir(case)
    return roster.load(".", today=today or today_of(case))


def test_the_corpus_has_every_required_case():
    required = {
        "yaml-bad-indentation", "yaml-less-indentation", "yaml-tab-indentation", "duplicate-key",
        "unknown-key-typo", "missing-required-field", "duplicate-officer-id", "duplicate-station-id",
        "id-with-space", "id-chinese", "unknown-officer-reference", "unknown-street",
        "unknown-station-in-exception", "invalid-phones", "invalid-time", "end-before-start",
        "valid-to-before-valid-from", "exception-to-before-from", "overlap-two-stations", "missing-role",
        "custom-roles-satisfied", "custom-roles-not-satisfied", "empty-file", "gbk-encoding",
        "top-level-list", "nested-list-for-mapping", "scalar-for-list", "missing-file",
        "weekly-without-byday", "monthly-without-day", "ordinal-byday-weekly", "interval-without-valid-from",
        "duty-table-outside-month", "warning-next-month-empty", "warning-officer-without-station",
        "warning-photo-missing", "many-errors", "repeated-entry", "lines-after-bad-entries",
        "missing-role-beside-other-errors", "vacancy-declared", "vacancy-overdue", "replaced-within-a-year",
        "yaml-tab-after-a-comment", "yaml-unclosed-bracket-before-a-comment", "yaml-indentation-after-a-comment",
        "yaml-unclosed-quote", "yaml-unclosed-bracket",
    }
    assert required <= set(CASES)
    for name in CASES:
        files = {p.name for p in (BAD / name).iterdir()}
        assert "expected.txt" in files, name
        assert files <= {"officers.yaml", "roster.yaml", "expected.txt", "today.txt"}, name
        if name != "missing-file":
            assert {"officers.yaml", "roster.yaml"} <= files, name


def test_the_small_fixture_is_clean():
    result = roster.load(SMALL, today=DEFAULT_TODAY)
    assert result.diagnostics == ()
    assert result.ok and result.roster is not None
    assert [s.id for s in result.roster.stations] == ["wenhua-lu", "shuyuan", "jiangwan"]


@pytest.mark.parametrize("name", CASES)
def test_case_reports_exactly_the_expected_lines(name, monkeypatch):
    result = load_case(name, monkeypatch)
    assert first_lines(result) == expected_lines(BAD / name)


@pytest.mark.parametrize("name", CASES)
def test_errors_withhold_the_roster_and_warnings_do_not(name, monkeypatch):
    result = load_case(name, monkeypatch)
    has_errors = any(": 错误 error: " in line for line in expected_lines(BAD / name))
    assert has_errors == (name not in USABLE)
    assert len(result.errors) == sum(": 错误 error: " in l for l in expected_lines(BAD / name))
    assert len(result.warnings) == sum(": 警告 warning: " in l for l in expected_lines(BAD / name))
    if has_errors:
        assert not result.ok
        # any error withholds the model, even errors found on it (roles, clashes)
        assert result.roster is None
        with pytest.raises(RosterError) as caught:
            roster.load_roster(".", today=today_of(BAD / name))
        assert [d.format() for d in caught.value.diagnostics] == [d.format() for d in result.diagnostics]
        assert str(caught.value).splitlines()[0] == next(l for l in expected_lines(BAD / name) if "错误" in l)
    else:
        assert result.ok and result.roster is not None
        assert roster.load_roster(".", today=today_of(BAD / name)) is not None


@pytest.mark.parametrize("name", CASES)
def test_every_diagnostic_has_a_bilingual_hint(name, monkeypatch):
    result = load_case(name, monkeypatch)
    for diagnostic in result.diagnostics:
        lines = diagnostic.format().splitlines()
        assert len(lines) == 2, lines
        assert lines[1].startswith("    提示：") and " | hint: " in lines[1]
        assert diagnostic.line >= 1 and diagnostic.column >= 1


def hints(result) -> list[str]:
    return [d.format().splitlines()[1].strip() for d in result.diagnostics]


def test_typo_hint_suggests_the_right_key(monkeypatch):
    result = load_case("unknown-key-typo", monkeypatch)
    assert hints(result) == ['提示：是不是想写“phone”？ | hint: did you mean "phone"?']
    assert result.diagnostics[0].code == "extra_forbidden"


def test_unknown_reference_hints(monkeypatch):
    assert hints(load_case("unknown-street", monkeypatch)) == ['提示：是不是“binjiang”？ | hint: did you mean "binjiang"?']
    assert hints(load_case("unknown-officer-reference", monkeypatch)) == [
        '提示：是不是“liang-kai”？ | hint: did you mean "liang-kai"?']
    # one close to an existing id, one far from all of them
    assert hints(load_case("unknown-station-in-exception", monkeypatch))[0] == (
        '提示：是不是“shuyuan”？ | hint: did you mean "shuyuan"?')


def test_unknown_role_without_a_close_match_says_where_to_define_it(monkeypatch):
    result = load_case("unknown-role", monkeypatch)
    assert hints(result) == [
        '提示：是不是“lawyer”？ | hint: did you mean "lawyer"?',
        "提示：可选：judge（法官）、prosecutor（检察官）、police（警官）、lawyer（律师）、mediator（调解员）、grid-worker（网格员）、"
        "counsellor（心理咨询师）；新角色先在 roster.yaml 的 settings.roles 里定义 | hint: allowed: judge, prosecutor, police, "
        "lawyer, mediator, grid-worker, counsellor; define new roles in settings.roles in roster.yaml",
    ]


def test_a_role_written_in_chinese_is_translated_in_the_hint(tmp_path):
    for name in ("officers.yaml", "roster.yaml"):
        (tmp_path / name).write_text((SMALL / name).read_text(encoding="utf-8"), encoding="utf-8")
    officers = tmp_path / "officers.yaml"
    officers.write_text(officers.read_text(encoding="utf-8").replace("role: judge", "role: 法官", 1), encoding="utf-8")
    first = roster.load(tmp_path, today=DEFAULT_TODAY).errors[0]
    assert (first.code, first.zh) == ("unknown-role", "角色要写成英文代码：“法官”应写作“judge”")


def test_syntax_error_hints(monkeypatch):
    assert hints(load_case("yaml-tab-indentation", monkeypatch)) == [
        "提示：把这一行开头的 Tab 换成空格（通常每层 2 个空格） | hint: replace the tab at the start of this line with spaces "
        "(usually 2 per level)"]
    assert hints(load_case("gbk-encoding", monkeypatch)) == [
        "提示：用 VS Code 或记事本“另存为”，编码选 UTF-8 | hint: re-save the file as UTF-8 (e.g. 'Save as' in VS Code or Notepad)"]


@pytest.mark.parametrize("name, line, cause", [
    # PyYAML's mark lands after a comment with a full-width comma: the comment is not the cause
    ("yaml-tab-after-a-comment", 18, "Tab"),
    ("yaml-indentation-after-a-comment", 17, "对不齐"),
    # the parser notices an open bracket or quote lines later: the line that opened it is named
    ("yaml-unclosed-bracket-before-a-comment", 73, "方括号 [ 没有闭合"),
    ("yaml-unclosed-bracket", 19, "方括号 [ 没有闭合"),
    ("yaml-unclosed-quote", 65, "引号 \" 没有闭合"),
])
def test_syntax_errors_name_the_real_cause_at_its_line(name, line, cause, monkeypatch):
    (error,) = load_case(name, monkeypatch).errors
    assert error.line == line and cause in error.zh, error.format()
    assert "中文" not in error.zh


def test_many_errors_are_all_reported_in_one_run(monkeypatch):
    result = load_case("many-errors", monkeypatch)
    files = {d.file for d in result.errors}
    assert files == {"officers.yaml", "roster.yaml"}
    assert len(result.errors) == 9
    codes = sorted(d.code for d in result.errors)
    assert codes == sorted(["duplicate-id", "extra_forbidden", "phone", "unknown-reference", "unknown-reference",
                            "unknown-reference", "monthly-needs-day", "date-order", "date-outside-month"])


def test_each_mistake_is_reported_at_its_own_line_after_entries_that_failed(monkeypatch):
    # a station with a bad phone before a station with an unknown street; a time error in an
    # assignment before an unknown officer and a closing time before its opening
    result = load_case("lines-after-bad-entries", monkeypatch)
    assert [(d.code, d.line) for d in result.errors] == [
        ("phone", 40), ("unknown-reference", 43), ("time_format", 76), ("unknown-reference", 121), ("time-order", 152)]


def test_missing_roles_are_reported_beside_other_errors(monkeypatch):
    result = load_case("missing-role-beside-other-errors", monkeypatch)
    assert [(d.code, d.line) for d in result.errors] == [("missing-role", 35), ("time_format", 117)]
    # the assignment with the bad time still counts for its station's roles: no missing judge for jiangwan
    assert not [d for d in result.errors if "江湾社区" in d.zh]


def test_a_vacancy_is_a_warning_until_its_expected_day(monkeypatch):
    on_the_day = load_case("vacancy-declared", monkeypatch, today=date(2026, 12, 31))
    assert on_the_day.ok and "vacancy" in [d.code for d in on_the_day.warnings]
    after = load_case("vacancy-declared", monkeypatch, today=date(2027, 1, 1))
    assert [d.code for d in after.errors] == ["vacancy-overdue"]
    assert after.errors[0].line == 40 and not after.ok


def test_next_month_warning_starts_on_the_25th(monkeypatch):
    early = load_case("warning-next-month-empty", monkeypatch, today=date(2026, 11, 24))
    assert [d.code for d in early.diagnostics] == ["table-on-holiday", "table-on-holiday"]
    late = load_case("warning-next-month-empty", monkeypatch, today=date(2026, 11, 25))
    # two stations without a December table, one whose table falls entirely on days off
    assert [d.code for d in late.diagnostics if d.code.startswith("next-month")] == [
        "next-month-table", "next-month-table", "next-month-empty"]
    assert late.ok
    overdue = load_case("warning-next-month-empty", monkeypatch, today=date(2026, 11, 30))
    assert "应在 11月30日 前报送" in overdue.diagnostics[0].zh
    assert "报送期限 12月30日 已过" in load_case("warning-next-month-empty", monkeypatch,
                                              today=date(2026, 12, 31)).diagnostics[0].zh


def test_next_month_warning_names_every_station_without_a_table():
    # December 2026 → January 2027 crosses the year; every station has duty in January, none a table
    result = roster.load(SMALL, today=date(2026, 12, 31))
    assert [(d.code, d.line) for d in result.diagnostics] == [
        ("next-month-table", 25), ("next-month-table", 35), ("next-month-table", 39)]
    assert all(d.severity == "warning" and "2027-01" in d.zh and "也没有任何值班" not in d.zh for d in result.diagnostics)
    # February is due on its last day
    assert "应在 02月28日 前报送" in roster.load(SMALL, today=date(2027, 2, 25)).diagnostics[0].zh


def test_paths_are_shown_relative_to_the_working_directory(monkeypatch):
    repo = ROOT
    monkeypatch.chdir(repo)
    result = roster.load(BAD / "unknown-street", today=DEFAULT_TODAY)
    expected = os.path.join("tests", "fixtures", "bad", "unknown-street", "roster.yaml")
    assert [d.file for d in result.diagnostics] == [expected]
    assert result.diagnostics[0].format().startswith(f"{expected}:41:13: 错误 error: 找不到街道“binjang”")


def test_missing_data_folder_reports_both_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = roster.load("nowhere", today=DEFAULT_TODAY)
    assert first_lines(result) == [
        f"{os.path.join('nowhere', 'officers.yaml')}:1:1: 错误 error: 找不到文件 | file not found",
        f"{os.path.join('nowhere', 'roster.yaml')}:1:1: 错误 error: 找不到文件 | file not found",
        f"未检查 not checked: 每个站点人员是否齐全、同一时间两处值班、值班是否在开放时间内、下月值班表、接替是否满一年："
        f"{os.path.join('nowhere', 'officers.yaml')}、{os.path.join('nowhere', 'roster.yaml')} 读不出来（见上面的错误），改正后才能检查 | "
        "roles per station, clashes, opening hours, next month's tables, the one-year rule: "
        f"{os.path.join('nowhere', 'officers.yaml')}, {os.path.join('nowhere', 'roster.yaml')} could not be read (see the errors above)",
    ]


def test_bom_is_accepted(tmp_path, monkeypatch):
    for name in ("officers.yaml", "roster.yaml"):
        (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + (SMALL / name).read_bytes())
    monkeypatch.chdir(tmp_path)
    assert roster.load(".", today=DEFAULT_TODAY).diagnostics == ()


def test_crlf_line_endings_keep_line_numbers(tmp_path, monkeypatch):
    case = BAD / "unknown-street"
    for name in ("officers.yaml", "roster.yaml"):
        text = (case / name).read_text(encoding="utf-8")
        (tmp_path / name).write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    monkeypatch.chdir(tmp_path)
    assert first_lines(roster.load(".", today=DEFAULT_TODAY)) == expected_lines(case)
