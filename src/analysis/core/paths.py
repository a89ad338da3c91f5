"""Where things live in the repository.

Every path is derived from the repository root so notebooks, tests and the build
agree whatever the working directory. ``FOSTERING_ROOT`` overrides the root (the
tests use it to build into a temporary copy).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

ROOT = Path(os.environ.get("FOSTERING_ROOT", Path(__file__).resolve().parents[3]))

DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
DFE = RAW / "dfe"
# Synthetic example extracts shipped with the repository (tracked in git).
EXAMPLE = RAW / "example"
# Real extracts go here; git ignores everything below it.
EXTRACTS = RAW / "extracts"
# One folder per council: configuration, published figures, extract layouts.
COUNCILS = ROOT / "councils"
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
DOCS = ROOT / "docs"


def raw_dir(source: str | os.PathLike[str] = "example", council: str | None = None) -> Path:
    """The folder holding one council's yearly record-level extracts.

    ``"example"`` is the shipped synthetic data (``data/raw/example/<council>``),
    ``"extracts"`` the analyst's real files (``data/raw/extracts/<council>``); any other
    value is taken as a path (relative to the repository root) holding that council's
    ``recruitment/``, ``retention/`` and ``ssda903/`` folders. ``council`` is a slug; the
    default council when it is None.
    """
    if str(source) in ("example", "extracts"):
        if council is None:
            from analysis.council.config import default_slug

            council = default_slug(ROOT)
        return (EXAMPLE if str(source) == "example" else EXTRACTS) / council
    path = Path(source)
    return path if path.is_absolute() else ROOT / path


def source_slug(raw: str | os.PathLike[str]) -> str:
    """A short name for a data source, used to keep its outputs apart from other sources':
    ``example``, ``extracts``, or for any other folder its name and a hash of where it is
    (two folders of the same name never share outputs). A folder inside the shipped example
    data or the extracts folder is that source."""
    if str(raw) in ("example", "extracts"):
        return str(raw)
    where = Path(raw).expanduser()
    where = (where if where.is_absolute() else ROOT / where).resolve()
    for name, base in (("example", EXAMPLE), ("extracts", EXTRACTS)):
        if where == base.resolve() or base.resolve() in where.parents:
            return name
    digest = hashlib.sha256(str(where).encode()).hexdigest()[:8]
    return f"folder-{where.name or 'root'}-{digest}"


def processed_dir(council: str, raw: str | os.PathLike[str]) -> Path:
    """``data/processed/<council>/<source>/``: derived tables of one council and data source,
    never overwriting another's."""
    return PROCESSED / council / source_slug(raw)
