"""The one relation on the retention page that the records it counts cannot express.

Every other count on the page carries the households, places, rows or children it counts
(:mod:`analysis.retention.tables`), and the page's decision derives every relation between
them from those records. The sufficiency outlook's "households at 1 April" is the sum of
the households at 1 April over the years its rates come from: a household on the register
in three of those years counts three times. A set of records counts each record once, so
this sum is declared by hand: it is the flows table's counts at 1 April of those years.
"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.presentation.appendix import Appendix
from analysis.retention import tables as t

EXPOSED = "outlook households at 1 April"


def relate_exposed(app: Appendix, years: Iterable[str]) -> None:
    """The outlook's households at 1 April (key :data:`EXPOSED`) are the sum of the flows
    table's households at 1 April in ``years`` (as the page writes them, 2024/25)."""
    app.relate(EXPOSED, [app.cell("flows", y, t.FLOW["start"]) for y in years])


APPROVALS, EXITS = "outlook approvals", "outlook exits"


def outlook_rests_on(app: Appendix, year_shown: str, day: int) -> list[str]:
    """The counts the sufficiency outlook is computed from (ledger keys), for gating its
    sentences, table and chart with the page's decision: the households at 31 March
    ``day`` (the flows table's, row ``year_shown``, and the capacity table's), the approved
    and filled places then (places per household and occupancy are their ratios), and the
    observed approvals, exits and households at 1 April its rates come from."""
    capacity = app.shown("capacity")
    rows = [i for i, d in enumerate(capacity[t.DAY]) if str(d) == str(day)]
    found = [app.cell("flows", year_shown, t.FLOW["end"]), APPROVALS, EXITS, EXPOSED]
    for column in ("households", "approved places", "filled places"):
        found += [k for i in rows if (k := app.keys("capacity", t.CAPACITY[column])[i])]
    return found
