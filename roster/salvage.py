"""What of a file with errors can still be checked, numbered as it is written in the file.

One bad entry must not hide the problems of all the others, so the loader goes on checking
with the entries that validate. Every list that leaves an entry out remembers, for each entry
it keeps, where that entry stands in the file (``positions``); the checks number their paths
like the model and ``Source.renumbered`` tells them in the file's numbering, so a message about
the tenth assignment points at the tenth assignment however many before it were left out.
Used only to go on checking, never to publish.
"""
from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, TypeAdapter, ValidationError

from .domain import Roster


@dataclass(frozen=True)
class Salvaged:
    model: BaseModel
    # section → index in the file of each entry the model's list kept
    positions: dict[str, tuple[int, ...]]
    # fields (dotted, e.g. "settings.required_roles") that failed and fell back to their default
    defaulted: frozenset[str] = frozenset()


def whole(model: BaseModel) -> Salvaged:
    """A file that validated as a whole: every entry is where it is written."""
    positions = {}
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if isinstance(value, tuple):
            positions[field.alias or name] = tuple(range(len(value)))
    return Salvaged(model, positions)


def _item_type(annotation):
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) is tuple else None


def _is_model(annotation) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def salvage(model_cls: type[BaseModel], data: dict, prefix: str = "") -> Salvaged:
    """``data`` with every list entry that fails validation left out and every other failing
    field at its default (a required field that fails is an empty list)."""
    kept, positions, defaulted = {}, {}, set()
    for name, field in model_cls.model_fields.items():
        key = field.alias or name
        if key not in data:
            if field.is_required():  # its own message says it is missing; check the rest without it
                kept[name] = ()
            continue
        value = data[key]
        item_type = _item_type(field.annotation)
        if item_type is not None and _is_model(item_type) and isinstance(value, list):
            adapter = TypeAdapter(item_type)
            good, where = [], []
            for index, item in enumerate(value):
                try:
                    good.append(adapter.validate_python(item))
                    where.append(index)
                except ValidationError:
                    pass
            kept[name], positions[key] = tuple(good), tuple(where)
            continue
        try:
            kept[name] = TypeAdapter(Annotated[field.annotation, field]).validate_python(value)
        except ValidationError:
            if _is_model(field.annotation) and isinstance(value, dict):
                inner = salvage(field.annotation, value, prefix=f"{prefix}{key}.")
                kept[name] = inner.model
                defaulted |= inner.defaulted
            else:
                defaulted.add(prefix + key)
                if field.is_required():
                    kept[name] = ()
    # construct, not validate: every part is valid, and a list left empty may be shorter than allowed
    return Salvaged(model_cls.model_construct(**kept), positions, frozenset(defaulted))


@dataclass(frozen=True)
class Checkable:
    """The entries that the checks of a whole roster can use, numbered for ``Source.renumbered``."""

    roster: Roster
    officer_positions: dict[str, tuple[int, ...]]
    roster_positions: dict[str, tuple[int, ...]]
    left_out: dict[str, tuple[int, ...]]  # roster.yaml section → file indices of entries not used
    hours_left_out: tuple[int, ...] = ()  # file indices of stations whose opening hours have errors


def _first_of_each_id(items, where):
    seen, kept, at = set(), [], []
    for item, index in zip(items, where):
        if item.id not in seen:
            seen.add(item.id)
            kept.append(item)
            at.append(index)
    return kept, tuple(at)


def checkable(officers: Salvaged, roster: Salvaged, errors, ros_file: str, written: dict[str, int],
              data_dir, updated) -> Checkable:
    """A consistent roster of the entries without errors.

    Officers and stations that validated all stay (a second entry with the same id does not);
    an assignment, exception or duty table stays only if it has no error and names an officer and
    a station that stayed, so that schedules are expanded only from duty that means what it says.
    ``written`` is the number of entries in each section of roster.yaml as written.
    """
    flawed = {d.path[:2] for d in errors if d.file == ros_file and len(d.path) >= 2 and isinstance(d.path[1], int)}
    people, people_at = _first_of_each_id(officers.model.officers, officers.positions.get("officers", ()))
    stations, stations_at = _first_of_each_id(roster.model.stations, roster.positions.get("stations", ()))
    # opening hours with an error (closing before opening) would flag every duty as outside them
    bad_hours = {d.path[1] for d in errors if d.file == ros_file and d.path[:1] == ("stations",)
                 and d.path[2:3] == ("opening_hours",)}
    stations = [s.model_copy(update={"opening_hours": ()}) if index in bad_hours else s
                for s, index in zip(stations, stations_at)]
    known_people, known_stations = {o.id for o in people}, {s.id for s in stations}

    def sound(section: str, ok) -> tuple[list, tuple[int, ...]]:
        kept, at = [], []
        for item, index in zip(getattr(roster.model, section), roster.positions.get(section, ())):
            if (section, index) not in flawed and ok(item):
                kept.append(item)
                at.append(index)
        return kept, tuple(at)

    assignments, assignments_at = sound("assignments", lambda a: a.officer in known_people
                                        and a.station in known_stations)
    exceptions, exceptions_at = sound("exceptions", lambda e: True)
    tables, tables_at = sound("duty_tables", lambda t: t.station in known_stations
                              and all(e.officer in known_people for e in t.entries))
    model = Roster(settings=roster.model.settings, officers=tuple(people), districts=roster.model.districts,
                   streets=roster.model.streets, stations=tuple(stations), assignments=tuple(assignments),
                   exceptions=tuple(exceptions), duty_tables=tuple(tables), data_dir=data_dir, updated=updated)
    roster_positions = {"stations": stations_at, "assignments": assignments_at, "exceptions": exceptions_at,
                        "duty_tables": tables_at}
    left_out = {section: tuple(sorted(set(range(written.get(section, 0))) - set(at)))
                for section, at in roster_positions.items()}
    return Checkable(model, {"officers": people_at}, roster_positions, left_out, tuple(sorted(bad_hours)))
