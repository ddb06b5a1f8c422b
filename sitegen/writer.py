"""The one writer that owns the site source folder: it clears what it generated and writes anew."""
from __future__ import annotations

import shutil
from pathlib import Path

REPO_SOURCE = Path(__file__).resolve().parent.parent / "site_src"
# What python build.py generates under site_src/ (git-ignored); everything else there is written by hand.
GENERATED = ("index.md", "stations", "officers", "streets", "data")
HANDWRITTEN = ("assets", "about.md")


def write_source(files: dict[str, str | bytes], src_dir: Path) -> int:
    """Replace the generated part of ``src_dir`` with ``files``; return how many were written."""
    src_dir.mkdir(parents=True, exist_ok=True)
    if src_dir.resolve() != REPO_SOURCE:
        for name in HANDWRITTEN:
            source, target = REPO_SOURCE / name, src_dir / name
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            elif source.is_file():
                shutil.copy2(source, target)
    for name in GENERATED:
        target = src_dir / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    made: set[Path] = set()
    for relative, content in files.items():
        path = src_dir / relative
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return len(files)
