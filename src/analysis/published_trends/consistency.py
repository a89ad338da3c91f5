"""Does each published figure follow from its parts? Recompute and compare.

Every printed rate, percentage, average, change and total is recomputed from the
figures it is built on, using the definitions the reports use (see the "Published
figures" section of ``docs/assumptions.md``), and judged at the precision it was
printed: ``43%`` agrees with anything from 42.5% to 42.9...%; hedged figures
(``just over 93%``, ``around 2%``) get the leeway their words give. Figures printed
by two documents (or twice in one) are compared the same way. :func:`run` returns
one row per comparison with both values, the difference, a verdict, the likely
cause of a disagreement where the printed figures show one, and both sources.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pandas as pd

from analysis.core.years import FinancialYear
from analysis.sources.published import load as published
from analysis.sources.published.load import FUNNEL_TABLE

COLUMNS = [
    "check",
    "year",
    "figure",
    "printed",
    "printed_value",
    "recomputed",
    "formula",
    "difference",
    "verdict",
    "likely_cause",
    "printed_in",
    "parts_from",
]
AGREES, DISAGREES, CANNOT = "agrees", "disagrees", "cannot check"

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


@dataclass(frozen=True)
class Part:
    """A figure used in a check: its value, how it was printed, and where."""

    value: float
    text: str
    source: str
    year: str


def _round(value: float, decimals: int, mode: str = ROUND_HALF_UP) -> float:
    return float(Decimal(f"{value:.12f}").quantize(Decimal(1).scaleb(-decimals), rounding=mode))


def _unit_step(decimals: int) -> float:
    return 10.0**-decimals


def judge(printed: float, decimals: int, qualifier: str, recomputed: float) -> tuple[str, str]:
    """Verdict and rounding note for a printed figure against its recomputed value.

    Plain figures agree when the recomputed value rounds (half up) to the printed
    one at the printed number of decimals. ``just over X`` agrees from X up to one
    printed unit above; ``nearly X`` from one unit below up to X; ``over X`` above
    X; ``around X`` within the larger of one printed unit and a tenth of X.
    """
    step = _unit_step(decimals)
    if qualifier == "just over":
        ok = printed <= recomputed < printed + step
    elif qualifier == "nearly":
        ok = printed - step < recomputed <= printed
    elif qualifier == "over":
        ok = recomputed > printed
    elif qualifier == "around":
        ok = abs(recomputed - printed) <= max(step, abs(printed) / 10)
    else:
        ok = _round(recomputed, decimals) == _round(printed, decimals)
    if ok:
        return AGREES, ""
    if not qualifier and _round(recomputed, decimals, ROUND_DOWN) == _round(printed, decimals):
        return DISAGREES, (
            f"truncated rather than rounded: {recomputed:.{decimals + 2}f} cut to "
            f"{decimals} decimal place(s) gives the printed figure"
        )
    return DISAGREES, ""


class _Figures:
    """Look-ups into the loaded published figures for the checks."""

    def __init__(self, figures: pd.DataFrame) -> None:
        self.all = figures
        self.usable = figures[figures["status"] == "value"]
        self.titles = dict(zip(figures["source"], figures["document"], strict=False))

    def rows(
        self,
        measure: str,
        year: str,
        breakdown: str = "",
        basis: str = "",
        source: str | None = None,
        table: str | None = None,
    ) -> pd.DataFrame:
        return published.select(
            self.usable, measure, year, breakdown=breakdown, basis=basis, source=source, table=table
        )

    def part(
        self,
        measure: str,
        year: str,
        breakdown: str = "",
        basis: str = "",
        source: str | None = None,
        table: str | None = None,
    ) -> Part | None:
        """The figure as ``source`` prints it, else the latest document's, else None."""
        hit = self.rows(measure, year, breakdown, basis, source, table)
        if hit.empty:
            hit = self.rows(measure, year, breakdown, basis, None, table)
        if hit.empty:
            return None
        row = hit.sort_values("date", ascending=False, kind="stable").iloc[0]
        return Part(float(row["number"]), shown(row), row["source"], year)

    def where(self, row: pd.Series) -> str:
        return f"{row['document']} ({row['seed_file']}), {row['section']}"

    def title(self, source: str) -> str:
        return self.titles.get(source, source)


def shown(row: pd.Series) -> str:
    """A figure as printed, for the table: ``4.4%``, ``just over 93%``, ``1,798``."""
    decimals = int(row["decimals"])
    text = f"{row['number']:,.{decimals}f}"
    if row["unit"] == "percent":
        text += "%"
    if row["qualifier"]:
        text = f"{row['qualifier']} {text}"
    return text


def describe(row: pd.Series) -> str:
    """A figure's measure in words: ``households_approved`` -> ``Households approved``."""
    words = row["measure"].replace("_", " ")
    extra = [x.replace("_", " ") for x in (row["breakdown"], row["basis"]) if x]
    text = words[:1].upper() + words[1:]
    return text + (f" ({', '.join(extra)})" if extra else "")


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}"


def _record(
    kind: str,
    figures: _Figures,
    row: pd.Series,
    name: str,
    recomputed: float | None,
    formula: str,
    parts: Iterable[Part],
    cause: str = "",
) -> dict[str, object]:
    """One comparison: judge the printed ``row`` against ``recomputed``."""
    printed_value = float(row["number"])
    sources = sorted({p.source for p in parts})
    base = {
        "check": kind,
        "year": row["year"],
        "figure": name,
        "printed": shown(row),
        "printed_value": printed_value,
        "printed_in": figures.where(row),
        "parts_from": "; ".join(figures.title(s) for s in sources),
    }
    if recomputed is None:
        return {
            **base,
            "recomputed": None,
            "formula": formula,
            "difference": None,
            "verdict": CANNOT,
            "likely_cause": cause,
        }
    verdict, rounding = judge(printed_value, int(row["decimals"]), row["qualifier"], recomputed)
    causes = [c for c in (rounding, cause if verdict == DISAGREES else "") if c]
    return {
        **base,
        "recomputed": recomputed,
        "formula": formula,
        "difference": printed_value - recomputed,
        "verdict": verdict,
        "likely_cause": "; ".join(causes),
    }


def _percent(num: Part, den: Part) -> float:
    return 100 * num.value / den.value


def _previous(year: str, back: int = 1) -> str:
    start = FinancialYear.parse(year).start_year - back
    return FinancialYear(start).label


# --- recruitment funnel -------------------------------------------------------------------


def _funnel_alternatives(figures: _Figures, row: pd.Series, defined: tuple[str, str]) -> str:
    """Which other numerator / denominator of the printed funnel reproduces the printed rate."""
    year, decimals = row["year"], int(row["decimals"])
    printed = float(row["number"])
    same_year: list[str] = []
    mixed_years: list[str] = []
    candidates: list[tuple[str, Part]] = []
    for stage in STAGES:
        for label, when in (("", year), (" (previous year)", _previous(year))):
            part = figures.part(stage, when, source=row["source"], table=FUNNEL_TABLE)
            if part is not None:
                candidates.append((STAGES[stage] + label, part))
    for (num_name, num), (den_name, den) in itertools.permutations(candidates, 2):
        same_defined = (num_name, den_name) == tuple(STAGES[s] for s in defined)
        if same_defined or num.value >= den.value:
            continue
        if judge(printed, decimals, "", _percent(num, den))[0] == AGREES:
            text = (
                f"{num_name} / {den_name} = {_fmt(num.value)} / {_fmt(den.value)} "
                f"= {_percent(num, den):.1f}%"
            )
            (mixed_years if num.year != year or den.year != year else same_year).append(text)
    before = figures.rows(row["measure"], _previous(year), basis=row["basis"], source=row["source"])
    if not before.empty and float(before["number"].iloc[0]) == printed:
        same_year.append(
            f"the previous year's printed rate ({shown(before.iloc[0])}), as if carried forward"
        )
    found = same_year or mixed_years
    if not found:
        return "no combination of the printed funnel figures reproduces it"
    return "the printed rate matches " + "; or ".join(found)


def funnel_rates(figures: _Figures) -> list[dict[str, object]]:
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
                _record(
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
        recomputed = _percent(num, den)
        formula = (
            f"{STAGES[num_name]} / {STAGES[den_name]} = {num.text} / {den.text} = {recomputed:.2f}%"
        )
        borrowed = [p for p in (num, den) if p.source != row["source"]]
        if borrowed:
            formula += " (part from the other report: this report's cell is damaged)"
        record = _record("rate", figures, row, name, recomputed, formula, [num, den])
        if record["verdict"] == DISAGREES and not record["likely_cause"]:
            record["likely_cause"] = _funnel_alternatives(figures, row, (num_name, den_name))
        out.append(record)
    return out


# --- totals -------------------------------------------------------------------------------


def table_totals(figures: _Figures) -> list[dict[str, object]]:
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
        formula = " + ".join(_fmt(v) for v in usable["number"]) + f" = {_fmt(recomputed)}"
        diff = float(total["number"]) - recomputed
        cause = (
            f"the {len(usable)} printed parts add to {_fmt(recomputed)}, "
            f"{_fmt(abs(diff))} {'less' if diff > 0 else 'more'} than the printed total"
        )
        if not blank.empty:
            cause += "; blank cell(s) counted as nothing: " + ", ".join(blank["label"])
        parts_used = [Part(float(v), "", source, year) for v in usable["number"]]
        out.append(_record("total", figures, total, name, recomputed, formula, parts_used, cause))
    return out


# --- households: stock and flow -----------------------------------------------------------


def household_flow(figures: _Figures) -> list[dict[str, object]]:
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
                _record("stock and flow", figures, row, name, None, "", [], "a part is not printed")
            )
            continue
        recomputed = start.value + sum(p.value for p in approved) - sum(p.value for p in ceased)
        formula = (
            f"{_fmt(start.value)} at 31 March {start_year[:2]}{start_year[-2:]} + approvals "
            f"{' + '.join(_fmt(p.value) for p in approved)} - households ceasing "
            f"{' - '.join(_fmt(p.value) for p in ceased)} = {_fmt(recomputed)}"
        )
        others = stocks[(stocks["year"] == row["year"]) & (stocks["number"] != row["number"])]
        gap = float(row["number"]) - recomputed
        cause = (
            f"the printed count is {_fmt(abs(gap))} {'below' if gap < 0 else 'above'} the "
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
            _record(
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


def _ratio_check(
    figures: _Figures,
    kind: str,
    row: pd.Series,
    name: str,
    num: Part | None,
    den: Part | None,
    percent: bool,
    label: str,
    cause: str = "",
) -> dict[str, object]:
    if num is None or den is None:
        return _record(kind, figures, row, name, None, label, [], "a part is not printed")
    recomputed = (100 if percent else 1) * num.value / den.value
    formula = f"{label} = {num.text} / {den.text} = {recomputed:.{3 if not percent else 2}f}"
    formula += "%" if percent else ""
    return _record(kind, figures, row, name, recomputed, formula, [num, den], cause)


def _other_year_match(figures: _Figures, row: pd.Series, recomputed: float) -> str:
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


def capacity(figures: _Figures) -> list[dict[str, object]]:
    """Places per household, occupancy, vacant share and retention against their parts."""
    out = []
    f = figures.usable
    for _, row in f[f["measure"] == "approved_places_per_household"].iterrows():
        places = figures.part("approved_places", row["year"])
        for label, when in (
            ("end of year", row["year"]),
            ("start of year", _previous(row["year"])),
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
                    _ratio_check(
                        figures,
                        "average",
                        row,
                        name,
                        places,
                        den,
                        False,
                        f"approved places / approved households ({when})",
                        cause,
                    )
                )
    for _, row in f[f["measure"] == "occupancy_rate"].iterrows():
        occupied = figures.part("children_in_internal_mainstream_placements", row["year"])
        places = figures.part("approved_places", row["year"])
        if occupied is None or places is None:
            continue
        recomputed = _percent(occupied, places)
        cause = _other_year_match(figures, row, recomputed) or "a different count of places"
        if places.value and float(row["number"]):
            cause += (
                f"; {shown(row)} of places with {_fmt(occupied.value)} children placed would "
                f"mean about {occupied.value * 100 / float(row['number']):.0f} approved places"
            )
        out.append(
            _ratio_check(
                figures,
                "share",
                row,
                "Occupancy of approved mainstream places",
                occupied,
                places,
                True,
                "children in internal mainstream placements / approved places",
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
            _record(
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
            ("start of year", _previous(row["year"])),
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
                _record(
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


def children_in_care(figures: _Figures) -> list[dict[str, object]]:
    """Shares of children with Coventry carers, and counts that should add up."""
    out = []
    f = figures.usable
    for _, row in f[f["measure"] == "share_of_foster_children_with_coventry_carers"].iterrows():
        num = figures.part(
            "children_with_coventry_foster_carers", row["year"], source=row["source"]
        )
        den = figures.part("children_in_foster_care", row["year"], source=row["source"])
        if num and den:
            out.append(
                _ratio_check(
                    figures,
                    "share",
                    row,
                    "Share of fostered children with Coventry carers",
                    num,
                    den,
                    True,
                    "children with Coventry carers / children in foster care",
                )
            )
    for _, row in f[f["measure"] == "share_of_children_in_care_with_coventry_carers"].iterrows():
        num = figures.part(
            "children_with_coventry_foster_carers", row["year"], source=row["source"]
        )
        den = figures.part("children_in_care", row["year"], source=row["source"])
        fostered = figures.part("children_in_foster_care", row["year"], source=row["source"])
        cause = ""
        if num and den:
            printed = float(row["number"])
            cause = (
                f"{_fmt(num.value)} of {_fmt(den.value)} children in care is "
                f"{_percent(num, den):.1f}% (the report also says 'around half'); "
                f"{shown(row)} of {_fmt(den.value)} would be {printed * den.value / 100:.0f} "
                f"children, and {_fmt(num.value)} children are {shown(row)} of "
                f"{num.value * 100 / printed:.0f}"
            )
            if fostered:
                cause += f" (not of the {_fmt(fostered.value)} in foster care either)"
        out.append(
            _ratio_check(
                figures,
                "share",
                row,
                "Share of all children in care with Coventry carers",
                num,
                den,
                True,
                "children with Coventry carers / children in care",
                cause,
            )
        )
    for _, row in f[f["measure"] == "children_with_ifa_carers"].iterrows():
        fostered = figures.part("children_in_foster_care", row["year"], source=row["source"])
        coventry = figures.part(
            "children_with_coventry_foster_carers", row["year"], source=row["source"]
        )
        if fostered and coventry:
            recomputed = fostered.value - coventry.value
            formula = (
                f"children in foster care - with Coventry carers = {fostered.text} - "
                f"{coventry.text} = {_fmt(recomputed)}"
            )
            out.append(
                _record(
                    "total",
                    figures,
                    row,
                    "Children with independent fostering agencies",
                    recomputed,
                    formula,
                    [fostered, coventry],
                )
            )
    for _, row in f[f["measure"] == "children_with_coventry_foster_carers"].iterrows():
        mainstream = figures.part("children_in_internal_mainstream_placements", row["year"])
        connected = figures.part("children_with_connected_persons_carers", row["year"])
        if mainstream and connected:
            recomputed = mainstream.value + connected.value
            formula = (
                f"children in internal mainstream placements + with connected persons "
                f"carers = {mainstream.text} + {connected.text} = {_fmt(recomputed)}"
            )
            cause = (
                "the children counted with Coventry carers and the two carer groups come "
                "from different sections and may be counted on different days or include "
                "children in other arrangements"
            )
            out.append(
                _record(
                    "total",
                    figures,
                    row,
                    "Children with Coventry foster carers",
                    recomputed,
                    formula,
                    [mainstream, connected],
                    cause,
                )
            )
    return out


# --- panel, support, adoption -------------------------------------------------------------


def cross_tables(figures: _Figures) -> list[dict[str, object]]:
    """Figures that two tables of the same report should share (panel business and leavers)."""
    out = []
    f = figures.usable
    panel = f[f["breakdown"] == "resignations_and_deregistrations"]
    for year, group in panel.groupby("year"):
        bases = dict(zip(group["basis"], group["number"], strict=True))
        row = group[group["basis"] == "mainstream"].iloc[0]
        partners = next((v for b, v in bases.items() if b.startswith("including_partners")), 0.0)
        ceased = figures.part(
            "households_ceasing", year, "total", table="mainstream_households_ceasing"
        )
        if ceased is None:
            continue
        households = Part(ceased.value + partners, "", ceased.source, year)
        formula = (
            f"households ceasing + partners leaving a household = {ceased.text} + "
            f"{_fmt(partners)} = {_fmt(households.value)}"
        )
        out.append(
            _record(
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
                _record(
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
                _record(
                    "cross-table",
                    figures,
                    row,
                    "Carers leaving a household that continues to foster",
                    part.value,
                    f"partners who left, panel table = {_fmt(part.value)}",
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
                _record(
                    "total",
                    figures,
                    row,
                    "Edge of Care stability referrals",
                    recomputed,
                    f"individual + sibling = {individual.text} + "
                    f"{sibling.text} = {_fmt(recomputed)}",
                    [individual, sibling],
                )
            )
    return out


def adoption(figures: _Figures) -> list[dict[str, object]]:
    """A3 shares, the harder-to-place share and the adoption placements stock and flow."""
    out = []
    f = figures.usable
    for _, row in f[
        (f["measure"] == "indicator") & (f["breakdown"] == "A3") & (f["basis"] == "")
    ].iterrows():
        part = figures.part("indicator", row["year"], "A3", "part", source=row["source"])
        whole = figures.part("indicator", row["year"], "A3", "whole", source=row["source"])
        out.append(
            _ratio_check(
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
            _ratio_check(
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
        before = figures.part("children_placed_at_period_end", _previous(year))
        placed = figures.part("children_placed_with_adopters", year)
        adopted = figures.part("children_adopted", year)
        disrupted = figures.part("adoptive_placement_disruptions", year)
        if not (before and placed and adopted and disrupted):
            continue
        recomputed = before.value + placed.value - adopted.value - disrupted.value
        formula = (
            f"placed at the previous period end + placed - adopted - disruptions = "
            f"{before.text} + {placed.text} - {adopted.text} - {disrupted.text} = "
            f"{_fmt(recomputed)}"
        )
        cause = (
            "children can be adopted without being counted as placed with adopters in the "
            "table (the report describes foster carers adopting children in their care)"
        )
        out.append(
            _record(
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


def changes(figures: _Figures) -> list[dict[str, object]]:
    """Printed rises and falls against the two printed figures they compare."""
    out = []
    f = figures.usable
    for _, row in f[f["measure"].isin(CHANGES)].iterrows():
        measure, breakdown, basis, back, sign, name = CHANGES[row["measure"]]
        now = figures.part(measure, row["year"], breakdown, basis)
        then = figures.part(measure, _previous(row["year"], back), breakdown, basis)
        if not (now and then):
            continue
        recomputed = sign * (now.value - then.value)
        formula = (
            f"{now.text} ({now.year}) - {then.text} ({then.year}) = {_fmt(now.value - then.value)}"
        )
        out.append(_record("change", figures, row, name, recomputed, formula, [now, then]))
    return out


# --- the same figure printed twice --------------------------------------------------------


def repeated_figures(figures: _Figures) -> list[dict[str, object]]:
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
                out.append(_record("same figure twice", figures, row, name, None, "", [], cause))
                continue
            part = Part(float(base["number"]), shown(base), base["source"], base["year"])
            cause = "the later report may carry a revised figure, or one of the two is mistyped"
            if base["source"] == row["source"]:
                cause = "the same report prints two different figures for the same thing"
            out.append(
                _record(
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


def run(figures: pd.DataFrame) -> pd.DataFrame:
    """Every comparison of a printed figure with its recomputed value; see the module docstring."""
    look = _Figures(figures)
    records = [
        *funnel_rates(look),
        *table_totals(look),
        *household_flow(look),
        *capacity(look),
        *children_in_care(look),
        *cross_tables(look),
        *adoption(look),
        *changes(look),
        *repeated_figures(look),
    ]
    checks = pd.DataFrame(records, columns=COLUMNS)
    return checks.sort_values(["year", "check", "figure"], kind="stable").reset_index(drop=True)


def disagreements(checks: pd.DataFrame, year: str | None = None) -> pd.DataFrame:
    """The comparisons that disagree beyond rounding, for one year or all."""
    hit = checks[checks["verdict"] == DISAGREES]
    if year is not None:
        hit = hit[hit["year"] == year]
    return hit.reset_index(drop=True)
