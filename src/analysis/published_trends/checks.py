"""The topic checks of the consistency check: which printed figure follows from which.

Each check takes the :class:`~analysis.published_trends.consistency.Figures` look-up and
returns one record per printed figure it can test, using the definitions the reports use
(see the "Published figures" section of ``docs/assumptions.md``). A check whose figures a
council does not publish returns nothing. :data:`ALL` is the list
:func:`analysis.published_trends.consistency.run` uses.
"""

from __future__ import annotations

import itertools

import pandas as pd

from analysis.core.years import FinancialYear
from analysis.published_trends.consistency import (
    AGREES,
    DISAGREES,
    Check,
    Figures,
    Part,
    describe,
    fmt,
    judge,
    percent,
    previous,
    ratio,
    record,
    shown,
)
from analysis.sources.published.load import FUNNEL_TABLE

# Funnel stages in order, with the words the reports use.
STAGES = {
    "initial_enquiries": "initial enquiries",
    "expressions_of_interest": "expressions of interest",
    "stage1_started": "stage 1 starts",
    "stage2_started": "stage 2 (full assessment) starts",
    "households_approved": "households approved",
}
# Printed conversion rates: (measure, basis) -> (numerator, denominator, name).
# A rate printed without a basis (2018/19, 2019/20) is of all enquiries.
RATES = {
    ("rate_enquiry_to_full_assessment", ""): (
        "stage2_started",
        "initial_enquiries",
        "Conversion rate, enquiry to full assessment",
    ),
    ("rate_enquiry_to_full_assessment", "enquiries"): (
        "stage2_started",
        "initial_enquiries",
        "Conversion rate, enquiry to full assessment (any contact)",
    ),
    ("rate_enquiry_to_full_assessment", "expressions_of_interest"): (
        "stage2_started",
        "expressions_of_interest",
        "Conversion rate, enquiry to full assessment (EOI)",
    ),
    ("rate_stage2_to_approval", ""): (
        "households_approved",
        "stage2_started",
        "Conversion rate, stage 2 assessment to approval",
    ),
    ("rate_enquiry_to_approval", ""): (
        "households_approved",
        "initial_enquiries",
        "Conversion rate, enquiry to approval",
    ),
    ("rate_enquiry_to_approval", "enquiries"): (
        "households_approved",
        "initial_enquiries",
        "Conversion rate, enquiry to approval (contact)",
    ),
    ("rate_enquiry_to_approval", "expressions_of_interest"): (
        "households_approved",
        "expressions_of_interest",
        "Conversion rate, enquiry to approval (EOI)",
    ),
}
# Tables whose parts (every breakdown but "total") add up to a printed total.
TOTALLED = {
    "mainstream_households_ceasing": "Households ceasing to foster, by reason",
    "fostering_budget": "Fostering budget and actual (£000), by line",
}
# Printed changes: change measure -> (base measure, breakdown, basis, years back, sign, name).
CHANGES = {
    "households_ceasing_change_on_previous_year": (
        "households_ceasing",
        "total",
        "",
        1,
        1,
        "Rise in households ceasing to foster on the previous year",
    ),
    "indicator_A10_decrease": (
        "indicator",
        "A10",
        "",
        1,
        -1,
        "Fall in A10 (days) on the previous year",
    ),
    "indicator_A20_decrease": (
        "indicator",
        "A20",
        "",
        1,
        -1,
        "Fall in A20 (days) on the previous year",
    ),
    "adm_decisions_decrease": (
        "adm_decisions_placed_for_adoption",
        "",
        "",
        1,
        -1,
        "Fall in ADM decisions for adoption on the previous year",
    ),
    "average_care_proceedings_weeks_decrease": (
        "average_care_proceedings_weeks",
        "",
        "",
        1,
        -1,
        "Fall in average care proceedings duration (weeks) on the previous year",
    ),
    "average_care_proceedings_weeks_decrease_two_years": (
        "average_care_proceedings_weeks",
        "",
        "",
        2,
        -1,
        "Fall in average care proceedings duration (weeks) over two years",
    ),
}


# --- recruitment funnel -------------------------------------------------------------------


def _funnel_alternatives(figures: Figures, row: pd.Series, defined: tuple[str, str]) -> str:
    """Which other numerator / denominator of the printed funnel reproduces the printed rate."""
    year, decimals = row["year"], int(row["decimals"])
    printed = float(row["number"])
    same_year: list[str] = []
    mixed_years: list[str] = []
    candidates: list[tuple[str, Part]] = []
    for stage in STAGES:
        for label, when in (("", year), (" (previous year)", previous(year))):
            part = figures.part(stage, when, source=row["source"], table=FUNNEL_TABLE)
            if part is not None:
                candidates.append((STAGES[stage] + label, part))
    for (num_name, num), (den_name, den) in itertools.permutations(candidates, 2):
        same_defined = (num_name, den_name) == tuple(STAGES[s] for s in defined)
        if same_defined or num.value >= den.value:
            continue
        if judge(printed, decimals, "", percent(num, den))[0] == AGREES:
            text = (
                f"{num_name} / {den_name} = {fmt(num.value)} / {fmt(den.value)} "
                f"= {percent(num, den):.1f}%"
            )
            (mixed_years if num.year != year or den.year != year else same_year).append(text)
    before = figures.rows(row["measure"], previous(year), basis=row["basis"], source=row["source"])
    if not before.empty and float(before["number"].iloc[0]) == printed:
        same_year.append(
            f"the previous year's printed rate ({shown(before.iloc[0])}), as if carried forward"
        )
    found = same_year or mixed_years
    if not found:
        return "no combination of the printed funnel figures reproduces it"
    return "the printed rate matches " + "; or ".join(found)


def funnel_rates(figures: Figures) -> list[dict[str, object]]:
    """Every printed conversion rate against its stages (same document, else the other one)."""
    out = []
    rates = figures.usable[figures.usable["table"] == FUNNEL_TABLE]
    for _, row in rates.iterrows():
        key = (row["measure"], row["basis"])
        if key not in RATES:
            continue
        num_name, den_name, name = RATES[key]
        num = figures.part(num_name, row["year"], source=row["source"], table=FUNNEL_TABLE)
        den = figures.part(den_name, row["year"], source=row["source"], table=FUNNEL_TABLE)
        if num is None or den is None:
            out.append(
                record(
                    "rate",
                    figures,
                    row,
                    name,
                    None,
                    f"{STAGES[num_name]} / {STAGES[den_name]}",
                    [],
                    "a part is not printed",
                )
            )
            continue
        recomputed = percent(num, den)
        formula = (
            f"{STAGES[num_name]} / {STAGES[den_name]} = {num.text} / {den.text} = {recomputed:.2f}%"
        )
        borrowed = [p for p in (num, den) if p.source != row["source"]]
        if borrowed:
            formula += " (part from the other report: this report's cell is damaged)"
        result = record("rate", figures, row, name, recomputed, formula, [num, den])
        if result["verdict"] == DISAGREES and not result["likely_cause"]:
            result["likely_cause"] = _funnel_alternatives(figures, row, (num_name, den_name))
        out.append(result)
    return out


# --- totals -------------------------------------------------------------------------------


def table_totals(figures: Figures) -> list[dict[str, object]]:
    """Each printed total against the sum of its printed parts (blank parts count as nothing)."""
    out = []
    everything = figures.all[figures.all["table"].isin(TOTALLED)]
    for (table, source, year, measure), group in everything.groupby(
        ["table", "source", "year", "measure"], sort=True
    ):
        totals = group[(group["breakdown"] == "total") & (group["status"] == "value")]
        parts = group[group["breakdown"] != "total"]
        if totals.empty:
            continue
        total = totals.iloc[0]
        usable = parts[parts["status"] == "value"]
        blank = parts[parts["status"] != "value"]
        recomputed = float(usable["number"].sum())
        name = TOTALLED[table] + ("" if measure.startswith("households") else f": {measure}")
        formula = " + ".join(fmt(v) for v in usable["number"]) + f" = {fmt(recomputed)}"
        diff = float(total["number"]) - recomputed
        cause = (
            f"the {len(usable)} printed {'part adds' if len(usable) == 1 else 'parts add'} to "
            f"{fmt(recomputed)}, "
            f"{fmt(abs(diff))} {'less' if diff > 0 else 'more'} than the printed total"
        )
        if not blank.empty:
            cells = "blank cell" if len(blank) == 1 else "blank cells"
            cause += f"; {cells} counted as nothing: " + ", ".join(blank["label"])
        parts_used = [Part(float(v), "", source, year) for v in usable["number"]]
        out.append(record("total", figures, total, name, recomputed, formula, parts_used, cause))
    return out


# --- households: stock and flow -----------------------------------------------------------


def household_flow(figures: Figures) -> list[dict[str, object]]:
    """Approved households at 31 March = the last printed count + approvals - households ceasing."""
    out = []
    stocks = figures.usable[figures.usable["measure"] == "approved_households"]
    years = sorted(set(stocks["year"]))
    for _, row in stocks.sort_values(["year", "source"]).iterrows():
        earlier = [y for y in years if y < row["year"]]
        if not earlier:
            continue
        start_year = earlier[-1]
        start = figures.part("approved_households", start_year, table=FUNNEL_TABLE) or figures.part(
            "approved_households", start_year
        )
        flow_years = [
            FinancialYear(s).label
            for s in range(
                FinancialYear.parse(start_year).start_year + 1,
                FinancialYear.parse(row["year"]).start_year + 1,
            )
        ]
        approved = [figures.part("households_approved", y, table=FUNNEL_TABLE) for y in flow_years]
        ceased = [
            figures.part("households_ceasing", y, "total", table="mainstream_households_ceasing")
            for y in flow_years
        ]
        name = "Approved mainstream households at 31 March (stock and flow)"
        if start is None or None in approved or None in ceased:
            out.append(
                record("stock and flow", figures, row, name, None, "", [], "a part is not printed")
            )
            continue
        recomputed = start.value + sum(p.value for p in approved) - sum(p.value for p in ceased)
        formula = (
            f"{fmt(start.value)} at 31 March {start_year[:2]}{start_year[-2:]} + approvals "
            f"{' + '.join(fmt(p.value) for p in approved)} - households ceasing "
            f"{' - '.join(fmt(p.value) for p in ceased)} = {fmt(recomputed)}"
        )
        others = stocks[(stocks["year"] == row["year"]) & (stocks["number"] != row["number"])]
        gap = float(row["number"]) - recomputed
        cause = (
            f"the printed count is {fmt(abs(gap))} {'below' if gap < 0 else 'above'} the "
            f"flow from {start_year}: households that join or leave "
            "mainstream fostering other than by approval or ceasing (transfers between "
            "schemes, separations) or a different count date"
        )
        if not others.empty:
            cause += (
                "; the same report also prints "
                + ", ".join(shown(o) for _, o in others.iterrows())
                + " for this date"
            )
        out.append(
            record(
                "stock and flow",
                figures,
                row,
                name,
                recomputed,
                formula,
                [start, *approved, *ceased],
                cause,
            )
        )
    return out


# --- capacity, children in care, retention ------------------------------------------------


def _other_year_match(figures: Figures, row: pd.Series, recomputed: float) -> str:
    """A printed value of the same measure in another year that the recomputed value matches."""
    same = figures.usable[
        (figures.usable["measure"] == row["measure"]) & (figures.usable["year"] != row["year"])
    ]
    for _, other in same.iterrows():
        if judge(float(other["number"]), int(other["decimals"]), "", recomputed)[0] == AGREES:
            return (
                f"{recomputed:.1f}% matches the {shown(other)} printed for {other['year']}: "
                "the parts may be counted on a different date from the rate"
            )
    return ""


def _places(figures: Figures, year: str) -> Part | None:
    """Approved places at the end of ``year``, else at its start: a report may print only the
    count a year earlier (one council's 2022/23 report gives its 389 places "on 31/3/22")."""
    return figures.part("approved_places", year) or figures.part("approved_places", previous(year))


def _dated(part: Part | None, year: str) -> str:
    """`` (at 31 March 2022)`` where a part is counted at another year's end than ``year``."""
    if part is None or part.year == year:
        return ""
    return f" (at 31 March {FinancialYear.parse(part.year).start_year + 1})"


def capacity(figures: Figures) -> list[dict[str, object]]:
    """Places per household, occupancy, vacant share and retention against their parts."""
    out = []
    f = figures.usable
    for _, row in f[f["measure"] == "approved_places_per_household"].iterrows():
        places = _places(figures, row["year"])
        for label, when in (
            ("end of year", row["year"]),
            ("start of year", previous(row["year"])),
        ):
            for _, homes in f[
                (f["measure"] == "approved_households") & (f["year"] == when)
            ].iterrows():
                den = Part(float(homes["number"]), shown(homes), homes["source"], when)
                name = f"Approved places per household ({label} households)"
                cause = (
                    "no printed count of places and households gives it"
                    if places is not None
                    else ""
                )
                out.append(
                    ratio(
                        figures,
                        "average",
                        row,
                        name,
                        places,
                        den,
                        False,
                        f"approved places{_dated(places, row['year'])} / "
                        f"approved households ({when})",
                        cause,
                    )
                )
    for _, row in f[f["measure"] == "occupancy_rate"].iterrows():
        occupied = figures.part("children_in_internal_mainstream_placements", row["year"])
        places = _places(figures, row["year"])
        if occupied is None or places is None:
            continue
        recomputed = percent(occupied, places)
        cause = _other_year_match(figures, row, recomputed) or "a different count of places"
        if places.value and float(row["number"]):
            cause += (
                f"; {shown(row)} of places with {fmt(occupied.value)} children placed would "
                f"mean about {occupied.value * 100 / float(row['number']):.0f} approved places"
            )
        out.append(
            ratio(
                figures,
                "share",
                row,
                "Occupancy of approved mainstream places",
                occupied,
                places,
                True,
                f"children in internal mainstream placements / "
                f"approved places{_dated(places, row['year'])}",
                cause,
            )
        )
    for _, row in f[f["measure"] == "vacant_share_of_approved"].iterrows():
        vacant = figures.part("vacant_share_of_unoccupied", row["year"])
        occupancy = figures.part("occupancy_rate", row["year"])
        unavailable = figures.part("unavailable_share_of_unoccupied", row["year"])
        if vacant is None or occupancy is None:
            continue
        unoccupied = 100 - occupancy.value
        recomputed = vacant.value * unoccupied / 100
        cause = ""
        if unavailable is not None:
            alt = vacant.value * unavailable.value * unoccupied / 10_000
            cause = (
                f"{shown(row)} matches {vacant.text} of the {unavailable.text} of unoccupied "
                f"places that are unavailable ({vacant.value:g}% x {unavailable.value:g}% x "
                f"{unoccupied:.1f}% = {alt:.1f}%), not {vacant.text} of all unoccupied places"
            )
        formula = (
            f"vacant share of unoccupied x (100% - occupancy) = {vacant.text} x "
            f"{unoccupied:.1f}% = {recomputed:.2f}%"
        )
        out.append(
            record(
                "share",
                figures,
                row,
                "Vacant places as a share of all approved places",
                recomputed,
                formula,
                [vacant, occupancy],
                cause,
            )
        )
    for _, row in f[f["measure"] == "retention_rate"].iterrows():
        ceased = figures.part(
            "households_ceasing", row["year"], "total", table="mainstream_households_ceasing"
        )
        for label, when in (
            ("end of year", row["year"]),
            ("start of year", previous(row["year"])),
        ):
            homes = figures.part("approved_households", when, table=FUNNEL_TABLE)
            if ceased is None or homes is None:
                continue
            recomputed = 100 * (1 - ceased.value / homes.value)
            formula = (
                f"1 - households ceasing / approved households ({when}) = 1 - {ceased.text}"
                f" / {homes.text} = {recomputed:.2f}%"
            )
            out.append(
                record(
                    "share",
                    figures,
                    row,
                    f"Retention of mainstream households ({label} households)",
                    recomputed,
                    formula,
                    [ceased, homes],
                )
            )
    return out


def children_in_care(figures: Figures) -> list[dict[str, object]]:
    """Shares of children with the council's own carers, and counts that should add up."""
    own = figures.own
    out = []
    f = figures.usable
    for _, row in f[f["measure"] == "share_of_foster_children_with_own_carers"].iterrows():
        num = figures.part("children_with_own_foster_carers", row["year"], source=row["source"])
        den = figures.part("children_in_foster_care", row["year"], source=row["source"])
        if num and den:
            out.append(
                ratio(
                    figures,
                    "share",
                    row,
                    f"Share of fostered children with {own} carers",
                    num,
                    den,
                    True,
                    f"children with {own} carers / children in foster care",
                )
            )
    for _, row in f[f["measure"] == "share_of_children_in_care_with_own_carers"].iterrows():
        num = figures.part("children_with_own_foster_carers", row["year"], source=row["source"])
        den = figures.part("children_in_care", row["year"], source=row["source"])
        fostered = figures.part("children_in_foster_care", row["year"], source=row["source"])
        cause = ""
        if num and den:
            printed = float(row["number"])
            cause = (
                f"{fmt(num.value)} of {fmt(den.value)} children in care is "
                f"{percent(num, den):.1f}% (the report also says 'around half'); "
                f"{shown(row)} of {fmt(den.value)} would be {printed * den.value / 100:.0f} "
                f"children, and {fmt(num.value)} children are {shown(row)} of "
                f"{num.value * 100 / printed:.0f}"
            )
            if fostered:
                cause += f" (not of the {fmt(fostered.value)} in foster care either)"
        out.append(
            ratio(
                figures,
                "share",
                row,
                f"Share of all children in care with {own} carers",
                num,
                den,
                True,
                f"children with {own} carers / children in care",
                cause,
            )
        )
    for _, row in f[f["measure"] == "children_with_ifa_carers"].iterrows():
        fostered = figures.part("children_in_foster_care", row["year"], source=row["source"])
        own_carers = figures.part(
            "children_with_own_foster_carers", row["year"], source=row["source"]
        )
        if fostered and own_carers:
            recomputed = fostered.value - own_carers.value
            formula = (
                f"children in foster care - with {own} carers = {fostered.text} - "
                f"{own_carers.text} = {fmt(recomputed)}"
            )
            out.append(
                record(
                    "total",
                    figures,
                    row,
                    "Children with independent fostering agencies",
                    recomputed,
                    formula,
                    [fostered, own_carers],
                )
            )
    for _, row in f[f["measure"] == "children_with_own_foster_carers"].iterrows():
        mainstream = figures.part("children_in_internal_mainstream_placements", row["year"])
        connected = figures.part("children_with_connected_persons_carers", row["year"])
        if mainstream and connected:
            recomputed = mainstream.value + connected.value
            formula = (
                f"children in internal mainstream placements + with connected persons "
                f"carers = {mainstream.text} + {connected.text} = {fmt(recomputed)}"
            )
            cause = (
                f"the children counted with {own} carers and the two carer groups come "
                "from different sections and may be counted on different days or include "
                "children in other arrangements"
            )
            out.append(
                record(
                    "total",
                    figures,
                    row,
                    f"Children with {own} foster carers",
                    recomputed,
                    formula,
                    [mainstream, connected],
                    cause,
                )
            )
    return out


# --- panel, support, adoption -------------------------------------------------------------


def cross_tables(figures: Figures) -> list[dict[str, object]]:
    """Figures that two tables of the same report should share (panel business and leavers)."""
    out = []
    f = figures.usable
    panel = f[f["breakdown"] == "resignations_and_deregistrations"]
    for year, group in panel.groupby("year"):
        bases = dict(zip(group["basis"], group["number"], strict=True))
        mainstream = group[group["basis"] == "mainstream"]
        if mainstream.empty:
            continue
        row = mainstream.iloc[0]
        partners = next((v for b, v in bases.items() if b.startswith("including_partners")), 0.0)
        ceased = figures.part(
            "households_ceasing", year, "total", table="mainstream_households_ceasing"
        )
        if ceased is None:
            continue
        households = Part(ceased.value + partners, "", ceased.source, year)
        formula = (
            f"households ceasing + partners leaving a household = {ceased.text} + "
            f"{fmt(partners)} = {fmt(households.value)}"
        )
        out.append(
            record(
                "cross-table",
                figures,
                row,
                "Mainstream resignations and de-registrations at panel",
                households.value,
                formula,
                [households],
            )
        )
    for _, row in f[f["breakdown"] == "form_f_mainstream_applications"].iterrows():
        approved = figures.part("households_approved", row["year"], table=FUNNEL_TABLE)
        if approved:
            cause = (
                "panel recommendation and approval can fall in different years, and an "
                "application can be recommended against or withdrawn"
            )
            out.append(
                record(
                    "cross-table",
                    figures,
                    row,
                    "Mainstream applications (Form F) at panel against households approved",
                    approved.value,
                    f"households approved = {approved.text}",
                    [approved],
                    cause,
                )
            )
    for _, row in f[f["measure"] == "individual_carers_ceasing_after_separation"].iterrows():
        partners = f[
            (f["breakdown"] == "resignations_and_deregistrations")
            & (f["year"] == row["year"])
            & f["basis"].str.startswith("including_partners")
        ]
        if not partners.empty:
            part = Part(
                float(partners["number"].iloc[0]), "", partners["source"].iloc[0], row["year"]
            )
            out.append(
                record(
                    "cross-table",
                    figures,
                    row,
                    "Carers leaving a household that continues to foster",
                    part.value,
                    f"partners who left, panel table = {fmt(part.value)}",
                    [part],
                )
            )
    for _, row in f[
        (f["measure"] == "stability_referrals") & (f["breakdown"] == "total")
    ].iterrows():
        individual = figures.part("stability_referrals", row["year"], "individual")
        sibling = figures.part("stability_referrals", row["year"], "sibling")
        if individual and sibling:
            recomputed = individual.value + sibling.value
            out.append(
                record(
                    "total",
                    figures,
                    row,
                    "Edge of Care stability referrals",
                    recomputed,
                    f"individual + sibling = {individual.text} + "
                    f"{sibling.text} = {fmt(recomputed)}",
                    [individual, sibling],
                )
            )
    return out


def adoption(figures: Figures) -> list[dict[str, object]]:
    """A3 shares, the harder-to-place share and the adoption placements stock and flow."""
    out = []
    f = figures.usable
    for _, row in f[
        (f["measure"] == "indicator") & (f["breakdown"] == "A3") & (f["basis"] == "")
    ].iterrows():
        part = figures.part("indicator", row["year"], "A3", "part", source=row["source"])
        whole = figures.part("indicator", row["year"], "A3", "whole", source=row["source"])
        out.append(
            ratio(
                figures,
                "share",
                row,
                "A3: children moving in with adopters within 14 months of entering care",
                part,
                whole,
                True,
                "children moving in within 14 months / children in the indicator",
            )
        )
    for _, row in f[
        (f["measure"] == "harder_to_place_adoption_orders") & (f["breakdown"] == "percent")
    ].iterrows():
        part = figures.part("harder_to_place_adoption_orders", row["year"], "count")
        whole = figures.part("children_adopted", row["year"])
        out.append(
            ratio(
                figures,
                "share",
                row,
                "Adoption orders for children considered harder to place",
                part,
                whole,
                True,
                "harder-to-place adoption orders / children adopted",
            )
        )
    for _, row in f[f["measure"] == "children_placed_at_period_end"].iterrows():
        year = row["year"]
        before = figures.part("children_placed_at_period_end", previous(year))
        placed = figures.part("children_placed_with_adopters", year)
        adopted = figures.part("children_adopted", year)
        disrupted = figures.part("adoptive_placement_disruptions", year)
        if not (before and placed and adopted and disrupted):
            continue
        recomputed = before.value + placed.value - adopted.value - disrupted.value
        formula = (
            f"placed at the previous period end + placed - adopted - disruptions = "
            f"{before.text} + {placed.text} - {adopted.text} - {disrupted.text} = "
            f"{fmt(recomputed)}"
        )
        cause = (
            "children can be adopted without being counted as placed with adopters in the "
            "table (the report describes foster carers adopting children in their care)"
        )
        out.append(
            record(
                "stock and flow",
                figures,
                row,
                "Children placed with adopters at period end",
                recomputed,
                formula,
                [before, placed, adopted, disrupted],
                cause,
            )
        )
    return out


def changes(figures: Figures) -> list[dict[str, object]]:
    """Printed rises and falls against the two printed figures they compare."""
    out = []
    f = figures.usable
    for _, row in f[f["measure"].isin(CHANGES)].iterrows():
        measure, breakdown, basis, back, sign, name = CHANGES[row["measure"]]
        now = figures.part(measure, row["year"], breakdown, basis)
        then = figures.part(measure, previous(row["year"], back), breakdown, basis)
        if not (now and then):
            continue
        recomputed = sign * (now.value - then.value)
        formula = (
            f"{now.text} ({now.year}) - {then.text} ({then.year}) = {fmt(now.value - then.value)}"
        )
        out.append(record("change", figures, row, name, recomputed, formula, [now, then]))
    return out


# --- the same figure printed twice --------------------------------------------------------


def repeated_figures(figures: Figures) -> list[dict[str, object]]:
    """Each figure printed more than once (two documents, or twice in one) against the first."""
    out = []
    keys = ["year", "measure", "breakdown", "basis", "unit"]
    every = figures.all
    repeated = every[every.duplicated(keys, keep=False)]
    for _, group in repeated.groupby(keys, sort=True):
        ordered = group.sort_values(["date", "source_file", "source_row"], kind="stable")
        first = ordered.iloc[0]
        for _, other in ordered.iloc[1:].iterrows():
            # Judge the later printing against the earlier one (the reverse if it is lost).
            row, base = (other, first) if other["status"] == "value" else (first, other)
            name = f"{describe(row)} (printed twice)"
            where = figures.where(base)
            if row["status"] != "value":
                continue
            if base["status"] != "value":
                cause = (
                    f"the figure is {base['status']} in {where} (printed text {base['value']!r})"
                )
                out.append(record("same figure twice", figures, row, name, None, "", [], cause))
                continue
            part = Part(float(base["number"]), shown(base), base["source"], base["year"])
            cause = "the later report may carry a revised figure, or one of the two is mistyped"
            if base["source"] == row["source"]:
                cause = "the same report prints two different figures for the same thing"
            out.append(
                record(
                    "same figure twice",
                    figures,
                    row,
                    name,
                    part.value,
                    f"{shown(base)} in {where}",
                    [part],
                    cause,
                )
            )
    return out


ALL: tuple[Check, ...] = (
    funnel_rates,
    table_totals,
    household_flow,
    capacity,
    children_in_care,
    cross_tables,
    adoption,
    changes,
    repeated_figures,
)
