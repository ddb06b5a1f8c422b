"""An entry written twice in the same list: a duty, an opening-hours row, a weekday, a specialty.

Entries with an ``id`` are left to the duplicate-id check, which names the id. Anything else
that repeats word for word would be shown twice on the site (or means a copy-paste went wrong),
so it is an error, reported at the copy with the line of the first one.
"""
from __future__ import annotations

import json

from .diagnostics import Diagnostic
from .source import Source


def _lists(data: object, path: tuple = ()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _lists(value, path + (key,))
    elif isinstance(data, list):
        yield path, data
        for i, item in enumerate(data):
            yield from _lists(item, path + (i,))


def repeated_entries(source: Source) -> list[Diagnostic]:
    found = []
    for path, items in _lists(source.data):
        first: dict[str, int] = {}
        for i, item in enumerate(items):
            if isinstance(item, dict) and "id" in item:
                continue
            key = json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)
            if key not in first:
                first[key] = i
                continue
            line, column = source.position(path + (first[key],))
            found.append(source.diagnostic(
                path + (i,), "repeated-entry", f"这一项和第 {line} 行第 {column} 列的一项完全相同，写了两遍",
                f"this entry is the same as the one on line {line}, column {column}: it is written twice",
                "删掉重复的一项；如果本来要写另一项，把它改对", "remove the copy, or correct it if another entry was meant"))
    return found
