"""The analyses the report build knows: one notebook each, and the years it has data for.

Each entry says which notebook to run, which years have data, and which input
files a year depends on (for provenance and for deciding what to rebuild).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis import paths


@dataclass(frozen=True)
class Analysis:
    """A notebook and the data it needs.

    ``years()`` lists the year labels with data; ``inputs(year)`` lists every file that
    year's notebook reads (hashed to decide what to rebuild, and printed with SHA-256
    in the export's footer). Either may take a keyword ``raw`` ("example",
    "extracts" or a folder) to answer for another data source; the build passes it
    when they do.
    """

    name: str
    title: str
    years: Callable[[], list[str]]
    inputs: Callable[[str], list[Path]]

    @property
    def notebook(self) -> Path:
        return paths.NOTEBOOKS / f"{self.name}.ipynb"


def _published_years() -> list[str]:
    from analysis import published

    return published.available_years()


def _published_inputs(year: str) -> list[Path]:
    return sorted(paths.PUBLISHED.glob("*.csv"))


ANALYSES: dict[str, Analysis] = {
    "published_trends": Analysis(
        name="published_trends",
        title="Published fostering figures and trends",
        years=_published_years,
        inputs=_published_inputs,
    ),
}
