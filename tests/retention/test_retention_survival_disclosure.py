"""The survival, at-risk and leaving-rate tables under the page's disclosure decision."""

from __future__ import annotations

import pytest

from analysis.presentation.appendix import Appendix
from analysis.retention import hazard
from analysis.retention import measures as m
from analysis.retention.load import load_register


def _page(disclosure: str) -> Appendix:
    """The survival and life tables as the notebook shows them, with their relations."""
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
        still = m.still_fostering(frame, by, floor=floor)
        app.table(still, "still", counts=["households", "left"], name=f"still {name}")
        if by is not None:
            at = m.number_at_risk(frame, by)
            app.table(at, "at risk", counts=list(at.columns[1:]), name=f"at risk {name}")
    m.relate_survival(app, m.number_at_risk(mainstream, "cohort"))
    life = hazard.life_table(mainstream)
    app.table(
        life,
        "life",
        counts=["households observed", "leavers"],
        rates={"leaving rate per 100 household-years": ["leavers", "households observed"]},
        name="life table",
    )
    m.relate_life_table(app)
    app.finish()
    return app


@pytest.fixture(scope="module")
def public():
    return _page("public")


def test_small_counts_at_risk_are_withheld_and_cannot_be_recovered(public):
    types = public.shown("at risk type").set_index("group")
    # One mainstream scheme household is observed at 10 years ...
    assert types.loc["Mainstream schemes", "at 10 years"] == "c"
    # ... and the cohorts' 27 at 10 years would give it away from the general 26.
    assert types.loc["Mainstream (general)", "at 10 years"] == "c"
    assert public.shown("at risk cohort").set_index("group").loc[
        "approved before April 2018", "at 10 years"
    ] in (27, "c")
    assert "mainstream households observed at 10 years" in public.ledger.values


def test_a_leaver_count_of_1_to_5_and_its_rate_are_withheld_with_a_complement(public):
    life = public.shown("life table").set_index("year of service")
    assert life.loc["6 to 7 years", "leavers"] == "c"
    assert life.loc["6 to 7 years", "leaving rate per 100 household-years"] == "c"
    # the 114 leavers are shown in the survival table, so one more year is withheld
    assert (life["leavers"] == "c").sum() >= 2
    assert public.shown("still all").loc[0, "left"] == 114


def test_every_shown_count_is_in_the_ledger(public):
    keys = public.ledger.values
    assert keys[public.cell("at risk cohort", "approved 2018-19 to 2019-20", "at 1 year")] == 51
    assert keys[public.cell("life table", "0 to 1 years", "leavers")] == 17


def test_an_internal_copy_withholds_nothing():
    internal = _page("internal")
    assert (
        internal.shown("life table").set_index("year of service").loc["6 to 7 years", "leavers"]
        == 1
    )
    assert (
        internal.shown("at risk type").set_index("group").loc["Mainstream schemes", "at 10 years"]
        == 1
    )
