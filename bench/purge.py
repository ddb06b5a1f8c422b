"""Time and memory of the retention purge over many cases, batched (as the service runs it)
against the same purge with every expired case loaded at once (the baseline), in one run.

    .venv/bin/python bench/purge.py [CASES]      # default 4000; half of them past retention

Each variant runs on its own copy of one SQLite database; memory is tracemalloc's peak."""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from roster import TZ  # noqa: E402

THEN = datetime(2026, 1, 5, 10, 0, tzinfo=TZ)
LATER = THEN + timedelta(days=400)


def app_for(path: Path):
    from forms_app import create_app
    from tests.helpers import SMALL_ROSTER

    return create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                       "ROSTER_DIR": str(SMALL_ROSTER), "REQUEST_LOG": False})


def fill(path: Path, count: int) -> None:
    from flask_migrate import upgrade

    from forms_app.cases import service as cases
    from forms_app.extensions import db
    from forms_app.rosters import current_roster

    app = app_for(path)
    with app.app_context():
        upgrade()
        roster = current_roster()
        for n in range(count):
            # half registered long ago (past retention by LATER), half just before LATER
            when = THEN if n % 2 == 0 else LATER - timedelta(days=1)
            cases.register(roster, station="wenhua-lu", category="neighbours", anonymous=False, sensitive_consent=False,
                           description=f"楼上漏水{n}号", location=f"文化路{n}栋", occurred="上周", name=f"张三{n}",
                           phone=f"138{n:08d}", contact_time="晚上", now=when)
        db.session.commit()
        db.engine.dispose()


def purge(path: Path, batch: int) -> tuple[int, float, float]:
    from forms_app.cases import service as cases
    from forms_app.extensions import db

    app = app_for(path)
    with app.app_context():
        cases.PURGE_BATCH = batch
        tracemalloc.start()
        started = time.perf_counter()
        done = cases.purge_expired(180, lambda _name: None, now=LATER)
        db.session.commit()
        took = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
        db.engine.dispose()
    return done, took, peak


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    folder = Path(tempfile.mkdtemp())
    source = folder / "filled.sqlite3"
    fill(source, count)
    print(f"{count} cases, {count // 2} past retention")
    print(f"{'variant':40} {'purged':>7} {'s':>7} {'peak MB':>8}")
    for label, batch in (("every expired case at once (baseline)", 10**9), ("500 at a time (the service)", 500)):
        copy = folder / f"{batch}.sqlite3"
        shutil.copy(source, copy)
        done, took, peak = purge(copy, batch)
        print(f"{label:40} {done:7} {took:7.2f} {peak:8.1f}")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
