"""Which years a council's published figures cover, and the files they are read from."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analysis.council.config import Council


def years(council: Council, raw: str = "example") -> list[str]:
    """Years with published figures (the same whatever the extract source)."""
    from analysis.sources.published import load

    if not (council.published / "sources.csv").exists():
        return []
    return load.available_years(council.published)


def inputs(council: Council, year: str, raw: str = "example") -> list[Path]:
    """Every published CSV of the council, and Ofsted's national figures."""
    from analysis.sources.ofsted import national

    return [*sorted(council.published.glob("*.csv")), national.FILE]
