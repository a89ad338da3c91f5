"""Recruitment drop-off: the funnel, the cohorts, conversion, exits, timings, channels, diversity.

Two ways of counting, both needed:

* **period counts** (as the annual report counts): events dated in the financial
  year, whoever they belong to. A stage 2 start in May 2024 counts in 2024-25 even if
  the household enquired in 2022.
* **cohort view**: the households that enquired in a year, followed to where they
  stood at the end of the appendix year. Only this view says what share of a year's
  enquirers get through, because period counts mix people from different years.

Every function takes the household table from :func:`analysis.recruitment_load.load`
and returns a DataFrame; nothing here reads files or draws.
"""

from __future__ import annotations

import pandas as pd

from analysis.recruitment_load import load
from analysis.years import financial_year_labels


def load_clean(raw: str = "example", year: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(households, quarantine) from every extract up to ``year`` (default: the latest).

    One row per household (id ``H`` + six digits, unique across all years) with the
    columns of the documented schema plus ``exit_reason_text`` (as typed),
    ``transferred_from_agency``, ``extract_year`` (the extract the record came from),
    ``source_file`` and ``source_row``.
    """
    from analysis.recruitment_load import available_years

    loaded = load(year or available_years(raw)[-1], raw)
    return loaded.households, loaded.quarantine


def approved_households(raw: str = "example", year: str | None = None) -> pd.DataFrame:
    """Every household approved in the extracts up to ``year``: the retention analysis's input.

    Columns: household_id, approval_date, approval_year, household_type, ethnic_group,
    channel, transferred_from_agency.
    """
    households, _ = load_clean(raw, year)
    approved = households[households["approval_date"].notna()].copy()
    approved["approval_year"] = financial_year_labels(approved["approval_date"])
    columns = [
        "household_id",
        "approval_date",
        "approval_year",
        "household_type",
        "ethnic_group",
        "channel",
        "transferred_from_agency",
    ]
    return approved[columns].sort_values(["approval_date", "household_id"]).reset_index(drop=True)
