"""The retention charts' text alternatives say what each chart shows, with figures from
the table as the page shows it, and never a withheld one."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from analysis.presentation import estimates
from analysis.retention import charts
from analysis.retention import tables as t


def _flow(*values: object) -> pd.Series:
    return pd.Series(dict(zip(t.FLOW.values(), values, strict=True)))


def test_waterfall_alt_walks_from_1_april_to_31_march():
    row = _flow(205, 20, "c", 12, 191)
    assert charts.waterfall_alt(row, "2024-25") == (
        "Waterfall chart of mainstream households in 2024/25: 205 at 1 April, 20 approved, "
        "withheld ceased to foster, 12 other exits, 191 at 31 March."
    )


def test_retention_trend_alt_gives_each_year_to_one_decimal():
    rates = pd.DataFrame({t.YEAR: ["2023/24", "2024/25"], t.RATE: ["c", 89.3]})
    alt = charts.retention_trend_alt(rates, 87, "Coventry")
    assert alt.endswith(
        "by year: 2023/24 withheld, 2024/25 89.3%. The national figure the council quotes, a "
        "point at its year: 87%."
    )


def test_retention_trend_dates_a_national_figure_of_another_year():
    rates = pd.DataFrame({t.YEAR: ["2019/20", "2020/21"], t.RATE: [91.0, 89.3]})
    when = "the nearest figure, for 2022/23 (published January 2024)"
    alt = charts.retention_trend_alt(rates, 87, "Coventry", when)
    quotes = "The national figure the council quotes, a point at its year"
    assert alt.endswith(f"2019/20 91.0%, 2020/21 89.3%. {quotes}: 87%, {when}.")
    fig = charts.retention_trend(rates, 87, "Coventry", when)
    labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
    assert f"National figure the council quotes (87%, {when})" in labels


def test_a_national_figure_is_drawn_at_its_own_year_not_across_the_years():
    """Issue 13's review: one year's national figure drawn as a level across six years read
    as a national series."""
    rates = pd.DataFrame({t.YEAR: ["2021/22", "2022/23", "2023/24"], t.RATE: [92.9, 93.1, 92.2]})
    fig = charts.retention_trend(rates, 87, "Coventry", "the figure", "2022-23")
    [point] = [line for line in fig.axes[0].lines if line.get_marker() == "D"]
    plt.close(fig)
    assert list(point.get_xdata()) == ["2022/23"] and list(point.get_ydata()) == [87]


def test_a_council_quoting_no_national_figure_gets_its_own_line_alone():
    rates = pd.DataFrame({t.YEAR: ["2023/24", "2024/25"], t.RATE: [91.0, 89.3]})
    assert charts.retention_trend_alt(rates, None, "Leicester") == (
        "Line chart of Leicester's retention rate by year: 2023/24 91.0%, 2024/25 89.3%."
    )
    assert charts.retention_trend_title(rates, None, "2024/25") == (
        "Retention was 89.3% in 2024/25, down from 91.0% in 2023/24"
    )
    fig = charts.retention_trend(rates, None, "Leicester")
    labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
    assert labels == ["Leicester (register)"]


def test_leavers_and_capacity_alts_quote_the_table():
    tenure = pd.DataFrame(
        {
            t.INFLUENCE: ["Could influence", "Could not influence"],
            t.REASON: ["Transfer to an agency", "Retirement"],
            t.TENURE_TOTAL: ["c", 15],
        }
    )
    alt = charts.leavers_by_influence_alt(tenure)
    assert "Retirement 15 (could not influence)." in alt
    assert "Reasons with a withheld count (1) are not drawn." in alt
    capacity = pd.DataFrame(
        {
            t.DAY: [2024, 2025],
            t.CAPACITY["approved places"]: [390, 379],
            t.CAPACITY["filled places"]: [296, 246],
            t.CAPACITY["occupancy %"]: [75.9, 64.9],
        }
    )
    assert "at 31 March 2025: 379 places, 246 filled, occupancy 64.9%." in charts.capacity_alt(
        capacity
    )


def test_capacity_alt_of_one_year_says_its_31_march_once():
    capacity = pd.DataFrame(
        {
            t.DAY: [2019],
            t.CAPACITY["approved places"]: [350],
            t.CAPACITY["filled places"]: [252],
            t.CAPACITY["occupancy %"]: [72.0],
        }
    )
    assert charts.capacity_alt(capacity) == (
        "Stacked bar chart of approved mainstream places at each 31 March, split into filled, "
        "vacant, unavailable and on hold. At 31 March 2019: 350 places, 252 filled, occupancy "
        "72.0%."
    )


def test_survival_alt_writes_years_and_shares_as_the_pages_do():
    still = pd.DataFrame(
        {
            t.GROUP: ["Approved 2018/19 to 2019/20", "Mainstream schemes"],
            t.left_share(1): ["5.6 (1.8 to 16.2)", estimates.NONE_YET],
            t.left_share(3): ["c", estimates.NONE_YET],
            t.left_share(5): [t.NO_ESTIMATE, "0.0 (95% upper bound 13.9)"],
        }
    )
    alt = charts.survival_alt(still, "By cohort")
    assert "left within 1, 3 and 5 years: Approved 2018/19 to 2019/20: 5.6%, withheld, " in alt
    assert (
        "no estimate; Mainstream schemes: none yet, none yet, none yet (95% upper bound 13.9%)."
        in alt
    )


def test_survival_chart_draws_only_the_shares_the_page_shows():
    """The chart draws the table's estimates (100 at approval, 94.4 at 1 year), never the
    Kaplan-Meier steps between them, and leaves the withheld 3-year share out, saying so
    under the chart (no "c" in the data area, where it reads as a value near 0%), with the
    numbers at risk in dark grey (text in an image needs 4.5:1)."""
    still = pd.DataFrame(
        {
            t.GROUP: ["Approved 2018/19 to 2019/20", "Mainstream schemes"],
            t.left_share(1): ["5.6 (1.8 to 16.2)", estimates.NONE_YET],
            t.left_share(3): ["c", estimates.NONE_YET],
            t.left_share(5): [t.NO_ESTIMATE, "12.5 (4.0 to 30.0)"],
        }
    )
    at_risk = pd.DataFrame(
        {t.GROUP: still[t.GROUP], "At 0 years": [54, 40], "At 1 year": [51, "c"]}
    )
    fig = charts.survival(still, "By cohort", at_risk)
    ax = fig.axes[0]
    marked = [line for line in ax.lines if line.get_marker() == "o"]  # not the caps
    lines = [[round(float(v), 1) for v in line.get_ydata()] for line in marked]
    assert lines == [[100.0, 94.4], [100.0, 100.0, 100.0, 87.5]]
    assert [x.get_text() for x in ax.texts] == []
    assert "a withheld estimate is left out" in fig.axes[1].get_xlabel()
    assert [x.get_text() for x in fig.axes[1].texts] == ["54", "51", "40", "c"]
    assert {x.get_color() for x in fig.axes[1].texts} == {"#333333"}
    intervals = ax.collections[0].get_segments()  # the first group's 95% intervals
    assert [round(float(s[1][1]), 1) for s in intervals] == [100.0, 98.2]
    plt.close(fig)


def test_a_group_with_nothing_drawn_says_why_in_the_key():
    """Red team 20: "no estimate" is not "withheld"."""
    still = pd.DataFrame(
        {
            t.GROUP: ["Approved before April 2018", "Approved 2022/23 or later"],
            t.left_share(1): [t.NO_ESTIMATE, "c"],
            t.left_share(3): [t.NO_ESTIMATE, t.NO_ESTIMATE],
        }
    )
    at_risk = pd.DataFrame({t.GROUP: still[t.GROUP], "At 0 years": [0, 53]})
    fig = charts.survival(still, "By cohort", at_risk)
    keys = (
        [x.get_text() for x in fig.legends[0].get_texts()]
        if fig.legends
        else [x.get_text() for x in fig.axes[0].get_legend().get_texts()]
    )
    plt.close(fig)
    assert "Approved before April 2018: no estimate" in keys
    assert "Approved 2022/23 or later: withheld" in keys


def test_the_capacity_chart_says_what_its_percentages_are():
    # review 16: the occupancy labels above the bars had no key
    capacity = pd.DataFrame(
        {
            t.DAY: [2024, 2025],
            t.CAPACITY["filled places"]: [296, 246],
            t.CAPACITY["vacant places"]: [40, 60],
            t.CAPACITY["unavailable places"]: [30, 40],
            t.CAPACITY["on hold or blocked places"]: [24, 33],
            t.CAPACITY["occupancy %"]: [75.9, 64.9],
        }
    )
    fig = charts.capacity_trend(capacity)
    ax = fig.axes[0]
    assert [x.get_text() for x in ax.texts] == ["75.9%", "64.9%"]
    assert charts.OCCUPANCY_KEY in [x.get_text() for x in ax.get_legend().get_texts()]
    plt.close(fig)
    capacity[t.CAPACITY["occupancy %"]] = "c"
    fig = charts.capacity_trend(capacity)
    assert charts.OCCUPANCY_KEY not in [x.get_text() for x in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
