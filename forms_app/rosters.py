"""The roster as the form service sees it: reloaded when the files change, last good kept."""
from __future__ import annotations

import logging
import gc
import os
import threading
from pathlib import Path

import roster
from roster.loader import OFFICERS_FILE, ROSTER_FILE

log = logging.getLogger(__name__)


class RosterUnavailable(Exception):
    """No valid roster has been loaded yet."""


class RosterProvider:
    """Checks the files' modification times on each use; a clerk's edit shows without a restart.

    An edit with errors is logged and ignored: the service keeps answering from the last valid
    roster, exactly as the published site does.
    """

    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self._paths = [str(self.data_dir / name) for name in (OFFICERS_FILE, ROSTER_FILE)]  # stat()ed every request
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._roster: roster.Roster | None = None

    def _current_stamp(self) -> tuple:
        stamps = []
        for path in self._paths:
            try:
                stat = os.stat(path)
                stamps.append((stat.st_mtime_ns, stat.st_size))
            except OSError:
                stamps.append(None)
        return tuple(stamps)

    def get(self) -> roster.Roster:
        stamp = self._current_stamp()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    result = roster.load(self.data_dir)
                    self._stamp = stamp
                    if result.ok:
                        self._roster = result.roster
                        # A city's roster is hundreds of thousands of immutable objects; without this,
                        # every full garbage collection walks them all, in the middle of a request.
                        gc.collect()
                        gc.freeze()
                    else:
                        log.error("roster in %s has %d error(s); keeping the last valid one:\n%s", self.data_dir,
                                  len(result.errors), "\n".join(d.format() for d in result.errors[:10]))
        if self._roster is None:
            raise RosterUnavailable(str(self.data_dir))
        return self._roster


def current_roster() -> roster.Roster:
    from flask import current_app

    return current_app.extensions["roster_provider"].get()
