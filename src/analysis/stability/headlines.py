"""The placement-stability page's headline tiles: the three DfE indicators for the year, the
year before, and England.

The year's figure is the DfE's published percentage for the council when it has published
the year, and otherwise the one computed from the returns, withheld with the counts of the
page's ``headline`` table it is built on. The previous year and England are the DfE's
published figures.
"""

from __future__ import annotations

import pandas as pd

from analysis.presentation.appendix import Appendix, Headline
from analysis.sources.dfe import stability as dfe_stability
from analysis.stability.report import HEADLINE_COUNTS, Year, headline

LABELS = {
    "3+ placements in the year": "Children in care with 3 or more placements in the year",
    "3+ placements in 2 years": (
        "Children in care on 31 March and in the year before, with 3 or more placements "
        "over the two years"
    ),
    "Same carer 2+ years (under 16s)": "Under-16s in care 2.5+ years, with the same carer 2+ years",
}
BETTER = {
    "3+ placements in the year": "lower",
    "3+ placements in 2 years": "lower",
    "Same carer 2+ years (under 16s)": "higher",
}


def headlines(data: Year, appendix: Appendix) -> list[Headline]:
    """One tile per indicator the year's returns can give (an indicator whose earlier
    returns are missing has none)."""
    rates = dfe_stability.rates(dfe_stability.comparison(data.council))
    published = rates.set_index(["name", "year", "indicator"])["percent"]
    own = data.council.short_name
    before = data.year.previous.label

    def get(name: str, year: str, indicator: str) -> float | None:
        value = published.get((name, year, indicator))
        return None if value is None or pd.isna(value) else float(value)

    tiles = []
    for row in headline(data).itertuples(index=False):
        indicator, computed = row[0], row[3]
        if not isinstance(computed, int | float):  # "not available": the reason is in the table
            continue
        printed = get(own, data.year.label, indicator)
        tiles.append(
            Headline(
                LABELS[indicator],
                printed if printed is not None else float(computed),
                get(own, before, indicator),
                unit="%",
                on=[appendix.cell("headline", indicator, c) for c in HEADLINE_COUNTS],
                previous_on=[],  # last year's figure is the DfE's, published
                published=printed is not None,
                better=BETTER[indicator],  # type: ignore[arg-type]
                comparator=get("England", data.year.label, indicator),
                comparator_label=f"England, {data.year.report_label}",
                # the DfE publishes whole percentages: shown as it prints them
                source="DfE, Children looked after in England including adoptions (whole "
                "percentages, as published)",
            )
        )
    return tiles
