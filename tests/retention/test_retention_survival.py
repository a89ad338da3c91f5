"""Kaplan-Meier on small hand-made registers whose answers are worked out by hand."""

import math

import numpy as np
import pytest

from analysis.retention.survival import kaplan_meier, survival_at


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
