"""Photos kept for a resident's retry: when the complaint form comes back with a mistake, the
photos already chosen wait on disk, cleaned, so the resident does not have to pick them again.

A browser cannot be handed a file back, so the server keeps them, under the upload folder in
``pending/<token>/``: the files as ``photos.clean`` left them (no EXIF), a small thumbnail of
each for the form, and a manifest with the name the file had on the phone and when it was kept.
The token travels in the form as a hidden field and is bound to the browser's session: a token
copied into another browser claims nothing. Nothing is written to the database, so a refused
request still changes no table. A kept photo lives at most ``KEEP`` (one hour): whatever claims
it after that finds nothing and deletes it, and ``flask purge-expired`` deletes the rest; a
complaint that is filed takes its photos and deletes the folder.
"""
from __future__ import annotations

import base64
import json
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import session

from .. import clock
from ..clock import naive
from ..inputs import without_hostile
from . import photos

KEEP = timedelta(hours=1)
SESSION_KEY = "pending_photos"
TOKENS_IN_SESSION = 3  # a few tabs of the form at once
TOKEN = re.compile(r"[0-9a-f]{32}")
MANIFEST = "manifest.json"
LABEL_MAX = 60


@dataclass(frozen=True)
class Kept:
    """One photo waiting for the retry."""

    number: int  # its place in the folder, what the form's "remove" box names
    label: str  # the file's name on the phone, for the resident to recognise it
    thumbnail: str  # a data: URI (the page's CSP allows data: images; no route, no request)
    photo: photos.CleanPhoto


def area() -> Path:
    return photos.upload_dir() / "pending"


def _folder(token: str | None) -> Path | None:
    """The folder of ``token`` if this session holds it; None for anything else (also a path in disguise)."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token) or token not in session.get(SESSION_KEY, []):
        return None
    return area() / token


def _manifest(folder: Path) -> dict | None:
    try:
        found = json.loads((folder / MANIFEST).read_text("utf-8"))
        created = datetime.fromisoformat(found["created"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return found if isinstance(found.get("photos"), list) and isinstance(created, datetime) else None


def _expired(manifest: dict, now: datetime) -> bool:
    return datetime.fromisoformat(manifest["created"]) + KEEP < naive(now)


def claim(token: str | None) -> list[Kept]:
    """The photos kept under ``token`` for this session, oldest first; [] when the token is not
    this session's, or its hour is over (the folder is then deleted)."""
    folder = _folder(token)
    if folder is None or not folder.is_dir():
        return []
    manifest = _manifest(folder)
    if manifest is None or _expired(manifest, clock.now()):
        forget(token)
        return []
    found = []
    for entry in manifest["photos"]:
        try:
            data = (folder / Path(entry["file"]).name).read_bytes()
            thumb = (folder / Path(entry["thumb"]).name).read_bytes()
            found.append(Kept(int(entry["number"]), str(entry["label"]), "data:image/jpeg;base64,"
                              + base64.b64encode(thumb).decode("ascii"),
                              photos.CleanPhoto(data, entry["extension"], entry["content_type"])))
        except (OSError, KeyError, TypeError, ValueError):
            continue  # a file that went missing is simply not offered again
    return found


def keep(token: str | None, kept: list[Kept], chosen: list[tuple[str, photos.CleanPhoto]]) -> str | None:
    """Keep ``kept`` (already under ``token``) and the newly ``chosen`` (name on the phone, cleaned
    photo) for the retry; returns the token to put in the form, None when nothing is kept."""
    folder = _folder(token)
    if folder is None or not folder.is_dir():
        if not chosen:
            return None
        token = secrets.token_hex(16)
        folder = area() / token
        folder.mkdir(parents=True)
        session[SESSION_KEY] = ([token] + [t for t in session.get(SESSION_KEY, []) if t != token])[:TOKENS_IN_SESSION]
        created = naive(clock.now())
    else:
        manifest = _manifest(folder)
        created = datetime.fromisoformat(manifest["created"]) if manifest else naive(clock.now())
    entries = [{"number": k.number, "label": k.label, "file": f"{k.number}.{k.photo.extension}",
                "thumb": f"{k.number}.thumb.jpg", "extension": k.photo.extension, "content_type": k.photo.content_type}
               for k in kept]
    number = max((k.number for k in kept), default=0)
    for label, photo in chosen:
        number += 1
        entry = {"number": number, "label": _label(label), "file": f"{number}.{photo.extension}",
                 "thumb": f"{number}.thumb.jpg", "extension": photo.extension, "content_type": photo.content_type}
        (folder / entry["file"]).write_bytes(photo.data)
        (folder / entry["thumb"]).write_bytes(photos.thumbnail(photo))
        entries.append(entry)
    if not entries:
        forget(token)
        return None
    (folder / MANIFEST).write_text(json.dumps({"created": created.isoformat(), "photos": entries}), "utf-8")
    return token


def drop(token: str | None, kept: list[Kept], numbers: set[str]) -> list[Kept]:
    """Remove the kept photos whose numbers the resident ticked; returns the rest."""
    folder = _folder(token)
    if folder is None:
        return kept
    left = []
    for item in kept:
        if str(item.number) in numbers:
            for name in (f"{item.number}.{item.photo.extension}", f"{item.number}.thumb.jpg"):
                (folder / name).unlink(missing_ok=True)
        else:
            left.append(item)
    return left


def forget(token: str | None) -> None:
    """Delete the folder of ``token`` (this session's only) and unbind it."""
    folder = _folder(token)
    if folder is None:
        return
    shutil.rmtree(folder, ignore_errors=True)
    session[SESSION_KEY] = [t for t in session.get(SESSION_KEY, []) if t != token]


def purge_expired(now: datetime | None = None) -> int:
    """Delete every kept folder whose hour is over, or that cannot be read (``flask purge-expired``)."""
    now = now or clock.now()
    root = area()
    if not root.is_dir():
        return 0
    count = 0
    for folder in root.iterdir():
        manifest = _manifest(folder) if folder.is_dir() else None
        if manifest is None and folder.is_dir() and _young(folder, now):
            continue  # being written this moment: its manifest comes last
        if manifest is None or _expired(manifest, now):
            shutil.rmtree(folder, ignore_errors=True) if folder.is_dir() else folder.unlink(missing_ok=True)
            count += 1
    return count


def _young(folder: Path, now: datetime) -> bool:
    """Made within the hour by the file system's clock (a folder without its manifest yet)."""
    return datetime.fromtimestamp(folder.stat().st_mtime, tz=now.tzinfo) + KEEP > now


def _label(name: str) -> str:
    """The file's name on the phone without its folders or control characters, short."""
    base = without_hostile(Path(str(name).replace("\\", "/")).name, multi_line=False)
    return "".join(char for char in base if char.isprintable())[:LABEL_MAX] or "照片"
