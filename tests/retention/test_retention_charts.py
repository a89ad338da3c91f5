"""The retention charts' text alternatives say what each chart shows, with figures from
the table as the page shows it, and never a withheld one."""

from __future__ import annotations

import pandas as pd

from analysis.retention import charts


def test_waterfall_alt_walks_from_1_april_to_31_march():
    row = pd.Series({"start": 205, "joiners": 20, "leavers": "c", "other exits": 12, "end": 191})
    assert charts.waterfall_alt(row, "2024-25") == (
        "Waterfall chart of mainstream households in 2024/25: 205 at 1 April, 20 approved, "
        "withheld ceased to foster, 12 other exits, 191 at 31 March."
    )


def test_retention_trend_alt_gives_each_year_to_one_decimal():
    rates = pd.DataFrame({"year": ["2023-24", "2024-25"], "retention rate %": ["c", 89.3]})
    alt = charts.retention_trend_alt(rates, 87, "Coventry")
    assert alt.endswith("(87%): 2023/24 withheld, 2024/25 89.3%.")


def test_leavers_and_capacity_alts_quote_the_table():
    tenure = pd.DataFrame(
        {
            "influence": ["could influence", "could not influence"],
            "reason label": ["Transfer to an agency", "Retirement"],
            "households": ["c", 15],
        }
    )
    alt = charts.leavers_by_influence_alt(tenure)
    assert "Retirement 15 (could not influence)." in alt
    assert "1 reasons with a withheld count are not drawn." in alt
    capacity = pd.DataFrame(
        {
            "31 March": [2024, 2025],
            "approved places": [390, 379],
            "filled places": [296, 246],
            "occupancy %": [75.9, 64.9],
        }
    )
    assert "at 31 March 2025: 379 places, 246 filled, occupancy 64.9%." in charts.capacity_alt(
        capacity
    )


def test_survival_alt_writes_years_and_shares_as_the_pages_do():
    still = pd.DataFrame(
        {
            "group": ["approved 2018-19 to 2019-20"],
            "after 1 year %": [94.4],
            "after 3 years %": ["c"],
        }
    )
    alt = charts.survival_alt(still, "By cohort")
    assert "approved 2018/19 to 2019/20: 94.4%, withheld." in alt
