"""The household register extract: its columns, codes and how they drift between years.

Each year's extract (one CSV per financial year, taken at 31 March) lists every
fostering household on the register at any point in that year. Column names and
code labels change between years as the case-management system is reconfigured;
the council declares, per year, how each year's names and labels map to the
canonical form here (``councils/<slug>/layouts/retention.toml``, read by
:mod:`analysis.core.layouts`), so that a change is a reviewed declaration rather than a
silent miscount. A year with no declaration stops the run.
"""

from __future__ import annotations

from analysis.core.layouts import Spec
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
YES_NO = {"yes": True, "no": False}

SPEC = Spec(
    kind="retention",
    columns=tuple(CANONICAL),
    dates=("approval_date", "deregistration_date"),
    codes={
        "household_type": tuple(HOUSEHOLD_TYPES),
        "reason": tuple(REASONS),
        "unavailable_reason": tuple(UNAVAILABLE_REASONS),
        "transferred_in": tuple(YES_NO),
        "transferred_out": tuple(YES_NO),
        "single_or_couple": ("single", "couple"),
    },
    # What a label outside the declared list becomes where council.toml allows it.
    other={"reason": "other"},
)


def file_name(year: FinancialYear, synthetic: bool) -> str:
    """The extract's file name for ``year`` (example files say SYNTHETIC)."""
    return f"household_register_{year.label}{'_SYNTHETIC' if synthetic else ''}.csv"
