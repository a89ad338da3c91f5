"""Last year's page of the same appendix, held to on this year's page.

A reader keeps last year's appendix and reads this year's beside it (red team 20). Two
things then go wrong that no single page shows:

- a cumulative count (households that left within 5 years of approval, the life table's
  leavers after 10 years, as at each 31 March) shown on both pages subtracts into this
  year's few: 41 ceased by 2025 less 36 by 2024 is 5 of this year's leavers;
- the same figure (a past year's row of a trend table, a cohort whose window has closed)
  shown on one page and withheld on the other gives back what the other page withheld
  to protect a count of 1 to 5.

So each year's public page is decided with last year's decision in its ledger
(:meth:`analysis.disclosure.page.Ledger.follow`): the same count of the same value follows
last year's decision (shown there: never withheld here, for it is known; withheld there:
withheld here too); a growing count that grew is last year's count, as that page showed
it (known) or withheld it, plus this year's increment, and an increment of 1 to 5 is
protected like a count of 1 to 5. Last year's page was itself decided against the year
before, so the chain runs back to the first year with data.

Last year's decision is read from its executed notebook, where the report build puts it
(``reports/<council>/<source>/<year>/<analysis>.ipynb``); the build runs an appendix's
years in order for this. A page whose last year has data but no built page, or a page
built from other inputs or other code, stops the run naming it: a page decided against a
stale or missing decision could show what last year's page withheld.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from analysis.core import paths
from analysis.disclosure.page import EARLIER, Ledger
from analysis.presentation.appendix import LEDGER

if TYPE_CHECKING:
    from analysis.council.config import Council


class Page(Protocol):
    """What :func:`hold` needs of an appendix."""

    ledger: Ledger
    disclosure: str
    fingerprint: str


PACKAGE = Path(__file__).resolve().parents[1]


class EarlierPageError(RuntimeError):
    """Last year's page is missing, unfinished, of another disclosure rule or stale."""


@dataclass(frozen=True)
class Earlier:
    """What last year's page stated: each count -> (its value, whether it was withheld)."""

    year: str
    counts: dict[str, tuple[float, bool]]


def page_path(council: str, raw: str, year: str, analysis: str) -> Path:
    """Where the report build keeps ``analysis``'s executed notebook for ``year``."""
    return paths.REPORTS / council / paths.source_slug(raw) / year / f"{analysis}.ipynb"


def fingerprint(inputs: Iterable[Path]) -> str:
    """SHA-256 of a page's input files (by name and content) and of the ``analysis``
    package and notebooks that decide it: two pages with the same fingerprint were decided
    from the same data by the same code."""
    digest = hashlib.sha256()
    code = sorted(PACKAGE.rglob("*.py")) + sorted(paths.NOTEBOOKS.glob("*.ipynb"))
    for path in [*sorted(Path(p) for p in inputs), *code]:
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest() if path.exists() else b"-")
    return digest.hexdigest()


def read(path: Path, year: str, expected: str) -> Earlier:
    """Last year's decision from its executed notebook at ``path``: it must be a public
    page, complete, and have the ``expected`` fingerprint (same inputs, same code)."""
    shown_year = year.replace("-", "/")
    build = (
        f"build the {shown_year} page first (`make report` builds each appendix's years in "
        f"order; by hand, execute {year} first and keep its executed notebook at {path.name} "
        f"in reports/<council>/<source>/{year}/)"
    )
    if not path.exists():
        raise EarlierPageError(
            f"this page is decided with last year's page beside it, but the {shown_year} "
            f"page has not been built: {build}"
        )
    found = None
    for cell in json.loads(path.read_text(encoding="utf-8")).get("cells", []):
        for output in cell.get("outputs", []):
            found = output.get("data", {}).get(LEDGER, found)
    if found is None or not found.get("closed"):
        raise EarlierPageError(f"the {shown_year} page did not finish: {build}")
    if found.get("disclosure") != "public":
        raise EarlierPageError(
            f"the {shown_year} page kept in reports/ is an internal copy, not the public page "
            f"this page must be decided against: {build}"
        )
    if found.get("fingerprint") != expected:
        raise EarlierPageError(
            f"the {shown_year} page was built from other data or other code than this "
            f"page would decide it with: {build}"
        )
    ledger, hidden = found["ledger"], set(found["hidden"])
    stated = [k for k in ledger["stated"] if not k.startswith(EARLIER)]
    return Earlier(year, {k: (float(ledger["values"][k]), k in hidden) for k in stated})


def hold(
    appendix: Page, analysis: str, council: Council, raw: str, year: str, growing: Iterable[str]
) -> Earlier | None:
    """Decide ``analysis``'s page of ``year`` with last year's decision in its ledger, and
    record what it is decided from for next year's page. None where last year has no data
    (the first year) or the page is not public (an internal copy withholds nothing)."""
    from analysis.core.years import FinancialYear
    from analysis.registry import by_name

    kind = by_name()[analysis]
    appendix.fingerprint = fingerprint(kind.inputs(council, year, raw))
    last = FinancialYear.parse(year).previous.label
    if appendix.disclosure != "public" or last not in kind.years(council, raw):
        return None
    path = page_path(council.slug, raw, last, analysis)
    earlier = read(path, last, fingerprint(kind.inputs(council, last, raw)))
    appendix.ledger.follow(earlier.counts, growing)
    return earlier
