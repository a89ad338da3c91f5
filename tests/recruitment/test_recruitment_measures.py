"""Funnel, cohort and conversion arithmetic on small hand-made tables, and on the example data."""

from __future__ import annotations

import pandas as pd
import pytest
from recruitment_households import household

from analysis.presentation.appendix import MAX_FINDINGS, Appendix
from analysis.recruitment import measures as rec
from analysis.recruitment.load import load

T = pd.Timestamp
NAT = pd.NaT


@pytest.fixture
def small():
    """Six households: two enquiry cohorts (2023-24 and 2024-25), followed to 31 March 2025."""
    rows = [
        # 2023-24 cohort: one approved in 2024-25, one left at stage 2, one left at enquiry.
        household(
            "H000001",
            "2023-05-01",
            "2023-05-20",
            "2023-07-01",
            "2023-10-01",
            "2024-04-10",
            "2024-04-30",
            outcome="approved",
            channel="Foster carer referral",
            kind="couple",
            ethnic="Asian or Asian British",
        ),
        household(
            "H000002",
            "2023-06-01",
            "2023-06-10",
            "2023-08-01",
            "2024-01-15",
            outcome="withdrew",
            exit_stage="stage2",
            exit_date="2024-06-01",
            reason="Length of assessment",
            code="AW4",
        ),
        household(
            "H000003",
            "2024-02-01",
            outcome="withdrew",
            exit_stage="enquiry",
            exit_date="2024-03-01",
            reason="Only wanted information",
            code="AW2",
        ),
        # 2024-25 cohort: one in stage 1, one left after EOI, one in progress at enquiry.
        household("H000004", "2024-04-02", "2024-04-20", "2024-06-01", kind="couple"),
        household(
            "H000005",
            "2024-05-01",
            "2024-05-03",
            outcome="not progressed",
            exit_stage="eoi",
            exit_date="2024-07-01",
            reason="No spare bedroom",
            code="AW5",
            ethnic="Not known",
        ),
        household("H000006", "2025-03-30"),
    ]
    return pd.DataFrame(rows)


def test_period_counts_count_events_dated_in_the_year(small):
    counts = rec.period_counts(small, "2024-25")
    assert counts.to_dict() == {
        "enquiry": 3,
        "eoi": 2,
        "stage1": 1,
        "stage2": 0,
        "panel": 1,
        "approval": 1,
    }
    earlier = rec.period_counts(small, "2023-24")
    assert earlier.to_dict() == {
        "enquiry": 3,
        "eoi": 2,
        "stage1": 2,
        "stage2": 2,
        "panel": 0,
        "approval": 0,
    }


def test_eoi_is_not_counted_for_years_that_did_not_record_it(small):
    assert pd.isna(rec.period_counts(small, "2019-20")["eoi"])


def test_cohort_view_follows_each_years_enquirers(small):
    table = rec.cohort_view(small, ["2023-24", "2024-25"]).set_index("Enquiry year")
    first = table.loc["2023/24"]
    assert first["Enquiries"] == 3 and first["Approved"] == 1
    assert first["Left in stage 2 or at panel"] == 1 and first["Left after enquiry"] == 1
    assert first["Still in progress"] == 0 and first["Reached stage 1"] == 2
    assert first["Approved (%)"] == pytest.approx(33.3)
    second = table.loc["2024/25"]
    assert second["Enquiries"] == 3 and second["Still in progress"] == 2
    assert second["Left after expression of interest"] == 1 and second["Approved"] == 0
    statuses = list(rec.COHORT_COLUMNS.values())
    assert (table[statuses].sum(axis=1) == table["Enquiries"]).all()


def test_cohort_view_never_reaches_before_the_first_extract(small):
    table = rec.cohort_view(small, ["2024-25"])
    assert list(table["Enquiry year"]) == ["2024/25"]


def test_conversion_counts_entrants_movers_and_waiters(small):
    table = rec.conversion(small, ["2023-24", "2024-25"])
    step = table[(table["Year"] == "2023/24") & (table["From"] == "Stage 2 assessment")].iloc[0]
    assert (step["Entered"], step["Moved on"], step["Still waiting"]) == (2, 1, 0)
    assert step["Moved on (%)"] == 50.0
    step = table[(table["Year"] == "2024/25") & (table["From"] == "Initial enquiry")].iloc[0]
    assert (step["Entered"], step["Moved on"], step["Still waiting"]) == (3, 2, 1)


def test_dropout_by_stage_and_reason(small):
    stages = rec.dropout_by_stage(small, "2024-25").set_index("Stage left")
    assert stages.loc["Stage 2 assessment or panel", "Withdrew"] == 1
    assert stages.loc["Expression of interest", "Not progressed by the service"] == 1
    assert stages["Total"].sum() == 2
    reasons = rec.dropout_reasons(small, "2024-25")
    assert list(reasons["Reason"]) == ["No spare bedroom", "Length of assessment"]
    top = rec.largest_avoidable(reasons)
    assert list(top["Reason"]) == ["Length of assessment"]


def test_a_household_not_approved_at_panel_left_in_stage_2(small):
    """Panel exits are one or two a year and the council prints households presented and
    approved: a panel row would give each one's reason, so they count as leaving in stage 2."""
    left = small["exit_stage"].eq("stage2")
    at_panel = small.assign(exit_stage=small["exit_stage"].mask(left, "panel"))
    stages = rec.dropout_by_stage(at_panel, "2024-25").set_index("Stage left")
    assert stages.index[-1] == "Stage 2 assessment or panel"
    assert not any("panel" in label for label in stages.index[:-1])
    assert stages.loc["Stage 2 assessment or panel", "Withdrew"] == 1
    reasons = rec.dropout_reasons(at_panel, "2024-25")
    assert set(reasons["Stage left"]) <= set(stages.index)
    assert "left at panel" not in set(rec.status_as_at(at_panel))


def test_stage_durations(small):
    table = rec.stage_durations(small, "2024-25").set_index("Step")
    assert table.loc["Panel to approval", "Median days"] == 20
    assert table.loc["Enquiry to approval", "Median days"] == 365
    assert table.loc["Start of assessment (stage 1) to approval", "Households"] == 1


def test_stage_durations_are_whole_days_the_mean_too(example):
    table = rec.stage_durations(example.households, "2024-25").set_index("Step")
    row = table.loc["Enquiry to expression of interest"]
    assert row[rec.DURATION_STATS].tolist() == [26, 17, 43, 36]  # not 17.25 and 42.75 days
    assert table.loc["Enquiry to approval", "Median days"] == 368  # 368.5, to the even day
    assert all(str(table[c].dtype) == "Int64" for c in rec.DURATION_STATS)


def test_approval_times_are_whole_days(example):
    table = rec.approval_time_trend(example.households, example.years).set_index("Year approved")
    assert list(table.columns) == [
        "Approvals",
        "Median days from enquiry",
        "Median days from stage 1",
        "Mean days from stage 1",
    ]
    assert table.loc["2024/25"].tolist()[2:] == [246, 279]
    assert all(str(table[c].dtype) == "Int64" for c in table.columns[1:])


def test_who_gets_through_excludes_unknown_ethnicity_from_the_share(small):
    table = rec.who_gets_through(small, ["2024-25"], pooled=1).set_index("Group")
    enquirers = table.loc["Enquirers"]
    assert enquirers["Households"] == 3 and enquirers["Ethnicity known"] == 2
    assert enquirers["Minority ethnic"] == 0
    approved = table.loc["Approved households"]
    assert approved["Minority ethnic"] == 1 and approved["Minority ethnic (%)"] == 100.0
    assert approved["Couples"] == 1


def test_channel_conversion(small):
    table = rec.channel_conversion(small, ["2023-24", "2024-25"]).set_index("How they heard")
    assert table.loc["Website", "Enquiries"] == 5
    assert table.loc["Foster carer referral", "Approved (%)"] == 100.0


PUBLISHED = {  # Fostering Annual Reports 2022/23 and 2024/25: enquiries, EOI, stage 1, 2, approvals
    "2018-19": (815, None, 151, 58, 33),
    "2019-20": (609, None, 91, 58, 21),
    "2020-21": (552, 156, 83, 64, 23),
    "2021-22": (504, 52, 42, 42, 20),
    "2022-23": (709, 48, 37, 35, 16),
    "2023-24": (372, 42, 27, 27, 17),
    "2024-25": (511, 42, 35, 33, 20),
}


@pytest.fixture(scope="module")
def example():
    return load("2024-25")


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_example_funnel_equals_the_published_funnel(example, year):
    counts = rec.period_counts(example.households, year)
    got = tuple(
        None if pd.isna(counts[s]) else int(counts[s])
        for s in ["enquiry", "eoi", "stage1", "stage2", "approval"]
    )
    assert got == PUBLISHED[year]


def test_example_reconciles_against_the_published_csv(example):
    published = rec.published_funnel()
    for year in PUBLISHED:
        table = rec.funnel_comparison(example.households, year, published, example.quarantine)
        assert set(table["Explanation"]) <= {
            "Matches the published figure.",
            "Not published for this year.",
            f"Not recorded in the {year.replace('-', '/')} extract (the system kept no EOI date "
            "before 2020/21).",
        }


def test_example_panel_counts_and_transfers_match_the_2022_23_report(example):
    households = example.households
    assert rec.period_counts(households, "2021-22")["panel"] == 20
    assert rec.period_counts(households, "2022-23")["panel"] == 17
    approved = rec.approved_households()
    assert len(approved) == 150 and approved["household_id"].is_unique
    in_2022 = approved[approved["approval_year"] == "2022-23"]
    assert int(in_2022["transferred_from_agency"].sum()) == 6


def test_example_rows_reconcile_and_only_test_records_are_set_aside(example):
    recon = example.reconciliation
    assert (recon["Rows read"] == recon["Rows clean"] + recon["Rows set aside"]).all()
    assert recon["Rows set aside"].sum() == 2
    assert rec.unrecognised_reasons(example.households) == 0


def test_key_findings_are_generated_from_the_figures(example):
    app = Appendix("Recruitment", "2024-25", service="Test")
    found = rec.key_findings(
        example.households, "2024-25", example.years, rec.published_funnel(), app
    )
    checked = rec.funnel_check_note(example.households, "2024-25", rec.published_funnel(), app)
    groups = rec.groups_note(example.households, "2024-25", example.years, 35.8, app)
    app.finish()
    sentences = [app.stated(s) for s in found]
    assert len(sentences) <= MAX_FINDINGS
    assert sentences[0].startswith("In 2024/25 the service received 511 enquiries")
    # Durations in whole days, months only in brackets (issue 13).
    assert sentences[-1] == (
        "Households approved in 2024/25 took a median of 246 days (8.1 months) from stage 1 "
        "to approval, 2 days more than statutory guidance's about eight months (244 days)."
    )
    # The check against the published funnel is about the data: said in its section.
    assert not any("published" in s for s in sentences)
    assert app.stated(checked) == (
        "The extract's counts of events in 2024/25 match the published figures at the 5 "
        "stages the council published."
    )
    assert app.stated(groups).endswith("against about 35.8% of children in care.")
    assert not any("counted as other" in s for s in sentences)


def test_the_data_note_says_how_many_values_were_counted_as_other():
    other = pd.DataFrame(
        {
            "column": ["channel", "channel", "exit_reason", "channel"],
            "value": ["radio", "Radio advert", "moved to Spain", "radio"],
            "count": [7, 5, 1, 9],
            "extract_year": ["2024-25", "2024-25", "2024-25", "2023-24"],
        }
    )
    assert rec.mapped_to_other(other, "2024-25", "internal") == (
        "12 enquiries from channels and 1 enquiry with exit reasons not declared for 2024-25 "
        "are counted as other, as the council's configuration allows (unknown_to_other)."
    )
    assert rec.mapped_to_other(other, "2023-24", "internal") == (
        "9 enquiries from channels not declared for 2023-24 are counted as other, as the "
        "council's configuration allows (unknown_to_other)."
    )
    # A public page gives no number: these enquiries are in the tables' "other" rows, and
    # any number here could be subtracted from them.
    assert rec.mapped_to_other(other, "2024-25", "public") == (
        "Enquiries from channels and with exit reasons not declared for 2024-25 are counted as "
        "other, as the council's configuration allows (unknown_to_other); the internal copy "
        "says how many."
    )
    assert rec.mapped_to_other(other, "2022-23", "public") is None


def test_example_trajectories_are_coherent_and_cross_year_ends(example):
    households = example.households
    dates = households[
        ["enquiry_date", "eoi_date", "stage1_date", "stage2_date", "panel_date", "approval_date"]
    ]
    filled = dates.T.ffill().T  # a missing EOI takes the enquiry date for the comparison
    assert (filled.diff(axis=1).iloc[:, 1:].fillna(pd.Timedelta(0)) >= pd.Timedelta(0)).all().all()
    approved = households[households["approval_date"].notna()]
    years = approved[["enquiry_date", "approval_date"]].apply(rec.financial_year_labels)
    assert (years["enquiry_date"] < years["approval_date"]).mean() > 0.5


def test_example_is_plausible_against_the_papers(example):
    approved = rec.approved_households()
    minority = approved["ethnic_group"].isin(rec.MINORITY_ETHNIC)
    assert minority.mean() == pytest.approx(0.17, abs=0.02)
    durations = rec.stage_durations(example.households, "2024-25").set_index("Step")
    months = durations.loc["Start of assessment (stage 1) to approval", "Median days"] / 30.44
    assert 6 <= months <= 12


def test_period_ratio_and_cohort_share_differ_as_they_should(small):
    table = rec.period_vs_cohort(small, ["2023-24", "2024-25"]).set_index("Year")
    assert table.loc["2024/25", "Approvals"] == 1
    assert table.loc["2024/25", "Approvals from earlier enquiries"] == 1
    assert table.loc["2024/25", "Enquirers approved by now"] == 0
    assert table.loc["2023/24", "Enquirers approved by now"] == 1
    assert table.loc["2023/24", "Enquirers approved by now (%)"] == pytest.approx(33.3)
