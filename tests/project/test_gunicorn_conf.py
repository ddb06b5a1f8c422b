"""deploy/gunicorn.conf.py: without shared rate-limit storage the service runs as one process,
so that limits kept in memory hold as documented instead of once per worker."""
from __future__ import annotations

import runpy

from tests.helpers import ROOT


def settings(monkeypatch, **environ) -> dict:
    for name in ("REDIS_URL", "RATELIMIT_STORAGE_URI", "WEB_CONCURRENCY", "WORKER_CLASS", "THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))


def test_without_redis_one_worker_process_with_threads(monkeypatch):
    found = settings(monkeypatch, WEB_CONCURRENCY="8")
    assert found["workers"] == 1 and found["worker_class"] == "gthread" and found["threads"] >= 2


def test_with_redis_several_workers(monkeypatch):
    found = settings(monkeypatch, REDIS_URL="redis://127.0.0.1:6379/0", WEB_CONCURRENCY="8")
    assert found["workers"] == 8 and found["worker_class"] == "sync"
