"""Placement-stability rates the council's papers print, checked against the DfE's own.

The papers quote the share of children with three or more placement moves, the council's
and England's ("the national benchmark was 11%"). The DfE publishes both, unrounded, in
*Children looked after in England including adoptions* (``../shared/reference/dfe/``):
children looked after on 31 March with three or more placements during the year, over
all children looked after on 31 March. A printed rate is a whole percentage, so it agrees
with the DfE's when it is the DfE's rate rounded. England's figure is checked against the
year and the year before, since a report written before the DfE publishes a year's
statistics can only quote the year before's.

The two are not the same measure, and the page says so (:data:`NOT_THE_SAME`): three or
more placements in the year are two or more moves (the first placement is not a move).
"""

from __future__ import annotations

import pandas as pd

from analysis.core.years import FinancialYear
from analysis.sources.dfe import stability as dfe
from analysis.sources.published.load import preferred

MEASURE = "children_with_3plus_placement_moves_share"
INDICATOR = "3+ placements in the year"
SOURCE = "the DfE's Children looked after in England including adoptions"
NOT_THE_SAME = (
    "The papers speak of three or more placement moves; the DfE counts three or more "
    "placements in the year, which is two or more moves (a child's first placement is not a "
    "move), so the two are different measures, and the papers' rate is checked against the "
    "DfE's as the nearest published."
)
COMPARED = "three or more placements (two or more moves)"


def _rate(table: pd.DataFrame, area: str, year: str) -> tuple[float, float, float] | None:
    """(rate %, children with 3+ placements, children looked after) of ``area`` in ``year``."""
    part, whole = dfe.INDICATORS[INDICATOR]
    row = table[(table["area"] == area) & (table["year"] == year)]
    if row.empty or pd.isna(row[part].iloc[0]) or not row[whole].iloc[0]:
        return None
    n, d = float(row[part].iloc[0]), float(row[whole].iloc[0])
    return 100 * n / d, n, d


def _agrees(printed: float, rate: float) -> bool:
    """A whole percentage as printed against the DfE's unrounded rate (half up)."""
    return abs(printed - rate) <= 0.5


def printed(figures: pd.DataFrame, year: str, england: bool = False) -> float | None:
    """The council's (or, with ``england``, England's as quoted) printed rate for ``year``."""
    found = preferred(figures)
    found = found[
        (found["year"] == year)
        & (found["measure"] == MEASURE)
        & (found["breakdown"] == ("england" if england else ""))
    ]
    return None if found.empty else float(found["number"].iloc[0])


def england(year: str) -> float | None:
    """The DfE's rate for England in ``year`` (%, unrounded), or None before its data."""
    found = _rate(dfe.load(), "England", year)
    return None if found is None else found[0]


def sentence(figures: pd.DataFrame, la_code: str, name: str, year: str) -> str | None:
    """What the DfE's statistics say of the rates the papers print for ``year`` (None when
    the papers print none, or the DfE has no figure for the year)."""
    printed = preferred(figures)
    printed = printed[(printed["year"] == year) & (printed["measure"] == MEASURE)]
    if printed.empty:
        return None
    table = dfe.load()
    before = FinancialYear.parse(year).previous.label
    shown, then = (y.replace("-", "/") for y in (year, before))
    parts = []
    own = printed[printed["breakdown"] == ""]
    council = _rate(table, la_code, year)
    if not own.empty and council is not None:
        value = float(own["number"].iloc[0])
        rate, n, d = council
        verdict = (
            f"which the papers print as {value:.0f}%"
            if _agrees(value, rate)
            else f"not the {value:.0f}% printed"
        )
        parts.append(
            f"{rate:.1f}% for {name} in {shown} ({n:,.0f} of {d:,.0f} children looked after "
            f"on 31 March), {verdict}"
        )
    england = printed[printed["breakdown"] == "england"]
    now, earlier = _rate(table, "England", year), _rate(table, "England", before)
    if not england.empty and now is not None:
        value = float(england["number"].iloc[0])
        text = f"{now[0]:.1f}% for England in {shown}"
        if earlier is not None:
            text += f" and {earlier[0]:.1f}% in {then}"
        if _agrees(value, now[0]):
            text += ": the England figure the papers quote is the year's"
        elif earlier is not None and _agrees(value, earlier[0]):
            text += (
                f": the {value:.0f}% the papers quote for England is the {then} figure, the "
                "latest published before the year's own statistics"
            )
        else:
            text += f": neither is the {value:.0f}% the papers quote for England"
        parts.append(text)
    if not parts:
        return None
    return (
        f"{NOT_THE_SAME} Against {SOURCE} (children looked after on 31 March with three or "
        "more placements during the year), to one decimal from its counts (it publishes "
        "whole percentages, as the headline tile gives them): " + "; ".join(parts) + "."
    )
