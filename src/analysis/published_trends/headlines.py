"""The published-trends page's headline tiles: the year's published figures beside last year's,
with Ofsted's LA-sector rate where a comparable one exists (:mod:`.national`).

Only figures the council printed for the year make a tile; all are published, so none is
suppressed.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from analysis.core.years import FinancialYear, comparator_year
from analysis.presentation.appendix import Headline
from analysis.published_trends import dfe_check
from analysis.published_trends import measures as trends
from analysis.published_trends import national as context


def _value(series: pd.Series, year: str) -> float | None:
    if series.empty or year not in series.index or pd.isna(series.loc[year]):
        return None
    return float(series.loc[year])


def national_comparator(found: context.Comparison, page_year: str) -> dict[str, object]:
    """A tile's national comparator, Ofsted's LA-sector figure dated as a page for
    ``page_year`` dates it ("the nearest figure, for 2022/23" when Ofsted has none for the
    page's year); none without one. The published-trends tiles and retention's use it."""
    if found.england is None or found.england_year is None:
        return {}
    when = comparator_year(found.england_year, page_year)
    return {
        "comparator": found.england,
        "comparator_decimals": found.england_decimals,
        "comparator_label": f"Local-authority fostering services, England: {when}",
        "source": "Ofsted; sources in the national comparison below.",
    }


def _count_tile(
    label: str, series: pd.Series, year: str, better: Literal["higher", "lower"] = "higher"
) -> list[Headline]:
    """A published count's tile for ``year`` beside the year before (none when the council
    printed no figure for ``year``)."""
    now = _value(series, year)
    if now is None:
        return []
    before = _value(series, FinancialYear.parse(year).previous.label)
    return [Headline(label, now, before, count=True, published=True, better=better)]


def headlines(figures: pd.DataFrame, ofsted: pd.DataFrame, year: str) -> list[Headline]:
    """At most four tiles, the first four the council printed for the year of: approvals,
    enquiries becoming applications, households ceasing to foster, approved households at
    31 March and children with three or more placement moves (beside the DfE's England
    rate)."""
    before = FinancialYear.parse(year).previous.label
    stages = trends.funnel(figures)
    left = trends.leavers(figures)
    homes = trends.households(figures).drop_duplicates("year").set_index("year")["households"]
    tiles: list[Headline] = []
    if not stages.empty:
        tiles += _count_tile("Mainstream households approved", stages["households_approved"], year)
    now = context.enquiries_to_applications(figures, ofsted, year)
    if now.council is not None:
        then = context.enquiries_to_applications(figures, ofsted, before).council
        tiles.append(
            Headline(
                "Applications (stage 1 starts) per 100 initial enquiries in the year",
                now.council,
                then,
                unit="%",
                decimals=1,
                published=True,
                better="higher",
                **national_comparator(now, year),  # type: ignore[arg-type]
            )
        )
    if not left.empty:
        tiles += _count_tile(
            "Mainstream households ceasing to foster",
            left["Total (as printed)"],
            year,
            better="lower",
        )
    tiles += _count_tile("Approved mainstream households at 31 March", homes, year)
    moves = dfe_check.printed(figures, year)
    if moves is not None:
        national = dfe_check.england(year)
        tiles.append(
            Headline(
                "Children with three or more placement moves in the year",
                moves,
                dfe_check.printed(figures, before),
                unit="%",
                published=True,
                better="lower",
                # the DfE's whole percentage, as published and as the stability page
                # shows it (issue 13's review: 10% there, 10.4% here); the annex's check
                # against the papers works from the unrounded rate
                comparator=None if national is None else float(round(national)),
                comparator_decimals=0,
                comparator_label=f"England, {FinancialYear.parse(year).report_label}, DfE: "
                f"{dfe_check.COMPARED}, not the same measure",
                source="National figure: the DfE's published statistics, whole percentages as "
                "published (see Against England)."
                if national is not None
                else "",
            )
        )
    return tiles[:4]
