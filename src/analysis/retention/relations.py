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
