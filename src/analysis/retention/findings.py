"""The key findings of the retention appendix, written as sentences from the figures."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.years import FinancialYear
from analysis.council.config import Comparator
from analysis.retention.load import Register
from analysis.retention.measures import (
    capacity,
    measure_label,
    places_change,
    unoccupied_by_reason,
)


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
) -> list[str]:
    """Sentences a strategic lead can read unaided, every number taken from the inputs.

    ``national`` is the council's declared ``national_retention`` comparator."""
    row = flow.set_index("year").loc[year.label]
    when = year.end.strftime("%-d %B %Y")
    diff = int(row["end"] - row["start"])
    others = (
        f", and {int(row['other exits'])} left the mainstream register for other "
        "reasons (change of approval)"
        if row["other exits"]
        else ""
    )
    sentences = [
        f"There were {int(row['end'])} approved mainstream fostering households at {when}, "
        f"{_change('up', 'down', diff)} {abs(diff) or ''} on 1 April".replace("  ", " ")
        + f": {int(row['joiners'])} were approved and {int(row['leavers'])} ceased to foster"
        f"{others}."
    ]
    rate = row["retention rate %"]
    national = national.value
    text = (
        f"Retention was {rate:.1f}% (1 - {int(row['leavers'])} households ceasing to "
        f"foster / {int(row['start'])} approved at 1 April), "
        f"{'above' if rate > national else 'below'} the national {national:.0f}% the "
        "council quotes"
    )
    if year.previous.label in set(flow["year"]):
        before = flow.set_index("year").at[year.previous.label, "retention rate %"]
        text += f", compared with {before:.1f}% in {year.previous.report_label}"
    sentences.append(text + ".")
    if len(leaving):
        groups = leaving["influence"].value_counts()
        median = leaving["years fostered"].median()
        sentences.append(
            f"Of the {len(leaving)} households that ceased to foster, "
            f"{groups.get('could influence', 0)} left for reasons the service could influence "
            "(dissatisfaction, deciding fostering was not for them, or a transfer to another "
            f"agency), {groups.get('could not influence', 0)} for reasons it could not, and "
            f"{groups.get('quality of care or safeguarding', 0)} ended over quality of care or "
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
    reasons = unoccupied_by_reason(register.snapshot(year))
    vacant = int(reasons.loc[reasons["group"] == "vacant", "places"].sum())
    sentences.append(
        f"At {when} {cap['filled places']} of {cap['approved places']} approved mainstream "
        f"places were filled (occupancy {cap['occupancy %']:.1f}%, "
        f"{cap['places per household']:.2f} places per household); of the "
        f"{cap['unoccupied places']} unoccupied places, {cap['unavailable places']} were "
        f"unavailable (carers not considering more children, or matching difficulties), "
        f"{cap['on hold or blocked places']} on hold or blocked and {vacant} free to be matched."
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
    return sentences
