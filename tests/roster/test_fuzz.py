"""The roster fuzzer in the suite: seeded mutations of the small roster never crash ``build.py``.

A bounded run of tools/fuzz_roster.py (a few hundred ``check`` runs in-process), and a full
build of broken rosters that must leave the previously published site exactly as it was.
"""
from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from tests.helpers import SMALL_ROSTER
from tools.fuzz_roster import CLEAN_ERROR, FILES, Mutation, fuzz, mutate, outcome, run_build, write_case

TODAY = "2026-11-22"


def test_outcome_tells_a_crash_from_a_clean_error():
    assert outcome(0, "✓", None) == "accepted"
    assert outcome(CLEAN_ERROR, "✗ 1 个错误", None) == "clean-error"
    assert outcome(None, "", KeyError("x")) == "traceback"
    assert outcome(2, "内部错误", None) == "traceback"
    assert outcome(1, "Traceback (most recent call last):", None) == "traceback"


def test_every_kind_of_mutation_changes_the_file():
    rng = random.Random(5)
    seen = set()
    for _ in range(200):
        mutation = mutate(SMALL_ROSTER, rng)
        assert mutation.text != (SMALL_ROSTER / mutation.file).read_bytes()
        seen.add(mutation.kind)
    assert seen == {"delete", "duplicate", "retype", "swap", "dangling-id", "truncate", "insert-bytes", "crlf"}


@pytest.mark.parametrize("seed", [1, 2])
def test_check_on_mutations_ends_in_clean_errors_or_success(seed):
    report = fuzz(150, seed, SMALL_ROSTER, TODAY)
    assert report["crashes"] == []
    results = {result for _kind, result in report["results"]}
    assert results <= {"accepted", "clean-error"}
    assert "clean-error" in results  # the mutations do break rosters


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _broken(count: int) -> list[Mutation]:
    rng, found = random.Random(9), []
    while len(found) < count:
        mutation = mutate(SMALL_ROSTER, rng)
        if mutation.kind in {"dangling-id", "retype", "delete", "swap"}:  # these parse, then fail later
            found.append(mutation)
    return found


def test_a_broken_roster_leaves_the_published_site_as_it_was(tmp_path):
    site = tmp_path / "site"
    args = ["--today", TODAY, "--out", str(site), "--base-url", "https://example.org/"]
    code, output, exc = run_build(["--data", str(SMALL_ROSTER), *args])
    assert (code, exc) == (0, None), output
    before = _tree(site)
    failed = 0
    for i, mutation in enumerate(_broken(6)):
        case = tmp_path / f"case-{i}"
        write_case(SMALL_ROSTER, mutation, case)
        code, output, exc = run_build(["--data", str(case), *args])
        assert exc is None and "Traceback" not in output, output
        assert code in (0, CLEAN_ERROR), output
        if code == CLEAN_ERROR:
            failed += 1
            assert "原来的网站保持不变" in output
            assert _tree(site) == before, mutation.kind
        else:
            before = _tree(site)  # an accepted mutation is a valid roster: its site is the new "before"
    assert failed
    assert set(FILES) <= {p.name for p in SMALL_ROSTER.iterdir()}
