"""Run the MkDocs Material build into a scratch folder and swap it in only when it succeeded."""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

CONFIG_FILE = Path(__file__).resolve().parent.parent / "mkdocs.yml"


class BuildError(Exception):
    """The site could not be built; the previously published site is untouched."""


class _WarningCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _scratch(out_dir: Path, purpose: str) -> Path:
    return out_dir.parent / f".{out_dir.name}-{purpose}-{os.getpid()}"


def _clear_leftovers(out_dir: Path) -> None:
    """Scratch folders of builds that were killed before they could clean up."""
    for stale in out_dir.parent.glob(f".{out_dir.name}-*-*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


def _drop_search_assets(site: Path) -> None:
    """The theme copies its search engine (about 1 MB) even with the search plugin off."""
    for folder in ("assets/javascripts/lunr", "assets/javascripts/workers"):
        shutil.rmtree(site / folder, ignore_errors=True)


def swap_into_place(new_site: Path, out_dir: Path) -> None:
    """Two renames: the old site is kept aside until the new one is in place."""
    old = _scratch(out_dir, "old")
    if out_dir.exists():
        os.replace(out_dir, old)
    try:
        os.replace(new_site, out_dir)
    except OSError:
        if old.exists():
            os.replace(old, out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


def publish_site(src_dir: Path, out_dir: Path, base_url: str, extra: dict) -> None:
    """mkdocs build (strict: any warning fails) into scratch, then swap into ``out_dir``."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _clear_leftovers(out_dir)
    scratch = _scratch(out_dir, "building")
    counter = _WarningCounter()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(counter)
    try:
        config = load_config(str(CONFIG_FILE), docs_dir=str(src_dir), site_dir=str(scratch), site_url=base_url,
                             strict=True)
        config["extra"].update(extra)
        mkdocs_build(config)
        if "search" not in config["plugins"]:
            _drop_search_assets(scratch)
        swap_into_place(scratch, out_dir)
    except (MkDocsException, OSError) as exc:
        details = "; ".join(counter.messages[:5])
        raise BuildError(f"MkDocs 构建失败 / the MkDocs build failed: {exc}" + (f" ({details})" if details else "")) from exc
    finally:
        logger.removeHandler(counter)
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
