"""Shared fixtures. Browser tests use Debian's Chromium: skipped with a reason when it is
missing, a failure under CI=true (where .ci/run installs it)."""
from __future__ import annotations

import os

import pytest

from tools.browser import CHROMIUM_ARGS, chromium_path


def _missing(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        _missing("Chromium not found: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
