"""Where things live in the repository.

Every path is derived from the repository root so notebooks, tests and the build
agree whatever the working directory. ``FOSTERING_ROOT`` overrides the root (the
tests use it to build into a temporary copy).
"""

from __future__ import annotations

import hashlib
import os
import re
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


# Set by the report build for each appendix: where that appendix's derived tables go
# until it has succeeded (see :func:`processed_dir`).
STAGING_ENV = "FOSTERING_PROCESSED_STAGING"


def processed_dir(council: str, raw: str | os.PathLike[str]) -> Path:
    """``data/processed/<council>/<source>/``: derived tables of one council and data source,
    never overwriting another's.

    In the report build each appendix writes them into its own staging folder instead
    (:data:`STAGING_ENV`), which the build moves into ``data/processed/`` only when the
    appendix has succeeded: a failed or interrupted appendix writes nothing there."""
    staging = os.environ.get(STAGING_ENV)
    return (Path(staging) if staging else PROCESSED) / council / source_slug(raw)


EXTRACT_SUFFIXES = (".csv", ".xlsx")
_YEAR = re.compile(r"^(\d{4})-(\d{2})(?!\d)")


def yearly_files(folder: Path, prefix: str) -> dict[str, Path]:
    """Financial year label -> its file, for every file in ``folder`` whose name starts with
    ``prefix`` (any case) then the year, as ``<prefix>2024-25[anything].csv`` or ``.xlsx``.

    A file with the prefix whose name gives no financial year, that is neither CSV nor
    XLSX, or a second file for a year stops the run naming the file: never left out
    silently. Office's lock files (``~$...``) and hidden files are not extracts."""
    from analysis.core.errors import InputError
    from analysis.core.years import FinancialYear, YearError

    example = f"{prefix}2024-25.csv"
    found: dict[str, Path] = {}
    files = sorted(p for p in Path(folder).iterdir() if p.is_file()) if folder.is_dir() else []
    for path in files:
        name = path.name
        if name.startswith(("~$", ".")) or not name.lower().startswith(prefix.lower()):
            continue
        if path.suffix.lower() not in EXTRACT_SUFFIXES:
            raise InputError(
                path,
                f"an extract must be a .csv or .xlsx file, not {path.suffix or 'unnamed'!r}",
                hint=f"save it as CSV UTF-8 or as an Excel workbook, named like {example}",
            )
        match = _YEAR.match(name[len(prefix) :])
        try:
            year = FinancialYear.parse(match.group(0)).label if match else None
        except YearError:
            year = None
        if year is None:
            raise InputError(
                path,
                "the file name gives no financial year after its prefix",
                hint=f"name it with the year it covers, like {example} (the year 2024-25 runs "
                "from 1 April 2024 to 31 March 2025); nothing else in the folder is affected",
            )
        if year in found:
            raise InputError(
                path,
                f"a second extract for {year}, beside {found[year].name}",
                hint="keep one file per year in the folder (move the other out of it)",
            )
        found[year] = path
    return found
