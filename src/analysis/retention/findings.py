"""The key findings of the retention appendix, written as sentences from the figures.

At most five findings (:data:`analysis.presentation.appendix.MAX_FINDINGS`), the ones a
strategic lead needs: the year's households and their change, the retention rate against
last year's, why households left, how long households keep fostering, and
capacity. The other sentences are shown where their topic is: the change in approved
places under the places-change table (:func:`places_change`), the reconciliation with the
published figures in the annex's reconciliation section (:func:`reconciliation_note`),
and reasons counted as "other" in its data section (:func:`mapped_to_other`)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.core.years import FinancialYear
from analysis.presentation import estimates
from analysis.presentation.appendix import Appendix
from analysis.presentation.charts import year as year_text
from analysis.retention import tables as t
from analysis.retention.load import Register
from analysis.retention.measures import leavers, survival_data
from analysis.retention.schema import REASONS


def _change(word_up: str, word_down: str, delta: float) -> str:
    return word_up if delta > 0 else word_down if delta < 0 else "unchanged from"


def key_findings(
    register: Register,
    year: FinancialYear,
    shown: Mapping[str, pd.DataFrame | None],
    appendix: Appendix,
) -> list[str]:
    """At most five sentences a strategic lead can read unaided, every number taken from
    the page's tables.

    ``shown`` are the tables the notebook shows, under its names for them (``flows``,
    ``influence``, ``still all``, ``capacity``; ``influence`` may be None), as
    :mod:`analysis.retention.tables` makes them, with their records: each count goes
    through ``appendix.count`` with its records under its table cell's key, and each rate
    or share through ``appendix.share`` on the counts it rests on, so a sentence never
    states what a table withholds."""
    label = year_text(year.label)
    flows = shown["flows"]
    row = flows.set_index(t.YEAR).loc[label]

    def count(column: str) -> str:
        return t.sentence_count(appendix, flows, "flows", label, t.FLOW[column])

    def key(column: str, at: str = label) -> str:
        return appendix.cell("flows", at, t.FLOW[column])

    when = year.end.strftime("%-d %B %Y")
    diff = int(row[t.FLOW["end"]] - row[t.FLOW["start"]])
    others = (
        f", and {count('other exits')} left the mainstream register for other "
        "reasons (change of approval)"
        if row[t.FLOW["other exits"]]
        else ""
    )
    net = appendix.share(str(abs(diff)), [key("start"), key("end")]) if diff else ""
    sentences = [
        f"There were {count('end')} approved mainstream fostering households at {when}, "
        f"{_change('up', 'down', diff)} {net} on 1 April".replace("  ", " ")
        + f": {count('joiners')} were approved and {count('leavers')} ceased to foster"
        f"{others}."
    ]
    start, leavers = row[t.FLOW["start"]], row[t.FLOW["leavers"]]
    rate = 100 * (1 - leavers / start)
    on_rate = [key("start"), key("leavers")]
    # One sentence, no formula or comparator (issue 13's review): the LA sector's figure is
    # the headline tile's, the national rate the council quotes Figure 2's.
    text = (
        f"Retention was {appendix.share(f'{rate:.1f}%', on_rate)} in {year.report_label} "
        f"({count('leavers')} of the {count('start')} households approved at 1 April ceased "
        "to foster)"
    )
    before = year_text(year.previous.label)
    if before in set(flows[t.YEAR]):
        was = flows.set_index(t.YEAR).loc[before]
        old = 100 * (1 - was[t.FLOW["leavers"]] / was[t.FLOW["start"]])
        on = [key("start", before), key("leavers", before)]
        text += appendix.share(
            f", compared with {old:.1f}% in {year.previous.report_label}", on, withheld=""
        )
    sentences.append(text + ".")
    influence = shown.get("influence")
    if influence is not None and leavers:
        median = register_median(register, year)

        def group(name: str) -> str:
            named = name[:1].upper() + name[1:]
            return t.sentence_count(appendix, influence, "influence", named, t.HOUSEHOLDS)

        sentences.append(
            f"Of the {count('leavers')} households that ceased to foster, "
            # which reasons are which is the section's lead (one sentence here: review 16)
            f"{group('could influence')} left for reasons the service could influence, "
            f"{group('could not influence')} for reasons it could not, and "
            f"{group('quality of care or safeguarding')} ended over quality of care or "
            "safeguarding"
            # the median of 1 to 5 households is theirs: said only while the count is shown
            + appendix.share(
                f"; half had fostered for {median:.1f} years or more", [key("leavers")], ""
            )
            + "."
        )
    survival = _survival(shown["still all"], appendix)
    if survival:
        sentences.append(survival)
    sentences.append(_places(shown["capacity"], year, when, appendix))
    return sentences


def reconciliation_note(
    reconciliation: pd.DataFrame, year: FinancialYear, appendix: Appendix
) -> str | None:
    """How many of the figures the council published for the year the page shows the
    register's value for, and how many of those the register reproduces (each counted
    only while the register's counts it rests on are shown), for the reconciliation
    section; None when nothing was published. ``reconciliation`` is the reconciliation's
    counts and rates tables' rows (:func:`tables.reconciliation_rows`)."""
    if not len(reconciliation):
        return None
    on = [_register_keys(r, appendix) for _, r in reconciliation.iterrows()]
    reproduced = [r == "yes" for r in reconciliation[t.REPRODUCED]]
    return (
        f"Of the {len(reconciliation)} figures the council published for "
        f"{year.report_label}, the page shows the register's value for "
        f"{appendix.tally((True, keys) for keys in on)}, and the register reproduces "
        f"{appendix.tally(zip(reproduced, on, strict=True))} of them; the tables below say "
        "which it cannot reproduce and why, and which figure it follows where the published "
        "figures contradict each other."
    )


def page_tables(
    register: Register, year: FinancialYear, floor: int = 1
) -> dict[str, pd.DataFrame | None]:
    """The tables :func:`key_findings` and :func:`places_change` read, as
    :mod:`analysis.retention.tables` makes them, under the notebook's names (``floor``:
    :func:`analysis.retention.measures.at_risk_floor`)."""
    data = survival_data(register)
    leaving = leavers(register, year)
    return {
        "flows": t.flows(register),
        "influence": t.influence(leaving) if len(leaving) else None,
        "still all": t.still_fostering(data[data["mainstream"]], None, floor),
        "capacity": t.capacity(register),
        "places change": t.places_change(register, year),
    }


def register_median(register: Register, year: FinancialYear) -> float:
    """The median years the year's mainstream leavers had fostered."""
    return float(leavers(register, year)["years fostered"].median())


def _survival(still: pd.DataFrame, appendix: Appendix) -> str | None:
    """The estimated shares of all mainstream households that left within 1, 3 and 5
    years, each withheld with the count of leavers it rests on."""
    row = still.iloc[0]
    name = row[t.GROUP]
    parts = []
    for n in t.SURVIVAL_TIMES:
        text = row[t.left_share(n)]
        if text == t.NO_ESTIMATE:
            continue
        within = f"within {n} year{'s' if n > 1 else ''}"
        on = [appendix.cell("still all", name, c) for c in (t.left_within(n), t.HOUSEHOLDS)]
        if estimates.is_zero(text):
            # A bound tells the households it rests on: said only while they are shown.
            bound = estimates.bound_of(text) is not None
            said = appendix.share(estimates.said(text), on, "none yet") if bound else "none yet"
            parts.append(f"{within}: {said}")
            continue
        parts.append(f"{within}: {appendix.share(f'{text.split()[0]}%', on)}")
    if not parts:
        return None
    return (
        "The estimated share of mainstream households that had stopped fostering, by time "
        "since approval: "
        + "; ".join(parts)
        + " (Kaplan-Meier estimate; households still fostering count as censored, not as "
        "leavers)."
    )


def _places(capacity: pd.DataFrame, year: FinancialYear, when: str, appendix: Appendix) -> str:
    """The year's places: filled, approved, occupancy, and why places were unoccupied."""
    day = year.end.year
    row = capacity.set_index(t.DAY).loc[day]

    def places(column: str) -> str:
        return t.sentence_count(appendix, capacity, "capacity", day, t.CAPACITY[column])

    def key(column: str) -> str:
        return appendix.cell("capacity", day, t.CAPACITY[column])

    occupancy = appendix.share(
        f"{row[t.CAPACITY['occupancy %']]:.1f}%", [key("filled places"), key("approved places")]
    )
    per_household = appendix.share(
        f"{row[t.CAPACITY['places per household']]:.2f}",
        [key("approved places"), key("households")],
    )
    return (
        f"At {when}, {places('filled places')} of {places('approved places')} approved "
        f"mainstream places were filled (occupancy {occupancy}, {per_household} places per "
        f"household); of the {places('unoccupied places')} unoccupied places, "
        f"{places('unavailable places')} were unavailable (carers not considering more "
        f"children, or matching difficulties), {places('on hold or blocked places')} on hold "
        f"or blocked and {places('vacant places')} free to be matched."
    )


def places_change(change: pd.DataFrame, appendix: Appendix) -> str:
    """The change in approved places over the year and the places each change added or
    took away (the places-change table's counts)."""
    steps = change["Change"].tolist()
    value = change.set_index("Change")[t.PLACES]

    def places(step: int) -> str:
        return t.sentence_count(appendix, change, "places change", steps[step], t.PLACES)

    net = int(value.iloc[-1] - value.iloc[0])
    ends = [appendix.cell("places change", steps[k], t.PLACES) for k in (0, -1)]
    parts = [
        f"{places(1)} added with newly approved households",
        f"{places(2)} lost with households that ceased to foster",
    ]
    if value.iloc[3]:
        parts.append(f"{places(3)} lost with other exits")
    parts.append(
        f"{places(4)} added and {places(5)} lost as continuing households' approvals changed"
    )
    sign = "+" if net > 0 else "-" if net < 0 else ""
    return (
        f"Approved mainstream places changed by {sign}{appendix.share(str(abs(net)), ends)} "
        "over the year: " + ", ".join(parts[:-1]) + f" and {parts[-1]}."
    )


def _register_keys(row: pd.Series, appendix: Appendix) -> list[str]:
    """The counts the register's side of a reconciliation row rests on: its count, or the
    two counts its rate is built on (withheld with them)."""
    if t.COUNT_OF in row and pd.notna(row.get(t.COUNT_OF)):
        return [
            appendix.cell("reconciliation rates", row["label"], c) for c in (t.COUNT_OF, t.OUT_OF)
        ]
    return [appendix.cell("reconciliation counts", row["label"], t.REGISTER)]


def mapped_to_other(other: pd.DataFrame, year: FinancialYear, rule: str) -> str | None:
    """A sentence saying that (and, in an internal copy, how many of) the year's households
    had a reason for ceasing to foster not declared for the year and were counted in the
    reports' "other" row. A public page leaves the number out: those households are among
    the "other" leavers the tables count, so any number here, small or not, could be
    subtracted from them."""
    rows = other[(other["year"] == year.label) & (other["column"] == "reason")]
    n = int(rows["count"].sum())
    if not n:
        return None
    counted = (
        f"'{REASONS['other']['label']}', as the council's configuration allows (unknown_to_other)"
    )
    if rule == "public":
        return (
            f"Households whose reason for ceasing to foster is not declared for {year.label} "
            f"are counted as {counted}; the internal copy says how many."
        )
    return (
        f"{n:,} household{'s' if n != 1 else ''} whose reason for ceasing to foster is not "
        f"declared for {year.label} {'are' if n != 1 else 'is'} counted as {counted}."
    )
