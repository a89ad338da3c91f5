"""Relations between the retention page's counts that its tables do not declare.

Found by reading the built 2024-25 page as an attacker with a pencil would (issue 12).
The "share still fostering" tables count the same mainstream households as the flows
table: all mainstream households are those at the first 1 April plus every year's
joiners, and those that left are every year's leavers; by approval cohort, households
approved before April 2018 are the first year's start and each later cohort is its
years' joiners; by type, mainstream (general) and schemes add up to all mainstream, and
connected persons households are those approved at the first 1 April plus every year's
approvals, those that left every year's deregistrations (the connected persons table). So a
reader can subtract a withheld flow from them (and, through the joiners, which are
recruitment's approvals, from the recruitment page too).

The tables are found by their row labels (they carry no name), and each relation is
declared only where it holds in the page's counts, so a register whose survival data
leave a household out gives no impossible page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from analysis.core.years import FinancialYear
from analysis.presentation.appendix import Appendix

ALL = "All mainstream households"
BEFORE = "approved before April 2018"
BAND = re.compile(r"^approved (\d{4}-\d{2})(?: to (\d{4}-\d{2})| or later)$")
TYPES = ("Mainstream (general)", "Mainstream schemes")
CONNECTED = "Connected persons"


def _relate_if_true(
    app: Appendix, total: str, plus: Iterable[str], minus: Iterable[str] = ()
) -> None:
    """``app.relate(total, plus, minus)`` where every count is on the page and it holds."""
    values = app.ledger.values
    plus, minus = list(plus), list(minus)
    present = all(k in values for k in [total, *plus, *minus])
    if present and values[total] == sum(values[k] for k in plus) - sum(values[k] for k in minus):
        app.relate(total, plus, minus)


def _table_with(app: Appendix, row: str) -> str | None:
    """The name of the table that has a row labelled ``row`` (with a households count)."""
    for key in app.ledger.values:
        table, _, rest = key.partition("|")
        if rest == f"{row}|households":
            return table
    return None


def relate_page(app: Appendix, years: list[str]) -> None:
    """Declare the identities above on ``app`` (call after every table is shown).

    ``years`` are the flows table's years, oldest first.
    """
    joiners = {y: app.cell("flows", y, "joiners") for y in years}
    leavers = [app.cell("flows", y, "leavers") for y in years]
    start = app.cell("flows", years[0], "start")
    everyone = _table_with(app, ALL)
    if everyone:
        _relate_if_true(app, app.cell(everyone, ALL, "households"), [start, *joiners.values()])
        _relate_if_true(app, app.cell(everyone, ALL, "left"), leavers)
    cohorts = _table_with(app, BEFORE)
    if cohorts:
        _relate_if_true(app, app.cell(cohorts, BEFORE, "households"), [start])
        rows = {k.split("|")[1] for k in app.ledger.values if k.startswith(f"{cohorts}|")}
        for row in sorted(rows):
            match = BAND.match(row)
            if not match:
                continue
            first = FinancialYear.parse(match.group(1))
            last = FinancialYear.parse(match.group(2)) if match.group(2) else None
            band = [
                k
                for y, k in joiners.items()
                if FinancialYear.parse(y) >= first
                and (last is None or FinancialYear.parse(y) <= last)
            ]
            _relate_if_true(app, app.cell(cohorts, row, "households"), band)
        if everyone:
            for column in ("households", "left"):
                _relate_if_true(
                    app,
                    app.cell(everyone, ALL, column),
                    [app.cell(cohorts, r, column) for r in sorted(rows)],
                )
    types = _table_with(app, TYPES[0])
    if types and everyone:
        for column in ("households", "left"):
            _relate_if_true(
                app,
                app.cell(everyone, ALL, column),
                [app.cell(types, t, column) for t in TYPES],
            )
    if types:
        _relate_connected(app, types, years)


def _relate_connected(app: Appendix, types: str, years: list[str]) -> None:
    """Connected persons households in the by-type table against the connected table's
    approvals and deregistrations; the households at the first 1 April are not shown (an
    unstated count, known to the attacker only through these relations)."""
    approved = [app.cell("connected", y, "approved") for y in years]
    gone = [app.cell("connected", y, "deregistered") for y in years]
    first = app.cell("connected", years[0], "households at 31 March")
    values = app.ledger.values
    if not all(k in values for k in [*approved, *gone, first]):
        return
    start = f"connected persons households at 1 April {FinancialYear.parse(years[0]).start_year}"
    app.ledger.add(start, values[first] - values[approved[0]] + values[gone[0]], stated=False)
    app.relate(first, [start, approved[0]], [gone[0]])
    _relate_if_true(app, app.cell(types, CONNECTED, "households"), [start, *approved])
    _relate_if_true(app, app.cell(types, CONNECTED, "left"), gone)
