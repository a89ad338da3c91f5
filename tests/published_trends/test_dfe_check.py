"""The stability rates a council's papers print, checked against the DfE's published
statistics (``../shared/reference/dfe/``): Leicester's minutes for 2024/25 quote 5% for the
city and "the national benchmark was 11%"."""

from __future__ import annotations

import pandas as pd

from analysis.council import config
from analysis.published_trends import dfe_check
from analysis.sources.published import load as published


def test_leicesters_printed_rates_against_the_dfes():
    la = config.load("leicester")
    figures = published.load_all(la.published)
    assert dfe_check.sentence(figures, la.la_code, la.short_name, "2024-25") == (
        "The papers speak of three or more placement moves; the DfE counts three or more "
        "placements in the year, which is two or more moves (a child's first placement is not "
        "a move), so the two are different measures, and the papers' rate is checked against "
        "the DfE's as the nearest published. "
        "Against the DfE's Children looked after in England including adoptions (children "
        "looked after on 31 March with three or more placements during the year), to one "
        "decimal from its counts (it publishes whole percentages, as the headline tile gives "
        "them): 5.2% for "
        "Leicester in 2024/25 (31 of 595 children looked after on 31 March), which the papers "
        "print as 5%; 10.4% for England in 2024/25 and 10.6% in 2023/24: the 11% the papers quote "
        "for England is the 2023/24 figure, the latest published before the year's own "
        "statistics."
    )


def _printed(own: float, england: float) -> pd.DataFrame:
    rows = [("", own), ("england", england)]
    return pd.DataFrame(
        {
            "table": "placement_stability",
            "year": "2024-25",
            "measure": dfe_check.MEASURE,
            "breakdown": [b for b, _ in rows],
            "basis": "",
            "number": [v for _, v in rows],
            "status": "value",
            "date": "2025-10-01",
            "source": "minutes",
        }
    )


def test_a_rate_that_is_neither_years_is_said_so_and_a_wrong_own_rate_too():
    sentence = dfe_check.sentence(_printed(9, 14), "856", "Leicester", "2024-25")
    assert "not the 9% printed" in sentence
    assert sentence.endswith("neither is the 14% the papers quote for England.")


def test_the_years_own_england_figure_is_recognised():
    sentence = dfe_check.sentence(_printed(5, 10), "856", "Leicester", "2024-25")
    assert "which the papers print as 5%" in sentence
    assert sentence.endswith("the England figure the papers quote is the year's.")


def test_no_printed_rate_no_sentence():
    la = config.load("coventry")
    figures = published.load_all(la.published)
    assert dfe_check.sentence(figures, la.la_code, "Coventry", "2024-25") is None


def test_leicesters_one_headline_tile_is_its_printed_rate_beside_the_dfes_england():
    from analysis.published_trends import headlines
    from analysis.sources.ofsted import national as ofsted

    la = config.load("leicester")
    [tile] = headlines.headlines(published.load_all(la.published), ofsted.load(), "2024-25")
    assert (tile.label, tile.value, tile.previous, tile.unit) == (
        "Children with three or more placement moves in the year",
        5.0,
        None,
        "%",
    )
    # the DfE's whole percentage (10.4% unrounded), as the stability page shows it
    assert (tile.comparator, tile.comparator_decimals) == (10.0, 0)
    assert "whole percentages as published" in tile.source
    assert tile.comparator_label == (
        "England, 2024/25, DfE: three or more placements (two or more moves), not the same measure"
    )
    assert tile.published and tile.better == "lower"


def test_leicesters_first_finding_gives_england_as_the_tile_does():
    """Review 16: the tile said England 10% (the DfE's, 2024/25) and the finding under it 11%
    (the earlier year's figure the papers quote)."""
    from analysis.published_trends import measures

    la = config.load("leicester")
    first = measures.findings(published.load_all(la.published), "2024-25")[0]
    assert first == (
        "The papers print 5% of children with three or more placement moves in 2024/25, "
        "against 10% for England in the DfE's statistics for the year (three or more "
        "placements, the nearest published measure)."
    )
