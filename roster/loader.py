"""read → validate → model: the only way anything in this project gets a roster."""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError

from .checks import check_structure
from .coverage import check_coverage, whole_roster_skipped
from .diagnostics import Diagnostic, RosterError, Skipped
from .domain import Roster
from .messages import validation_diagnostics
from .repeats import repeated_entries
from .salvage import Salvaged, checkable, salvage, whole
from .model import OfficersFile, RosterFile
from .schedule import TZ, today as current_day
from .source import Source, read_yaml

OFFICERS_FILE = "officers.yaml"
ROSTER_FILE = "roster.yaml"


@dataclass(frozen=True)
class LoadResult:
    roster: Roster | None  # None whenever there is an error
    diagnostics: tuple[Diagnostic, ...]
    # Checks of a whole roster (roles per station, clashes, opening hours, next month) that had to
    # leave something out because of errors: fixing the errors may reveal more.
    skipped: tuple[Skipped, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.skipped

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if not d.is_error)

    @property
    def ok(self) -> bool:
        return self.roster is not None and not self.errors


def _display(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _validate(model_cls, source: Source) -> tuple[object | None, Salvaged | None, list[Diagnostic]]:
    """(model, what can be checked, diagnostics): the model only when the whole file is valid."""
    if not source.ok:
        return None, None, []
    if not isinstance(source.data, dict):
        found = "列表" if isinstance(source.data, list) else "一段文字"
        return None, None, [source.diagnostic((), "top-not-mapping", f"文件最外层应该是“键: 值”的映射，现在是{found}",
                                        "the top level of the file must be a mapping of key: value pairs",
                                        "参照示例文件的开头", "start the file like the example file")]
    try:
        model = model_cls.model_validate(source.data)
        return model, whole(model), []
    except ValidationError as exc:
        return None, salvage(model_cls, source.data), validation_diagnostics(exc, model_cls, source)


def _updated(*paths: Path) -> date:
    stamps = [p.stat().st_mtime for p in paths if p.exists()]
    return datetime.fromtimestamp(max(stamps), TZ).date() if stamps else current_day()


def _counts(source: Source) -> dict[str, int]:
    data = source.data if isinstance(source.data, dict) else {}
    return {key: len(value) for key, value in data.items() if isinstance(value, list)}


def load(data_dir: str | Path, today: date | None = None) -> LoadResult:
    """Read both roster files and report every problem found, never raising on bad input."""
    data_dir = Path(data_dir)
    today = today or current_day()
    off_path, ros_path = data_dir / OFFICERS_FILE, data_dir / ROSTER_FILE
    off_src, diagnostics = read_yaml(off_path, _display(off_path))
    ros_src, more = read_yaml(ros_path, _display(ros_path))
    diagnostics += more
    officers, officers_part, more = _validate(OfficersFile, off_src)
    diagnostics += more
    roster_file, roster_part, more = _validate(RosterFile, ros_src)
    diagnostics += more
    diagnostics += repeated_entries(off_src) + repeated_entries(ros_src)
    roster = None
    if officers_part is not None and roster_part is not None:
        diagnostics += check_structure(officers_part.model, roster_part.model, off_src.renumbered(officers_part.positions),
                                       ros_src.renumbered(roster_part.positions), data_dir)
        ready = checkable(officers_part, roster_part, [d for d in diagnostics if d.is_error], ros_src.file,
                          _counts(ros_src), data_dir.resolve(), _updated(off_path, ros_path))
        more, skipped = check_coverage(ready, off_src, ros_src, today, roster_part.defaulted)
        diagnostics += more
        if officers is not None and roster_file is not None:
            roster = ready.roster
    else:
        unread = [src.file for src, part in ((off_src, officers_part), (ros_src, roster_part)) if part is None]
        skipped = [whole_roster_skipped(unread)]
    diagnostics.sort(key=Diagnostic.sort_key)
    if any(d.is_error for d in diagnostics):
        roster = None  # a roster with errors is never handed to anyone who might publish it
    return LoadResult(roster, tuple(diagnostics), tuple(skipped))


def load_roster(data_dir: str | Path, today: date | None = None) -> Roster:
    """The roster, or RosterError carrying every diagnostic when it has errors."""
    result = load(data_dir, today)
    if not result.ok:
        raise RosterError(list(result.diagnostics))
    return result.roster
