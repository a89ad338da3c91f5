"""The survival tables as the page shows them: a share that left within 1, 3 and 5 years,
withheld with the leavers it rests on, "0.0 (none yet)" where none had left and "no
estimate" where the households were not observed; and the at-risk and life tables under
the page's decision."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.disclosure import members
from analysis.presentation import estimates
from analysis.presentation.appendix import Appendix
from analysis.retention import measures as m
from analysis.retention import tables as t
from analysis.retention.load import load_register


def _households(group: str, durations, events, entry=None) -> pd.DataFrame:
    n = len(durations)
    return pd.DataFrame(
        {
            "household_id": [f"{group[:1]}{k:05d}" for k in range(n)],
            "group": group,
            "duration": durations,
            "event": events,
            "entry": [0.0] * n if entry is None else entry,
        }
    )


def _hand_made() -> pd.DataFrame:
    """Three groups of 20 households followed for 6 years: A loses 2 in its first year and 8
    by year 3; B loses none; C is first seen 2 years after approval (delayed entry)."""
    a = _households("A", [0.5, 0.8] + [2.0] * 6 + [6.0] * 12, [True] * 8 + [False] * 12)
    b = _households("B", [6.0] * 20, [False] * 20)
    c = _households("C", [4.0] * 10 + [6.0] * 10, [True] * 10 + [False] * 10, [2.0] * 20)
    return pd.concat([a, b, c], ignore_index=True)


def test_share_text_reads_none_yet_no_estimate_or_the_share_with_its_interval():
    assert t.share_text(1.0, 1.0, 1.0, 0) == "0.0 (none yet)"
    assert t.share_text(float("nan"), float("nan"), float("nan"), 4) == "no estimate"
    assert t.share_text(0.9, 0.8, 0.95, 2) == "10.0 (5.0 to 20.0)"


def test_still_fostering_counts_the_leavers_each_share_rests_on():
    table = t.still_fostering(_hand_made(), "group", floor=6).set_index(t.GROUP)
    assert table[t.HOUSEHOLDS].tolist() == [20, 20, 20]
    assert table[t.left_within(1)].tolist() == [2, 0, 0]
    assert table[t.left_within(3)].tolist() == [8, 0, 0]
    assert table.loc["A", t.left_share(1)].startswith("10.0 (")  # 2 of 20 by 1 year
    assert table.loc["A", t.left_share(3)].startswith("40.0 (")
    # B: none of 20 left, each observed from approval for 6 years: no degenerate 100-100
    # interval but the exact 95% upper bound, 1 - 0.05 ** (1 / 20) = 13.9%.
    assert table.loc["B", t.left_share(5)] == "0.0 (95% upper bound 13.9)"
    assert table.loc["C", t.left_share(1)] == t.NO_ESTIMATE  # none observed in year 1
    records = members.of(t.still_fostering(_hand_made(), "group", floor=6))
    assert records[(0, t.left_within(1))] == {"household:A00000", "household:A00001"}


def test_a_zero_gives_its_bound_only_for_households_all_observed_from_approval():
    # D: none of 20 left, but 10 were first seen 2 years after approval (delayed entry) and
    # 10 were approved 2 years before the extract: whether they would have left by year 3 is
    # not observed, so no bound there; by year 1 the first 10 were not observed either.
    # E: 5 households observed throughout: a bound would say there are 5.
    d = _households("D", [6.0] * 10 + [2.0] * 10, [False] * 20, [2.0] * 10 + [0.0] * 10)
    e = _households("E", [6.0] * 5, [False] * 5)
    table = t.still_fostering(pd.concat([d, e], ignore_index=True), "group").set_index(t.GROUP)
    assert table.loc["D", t.left_share(1)] == estimates.NONE_YET
    assert table.loc["D", t.left_share(3)] == estimates.NONE_YET
    assert table.loc["E", t.left_share(5)] == estimates.NONE_YET
    alone = t.still_fostering(d[d["entry"].eq(0)].assign(duration=6.0), "group")
    assert alone.loc[0, t.left_share(3)] == "0.0 (95% upper bound 25.9)"  # 10 households


def test_a_share_resting_on_1_to_5_leavers_is_withheld_with_their_count():
    app = Appendix("Retention", "2024-25", service="Test")
    app.table(
        t.still_fostering(_hand_made(), "group", floor=6),
        "still",
        counts=t.still_counts(),
        rates=t.still_rates(),
        name="still",
    )
    app.close()
    shown = app.shown("still").set_index(t.GROUP)
    assert shown.loc["A", t.left_within(1)] == "c"  # 2 households
    assert shown.loc["A", t.left_share(1)] == "c"  # 10.0% of 20 would give the 2 away
    assert shown.loc["A", t.left_share(3)].startswith("40.0 (")
    assert shown.loc["B", t.left_share(1)] == "0.0 (95% upper bound 13.9)"  # 20 shown
    assert not app.ledger.exposures(app.hidden)


def _page(disclosure: str) -> Appendix:
    """The survival and life tables as the notebook shows them, with their records."""
    register = load_register("2024-25")
    data = m.survival_data(register)
    mainstream = data[data["mainstream"]]
    floor = m.at_risk_floor(disclosure)
    app = Appendix("Retention", "2024-25", disclosure, service="Test service")
    for frame, by, name in [
        (mainstream, None, "all"),
        (mainstream, "cohort", "cohort"),
        (data, "type group", "type"),
    ]:
        still = t.still_fostering(frame, by, floor)
        app.table(
            still, "still", counts=t.still_counts(), rates=t.still_rates(), name=f"still {name}"
        )
        if by is not None:
            at = t.number_at_risk(frame, by)
            app.table(at, "at risk", counts=list(at.columns[1:]), name=f"at risk {name}")
    life = t.life_table(mainstream)
    rate = t.LIFE["leaving rate per 100 household-years"]
    counts = [t.LIFE["households observed"], t.LIFE["leavers"]]
    app.table(life, "life", counts=counts, rates={rate: counts}, name="life table")
    app.close()
    return app


@pytest.fixture(scope="module")
def public():
    return _page("public")


def test_small_counts_at_risk_are_withheld_and_cannot_be_recovered(public):
    types = public.shown("at risk type").set_index(t.GROUP)
    # One mainstream scheme household is observed at 10 years ...
    assert types.loc["Mainstream schemes", "At 10 years"] == "c"
    # ... and the cohorts' 27 at 10 years would give it away from the general 26.
    cohorts = public.shown("at risk cohort").set_index(t.GROUP)
    assert "c" in (
        types.loc["Mainstream (general)", "At 10 years"],
        cohorts.loc["Approved before April 2018", "At 10 years"],
    )
    assert not public.ledger.relations  # no relation declared: the records carry them
    assert not public.ledger.exposures(public.hidden)


def test_a_leaver_count_of_1_to_5_and_its_rate_are_withheld(public):
    life = public.shown("life table").set_index(t.LIFE["year of service"])
    assert life.loc["6 to 7 years", t.LIFE["leavers"]] == "c"
    assert life.loc["6 to 7 years", t.LIFE["leaving rate per 100 household-years"]] == "c"
    # the 114 leavers are the households the survival table counts: one more year withheld
    assert (life[t.LIFE["leavers"]] == "c").sum() >= 2


def test_every_shown_count_is_in_the_ledger_with_its_households(public):
    key = public.cell("at risk cohort", "Approved 2018/19 to 2019/20", "At 1 year")
    assert public.ledger.values[key] == 51 and len(public.ledger.members[key]) == 51
    assert public.ledger.values[public.cell("life table", "0 to 1 years", "Ceased to foster")] == 17
    everyone = public.ledger.members[
        public.cell("still all", "All mainstream households", "Ceased to foster")
    ]
    years = [
        public.cell("life table", y, "Ceased to foster")
        for y in public.shown("life table")[t.LIFE["year of service"]]
    ]
    assert frozenset().union(*(public.ledger.members[k] for k in years)) == everyone


def test_an_internal_copy_withholds_nothing():
    internal = _page("internal")
    life = internal.shown("life table").set_index(t.LIFE["year of service"])
    assert life.loc["6 to 7 years", t.LIFE["leavers"]] == 1
    types = internal.shown("at risk type").set_index(t.GROUP)
    assert types.loc["Mainstream schemes", "At 10 years"] == 1
    still = internal.shown("still type").set_index(t.GROUP)
    assert still.loc["Mainstream schemes", t.left_share(1)] == estimates.NONE_YET
