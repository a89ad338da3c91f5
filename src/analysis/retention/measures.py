"""Retention and capacity measures from the cleaned household register.

Definitions follow the council's reports (which count *mainstream* households,
including the Next Steps, out of hours, parent and child and short stay schemes):

- a *joiner* is a household approved in the year; a *leaver* one whose approval
  ended in the year for a reason the reports count as ceasing to foster; an *other
  exit* left the mainstream register for a reason they do not (change of approval);
- households at the start of the year were approved before 1 April and not
  deregistered before it; at the end, approved by 31 March and not deregistered by
  then; so end = start + joiners - leavers - other exits, exactly;
- retention rate = 1 - leavers / households at the start of the year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.years import FinancialYear
from analysis.disclosure import suppression
from analysis.retention.load import Register
from analysis.retention.schema import (
    HOUSEHOLD_TYPES,
    INFLUENCE_ORDER,
    REASON_ORDER,
    REASONS,
    UNAVAILABLE_REASONS,
)
from analysis.retention.survival import at_risk, kaplan_meier, observed_until, survival_at

AT_RISK_TIMES = (0, 1, 3, 5, 10)  # years since approval: the survival charts' ticks
TENURE_BANDS = [
    (0, 1, "under 1 year"),
    (1, 3, "1 to 3 years"),
    (3, 5, "3 to 5 years"),
    (5, 10, "5 to 10 years"),
    (10, 100, "10 years or more"),
]


def financial_years(register: Register) -> list[FinancialYear]:
    """The years of the register's extracts, oldest first."""
    return [FinancialYear.parse(y) for y in sorted(register.snapshots["year"].unique())]


def _active(frame: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    return (frame["approval_date"] <= day) & (
        frame["deregistration_date"].isna() | (frame["deregistration_date"] > day)
    )


def on_register(snapshot: pd.DataFrame, mainstream: bool | None = True) -> pd.DataFrame:
    """The households of one 31 March's extract on the register that day (mainstream, or
    connected persons with ``mainstream=False``, or all with None)."""
    end = FinancialYear.parse(snapshot["year"].iloc[0]).end if len(snapshot) else None
    keep = _active(snapshot, end) if end is not None else snapshot["year"].notna()
    if mainstream is not None:
        keep &= snapshot["mainstream"] == mainstream
    return snapshot[keep]


def flow_masks(h: pd.DataFrame, fy: FinancialYear) -> dict[str, pd.Series]:
    """Which of the households ``h`` (one row each) count in each of the year's flows:
    at the start, joiners, leavers, other exits and at the end."""
    left = h["deregistration_date"].between(fy.start, fy.end)
    return {
        "start": _active(h, fy.start - pd.Timedelta(days=1)),
        "joiners": h["approval_date"].between(fy.start, fy.end),
        "leavers": left & h["ceasing"],
        "other exits": left & ~h["ceasing"],
        "end": _active(h, fy.end),
    }


def flows(register: Register, mainstream: bool = True) -> pd.DataFrame:
    """Households at the start and end of each year, joiners, leavers, other exits, retention."""
    h = register.households
    h = h[h["mainstream"] == mainstream]
    rows = []
    for fy in financial_years(register):
        counts = {k: int(v.sum()) for k, v in flow_masks(h, fy).items()}
        start, leavers = counts["start"], counts["leavers"]
        rows.append(
            {
                "year": fy.label,
                **counts,
                "retention rate %": 100 * (1 - leavers / start) if start else np.nan,
            }
        )
    return pd.DataFrame(rows)


def tenure_band(years: pd.Series) -> pd.Series:
    """The tenure band of each length of service in years."""
    labels = [label for _, _, label in TENURE_BANDS]
    edges = [low for low, _, _ in TENURE_BANDS] + [TENURE_BANDS[-1][1]]
    return pd.cut(years, edges, right=False, labels=labels)


def leavers(register: Register, year: FinancialYear) -> pd.DataFrame:
    """Mainstream households that ceased to foster in ``year``, with reason and tenure."""
    h = register.households
    out = h[
        h["mainstream"] & h["ceasing"] & h["deregistration_date"].between(year.start, year.end)
    ].copy()
    out["reason label"] = out["reason"].map({k: v["label"] for k, v in REASONS.items()})
    out["influence"] = out["reason"].map({k: v["influence"] for k, v in REASONS.items()})
    out["Ofsted category"] = out["reason"].map({k: v["ofsted"] for k, v in REASONS.items()})
    out["years fostered"] = (out["deregistration_date"] - out["approval_date"]).dt.days / 365.25
    out["tenure"] = tenure_band(out["years fostered"])
    return out


def leavers_by_reason(register: Register) -> pd.DataFrame:
    """The reports' table: mainstream households ceasing to foster by reason and year."""
    h = register.households
    h = h[h["mainstream"] & h["ceasing"]]
    table = pd.DataFrame(index=[r for r in REASON_ORDER if REASONS[r]["ceasing"]])
    for fy in financial_years(register):
        year = h[h["deregistration_date"].between(fy.start, fy.end)]
        table[fy.report_label] = year["reason"].value_counts().reindex(table.index, fill_value=0)
    table.loc["total"] = table.sum()
    return table


def leavers_by_influence(leaving: pd.DataFrame) -> pd.DataFrame:
    """Leavers in the year by whether the service could influence the reason, with tenure."""
    rows = []
    for group in INFLUENCE_ORDER:
        part = leaving[leaving["influence"] == group]
        rows.append(
            {
                "group": group,
                "households": len(part),
                "median years fostered": part["years fostered"].median(),
            }
        )
    return pd.DataFrame(rows)


def reasons_with_tenure(leaving: pd.DataFrame) -> pd.DataFrame:
    """Leavers in the year by reason (with its Ofsted category) and tenure band."""
    counts = pd.crosstab(
        [leaving["influence"], leaving["reason label"], leaving["Ofsted category"]],
        leaving["tenure"],
    )
    counts = counts.reindex(columns=[label for _, _, label in TENURE_BANDS], fill_value=0)
    counts["households"] = counts.sum(axis=1)
    counts.columns.name = None
    return counts.reset_index()


def first_year(register: Register) -> int:
    """The calendar year of the 1 April the register extracts begin."""
    return financial_years(register)[0].start.year


MAINSTREAM_ALL = "Mainstream (general and schemes)"


def survival_data(register: Register) -> pd.DataFrame:
    """One row per household: years from approval to leaving or censoring, and entry time.

    Leaving means ceasing to foster; an other exit (change of approval) and a
    household still approved at the end of the last year are censored. Households
    approved before the register's first year enter at the tenure they had on its first
    day (delayed entry); cohorts are two-year bands from that day. ``type group`` tells
    the mainstream schemes apart (the internal copy's highest-risk table); ``kind`` is
    connected persons or mainstream (the public page's comparison by type, and the hazard
    model's: red teams 18 and 19).
    """
    h = register.households.copy()
    years = financial_years(register)
    start, end = years[0].start, years[-1].end
    stop = h["deregistration_date"].where(h["deregistration_date"] <= end, end).fillna(end)
    h["duration"] = (stop - h["approval_date"]).dt.days / 365.25
    h["event"] = h["ceasing"] & h["deregistration_date"].le(end)
    h["entry"] = ((start - h["approval_date"]).dt.days / 365.25).clip(lower=0)
    h["type group"] = np.select(
        [h["household_type"].eq("connected_persons"), h["household_type"].eq("mainstream")],
        ["Connected persons", "Mainstream (general)"],
        "Mainstream schemes",
    )
    h["kind"] = np.where(
        h["type group"].eq("Connected persons"), "Connected persons", MAINSTREAM_ALL
    )
    approved = h["approval_date"]
    first = years[0]
    bands = [FinancialYear(first.start_year + k) for k in (0, 2, 4)]
    h["cohort"] = np.select(
        [approved < bands[0].start, approved < bands[1].start, approved < bands[2].start],
        [
            f"Approved before April {first.start_year}",
            f"Approved {bands[0].report_label} to {bands[0].next.report_label}",
            f"Approved {bands[1].report_label} to {bands[1].next.report_label}",
        ],
        f"Approved {bands[2].report_label} or later",
    )
    return h


def groups(data: pd.DataFrame, by: str | None) -> dict[str, pd.DataFrame]:
    """``data`` split by column ``by`` (sorted), or all of it as one group."""
    if by is None:
        return {"All mainstream households": data}
    return dict(list(data.groupby(by, sort=True)))


def at_risk_floor(disclosure: str) -> int:
    """The fewest households under observation a public survival estimate rests on: a
    curve's step where fewer are observed would show a count of 1 to 5."""
    return suppression.HIGHEST + 1 if disclosure == "public" else 1


def survival_curves(data: pd.DataFrame, by: str, floor: int = 1) -> dict[str, pd.DataFrame]:
    """A Kaplan-Meier table for each group in column ``by``, cut where fewer than ``floor``
    households are observed (:func:`analysis.retention.survival.observed_until`; with 1,
    where it stops being an estimate); a group with no such tenure has no curve."""
    out = {}
    for name, g in groups(data, by).items():
        until = observed_until(g["duration"], g["entry"], floor)
        if until > 0:
            table = kaplan_meier(g["duration"], g["event"], g["entry"])
            table = table[table["time"] <= until]
            if table["time"].iloc[-1] < until:
                table = pd.concat([table, table.tail(1).assign(time=until, events=0)])
            out[name] = table.reset_index(drop=True)
    return out


def still_fostering(
    data: pd.DataFrame, by: str | None, times=(1, 3, 5), floor: int = 1
) -> pd.DataFrame:
    """Share still fostering after each of ``times`` years, with 95% intervals, by group;
    missing unless at least ``floor`` households of the group were observed at every
    tenure up to that time (with 1: unless the curve is an estimate there)."""
    rows = []
    for name, g in groups(data, by).items():
        table = kaplan_meier(g["duration"], g["event"], g["entry"])
        until = observed_until(g["duration"], g["entry"], floor)
        read = survival_at(table, list(times), longest=until)
        row = {"group": name, "households": len(g), "left": int(g["event"].sum())}
        for _, r in read.iterrows():
            year = int(r["time"])
            row[f"after {year} year{'s' if year > 1 else ''} %"] = 100 * r["survival"]
            row[f"{year}y 95% CI"] = (
                "" if np.isnan(r["survival"]) else f"{100 * r['lower']:.0f}-{100 * r['upper']:.0f}"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def number_at_risk(data: pd.DataFrame, by: str | None, times=AT_RISK_TIMES) -> pd.DataFrame:
    """Households under observation (at risk of leaving) at each of ``times`` years since
    approval, by group: the counts beneath a survival chart."""
    rows = []
    for name, g in groups(data, by).items():
        counts = at_risk(g["duration"], g["entry"], list(times))
        rows.append({"group": name, **{at_label(t): n for t, n in zip(times, counts, strict=True)}})
    return pd.DataFrame(rows)


def at_label(years: float) -> str:
    """The number-at-risk column for ``years`` since approval."""
    return f"at {years:g} year{'' if years == 1 else 's'}"


def capacity(snapshot: pd.DataFrame, mainstream: bool = True) -> dict[str, float]:
    """Approved, filled, vacant and unavailable places at 31 March, occupancy, per household."""
    end = FinancialYear.parse(snapshot["year"].iloc[0]).end
    s = snapshot[(snapshot["mainstream"] == mainstream) & _active(snapshot, end)]
    group = s["unavailable_reason"].map({k: g for k, (_, g) in UNAVAILABLE_REASONS.items()})
    approved = int(s["approved_places"].sum())
    filled = int(s["filled_places"].sum())
    out = {
        "households": len(s),
        "approved places": approved,
        "filled places": filled,
        "vacant places": int(s["vacant_places"].sum()),
        "unavailable places": int(s.loc[group == "unavailable", "unavailable_places"].sum()),
        "on hold or blocked places": int(
            s.loc[group == "on hold or blocked", "unavailable_places"].sum()
        ),
    }
    out["unoccupied places"] = approved - filled
    out["occupancy %"] = 100 * filled / approved if approved else np.nan
    out["places per household"] = approved / len(s) if len(s) else np.nan
    return out


def capacity_trend(register: Register) -> pd.DataFrame:
    """Mainstream capacity at each 31 March in the register."""
    return pd.DataFrame(
        [
            {"31 March": fy.end.year, **capacity(register.snapshot(fy))}
            for fy in financial_years(register)
        ]
    )


def unoccupied_by_reason(snapshot: pd.DataFrame) -> pd.DataFrame:
    """Unoccupied mainstream places at 31 March by why, as shares of unoccupied and approved."""
    end = FinancialYear.parse(snapshot["year"].iloc[0]).end
    s = snapshot[snapshot["mainstream"] & _active(snapshot, end)]
    rows = [
        {
            "group": "vacant",
            "reason": "Vacant: free to be matched with a child",
            "places": int(s["vacant_places"].sum()),
        }
    ]
    for code, (label, group) in UNAVAILABLE_REASONS.items():
        rows.append(
            {
                "group": group,
                "reason": label,
                "places": int(s.loc[s["unavailable_reason"] == code, "unavailable_places"].sum()),
            }
        )
    out = pd.DataFrame(rows)
    unoccupied = out["places"].sum()
    out["% of unoccupied"] = 100 * out["places"] / unoccupied if unoccupied else np.nan
    out["% of approved"] = 100 * out["places"] / s["approved_places"].sum()
    return out


def places_change(register: Register, year: FinancialYear) -> pd.DataFrame | None:
    """Net change in approved mainstream places over the year, split by who caused it.

    Joiners bring the places they hold at the end of the year; leavers and other
    exits take the places they held at the start; continuing households change by
    re-approval. The parts sum to the change. None for the first year (no start).
    """
    if year.previous.label not in set(register.snapshots["year"]):
        return None
    before = register.snapshot(year.previous)
    after = register.snapshot(year)
    before = before[before["mainstream"] & _active(before, year.previous.end)]
    after = after[after["mainstream"] & _active(after, year.end)]
    start = before.set_index("household_id")["approved_places"]
    end = after.set_index("household_id")["approved_places"]
    h = register.households.set_index("household_id")
    left = h.index[h["deregistration_date"].between(year.start, year.end)]
    stayed = start.index.intersection(end.index)
    parts = [
        ("Places at the start of the year (31 March before)", int(start.sum())),
        ("Added by households approved in the year", int(end.drop(stayed, errors="ignore").sum())),
        (
            "Lost with households that ceased to foster",
            -int(start.reindex([i for i in left if h.at[i, "ceasing"]]).fillna(0).sum()),
        ),
        (
            "Lost with other exits (change of approval)",
            -int(start.reindex([i for i in left if not h.at[i, "ceasing"]]).fillna(0).sum()),
        ),
        (
            "Change in approvals of continuing households",
            int(end[stayed].sum() - start[stayed].sum()),
        ),
        ("Places at the end of the year (31 March)", int(end.sum())),
    ]
    return pd.DataFrame(parts, columns=["step", "places"])


def scheme_counts(register: Register) -> pd.DataFrame:
    """Households by type at each 31 March, and scheme joiners and leavers in each year."""
    rows = []
    previous = None
    for fy in financial_years(register):
        snap = register.snapshot(fy)
        snap = snap[_active(snap, fy.end)].set_index("household_id")["household_type"]
        row = {"year": fy.label}
        for code, label in HOUSEHOLD_TYPES.items():
            row[f"{label} at 31 March"] = int((snap == code).sum())
        for code in ("next_steps", "out_of_hours", "parent_and_child", "short_stay"):
            label = HOUSEHOLD_TYPES[code]
            was = set() if previous is None else set(previous.index[previous == code])
            now = set(snap.index[snap == code])
            row[f"{label} joining"] = len(now - was) if previous is not None else np.nan
            leavers_ = [i for i in was - now if i in snap.index]
            row[f"{label} leaving the scheme"] = len(leavers_) if previous is not None else np.nan
        rows.append(row)
        previous = snap
    return pd.DataFrame(rows).astype({c: "Int64" for c in rows[0] if c != "year"})


def schemes_table(schemes: pd.DataFrame) -> pd.DataFrame:
    """:func:`scheme_counts` as the page shows it: a row per measure, a column per year,
    "not known" where a year has no year before it to compare with."""
    out = schemes.set_index("year").T.rename_axis("households").astype(object)
    return out.where(out.notna(), "not known").reset_index()


def connected_persons(register: Register) -> pd.DataFrame:
    """Connected persons households: approvals, deregistrations, households and children."""
    f = flows(register, mainstream=False)
    children = [
        capacity(register.snapshot(FinancialYear.parse(y)), mainstream=False)["filled places"]
        for y in f["year"]
    ]
    return pd.DataFrame(
        {
            "year": f["year"],
            "approved": f["joiners"],
            "deregistered": f["leavers"] + f["other exits"],
            "households at 31 March": f["end"],
            "children placed at 31 March": children,
        }
    )


def register_figures(register: Register) -> pd.DataFrame:
    """Every figure the reports publish, as the register gives it, for every year."""
    rows = []
    by_reason = leavers_by_reason(register)
    flow = flows(register).set_index("year")
    cap = {fy.label: capacity(register.snapshot(fy)) for fy in financial_years(register)}
    schemes = scheme_counts(register).set_index("year")
    cp = connected_persons(register).set_index("year")
    for fy in financial_years(register):
        y = fy.label
        for reason in by_reason.index:
            rows.append((y, f"leavers: {reason}", by_reason.at[reason, fy.report_label]))
        c = cap[y]
        reasons = unoccupied_by_reason(register.snapshot(fy)).set_index("reason")
        carer = reasons.loc["Carer not considering further children"]
        vacant = reasons.loc["Vacant: free to be matched with a child"]
        rows += [
            (y, "approvals", flow.at[y, "joiners"]),
            (y, "households at 31 March", flow.at[y, "end"]),
            (y, "retention rate %", flow.at[y, "retention rate %"]),
            (y, "approved places", c["approved places"]),
            (y, "places per household", c["places per household"]),
            (y, "occupancy %", c["occupancy %"]),
            (y, "filled places", c["filled places"]),
            (y, "carer not considering more, % of unoccupied", carer["% of unoccupied"]),
            (y, "vacant for matching, % of unoccupied", vacant["% of unoccupied"]),
            (y, "vacant for matching, % of approved", vacant["% of approved"]),
            (y, "unavailable, % of approved", 100 * c["unavailable places"] / c["approved places"]),
            (
                y,
                "on hold or blocked, % of approved",
                100 * c["on hold or blocked places"] / c["approved places"],
            ),
            (y, "connected persons: children at 31 March", cp.at[y, "children placed at 31 March"]),
            (y, "connected persons: deregistrations", cp.at[y, "deregistered"]),
            (y, "Next Steps households at 31 March", schemes.at[y, "Next Steps at 31 March"]),
            (y, "Next Steps children placed at 31 March", _scheme_filled(register, fy)),
            (y, "out of hours households joining", schemes.at[y, "Out of hours joining"]),
            (
                y,
                "out of hours households leaving the scheme",
                schemes.at[y, "Out of hours leaving the scheme"],
            ),
            (
                y,
                "parent and child households at 31 March",
                schemes.at[y, "Parent and child at 31 March"],
            ),
        ]
    return pd.DataFrame(rows, columns=["year", "measure", "register"])


def _scheme_filled(register: Register, fy: FinancialYear, scheme: str = "next_steps") -> int:
    snap = register.snapshot(fy)
    return int(
        snap.loc[(snap["household_type"] == scheme) & _active(snap, fy.end), "filled_places"].sum()
    )


def reconcile(register: Register, targets: pd.DataFrame) -> pd.DataFrame:
    """Published figures beside the register's, with whether each is reproduced."""
    figures = register_figures(register)
    out = targets.merge(figures, on=["year", "measure"], how="inner")
    out["register"] = out["register"].astype(float)
    out["reproduced"] = np.where(out["register"].between(out["low"], out["high"]), "yes", "no")
    return out[["year", "measure", "published", "register", "reproduced", "source", "note"]]


def measure_label(measure: str) -> str:
    """A reconciliation measure as a reader would name it (reason codes become labels)."""
    if measure == "leavers: total":
        return "Ceased to foster: total"
    if measure.startswith("leavers: "):
        return f"Ceased to foster: {REASONS[measure.removeprefix('leavers: ')]['label']}"
    return measure[:1].upper() + measure[1:]


# -- the capacity table's counts and the rates built on them ---------------------------

CAPACITY_COUNTS = [
    "households",
    "approved places",
    "filled places",
    "vacant places",
    "unavailable places",
    "on hold or blocked places",
    "unoccupied places",
]
CAPACITY_RATES = {
    "occupancy %": ["filled places", "approved places"],
    "places per household": ["approved places", "households"],
}
