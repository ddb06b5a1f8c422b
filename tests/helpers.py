"""What tests share besides fixtures: paths, the small roster, database and Redis URLs from the
environment (skipped with a reason outside CI, a failure in CI), the phone a browser test uses,
and reading a CSRF token off a page. Tests import these; fixtures live in conftest.py."""
from __future__ import annotations

import os
import re
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from tools.browser import WECHAT_UA

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SMALL_ROSTER = FIXTURES / "small"


def missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def postgresql_url() -> str:
    """TEST_DATABASE_URL as SQLAlchemy's psycopg 3 URL; skips (fails under CI=true) without it."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        missing("TEST_DATABASE_URL is not set: the PostgreSQL run of the form-service tests is skipped "
                 "(set it to e.g. postgresql://postgres@127.0.0.1:5432/test)")
    from forms_app.config import driver_url

    return driver_url(url)


def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        missing("TEST_REDIS_URL is not set: the Redis rate-limit tests are skipped "
                 "(set it to e.g. redis://127.0.0.1:6379/0)")
    return url


@contextmanager
def fresh_schema(url: str):
    """A schema of its own for one test on the shared PostgreSQL: clean, and dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options=-csearch_path%3D{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


STAFF_PASSWORD = "correct horse battery"
PHONE = {"viewport": {"width": 360, "height": 740}, "user_agent": WECHAT_UA, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True, "locale": "zh-CN"}


def csrf_token(html: str, prefix: str = "") -> str:
    tag = re.search(rf'<input[^>]*name="{prefix}csrf_token"[^>]*>', html)
    assert tag, "the form carries no CSRF token"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


def at_once(count: int, prepare, send) -> list:
    """Racing requests: ``prepare(i)`` in each thread, then ``send(i, prepared)`` released by one
    barrier; the results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            prepared = prepare(index)
            barrier.wait(timeout=20)
            results[index] = send(index, prepared)
        except BaseException as exc:  # noqa: BLE001 - reported below
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    return results
