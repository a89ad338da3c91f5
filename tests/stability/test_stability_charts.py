"""The stability charts' text alternatives, from the table the page shows and the DfE's
published benchmarks."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from analysis.core.years import FinancialYear
from analysis.council import config
from analysis.stability import report


def test_moves_alt_lists_shown_reasons_largest_first_and_counts_the_withheld():
    shown = pd.DataFrame(
        {"Reason for the placement change": ["Other", "Care plan", "Rare"], "Moves": [44, 103, "c"]}
    )
    assert report.moves_alt(shown) == (
        "Bar chart of placement moves in the year by reason: care plan 103; other 44. "
        "Reasons with a withheld count (1) have no bar and are marked c."
    )


def test_trend_alt_gives_the_council_beside_england_from_the_published_figures():
    data = SimpleNamespace(council=config.load("coventry"), year=FinancialYear.parse("2024-25"))
    alt = report.trend_alt(data)
    assert (
        "3+ placements in the year: Coventry 12% in 2020/21 and 11% in 2024/25, "
        "England 10% in 2024/25" in alt
    )


def test_unplanned_and_placements_alts_say_what_is_withheld():
    unplanned = pd.DataFrame(
        {
            "Foster placement": ["Own foster carers", "Connected persons"],
            "Ended unplanned": [33, "c"],
            "Ended otherwise": [176, 76],
        }
    )
    assert report.unplanned_alt(unplanned) == (
        "Bar chart of foster placements ending in the year, by placement, unplanned beside "
        "otherwise (a withheld count has no bar and is marked c): own foster carers: 33 ended "
        "unplanned, 176 ended otherwise; connected persons: ended unplanned withheld, 76 ended "
        "otherwise."
    )
    bands = pd.DataFrame({"Placements in the year": ["1", "2", "3"], "Children": [520, "c", 57]})
    assert report.placements_alt(bands) == (
        "Bar chart of children looked after on 31 March by number of placements in the year: "
        "1 placement: 520 children; 3 placements: 57 children. Bands with a withheld count (1) "
        "have no bar and are marked c."
    )
    fig = report.placements_chart(bands)
    marks = [t for t in fig.axes[0].texts if t.get_text() == "c"]
    assert [m.xy for m in marks] == [(1, 0)]  # at the base of the withheld band's bar
