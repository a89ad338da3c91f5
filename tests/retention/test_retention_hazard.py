"""Leaving by year of service, the Cox model, its assumption test and the internal risk list."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.statistics import proportional_hazard_test

from analysis.retention import hazard
from analysis.retention import measures as m
from analysis.retention import tables as t
from analysis.retention.load import load_register


@pytest.fixture(scope="module")
def register():
    return load_register("2024-25")


@pytest.fixture(scope="module")
def fitted(register):
    frame = hazard.model_data(register, m.survival_data(register))
    model, design, dropped = hazard.cox_model(frame)
    return frame, model, design, dropped


def test_life_table_counts_exposure_in_each_year_of_service():
    # A: watched from approval, leaves at 1.5 years. B: first seen at 0.5, still there at 2.5.
    data = pd.DataFrame({"entry": [0, 0.5], "duration": [1.5, 2.5], "event": [True, False]})
    table = hazard.life_table(data, top=2).set_index("year of service")
    assert table["households observed"].tolist() == [2, 2, 1]
    assert table["leavers"].tolist() == [0, 1, 0]
    assert table["household-years"].tolist() == [1.5, 1.5, 0.5]
    assert table.loc["1 to 2 years", "leaving rate per 100 household-years"] == pytest.approx(
        100 / 1.5
    )
    assert table.index[-1] == "2 years or more"


def test_life_table_on_the_example_register_counts_every_mainstream_leaver(register):
    data = m.survival_data(register)
    mainstream = data[data["mainstream"]]
    table = hazard.life_table(mainstream)
    assert table["leavers"].sum() == mainstream["event"].sum() == 114
    assert table.loc[0, ["households observed", "leavers"]].tolist() == [170, 17]


def test_schoenfeld_test_matches_lifelines_without_delayed_entry(fitted):
    # lifelines computes residuals only without delayed entry: compare there, on the
    # register's households (lengths of service in days, so few tied leaving times).
    design = fitted[2].drop(columns="entry")
    model = CoxPHFitter().fit(design, "duration", "event")
    theirs = proportional_hazard_test(model, design, time_transform="rank").summary
    ours = hazard.ph_test(model, design.assign(entry=0.0))
    for column in model.params_.index:
        assert ours.loc[column, "test statistic"] == pytest.approx(
            theirs.loc[column, "test_statistic"], rel=0.01, abs=0.005
        )


def test_the_cox_model_on_the_example_register(fitted):
    frame, model, design, dropped = fitted
    # Mainstream schemes are not told apart (red team 19: "no scheme household ceased to
    # foster", said by the page, made each scheme's joiners the change in its stock).
    assert dropped == [] and "mainstream scheme" not in design
    assert frame["in model"].sum() == 488 and frame.loc[frame["in model"], "event"].sum() == 237
    ratios = hazard.hazard_ratios(model).set_index("compared")
    connected = ratios.loc["Connected persons (against mainstream)"]
    assert connected["hazard ratio"] == pytest.approx(5.46, abs=0.01)
    assert connected["95% interval"] == "3.83 to 7.79"
    tests = hazard.assumption_tests(model, design)
    assert set(tests["proportional hazards"]) == {"not rejected"}
    assert "none departs from it" in hazard.assumption_words(tests)
    broken = tests.assign(**{"proportional hazards": "rejected at 5%"})
    assert "rejected at the 5% level for: Connected persons" in hazard.assumption_words(broken)


def test_covariates_are_as_first_recorded_and_nobody_is_credited_with_earlier_time(
    register, fitted
):
    frame = fitted[0]
    first = register.snapshots.sort_values("year").drop_duplicates("household_id")
    # H000044 is on the first register (2018-19) with a child placed
    row = frame.set_index("household_id").loc["H000044"]
    assert row["child placed"] == int(
        first.set_index("household_id").loc["H000044", "filled_places"] > 0
    )
    modelled = frame[frame["in model"]]
    assert (modelled["entry"] < modelled["duration"]).all()
    data = m.survival_data(register).set_index("household_id")
    assert (
        modelled.set_index("household_id")["entry"] >= data.loc[modelled["household_id"], "entry"]
    ).all()


def test_households_at_highest_risk_are_for_internal_copies_only(fitted):
    frame, model, _, _ = fitted
    with pytest.raises(PermissionError, match="internal"):
        hazard.highest_risk(model, frame, "public")
    listed = hazard.highest_risk(model, frame, "internal")
    assert len(listed) == 10
    risk = listed["hazard against the average household"]
    assert risk.is_monotonic_decreasing
    still = frame.set_index("household_id")
    assert still.loc[listed["household"], "still fostering"].all()
    assert "Connected persons" not in set(listed["type"])


def test_the_public_page_lists_no_household(built_reports):
    page = (built_reports / "2024-25" / "retention.html").read_text()
    text = re.sub(r'src="data:[^"]*"', "", page)  # the charts' image data
    assert "Who is more likely to leave" in text
    assert "highest modelled risk" not in text
    assert not re.search(r"\bH\d{6}\b", text)


def test_a_public_ratio_resting_on_1_to_5_leavers_is_withheld_with_its_interval():
    """Red team 14 (W-A): the 2023-24 page printed 'Transferred in' 1.16 (0.41 to 3.26);
    1/SE² of that interval is about 3.6, and 4 transferred-in households had ceased."""
    register = load_register("2023-24")
    frame = hazard.model_data(register, m.survival_data(register))
    model, _, _ = hazard.cox_model(frame)
    inside = frame[frame["in model"]]
    assert inside.loc[inside["transferred in"].eq(1), "event"].sum() == 4
    public = t.hazard_table(model, frame, "public").set_index("Compared")
    internal = t.hazard_table(model, frame, "internal").set_index("Compared")
    moved = "Transferred in from another service (against assessed here)"
    assert public.loc[moved].tolist() == ["c", "c", "c"]
    assert internal.loc[moved, "Hazard ratio"] == "1.16"
    assert internal.loc[moved, "95% interval"] == "0.41 to 3.26"
    kept = public.drop(index=moved)
    assert kept.equals(internal.drop(index=moved))  # every other ratio is shown as it is
    assert "c" not in kept.to_numpy()
