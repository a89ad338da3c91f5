"""The identities a reader can subtract with on the recruitment page are declared, so the
page withholds enough (hand-made pages with the 2024-25 example's figures)."""

from __future__ import annotations

import pandas as pd

from analysis.presentation.appendix import Appendix
from analysis.recruitment import relations

YEARS = ["2022-23", "2023-24", "2024-25"]


def _page() -> Appendix:
    app = Appendix("Recruitment drop-off", "2024-25", "public", service="Test")
    period = pd.DataFrame(
        {
            "Year": YEARS,
            "Enquiries": [709, 372, 511],
            "Approvals": [16, 17, 20],
            "Approvals from earlier enquiries": [15, 12, 17],
            "Enquirers approved by now": [16, 18, 3],
        }
    )
    counts = [c for c in period.columns if c != "Year"]
    app.table(period, "Period and cohort", counts=counts, name="period vs cohort")
    groups = pd.DataFrame(
        {
            "Stage": ["Applicants (started stage 1)"],
            "Households": [99],
            "Ethnicity known": [97],
        }
    )
    app.table(groups, "Groups", counts=["Households", "Ethnicity known"], name="groups")
    ethnic = pd.DataFrame(
        {"Ethnic group": ["White", "Not known"], "Applicants (started stage 1)": [97, 2]}
    )
    app.table(ethnic, "Ethnic", counts=["Applicants (started stage 1)"], name="ethnic")
    return app


def test_without_the_identities_a_reader_subtracts_the_withheld_counts():
    app = _page()
    app.finish()
    period = "period vs cohort|2024-25|"
    own, not_known = (
        f"{period}Enquirers approved by now",
        "ethnic|Not known|Applicants (started stage 1)",
    )
    assert {own, not_known} <= app.hidden
    # 20 - 17 = 3 approved from the year's own enquirers; 99 - 97 = 2 of ethnicity not known.
    earlier, approvals = f"{period}Approvals from earlier enquiries", f"{period}Approvals"
    assert not {earlier, approvals} & app.hidden
    assert app.ledger.values[approvals] - app.ledger.values[earlier] == app.ledger.values[own]


def test_declared_identities_make_the_page_withhold_enough():
    app = _page()
    relations.relate_page(app, YEARS)
    app.finish()
    assert app.hidden == {
        "period vs cohort|2024-25|Enquirers approved by now",
        "period vs cohort|2024-25|Approvals from earlier enquiries",
        "ethnic|Not known|Applicants (started stage 1)",
        "groups|Applicants (started stage 1)|Ethnicity known",
    }
    assert not app.ledger.exposures(app.hidden)


def test_an_identity_the_counts_break_is_not_declared():
    app = _page()
    app.ledger.values["period vs cohort|2024-25|Approvals"] = 21.0  # an approval after the year
    before = list(app.ledger.relations)
    relations.relate_page(app, YEARS)
    added = [r for r in app.ledger.relations if r not in before]
    assert all("period vs cohort|2024-25|Approvals from earlier enquiries" not in r for r in added)
