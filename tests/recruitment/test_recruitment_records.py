"""The recruitment page's counts carry the households they count (issue 12): exact records
on hand-made households, and attacks through counts of the same households in two tables
that the page's old hand-declared relations missed, now caught with nothing declared."""

from __future__ import annotations

import pandas as pd
import pytest
from recruitment_households import household

from analysis.disclosure import members
from analysis.presentation.appendix import Appendix
from analysis.recruitment import measures as rec
from analysis.recruitment import projection as proj
from analysis.recruitment import time_to_event as tte


@pytest.fixture
def four():
    """An approval in 2024-25 from a 2023-24 enquiry, a 2023-24 enquirer who withdrew in
    stage 1 in 2024-25, and two 2024-25 enquirers (one left at enquiry, one in progress)."""
    return pd.DataFrame(
        [
            household("H000001", "2023-06-01", "2023-06-20", "2023-08-01", "2024-01-10",
                      "2024-05-01", "2024-05-20", outcome="approved", kind="couple",
                      channel="Foster carer referral", ethnic="Asian or Asian British"),
            household("H000002", "2023-09-01", "2023-09-10", "2024-01-05", outcome="withdrew",
                      exit_stage="stage1", exit_date="2024-06-01",
                      reason="Length of assessment", code="AW2"),
            household("H000003", "2024-04-10", outcome="withdrew", exit_stage="enquiry",
                      exit_date="2024-04-20", reason="Only wanted information", code="AW0"),
            household("H000004", "2024-10-01", "2024-10-05", ethnic="Not known"),
        ]
    )  # fmt: skip


def ids(*numbers: int, year: str = "2023-24") -> set[str]:
    return {f"household:{year}:H00000{n}" for n in numbers}


YEARS = ["2023-24", "2024-25"]


def test_each_household_has_one_record_named_by_its_enquiry_year(four):
    assert list(rec.household_records(four)) == [
        "household:2023-24:H000001",
        "household:2023-24:H000002",
        "household:2024-25:H000003",
        "household:2024-25:H000004",
    ]


def test_cohort_and_period_tables_carry_the_households_they_count(four):
    cohorts = rec.cohort_view(four, YEARS)
    found = members.of(cohorts)
    assert list(cohorts["Enquiry year"]) == ["2023/24", "2024/25"]
    assert found[(0, "Enquiries")] == ids(1, 2)
    assert found[(0, "Approved")] == ids(1)
    assert found[(0, "Left in stage 1")] == ids(2)
    assert found[(0, "Reached stage 1")] == ids(1, 2)
    assert found[(1, "Left after enquiry")] == ids(3, year="2024-25")
    assert found[(1, "Still in progress")] == ids(4, year="2024-25")
    period = members.of(rec.period_vs_cohort(four, YEARS))
    # 2024-25's one approval is the 2023-24 enquirer's: the same record in both tables.
    assert period[(1, "Approvals")] == period[(1, "Approvals from earlier enquiries")] == ids(1)
    assert period[(0, "Enquirers approved by now")] == found[(0, "Approved")]
    assert period[(1, "Enquirers approved by now")] == frozenset()


def test_breakdowns_carry_the_households_of_each_cell(four):
    mix = rec.channel_counts(four, YEARS)
    assert list(mix.columns) == ["Year", "Foster carer referral", "Website", "Total"]
    cells = members.of(mix)
    assert cells[(0, "Foster carer referral")] == ids(1)
    assert cells[(1, "Total")] == ids(3, 4, year="2024-25")
    groups = members.of(rec.who_gets_through(four, YEARS, pooled=2))
    assert groups[(0, "Ethnicity known")] == ids(1, 2) | ids(3, year="2024-25")
    assert groups[(1, "Minority ethnic")] == ids(1)  # applicants: started stage 1
    ethnic = rec.ethnic_breakdown(four, YEARS, pooled=2)
    assert list(ethnic["Ethnic group"]) == ["White", "Asian or Asian British", "Not known"]
    assert members.of(ethnic)[(2, "Enquirers")] == ids(4, year="2024-25")
    leavers = rec.dropout_by_stage(four, "2024-25")
    assert members.of(leavers)[(2, "Total")] == ids(2)  # stage 1 (no EOI row: none recorded)
    reasons = rec.dropout_reasons(four, "2024-25")
    largest = rec.largest_avoidable(reasons)
    # The largest avoidable loss is reasons' second row: its records follow it there.
    assert list(largest["Reason"]) == ["Length of assessment"]
    assert members.of(largest) == {(0, "Households"): ids(2)}
    assert members.of(reasons)[(1, "Households")] == ids(2)


def test_funnel_extract_counts_carry_records_and_published_figures_none(four):
    published = pd.DataFrame(
        {s: [4] for s in [*rec.FUNNEL_MEASURES, "panel"]}, index=["2024-25"]
    ).astype("Int64")
    table = rec.funnel_comparison(four, "2024-25", published, pd.DataFrame())
    found = members.of(table)
    assert {column for _, column in found} == {rec.EXTRACT}
    approval = list(table["Stage"]).index("Approval")
    assert found[(approval, rec.EXTRACT)] == ids(1)
    events = rec.funnel_history(four, YEARS)
    assert list(events.columns) == ["Year", *rec.EVENT_COLUMNS.values()]
    assert members.of(events)[(1, "Approvals")] == ids(1)
    assert members.of(events)[(1, "Enquiries")] == ids(3, 4, year="2024-25")


def test_pipeline_total_has_every_stages_households(four):
    table = proj.with_total(proj.by_stage(proj.chances(four, "2024-25")), proj.project(
        proj.chances(four, "2024-25")["chance"]))  # fmt: skip
    found = members.of(table)
    assert list(table["Stage reached"]) == ["Expression of interest", "Total"]
    assert found[(1, "Households in progress")] == ids(4, year="2024-25")


def _funnel_page(extract_approvals: int) -> Appendix:
    """The funnel table on a page: the extract and the council both count 3 approvals."""
    app = Appendix("Recruitment", "2024-25", service="Test")
    table = pd.DataFrame(
        {
            "Stage": ["Initial enquiry", "Approval"],
            rec.EXTRACT: [40, extract_approvals],
            rec.PUBLISHED: [40, 3],
            "Difference (households)": [0, extract_approvals - 3],
            "Explanation": ["Matches the published figure."] * 2,
        }
    )
    records = {
        (0, rec.EXTRACT): {f"household:2024-25:H{i:06d}" for i in range(40)},
        (1, rec.EXTRACT): {f"household:2023-24:H{i:06d}" for i in range(extract_approvals)},
    }
    app.table(
        members.attach(table, records),
        "Funnel",
        counts=[rec.EXTRACT, rec.PUBLISHED],
        published=[rec.PUBLISHED],
        rates={"Difference (households)": [rec.EXTRACT], "Explanation": [rec.EXTRACT]},
        name="funnel",
    )
    app.finish()
    return app


def test_the_funnels_extract_counts_are_withheld_like_any_count_from_the_extract():
    app = _funnel_page(3)
    shown = app.shown("funnel").set_index("Stage")
    # The council's 3 is printed as published; the extract's 3 is withheld, with the
    # difference and the words that would say it equals the printed figure.
    assert shown.loc["Approval", rec.PUBLISHED] == 3
    assert list(shown.loc["Approval", [rec.EXTRACT, "Difference (households)"]]) == ["c", "c"]
    assert shown.loc["Approval", "Explanation"] == "withheld"  # words, not "c"
    assert shown.loc["Initial enquiry", rec.EXTRACT] == 40
    assert "funnel|Approval|Households as published" in app.ledger.published
    assert "funnel|Approval|Households in the extract" not in app.ledger.published


def _by_group_page(with_records: bool) -> Appendix:
    """Enquirers by how they heard and household type (Table 8's builder): 20 couples and
    3 single applicants, all from the website, all withdrawn within three months."""
    rows = [
        household(f"H{i:06d}", "2024-04-01", outcome="withdrew", code="AW0",
                  exit_stage="enquiry", exit_date="2024-04-20",
                  kind="couple" if i <= 20 else "single")
        for i in range(1, 24)
    ]  # fmt: skip
    spells = tte.by_channel_and_type(tte.episodes(pd.DataFrame(rows), "2024-25"))
    curves = tte.cumulative_incidence(spells, by=["group"])
    table = tte.incidence_table(curves, spells, "group", "Group", (3,), [tte.WITHDREW])
    if not with_records:
        table.attrs = {}
    app = Appendix("Recruitment", "2024-25", service="Test")
    app.table(table, "by group", counts=["Households", tte.counted(3)], name="by group")
    app.finish()
    return app


def test_an_attack_through_two_breakdowns_of_the_same_enquirers_is_caught():
    # The website's 23 enquirers are the 20 couples and the 3 single applicants: the old
    # page declared no relation between the two breakdowns (only that a group's rows state
    # one size), so it withheld the 3 and showed 23 and 20, and 23 - 20 = 3.
    old = _by_group_page(with_records=False)
    single = "by group|Single applicant: Withdrew (any reason)|Households"
    assert single in old.hidden
    assert not old.ledger.exposures(old.hidden)  # the old page's own audit saw nothing
    new = _by_group_page(with_records=True)
    attack = new.ledger.exposures(old.hidden, targets={single})
    assert [(e.key, e.low, e.high) for e in attack] == [(single, 3.0, 3.0)]
    # With the records the page withholds enough, and shows the couples' withdrawals
    # within three months only if the single applicants' stay safe.
    assert single in new.hidden
    assert not new.ledger.exposures(new.hidden)
    assert new.hidden - old.hidden


def _held(rows: list[tuple[str, int, str, str]]) -> pd.DataFrame:
    """A loader's quarantine: (extract year, spreadsheet row, column, reason)."""
    return pd.DataFrame(
        {
            "source_file": [f"enquiries_{y}.csv" for y, *_ in rows],
            "source_row": [r for _, r, *_ in rows],
            "column": [c for *_, c, _ in rows],
            "reason": [why for *_, why in rows],
            "extract_year": [y for y, *_ in rows],
        }
    )


def test_rows_set_aside_carry_their_rows_in_both_data_quality_tables():
    held = _held(
        [("2023-24", 7, "Household ID", "duplicated id")]
        + [("2024-25", r, "Stage Two start", "stages out of order: x") for r in (4, 9)]
        + [("2024-25", r, "Outcome", "outcome inconsistent: y") for r in range(10, 18)]
    )
    reconciliation = pd.DataFrame(
        {
            "Extract": ["2023-24", "2024-25"],
            "File": ["enquiries_2023-24.csv", "enquiries_2024-25.csv"],
            "Rows read": [500, 610],
            "Rows clean": [499, 600],
            "Rows set aside": [1, 10],
        }
    )
    quality = rec.data_quality(reconciliation, held)
    reasons = rec.set_aside_by_reason(held)
    assert list(quality["Extract"]) == ["2023/24", "2024/25"]
    assert members.of(quality)[(1, "Rows set aside")] == {
        f"row:enquiries_2024-25.csv:{r}" for r in (4, 9, *range(10, 18))
    }
    assert reasons.to_dict("list") == {
        "Extract": ["2023/24", "2024/25", "2024/25"],
        "Column": ["Household ID", "Outcome", "Stage Two start"],
        "Reason": ["Duplicated id", "Outcome inconsistent: y", "Stages out of order: x"],
        "Rows": [1, 8, 2],
    }
    app = Appendix("Recruitment", "2024-25", service="Test")
    app.table(
        quality,
        "Rows",
        counts=["Rows read", "Rows clean", "Rows set aside"],
        totals={"Rows read": ["Rows clean", "Rows set aside"]},
        name="rows",
    )
    app.table(reasons, "Set aside", counts=["Rows"], name="reasons")
    app.finish()
    # 10 set aside from 2024-25 less 8 would give the 2 out of order: the 8 is withheld
    # with it; 500 read less 499 clean would give the 1 duplicate: the 499 is withheld.
    assert app.hidden == {
        "reasons|2023/24|Rows",
        "reasons|2024/25|Rows",
        "reasons|2024/25#2|Rows",
        "rows|2023/24|Rows clean",
        "rows|2023/24|Rows set aside",
    }
    assert not app.ledger.exposures(app.hidden)
