"""The enquiry extract's documented schema and code lists.

Every yearly file is mapped onto this schema through the layout the council declares
for its year in ``councils/<slug>/layouts/recruitment.toml`` (read by
:mod:`analysis.core.layouts`): nothing is matched by guesswork. The spellings of each
code are declared there too; the codes, and what each reason means, are here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.core.layouts import Spec

# The clean table, in order. ``eoi_date`` may be absent: not recorded before 2020-21.
STAGES = ["enquiry", "eoi", "stage1", "stage2", "panel", "approval"]
STAGE_DATES = [f"{s}_date" for s in STAGES]
DATE_COLUMNS = [*STAGE_DATES, "exit_date"]
CATEGORIES = ["outcome", "exit_stage", "channel", "household_type", "ethnic_group"]
SCHEMA = [
    "household_id",
    *DATE_COLUMNS,
    "outcome",
    "exit_stage",
    "exit_reason_code",
    "exit_reason",
    "channel",
    "household_type",
    "ethnic_group",
]
OPTIONAL = {"eoi_date"}
REQUIRED = [c for c in SCHEMA if c not in OPTIONAL]

STAGE_LABELS = {
    "enquiry": "Initial enquiry",
    "eoi": "Expression of interest",
    "stage1": "Stage 1 assessment",
    "stage2": "Stage 2 assessment",
    "panel": "Fostering panel",
    "approval": "Approval",
}
# Sanity bound: no fostering enquiry record can be older than this.
RECORDS_START = pd.Timestamp(2000, 4, 1)


# Ofsted's fostering data collection: why a household withdrew its application before
# panel (an optional field from 2023-24). Labels as Ofsted gives them in "Fostering in
# England dataset guidance: annual changes" (3 April 2024, detail added 24 May 2024), in
# ../shared/reference/ofsted/DATA_COLLECTION.md section 5. A closure decided by the service
# (outcome "not progressed") is not a withdrawal and has no AW code.
REASON_CODES = {
    "AW0": "Other reason/unknown reason",
    "AW1": "Fostering was not as the applicant expected",
    "AW2": "Assessment process was not as the applicant expected",
    "AW3": "Household circumstances changed during the assessment "
    "(other than for financial reasons)",
    "AW4": "Applicant was unable to continue the process for financial reasons",
    "AW5": "Applicant was concerned about the risk of allegations",
}


@dataclass(frozen=True)
class Reason:
    """One of the service's finer reasons: its Ofsted code (none for a closure the service
    decided) and whether it is avoidable."""

    code: str | None
    avoidable: bool


# The service's reasons. "Avoidable" = something the service itself can change (speed
# and manner of contact and assessment, its offer against other agencies' offers). Ofsted
# has no code for choosing another agency or for wanting information only: both are AW0.
REASONS: dict[str, Reason] = {
    "No response to follow-up contact": Reason("AW0", False),
    "Only wanted information": Reason("AW0", False),
    "Not the right time": Reason("AW0", False),
    "No spare bedroom": Reason(None, False),
    "Change in circumstances": Reason("AW3", False),
    "Health": Reason("AW3", False),
    "Impact on own children": Reason("AW1", False),
    "Chose another fostering service": Reason("AW0", True),
    "Allowances lower than expected": Reason("AW4", True),
    "Delay in contact from the service": Reason("AW2", True),
    "Length of assessment": Reason("AW2", True),
    "Intrusiveness of assessment": Reason("AW2", True),
    "Unsuitable: checks and references": Reason(None, False),
    "Unsuitable: assessment findings": Reason(None, False),
    "Not recommended for approval": Reason(None, False),
}
UNRECOGNISED_REASON = "Other (reason text not in the declared list)"

# The codes of each categorical column (the spellings that map to them are declared per
# year in the council's layouts).
CODES: dict[str, tuple[str, ...]] = {
    "outcome": ("approved", "withdrew", "not progressed", "in progress"),
    "exit_stage": ("enquiry", "eoi", "stage1", "stage2", "panel"),
    "channel": (
        "Website",
        "Social media",
        "Event",
        "Foster carer referral",
        "Transfer from another agency",
        "Other",
    ),
    "household_type": ("single", "couple"),
    "ethnic_group": (
        "White",
        "Asian or Asian British",
        "Black or Black British",
        "Mixed or multiple",
        "Other ethnic group",
        "Not known",
    ),
}
MINORITY_ETHNIC = [
    "Asian or Asian British",
    "Black or Black British",
    "Mixed or multiple",
    "Other ethnic group",
]


SPEC = Spec(
    kind="recruitment",
    columns=tuple(SCHEMA),
    optional=frozenset(OPTIONAL),
    dates=tuple(DATE_COLUMNS),
    codes={**CODES, "exit_reason": (*REASONS, UNRECOGNISED_REASON)},
    # What a value outside the declared list becomes where council.toml allows it.
    other={
        "channel": "Other",
        "ethnic_group": "Other ethnic group",
        "exit_reason": UNRECOGNISED_REASON,
    },
)
