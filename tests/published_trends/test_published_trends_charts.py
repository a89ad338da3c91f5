"""The published-trends charts' text alternatives, from Coventry's published figures."""

from __future__ import annotations

import pytest

from analysis.council import config
from analysis.published_trends import charts
from analysis.published_trends import measures as trends
from analysis.sources.published import load as published


@pytest.fixture(scope="module")
def figures():
    return published.load_all(config.load("coventry").published)


def test_funnel_alt_gives_the_year_beside_the_year_before(figures):
    alt = charts.funnel_alt(trends.funnel(figures), "2024-25")
    assert "2018/19 to 2024/25" in alt
    assert "initial enquiries 511 (372 in 2023/24)" in alt
    assert "households approved 20 (17 in 2023/24)" in alt


def test_alts_of_a_year_with_nothing_published_say_so(figures):
    assert charts.funnel_alt(trends.funnel(figures), "2015-16").endswith(
        "assessments and approvals on the right. No funnel is published for 2015/16."
    )
    assert charts.rates_alt(trends.conversion_rates(figures), "2015-16").endswith(
        "with crosses for the rates as printed. No conversion rate is published for 2015/16."
    )
    assert charts.leavers_alt(trends.leavers(figures), "2015-16") == (
        "Bar charts, one per reason, of households ceasing to foster each year, 2018/19 to "
        "2024/25. No table of households ceasing to foster is published for 2015/16."
    )


def test_rates_alt_gives_recomputed_and_printed_rates(figures):
    alt = charts.rates_alt(trends.conversion_rates(figures), "2024-25")
    assert "enquiry to full assessment 6.5% recomputed, 6.5% as printed" in alt


def test_leavers_alt_gives_the_printed_total_and_the_largest_reason_first(figures):
    alt = charts.leavers_alt(trends.leavers(figures), "2024-25")
    assert "In 2024/25 the total printed is 22: personal circumstances 12;" in alt


def test_budget_alt_gives_the_total_and_the_lines_furthest_from_budget(figures):
    alt = charts.budget_alt(trends.budget(figures), "2024-25")
    assert "budget 13,746, actual 13,398 (-348)" in alt
    assert "furthest under: fees: mainstream (-867)" in alt


def test_repairs_table_names_line_breaks_and_uses_the_reports_year_style():
    import pandas as pd

    repairs = pd.DataFrame(
        {
            "year": ["2020-21"],
            "measure": ["households_approved"],
            "breakdown": [""],
            "original": ["12% (any contact)\\n41% (expression of interest)"],
            "repaired": [""],
            "reason": ["a cell split over two lines"],
        }
    )
    table = trends.repairs_table(repairs)
    assert list(table.columns) == ["Year", "Figure", "As printed", "As read", "Why"]
    row = table.iloc[0]
    assert row["Year"] == "2020/21"
    assert row["As printed"] == "12% (any contact) [line break] 41% (expression of interest)"
    assert row["As read"] == "left blank in the report"
    assert "_" not in row["Figure"]
