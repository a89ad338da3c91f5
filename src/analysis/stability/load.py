"""Which SSDA903 returns a council has, and which files each year's indicators read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core import paths

if TYPE_CHECKING:
    from analysis.council.config import Council


def years(council: Council, raw: str = "example") -> list[str]:
    """The years with returns for ``council`` (the build's interface)."""
    from analysis.sources.ssda903.load import declared_aliases
    from analysis.stability import report

    where = report.folder(paths.raw_dir(raw, council.slug))
    aliases = declared_aliases(council.layouts)
    return report.available_years(where, aliases) if where.is_dir() else []


def inputs(council: Council, year: str, raw: str = "example") -> list[Path]:
    """The returns one year's indicators depend on, the council's column aliases, and the
    DfE's published statistics and statistical-neighbour model its benchmarks read."""
    from analysis.sources.dfe import areas  # not dfe.stability: a plan imports no pandas

    return [
        *shared_inputs(council, year, raw),
        paths.DFE / areas.STABILITY,
        paths.DFE / areas.NEIGHBOURS,
    ]


def shared_inputs(council: Council, year: str, raw: str = "example") -> list[Path]:
    """What another appendix's disclosure decision reads of this one's data: the returns
    and the council's column aliases (not the DfE's published figures)."""
    from analysis.sources.ssda903.load import declared_aliases
    from analysis.stability import report

    where = report.folder(paths.raw_dir(raw, council.slug))
    aliases = declared_aliases(council.layouts)
    return [*report.inputs(where, year, aliases), council.layouts / "ssda903.toml"]
