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


# Ofsted's fostering data collection reasons for an application ending (codes AW0-AW5).
REASON_CODES = {
    "AW0": "Reason not known or lost contact",
    "AW1": "Change in the household's circumstances",
    "AW2": "Decided fostering is not for them now",
    "AW3": "Chose another fostering service",
    "AW4": "Unhappy with the process",
    "AW5": "Not progressed by the service",
}


@dataclass(frozen=True)
class Reason:
    """One of the service's finer reasons: its Ofsted code and whether it is avoidable."""

    code: str
    avoidable: bool


# The service's reasons. "Avoidable" = something the service itself can change (speed
# and manner of contact and assessment, its offer against other agencies' offers).
REASONS: dict[str, Reason] = {
    "No response to follow-up contact": Reason("AW0", False),
    "Only wanted information": Reason("AW2", False),
    "Not the right time": Reason("AW2", False),
    "No spare bedroom": Reason("AW5", False),
    "Change in circumstances": Reason("AW1", False),
    "Health": Reason("AW1", False),
    "Impact on own children": Reason("AW2", False),
    "Chose another fostering service": Reason("AW3", True),
    "Allowances lower than expected": Reason("AW2", True),
    "Delay in contact from the service": Reason("AW4", True),
    "Length of assessment": Reason("AW4", True),
    "Intrusiveness of assessment": Reason("AW4", True),
    "Unsuitable: checks and references": Reason("AW5", False),
    "Unsuitable: assessment findings": Reason("AW5", False),
    "Not recommended for approval": Reason("AW5", False),
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
