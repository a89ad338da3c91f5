"""The analyses the report build knows: one notebook each, one domain subpackage each.

Every domain exposes the same small interface in its ``load`` module:
``years(council, raw)`` lists the years with data and ``inputs(council, year, raw)``
lists every file that year's notebook reads (hashed to decide what to rebuild, and
listed with SHA-256 in the export's footer); ``shared_inputs(council, year, raw)`` those
another appendix's shared disclosure decision reads of them. ``council`` is a
:class:`analysis.council.config.Council`; ``raw`` is the notebook parameter of the same
name ("example", "extracts" or a folder).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.core import paths

if TYPE_CHECKING:
    from analysis.council.config import Council


@dataclass(frozen=True)
class Analysis:
    """A notebook and the domain module that says which years and files it reads."""

    name: str
    title: str
    source: str  # a module with years(council, raw) and inputs(council, year, raw)
    # What the index says when the council supplied no extract of this kind.
    needs: str = "data"
    # Analyses whose data this one's disclosure decision also reads (counts of the same
    # records, decided once for the year's set: analysis.disclosure.shared).
    shares: tuple[str, ...] = ()
    # Each year's page is decided with last year's page beside it
    # (analysis.disclosure.earlier): the build runs its years in order.
    follows: bool = False

    @property
    def notebook(self) -> Path:
        return paths.NOTEBOOKS / f"{self.name}.ipynb"

    def years(self, council: Council, raw: str = "example") -> list[str]:
        return import_module(self.source).years(council, raw)

    def inputs(self, council: Council, year: str, raw: str = "example") -> list[Path]:
        """The files the year's notebook reads: its own, and of each shared analysis those
        the shared disclosure decision reads (``shared_inputs``), not all its page reads."""
        found = list(import_module(self.source).inputs(council, year, raw))
        for other in self.shares:
            source = import_module(by_name()[other].source)
            if year in source.years(council, raw):
                found += [p for p in source.shared_inputs(council, year, raw) if p not in found]
        return found


ANALYSES: tuple[Analysis, ...] = (
    Analysis(
        "published_trends",
        "Published fostering figures and trends",
        "analysis.published_trends.load",
        needs="published figures",
    ),
    Analysis(
        "recruitment",
        "Recruitment drop-off: from enquiry to approval",
        "analysis.recruitment.load",
        needs="enquiry extracts",
        shares=("retention",),
    ),
    Analysis(
        "retention",
        "Carer retention and capacity",
        "analysis.retention.load",
        needs="household register extracts",
        shares=("recruitment", "placement_stability"),
        follows=True,
    ),
    Analysis(
        "placement_stability",
        "Placement stability (DfE indicators from the SSDA903 return)",
        "analysis.stability.load",
        needs="SSDA903 returns",
        shares=("retention",),
    ),
)


def by_name(analyses: tuple[Analysis, ...] = ANALYSES) -> dict[str, Analysis]:
    """The analyses keyed by name."""
    return {a.name: a for a in analyses}
