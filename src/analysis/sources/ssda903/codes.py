"""SSDA903 (children looked after) code lists, by collection year.

The codes the stability analysis uses, as listed in the DfE's "Children looked after
by local authorities in England: guide to the SSDA903 collection" for each year and
as encoded in the SSDA903 schemas of the Social Finance ``liia-tools`` pipeline
(``liiatools/ssda903_pipeline/spec/SSDA903_schema_2017.yml``, whose 2022 and 2024
diffs change no episode code). The one change inside the years this project covers
is placement type ``K3`` (registered supported accommodation), accepted from the 2024-25
collection only; it is grouped with "other" placements, not residential, here. The
reason for placement change ``CUSTOD`` and the special guardianship reasons ``E45``-``E48``
(accepted by the DfE validator's 2022-23 rules) are accepted in every year.

A collection year is named like the financial year it covers (``"2024-25"`` is the
return for 1 April 2024 to 31 March 2025, published by the DfE as reporting year
2025).
"""

from __future__ import annotations

from analysis.core.years import FinancialYear

# Reason for new episode (RNE).
RNE = {
    "S": "Started to be looked after",
    "L": "Change of legal status only",
    "P": "Change of placement only",
    "T": "Change of placement type only, with the same carer(s)",
    "B": "Change of legal status and placement at the same time",
    "U": "Change of legal status and placement type at the same time, with the same carer(s)",
}

# Legal status (LS). V3 and V4 are short breaks (an agreed series of short-term
# placements), which the DfE leaves out of its children-looked-after measures.
LEGAL_STATUS = {
    "C1": "Interim care order",
    "C2": "Full care order",
    "D1": "Freeing order granted",
    "E1": "Placement order granted",
    "V2": "Single period of accommodation under section 20",
    "V3": "Accommodated under an agreed series of short-term breaks (single placements)",
    "V4": "Accommodated under an agreed series of short-term breaks (multiple placements)",
    "L1": "Under police protection and in local authority accommodation",
    "L2": "Emergency protection order",
    "L3": "Under child assessment order and in local authority accommodation",
    "J1": "Remanded to local authority accommodation or to youth detention accommodation",
    "J2": "Placed in local authority accommodation under PACE",
    "J3": "Sentenced to a youth rehabilitation order with residence or intensive fostering",
}
SHORT_BREAKS = frozenset({"V3", "V4"})

_PLACE_BASE = {
    "A3": "Placed for adoption with consent with current foster carer(s)",
    "A4": "Placed for adoption with consent not with current foster carer(s)",
    "A5": "Placed for adoption with placement order with current foster carer(s)",
    "A6": "Placed for adoption with placement order not with current foster carer(s)",
    "H5": "Semi-independent living accommodation not subject to children's homes regulations",
    "K1": "Secure children's home",
    "K2": "Children's home subject to children's homes regulations",
    "P1": "Placed with own parent(s) or other person(s) with parental responsibility",
    "P2": "Independent living, with or without formal support",
    "P3": "Residential employment",
    "R1": "Residential care home",
    "R2": "NHS or health trust establishment providing medical or nursing care",
    "R3": "Family centre or mother and baby unit",
    "R5": "Young offender institution or prison",
    "S1": "Residential school (not dual-registered as a children's home)",
    "T0": "Temporary placement (all types)",
    "T1": "Temporary periods in hospital",
    "T2": "Temporary absences of the child on holiday",
    "T3": "Temporary accommodation whilst normal foster carer(s) is/are on holiday",
    "T4": "Temporary accommodation of seven days or less",
    "U1": "Foster placement with relative or friend: long term fostering",
    "U2": "Foster placement with relative or friend who is also an approved adopter: "
    "fostering for adoption or concurrent planning",
    "U3": "Foster placement with relative or friend: not long term or fostering for adoption",
    "U4": "Foster placement with other foster carer: long term fostering",
    "U5": "Foster placement with other foster carer who is also an approved adopter: "
    "fostering for adoption or concurrent planning",
    "U6": "Foster placement with other foster carer: not long term or fostering for adoption",
    "Z1": "Other placements",
}
_PLACE_2024 = {**_PLACE_BASE, "K3": "Registered supported accommodation (from 2024-25)"}

TEMPORARY = frozenset({"T0", "T1", "T2", "T3", "T4"})
PLACED_FOR_ADOPTION = frozenset({"A3", "A4", "A5", "A6"})
CONNECTED_PERSONS = frozenset({"U1", "U2", "U3"})
OTHER_FOSTER = frozenset({"U4", "U5", "U6"})
FOSTER = CONNECTED_PERSONS | OTHER_FOSTER
FOSTERING_FOR_ADOPTION = frozenset({"U2", "U5"})
# K3 (registered supported accommodation, for 16- and 17-year-olds) is not a children's
# home, so it falls in "other" with independent living, not in residential care.
RESIDENTIAL = frozenset({"K1", "K2", "R1", "R2", "S1"})

PLACE_PROVIDER = {
    "PR0": "Parent(s) or other person(s) with parental responsibility",
    "PR1": "Own provision (by the local authority)",
    "PR2": "Other local authority provision",
    "PR3": "Other public provision (for example a primary care trust)",
    "PR4": "Private provision",
    "PR5": "Voluntary or third sector provision",
}
OWN_PROVISION = "PR1"
AGENCY_PROVISION = frozenset({"PR4", "PR5"})

REASON_EPISODE_CEASED = {
    "X1": "Episode ceases, and new episode begins on same day",
    "E11": "Adopted: application unopposed",
    "E12": "Adopted: consent dispensed with by the court",
    "E2": "Died",
    "E3": "Care taken over by another local authority in the UK",
    "E4A": "Returned home to live with parent(s), relative(s) or other person(s) "
    "with parental responsibility as part of the care planning process",
    "E4B": "Returned home, not as part of the care planning process",
    "E13": "Left care to live with parent(s), relative(s) or other person(s) "
    "with no parental responsibility",
    "E41": "Residence order (or child arrangement order) granted",
    "E43": "Special guardianship order made to former foster carer(s)",
    "E44": "Special guardianship order made to carer(s) other than former foster carer(s)",
    # The later split of E43/E44 by whether the guardian is a relative or friend, accepted in
    # the DfE validator's 2022-23 rules; accepted in every year here (see docs/assumptions.md).
    "E45": "Special guardianship order made to former foster carer(s), relative(s) or friend(s)",
    "E46": "Special guardianship order made to former foster carer(s), other than relative(s) "
    "or friend(s)",
    "E47": "Special guardianship order made to carer(s) other than former foster carer(s), "
    "relative(s) or friend(s)",
    "E48": "Special guardianship order made to carer(s) other than former foster carer(s), "
    "other than relative(s) or friend(s)",
    "E5": "Moved into independent living arrangement and no longer looked after",
    "E6": "Transferred to residential care funded by adult social care services",
    "E7": "Sentenced to custody",
    "E9": "Accommodation on remand ended",
    "E14": "Age assessment determined child aged 18 or over",
    "E15": "Child moved abroad",
    "E16": "Child moved to a placement of their own, with or without formal support",
    "E17": "Aged 18 (or over) and remained with current carers (staying put)",
    "E8": "Period of being looked after ceased for any other reason",
}

REASON_PLACE_CHANGE = {
    "CARPL": "Change to/implementation of care plan",
    "CLOSE": "Resignation or closure of provision",
    "ALLEG": "Allegation (section 47 enquiry)",
    "STAND": "Standards of care concern",
    "APPRR": "Approval removed",
    "CREQB": "Carer(s) requests placement end due to child's behaviour",
    "CREQO": "Carer(s) requests placement end for other reason",
    "CHILD": "Child requests placement end",
    "LAREQ": "Responsible or area authority requests placement end",
    "PLACE": "Change in the status of the placement only",
    "CUSTOD": "Custody arrangement",
    "OTHER": "Other",
}
# Foster placements that ended without being planned: the carer asked for the
# child to move, an allegation, or a concern about the standard of care.
UNPLANNED_ENDINGS = frozenset({"CREQB", "CREQO", "ALLEG", "STAND"})

K3_FROM = FinancialYear.parse("2024-25")


def code_lists(year: FinancialYear) -> dict[str, frozenset[str]]:
    """The valid codes for each coded episode field in ``year``'s collection."""
    place = _PLACE_2024 if year.start >= K3_FROM.start else _PLACE_BASE
    return {
        "RNE": frozenset(RNE),
        "LS": frozenset(LEGAL_STATUS),
        "PLACE": frozenset(place),
        "PLACE_PROVIDER": frozenset(PLACE_PROVIDER),
        "REC": frozenset(REASON_EPISODE_CEASED),
        "REASON_PLACE_CHANGE": frozenset(REASON_PLACE_CHANGE),
    }


def placement_group(place: str, provider: str) -> str:
    """The report's five placement groups for one episode's PLACE and PLACE_PROVIDER."""
    if place in CONNECTED_PERSONS:
        return "Connected persons"
    if place in OTHER_FOSTER:
        if provider == OWN_PROVISION:
            return "Own foster carers"
        if provider in AGENCY_PROVISION:
            return "Agency foster carers"
        return "Other"
    if place in RESIDENTIAL:
        return "Residential"
    return "Other"


PLACEMENT_GROUPS = [
    "Own foster carers",
    "Connected persons",
    "Agency foster carers",
    "Residential",
    "Other",
]
