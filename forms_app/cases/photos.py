"""Residents' photos: checked with Pillow, re-encoded so that no EXIF (GPS, camera, time) or
other metadata survives, and kept under the instance folder with a random name.

Re-encoding draws the pixels into a fresh image, which carries no metadata at all; the EXIF
orientation is applied first, so a phone photo still stands the right way up.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import io
import secrets
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from ..extensions import db
from ..models import Case, CasePhoto

MAX_PHOTOS = 3
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 5 MB file may still unpack to gigabytes (a "decompression bomb")
# A PNG cannot be decoded at a reduced scale, so its whole pixel count is unpacked: a phone's PNG
# is a screenshot, well under this. A JPEG is decoded at 1/2, 1/4 or 1/8 scale (Image.draft).
MAX_PNG_PIXELS = 16_000_000
MAX_SIDE = 2560  # kept photos are at most this wide or high; enough to read a notice or a crack
# One photo decoded at a time per process: four residents uploading at once on a gthread worker
# wait a second for each other instead of holding four decoded photos (up to 4 × 3 × 64 MB).
_DECODING = threading.BoundedSemaphore(1)


def _give_big_buffers_back() -> None:
    """glibc serves large allocations with mmap only until the first ones are freed; after that it
    raises its threshold and takes them from heaps that it keeps when freed, so a worker that
    decoded four big photos at once stayed ~230 MB bigger for good (bench/photos.py). Fixing the
    threshold at 1 MiB keeps every photo buffer a mapping of its own, given back when freed. Other
    C libraries (musl) give large blocks back anyway; without glibc this does nothing."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        mallopt = libc.mallopt if libc is not None else None
    except (OSError, AttributeError):
        return
    if mallopt is not None:
        mallopt(-3, 1024 * 1024)  # M_MMAP_THRESHOLD (malloc.h)


_give_big_buffers_back()

FORMATS = {"JPEG": ("jpg", "image/jpeg"), "MPO": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}


class PhotoError(Exception):
    """The file cannot be taken; ``message`` tells the resident why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes  # re-encoded, without metadata
    extension: str
    content_type: str


def read_limited(stream, label: str) -> bytes:
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PhotoError(f"照片“{label}”超过 5 MB，请换一张小一点的，或截图后再传")
    return data


def clean(data: bytes, label: str = "") -> CleanPhoto:
    """Verify ``data`` is a JPEG or PNG picture and return it re-encoded without metadata."""
    wrong = PhotoError(f"“{label}”不是 JPG 或 PNG 格式的照片，只能上传这两种格式")
    if len(data) > MAX_BYTES:
        raise PhotoError(f"照片“{label}”超过 5 MB，请换一张小一点的，或截图后再传")
    try:
        with _DECODING, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise wrong
                probe.verify()  # structure and checksums; the image must be opened again after this
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                # from the header, before any pixel is decoded
                limit = MAX_PNG_PIXELS if image.format == "PNG" else MAX_PIXELS
                if width * height > limit or width < 1 or height < 1:
                    raise PhotoError(f"照片“{label}”的尺寸太大（超过 {limit // 1_000_000} 百万像素），"
                                     "请换一张，或截图后再传")
                extension, content_type = FORMATS[image.format]
                if extension == "jpg":
                    image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode at the smallest scale still this big
                image.load()
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                upright = ImageOps.exif_transpose(image)
            if extension == "jpg":
                mode = "RGB"
            else:
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
                mode = "RGBA" if has_alpha else "RGB"
            pixels = upright.convert(mode)
            fresh = Image.new(mode, pixels.size)  # a new image: no EXIF, XMP, ICC, comments or text chunks
            fresh.paste(pixels)
            out = io.BytesIO()
            if extension == "jpg":
                fresh.save(out, "JPEG", quality=85, optimize=True)
            else:
                fresh.save(out, "PNG", optimize=True)
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise wrong from None
    return CleanPhoto(out.getvalue(), extension, content_type)


THUMBNAIL_SIDE = 160


def thumbnail(photo: CleanPhoto) -> bytes:
    """A small JPEG of a cleaned photo, for the form that shows the photos kept for a retry."""
    with _DECODING, Image.open(io.BytesIO(photo.data)) as image:
        image.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        small = image.convert("RGB")
        small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        out = io.BytesIO()
        small.save(out, "JPEG", quality=70)
    return out.getvalue()


def upload_dir() -> Path:
    """instance/uploads, or UPLOAD_DIR when set (tests, or a shared volume behind several hosts)."""
    return Path(current_app.config.get("UPLOAD_DIR") or Path(current_app.instance_path) / "uploads")


def save(case: Case, photos: list[CleanPhoto]) -> list[Path]:
    """Write the files and add their CasePhoto rows (the caller commits); returns the paths so that
    the caller can remove them if the transaction fails."""
    written = []
    folder = upload_dir()
    if photos:
        folder.mkdir(parents=True, exist_ok=True)
    for photo in photos:
        filename = f"{secrets.token_hex(16)}.{photo.extension}"
        path = folder / filename
        with open(path, "xb") as handle:
            handle.write(photo.data)
        written.append(path)
        db.session.add(CasePhoto(case_id=case.id, filename=filename, content_type=photo.content_type,
                                 size=len(photo.data)))
    return written


def remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def remove_photo(filename: str) -> None:
    """Delete one stored photo by its stored name (used by the retention purge)."""
    remove([upload_dir() / Path(filename).name])
