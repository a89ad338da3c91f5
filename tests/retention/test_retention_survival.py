"""Kaplan-Meier on small hand-made registers whose answers are worked out by hand, and
on the example register against the curves of the hand-written estimator it replaced."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.retention import measures as m
from analysis.retention.load import load_register
from analysis.retention.survival import at_risk, kaplan_meier, observed_until, survival_at

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def register():
    return load_register("2024-25")


def test_product_limit_with_censoring_and_a_tie():
    # Six households: leave at 2, 3, 5, 8; censored at 3 (tied with a leaver) and 6.
    table = kaplan_meier([2, 3, 3, 5, 6, 8], [1, 1, 0, 1, 0, 1])
    got = dict(zip(table["time"], table["survival"], strict=True))
    assert got[0.0] == 1
    assert got[2.0] == pytest.approx(5 / 6)
    assert got[3.0] == pytest.approx(2 / 3)  # 6 at risk, then 5 (the censored one still counts)
    assert got[5.0] == pytest.approx(4 / 9)  # 3 at risk: 5, 6, 8
    assert got[8.0] == pytest.approx(0)
    assert table.set_index("time").loc[5.0, "at_risk"] == 3


def test_greenwood_standard_error_and_log_log_interval():
    table = kaplan_meier([2, 3, 3, 5, 6, 8], [1, 1, 0, 1, 0, 1]).set_index("time")
    # Greenwood: S^2 * (1/(6*5) + 1/(5*4)) = (4/9) * (1/12) = 1/27.
    assert table.loc[3.0, "se"] == pytest.approx(math.sqrt(1 / 27))
    # exp(+-1.96 sqrt(1/12) / |ln 2/3|) applied as powers of S = 2/3.
    assert table.loc[3.0, "lower"] == pytest.approx(0.194617, abs=1e-6)
    assert table.loc[3.0, "upper"] == pytest.approx(0.904434, abs=1e-6)


def test_households_still_fostering_are_censored_not_leavers():
    censored = kaplan_meier([1, 2, 3, 4], [1, 0, 0, 0])
    as_leavers = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])
    assert censored["survival"].iloc[-1] == pytest.approx(3 / 4)
    assert censored["time"].iloc[-1] == 4  # carried to the longest follow-up
    assert as_leavers["survival"].iloc[-1] == 0


def test_delayed_entry_keeps_late_entrants_out_of_earlier_risk_sets():
    # The third household is first observed 2.5 years after approval.
    table = kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1], entry=[0, 0, 2.5, 0]).set_index("time")
    assert table.loc[1.0, "at_risk"] == 3
    assert table.loc[1.0, "survival"] == pytest.approx(2 / 3)
    assert table.loc[2.0, "survival"] == pytest.approx(1 / 3)
    assert table.loc[3.0, "at_risk"] == 2
    assert table.loc[3.0, "survival"] == pytest.approx(1 / 6)


def test_entry_after_exit_is_refused():
    with pytest.raises(ValueError, match="entry time is after"):
        kaplan_meier([1, 2], [1, 1], entry=[0, 3])


def test_reading_the_curve_at_given_times_and_beyond_follow_up():
    table = kaplan_meier([2, 3, 3, 5, 6, 8], [1, 1, 0, 1, 0, 1])
    read = survival_at(table, [1, 3, 4, 9], longest=8).set_index("time")
    assert read.loc[1, "survival"] == 1
    assert read.loc[3, "survival"] == pytest.approx(2 / 3)
    assert read.loc[4, "survival"] == pytest.approx(2 / 3)
    assert np.isnan(read.loc[9, "survival"])


# -- lifelines, delayed entry, and where a curve says nothing ---------------------------


def test_censoring_and_delayed_entry_together():
    # Five households: the third is first seen 1.5 years after approval, the fifth 2.5.
    table = kaplan_meier([1, 2, 3, 4, 5], [1, 0, 1, 1, 0], entry=[0, 0, 1.5, 0, 2.5]).set_index(
        "time"
    )
    assert table.loc[1.0, "at_risk"] == 3  # the two late entrants are not yet seen
    assert table.loc[1.0, "survival"] == pytest.approx(2 / 3)
    assert table.loc[3.0, "at_risk"] == 3  # the third, fourth and fifth
    assert table.loc[3.0, "survival"] == pytest.approx(4 / 9)
    assert table.loc[4.0, "survival"] == pytest.approx(2 / 9)
    assert table.index[-1] == 5.0 and table.iloc[-1]["survival"] == pytest.approx(2 / 9)


def test_a_cohort_first_seen_late_has_no_estimate_where_no_one_was_observed():
    # Both households entered observation 2 and 3 years after approval: the product-limit
    # reads 100% at 1 year, but no one was watched then.
    durations, events, entry = [5, 6], [1, 0], [2, 3]
    table = kaplan_meier(durations, events, entry)
    assert table[table["time"] <= 1]["survival"].iloc[-1] == 1
    assert observed_until(durations, entry) == 0
    read = survival_at(table, [1, 3], longest=observed_until(durations, entry))
    assert read["survival"].isna().all()


def test_observed_until_stops_at_the_first_gap_or_thin_stretch():
    assert observed_until([1, 4], [0, 2]) == 1  # nobody watched between 1 and 2 years
    assert observed_until([1, 4], [0, 0.5]) == 4
    # three watched to 1 year, two to 3: at least three only up to 1 year
    assert observed_until([3, 3, 1], [0, 0, 0], min_at_risk=3) == 1
    assert observed_until([3, 3, 1], [0, 0, 0], min_at_risk=2) == 3
    assert at_risk([1, 4, 3], [0, 2, 0], [0, 1, 2.5, 5]) == [2, 2, 2, 0]


def test_lifelines_curves_equal_the_hand_written_ones_on_the_example_register(register):
    # Written by the hand-written product-limit this module replaced (commit 2b4a25b),
    # on the same register: the curves by cohort and by type of household.
    before = pd.read_csv(DATA / "km_curves_before.csv")
    data = m.survival_data(register)
    now = pd.concat(
        [
            table.assign(by=by, group=name)
            for by, frame in [("cohort", data[data["mainstream"]]), ("type group", data)]
            for name, table in (
                (n, kaplan_meier(g["duration"], g["event"], g["entry"]))
                for n, g in frame.groupby(by, sort=True)
            )
        ]
    )[before.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(now, before, check_dtype=False, rtol=1e-7, atol=1e-9)


def test_shares_and_numbers_at_risk_on_the_example_register(register):
    data = m.survival_data(register)
    mainstream = data[data["mainstream"]]
    cohorts = m.still_fostering(mainstream, "cohort").set_index("group")
    # Everyone Approved before April 2018 was first seen after approval: no estimate,
    # where the hand-written version read 100% at 1 year.
    assert (
        cohorts.loc["Approved before April 2018", ["after 1 year %", "after 3 years %"]]
        .isna()
        .all()
    )
    assert cohorts.loc["Approved 2018/19 to 2019/20", "after 1 year %"] == pytest.approx(
        100 * 51 / 54
    )
    assert np.isnan(cohorts.loc["Approved 2022/23 or later", "after 3 years %"])
    at = m.number_at_risk(mainstream, "cohort").set_index("group")
    assert at["at 1 year"].tolist() == [51, 36, 28, 20]
    assert at.loc["Approved before April 2018", "at 0 years"] == 0
    types = m.number_at_risk(data, "type group").set_index("group")
    # the two mainstream types and the four cohorts split the same households
    assert (types.loc[["Mainstream (general)", "Mainstream schemes"]].sum() == at.sum()).all()
    curves = m.survival_curves(mainstream, "cohort")
    assert "Approved before April 2018" not in curves
    public = m.survival_curves(data, "type group", floor=m.at_risk_floor("public"))
    assert (
        public["Connected persons"]["time"].max()
        < m.survival_curves(data, "type group")["Connected persons"]["time"].max()
    )


def test_the_curve_stops_where_everyone_observed_has_gone_before_others_arrive():
    # Two households watched from approval leave at 1 and 2 years; six more are first
    # seen at 3 years (lifelines refuses to carry S = 0 past them).
    durations = [1, 2, 4, 5, 6, 7, 8, 9]
    events = [1, 1, 0, 1, 0, 1, 0, 1]
    entry = [0, 0, 3, 3, 3, 3, 3, 3]
    table = kaplan_meier(durations, events, entry)
    assert table["time"].tolist() == [0, 1, 2]
    assert table["survival"].tolist() == pytest.approx([1, 0.5, 0])
    assert observed_until(durations, entry) == 2
