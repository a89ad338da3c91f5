"""The enquiry extract's documented schema, each year's declared layout, and the code lists.

Every yearly file is mapped onto one schema through a layout declared here for its
year: nothing is matched by guesswork. To add next year's file an analyst adds one
line to :data:`YEAR_LAYOUTS` (see ``data/raw/README.md``). Categorical values and
free-text reasons are read through declared spellings, compared after
:func:`normalise` (case, spaces and punctuation ignored).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

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
HOUSEHOLD_ID = re.compile(r"^H\d{6}$")
# Sanity bound: no fostering enquiry record can be older than this.
RECORDS_START = pd.Timestamp(2000, 4, 1)


@dataclass(frozen=True)
class Layout:
    """How one year's file is laid out: header -> schema column, date format, header row."""

    columns: dict[str, str]
    date_format: str
    header_row: int = 1


OLD_SYSTEM = {
    "Ref": "household_id",
    "Enquiry Date": "enquiry_date",
    "Stage 1 Start": "stage1_date",
    "Stage 2 Start": "stage2_date",
    "Panel Date": "panel_date",
    "Approval Date": "approval_date",
    "Closure Date": "exit_date",
    "Status": "outcome",
    "Closed At Stage": "exit_stage",
    "Withdrawal Code": "exit_reason_code",
    "Withdrawal Reason": "exit_reason",
    "Source": "channel",
    "Applicant Type": "household_type",
    "Ethnicity": "ethnic_group",
}
NEW_SYSTEM = {
    "household_ref": "household_id",
    "date_of_enquiry": "enquiry_date",
    "eoi_received": "eoi_date",
    "stage_1_start": "stage1_date",
    "stage_2_start": "stage2_date",
    "panel_date": "panel_date",
    "approval_date": "approval_date",
    "date_closed": "exit_date",
    "outcome": "outcome",
    "stage_at_exit": "exit_stage",
    "ofsted_reason_code": "exit_reason_code",
    "reason_detail": "exit_reason",
    "how_heard": "channel",
    "household_type": "household_type",
    "ethnicity": "ethnic_group",
}
RENAMED_2022 = {
    "Household ID": "household_id",
    "Enquiry received": "enquiry_date",
    "EOI date": "eoi_date",
    "Stage One start": "stage1_date",
    "Stage Two start": "stage2_date",
    "Panel date": "panel_date",
    "ADM approval date": "approval_date",
    "Closed date": "exit_date",
    "Outcome": "outcome",
    "Stage left": "exit_stage",
    "Ofsted code": "exit_reason_code",
    "Reason (detail)": "exit_reason",
    "Enquiry source": "channel",
    "Household": "household_type",
    "Ethnic group (main applicant)": "ethnic_group",
}
DMY, ISO = "%d/%m/%Y", "%Y-%m-%d"

# The declared layout of each year's file. Add a line here for each new year.
YEAR_LAYOUTS: dict[str, Layout] = {
    "2018-19": Layout(OLD_SYSTEM, DMY),
    "2019-20": Layout(OLD_SYSTEM, DMY),
    "2020-21": Layout(NEW_SYSTEM, ISO),
    "2021-22": Layout(NEW_SYSTEM, ISO, header_row=2),
    "2022-23": Layout(RENAMED_2022, DMY),
    "2023-24": Layout(RENAMED_2022, ISO),
    "2024-25": Layout(RENAMED_2022, ISO),
}
LAYOUT_NAMES = {"OLD_SYSTEM": OLD_SYSTEM, "NEW_SYSTEM": NEW_SYSTEM, "RENAMED_2022": RENAMED_2022}

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
    spellings: tuple[str, ...]


# The service's reasons. "Avoidable" = something the service itself can change (speed
# and manner of contact and assessment, its offer against other agencies' offers).
REASONS: dict[str, Reason] = {
    "No response to follow-up contact": Reason(
        "AW0", False, ("no response to follow up", "no contact nfa")
    ),
    "Only wanted information": Reason("AW2", False, ("info only", "information only")),
    "Not the right time": Reason("AW2", False, ("not right time", "not the right time now")),
    "No spare bedroom": Reason("AW5", False, ("no spare room", "no spare bed room")),
    "Change in circumstances": Reason("AW1", False, ("change of circumstances", "change in circs")),
    "Health": Reason("AW1", False, ("health reasons", "health issues")),
    "Impact on own children": Reason(
        "AW2", False, ("impact on birth children", "concern re own children")
    ),
    "Chose another fostering service": Reason(
        "AW3", True, ("gone with ifa", "went to another agency")
    ),
    "Allowances lower than expected": Reason(
        "AW2", True, ("finances allowances", "allowance too low")
    ),
    "Delay in contact from the service": Reason(
        "AW4", True, ("delay in contact", "not contacted in time")
    ),
    "Length of assessment": Reason(
        "AW4", True, ("length of assesment", "assessment taking too long")
    ),
    "Intrusiveness of assessment": Reason("AW4", True, ("too intrusive", "intrusive assessment")),
    "Unsuitable: checks and references": Reason(
        "AW5", False, ("checks references not satisfactory", "unsuitable checks")
    ),
    "Unsuitable: assessment findings": Reason(
        "AW5", False, ("negative assessment", "unsuitable assessment")
    ),
    "Not recommended for approval": Reason(
        "AW5", False, ("panel not recommended", "adm not approved")
    ),
}
UNRECOGNISED_REASON = "Other (reason text not in the declared list)"

# Categorical values: clean value -> the spellings the extracts have used.
VOCABULARY: dict[str, dict[str, tuple[str, ...]]] = {
    "outcome": {
        "approved": ("approved",),
        "withdrew": ("withdrew", "withdrawn"),
        "not progressed": ("not progressed", "closed not progressed"),
        "in progress": ("in progress", "open"),
    },
    "exit_stage": {
        "enquiry": ("enquiry",),
        "eoi": ("eoi", "expression of interest"),
        "stage1": ("stage 1",),
        "stage2": ("stage 2",),
        "panel": ("panel",),
    },
    "channel": {
        "Website": ("website",),
        "Social media": ("social media", "facebook social media"),
        "Event": ("event",),
        "Foster carer referral": ("carer referral", "word of mouth carer"),
        "Transfer from another agency": ("agency transfer", "transfer from ifa"),
        "Other": ("other",),
    },
    "household_type": {
        "single": ("single", "single applicant"),
        "couple": ("couple", "joint applicants"),
    },
    "ethnic_group": {
        "White": ("white", "white british"),
        "Asian or Asian British": ("asian", "asian or asian british"),
        "Black or Black British": ("black", "black or black british"),
        "Mixed or multiple": ("mixed", "mixed or multiple ethnic groups"),
        "Other ethnic group": ("other", "other ethnic group"),
        "Not known": ("not known", "not stated"),
    },
}
MINORITY_ETHNIC = [
    "Asian or Asian British",
    "Black or Black British",
    "Mixed or multiple",
    "Other ethnic group",
]


def normalise(text: object) -> str:
    """Lower case, punctuation and underscores as spaces, runs of spaces collapsed."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text).lower()).split())


def lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Normalised spelling -> clean value, including each clean value itself."""
    out = {}
    for value, spellings in table.items():
        for text in (value, *spellings):
            out[normalise(text)] = value
    return out


REASON_LOOKUP = lookup({name: r.spellings for name, r in REASONS.items()})
