"""The key findings of the retention appendix, written as sentences from the figures."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.years import FinancialYear
from analysis.council.config import Comparator
from analysis.presentation.appendix import Appendix
from analysis.retention.load import Register
from analysis.retention.measures import (
    capacity,
    measure_label,
    places_change,
)
from analysis.retention.schema import REASONS


def _change(word_up: str, word_down: str, delta: float) -> str:
    return word_up if delta > 0 else word_down if delta < 0 else "unchanged from"


def key_findings(
    register: Register,
    year: FinancialYear,
    flow: pd.DataFrame,
    leaving: pd.DataFrame,
    still: pd.DataFrame,
    reconciliation: pd.DataFrame,
    national: Comparator,
    appendix: Appendix,
) -> list[str]:
    """Sentences a strategic lead can read unaided, every number taken from the inputs.

    ``national`` is the council's declared ``national_retention`` comparator. Counts of
    households go through ``appendix.count`` under the keys of the tables they come
    from (the ``flows``, ``influence`` and ``capacity`` tables as the notebook names
    them); rates through ``appendix.share`` on the counts they are built on. Labels the
    council's ``unknown_to_other`` setting counted as "other" (``register.other``) in the
    year's extract are said in a sentence, so none is hidden."""
    row = flow.set_index("year").loc[year.label]

    def count(column: str) -> str:
        return appendix.count(int(row[column]), appendix.cell("flows", year.label, column))

    when = year.end.strftime("%-d %B %Y")
    diff = int(row["end"] - row["start"])
    others = (
        f", and {count('other exits')} left the mainstream register for other "
        "reasons (change of approval)"
        if row["other exits"]
        else ""
    )
    start, end, leavers = (
        appendix.cell("flows", year.label, c) for c in ("start", "end", "leavers")
    )
    net = appendix.share(str(abs(diff)), [start, end]) if diff else ""  # shown with both
    sentences = [
        f"There were {count('end')} approved mainstream fostering households at {when}, "
        f"{_change('up', 'down', diff)} {net} on 1 April".replace("  ", " ")
        + f": {count('joiners')} were approved and {count('leavers')} ceased to foster"
        f"{others}."
    ]
    rate = row["retention rate %"]
    national = national.value
    text = (
        f"Retention was {appendix.share(f'{rate:.1f}%', [start, leavers])} "
        f"(1 - {count('leavers')} households ceasing to foster / {count('start')} approved "
        f"at 1 April), {'above' if rate > national else 'below'} the national "
        f"{national:.0f}% the council quotes"
    )
    if year.previous.label in set(flow["year"]):
        before = flow.set_index("year").at[year.previous.label, "retention rate %"]
        on = [appendix.cell("flows", year.previous.label, c) for c in ("start", "leavers")]
        text += (
            f", compared with {appendix.share(f'{before:.1f}%', on)} in "
            f"{year.previous.report_label}"
        )
    sentences.append(text + ".")
    if len(leaving):
        groups = leaving["influence"].value_counts()
        median = leaving["years fostered"].median()

        def group(name: str) -> str:
            key = appendix.cell("influence", name, "households")
            return appendix.count(int(groups.get(name, 0)), key)

        sentences.append(
            f"Of the {count('leavers')} households that ceased to foster, "
            f"{group('could influence')} left for reasons the service could influence "
            "(dissatisfaction, deciding fostering was not for them, or a transfer to another "
            f"agency), {group('could not influence')} for reasons it could not, and "
            f"{group('quality of care or safeguarding')} ended over quality of care or "
            f"safeguarding; half had fostered for {median:.1f} years or more."
        )
    overall = still.iloc[0]
    parts = [
        f"{overall[c]:.0f}% after {c.split()[1]} year{'s' if c.split()[1] != '1' else ''}"
        for c in still.columns
        if c.startswith("after") and not np.isnan(overall[c])
    ]
    if parts:
        sentences.append(
            "Of the mainstream households approved, an estimated "
            + ", ".join(parts)
            + " are still fostering (Kaplan-Meier estimate; households still "
            "fostering count as censored, not as leavers)."
        )
    cap = capacity(register.snapshot(year))

    def places(column: str) -> str:
        return appendix.count(int(cap[column]), appendix.cell("capacity", year.end.year, column))

    filled, approved, households = (
        appendix.cell("capacity", year.end.year, c)
        for c in ("filled places", "approved places", "households")
    )
    occupancy = appendix.share(f"{cap['occupancy %']:.1f}%", [filled, approved])
    per_household = appendix.share(f"{cap['places per household']:.2f}", [approved, households])
    sentences.append(
        f"At {when} {places('filled places')} of {places('approved places')} approved "
        f"mainstream places were filled (occupancy {occupancy}, {per_household} places per "
        f"household); of the {places('unoccupied places')} unoccupied places, "
        f"{places('unavailable places')} were unavailable (carers not considering more "
        f"children, or matching difficulties), {places('on hold or blocked places')} on hold "
        f"or blocked and {places('vacant places')} free to be matched."
    )
    change = places_change(register, year)
    if change is not None:
        steps = change.set_index("step")["places"]
        net = int(steps.iloc[-1] - steps.iloc[0])
        parts = [
            f"{int(steps.iloc[1]):+d} with newly approved households",
            f"{int(steps.iloc[2]):+d} with households that ceased to foster",
        ]
        if steps.iloc[3]:
            parts.append(f"{int(steps.iloc[3]):+d} with other exits")
        parts.append(f"{int(steps.iloc[4]):+d} from changes in continuing households' approvals")
        sentences.append(
            f"Approved mainstream places changed by {net:+d} over the year: "
            + ", ".join(parts[:-1])
            + f" and {parts[-1]}."
        )
    if len(reconciliation):
        differ = reconciliation[reconciliation["reproduced"] == "no"]
        text = (
            f"The register reproduces {len(reconciliation) - len(differ)} of the "
            f"{len(reconciliation)} figures the council published for {year.report_label}"
        )
        if len(differ):
            listed = "; ".join(
                f"{measure_label(r.measure).lower()} printed as {r.published:g} "
                f"(register {r.register:.4g})"
                for r in differ.itertuples()
            )
            text += (
                f". It cannot reproduce {listed}, because the published figures contradict "
                "each other; the reconciliation table says which figure the register follows"
            )
        sentences.append(text + ".")
    mapped = mapped_to_other(register.other, year, appendix.disclosure)
    if mapped:
        sentences.append(mapped)
    return sentences


def mapped_to_other(other: pd.DataFrame, year: FinancialYear, rule: str) -> str | None:
    """A sentence saying how many of the year's households had a reason for ceasing to
    foster not declared for the year and were counted in the reports' "other" row (a count
    of 1 to 5 reads "fewer than six" under the public rule; no table shows it)."""
    rows = other[(other["year"] == year.label) & (other["column"] == "reason")]
    n = int(rows["count"].sum())
    if not n:
        return None
    hidden = rule == "public" and n <= 5
    said = "Fewer than six" if hidden else f"{n:,}"
    return (
        f"{said} household{'s' if n != 1 or hidden else ''} whose reason for ceasing to foster "
        f"is not declared for {year.label} {'are' if n != 1 or hidden else 'is'} counted as "
        f"'{REASONS['other']['label']}', as the council's configuration allows "
        "(unknown_to_other)."
    )
