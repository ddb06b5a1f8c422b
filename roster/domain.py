"""The loaded roster: both files joined, with the look-ups every consumer needs."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .model import (BUILTIN_ROLES, Assignment, District, DutyException, DutyTable, Officer, Settings, Station,
                    Street, Vacancy)


def _index(items) -> Mapping:
    return MappingProxyType({item.id: item for item in items})


def _group(items, key) -> Mapping:
    grouped: dict[str, list] = {}
    for item in items:
        grouped.setdefault(key(item), []).append(item)
    return MappingProxyType({k: tuple(v) for k, v in grouped.items()})


@dataclass(frozen=True)
class Roster:
    settings: Settings
    officers: tuple[Officer, ...]
    districts: tuple[District, ...]
    streets: tuple[Street, ...]
    stations: tuple[Station, ...]
    assignments: tuple[Assignment, ...]
    exceptions: tuple[DutyException, ...]
    duty_tables: tuple[DutyTable, ...]
    data_dir: Path
    # When the roster files were last changed: printed on posters as the roster's date.
    updated: date
    _officers: Mapping = field(init=False, repr=False, compare=False)
    _stations: Mapping = field(init=False, repr=False, compare=False)
    _streets: Mapping = field(init=False, repr=False, compare=False)
    _districts: Mapping = field(init=False, repr=False, compare=False)
    _by_station: Mapping = field(init=False, repr=False, compare=False)
    _by_officer: Mapping = field(init=False, repr=False, compare=False)
    _by_street: Mapping = field(init=False, repr=False, compare=False)
    roles: Mapping = field(init=False, repr=False, compare=False)
    # Duty expanded into occurrences, by query (schedule.occurrences): the roster never changes,
    # and the form service asks the same question for every booking and booking page.
    occurrence_memo: dict = field(init=False, repr=False, compare=False)
    _board_memo: dict = field(init=False, repr=False, compare=False)  # station → (assignments, officers)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "_officers", _index(self.officers))
        set_(self, "_stations", _index(self.stations))
        set_(self, "_streets", _index(self.streets))
        set_(self, "_districts", _index(self.districts))
        numbered = list(enumerate(self.assignments))
        set_(self, "_by_station", _group(numbered, lambda pair: pair[1].station))
        set_(self, "_by_officer", _group(numbered, lambda pair: pair[1].officer))
        set_(self, "_by_street", _group(self.stations, lambda s: s.street))
        roles = dict(BUILTIN_ROLES)
        roles.update({role.id: role.name for role in self.settings.roles})
        set_(self, "roles", MappingProxyType(roles))
        set_(self, "occurrence_memo", {})
        set_(self, "_board_memo", {})

    def officer(self, officer_id: str) -> Officer:
        return self._officers[officer_id]

    def station(self, station_id: str) -> Station:
        return self._stations[station_id]

    def street(self, street_id: str) -> Street:
        return self._streets[street_id]

    def district(self, district_id: str) -> District:
        return self._districts[district_id]

    def has_officer(self, officer_id: str) -> bool:
        return officer_id in self._officers

    def has_station(self, station_id: str) -> bool:
        return station_id in self._stations

    def role_name(self, role: str) -> str:
        return self.roles.get(role, role)

    def role_order(self, role: str) -> int:
        order = list(self.settings.required_roles) + [r for r in self.roles if r not in self.settings.required_roles]
        return order.index(role) if role in order else len(order)

    def assignments_at(self, station_id: str) -> tuple[Assignment, ...]:
        """Assignments of a station, in board order: required roles first, then by name."""
        return self._board(station_id)[0]

    def _board(self, station_id: str) -> tuple[tuple[Assignment, ...], tuple[Officer, ...]]:
        # Sorted once per station: every booking and booking page asks.
        board = self._board_memo.get(station_id)
        if board is None:
            found = [a for _, a in self._by_station.get(station_id, ())]
            assignments = tuple(sorted(found, key=lambda a: (self.role_order(self.officer(a.officer).role),
                                                             self.officer(a.officer).name)))
            officers: dict[str, Officer] = {}
            for assignment in assignments:
                officers.setdefault(assignment.officer, self.officer(assignment.officer))
            board = self._board_memo[station_id] = (assignments, tuple(officers.values()))
        return board

    def assignments_of(self, officer_id: str) -> tuple[Assignment, ...]:
        return tuple(a for _, a in self._by_officer.get(officer_id, ()))

    def numbered_assignments(self, station: str | None = None,
                             officer: str | None = None) -> list[tuple[int, Assignment]]:
        """(position in roster.yaml's list, assignment), narrowed through the indexes."""
        if station is not None:
            pairs = self._by_station.get(station, ())
        elif officer is not None:
            pairs = self._by_officer.get(officer, ())
        else:
            pairs = tuple(enumerate(self.assignments))
        return [(i, a) for i, a in pairs if officer in (None, a.officer)]

    def stations_of(self, street_id: str) -> tuple[Station, ...]:
        return self._by_street.get(street_id, ())

    def officers_at(self, station_id: str) -> tuple[Officer, ...]:
        return self._board(station_id)[1]

    def streets_of(self, district_id: str) -> tuple[Street, ...]:
        return tuple(s for s in self.streets if s.district == district_id)

    def vacancies_at(self, station_id: str) -> tuple[Vacancy, ...]:
        """The station's declared vacancies for roles nobody there holds (a filled one is stale)."""
        present = {o.role for o in self.officers_at(station_id)}
        return tuple(v for v in self.station(station_id).vacancies if v.role not in present)

    def tables_at(self, station_id: str) -> tuple[DutyTable, ...]:
        return tuple(t for t in self.duty_tables if t.station == station_id)
