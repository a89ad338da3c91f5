"""The shared counts of a council-year's appendices, read from every source of them.

:mod:`analysis.disclosure.shared` says how one decision holds across the year's pages;
this module reads the data the decision is taken from (the enquiry extracts, the
household register and the SSDA903 returns), so that each notebook can take the same
decision from the data alone, whatever order, kernel or route it runs in. Kept apart
from :mod:`~analysis.disclosure.shared` so that a page importing the disclosure rules does
not depend on every domain's code; only the notebooks that show shared counts do.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from analysis.disclosure.shared import APPROVALS, CONNECTED, PATTERNS, decide, name

if TYPE_CHECKING:
    from analysis.council.config import Council

# The appendices whose data count each set of shared records.
SOURCES = {
    APPROVALS: ("recruitment", "retention"),
    CONNECTED: ("retention", "placement_stability"),
}


def decision(
    council: Council,
    year: str,
    raw: str | Path = "example",
    analysis: str | None = None,
    data: object = None,
) -> dict[str, bool]:
    """The set's decision on the shared counts of ``year``'s appendices, from every source
    the council has of them (enquiry extracts, household register, SSDA903 returns); for
    ``analysis``, only the records its page shows (so it reads only their sources).

    ``data`` is what ``analysis``'s notebook has already read (recruitment's ``Loaded``,
    retention's ``Register``, stability's ``Year``), so it is not read again; the same
    counts come from it as from reading the files."""
    records = set(PATTERNS[analysis].values()) if analysis else set(SOURCES)
    reading = {a for r in records for a in SOURCES[r]}
    reading = {a for a in reading if year in _years(a, council, raw)}
    found: dict[str, list[float]] = {}

    def add(kind: str, y: str, n: float) -> None:
        if kind in records and y <= year:
            found.setdefault(name(kind, y), []).append(float(n))

    for source in sorted(reading):
        given = data if source == analysis else None
        for kind, y, n in _counts(source, council, year, raw, given):
            add(kind, y, n)
    return decide(found)


def _counts(
    analysis: str, council: Council, year: str, raw: str | Path, data: object = None
) -> list[tuple[str, str, float]]:
    """(records, year, count) of every shared count ``analysis``'s data give for ``year``
    (read from the files unless ``data`` is what its notebook read)."""
    from analysis.core import paths

    where = paths.raw_dir(raw, council.slug)
    if analysis == "recruitment":
        from analysis.recruitment.load import load
        from analysis.recruitment.measures import period_vs_cohort

        loaded = data or load(year, where, council)
        table = period_vs_cohort(loaded.households, loaded.years)
        years = table["Year"].str.replace("/", "-")  # the page writes 2024/25
        return [(APPROVALS, y, n) for y, n in zip(years, table["Approvals"], strict=True)]
    if analysis == "retention":
        from analysis.retention.load import load_register
        from analysis.retention.measures import connected_persons, flows

        register = data or load_register(year, where, council)
        flow, connected = flows(register), connected_persons(register)
        children = connected["children placed at 31 March"]
        return [
            *((APPROVALS, y, n) for y, n in zip(flow["year"], flow["joiners"], strict=True)),
            *((CONNECTED, y, n) for y, n in zip(connected["year"], children, strict=True)),
        ]
    from analysis.stability import measures, report

    year_data = data or report.load_year(year, council, raw)
    snapshot = measures.snapshot(year_data.history, year_data.year)
    return [(CONNECTED, year, snapshot["Connected persons"])]


def _years(analysis: str, council: Council, raw: str | Path) -> list[str]:
    from analysis.registry import by_name

    return by_name()[analysis].years(council, str(raw))
