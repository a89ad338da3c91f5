"""The household register extract: its columns, codes and how they drift between years.

Each year's extract (one CSV per financial year, taken at 31 March) lists every
fostering household on the register at any point in that year. Column names and
code labels change between years as the case-management system is reconfigured;
the mappings below declare, per year, how each year's names and labels map to one
canonical form, so that a change is a reviewed edit here rather than a silent
miscount. A year after the last declared one uses the latest layout.
"""

from __future__ import annotations

import re

from analysis.core.years import FinancialYear

# Canonical columns, in the order the cleaned register carries them.
CANONICAL = [
    "household_id",
    "household_type",
    "approval_date",
    "deregistration_date",
    "reason",
    "transferred_in",
    "transferred_out",
    "approved_places",
    "filled_places",
    "vacant_places",
    "unavailable_places",
    "unavailable_reason",
    "single_or_couple",
    "ethnic_group",
    "age_band",
]

_LAYOUT_2018 = {
    "Household ID": "household_id",
    "Household Type": "household_type",
    "Approval Date": "approval_date",
    "Deregistration Date": "deregistration_date",
    "Reason Ceased": "reason",
    "Transferred In": "transferred_in",
    "Transferred Out": "transferred_out",
    "Approved Places": "approved_places",
    "Places Filled": "filled_places",
    "Places Vacant": "vacant_places",
    "Places Unavailable": "unavailable_places",
    "Unavailable Reason": "unavailable_reason",
    "Single/Couple": "single_or_couple",
    "Ethnicity": "ethnic_group",
    "Carer Age Band": "age_band",
}
_LAYOUT_2021 = {
    **{
        k: v
        for k, v in _LAYOUT_2018.items()
        if k not in ("Reason Ceased", "Ethnicity", "Approved Places")
    },
    "Reason for Ceasing to Foster": "reason",
    "Ethnic Group": "ethnic_group",
    "No. Approved Places": "approved_places",
}
_LAYOUT_2023 = {
    "household_id": "household_id",
    "carer_type": "household_type",
    "approved_on": "approval_date",
    "deregistered_on": "deregistration_date",
    "reason_for_leaving": "reason",
    "transfer_in": "transferred_in",
    "transfer_out": "transferred_out",
    "approved_care_arrangements": "approved_places",
    "care_arrangements_filled": "filled_places",
    "care_arrangements_vacant": "vacant_places",
    "care_arrangements_unavailable": "unavailable_places",
    "unavailable_reason": "unavailable_reason",
    "household_composition": "single_or_couple",
    "ethnic_group": "ethnic_group",
    "age_band": "age_band",
}

# Household types. Canonical codes; "mainstream" covers general mainstream carers
# and the four mainstream schemes the reports name.
HOUSEHOLD_TYPES = {
    "mainstream": "Mainstream (general)",
    "next_steps": "Next Steps",
    "out_of_hours": "Out of hours",
    "parent_and_child": "Parent and child",
    "short_stay": "Short stay",
    "connected_persons": "Connected persons",
}
MAINSTREAM_TYPES = ("mainstream", "next_steps", "out_of_hours", "parent_and_child", "short_stay")
_TYPES_2018 = {
    "Mainstream": "mainstream",
    "Mainstream - Next Steps": "next_steps",
    "Mainstream - Out of Hours": "out_of_hours",
    "Mainstream - Parent and Child": "parent_and_child",
    "Mainstream - Short Stay": "short_stay",
    "Connected Persons": "connected_persons",
}
_TYPES_2023 = {
    "Mainstream": "mainstream",
    "Next Steps": "next_steps",
    "Out of Hours": "out_of_hours",
    "Parent & Child": "parent_and_child",
    "Short Stay": "short_stay",
    "Connected Persons (Kinship)": "connected_persons",
}

# Reasons a household's approval ended. ``ceasing`` says whether the reports count
# it as "ceasing to foster"; ``influence`` is whether the service could have
# influenced it; ``ofsted`` is the nearest category in Ofsted's fostering data
# collection (our summary of its deregistration reasons, see docs/assumptions.md).
REASONS = {
    "permanence": {
        "label": "Permanence plan for child (including Staying Put)",
        "ofsted": "Child(ren) left for permanence (SGO, CAO, adoption) or Staying Put",
        "influence": "could not influence",
        "ceasing": True,
    },
    "transfer_la": {
        "label": "Transfer to another LA fostering service / children's trust",
        "ofsted": "Transferred to another fostering service: local authority",
        "influence": "could influence",
        "ceasing": True,
    },
    "transfer_ifa": {
        "label": "Transfer to an independent fostering agency",
        "ofsted": "Transferred to another fostering service: IFA",
        "influence": "could influence",
        "ceasing": True,
    },
    "personal": {
        "label": "Personal circumstances e.g. separation, bereavement, retirement",
        "ofsted": "Personal circumstances, health or retirement",
        "influence": "could not influence",
        "ceasing": True,
    },
    "not_for_them": {
        "label": "Decided fostering not for them",
        "ofsted": "Decided fostering was not for them",
        "influence": "could influence",
        "ceasing": True,
    },
    "dissatisfied": {
        "label": "Dissatisfied with quality of service",
        "ofsted": "Unhappy with the fostering service",
        "influence": "could influence",
        "ceasing": True,
    },
    "safeguarding": {
        "label": "Safeguarding (termination)",
        "ofsted": "Deregistered by the service: standards of care",
        "influence": "quality of care or safeguarding",
        "ceasing": True,
    },
    "resigned_quality": {
        "label": "Resigned prior to quality of care and safeguarding issues",
        "ofsted": "Resigned during standards of care concerns",
        "influence": "quality of care or safeguarding",
        "ceasing": True,
    },
    "other": {
        "label": "Other \u2013 including death",
        "ofsted": "Other",
        "influence": "could not influence",
        "ceasing": True,
    },
    "change_of_approval": {
        "label": "Left the mainstream register: change of approval (not ceasing to foster)",
        "ofsted": "Other",
        "influence": "not a leaver",
        "ceasing": False,
    },
}
REASON_ORDER = list(REASONS)
INFLUENCE_ORDER = ["could influence", "could not influence", "quality of care or safeguarding"]

_REASONS_2018 = {
    "Permanence plan for child (including Staying Put)": "permanence",
    "Transfer to another LA fostering service / children's trust)": "transfer_la",
    "Transfer to an independent fostering agency": "transfer_ifa",
    "Personal circumstances e.g. separation, bereavement, retirement": "personal",
    "Dissatisfied with quality of service": "dissatisfied",
    "Safeguarding (termination)": "safeguarding",
    "Resigned prior to quality of care and safeguarding issues": "resigned_quality",
    "Other \u2013 including death": "other",
}
# "Decided fostering not for them" was added to the code list in 2020/21 (the
# 2022/23 report leaves it blank for 2018/19 and 2019/20).
_REASONS_2020 = {**_REASONS_2018, "Decided fostering not for them": "not_for_them"}
_REASONS_2023 = {
    **{k: v for k, v in _REASONS_2020.items() if v != "transfer_la"},
    "Transfer to another LA fostering service / children's trust (IFA)": "transfer_la",
    "Left the mainstream register: change of approval (not ceasing to foster)": (
        "change_of_approval"
    ),
}

# Why approved places are unoccupied at 31 March. ``group`` follows the 2024/25
# report: "unavailable" (carers not considering further children, or matching
# difficulties) and "on hold or blocked" (everything else). Vacant places, free to
# be matched, carry no reason.
UNAVAILABLE_REASONS = {
    "carer_not_considering": ("Carer not considering further children", "unavailable"),
    "matching_difficulties": ("Matching difficulties", "unavailable"),
    "introductions": ("Introductions to a new child under way", "on hold or blocked"),
    "short_stay": ("Short stay carer", "on hold or blocked"),
    "reducing_approval": ("Reducing approval numbers", "on hold or blocked"),
    "allegation": ("Subject to the allegations process", "on hold or blocked"),
    "complexity": ("Complexity of needs of children in the household", "on hold or blocked"),
}
_UNAVAILABLE_2018 = {
    "Carer not considering further children": "carer_not_considering",
    "Matching difficulties": "matching_difficulties",
    "Introductions in progress": "introductions",
    "Short stay carer": "short_stay",
    "Reducing approval": "reducing_approval",
    "Subject to allegation process": "allegation",
    "Complexity of needs in household": "complexity",
}
_UNAVAILABLE_2023 = {
    "Unavailable - carer choice": "carer_not_considering",
    "Unavailable - matching": "matching_difficulties",
    "On hold - introductions": "introductions",
    "On hold - short stay": "short_stay",
    "On hold - reducing approval": "reducing_approval",
    "Blocked - allegation": "allegation",
    "On hold - complexity of needs": "complexity",
}

_YES_NO_2018 = {"Y": True, "N": False}
_YES_NO_2023 = {"Yes": True, "No": False}
_COMPOSITION_2018 = {"Single": "single", "Couple": "couple"}
_COMPOSITION_2023 = {"single carer": "single", "couple": "couple"}

# Dates: day first in the older extracts, ISO from 2023-24.
_DATE_2018 = "%d/%m/%Y"
_DATE_2023 = "%Y-%m-%d"


def _layout(columns, types, reasons, unavailable, yes_no, composition, date_format) -> dict:
    return {
        "columns": columns,
        "household_type": types,
        "reason": reasons,
        "unavailable_reason": unavailable,
        "yes_no": yes_no,
        "single_or_couple": composition,
        "date_format": date_format,
    }


# Each entry applies from its start year until the next entry.
LAYOUTS = {
    2018: _layout(
        _LAYOUT_2018,
        _TYPES_2018,
        _REASONS_2018,
        _UNAVAILABLE_2018,
        _YES_NO_2018,
        _COMPOSITION_2018,
        _DATE_2018,
    ),
    2020: _layout(
        _LAYOUT_2018,
        _TYPES_2018,
        _REASONS_2020,
        _UNAVAILABLE_2018,
        _YES_NO_2018,
        _COMPOSITION_2018,
        _DATE_2018,
    ),
    2021: _layout(
        _LAYOUT_2021,
        _TYPES_2018,
        _REASONS_2020,
        _UNAVAILABLE_2018,
        _YES_NO_2018,
        _COMPOSITION_2018,
        _DATE_2018,
    ),
    2023: _layout(
        _LAYOUT_2023,
        _TYPES_2023,
        _REASONS_2023,
        _UNAVAILABLE_2023,
        _YES_NO_2023,
        _COMPOSITION_2023,
        _DATE_2023,
    ),
}

ID_PATTERN = re.compile(r"^H\d{6}$")
FILE_PATTERN = re.compile(r"^household_register_(\d{4}-\d{2})(?:_SYNTHETIC)?\.csv$")


def layout_for(year: FinancialYear) -> dict:
    """The declared layout for ``year``: its own, else the latest declared before it."""
    declared = [start for start in LAYOUTS if start <= year.start_year]
    return LAYOUTS[max(declared) if declared else min(LAYOUTS)]


def file_name(year: FinancialYear, synthetic: bool) -> str:
    """The extract's file name for ``year`` (example files say SYNTHETIC)."""
    return f"household_register_{year.label}{'_SYNTHETIC' if synthetic else ''}.csv"
