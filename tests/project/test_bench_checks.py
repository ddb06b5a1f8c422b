"""The load benchmark's bookkeeping (bench/load.py): rows in the database matched to the 2xx
answers the clients received. Not a timed test; it checks that the benchmark would notice a
lost or duplicated row, and would not call a request wrk stopped waiting for a duplicate."""
from __future__ import annotations

import importlib.util

from tests.helpers import ROOT


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows(*pairs):
    return list(pairs)


def test_every_answer_stored_once_is_clean_and_an_unanswered_row_is_listed_apart():
    bench = load_bench()
    stored = {"booking": rows(("A", "1"), ("B", "2"), ("C", "3")), "booking rows": rows(("D", "4")),
              "complaint": rows(("X", "9")), "baseline": rows((1, "5"), (2, "6"))}
    answered = {"booking": ["A", "B"], "booking rows": ["D"], "complaint": ["X"], "baseline": [1, 2]}
    checks = {c["check"]: c for c in bench.check_rows("sqlite", stored, answered, in_flight=16)}
    assert checks["booking"] == {"db": "sqlite", "check": "booking", "rows": 3, "responses_2xx": 2,
                                 "lost": 0, "duplicated": 0, "unanswered": 1}
    assert (checks["complaint"]["lost"], checks["complaint"]["duplicated"], checks["complaint"]["unanswered"]) == (0, 0, 0)
    assert (checks["baseline"]["lost"], checks["baseline"]["duplicated"]) == (0, 0)
    assert (checks["booking rows"]["rows"], checks["booking rows"]["lost"]) == (1, 0)


def test_a_missing_row_is_lost_and_one_request_stored_twice_is_duplicated():
    bench = load_bench()
    stored = {"booking": rows(("A", "1"), ("B", "1")), "booking rows": rows(), "complaint": rows(), "baseline": rows()}
    answered = {"booking": ["A", "Z"], "booking rows": [], "complaint": ["Q"], "baseline": []}
    checks = {c["check"]: c for c in bench.check_rows("postgresql", stored, answered, in_flight=16)}
    assert checks["booking"]["lost"] == 1  # Z was answered 201 and is not in the table
    assert checks["booking"]["duplicated"] == 1  # phone 1 stored twice
    assert checks["complaint"]["lost"] == 1


def test_more_rows_without_an_answer_than_requests_in_flight_count_as_duplicated():
    """A row stored although its request was answered with an error (say a 500 after the
    commit) is not one wrk stopped waiting for."""
    bench = load_bench()
    stored = {"booking": rows(*[(f"N{i}", str(i)) for i in range(20)]), "booking rows": rows(), "complaint": rows(),
              "baseline": rows()}
    answered = {"booking": ["N0", "N1"], "booking rows": [], "complaint": [], "baseline": []}
    checks = {c["check"]: c for c in bench.check_rows("sqlite", stored, answered, in_flight=16)}
    assert checks["booking"]["unanswered"] == 18
    assert checks["booking"]["duplicated"] == 2


def test_the_summary_line_takes_the_worst_runs():
    bench = load_bench()
    runs = [{"db": "sqlite", "concurrency": c, "scenario": name, "rps": 1.0, "p50": 1.0, "p99": p99, "ratio": ratio,
             "statuses": {"201": 1}} for c, name, ratio, p99 in [
                (16, "booking", 0.7, 40.0), (64, "booking", 0.5, 400.0), (16, "complaint", 0.65, 90.0),
                (64, "complaint", 0.8, 300.0), (16, "form page", 0.3, 120.0), (16, "baseline", 1.0, 450.0)]]
    checks = [{"db": "sqlite", "check": "appointments", "rows": 2, "responses_2xx": 2, "lost": 1, "duplicated": 0,
               "unanswered": 0}]
    last = bench.report(runs + checks, 4).splitlines()[-1]
    assert last == "summary: booking_ratio=0.50 complaint_ratio=0.65 p99_ms=120 lost=1 duplicated=0"


def test_rounds_merge_into_one_run():
    bench = load_bench()
    parts = [{"requests": 100, "seconds": 2.0, "p50": 10.0, "p99": 20.0, "socket_errors": 0, "used": 101,
              "exhausted": False, "statuses": {"201": 99, "409": 1}, "answers": [{"id": 1}]},
             {"requests": 300, "seconds": 2.0, "p50": 30.0, "p99": 60.0, "socket_errors": 2, "used": 301,
              "exhausted": True, "statuses": {"201": 300}, "answers": [{"id": 2}, {"id": 3}]}]
    run = bench.merge(parts)
    assert (run["requests"], run["seconds"], run["rps"]) == (400, 4.0, 100.0)
    assert (run["p50"], run["p99"]) == (25.0, 50.0)  # weighted by each round's requests
    assert run["statuses"] == {"201": 399, "409": 1} and run["socket_errors"] == 2
    assert (run["used"], run["exhausted"]) == (402, True)
    assert run["answers"] == [{"id": 1}, {"id": 2}, {"id": 3}]


def test_stored_rows_are_told_apart_by_table_and_phone(tmp_path):
    import sqlite3

    bench = load_bench()
    path = tmp_path / "bench.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE appointments (number TEXT, phone TEXT);
            CREATE TABLE cases (number TEXT, phone TEXT);
            CREATE TABLE bench_rows (id INTEGER, phone TEXT);
            INSERT INTO appointments VALUES ('A', '13000000001'), ('B', '17000000001');
            INSERT INTO cases VALUES ('X', '15000000001');
            INSERT INTO bench_rows VALUES (1, '13000000009');""")
    assert bench.stored_rows(f"sqlite:///{path}") == {
        "booking": [("A", "13000000001")], "booking rows": [("B", "17000000001")],
        "complaint": [("X", "15000000001")], "baseline": [(1, "13000000009")]}
