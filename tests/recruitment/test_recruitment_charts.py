"""The recruitment charts' text alternatives say what each chart shows, with figures from
the table as the page shows it, and never a withheld one."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from fixtures.curves import approvals_2023_24

from analysis.presentation.appendix import drawn_values
from analysis.presentation.charts import encoded
from analysis.recruitment import charts

YEARS = ["2022-23", "2023-24", "2024-25"]


def test_reasons_alt_names_the_largest_reasons_and_leaves_withheld_ones_out():
    reasons = pd.DataFrame(
        {
            "Stage left": ["Initial enquiry"] * 4,
            "Reason": ["No response to follow-up contact", "Allowances lower", "Other", "Rare"],
            "Households": [148, 23, 70, "c"],
            "Avoidable": ["no", "yes", "no", "yes"],
        }
    )
    alt = charts.reasons_alt(reasons)
    assert "initial enquiry, no response to follow-up contact: 148" in alt
    assert (
        "Reasons the service can act on (orange): 1 drawn, 23 households in all, and 1 with "
        "a withheld count." in alt
    )  # never "0 households" for reasons whose counts are withheld
    assert "Reasons with a withheld count (1) are not drawn." in alt


def test_cohort_alt_quotes_each_cohort_and_says_what_is_withheld():
    cohorts = pd.DataFrame(
        {
            "Enquiry year": YEARS,
            "Enquiries": [709, 372, 511],
            "Approved": [16, 18, "c"],
            "Approved (%)": [2.3, 4.8, "c"],
            "Still in progress": [0, "c", 76],
        }
    )
    alt = charts.cohort_status_alt(cohorts)
    assert "2022/23: 709 enquiries, approved 16 (2.3%), still in progress 0" in alt
    assert "2024/25: 511 enquiries, approved withheld, still in progress 76" in alt
    assert "withheld parts of a bar are one hatched segment together" in alt


def test_funnel_over_time_alt_says_not_recorded_for_a_stage_not_yet_recorded():
    events = pd.DataFrame(
        {
            "Year": ["2022/23", "2024/25"],
            "Enquiries": [709, 511],
            "Expressions of interest": ["not recorded", 42],
            "Approvals": [16, "c"],
        }
    )
    alt = charts.funnel_over_time_alt(events)
    assert "enquiries 709 in 2022/23 and 511 in 2024/25" in alt
    assert "expressions of interest not recorded in 2022/23 and 42 in 2024/25" in alt
    assert "approvals 16 in 2022/23 and withheld in 2024/25" in alt
    assert "and a stage not recorded has none and says so): " in alt
    fig = charts.funnel_over_time(events)
    said = [t.get_text() for t in fig.axes[1].texts]
    assert said.count("not recorded") == 1 and said.count("c") == 1
    plt.close(fig)


def test_alts_of_one_year_name_it_once():
    events = pd.DataFrame({"Year": ["2018/19"], "Enquiries": [815], "Approvals": ["c"]})
    assert charts.funnel_over_time_alt(events) == (
        "Bar charts of events at each stage by financial year, 2018/19, enquiries in the left "
        "panel and the later stages in the right (a withheld count has no bar and is marked c): "
        "enquiries 815; approvals withheld."
    )
    mix = pd.DataFrame({"Year": ["2018/19"], "Website": [282], "Total": [815]})
    assert charts.channel_mix_alt(mix) == (
        "Stacked bar chart of each year's enquiries by how they heard, 2018/19. In 2018/19 "
        "(815 enquiries): Website 34.6%."
    )


def test_funnel_over_time_leaves_a_withheld_bar_out_and_marks_it_c():
    events = pd.DataFrame(
        {
            "Year": ["2023/24", "2024/25"],
            "Enquiries": [372, 511],
            "Expressions of interest": ["not recorded", "c"],
            "Stage 1 starts": [27, "c"],
            "Approvals": [17, 20],
        }
    )
    fig = charts.funnel_over_time(events)
    later = fig.axes[1]
    heights = [p.get_height() for p in later.patches]
    assert heights == [0, 0, 27, 0, 17, 20]
    # Marked just above the axis, whether or not the panel's first stage was recorded.
    marks = [(t.get_text(), t.get_position()[1]) for t in later.texts]
    assert marks == [("not recorded", 0.27), ("c", 0.27), ("c", 0.27)]
    assert [t.get_text() for t in later.get_xticklabels()] == ["2023/24", "2024/25"]


def test_durations_conversion_channel_and_minority_alts_quote_the_table():
    durations = pd.DataFrame(
        {
            "Step": ["Enquiry to expression of interest"],
            "Median days": [26.0],
            "Lower quartile (days)": [17.25],
            "Upper quartile (days)": [42.75],
        }
    )
    assert "median 26 days (middle half 17 to 43)" in charts.durations_alt(durations)
    conversion = pd.DataFrame(
        {
            "Year": YEARS,
            "From": ["Initial enquiry"] * 3,
            "To": ["Expression of interest"] * 3,
            "Moved on (%)": [7.5, "c", 7.4],
        }
    )
    assert (
        "Initial enquiry to expression of interest: 7.5% in 2022/23, withheld in 2023/24, "
        "7.4% in 2024/25" in charts.conversion_alt(conversion)
    )
    mix = pd.DataFrame(
        {"Year": YEARS, "Website": [282, 150, 96], "Event": [89, 60, "c"], "Total": [371, 210, 160]}
    )
    assert "In 2024/25 (160 enquiries): Website 60.0%, Event withheld." in charts.channel_mix_alt(
        mix
    )
    groups = pd.DataFrame({"Group": ["Enquirers"], "Minority ethnic (%)": [28.2]})
    assert "(35.8%): enquirers 28.2%." in charts.minority_alt(groups, 35.8)


def test_incidence_chart_runs_to_the_tables_last_horizon():
    # Figure 1 draws its table's horizons (up to 24 months): its axis runs to 24 months even
    # when no line reaches that far yet (the default would stop at 12, the last point drawn).
    points = approvals_2023_24()
    outcome = {"approved": "Approved"}
    default = charts.incidence_chart(points, "cohort", ["2023-24"], outcome)
    assert default.axes[0].get_xlim() == (0, 12)
    fig = charts.incidence_chart(points, "cohort", ["2023-24"], outcome, months=24)
    assert fig.axes[0].get_xlim() == (0, 24)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["2023/24"]
    # It draws the points' estimates and says which counts they rest on.
    assert set(drawn_values(fig)) <= {0.0, 0.01, 0.02, 0.03, 0.04, 0.06}
    assert encoded(fig) == ["t|a|Households", "t|a|9", "t|a|12"]


def test_a_stacked_bar_with_withheld_parts_still_reaches_100_with_one_withheld_segment():
    """Issue 13: bars short of 100% with no word of why. The withheld shares are drawn
    together at the end of the bar (what the table's total less its shown cells gives)."""
    from analysis.presentation.charts import WITHHELD_LABEL, with_withheld

    shares = pd.DataFrame({"Left": [80.0, 60.0], "Approved": [float("nan"), 40.0],
                           "Waiting": [float("nan"), 0.0]})  # fmt: skip
    drawn = with_withheld(shares)
    assert list(drawn.columns) == ["Left", "Approved", "Waiting", WITHHELD_LABEL]
    assert drawn[WITHHELD_LABEL].tolist() == [20.0, 0.0]
    assert with_withheld(shares.fillna(10.0)).columns.tolist() == ["Left", "Approved", "Waiting"]


def test_conversion_keeps_every_year_on_its_axis_and_tells_lone_points_apart():
    """Issue 13: with 2024/25 withheld the chart showed two years, and two steps in one
    green told apart only by a line style that a lone point cannot show."""
    steps = [("Initial enquiry", "Expression of interest"), ("Fostering panel", "Approval")]
    conversion = pd.DataFrame(
        {
            "Year": YEARS * 2,
            "From": [steps[0][0]] * 3 + [steps[1][0]] * 3,
            "To": [steps[0][1]] * 3 + [steps[1][1]] * 3,
            "Entered": [709, 372, 511, 17, 20, 21],
            "Moved on": [53, "c", "c", 16, 18, "c"],
            "Moved on (%)": [7.5, "c", "c", 94.1, 90.0, "c"],
        }
    )
    fig = charts.conversion_over_time(conversion)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["2022/23", "2023/24\n1 of 2\nwithheld (c)", "2024/25\nall withheld (c)"]
    lines = [
        line
        for line in ax.lines
        if line.get_label()
        in {"Initial enquiry to expression of interest", "Fostering panel to approval"}
    ]
    assert len({line.get_marker() for line in lines}) == 2
    assert len({line.get_color() for line in lines}) == 2
    assert [list(line.get_ydata()) for line in lines][1][:2] == [94.1, 90.0]


def test_a_withheld_share_in_the_minority_ethnic_chart_is_marked_c():
    """Review 15: the applicants' bar was blank with no "c", read as 0%."""
    groups = pd.DataFrame(
        {
            "Group": ["Enquirers", "Applicants (started stage 1)", "Approved households"],
            "Minority ethnic (%)": [28.2, "c", 16.9],
        }
    )
    fig = charts.minority_chart(groups, 35.8)
    assert [t.get_text() for t in fig.axes[0].texts] == ["c"]
    plt.close(fig)


def test_the_durations_chart_marks_statutory_guidance_on_application_to_approval_only():
    # review 16: a 246-day median beside "about eight months" said neither over nor under
    durations = pd.DataFrame(
        {
            "Step": ["Stage 1 to stage 2", "Start of assessment (stage 1) to approval"],
            "Households": [30, 20],
            "Median days": [124, 246],
            "Lower quartile (days)": [90, 191],
            "Upper quartile (days)": [160, 336],
        }
    )
    fig = charts.durations_chart(durations)
    (mark,) = fig.axes[0].collections[-1:]
    (segment,) = mark.get_segments()
    assert segment[0][0] == segment[1][0] == 244
    assert abs(segment[0][1] - 0) < 0.5  # on the second row from the top: y 0 (reversed)
    assert "Statutory guidance: about 8 months (244 days)" in [
        t.get_text() for t in fig.axes[0].get_legend().get_texts()
    ]
    assert charts.durations_alt(durations).endswith(
        "A dashed mark at 244 days on start of assessment (stage 1) to approval: statutory "
        "guidance's about eight months."
    )
    plt.close(fig)
    fig = charts.durations_chart(durations.iloc[:1])
    assert "244" not in " ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts())
    assert "244" not in charts.durations_alt(durations.iloc[:1])
    plt.close(fig)
