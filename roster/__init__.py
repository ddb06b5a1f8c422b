"""The roster core shared by the site generator and the form service.

``load(data_dir)`` reads ``officers.yaml`` and ``roster.yaml`` and returns the immutable
model together with every problem found; nothing else in the project parses YAML.
"""
from .diagnostics import Diagnostic, RosterError, Skipped
from .domain import Roster
from .loader import LoadResult, load, load_roster
from .schedule import TZ, Occurrence, occurrences

__all__ = ["Diagnostic", "LoadResult", "Occurrence", "Roster", "RosterError", "Skipped", "TZ", "load", "load_roster",
           "occurrences"]
