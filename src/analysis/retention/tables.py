"""The retention page's tables as it shows them, each count with the records it counts.

:mod:`analysis.retention.measures` computes the figures; this module lays them out for a
reader (plain-English headings with their units, years written 2024/25) and attaches to
every count the records it counts (:mod:`analysis.disclosure.members`), so that the page's
disclosure decision knows every relation between them with none declared by hand (a stock
at two dates and the flows between, a total and its rows, two breakdowns of one group):

- ``household``: a fostering household, ``household:<household id>``. A register's ids are
  unique within one council's register and kept across years, so the same household is
  the same record in every table of the page (flows, survival, life table, schemes,
  connected persons, the reconciliation, sentences and tiles).
- ``place``: one approved place of a household, ``place:<household id>:<n>``, its ``n``-th
  place (1 to its approved places). A place keeps its id from one 31 March to the next,
  so the places at two dates and the change between them are one set of records. At each
  31 March a household's places are numbered filled first, then vacant, then unavailable
  (under its one unavailability reason): a filled place is a child placed.
- ``row``: a row of a register extract, ``row:<file>:<spreadsheet row>`` (rows set aside).
- ``child``: a child in the SSDA903 return, ``child:<year>:<LA>:<CHILD>`` (the children in
  foster care the sufficiency outlook compares with).

The council's published figures (the reports' leavers by reason, the printed side of the
reconciliation) carry no records: they are known to any reader.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.core.years import FinancialYear
from analysis.disclosure import members
from analysis.disclosure.suppression import SUPPRESSED, is_small
from analysis.presentation import appendix
from analysis.presentation.charts import year as year_text
from analysis.presentation.estimates import zero_text
from analysis.published_trends import measures as trends
from analysis.retention import hazard
from analysis.retention import measures as m
from analysis.retention.load import Register
from analysis.retention.schema import (
    HOUSEHOLD_TYPES,
    MAINSTREAM_TYPES,
    REASONS,
    UNAVAILABLE_REASONS,
)
from analysis.retention.survival import kaplan_meier, observed_until, survival_at

Cells = dict[tuple[Hashable, str], frozenset[str]]

YEAR = "Year"
# The flows table's columns: measures.flows' names -> the page's.
FLOW = {
    "start": "Households at 1 April",
    "joiners": "Approved",
    "leavers": "Ceased to foster",
    "other exits": "Other exits",
    "end": "Households at 31 March",
}
RATE = "Retention rate (%)"
CEASING = "Ceased to foster, % of households at 31 March"
GROUP = "Group"
HOUSEHOLDS = "Households"
LEFT = "Ceased to foster"
SURVIVAL_TIMES = (1, 3, 5)
NO_ESTIMATE = "no estimate"
LIFE = {
    "year of service": "Year of service",
    "households observed": "Households observed",
    "leavers": "Ceased to foster",
    "household-years": "Household-years observed",
    "leaving rate per 100 household-years": "Leaving rate (per 100 household-years)",
}
# The page's counts that only grow from one 31 March to the next (every household counted
# at one stays counted at the next): the survival tables' households and leavers, the
# numbers observed at each length of service, the life table's, and the model's. Beside
# last year's page each has grown by this year's few (:mod:`analysis.disclosure.earlier`).
GROWING = (
    r"^still [^|]+\|[^|]+\|",
    r"^at risk [^|]+\|[^|]+\|",
    rf"^life table\|[^|]+\|({LIFE['households observed']}|{LIFE['leavers']})$",
    r"^(households|leavers) in the model$",
)
INFLUENCE = "Could the service influence the reason?"
MEDIAN = "Median years fostered"
REASON = "Reason"
OFSTED = "Ofsted category"
TENURE_TOTAL = "All lengths of service"
DAY = "31 March"
CAPACITY = {
    "households": "Households",
    "approved places": "Approved places",
    "filled places": "Filled places",
    "vacant places": "Vacant places",
    "unavailable places": "Unavailable places",
    "on hold or blocked places": "On hold or blocked places",
    "unoccupied places": "Unoccupied places",
    "occupancy %": "Occupancy (%)",
    "places per household": "Places per household",
}
CAPACITY_COUNTS = [CAPACITY[c] for c in m.CAPACITY_COUNTS]
CAPACITY_RATES = {
    CAPACITY[rate]: [CAPACITY[c] for c in on] for rate, on in m.CAPACITY_RATES.items()
}
PLACES = "Places"
CONNECTED = {
    "approved": "Approved",
    "deregistered": "Deregistered",
    "households at 31 March": "Households at 31 March",
    "children placed at 31 March": "Children placed at 31 March",
}
ROWS = {
    "year": "Year",
    "file": "File",
    "rows read": "Rows read",
    "rows used": "Rows used",
    "rows set aside": "Rows set aside",
}
PUBLISHED = "Published"
REGISTER = "Register"
UNROUNDED = "Register (unrounded)"  # a register rate to the places the rounding check needs
REPRODUCED = "Reproduced"


# Each measure of places -> the kind of place records (:func:`place_records`) it counts.
PLACE_KINDS = {
    "approved places": "approved",
    "filled places": "filled",
    "vacant places": "vacant",
    "unavailable places": "unavailable",
    "on hold or blocked places": "on hold or blocked",
    "unoccupied places": "unoccupied",
    "carer not considering": "carer_not_considering",
}


def households(ids: Iterable[Hashable]) -> frozenset[str]:
    """Household ids as ``household`` records."""
    return members.records("household", ids)


def _households(frame: pd.DataFrame, mask: pd.Series | np.ndarray | None = None) -> frozenset[str]:
    ids = frame["household_id"]
    return households(ids if mask is None else ids[np.asarray(mask, dtype=bool)])


def years_shown(labels: Sequence[str]) -> list[str]:
    """Financial years as the page writes them (2024/25)."""
    return [year_text(y) for y in labels]


def records_of(table: pd.DataFrame, label: object, column: str) -> frozenset[str]:
    """The records attached to ``table``'s cell in ``column`` of the row whose first
    column reads ``label``."""
    row = table.index[table.iloc[:, 0].astype(str) == str(label)][0]
    return members.of(table)[(row, column)]


def sentence_count(app, table: pd.DataFrame, name: str, label: object, column: str) -> str:
    """``app.count`` of one cell of ``table`` (shown under ``name``), with its records and
    under the table cell's key, so the sentence and the table are one count."""
    records = records_of(table, label, column)
    return app.count(len(records), app.cell(name, label, column), records=records)


# -- households joining and leaving ----------------------------------------------------


def flows(register: Register, mainstream: bool = True) -> pd.DataFrame:
    """:func:`analysis.retention.measures.flows` as the page shows it (no rate), each count
    with the households it counts."""
    flow = m.flows(register, mainstream)
    h = register.households
    h = h[h["mainstream"] == mainstream]
    table = flow[["year", *FLOW]].rename(columns={"year": YEAR, **FLOW})
    table[YEAR] = years_shown(flow["year"])
    # Ofsted's measure, for the LA sector's comparison (the council's retention rate is on
    # households at 1 April: the two do not add to 100)
    end = table[FLOW["end"]].astype(float)
    table[CEASING] = (100 * table[FLOW["leavers"]] / end.where(end > 0)).round(1)
    cells: Cells = {}
    for i, label in enumerate(flow["year"]):
        for column, mask in m.flow_masks(h, FinancialYear.parse(label)).items():
            cells[(i, FLOW[column])] = _households(h, mask)
    return members.attach(table, cells)


def rates(register: Register) -> pd.DataFrame:
    """Households at 1 April, those that ceased to foster and the retention rate, by year."""
    flow = flows(register)
    shown = flow[[YEAR, FLOW["start"], FLOW["leavers"]]].copy()
    shown[RATE] = m.flows(register)["retention rate %"].round(1).to_numpy()
    cells = {k: v for k, v in members.of(flow).items() if k[1] in shown.columns}
    return members.attach(shown, cells)


def connected(register: Register) -> pd.DataFrame:
    """Connected persons households approved, deregistered and at 31 March, and the children
    placed with them (filled places), by year, each count with its records."""
    table = m.connected_persons(register).rename(columns={"year": YEAR, **CONNECTED})
    table[YEAR] = years_shown(table[YEAR])
    h = register.households
    h = h[~h["mainstream"]]
    cells: Cells = {}
    for i, label in enumerate(m.flows(register, mainstream=False)["year"]):
        fy = FinancialYear.parse(label)
        masks = m.flow_masks(h, fy)
        cells[(i, CONNECTED["approved"])] = _households(h, masks["joiners"])
        cells[(i, CONNECTED["deregistered"])] = _households(
            h, masks["leavers"] | masks["other exits"]
        )
        cells[(i, CONNECTED["households at 31 March"])] = _households(h, masks["end"])
        places = place_records(m.on_register(register.snapshot(fy), mainstream=False))
        cells[(i, CONNECTED["children placed at 31 March"])] = places["filled"]
    return members.attach(table, cells)


# -- why households stopped --------------------------------------------------------------


def printed_reasons(figures: pd.DataFrame, register: Register) -> pd.DataFrame:
    """The council's printed table of mainstream households ceasing to foster, by reason and
    year, exactly as printed (:func:`analysis.published_trends.measures.leavers_table`),
    with each year's printed total carrying the register's leavers of that year where the
    register counts the same number: a reader who sees both may take them to be the same
    households (:func:`publish`)."""
    table = trends.leavers_table(figures)
    if table.empty:
        return table
    h = register.households
    h = h[h["mainstream"]]
    total = len(table) - 1  # the printed total is the last row
    cells: Cells = {}
    for fy in m.financial_years(register):
        column = fy.report_label
        if column not in table.columns:
            continue
        left = _households(h[m.flow_masks(h, fy)["leavers"]])
        printed = pd.to_numeric(pd.Series([table.at[total, column]]), errors="coerce").iloc[0]
        if printed == len(left):
            cells[(total, column)] = left
    return members.attach(table, cells)


def publish(app, table: pd.DataFrame, name: str, rows: Iterable[str] | None = None) -> None:
    """Mark the counts of ``table`` (shown under ``name``; only the rows labelled ``rows``,
    when given) as figures the council has printed, with the records they count: the page
    never withholds them and its audit knows them."""
    found = members.of(table)
    labels = row_labels(table)
    keep = None if rows is None else set(rows)
    for (i, column), records in found.items():
        label = labels[table.index.get_loc(i)]
        if keep is None or label in keep:
            key = app.cell(name, label, column)
            app.ledger.add(key, len(records), published=True, records=records)


def publish_printed(
    app, table: pd.DataFrame, name: str, columns: Iterable[str] | None = None
) -> None:
    """Mark published the counts of ``table`` (shown under ``name``; in ``columns`` only,
    when given) whose households are exactly those of figures the council printed
    (:meth:`Ledger.printed`), one or several, whatever their size: ``table`` restates
    printed measures or adds them up (the flows' leavers of a year are its printed
    total; the leavers the service could influence are the printed reasons it could).

    Only for a table that does so by definition: a cell of a breakdown that happens to
    hold all of a printed count's households (the one transfer, under a year's service)
    is not the printed figure, and the audit judges it as any other count."""
    labels = row_labels(table)
    printouts = app.ledger.printouts
    for (i, column), records in members.of(table).items():
        if columns is not None and column not in columns:
            continue
        inside = [p for p in printouts if p <= records]
        if records and frozenset().union(*inside) == records:
            key = app.cell(name, labels[table.index.get_loc(i)], column)
            # Not stated until the table is shown (a table the page leaves out never is).
            app.ledger.add(key, len(records), published=True, stated=False, records=records)


def influence(leaving: pd.DataFrame) -> pd.DataFrame:
    """The year's leavers by whether the service could influence the reason, with the
    median years they had fostered; each count with its households."""
    table = m.leavers_by_influence(leaving).round(1)
    cells = {
        (i, HOUSEHOLDS): _households(leaving, leaving["influence"].eq(group))
        for i, group in enumerate(table["group"])
    }
    table["group"] = [g[:1].upper() + g[1:] for g in table["group"]]
    table = table.rename(
        columns={"group": INFLUENCE, "households": HOUSEHOLDS, "median years fostered": MEDIAN}
    )
    return members.attach(table, cells)


def tenure(leaving: pd.DataFrame, floor: int = 1, banded: bool = True) -> pd.DataFrame:
    """The year's leavers by reason (with its Ofsted category) and length of service; each
    count with its households.

    A reason with fewer than ``floor`` leavers (a public page's 6) gives its total only,
    its bands blank: five bands of a total of 1 to 5 (which the council prints) tell a
    reader where each household falls (red team 18: a reader who takes each "c" as at
    least 1, and as few zeros as the page allows, reads them as "0 or 1", rightly). A band
    column no reason is broken down in is left out; with ``banded`` False, every band
    column (each reason's total only)."""
    table = m.reasons_with_tenure(leaving)
    bands = [label for _, _, label in m.TENURE_BANDS]
    whole = table["households"].ge(floor).to_numpy() & banded
    cells: Cells = {}
    for i, (group, reason) in enumerate(
        zip(table["influence"], table["reason label"], strict=True)
    ):
        mine = leaving["influence"].eq(group) & leaving["reason label"].eq(reason)
        for band in bands if whole[i] else ():
            cells[(i, band[:1].upper() + band[1:])] = _households(
                leaving, mine & leaving["tenure"].eq(band)
            )
        cells[(i, TENURE_TOTAL)] = _households(leaving, mine)
    table[bands] = table[bands].astype("Int64").where(pd.Series(whole, index=table.index), axis=0)
    table = table.drop(columns=bands if not whole.any() else [])
    table["influence"] = [g[:1].upper() + g[1:] for g in table["influence"]]
    table = table.rename(
        columns={
            "influence": INFLUENCE,
            "reason label": REASON,
            "households": TENURE_TOTAL,
            **{b: b[:1].upper() + b[1:] for b in bands},
        }
    )
    return members.attach(table, cells)


def tenure_bands(table: pd.DataFrame) -> list[str]:
    """The length-of-service columns :func:`tenure` kept (none where no reason had
    enough leavers to break down)."""
    return [c for c in TENURE_COUNTS if c in table.columns]


def tenure_note(table: pd.DataFrame, floor: int) -> str | None:
    """What :func:`tenure` left unbroken, where it left any reason so."""
    bands = tenure_bands(table)
    if bands and table[bands].notna().all(axis=None):
        return None
    why = "a breakdown of so few households would show where each one falls."
    if not bands:
        return (
            f"No reason had {floor} or more leavers this year, so none is broken down by "
            f"length of service: {why}"
        )
    return (
        f"A reason with {floor - 1} or fewer leavers this year is not broken down by length "
        f"of service (its bands are blank): {why}"
    )


TENURE_COUNTS = [b[:1].upper() + b[1:] for _, _, b in m.TENURE_BANDS]


# -- how long households keep fostering ----------------------------------------------------


def left_within(t: int) -> str:
    """The still-fostering table's count of households that left within ``t`` years."""
    return f"Left within {t} year{'s' if t > 1 else ''} (households)"


def left_share(t: int) -> str:
    """The still-fostering table's estimated share that left within ``t`` years."""
    return f"Left within {t} year{'s' if t > 1 else ''} (%, 95% interval)"


def share_text(
    survival: float, lower: float, upper: float, left: int, known: int | None = None
) -> str:
    """The estimated share that left by a time, from the Kaplan-Meier reading there: "no
    estimate" where no household was observed at every length of service up to it; where
    none had left (an interval would be degenerate) 0.0 with the exact 95% upper bound from
    the ``known`` households (the whole group, each observed from approval to the time;
    None where some were not), or "0.0 (none yet)"
    (:func:`analysis.presentation.estimates.zero_text`); else the share with its 95%
    interval (1 - the survival interval)."""
    if np.isnan(survival):
        return NO_ESTIMATE
    if left == 0:
        return zero_text(known)
    return f"{100 * (1 - survival):.1f} ({100 * (1 - upper):.1f} to {100 * (1 - lower):.1f})"


def still_fostering(
    data: pd.DataFrame, by: str | None, floor: int = 1, times: Sequence[int] = SURVIVAL_TIMES
) -> pd.DataFrame:
    """Households, those that ceased to foster and, at each of ``times`` years, those that
    left within it and the Kaplan-Meier estimate of the share that did, by group.

    The share rests on the households that left within that time: the page withholds it
    with their count (a share resting on 1 to 5 leavers is a small count in disguise). It
    is "no estimate" unless at least ``floor`` households of the group were observed at
    every length of service up to that time (:func:`survival.observed_until`)."""
    rows, cells = [], {}
    for i, (name, g) in enumerate(m.groups(data, by).items()):
        table = kaplan_meier(g["duration"], g["event"], g["entry"])
        read = survival_at(
            table, list(times), longest=observed_until(g["duration"], g["entry"], floor)
        )
        row = {GROUP: name, HOUSEHOLDS: len(g), LEFT: int(g["event"].sum())}
        cells[(i, HOUSEHOLDS)] = _households(g)
        cells[(i, LEFT)] = _households(g, g["event"])
        for t, r in zip(times, read.itertuples(), strict=True):
            gone = g["event"] & (g["duration"] <= t)
            whole = bool(((g["entry"] <= 0) & (g["duration"] >= t)).all())  # seen 0 to t
            row[left_within(t)] = int(gone.sum())
            row[left_share(t)] = share_text(
                r.survival, r.lower, r.upper, int(gone.sum()), len(g) if whole else None
            )
            cells[(i, left_within(t))] = _households(g, gone)
        rows.append(row)
    return members.attach(pd.DataFrame(rows), cells)


def still_counts(times: Sequence[int] = SURVIVAL_TIMES) -> list[str]:
    """The still-fostering table's count columns."""
    return [HOUSEHOLDS, LEFT, *(left_within(t) for t in times)]


def still_rates(times: Sequence[int] = SURVIVAL_TIMES) -> dict[str, list[str]]:
    """Each share of the still-fostering table and the counts it rests on."""
    return {left_share(t): [left_within(t), HOUSEHOLDS] for t in times}


def at_time(t: float) -> str:
    """The number-at-risk table's column for ``t`` years since approval."""
    return f"At {t:g} year{'' if t == 1 else 's'}"


def number_at_risk(data: pd.DataFrame, by: str | None, times=m.AT_RISK_TIMES) -> pd.DataFrame:
    """Households under observation at each of ``times`` years since approval, by group
    (:func:`analysis.retention.measures.number_at_risk`), each count with its households."""
    table = m.number_at_risk(data, by, times)
    cells: Cells = {}
    for i, (_, g) in enumerate(m.groups(data, by).items()):
        for t in times:
            seen = (g["entry"] <= 0) if t == 0 else (g["entry"] < t) & (g["duration"] >= t)
            cells[(i, at_time(t))] = _households(g, seen)
    table = table.rename(columns={"group": GROUP, **{m.at_label(t): at_time(t) for t in times}})
    return members.attach(table, cells)


def life_table(data: pd.DataFrame) -> pd.DataFrame:
    """:func:`analysis.retention.hazard.life_table` with its households observed and
    leavers in each year of service as records."""
    table = hazard.life_table(data).round(1)
    cells: Cells = {}
    for i, (seen, left) in enumerate(hazard.life_masks(data)):
        cells[(i, LIFE["households observed"])] = _households(data, seen)
        cells[(i, LIFE["leavers"])] = _households(data, left)
    return members.attach(table.rename(columns=LIFE), cells)


def relate_life_table(app: appendix.Appendix, still: str, life: str) -> None:
    """Tell the page the sums a reader sees between the table of households that stopped
    fostering (``still``, its first row) and the life table (``life``): those that ceased
    to foster, and those that left within 1, 3 and 5 years, are the life table's leavers of
    every year of service, or of the years before (red team 19: on 2022/23 three withheld
    years added to 6). Declared only where the records say so, so that the reader of the
    printed figures alone, who knows no records, has them too."""
    leavers = app.keys(life, LIFE["leavers"])
    sums = {LEFT: len(leavers), **{left_within(t): t for t in SURVIVAL_TIMES}}
    members_of = app.ledger.members
    for column, years in sums.items():
        total, parts = app.keys(still, column)[0], leavers[:years]
        if total is None or None in parts or years > len(leavers):
            continue
        held = [members_of.get(k) for k in (total, *parts)]
        if any(h is None for h in held):
            continue
        if sum(map(len, held[1:])) == len(held[0]) and frozenset().union(*held[1:]) == held[0]:
            app.relate(total, parts)


def model_records(frame: pd.DataFrame) -> dict[str, frozenset[str]]:
    """The households the hazard model's sentence counts: in the model, its leavers, and
    those not in it (``frame`` is :func:`analysis.retention.hazard.model_data`)."""
    inside = frame["in model"].to_numpy(bool)
    return {
        "in": _households(frame, inside),
        "leavers": _households(frame, inside & frame["event"].astype(bool).to_numpy()),
        "out": _households(frame, ~inside),
    }


HAZARD_RATES = ("Hazard ratio", "95% interval", "P-value")  # as :func:`capitalised` heads them
HAZARD_WITHHELD = (
    "A ratio resting on 1 to 5 leavers, in the group or in the group it is compared "
    "against, is withheld (c) with its interval and p-value: the interval's width would "
    "tell how many leavers there were."
)


def hazard_table(model: hazard.CoxPHFitter, frame: pd.DataFrame, rule: str) -> pd.DataFrame:
    """Each hazard ratio (:func:`analysis.retention.hazard.hazard_ratios`), headed as the
    page heads it; under the ``public`` rule, a ratio whose group or comparison group (the
    reference age band, or the households without the feature) has 1 to 5 leavers is
    withheld with its interval and p-value.

    A ratio's interval gives its leavers away: its standard error is about the square root
    of 1/d1 + 1/d0, so red team 14 read "1.16 (0.41 to 3.26)" as about 4 transferred-in
    leavers. The counts themselves are not shown: beside the page's other counts of
    leavers they would make small differences of their own (those not in the model)."""
    inside = frame[frame["in model"]].reset_index(drop=True)
    left = inside["event"].astype(bool)
    ratios = capitalised(hazard.hazard_ratios(model))
    ratios["Hazard ratio"] = [f"{r:.2f}" for r in ratios["Hazard ratio"]]  # 0.80, not 0.8
    if rule != "public":
        return ratios
    small = []
    for column in model.summary.index:
        if column.startswith("age_"):
            band = inside["age band"]
            group, against = band.eq(column.removeprefix("age_")), band.eq(hazard.AGE_REFERENCE)
        else:
            group, against = inside[column].eq(1), inside[column].eq(0)
        small.append(is_small(int((group & left).sum())) or is_small(int((against & left).sum())))
    ratios.loc[small, list(HAZARD_RATES)] = SUPPRESSED
    return ratios


# -- capacity ----------------------------------------------------------------------------


def place_records(snapshot: pd.DataFrame) -> dict[str, frozenset[str]]:
    """The places of the households in ``snapshot`` (one 31 March, those on the register):
    approved, filled, vacant and unoccupied, and unavailable by reason code and group."""
    found: dict[str, set[str]] = {"approved": set(), "filled": set(), "vacant": set()}
    for code, (_, group) in UNAVAILABLE_REASONS.items():
        found.setdefault(code, set())
        found.setdefault(group, set())
    columns = ["household_id", "approved_places", "filled_places", "vacant_places"]
    for hid, approved, filled, vacant, unavailable, reason in zip(
        *(snapshot[c] for c in columns),
        snapshot["unavailable_places"],
        snapshot["unavailable_reason"],
        strict=True,
    ):
        ids = [f"place:{hid}:{n}" for n in range(1, int(approved) + 1)]
        found["approved"].update(ids)
        found["filled"].update(ids[: int(filled)])
        found["vacant"].update(ids[int(filled) : int(filled) + int(vacant)])
        if int(unavailable):
            held = ids[int(filled) + int(vacant) : int(filled) + int(vacant) + int(unavailable)]
            found[reason].update(held)
            found[UNAVAILABLE_REASONS[reason][1]].update(held)
    out = {k: frozenset(v) for k, v in found.items()}
    out["unoccupied"] = out["approved"] - out["filled"]
    return out


def capacity(register: Register) -> pd.DataFrame:
    """:func:`analysis.retention.measures.capacity_trend` as the page shows it, households
    and places with their records."""
    # One decimal for a percentage, two for places per household (1.90 beside 1.91).
    trend = m.capacity_trend(register).round({"occupancy %": 1, "places per household": 2})
    cells: Cells = {}
    for i, fy in enumerate(m.financial_years(register)):
        s = m.on_register(register.snapshot(fy))
        places = place_records(s)
        cells[(i, CAPACITY["households"])] = _households(s)
        for column, kind in PLACE_KINDS.items():
            if column in CAPACITY:
                cells[(i, CAPACITY[column])] = places[kind]
    return members.attach(trend.rename(columns=CAPACITY), cells)


UNOCCUPIED = {
    "reason": "Why unoccupied",
    "group": "Kind",
    "places": PLACES,
    "% of unoccupied": "Share of unoccupied places (%)",
    "% of approved": "Share of approved places (%)",
}


def unoccupied(register: Register, year: FinancialYear) -> pd.DataFrame:
    """Unoccupied mainstream places at 31 March by reason, each count with its places."""
    snapshot = register.snapshot(year)
    table = m.unoccupied_by_reason(snapshot).round(1)
    places = place_records(m.on_register(snapshot))
    kinds = ["vacant", *UNAVAILABLE_REASONS]
    cells = {(i, PLACES): places[k] for i, k in enumerate(kinds)}
    table = table[list(UNOCCUPIED)].rename(columns=UNOCCUPIED)
    table[UNOCCUPIED["group"]] = [g[:1].upper() + g[1:] for g in table[UNOCCUPIED["group"]]]
    return members.attach(table, cells)


def places_change(register: Register, year: FinancialYear) -> pd.DataFrame | None:
    """The approved mainstream places at the last 31 March and this one, and the places
    each kind of change added or took away (all counts of places, with their records; a
    continuing household's approval rising or falling is counted both ways, not netted).
    None for the register's first year."""
    if year.previous.label not in set(register.snapshots["year"]):
        return None
    before = m.on_register(register.snapshot(year.previous)).set_index("household_id")
    after = m.on_register(register.snapshot(year)).set_index("household_id")
    h = register.households.set_index("household_id")
    ceasing = set(h.index[h["deregistration_date"].between(year.start, year.end) & h["ceasing"]])

    def slots(frame: pd.DataFrame, ids: Iterable[str], low=None, high=None) -> frozenset[str]:
        out = set()
        for i in ids:
            start = 0 if low is None else int(low[i])
            stop = int(frame.at[i, "approved_places"]) if high is None else int(high[i])
            out.update(f"place:{i}:{n}" for n in range(start + 1, stop + 1))
        return frozenset(out)

    stayed = before.index.intersection(after.index)
    gone = before.index.difference(after.index)
    was, now = before["approved_places"], after["approved_places"]
    rows = [
        (f"Places at 31 March {year.start_year}", slots(before, before.index)),
        (
            "Added with households approved in the year",
            slots(after, after.index.difference(before.index)),
        ),
        (
            "Lost with households that ceased to foster",
            slots(before, [i for i in gone if i in ceasing]),
        ),
        (
            "Lost with other exits (change of approval)",
            slots(before, [i for i in gone if i not in ceasing]),
        ),
        (
            "Added as continuing households' approvals rose",
            slots(after, [i for i in stayed if now[i] > was[i]], low=was),
        ),
        (
            "Lost as continuing households' approvals fell",
            slots(before, [i for i in stayed if was[i] > now[i]], low=now),
        ),
        (f"Places at 31 March {year.end.year}", slots(after, after.index)),
    ]
    table = pd.DataFrame({"Change": [r for r, _ in rows], PLACES: [len(p) for _, p in rows]})
    return members.attach(table, {(i, PLACES): p for i, (_, p) in enumerate(rows)})


def schemes(register: Register) -> pd.DataFrame:
    """Households by type at each 31 March, and each scheme's households joining and
    leaving it, a row per measure and a column per year ("not known" in the first year,
    which has no year before it); each count with its households."""
    counts = m.scheme_counts(register)
    table = m.schemes_table(counts).rename(columns={"households": "Households"})
    table.columns = ["Households", *years_shown(list(table.columns[1:]))]
    cells: Cells = {}
    row = {label: i for i, label in enumerate(table["Households"])}
    for column, snap, moves in _scheme_years(register):
        for code, label in HOUSEHOLD_TYPES.items():
            cells[(row[f"{label} at 31 March"], column)] = households(snap.index[snap == code])
        for label, (joined, left, _) in moves.items():
            cells[(row[f"{label} joining"], column)] = households(joined)
            cells[(row[f"{label} leaving the scheme"], column)] = households(left)
    return members.attach(table, cells)


def _scheme_years(register: Register) -> Iterable[tuple[str, pd.Series, dict[str, tuple]]]:
    """Each year's column heading, household types at 31 March, and (after the first
    year) each scheme's households that joined it, that moved to another type, and that
    stopped fostering from it, against the 31 March before."""
    previous = None
    for fy in m.financial_years(register):
        snap = m.on_register(register.snapshot(fy), mainstream=None).set_index("household_id")
        kind = snap["household_type"]
        moves = {}
        if previous is not None:
            for code in MAINSTREAM_TYPES[1:]:
                was, now = set(previous.index[previous == code]), set(kind.index[kind == code])
                gone = was - now
                moves[HOUSEHOLD_TYPES[code]] = (
                    now - was,
                    {i for i in gone if i in kind.index},
                    {i for i in gone if i not in kind.index},
                )
        yield year_text(fy.label), kind, moves
        previous = kind


def relate_schemes(app: appendix.Appendix, register: Register, shown: pd.DataFrame) -> None:
    """Tell the page that each scheme's households at 31 March are those of the year
    before, plus those joining, less those leaving the scheme (to another type) and those
    that stopped fostering from it: a count the page does not show, registered with its
    households, so that the audit knows a reader cannot take the stock's change for the
    flows shown."""
    labels = list(shown["Households"])
    before = None
    for column, _, moves in _scheme_years(register):
        keys = app.keys("schemes", column)
        for label, (_, _, stopped) in moves.items():
            if f"{label} at 31 March" not in labels or before is None:
                continue
            key = f"schemes stopped|{label}|{column}"
            app.ledger.add(key, len(stopped), stated=False, records=households(stopped))
            at = labels.index(f"{label} at 31 March")
            app.relate(
                keys[at],
                [app.keys("schemes", before)[at], keys[labels.index(f"{label} joining")]],
                [keys[labels.index(f"{label} leaving the scheme")], key],
            )
        before = column


# -- reconciliation ----------------------------------------------------------------------

# The register's rates as the share of one count of another (measure -> (count, out of)).
RATE_PARTS = {
    "retention rate %": ("leavers: total", "households at 1 April"),
    "places per household": ("approved places", "households at 31 March"),
    "occupancy %": ("filled places", "approved places"),
    "carer not considering more, % of unoccupied": ("carer not considering", "unoccupied places"),
    "vacant for matching, % of unoccupied": ("vacant places", "unoccupied places"),
    "vacant for matching, % of approved": ("vacant places", "approved places"),
    "unavailable, % of approved": ("unavailable places", "approved places"),
    "on hold or blocked, % of approved": ("on hold or blocked places", "approved places"),
}
COUNT_OF = "Count (register)"
OUT_OF = "Out of (register)"


def figure_records(register: Register, year: FinancialYear) -> dict[str, frozenset[str]]:
    """The records each count among the register's published figures counts in ``year``
    (the measures of :func:`analysis.retention.measures.register_figures`, and the counts
    its rates are built on: :data:`RATE_PARTS`)."""
    h = register.households
    mainstream = h[h["mainstream"]]
    masks = m.flow_masks(mainstream, year)
    left = mainstream[masks["leavers"]]
    out = {f"leavers: {r}": _households(left, left["reason"].eq(r)) for r in REASONS}
    out["leavers: total"] = _households(left)
    out["approvals"] = _households(mainstream, masks["joiners"])
    out["households at 31 March"] = _households(mainstream, masks["end"])
    out["households at 1 April"] = _households(mainstream, masks["start"])
    snapshot = register.snapshot(year)
    places = place_records(m.on_register(snapshot))
    for measure, kind in PLACE_KINDS.items():
        out[measure] = places[kind]
    others = h[~h["mainstream"]]
    other_masks = m.flow_masks(others, year)
    out["connected persons: deregistrations"] = _households(
        others, other_masks["leavers"] | other_masks["other exits"]
    )
    connected_places = place_records(m.on_register(snapshot, mainstream=False))
    out["connected persons: children at 31 March"] = connected_places["filled"]
    schemes_ = members.of(schemes(register))
    table = schemes(register)
    column = year_text(year.label)
    for measure, row in [
        ("Next Steps households at 31 March", "Next Steps at 31 March"),
        ("out of hours households joining", "Out of hours joining"),
        ("out of hours households leaving the scheme", "Out of hours leaving the scheme"),
        ("parent and child households at 31 March", "Parent and child at 31 March"),
    ]:
        i = table.index[table["Households"] == row][0]
        if (i, column) in schemes_:
            out[measure] = schemes_[(i, column)]
    steps = m.on_register(snapshot, mainstream=None)
    out["Next Steps children placed at 31 March"] = place_records(
        steps[steps["household_type"] == "next_steps"]
    )["filled"]
    return out


# The flows table's counts that the council printed, as its note names them.
FLOW_MEASURES = {
    "approvals": "households approved",
    "leavers: total": "households ceasing to foster",
}


def flows_printed_note(reconciliation: pd.DataFrame, page_year: str) -> str:
    """For the flows table's note: each year up to the page's where the council's printed
    count of a flow differs from the register's, said as the reconciliation says it (issue
    13: 15 households ceasing in 2018/19 on one page and 16 on another, with no word of why
    on this one). Printed figures only: the register's count is the table's."""
    last = FinancialYear.parse(page_year)
    rows = reconciliation[
        reconciliation["measure"].isin(FLOW_MEASURES)
        & reconciliation["reproduced"].eq("no")
        & reconciliation["year"].map(lambda y: FinancialYear.parse(y) <= last)
    ]
    parts = [
        f"in {year_text(r.year)} the council printed {r.published:,.0f} "
        f"{FLOW_MEASURES[r.measure]}" + (f" ({r.note})" if r.note else "")
        for r in rows.itertuples()
    ]
    return "" if not parts else " Against the published figures: " + "; ".join(parts) + "."


def reconciliation(register: Register, figures: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reconciliation of the council's printed figures with the register, as two
    tables: (counts, rates). ``figures`` is the year's rows of
    :func:`analysis.retention.measures.reconcile`.

    The printed figures are published: shown as printed, no count of the page. The
    register's counts carry their records and are withheld like any other count; a
    register rate is shown with the two counts it is built on, and withheld with them,
    and so is whether the register reproduces the printed figure."""
    found: dict[str, dict[str, frozenset[str]]] = {}

    def records(year: str) -> dict[str, frozenset[str]]:
        if year not in found:
            found[year] = figure_records(register, FinancialYear.parse(year))
        return found[year]

    counts, rates_ = [], []
    count_cells: Cells = {}
    rate_cells: Cells = {}
    for r in figures.itertuples():
        label = m.measure_label(r.measure)
        if r.measure in RATE_PARTS:
            part, whole = (records(r.year)[k] for k in RATE_PARTS[r.measure])
            i = len(rates_)
            rates_.append(
                {
                    "Measure": label,
                    PUBLISHED: f"{r.published:g}",
                    UNROUNDED: f"{r.register:.4g}",
                    COUNT_OF: len(part),
                    OUT_OF: len(whole),
                    REPRODUCED: r.reproduced,
                    "Source": r.source,
                    "Note": r.note,
                }
            )
            rate_cells[(i, COUNT_OF)], rate_cells[(i, OUT_OF)] = part, whole
        else:
            mine = records(r.year)[r.measure]
            if len(mine) != r.register:
                raise ValueError(f"{r.measure} counts {len(mine)} records, not {r.register:g}")
            count_cells[(len(counts), REGISTER)] = mine
            counts.append(
                {
                    "Measure": label,
                    PUBLISHED: f"{r.published:g}",
                    REGISTER: int(r.register),
                    REPRODUCED: r.reproduced,
                    "Source": r.source,
                    "Note": r.note,
                }
            )
    columns = ["Measure", PUBLISHED, REGISTER, REPRODUCED, "Source", "Note"]
    rate_columns = ["Measure", PUBLISHED, UNROUNDED, COUNT_OF, OUT_OF, REPRODUCED, "Source", "Note"]
    return (
        members.attach(pd.DataFrame(counts, columns=columns), count_cells),
        members.attach(pd.DataFrame(rates_, columns=rate_columns), rate_cells),
    )


def printed_twins(register: Register, figures: pd.DataFrame) -> list[frozenset[str]]:
    """The register's records of every printed count it reproduces exactly, in any year of
    ``figures`` (:func:`analysis.retention.measures.reconcile`): a reader takes the two to
    be the same households, so the page treats the register's count, wherever it stands,
    as the printed figure (:meth:`analysis.disclosure.page.Ledger.printed`)."""
    counts = figures[~figures["measure"].isin(list(RATE_PARTS))]
    same = counts[pd.to_numeric(counts["published"]) == counts["register"]]
    twins = []
    for year, rows in same.groupby("year", sort=True):
        records = figure_records(register, FinancialYear.parse(str(year)))
        twins += [records[measure] for measure in rows["measure"]]
    return twins


# -- data used ---------------------------------------------------------------------------


def _row_records(rows: pd.DataFrame) -> list[str]:
    return [
        f"row:{f}:{int(n)}"
        for f, n in zip(rows["source_file"].astype(str), rows["source_row"], strict=True)
    ]


def extracts(register: Register) -> pd.DataFrame:
    """Rows read, used and set aside from each extract; the rows set aside with records."""
    held = register.quarantined
    ids = np.asarray(_row_records(held), dtype=object)
    table = register.rows.copy()
    year = held["year"] if len(held) else pd.Series(dtype=object)
    cells = {
        (i, ROWS["rows set aside"]): frozenset(ids[year.eq(y).to_numpy()])
        for i, y in enumerate(table["year"])
    }
    table["year"] = years_shown(table["year"])
    return members.attach(table.rename(columns=ROWS), cells)


def set_aside(register: Register) -> pd.DataFrame:
    """Rows set aside by year and reason, each count with its rows."""
    held = register.quarantined
    ids = np.asarray(_row_records(held), dtype=object)
    table = held.groupby(["year", "reason"]).size().reset_index(name="Rows")
    cells = {
        (i, "Rows"): frozenset(ids[(held["year"].eq(y) & held["reason"].eq(r)).to_numpy()])
        for i, (y, r) in enumerate(zip(table["year"], table["reason"], strict=True))
    }
    table["year"] = years_shown(table["year"])
    table["reason"] = [r[:1].upper() + r[1:] for r in table["reason"]]
    return members.attach(table.rename(columns={"year": YEAR, "reason": REASON}), cells)


def children(found: dict[str, frozenset[str]]) -> pd.DataFrame:
    """Children in foster care at 31 March from the SSDA903 return, by kind of carer, each
    count with its children (``found``: :func:`analysis.retention.sufficiency.children_records`)."""
    labels = list(found)
    table = pd.DataFrame(
        {
            "Children at 31 March": [s[:1].upper() + s[1:] for s in labels],
            "Children": [len(found[k]) for k in labels],
        }
    )
    return members.attach(table, {(i, "Children"): found[k] for i, k in enumerate(labels)})


def outlook(projected: pd.DataFrame) -> pd.DataFrame:
    """The projection with its headings as the page writes them."""
    names = {"31 March": DAY}
    for measure in ("households", "approved places", "filled places"):
        cap = measure[:1].upper() + measure[1:]
        names[f"{measure} (median)"] = f"{cap} (median)"
        names[f"{measure} 95% interval"] = f"{cap} (95% interval)"
    return projected.rename(columns=names)


def capitalised(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each heading's first letter a capital (the model's tables)."""
    return frame.rename(columns={c: c[:1].upper() + c[1:] for c in frame.columns})


def row_labels(table: pd.DataFrame) -> list[str]:
    """Each row's label as the page keys it (:func:`analysis.presentation.appendix.row_labels`:
    its first column's text, or its index once filtered; a repeated label numbered ``#2``)."""
    return appendix.row_labels(table, index=False, counts=())


def reconciliation_rows(counts: pd.DataFrame, rates_: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`reconciliation`'s two tables as one frame for the findings:
    each row's label as the page keys it (``label``), and a count's records (``records``)."""
    found = members.of(counts)
    mine = counts.assign(
        label=row_labels(counts), records=[found.get((i, REGISTER)) for i in counts.index]
    )
    return pd.concat([mine, rates_.assign(label=row_labels(rates_))], ignore_index=True)


def outlook_records(flows_: pd.DataFrame, years: Iterable[str]) -> dict[str, frozenset[str]]:
    """The households the outlook's observed approvals and exits count, over ``years`` (as
    the page writes them): every joiner, and every leaver or other exit, of those years in
    the flows table (each household once: a household joins or leaves once)."""
    found = members.of(flows_)
    rows = [i for i, y in zip(flows_.index, flows_[YEAR], strict=True) if y in set(years)]

    def union(*columns: str) -> frozenset[str]:
        return frozenset().union(*(found[(i, c)] for i in rows for c in columns))

    return {
        "approvals": union(FLOW["joiners"]),
        "exits": union(FLOW["leavers"], FLOW["other exits"]),
    }
