"""Where things live in the repository.

Every path is derived from the repository root so notebooks, tests and the build
agree whatever the working directory. ``FOSTERING_ROOT`` overrides the root (the
tests use it to build into a temporary copy).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("FOSTERING_ROOT", Path(__file__).resolve().parents[2]))

DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
PUBLISHED = RAW / "published"
DFE = RAW / "dfe"
# Synthetic example extracts shipped with the repository (tracked in git).
EXAMPLE = RAW / "example"
# Real extracts go here; git ignores everything below it.
EXTRACTS = RAW / "extracts"
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
DOCS = ROOT / "docs"


def raw_dir(source: str | os.PathLike[str] = "example") -> Path:
    """The folder holding the yearly record-level extracts.

    ``"example"`` is the shipped synthetic data, ``"extracts"`` the analyst's real
    files; any other value is taken as a path (relative to the repository root).
    """
    if str(source) == "example":
        return EXAMPLE
    if str(source) == "extracts":
        return EXTRACTS
    path = Path(source)
    return path if path.is_absolute() else ROOT / path
