"""A share of 0 as the pages print it: the exact 95% upper bound where the households it
rests on are all shown and all followed, else "none yet"."""

from __future__ import annotations

import pytest

from analysis.presentation import estimates


def test_the_upper_bound_is_clopper_pearsons_for_no_events():
    # (1 - p) ** n = 0.05: the exact one-sided 95% bound, near the rule of three (3 / n).
    assert estimates.upper_bound(1) == pytest.approx(0.95)
    assert estimates.upper_bound(20) == pytest.approx(1 - 0.05 ** (1 / 20))
    assert estimates.upper_bound(20) == pytest.approx(0.139108, abs=1e-6)
    assert estimates.upper_bound(100) == pytest.approx(0.029513, abs=1e-6)
    assert estimates.upper_bound(100) == pytest.approx(3 / 100, rel=0.02)
    with pytest.raises(ValueError):
        estimates.upper_bound(0)


def test_the_bound_is_printed_only_for_six_households_or_more():
    assert estimates.zero_text(20) == "0.0 (95% upper bound 13.9)"
    assert estimates.zero_text(6) == "0.0 (95% upper bound 39.3)"
    # A bound from 1 to 5 households would give their number away: "none yet".
    assert estimates.zero_text(5) == estimates.NONE_YET == "0.0 (none yet)"
    assert estimates.zero_text(None) == "0.0 (none yet)"


def test_a_printed_zero_is_read_back():
    assert estimates.is_zero("0.0 (95% upper bound 13.9)")
    assert estimates.is_zero("0.0 (none yet)")
    assert not estimates.is_zero("10.0 (5.0 to 20.0)")
    assert not estimates.is_zero("c")
    assert estimates.bound_of("0.0 (95% upper bound 13.9)") == 13.9
    assert estimates.bound_of("0.0 (none yet)") is None
    assert estimates.said("0.0 (95% upper bound 13.9)") == "none yet (95% upper bound 13.9%)"
    assert estimates.said("0.0 (none yet)") == "none yet"
