"""The views behind the published-trends appendix, on the real published figures."""

import matplotlib
import pandas as pd

matplotlib.use("Agg")

import pytest

from analysis.presentation.appendix import MAX_FINDINGS
from analysis.published_trends import charts as charts_published
from analysis.published_trends import consistency
from analysis.published_trends import measures as trends
from analysis.sources.published import load as published


@pytest.fixture(scope="module")
def figures():
    return published.load_all()


def test_funnel_uses_the_earlier_report_where_the_later_lost_a_cell(figures):
    funnel = trends.funnel(figures)
    assert funnel["households_approved"].tolist() == [33, 21, 23, 20, 16, 17, 20]
    assert funnel["initial_enquiries"].tolist() == [815, 609, 552, 504, 709, 372, 511]
    assert funnel["expressions_of_interest"].isna().tolist() == [True, True] + [False] * 5


def test_rates_are_recomputed_beside_the_printed_ones(figures):
    rates = trends.conversion_rates(figures).set_index(["rate", "year"])
    row = rates.loc[("Stage 2 assessment to approval", "2022-23")]
    assert row["printed"] == 43
    assert row["recomputed"] == pytest.approx(16 / 35 * 100)
    assert rates.loc[("Expression of interest to approval", "2024-25"), "printed"] == 47.6


def test_key_figures_for_2024_25(figures):
    table = trends.key_figures(figures, "2024-25").set_index("Figure")
    assert table.loc["Initial enquiries"].tolist() == ["372", "511", "+139"]
    assert table.loc["Households ceasing to foster"].tolist() == ["16", "22", "+6"]
    rate = "Approvals per 100 initial enquiries in the year (%)"
    assert table.loc[rate].tolist() == ["4.6", "3.9", "-0.7"]
    assert table.loc["Expressions of interest"].tolist() == ["42", "42", "0"]
    assert table.loc["Approved households at 31 March"].tolist() == ["", "191", ""]
    assert table.loc["Actual spend (£000)"].tolist() == ["12,624", "13,398", "+774"]
    assert "191" in trends.households_note(figures, "2024-25")
    assert trends.households_note(figures, "2023-24") is None
    assert trends.key_figures_note(figures, "2024-25").startswith(
        "A blank cell is a figure not published for that year. The report prints 2 counts"
    )


def test_first_year_has_no_previous_year(figures):
    table = trends.key_figures(figures, "2018-19")
    assert list(table.columns) == ["Figure", "2018/19"]
    assert table.loc[0].tolist() == ["Initial enquiries", "815"]
    assert trends.key_figures_note(figures, "2018-19") == (
        "Nothing is published for 2017/18, so there is no change to show. A blank cell is a "
        "figure not published for that year."
    )


def test_a_year_with_no_headline_figure_published_has_no_rows(figures):
    # 2015/16: two figures from two documents, none of them a headline figure.
    assert trends.key_figures(figures, "2015-16").empty


def test_findings_for_2024_25_are_built_from_the_figures(figures):
    checks = consistency.run(figures)
    assert trends.findings(figures, "2024-25") == [
        "In 2024/25 the service received 511 initial enquiries from people interested in "
        "fostering and approved 20 new mainstream fostering households, against 372 enquiries "
        "and 17 approvals in 2023/24.",
        "The year's approvals were 3.9 for every 100 of its enquiries and 47.6 for every 100 of "
        "its expressions of interest (4.6 for every 100 enquiries in 2023/24); most approvals "
        "follow an earlier year's enquiry, so this is not the share of the year's enquirers "
        "approved (the recruitment appendix follows each cohort).",
        "The largest drop-off is from initial enquiries to expressions of interest: 42 of 511 "
        "(8.2%), counting each stage's events in the year.",
        "There were 191 approved mainstream fostering households at 31 March 2025, as section "
        "3.2.1 of the report prints it (section 3.1 gives 194).",
        "22 mainstream households stopped fostering (16 in 2023/24); the most common reason was "
        "'personal circumstances' (12 households).",
    ]
    # Spending has its section, and the checks and what is not published are about the
    # data: each is said there, not among the key findings.
    assert trends.budget_note(figures, "2024-25") == (
        "Fostering spending was £13.4 million against a budget of £13.7 million: an underspend "
        "of £348 thousand (2.5% of the budget)."
    )
    assert trends.checks_note(checks, "2024-25") == (
        "8 published figures for 2024/25 do not follow from the figures they are built on; "
        "they are listed below, with the likely cause."
    )
    assert trends.not_published_note(figures, "2024-25") is None
    assert trends.budget_note(figures, "2019-20") is None
    assert trends.not_published_note(figures, "2019-20") == (
        "The published papers we hold give no budget for 2019/20."
    )


def test_findings_are_at_most_five_for_every_year(figures):
    for year in trends.years(figures):
        assert 1 <= len(trends.findings(figures, year)) <= MAX_FINDINGS, year


def test_budget_variance_and_years_without_a_budget(figures):
    budget = trends.budget(figures)
    total = budget[(budget["line"] == "Total") & (budget["year"] == "2021-22")].iloc[0]
    assert (total["budget"], total["actual"], total["variance"]) == (11114, 11379, 265)
    assert trends.budget_table(figures, "2019-20").empty


def test_charts_are_figures_with_the_selected_year_marked(figures):
    year = "2022-23"
    for chart, data in [
        (charts_published.funnel_chart, trends.funnel(figures)),
        (charts_published.rates_chart, trends.conversion_rates(figures)),
        (charts_published.leavers_chart, trends.leavers(figures)),
        (charts_published.budget_chart, trends.budget(figures)),
    ]:
        fig = chart(data, year)
        assert fig.axes and all(ax.patches or ax.lines for ax in fig.axes)
        matplotlib.pyplot.close(fig)


def test_leavers_note_names_the_year_whose_reasons_do_not_add_up(figures):
    assert trends.leavers_note(figures).endswith(
        "The printed totals differ from the reasons: in 2018/19 the reasons add to 16 against "
        "a printed total of 15."
    )


def test_a_source_dated_by_its_year_alone_is_not_shown_as_1_january():
    sources = pd.DataFrame(
        {
            "source": ["minutes", "report", "cabinet"],
            "title": ["Minutes", "Report", "Cabinet"],
            "publisher": ["Leicester City Council"] * 3,
            "date": ["2025", "2025-10", "2024-01-15"],
        }
    )
    used = pd.DataFrame({"source": ["minutes", "report", "cabinet"]})
    dates = list(trends.sources_table(sources, used)["Date"])
    assert dates == ["2025", "October 2025", "15 January 2024"]


def test_a_years_page_stops_at_the_year_and_lists_only_the_documents_it_uses(figures):
    shown = trends.up_to(figures, "2020-21")
    assert shown["year"].max() == "2020-21" and set(figures["year"]) > set(shown["year"])
    # a figure for 2020/21 printed in the 2024/25 report (October 2025) is still used
    assert "fostering-2024-25" in set(shown["source"])
    listed = trends.sources_table(published.sources(), shown)["Document"]
    assert not listed.str.startswith("Minutes of the Education").any()  # 2024/25 figures only
    assert len(listed) == shown["source"].nunique()


def test_the_check_summary_names_each_kind_and_has_no_total_row(figures):
    summary = trends.check_summary(consistency.run(figures)).set_index("Kind of check")
    assert "Total" not in summary.index
    assert summary.loc["Parts adding to a printed total"].tolist() == [26, 0, 3]
    assert list(summary.index) == [
        "Average (places per household)",
        "Change on the year",
        "Same figure in two tables",
        "Rate from its counts",
        "Same figure printed twice",
        "Share from its counts",
        "Stock and flow (start + joiners - leavers = end)",
        "Parts adding to a printed total",
    ]


def test_every_figure_of_the_year_is_listed_once_in_a_readers_words(figures):
    table = trends.year_table(figures, "2024-25")
    assert not table.duplicated().any()
    assert set(table["Unit"]) >= {"number", "%", "words"}
    assert not {"count", "percent", "text"} & set(table["Unit"])
    assert "Agency decisions that a child should be placed for adoption" in set(table["Figure"])
    assert "(blank)" not in set(table["As printed"])


def test_a_change_in_points_is_the_difference_of_the_rates_as_shown():
    from analysis.published_trends import measures

    # 14.66% and 38.54% show as 14.7% and 38.5%: the change a reader checks is +23.8
    assert measures._change(38.54, 14.66, percent=True) == "+23.8"
    assert measures._change(20, 17, percent=False) == "+3"
    assert measures._change(42, 42, percent=False) == measures._change(5.01, 4.98, True) == "0"
