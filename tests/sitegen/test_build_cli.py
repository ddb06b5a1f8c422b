"""``python build.py check`` and ``python build.py schema``: exit codes, output streams, robustness.

The roster part of the command line: the site build has tests of its own.
"""
from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml

import roster
from tests.helpers import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
SMALL = FIXTURES / "small"
BAD = FIXTURES / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())
DEFAULT_TODAY = "2026-11-22"
FILES = ("officers.yaml", "roster.yaml")


def build(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    # BOARD_DEBUG lets an unforeseen exception through as a traceback instead of the polite
    # "internal error" line, so that the tests see every crash.
    env = dict(os.environ, BOARD_DEBUG="1", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def assert_no_crash(proc: subprocess.CompletedProcess) -> None:
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output, output
    assert "internal error" not in output, output
    assert proc.returncode in (0, 1), output


# ---------------------------------------------------------------- check

def test_check_on_the_example_data_passes():
    proc = build("check", "--data", str(ROOT / "data"))
    assert_no_crash(proc)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "✓ 名单没有错误" in proc.stdout


def test_check_on_the_small_fixture_is_spotless():
    proc = build("check", "--data", str(SMALL), "--today", DEFAULT_TODAY)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == "✓ 名单没有错误（0 个警告）/ no errors (0 warning(s))\n"


def test_check_on_a_bad_case_exits_1_and_prints_errors_to_stderr():
    proc = build("check", "--data", ".", "--today", DEFAULT_TODAY, cwd=BAD / "many-errors")
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("officers.yaml:35:9: 错误 error: ")
    assert lines[1].startswith("    提示：")
    assert lines[-3] == "✗ 9 个错误，0 个警告 / 9 error(s), 0 warning(s)"
    assert any(line.startswith("未检查 not checked: ") for line in lines)
    assert lines[-1].startswith("  fix these and check again")


@pytest.mark.parametrize("name", CASES)
def test_check_on_every_corpus_case(name):
    case = BAD / name
    today = (case / "today.txt").read_text(encoding="utf-8").strip() if (case / "today.txt").exists() else DEFAULT_TODAY
    proc = build("check", "--data", ".", "--today", today, cwd=case)
    assert_no_crash(proc)
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    errors = [line for line in expected if ": 错误 error: " in line]
    warnings = [line for line in expected if ": 警告 warning: " in line]
    skipped = [line for line in expected if line.startswith("未检查 not checked: ")]
    assert proc.returncode == (1 if errors else 0)
    # errors go to stderr, warnings to stdout, each followed by its hint line; the checks that
    # could not run follow the errors (or the warnings when there is no error)
    assert [l for l in proc.stderr.splitlines() if not l.startswith(("  ", "✗"))] == errors + (skipped if errors else [])
    assert [l for l in proc.stdout.splitlines()
            if not l.startswith(("    提示：", "✓"))] == warnings + ([] if errors else skipped)


def test_warnings_do_not_fail_the_check():
    for name in ("warning-next-month-empty", "warning-officer-without-station", "warning-photo-missing"):
        case = BAD / name
        today = (case / "today.txt").read_text(encoding="utf-8").strip()
        proc = build("check", "--data", ".", "--today", today, cwd=case)
        assert proc.returncode == 0, name
        assert proc.stderr == ""
        assert "警告 warning" in proc.stdout
        count = (case / "expected.txt").read_text(encoding="utf-8").count(": 警告 warning: ")
        assert proc.stdout.splitlines()[-1] == f"✓ 名单没有错误（{count} 个警告）/ no errors ({count} warning(s))"


def test_bad_today_is_refused_politely():
    proc = build("check", "--data", str(SMALL), "--today", "2026-13-01")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "YYYY-MM-DD" in proc.stderr


# ---------------------------------------------------------------- fuzz-ish robustness

JUNK = ["[]", "{}", "~", "x" * 5000, "12345678901234567890", "-1", "0", "3.5", "true", "1e400",
        "𝔘𝔫𝔦 🚓 \u200b\u202e「」", "*nope", "&a [*a]", "!!binary aGVsbG8=", '"unterminated', "2026-02-30",
        "- a", "12:30:00"]
KEY_VALUE = re.compile(r"^(\s*(?:- )?[\w-]+:)\s*(.*)$")


def mutate(texts: dict[str, str], rng: random.Random) -> tuple[dict[str, str], str]:
    """One random edit of one file: delete a line, duplicate a line or replace a value."""
    name = rng.choice(FILES)
    lines = texts[name].split("\n")
    op = rng.choice(["delete", "duplicate", "value", "value"])
    i = rng.randrange(len(lines))
    if op == "delete":
        what = f"{name}: delete line {i + 1}"
        del lines[i]
    elif op == "duplicate":
        what = f"{name}: duplicate line {i + 1}"
        lines.insert(i, lines[i])
    else:
        k = rng.choice([n for n, line in enumerate(lines) if KEY_VALUE.match(line)])
        junk = rng.choice(JUNK)
        what = f"{name}: line {k + 1} value → {junk[:20]!r}"
        lines[k] = f"{KEY_VALUE.match(lines[k]).group(1)} {junk}"
    return {**texts, name: "\n".join(lines)}, what


def mutants(count: int, seed: int):
    rng = random.Random(seed)
    base = {name: (SMALL / name).read_text(encoding="utf-8") for name in FILES}
    for _ in range(count):
        texts, edits = base, []
        for _ in range(rng.choice([1, 1, 2, 3])):
            texts, what = mutate(texts, rng)
            edits.append(what)
        yield texts, "; ".join(edits)


def write(folder: Path, texts: dict[str, str]) -> None:
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")


def test_load_never_raises_on_mutated_rosters(tmp_path):
    for texts, edits in mutants(300, seed=20261122):
        write(tmp_path, texts)
        try:
            result = roster.load(tmp_path, today=date(2026, 11, 26))
            text = "\n".join(d.format() for d in result.diagnostics)
        except Exception as exc:  # pragma: no cover - a failure shows the edit that broke it
            pytest.fail(f"roster.load raised {type(exc).__name__}: {exc} after {edits}")
        assert result.ok or result.errors, edits
        assert "Traceback" not in text


def test_check_never_prints_a_traceback_on_mutated_rosters(tmp_path):
    failures = 0
    for n, (texts, edits) in enumerate(mutants(30, seed=7)):
        folder = tmp_path / str(n)
        folder.mkdir()
        write(folder, texts)
        proc = build("check", "--data", str(folder), "--today", "2026-11-26")
        assert_no_crash(proc)
        if proc.returncode == 1:
            failures += 1
            assert "错误 error" in proc.stderr, edits
    assert failures > 0     # the mutations do break things


# ---------------------------------------------------------------- JSON Schema

def test_schema_command_reproduces_the_committed_schemas(tmp_path):
    proc = build("schema", "--out", str(tmp_path / "schema"))
    assert proc.returncode == 0, proc.stderr
    written = sorted(p.name for p in (tmp_path / "schema").iterdir())
    committed = sorted(p.name for p in (ROOT / "schema").glob("*.json"))
    assert written == committed == ["officers.schema.json", "roster.schema.json"]
    for name in written:
        assert (tmp_path / "schema" / name).read_text(encoding="utf-8") == \
            (ROOT / "schema" / name).read_text(encoding="utf-8"), f"schema/{name} is stale: run python build.py schema"


def jsonable(value):
    """PyYAML 1.1 reads unquoted 2026-01-05 as a date: JSON (and the editor) sees a string."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def validator(name: str):
    schema = json.loads((ROOT / "schema" / f"{name.removesuffix('.yaml')}.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_errors(path: Path) -> list[str]:
    data = jsonable(yaml.safe_load(path.read_text(encoding="utf-8")))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(path.name).iter_errors(data)]


@pytest.mark.parametrize("folder", ["data", "tests/fixtures/small"])
@pytest.mark.parametrize("name", FILES)
def test_example_files_validate_against_the_schema(folder, name):
    assert schema_errors(ROOT / folder / name) == []


@pytest.mark.parametrize(("case", "name", "fragment"), [
    ("unknown-key-typo", "officers.yaml", "'phnoe' was unexpected"),
    ("missing-required-field", "roster.yaml", "'address' is a required property"),
    ("id-with-space", "officers.yaml", "'Xie Ning' does not match"),
    ("invalid-time", "roster.yaml", "'25:00' does not match"),
])
def test_the_schema_catches_mistakes_in_the_editor_too(case, name, fragment):
    errors = schema_errors(BAD / case / name)
    assert any(fragment in e for e in errors), errors


@pytest.mark.parametrize("folder", ["data", "tests/fixtures/small"])
@pytest.mark.parametrize("name", FILES)
def test_example_files_point_editors_at_the_schema(folder, name):
    path = ROOT / folder / name
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = first.removeprefix("# yaml-language-server: $schema=").strip()
    assert (path.parent / target).resolve() == (ROOT / "schema" / f"{name.removesuffix('.yaml')}.schema.json")


def test_check_says_when_more_checks_wait_behind_the_errors():
    early = build("check", "--data", ".", "--today", DEFAULT_TODAY, cwd=BAD / "unknown-officer-reference")
    assert "未检查 not checked: “江湾社区”有没有警官" in early.stderr
    assert "fix these and check again" in early.stderr
    # an unknown street leaves nothing unchecked: roles and clashes were checked in the same run
    whole = build("check", "--data", ".", "--today", DEFAULT_TODAY, cwd=BAD / "unknown-street")
    assert whole.returncode == 1 and "未检查" not in whole.stderr and "fix these and check again" not in whole.stderr
    late = build("check", "--data", ".", "--today", DEFAULT_TODAY, cwd=BAD / "missing-role")
    assert late.returncode == 1 and "fix these and check again" not in late.stderr


def test_check_today_moves_the_next_month_reminder(tmp_path):
    """Seed 000: next month's tables are due by the 30th; from the 25th every station without one is named."""
    before = build("check", "--data", ".", "--today", "2026-11-24", cwd=SMALL)
    assert before.returncode == 0 and "next month" not in before.stdout
    after = build("check", "--data", ".", "--today", "2026-11-25", cwd=SMALL)
    assert after.returncode == 0, after.stderr
    reminders = [line for line in after.stdout.splitlines() if "duty table for next month (2026-12)" in line]
    # jiangwan has December's table; the other two have recurring duty only
    assert reminders == [
        "roster.yaml:25:9: 警告 warning: “文化路社区”还没有下月（2026-12）的值班表，应在 11月30日 前报送 | "
        '"文化路社区" has no duty table for next month (2026-12), due by 2026-11-30',
        "roster.yaml:35:9: 警告 warning: “书院社区”还没有下月（2026-12）的值班表，应在 11月30日 前报送 | "
        '"书院社区" has no duty table for next month (2026-12), due by 2026-11-30',
    ]
