"""One disclosure decision for counts two appendices of a year draw from the same records.

Recruitment's approvals in a year and retention's mainstream households joining in that
year count the same households (approved as foster carers in the year), one from the
enquiry extracts and one from the household register. Each appendix is run in its own
kernel (in parallel in the build, or by hand with papermill), so neither can see the
other's page. Instead both call :func:`approvals`, which reads both data sources and
decides, deterministically from the data alone, which of these shared counts the set of
appendices withholds: every year whose count is 1 to 5 in either source. Each page then
registers the decision on its ledger with :func:`apply`:

- a shared count the set withholds is withheld on the page whatever its own value, and
  the page must leave an attacker at least the range :func:`protected_range` for it (not
  just a safe range of its own), so that combining the two pages' ranges, which is
  intersecting them, still leaves it safe;
- a shared count the set shows is never chosen for secondary suppression on either page
  (the other page shows it: it is known to the attacker, like a published figure).

Where a page's own rules (primary or secondary) would withhold a shared count the set
shows, :func:`analysis.disclosure.page.decide` stops with an error rather than show it on
one page and hide it on the other. The attacker's audit of a council-year's pages as one
page (``tests/disclosure/test_built_pages.py``) maps each page's keys through
:attr:`~analysis.disclosure.page.Ledger.shared` to the shared names and audits the union.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.disclosure.suppression import HIGHEST, is_small

if TYPE_CHECKING:
    from analysis.council.config import Council
    from analysis.disclosure.page import Ledger

APPROVALS = "approvals"
# A page's keys for "mainstream households approved in year Y" (regex -> shared name).
# Recruitment: any table's "Approvals" column by year (the period-versus-cohort table and
# months to approval by year of approval). Retention: the flows table's joiners.
PATTERNS = {
    "recruitment": {r"^[^|]+\|(\d{4}-\d{2})\|Approvals$": APPROVALS},
    "retention": {r"^flows\|(\d{4}-\d{2})\|joiners$": APPROVALS},
}


def name(records: str, year: str) -> str:
    """The shared name of a count of ``records`` in ``year`` (the same on every page)."""
    return f"shared|{records}|{year}"


def decide(values: Mapping[str, Iterable[float]]) -> dict[str, bool]:
    """Shared name -> withheld, from each source's value of that count: withheld when any
    source's value is 1 to 5 (two sources that disagree are both protected)."""
    return {key: any(is_small(v) for v in found) for key, found in values.items()}


def protected_range(value: float) -> tuple[float, float]:
    """The range an attacker must be left for a shared count the set withholds, on every
    page: [0, 6] for a count of 1 to 5 (so no intersection of pages' ranges lies within 1 to
    5), one either side otherwise (so none pins it)."""
    return (0.0, HIGHEST + 1.0) if is_small(value) else (value - 1.0, value + 1.0)


def approvals(council: Council, year: str, raw: str | Path = "example") -> dict[str, bool]:
    """The set's decision on approvals in each year up to ``year``, from the enquiry
    extracts and the household register (whichever the council has)."""
    from analysis.core import paths
    from analysis.core.years import FinancialYear

    where = paths.raw_dir(raw, council.slug)
    found: dict[str, list[float]] = {}
    if year in _years("recruitment", council, raw):
        from analysis.recruitment.load import load
        from analysis.recruitment.measures import period_vs_cohort

        loaded = load(year, where, council)
        table = period_vs_cohort(loaded.households, loaded.years)
        for y, n in zip(table["Year"], table["Approvals"], strict=True):
            found.setdefault(name(APPROVALS, y), []).append(float(n))
    if year in _years("retention", council, raw):
        from analysis.retention.load import load_register
        from analysis.retention.measures import flows

        flow = flows(load_register(year, where, council))
        for y, n in zip(flow["year"], flow["joiners"], strict=True):
            if FinancialYear.parse(y) <= FinancialYear.parse(year):
                found.setdefault(name(APPROVALS, y), []).append(float(n))
    return decide(found)


def _years(analysis: str, council: Council, raw: str | Path) -> list[str]:
    from analysis.registry import by_name

    return by_name()[analysis].years(council, str(raw))


def apply(ledger: Ledger, analysis: str, decision: Mapping[str, bool]) -> None:
    """Put the set's decision on ``analysis``'s page: its keys for shared records (by
    :data:`PATTERNS`) are mapped to their shared names, and each shared name's decision is
    recorded, for :func:`analysis.disclosure.page.decide` to hold to. Keys registered
    later are matched too (the ledger keeps the patterns)."""
    ledger.patterns.update(PATTERNS[analysis])
    ledger.fixed.update(decision)


def shared_name(key: str, patterns: Mapping[str, str]) -> str | None:
    """The shared name of a page key, or None when it counts no shared records."""
    for pattern, records in patterns.items():
        match = re.match(pattern, key)
        if match:
            return name(records, match.group(1))
    return None


def combine(
    pages: Mapping[str, tuple[Ledger, Iterable[str]]],
) -> tuple[Ledger, set[str], list[str]]:
    """A council-year's pages as one page, for the attacker's audit: (ledger, withheld,
    problems).

    ``pages`` maps each page's name to its ledger and withheld keys. Each page's keys are
    prefixed with its name, except keys counting shared records, which take their shared
    name, so the two pages' counts of the same households are one number to the attacker
    and every page's relations constrain it. Problems: a shared count one page shows and
    another withholds, or that two pages state as different values.
    """
    from analysis.disclosure.page import Ledger

    union, withheld, problems = Ledger(), set(), []
    where: dict[str, dict[str, bool]] = {}  # shared name -> page -> withheld there
    for page, (ledger, hidden) in pages.items():
        names = ledger.shared()

        def rename(key: str, page: str = page, names: dict[str, str] = names) -> str:
            return names.get(key, f"{page}:{key}")

        hidden = set(hidden)
        for key, value in ledger.values.items():
            new = rename(key)
            if new in union.values and union.values[new] != value:
                problems.append(f"{new} is {union.values[new]:g} on one page, {value:g} on {page}")
                continue
            union.add(new, value, published=key in ledger.published, stated=key in ledger.stated)
        for relation in ledger.relations:
            mapped: dict[str, float] = {}
            for key, weight in relation.items():
                mapped[rename(key)] = mapped.get(rename(key), 0.0) + weight
            if mapped not in union.relations:
                union.relations.append(mapped)
        withheld |= {rename(k) for k in hidden}
        for key, shared in names.items():
            where.setdefault(shared, {})[page] = key in hidden
    for shared, seen in sorted(where.items()):
        if not all(seen.values()):
            withheld.discard(shared)  # one page shows it: the attacker knows it
        if len(set(seen.values())) > 1:
            shown = sorted(p for p, h in seen.items() if not h)
            held = sorted(p for p, h in seen.items() if h)
            problems.append(
                f"{shared} is shown on {', '.join(shown)}, withheld on {', '.join(held)}"
            )
    return union, withheld, problems
