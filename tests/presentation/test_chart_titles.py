"""Issue 13: each section's chart is titled with its finding, written from the figures the
page shows (so a withheld count is never stated), on every route to the page."""

from __future__ import annotations

import html
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.core.years import FinancialYear
from analysis.presentation import appendix
from analysis.published_trends import charts as trend_charts
from analysis.recruitment import time_to_event as tte
from analysis.retention import charts as retention_charts
from analysis.retention import tables as t
from analysis.stability import report


def test_a_caption_written_by_a_function_is_the_caption_and_the_default_alt(monkeypatch):
    calls: list[tuple[object, dict]] = []
    monkeypatch.setattr(appendix, "display", lambda obj, **kw: calls.append((obj, kw)))
    fig, ax = plt.subplots()
    ax.bar(["2024/25"], [9])
    appendix.Appendix("Test", "2024-25", service="A service").figure(
        fig, lambda: "Approvals rose from 7 to 9"
    )
    pages = [obj.get("text/html", "") for obj, _ in calls if isinstance(obj, dict)]
    assert any("Approvals rose from 7 to 9</p>" in page for page in pages)
    [image] = [kw for obj, kw in calls if isinstance(obj, dict) and "image/png" in obj]
    assert image["metadata"]["image/png"]["alt"] == "Approvals rose from 7 to 9"


def test_published_trend_titles_state_the_year_against_the_year_before():
    funnel = pd.DataFrame(
        {"initial_enquiries": [400.0, 372.0], "households_approved": [24.0, 17.0]},
        index=["2021-22", "2022-23"],
    )
    assert trend_charts.funnel_title(funnel, "2022-23") == (
        "Approvals fell from 24 to 17 in 2022/23, from 372 initial enquiries"
    )
    # a page for a later year with nothing printed for it speaks of the latest year drawn
    assert trend_charts.funnel_title(funnel, "2023-24").startswith("Approvals fell from 24 to 17")
    rates = pd.DataFrame(
        {
            "year": ["2021-22", "2022-23"],
            "rate": ["Enquiry to approval"] * 2,
            "printed": [None, 4.6],
            "recomputed": [6.0, 17 / 372 * 100],
        }
    )
    assert trend_charts.rates_title(rates, "2022-23") == (
        "Approvals in 2022/23 were 4.6 for every 100 enquiries in the year (6.0 in 2021/22), "
        "recomputed from the published counts"
    )
    leavers = pd.DataFrame(
        {"Personal circumstances": [10.0], "Dissatisfied": [2.0], "Total (as printed)": [15.0]},
        index=["2018-19"],
    )
    assert trend_charts.leavers_title(leavers, "2018-19") == (
        "15 households ceased to foster in 2018/19, most often for personal circumstances (10)"
    )
    budget = pd.DataFrame(
        {"year": ["2024-25"], "line": ["Total"], "budget": [13746.0], "actual": [13398.0]}
    )
    assert trend_charts.budget_title(budget, "2024-25") == (
        "Fostering spent £13,398k against a budget of £13,746k in 2024/25 (£348k under)"
    )


def test_a_first_year_is_stated_without_a_change():
    funnel = pd.DataFrame({"households_approved": [24.0]}, index=["2021-22"])
    assert trend_charts.funnel_title(funnel, "2021-22") == "Approvals were 24 in 2021/22"


def test_retention_titles_leave_out_a_withheld_count():
    row = pd.Series(
        {
            t.FLOW["start"]: "205",
            t.FLOW["joiners"]: "20",
            t.FLOW["leavers"]: "c",
            t.FLOW["other exits"]: "c",
            t.FLOW["end"]: "191",
        }
    )
    assert retention_charts.waterfall_title(row, "2024-25") == (
        "Mainstream households fell from 205 to 191 in 2024/25: 20 approved"
    )
    hidden = row.copy()
    hidden[t.FLOW["end"]] = "c"
    assert "c" not in retention_charts.waterfall_title(hidden, "2024-25").split()
    rates = pd.DataFrame({t.YEAR: ["2023/24", "2024/25"], t.RATE: ["91.0", "89.3"]})
    assert retention_charts.retention_trend_title(rates, 87, "2024/25") == (
        "Retention was 89.3% in 2024/25, down from 91.0% in 2023/24"
    )  # not "above the 87%": one all-sector figure of another year (review 16)
    rates.loc[0, t.RATE] = "c"
    assert retention_charts.retention_trend_title(rates, 87, "2024/25") == (
        "Retention was 89.3% in 2024/25"
    )
    rates.loc[1, t.RATE] = "c"
    assert retention_charts.retention_trend_title(rates, 87, "2024/25") == (
        "Retention rate by year, with the national figure the council quotes"
    )


def test_the_moves_title_says_when_a_larger_count_may_be_withheld():
    label = "Reason for the placement change"
    shown = pd.DataFrame(
        {label: ["Care plan", "Carer request", "Allegation"], "Moves": [40, 12, 3]}
    )
    assert report.moves_title(shown) == (
        "Care plan was the commonest reason for a placement move in the year (40 moves)"
    )
    shown["Moves"] = ["40", "c", "c"]
    assert report.moves_title(shown) == (
        "Care plan was the commonest reason shown for a placement move in the year (40 moves)"
    )


def test_the_incidence_title_reads_only_shown_estimates():
    approved, withdrew = tte.OUTCOME_LABELS[tte.APPROVED], tte.OUTCOME_LABELS[tte.WITHDREW]
    shown = pd.DataFrame(
        {
            "Enquiry year": ["2023/24", "2023/24", "2024/25", "2024/25"],
            "Outcome": [approved, withdrew, approved, withdrew],
            tte.estimated(3): ["0.0 (none yet)", "77.7 (73.1 to 81.6)", "c", "74.0 (69.6 to 77.8)"],
            tte.estimated(12): ["2.1 (1.0 to 3.9)", "c", "not yet observed", "not yet observed"],
        }
    )
    assert tte.incidence_title(shown, "Enquiry year", (3, 12)) == (
        "74.0% of 2024/25's enquirers withdrew within 3 months of enquiry; 2.1% of 2023/24's "
        "enquirers were approved within 12 months"
    )
    shown[tte.estimated(12)] = "c"
    assert tte.incidence_title(shown, "Enquiry year", (3, 12)) == (
        "74.0% of 2024/25's enquirers withdrew within 3 months of enquiry"
    )


@pytest.mark.notebook
def test_the_built_pages_lead_with_their_findings(built_reports: Path):
    """The first chart of each 2024/25 appendix on the example data, exactly."""

    def first_caption(name: str) -> str:
        page = (built_reports / "2024-25" / f"{name}.html").read_text()
        found = re.search(r"id=.figure-1.><strong>Figure 1:</strong> ([^<]*)</p>", page)
        assert found, name
        return html.unescape(found.group(1))

    assert first_caption("retention") == (
        "Mainstream households fell from 205 to 191 in 2024/25: 20 approved, 22 ceased to foster, "
        "12 other exits"
    )
    assert first_caption("published_trends") == (
        "Approvals rose from 17 to 20 in 2024/25, from 511 initial enquiries"
    )
    assert first_caption("placement_stability").startswith(
        "11% of Coventry's children looked after had 3 or more placements in 2024/25, against "
        "10% in England"
    )
    assert first_caption("recruitment").startswith(
        "74.0% of 2024/25's enquirers withdrew within 3 months of enquiry"
    )
    # recruitment's main body leads with where people leave and how long each step takes
    page = (built_reports / "2024-25" / "recruitment.html").read_text()
    main = page[: page.index('id="technical-annex"')]
    assert "The largest group of leavers in 2024/25: 148 households" in html.unescape(main)
    # the longest step as Table 14 shows it (when a step is withheld the title says "of the
    # steps shown": test_recruitment_titles_name_the_largest_loss_and_the_longest_step)
    assert (
        "Stage 2 to panel took longest in 2024/25, a median of 133 days; enquiry to approval "
        "took 368 days" in main
    )


def test_recruitment_titles_name_the_largest_loss_and_the_longest_step():
    """A withheld step may be the longest: the title then claims only the steps shown."""
    from analysis.recruitment import charts as recruitment_charts

    reasons = pd.DataFrame(
        {
            "Stage left": ["Initial enquiry", "Initial enquiry", "Stage 1"],
            "Reason": ["No response to follow-up contact", "Chose another agency", "Health"],
            "Code": ["AW1", "AW3", "AW2"],
            "Households": ["148", "c", "12"],
            "Avoidable": ["no", "yes", "no"],
        }
    )
    assert recruitment_charts.reasons_title(reasons, "2024-25") == (
        "The largest group of leavers in 2024/25: 148 households who left at initial enquiry "
        "(no response to follow-up contact)"
    )
    reasons.loc[0, "Households"] = "c"
    assert recruitment_charts.reasons_title(reasons, "2024-25").endswith(
        "12 households who left at stage 1 (health)"
    )
    durations = pd.DataFrame(
        {
            "Step": [
                "Enquiry to expression of interest",
                "Stage 1 to stage 2",
                "Stage 2 to panel",
                "Enquiry to approval",
            ],
            "Median days": ["20", "103", "c", "368"],
        }
    )
    assert recruitment_charts.durations_title(durations, "2024-25") == (
        "Stage 1 to stage 2 took longest of the steps shown in 2024/25, a median of 103 days; "
        "enquiry to approval took 368 days"
    )
    durations.loc[2, "Median days"] = "133"
    assert recruitment_charts.durations_title(durations, "2024-25").startswith(
        "Stage 2 to panel took longest in 2024/25, a median of 133 days"
    )


def test_the_influence_title_states_a_shown_count_only():
    influence = pd.DataFrame(
        {
            t.INFLUENCE: [
                "Could influence",
                "Could not influence",
                "Quality of care or safeguarding",
            ],
            t.HOUSEHOLDS: ["9", "11", "2"],
        }
    )
    assert retention_charts.influence_title(influence, "2024-25") == (
        "9 of the 22 households that ceased to foster in 2024/25 left for reasons the service "
        "could influence"
    )
    influence[t.HOUSEHOLDS] = ["c", "11", "c"]
    assert retention_charts.influence_title(influence, "2024-25") == (
        "11 households that ceased to foster in 2024/25 left for reasons the service could not "
        "influence"
    )
    influence[t.HOUSEHOLDS] = "c"
    assert retention_charts.influence_title(influence, "2024-25") == (
        "Households that ceased to foster in 2024/25, by whether the service could influence "
        "the reason"
    )


def test_the_unplanned_title_states_a_share_only_from_counts_shown():
    shown = pd.DataFrame(
        {
            "Foster placement": ["Own foster carers", "Connected persons"],
            "Ended unplanned": [33, 7],
            "Ended otherwise": [176, 76],
        }
    )
    year = FinancialYear.parse("2024-25")
    assert report.unplanned_title(shown, year) == (
        "40 of the 292 foster placements that ended in 2024/25 ended unplanned (13.7%)"
    )
    shown["Ended unplanned"] = ["33", "c"]
    assert report.unplanned_title(shown, year) == (
        "33 of the 209 foster placements with own foster carers that ended in 2024/25 ended "
        "unplanned (15.8%)"
    )
    shown["Ended unplanned"] = ["c", "c"]
    assert report.unplanned_title(shown, year) == (
        "Foster placements ending in the year, unplanned or otherwise"
    )


def test_the_placements_title_gives_a_share_only_when_every_band_is_shown():
    bands = ["1", "2", "3", "4", "5 or more"]
    shown = pd.DataFrame({"Placements in the year": bands, "Children": [520, 88, 57, 19, 0]})
    assert report.placements_title(shown) == (
        "520 of the 684 children looked after on 31 March (76.0%) had one placement all year"
    )
    shown["Children"] = [520, 88, 57, "c", "c"]
    assert report.placements_title(shown) == (
        "520 children looked after on 31 March had one placement all year"
    )
    # of the children looked after as the headline table shows them
    headline = pd.DataFrame({"Children in the group": [684, 487, 243]})
    assert report.placements_title(shown, report.looked_after(headline)) == (
        "520 of the 684 children looked after on 31 March (76.0%) had one placement all year"
    )
    assert report.looked_after(pd.DataFrame({"Children in the group": ["c", 487, 243]})) is None
    shown["Children"] = ["c", 88, 57, "c", "c"]
    assert report.placements_title(shown) == (
        "Children looked after on 31 March by number of placements in the year"
    )
