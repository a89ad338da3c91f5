"""The sufficiency outlook: stock-flow by hand, the simulation, approvals needed, SSDA903."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.years import FinancialYear
from analysis.council import config
from analysis.presentation.appendix import WITHHELD, Appendix
from analysis.retention import relations
from analysis.retention import sufficiency as su
from analysis.retention import tables as t
from analysis.sources.ssda903.load import declared_aliases


def test_the_stock_flow_by_hand():
    # 100 households, 10% leave each year, 8 approved: 98, then 96.2, then 94.58.
    assert su.stock_flow(100, 8, 0.1) == pytest.approx([98, 96.2, 94.58])


def test_without_chance_or_rate_uncertainty_every_run_is_the_stock_flow():
    rates = su.Rates(years=2, approvals=16, exits=20, exposed=200)  # 8 a year, 10%
    runs = su.simulate(100, rates, runs=50, uncertain_rates=False, chance=False)
    assert runs == pytest.approx(np.tile([98, 96.2, 94.58], (50, 1)))


def test_with_no_flows_the_simulation_has_no_variance():
    still = su.Rates(years=3, approvals=0, exits=0, exposed=600)
    assert (su.simulate(200, still, uncertain_rates=False) == 200).all()


def test_the_simulation_centres_on_the_stock_flow_and_is_reproducible():
    rates = su.Rates(years=3, approvals=54, exits=60, exposed=600)  # 18 a year, 10%
    sims = su.simulate(200, rates, runs=20000)
    expected = su.stock_flow(200, 18, 0.1)
    # Monte Carlo error of a mean of 20,000 runs is well under 0.5 households
    assert sims.mean(axis=0) == pytest.approx(expected, abs=0.5)
    assert (sims == su.simulate(200, rates, runs=20000)).all()
    assert not (sims == su.simulate(200, rates, runs=20000, seed=1)).all()
    # the interval widens with the horizon
    spread = np.percentile(sims, 97.5, axis=0) - np.percentile(sims, 2.5, axis=0)
    assert spread[0] < spread[1] < spread[2]


def test_observed_rates_use_the_last_three_years_with_a_start():
    flow = pd.DataFrame(
        {
            "start": [0, 100, 110, 120, 130],
            "joiners": [100, 20, 20, 20, 30],
            "leavers": [0, 10, 10, 10, 12],
            "other exits": [0, 0, 0, 0, 1],
        }
    )
    rates = su.observed_rates(flow)
    assert (rates.years, rates.approvals, rates.exits, rates.exposed) == (3, 70, 33, 360)
    assert rates.exit_rate == pytest.approx(33 / 360)


def test_approvals_needed_to_keep_level_and_to_reach_a_target():
    assert su.approvals_needed(200, 0.1, 200, 3) == pytest.approx(20)
    # 100 households, 10% exits, 120 in two years: 100 * 0.81 + A * 1.9 = 120
    needed = su.approvals_needed(100, 0.1, 120, 2)
    assert needed == pytest.approx(39 / 1.9)
    assert su.stock_flow(100, needed, 0.1, 2)[-1] == pytest.approx(120)


def test_projection_table_on_the_example_register_figures():
    rates = su.Rates(years=3, approvals=53, exits=64, exposed=611)
    table = su.projection(FinancialYear.parse("2024-25"), 191, rates, 379 / 191, 246 / 379 * 100)
    assert table["31 March"].tolist() == [2026, 2027, 2028]
    assert table.loc[0, "households (median)"] == 189
    low, high = (int(x) for x in table.loc[2, "households 95% interval"].split(" to "))
    assert low < 185 < high


def test_children_in_foster_care_from_the_ssda903_return():
    council = config.load("coventry")
    folder = paths.raw_dir("example", council.slug) / "ssda903"
    year = FinancialYear.parse("2024-25")
    got = su.children_in_foster_care(folder, year, declared_aliases(council.layouts))
    # Independently from the raw episodes file: open at 31 March 2025, PLACE U1-U6.
    raw = pd.read_csv(folder / "ssda903_episodes_2024-25_SYNTHETIC.csv", dtype=str)
    decom = pd.to_datetime(raw["DECOM"], dayfirst=True)
    dec = pd.to_datetime(raw["DEC"], dayfirst=True)
    open_ = (decom <= year.end) & (dec.isna() | (dec > year.end))
    foster = raw[open_ & raw["PLACE"].isin(su.FOSTER_PLACEMENTS)]
    assert got["in foster care (U1-U6)"] == foster["CHILD"].nunique() == 450
    assert got["with foster carers who are not relatives or friends (U4-U6)"] == 318
    assert su.children_in_foster_care(folder, FinancialYear.parse("2015-16")) is None


def _outlook_page(end: int, places: int, filled: int) -> tuple[Appendix, str]:
    """A hand-made retention page: one year's flows and capacity, the outlook's observed
    counts, and the outlook (a sentence, a table and a chart) gated on the counts it is
    computed from. Returns the page and the sentence."""
    app = Appendix("Retention", "2022-23", service="Test")
    flows = pd.DataFrame(
        [["2022/23", 100, 20, 15, end - 105, end]], columns=[t.YEAR, *t.FLOW.values()]
    )
    app.table(flows, "flows", counts=list(t.FLOW.values()), name="flows")
    columns = [t.CAPACITY[c] for c in ("households", "approved places", "filled places")]
    capacity = pd.DataFrame([[2023, end, places, filled]], columns=[t.DAY, *columns])
    app.table(capacity, "capacity", counts=columns, name="capacity")
    app.count(20, relations.APPROVALS)
    app.count(15, relations.EXITS)
    app.count(100, relations.EXPOSED)
    resting = relations.outlook_rests_on(app, "2022/23", 2023)
    rates = su.Rates(years=1, approvals=20, exits=15, exposed=100)
    outlook = su.projection(
        FinancialYear.parse("2022-23"), end, rates, places / end, 80.0, runs=200
    )
    app.table(t.outlook(outlook), "Projection", name="outlook", on=resting)
    keep = su.approvals_needed(end, rates.exit_rate, end, 3)
    sentence = app.share(f"Keeping households level needs about {keep:.0f} approvals a year.",
                         resting, WITHHELD)  # fmt: skip
    app.figure(lambda: _line(outlook["households (median)"]), "Outlook", on=resting)
    app.note(sentence)
    app.close()
    return app, sentence


def _line(values) -> plt.Figure:
    fig, ax = plt.subplots()
    ax.plot(range(len(values)), list(values))
    return fig


def test_the_outlook_is_withheld_with_the_households_it_starts_from():
    # 100 households at 1 April, 20 approved, 15 ceased to foster and 2 other exits: 103 at
    # 31 March, shown. The outlook, from 103 and the rates, is shown too.
    app, sentence = _outlook_page(103, 200, 160)
    assert app.stated(sentence) == "Keeping households level needs about 15 approvals a year."
    assert not app.shown("outlook").eq("c").any().any()
    assert app._charts[-1]["values"]
    # Four at 31 March (and in the capacity table): withheld. "About 1 approval a year to stay
    # level" at the shown exit rate would pin it (N x (1 - (1 - q)^3) / (1 + (1 - q) + ...)),
    # and the table's medians too: the whole outlook is withheld, and says so.
    app, sentence = _outlook_page(4, 8, 6)
    assert app.cell("flows", "2022/23", t.FLOW["end"]) in app.hidden
    assert app.stated(sentence) == WITHHELD
    shown = app.shown("outlook")
    assert shown.iloc[:, 1:].eq("c").all().all()
    html = [i["bundle"].get("text/html", "") for i in app._items]
    table = next(h for h in html if "Projection" in h)
    assert WITHHELD in table and "median" not in table.lower().split("</figcaption>")[1]
    assert any(WITHHELD in h for h in html if "figure-empty" in h)
    assert app._charts[-1]["values"] == []
