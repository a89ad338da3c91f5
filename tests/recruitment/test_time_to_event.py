"""Competing outcomes over time: Aalen-Johansen by hand and against lifelines, horizons,
medians, the eight-month share, withdrawal timing and disclosure of small groups."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from lifelines import AalenJohansenFitter
from lifelines.fitters import aalen_johansen_fitter

from analysis.core import paths
from analysis.disclosure import audit, members
from analysis.presentation.appendix import Appendix, drawn_values
from analysis.presentation.charts import encoded
from analysis.recruitment import charts
from analysis.recruitment import time_to_event as tte

T = pd.Timestamp
STAGES = ["eoi", "stage1", "stage2", "panel", "approval"]


def household(ident, enquiry, *stages, outcome="in progress", exit_date=None, code=None,
              exit_stage=None, channel="Website", kind="single"):  # fmt: skip
    """One household: enquiry date, then eoi, stage1, stage2, panel, approval as given."""
    dates = [*stages, *[None] * (5 - len(stages))]
    return {
        "household_id": ident,
        "enquiry_date": T(enquiry),
        **{f"{s}_date": T(d) if d else pd.NaT for s, d in zip(STAGES, dates, strict=True)},
        "exit_date": T(exit_date) if exit_date else pd.NaT,
        "outcome": outcome,
        "exit_stage": exit_stage,
        "exit_reason_code": code,
        "channel": channel,
        "household_type": kind,
    }


# -- the estimator ---------------------------------------------------------------------

# Seven households: a tie of two causes at day 2, an event and a censoring at day 3.
HAND = pd.DataFrame(
    {
        "days": [1, 2, 2, 3, 3, 5, 6],
        "cause": ["A", "A", "B", pd.NA, "A", "B", pd.NA],
    }
)


def _at(curve: pd.DataFrame, cause: str) -> pd.DataFrame:
    return curve[curve["cause"] == cause].set_index("days")


def test_aalen_johansen_equals_the_hand_computed_incidence():
    curve = tte.aalen_johansen(HAND["days"], HAND["cause"], ["A", "B"])
    a, b = _at(curve, "A"), _at(curve, "B")
    # By hand: t=1 n=7 one A: F_A=1/7, S=6/7. t=2 n=6 one A one B: each rises by
    # (6/7)(1/6)=1/7, S=4/7. t=3 n=4 (the household censored at 3 still at risk) one A:
    # F_A=3/7, S=3/7. t=5 n=2 one B: F_B=1/7+(3/7)(1/2)=5/14, S=3/14. t=6 censored.
    assert a["cif"].to_dict() == pytest.approx(
        {0: 0, 1: 1 / 7, 2: 2 / 7, 3: 3 / 7, 5: 3 / 7, 6: 3 / 7}
    )
    assert b["cif"].to_dict() == pytest.approx(
        {0: 0, 1: 0, 2: 1 / 7, 3: 1 / 7, 5: 5 / 14, 6: 5 / 14}
    )
    assert a["at_risk"].to_dict() == {0: 7, 1: 7, 2: 6, 3: 4, 5: 2, 6: 1}
    assert a["cumulative"].to_dict() == {0: 0, 1: 1, 2: 2, 3: 3, 5: 3, 6: 3}
    assert a["survival"].to_dict() == pytest.approx(
        {0: 1, 1: 6 / 7, 2: 4 / 7, 3: 3 / 7, 5: 3 / 14, 6: 3 / 14}
    )
    # The outcomes and those still in progress account for everyone.
    assert a["cif"].iloc[-1] + b["cif"].iloc[-1] + a["survival"].iloc[-1] == pytest.approx(1)
    # The first step's variance by hand: (S0^2) d (n-d) / n^3 = 6/343.
    assert a.loc[1, "variance"] == pytest.approx(6 / 343)


def test_aalen_johansen_interval_brackets_the_estimate_and_is_zero_at_zero():
    curve = tte.aalen_johansen(HAND["days"], HAND["cause"], ["A", "B"])
    positive = curve[curve["cif"] > 0]
    assert (positive["lower"] < positive["cif"]).all() and (
        positive["cif"] < positive["upper"]
    ).all()
    zero = curve[curve["cif"] == 0]
    assert (zero["lower"] == 0).all() and (zero["upper"] == 0).all()


def _lifelines(days, codes, cause):
    fitter = AalenJohansenFitter(calculate_variance=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no jitter warning: the data must have no ties
        fitter.fit(days, codes, event_of_interest=cause)
    ci = fitter.confidence_interval_
    # lifelines labels its bounds the other way round: its "upper" column is the lower bound.
    return pd.DataFrame(
        {
            "cif": fitter.cumulative_density_.iloc[:, 0],
            "lower": ci.iloc[:, 0],
            "upper": ci.iloc[:, 1],
            "variance": fitter.variance_,
        }
    )


def _compare(mine: pd.DataFrame, theirs: pd.DataFrame) -> None:
    mine = mine.reindex(theirs.index)
    for column in ("cif", "variance", "lower", "upper"):
        finite = np.isfinite(theirs[column].to_numpy(dtype=float))
        assert finite.sum() > 5
        np.testing.assert_allclose(
            mine[column].to_numpy(dtype=float)[finite],
            theirs[column].to_numpy(dtype=float)[finite],
            rtol=1e-9,
            atol=1e-12,
        )


def test_aalen_johansen_equals_lifelines_on_untied_data():
    rng = np.random.default_rng(14)
    days = np.round(rng.exponential(100, 200), 3)
    assert len(np.unique(days)) == len(days)
    codes = rng.choice([0, 1, 2, 3], size=200, p=[0.2, 0.2, 0.5, 0.1])
    causes = pd.Series(codes).map({1: "approved", 2: "withdrew", 3: "not progressed"})
    curve = tte.aalen_johansen(days, causes, ["approved", "withdrew", "not progressed"])
    for code, cause in ((1, "approved"), (2, "withdrew"), (3, "not progressed")):
        _compare(_at(curve, cause), _lifelines(days, codes, code))


def test_ties_are_handled_exactly_as_lifelines_formula_without_its_jitter(monkeypatch):
    """lifelines jitters tied times at random; its formula with the jitter switched off
    handles ties as this does, and this gives the same answer every time."""
    rng = np.random.default_rng(13)
    days = rng.integers(1, 60, 300)  # whole days: many ties, across causes too
    codes = rng.choice([0, 1, 2], size=300, p=[0.3, 0.3, 0.4])
    causes = pd.Series(codes).map({1: "A", 2: "B"})
    first = tte.aalen_johansen(days, causes, ["A", "B"])
    pd.testing.assert_frame_equal(first, tte.aalen_johansen(days, causes, ["A", "B"]))
    monkeypatch.setattr(
        aalen_johansen_fitter.AalenJohansenFitter,
        "_check_for_duplicates",
        staticmethod(lambda durations, events: False),
    )
    for code, cause in ((1, "A"), (2, "B")):
        _compare(_at(first, cause), _lifelines(days, codes, code))


def test_the_variance_stays_defined_when_the_last_households_all_have_the_event():
    curve = tte.aalen_johansen([1, 2, 3, 3], ["A", "B", "A", "B"], ["A", "B"])
    assert np.isfinite(curve["variance"]).all()
    assert _at(curve, "A")["cif"].iloc[-1] == pytest.approx(0.5)


# -- episodes, horizons and the incidence table ----------------------------------------


@pytest.fixture
def cohort():
    """2023-24 enquirers followed to 31 March 2025: approved, withdrew (two codes), not
    progressed, and one still in progress (censored)."""
    return pd.DataFrame(
        [
            household(
                "H000001",
                "2023-04-01",
                "2023-04-10",
                "2023-05-01",
                "2023-08-01",
                "2024-01-01",
                "2024-01-11",
                outcome="approved",
            ),
            household(
                "H000002",
                "2023-04-01",
                outcome="withdrew",
                exit_date="2023-04-11",
                code="AW0",
                exit_stage="enquiry",
            ),
            household(
                "H000003",
                "2023-05-01",
                outcome="withdrew",
                exit_date="2023-05-21",
                code="AW2",
                exit_stage="enquiry",
            ),
            household(
                "H000004",
                "2023-06-01",
                "2023-06-10",
                outcome="not progressed",
                exit_date="2023-07-01",
                code="AW5",
                exit_stage="eoi",
            ),
            household("H000005", "2024-03-01", "2024-03-05"),
        ]
    )


def test_episodes_stop_each_clock_at_the_outcome_or_the_extract_date(cohort):
    spells = tte.episodes(cohort, "2024-25").set_index("household_id")
    assert spells["days"].to_dict() == {
        "H000001": 285, "H000002": 10, "H000003": 20, "H000004": 30, "H000005": 395,
    }  # fmt: skip
    assert spells["cause"].fillna("censored").tolist() == [
        "approved", "AW0", "AW2", "not progressed", "censored",
    ]  # fmt: skip
    assert spells["outcome"].fillna("censored").tolist() == [
        "approved", "withdrew", "withdrew", "not progressed", "censored",
    ]  # fmt: skip
    assert set(spells["cohort"]) == {"2023-24"}


def test_incidence_table_at_horizons(cohort):
    spells = tte.episodes(cohort, "2024-25")
    curves = tte.cumulative_incidence(spells)
    table = tte.incidence_table(curves, spells, "cohort", "Enquiry year", (1, 12, 24))
    found = members.of(table)
    table = table.set_index("Outcome")
    assert list(table.index) == [
        "Approved",
        "Withdrew (any reason)",
        "Not progressed by the service",
    ]
    assert (table["Households"] == 5).all()
    # By 1 month (30.44 days): both withdrawals (days 10, 20) and the closure (day 30).
    assert table["By 1 month (households)"].tolist() == [0, 2, 1]
    assert table.loc["Withdrew (any reason)", "By 1 month (%, 95% CI)"].startswith("40.0 (")
    # No approval by 1 month: none yet, not an interval of 0.0 to 0.0 (and no upper bound:
    # from 5 households it would say there are 5).
    assert table.loc["Approved", "By 1 month (%, 95% CI)"] == "0.0 (none yet)"
    # By 12 months the approval (day 285): 1 of 5, nobody censored before it.
    assert table.loc["Approved", "By 12 months (%, 95% CI)"].startswith("20.0 (")
    # The in-progress household was followed 395 days: 24 months is beyond the data.
    assert table.loc["Approved", "By 24 months (%, 95% CI)"] == "not yet observed"
    assert table.loc["Approved", "By 24 months (households)"] == ""
    # Each count carries the households it counts; a count not yet observed carries none.
    group = {f"household:2023-24:H00000{i}" for i in range(1, 6)}
    assert found[("2023/24: Approved", "Households")] == group
    assert found[("2023/24: Withdrew (any reason)", "By 1 month (households)")] == {
        "household:2023-24:H000002",
        "household:2023-24:H000003",
    }
    assert found[("2023/24: Approved", "By 12 months (households)")] == {
        "household:2023-24:H000001"
    }
    assert ("2023/24: Approved", "By 24 months (households)") not in found


def test_an_estimate_is_final_once_every_outcome_is_known(cohort):
    resolved = cohort[cohort["outcome"] != "in progress"]
    curves = tte.cumulative_incidence(tte.episodes(resolved, "2024-25"))
    spells = tte.episodes(resolved, "2024-25")
    table = tte.incidence_table(curves, spells, "cohort", "Enquiry year", (24,))
    assert (
        table.set_index("Outcome").loc["Approved", "By 24 months (%, 95% CI)"].startswith("25.0 (")
    )


def test_withdrawals_split_by_code_add_up_to_all_withdrawals(cohort):
    spells = tte.episodes(cohort, "2024-25")
    coarse = tte.cumulative_incidence(spells)
    fine = tte.cumulative_incidence(spells, level="cause")
    withdrew = _at(coarse, "withdrew")["cif"]
    codes = sum(_at(fine, c)["cif"] for c in tte.WITHDRAWAL_CODES)
    pd.testing.assert_series_equal(withdrew, codes, check_names=False)


# -- time to each stage and the eight-month share ------------------------------------------


@pytest.fixture
def approvals():
    """Three households approved in 2024-25 (8 months after application to the day, one
    day over, well inside) and one in 2023-24."""
    return pd.DataFrame(
        [
            household(
                "H000001",
                "2023-11-01",
                "2023-12-01",
                "2024-01-10",
                "2024-05-01",
                "2024-09-01",
                "2024-09-10",
                outcome="approved",
            ),
            household(
                "H000002",
                "2023-10-01",
                "2023-11-01",
                "2024-01-10",
                "2024-05-01",
                "2024-09-01",
                "2024-09-11",
                outcome="approved",
            ),
            household(
                "H000003",
                "2023-09-01",
                "2023-10-01",
                "2023-12-01",
                "2024-02-01",
                "2024-04-20",
                "2024-05-01",
                outcome="approved",
            ),
            household(
                "H000004",
                "2022-09-01",
                "2022-10-01",
                "2022-11-01",
                "2023-03-01",
                "2023-06-20",
                "2023-07-01",
                outcome="approved",
            ),
        ]
    )


def test_share_approved_within_eight_months_of_application(approvals):
    table = tte.within_months_of_application(approvals, ["2023-24", "2024-25"])
    assert table.to_dict("records") == [
        {"Year approved": "2023/24", "Households approved": 1,
         "Within 8 months of application": 1, "Within 8 months (%)": 100.0,
         tte.MEDIAN_FROM_APPLICATION: 242},
        {"Year approved": "2024/25", "Households approved": 3,
         "Within 8 months of application": 2, "Within 8 months (%)": 66.7,
         tte.MEDIAN_FROM_APPLICATION: 244},
    ]  # fmt: skip
    # by hand: 1 Nov 2022 to 1 Jul 2023 is 242 days; 2024/25's are 244, 245 and 152 days
    found = members.of(table)
    assert len(found[(1, "Households approved")]) == 3
    assert found[(1, "Within 8 months of application")] < found[(1, "Households approved")]


def test_median_whole_days_from_enquiry_to_each_stage_by_year_reached(approvals):
    table = tte.time_to_stage(approvals, ["2024-25"]).iloc[0]
    # Approvals in 2024-25: 314, 346 and 243 days after enquiry; median 314 days.
    assert table["Approval: households"] == 3
    assert table["Approval: median days"] == 314
    # Stage 2 starts in 2024-25: 182 and 213 days; median 197.5, to the even day.
    assert table["Stage 2 assessment: households"] == 2
    assert table["Stage 2 assessment: median days"] == 198
    assert not [c for c in table.index if "month" in c]  # whole days, as the issue asks
    # No expression of interest is dated in 2024-25: the year is taken not to record them
    # (as the funnel does), so no count of 0 is shown.
    assert table["Expression of interest: households"] == ""
    assert table["Expression of interest: median days"] == "not recorded"


def test_eight_month_benchmark_is_the_reference_files_row():
    # The repository's copy of Ofsted's national figures (data/raw/ofsted/, with sources).
    rows = pd.read_csv(paths.RAW / "ofsted" / "fostering_in_england_national.csv")
    row = rows[rows["measure"] == tte.EIGHT_MONTHS.measure].iloc[0]
    assert float(row["value"]) == tte.EIGHT_MONTHS.value
    assert row["year"] == tte.EIGHT_MONTHS.year
    assert row["quote"] == tte.EIGHT_MONTHS.quote
    assert row["source_url"] == tte.EIGHT_MONTHS.url
    assert row["source_type"].startswith("secondary")  # so the page says "as reported by"
    assert "as reported by" in tte.EIGHT_MONTHS.source


# -- when withdrawals happen, and what the page says ----------------------------------------


def _withdrawals(days_list):
    rows = [
        household(
            f"H{i:06d}",
            "2024-04-01",
            outcome="withdrew",
            code="AW2",
            exit_date=str((T("2024-04-01") + pd.Timedelta(days=d)).date()),
            exit_stage="enquiry" if d < 30 else "eoi",
        )
        for i, d in enumerate(days_list, start=1)
    ]
    return tte.episodes(pd.DataFrame(rows), "2024-25")


def test_withdrawal_timing_bands_and_sentence():
    # 10 within two weeks, 8 in weeks 2-4, 7 in weeks 4-8 (2 before day 30), 6 later.
    spells = _withdrawals([3] * 10 + [20] * 8 + [29] * 2 + [40] * 5 + [200] * 6)
    timing = tte.withdrawal_timing(spells, ["2024-25"]).set_index("Time since enquiry")
    assert timing["Withdrew"].to_dict() == {
        "Within 2 weeks": 10, "2 to 4 weeks": 8, "4 to 8 weeks": 7, "8 weeks to 3 months": 0,
        "3 to 6 months": 0, "6 to 12 months": 6, "More than 12 months": 0, "Total": 31,
    }  # fmt: skip
    assert timing.loc["4 to 8 weeks", tte.BEFORE_EOI] == 2
    app = Appendix("Recruitment", "2024-25", "internal", service="Test")
    sentence = app.stated(tte.withdrawal_concentration(timing.reset_index(), app, "timing"))
    # Half of 31 is reached in the second band: 18 of 31 (58.1%), all before an EOI.
    assert sentence.startswith(
        "Withdrawals come early: 18 of the 31 withdrawals (58.1%) came within four weeks"
    )
    assert "and 100.0% of those before the household had expressed interest" in sentence
    # The latest cohort pooled was followed for under a year: the sentence says so.
    app = Appendix("Recruitment", "2024-25", "internal", service="Test")
    text = tte.withdrawal_concentration(timing.reset_index(), app, "timing", "2024-25")
    assert app.stated(text).endswith(
        "for it). The enquirers of 2024/25 had been followed for under a year by 31 March "
        "2025: their later withdrawals are still to come, so the shares lean early."
    )


def test_withdrawal_sentence_withholds_what_its_table_withholds():
    # Two leave within two weeks before an EOI, twelve at 4-8 weeks after one, ten later.
    spells = _withdrawals([3] * 2 + [35] * 12 + [100] * 10)
    timing = tte.withdrawal_timing(spells, ["2024-25"])
    app = Appendix("Recruitment", "2024-25", service="Test")
    app.table(timing, "timing", counts=["Withdrew", tte.BEFORE_EOI], name="timing",
              rates={tte.SHARE: ["Withdrew"]}, total_row="Total")  # fmt: skip
    text = tte.withdrawal_concentration(timing, app, "timing")
    app.finish()
    shown = app.shown("timing").set_index("Time since enquiry")
    assert shown.loc["Within 2 weeks", "Withdrew"] == "c"
    assert shown.loc["Within 2 weeks", tte.SHARE] == "c"
    # Half of 24 is reached in the 4-8 week band: 14 of 24, two of them before an EOI.
    # The sentence's 14 counts the households of the first three bands (its records), so
    # the page knows 14 = 2 + 0 + 12 with nothing declared, and withholds enough that
    # neither gives the withheld 2 away; the sentence never states a count the table hides.
    assert not app.ledger.exposures(app.hidden)
    key = "timing: withdrew within 4 to 8 weeks"
    assert app.ledger.values[key] == 14 and key in app.hidden
    assert app.stated(text).startswith(
        "Withdrawals come early: a withheld number of the 24 withdrawals (a withheld share) "
        "came within eight weeks of the enquiry, and a withheld share of those before"
    )


def _leavers(group: str, n: int, outcome: str, start: int, day0: int = 20) -> list[dict]:
    """``n`` households of ``group`` enquiring on 1 April 2024 that all had ``outcome``
    (approved, withdrew, not progressed) within ``day0`` + n days."""
    rows = []
    for i in range(n):
        left = str((T("2024-04-01") + pd.Timedelta(days=day0 + i)).date())
        approved = outcome == "approved"
        rows.append(
            household(
                f"H{start + i:06d}",
                "2024-04-01",
                *([left] * 5 if approved else []),
                outcome=outcome,
                exit_date=None if approved else left,
                code="AW0" if outcome == "withdrew" else None,
                exit_stage="enquiry",
                channel=group,
            )
        )
    return rows


def _by_group(rows: list[dict], months: tuple[int, ...], causes: list[str]):
    """Households' channels as groups: their curves and incidence table at ``months``."""
    spells = tte.episodes(pd.DataFrame(rows), "2024-25").assign(group=lambda f: f["channel"])
    curves = tte.cumulative_incidence(spells, by=["group"])
    return curves, tte.incidence_table(curves, spells, "group", "Group", months, causes)


def _group_page(table: pd.DataFrame, months: tuple[int, ...]) -> Appendix:
    """A public page showing ``table`` as "groups", its counts and rates declared."""
    app = Appendix("Recruitment", "2024-25", service="Test")
    counts = ["Households", *(tte.counted(m) for m in months)]
    app.table(table, "groups", counts=counts, rates=tte.incidence_rates(months), name="groups")
    return app


def test_a_group_of_three_gives_no_curve_and_no_count():
    rows = [*_leavers("Transfer from another agency", 3, "withdrew", 1, day0=5),
            *_leavers("Website", 30, "withdrew", 4, day0=9)]  # fmt: skip
    _, table = _by_group(rows, (1, 3), [tte.WITHDREW])
    app = _group_page(table, (1, 3))
    app.finish()
    shown = app.shown("groups").set_index("Group")
    assert shown.loc["Transfer from another agency", "Households"] == "c"
    assert shown.loc["Transfer from another agency", tte.counted(3)] == "c"
    assert shown.loc["Transfer from another agency", tte.estimated(3)] == "c"
    assert shown.loc["Website", "Households"] == 30
    order = ["Transfer from another agency", "Website"]
    drawn = tte.points(app, "groups", "group", "Group", order, (1, 3))
    assert set(drawn["group"]) == {"Website"}
    # The Website line joins 0 and the shown estimates at 1 and 3 months: 22/30 and 30/30.
    assert list(drawn["months"]) == [0, 1, 3]
    assert list(drawn["cif"]) == [0.0, 0.733, 1.0]
    fig = charts.incidence_chart(drawn, "group", order, {tte.WITHDREW: "Withdrew"})
    assert {round(v, 9) for v in drawn_values(fig)} <= {0.0, 0.733, 1.0}
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["Website"]
    assert set(encoded(fig)) == {
        app.cell("groups", "Website: Withdrew (any reason)", c)
        for c in ("Households", tte.counted(1), tte.counted(3))
    }
    alt = tte.incidence_alt(app.shown("groups"), "Group", (3,), "enquirers", ["Withdrew"])
    assert "Transfer from another agency: withdrew (any reason) withheld" in alt


def test_a_zero_gives_its_upper_bound_only_where_every_household_was_followed():
    # 8 households of one channel withdrew on days 20 to 27 and 6 of another on days 40 to
    # 45: none approved. By 1 month every outcome of the first is known (8 households, the
    # bound 1 - 0.05 ** (1 / 8) = 31.2%); the second has 6 households, all known by 2 months.
    rows = [*_leavers("Website", 8, "withdrew", 1), *_leavers("Radio", 6, "withdrew", 20, 40)]
    causes = [tte.APPROVED, tte.WITHDREW]
    table = _by_group(rows, (1, 2), causes)[1].set_index(["Group", "Outcome"])
    approved = tte.OUTCOME_LABELS[tte.APPROVED]
    assert table.loc[("Website", approved), tte.estimated(1)] == "0.0 (95% upper bound 31.2)"
    assert table.loc[("Radio", approved), tte.estimated(2)] == "0.0 (95% upper bound 39.3)"
    # One Website household still in progress, enquired 10 days before the extract date:
    # its approval by 1 month is unknown, so no bound, though 0 of the others was approved.
    late = household("H000099", "2025-03-21", channel="Website")
    rows = [*_leavers("Website", 8, "withdrew", 1), late]
    table = _by_group(rows, (1,), causes)[1].set_index("Outcome")
    assert table.loc[approved, tte.estimated(1)] == "0.0 (none yet)"


def test_an_upper_bound_is_withheld_with_the_households_it_tells():
    # 8 households (bound shown) and 5 (a bound would tell the 5: withheld with them), and
    # the chart draws the shown zero as 0 with no band.
    rows = [*_leavers("Website", 8, "withdrew", 1), *_leavers("Radio", 5, "withdrew", 20)]
    _, table = _by_group(rows, (1, 2), [tte.APPROVED])
    app = _group_page(table, (1, 2))
    app.close()
    shown = app.shown("groups").set_index("Group")
    assert shown.loc["Website", tte.estimated(1)] == "0.0 (95% upper bound 31.2)"
    assert shown.loc["Radio", "Households"] == "c"
    assert shown.loc["Radio", tte.estimated(1)] == "c"
    drawn = tte.points(app, "groups", "group", "Group", ["Website", "Radio"], (1, 2))
    assert set(drawn["group"]) == {"Website"}
    assert drawn["cif"].tolist() == [0.0, 0.0, 0.0]
    assert drawn["upper"].isna().tolist() == [False, True, True]  # month 0: 0 to 0


def test_a_curve_never_passes_through_a_count_withheld_to_protect_another():
    # 19 households, every outcome known within two months: 3 approved (withheld, 1 to 5),
    # 7 withdrew, 9 not progressed. The 19 shown beside 7 and 9 would give the 3 away, so the
    # page withholds the 7 too, and its share (7/19) with it. Drawn from the records, the
    # withdrawal curve would step to 7/19 all the same: from the table, it is not drawn.
    group = "Transfer from another agency"
    rows = [*_leavers(group, 3, "approved", 1), *_leavers(group, 7, "withdrew", 10),
            *_leavers(group, 9, "not progressed", 20)]  # fmt: skip
    causes = [tte.APPROVED, tte.WITHDREW, tte.NOT_PROGRESSED]
    curves, table = _by_group(rows, (3,), causes)
    app = _group_page(table, (3,))
    outcomes = {c: tte.OUTCOME_LABELS[c] for c in causes}
    app.figure(
        lambda: charts.incidence_chart(
            tte.points(app, "groups", "group", "Group", [group], (3,)), "group", [group], outcomes
        ),
        "Outcomes by months since enquiry",
        table="groups",
    )
    app.close()
    shown = app.shown("groups").set_index("Outcome")
    withdrew = app.cell("groups", f"{group}: {tte.OUTCOME_LABELS[tte.WITHDREW]}", tte.counted(3))
    assert shown.loc[tte.OUTCOME_LABELS[tte.WITHDREW], tte.counted(3)] == "c"
    assert withdrew in app.hidden and app.ledger.values[withdrew] == 7
    assert np.isclose(curves.loc[curves["cause"] == tte.WITHDREW, "cif"], 7 / 19).any()
    chart = app._charts[0]
    assert not any(np.isclose(v, 7 / 19) for v in chart["values"])
    assert not any(np.isclose(v, 7 / 19, atol=5e-4) for v in chart["values"])  # nor rounded
    assert chart["cells"] and not set(chart["cells"]) & app.hidden
    assert not audit.chart_leaks(app._charts, app.ledger.values, app.hidden)
    # A chart that said it rests on the withheld 7 (as the curve from the records did) is
    # caught, though no count it draws is 7: it draws 7/19.
    leaking = [{**chart, "cells": [*chart["cells"], withdrew], "values": [7 / 19]}]
    assert audit.chart_leaks(leaking, app.ledger.values, app.hidden) == [
        f"figure 1 rests on withheld count(s) {[withdrew]}"
    ]


def test_a_chart_reading_a_table_further_down_is_drawn_once_it_is_shown():
    rows = _leavers("Website", 20, "withdrew", 1, day0=9)
    spells = tte.episodes(pd.DataFrame(rows), "2024-25").assign(group=lambda f: f["channel"])
    curves = tte.cumulative_incidence(spells, by=["group"])
    table = tte.incidence_table(curves, spells, "group", "Group", (1, 3), [tte.WITHDREW])
    app = Appendix("Recruitment", "2024-25", service="Test")
    outcomes = {tte.WITHDREW: "Withdrew"}
    app.figure(
        lambda: charts.incidence_chart(
            tte.points(app, "later", "group", "Group", ["Website"], (1, 3)),
            "group",
            ["Website"],
            outcomes,
        ),
        "Withdrawals by months since enquiry",
        table="later",
    )
    assert app._items[-1]["bundle"]["text/plain"].endswith("drawn when the page is complete")
    app.table(table, "later", counts=["Households", tte.counted(1), tte.counted(3)],
              rates=tte.incidence_rates((1, 3)), name="later")  # fmt: skip
    app.close()
    assert "image/png" in app._items[1]["bundle"]
    assert app._charts[0]["values"][:3] and app._charts[0]["cells"]


def test_internal_copies_draw_every_point_the_table_gives():
    rows = _leavers("Website", 3, "withdrew", 1, day0=9)
    spells = tte.episodes(pd.DataFrame(rows), "2024-25").assign(group=lambda f: f["channel"])
    curves = tte.cumulative_incidence(spells, by=["group"])
    table = tte.incidence_table(curves, spells, "group", "Group", (1,), [tte.WITHDREW])
    app = Appendix("Recruitment", "2024-25", "internal", service="Test")
    app.table(table, "groups", counts=["Households", tte.counted(1)],
              rates=tte.incidence_rates((1,)), name="groups")  # fmt: skip
    drawn = tte.points(app, "groups", "group", "Group", ["Website"], (1,))
    assert list(drawn["cif"]) == [0.0, 1.0]


def test_years_without_expressions_of_interest_say_nothing_of_them():
    spells = _withdrawals([3] * 10 + [40] * 10)
    timing = tte.withdrawal_timing(spells, ["2024-25"], eoi=False)
    assert tte.BEFORE_EOI not in timing
    app = Appendix("Recruitment", "2024-25", "internal", service="Test")
    assert app.stated(tte.withdrawal_concentration(timing, app, "timing")) == (
        "Withdrawals come early: 10 of the 20 withdrawals (50.0%) came within two weeks of "
        "the enquiry."
    )


def test_eight_month_sentence_sets_the_year_beside_earlier_years_and_the_nation(approvals):
    table = tte.within_months_of_application(approvals, ["2023-24", "2024-25"])
    app = Appendix("Recruitment", "2024-25", "internal", service="Test")
    sentence = app.stated(tte.eight_month_sentence(table, app, "eight months", "2024-25"))
    assert sentence.startswith(
        "Of the 3 households approved in 2024/25, 2 (66.7%) were approved within eight months "
        "of applying (starting stage 1), against 100.0% of those approved in 2023/24. "
        "The nearest national figure, for 2022/23 (published March 2024): 75%, "
        '"47 per cent (1,740)'
    )
    assert "as reported by BASW/PSW" in sentence


def test_eight_month_sentence_says_the_national_figure_is_its_own_year_only_when_it_is(approvals):
    table = tte.within_months_of_application(approvals, ["2023-24", "2024-25"])
    app = Appendix("Recruitment", "2024-25", "internal", service="Test")
    own = app.stated(tte.eight_month_sentence(table, app, "eight months", "2022-23"))
    assert "The national figure for 2022/23: 75%" in own
    assert "nearest" not in own
