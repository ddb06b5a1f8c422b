"""read → validate → model: the only way anything in this project gets a roster."""
from __future__ import annotations

import os
import typing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from .checks import check_coverage, check_structure
from .diagnostics import Diagnostic, RosterError
from .domain import Roster
from .messages import validation_diagnostics
from .model import OfficersFile, RosterFile
from .schedule import TZ, today as current_day
from .source import Source, read_yaml

OFFICERS_FILE = "officers.yaml"
ROSTER_FILE = "roster.yaml"


@dataclass(frozen=True)
class LoadResult:
    roster: Roster | None  # None whenever there is an error
    diagnostics: tuple[Diagnostic, ...]
    # False when errors stopped the checks that need a whole roster (roles per station, clashes,
    # opening hours, next month): fixing the errors may reveal more.
    complete: bool = True

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


def _salvage(model_cls, data: dict):
    """The file with every entry that fails validation left out, or None if even that fails.

    Used only to go on checking references and dates after errors, never to publish.
    """
    kept = {}
    for name, field in model_cls.model_fields.items():
        key = field.alias or name
        if key not in data:
            continue
        value = data[key]
        item_type = typing.get_args(field.annotation)[0] if typing.get_origin(field.annotation) is tuple else None
        if item_type is not None and isinstance(value, list):
            adapter = TypeAdapter(item_type)
            good = []
            for item in value:
                try:
                    good.append(adapter.validate_python(item))
                except ValidationError:
                    pass
            kept[key] = good
        else:
            kept[key] = value
    try:
        return model_cls.model_validate(kept)
    except ValidationError:
        return None


def _validate(model_cls, source: Source) -> tuple[object | None, object | None, list[Diagnostic]]:
    """(model, salvaged model, diagnostics): the model only when the whole file is valid."""
    if not source.ok:
        return None, None, []
    if not isinstance(source.data, dict):
        found = "列表" if isinstance(source.data, list) else "一段文字"
        return None, None, [source.diagnostic((), "top-not-mapping", f"文件最外层应该是“键: 值”的映射，现在是{found}",
                                        "the top level of the file must be a mapping of key: value pairs",
                                        "参照示例文件的开头", "start the file like the example file")]
    try:
        model = model_cls.model_validate(source.data)
        return model, model, []
    except ValidationError as exc:
        return None, _salvage(model_cls, source.data), validation_diagnostics(exc, model_cls, source)


def _updated(*paths: Path) -> date:
    stamps = [p.stat().st_mtime for p in paths if p.exists()]
    return datetime.fromtimestamp(max(stamps), TZ).date() if stamps else current_day()


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
    roster = None
    complete = False
    if officers_part is not None and roster_part is not None:
        structural = check_structure(officers_part, roster_part, off_src, ros_src, data_dir)
        diagnostics += structural
        whole = officers is not None and roster_file is not None
        if whole and not any(d.is_error for d in diagnostics):
            roster = Roster(settings=roster_file.settings, officers=officers.officers,
                            districts=roster_file.districts, streets=roster_file.streets,
                            stations=roster_file.stations, assignments=roster_file.assignments,
                            exceptions=roster_file.exceptions, duty_tables=roster_file.duty_tables,
                            data_dir=data_dir.resolve(), updated=_updated(off_path, ros_path))
            diagnostics += check_coverage(roster, off_src, ros_src, today)
            complete = True
    diagnostics.sort(key=Diagnostic.sort_key)
    if any(d.is_error for d in diagnostics):
        roster = None  # a roster with errors is never handed to anyone who might publish it
    return LoadResult(roster, tuple(diagnostics), complete)


def load_roster(data_dir: str | Path, today: date | None = None) -> Roster:
    """The roster, or RosterError carrying every diagnostic when it has errors."""
    result = load(data_dir, today)
    if not result.ok:
        raise RosterError(list(result.diagnostics))
    return result.roster
