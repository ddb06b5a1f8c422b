"""docs/architecture.md is the map: every path it names exists, and every package of the form
service is on it."""
from __future__ import annotations

import re

from tests.helpers import ROOT

DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
# Bare file names in a table row stand in the folder that row names first.
ROW = re.compile(r"^\|.*$", re.M)


def _named() -> set[str]:
    # /api/v1 is a URL, not a path
    return {path for path in re.findall(r"`([\w./-]+)`", DOC) if "/" in path and not path.startswith("/")}


def test_every_path_in_the_architecture_note_exists():
    missing = [path for path in _named() if not (ROOT / path).exists()]
    assert missing == []


def test_file_names_in_a_row_are_in_that_rows_folder():
    missing = []
    for row in ROW.findall(DOC):
        folders = re.findall(r"`([\w./-]+/)`", row)
        if not folders:
            continue
        for name in re.findall(r"`([\w-]+\.py)`", row):
            if not (ROOT / folders[0] / name).exists():
                missing.append(f"{folders[0]}{name}")
    assert missing == []


def test_every_package_of_the_form_service_is_on_the_map():
    packages = {f"forms_app/{p.parent.name}/" for p in (ROOT / "forms_app").glob("*/__init__.py")}
    assert packages <= _named()
