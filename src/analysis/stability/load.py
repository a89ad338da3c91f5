"""Which SSDA903 returns a council has, and which files each year's indicators read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core import paths

if TYPE_CHECKING:
    from analysis.council.config import Council


def years(council: Council, raw: str = "example") -> list[str]:
    """The years with returns for ``council`` (the build's interface)."""
    from analysis.stability import report

    where = report.folder(paths.raw_dir(raw, council.slug))
    return report.available_years(where) if where.is_dir() else []


def inputs(council: Council, year: str, raw: str = "example") -> list[Path]:
    """The returns one year's indicators depend on."""
    from analysis.stability import report

    return report.inputs(report.folder(paths.raw_dir(raw, council.slug)), year)
