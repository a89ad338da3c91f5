"""The identities between the retention page's survival tables and its flows are declared,
so a withheld flow cannot be subtracted from them (a hand-made page)."""

from __future__ import annotations

import pandas as pd

from analysis.presentation.appendix import Appendix
from analysis.retention import relations

YEARS = ["2023-24", "2024-25"]


def _page() -> Appendix:
    app = Appendix("Carer retention and capacity", "2024-25", "public", service="Test")
    flows = pd.DataFrame(
        {
            "year": YEARS,
            "start": [100, 110],
            "joiners": [14, 4],
            "leavers": [4, 9],
            "other exits": [0, 0],
            "end": [110, 105],
        }
    )
    app.table(flows, "Flows", counts=[c for c in flows.columns if c != "year"], name="flows")
    for y in YEARS:
        app.relate(
            app.cell("flows", y, "end"),
            [app.cell("flows", y, c) for c in ("start", "joiners")],
            [app.cell("flows", y, c) for c in ("leavers", "other exits")],
        )
    app.relate(app.cell("flows", YEARS[0], "end"), [app.cell("flows", YEARS[1], "start")])
    cohorts = pd.DataFrame(
        {
            "group": ["approved before April 2018", "approved 2023-24 or later"],
            "households": [100, 18],
            "left": [13, 0],
        }
    )
    app.table(cohorts, "Still fostering by cohort", counts=["households", "left"])
    return app


def test_a_withheld_joiners_count_is_not_left_to_subtraction_from_the_cohort_table():
    app = _page()
    app.finish()
    joiners = "flows|2024-25|joiners"
    assert (
        joiners in app.hidden and "table-2|approved 2023-24 or later|households" not in app.hidden
    )
    # Without the identity: 18 - 14 = 4, the withheld joiners.
    relations.relate_page(app, YEARS)
    app.finish()
    assert joiners in app.hidden
    assert not app.ledger.exposures(app.hidden)
    assert {
        "flows|2024-25|joiners": 1.0,
        "flows|2023-24|joiners": 1.0,
        "table-2|approved 2023-24 or later|households": -1.0,
    } in app.ledger.relations
