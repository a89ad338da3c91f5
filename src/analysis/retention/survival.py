"""Kaplan-Meier survival (lifelines) with Greenwood intervals, delayed entry and the
times at which a curve says something.

Used for "how long do fostering households keep fostering": a household still
approved at the end of the data is *censored* (we know only that it lasted at
least that long), not counted as a leaver. Households already approved when the
data begin enter the risk set only from the tenure they had then (delayed entry,
or left truncation); counting them from approval would overstate survival,
because households that left before the data began are missing.

A curve read at time ``t`` is an estimate only if some household was under
observation at every tenure up to ``t``: where the risk set was empty (a cohort
whose households all entered observation years after approval), the product-limit
silently carries 100% across the gap. :func:`observed_until` says how far a curve
goes (optionally: while at least so many households are observed), and
:func:`survival_at` reports no estimate beyond it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.exceptions import StatError
from scipy.stats import norm

Z_95 = 1.959963984540054


def _arrays(durations, events, entry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = np.asarray(durations, dtype=float)
    d = np.asarray(events, dtype=bool)
    e = np.zeros_like(t) if entry is None else np.asarray(entry, dtype=float)
    if len(t) != len(d) or len(t) != len(e):
        raise ValueError("durations, events and entry must have the same length")
    if np.any(e > t):
        raise ValueError("an entry time is after its duration")
    return t, d, e


def kaplan_meier(
    durations: pd.Series | np.ndarray,
    events: pd.Series | np.ndarray,
    entry: pd.Series | np.ndarray | None = None,
    z: float = Z_95,
) -> pd.DataFrame:
    """The Kaplan-Meier estimate at each time an event happens, by lifelines.

    ``durations`` are times from the origin (e.g. approval) to the event or
    censoring; ``events`` is true for an event, false for censored; ``entry`` is
    the time each subject came under observation (0 if omitted). Returns one row per
    distinct event time with ``at_risk`` (entered before it and not yet gone),
    ``events``, ``survival``, Greenwood ``se`` and a confidence interval on the
    log(-log) scale (always inside 0-1). A first row at time 0 has survival 1, and a
    last row at the longest follow-up carries the final estimate to it. If everyone
    under observation has gone before others come under observation, the table stops
    at that gap (see :func:`observed_until`).
    """
    t, d, e = _arrays(durations, events, entry)
    fitter = KaplanMeierFitter(alpha=2 * norm.sf(z))
    try:
        fitter.fit(t, d, entry=e)
    except StatError:
        # Everyone observed left or was censored before others came under observation:
        # beyond that gap the product-limit is 0 or undefined, and lifelines refuses it.
        # Keep the households observed from the start up to the gap.
        keep = e < observed_until(t, e)
        if not keep.any():
            return _first_row(e)
        t, d, e = t[keep], d[keep], e[keep]
        fitter.fit(t, d, entry=e)
    s = fitter.survival_function_.iloc[:, 0]
    ci = fitter.confidence_interval_survival_function_
    times = np.unique(t[d])
    at_risk = np.array([int(np.sum((e < u) & (t >= u))) for u in times], dtype=int)
    dead = np.array([int(np.sum((t == u) & d)) for u in times], dtype=int)
    keep = at_risk > 0
    times, at_risk, dead = times[keep], at_risk[keep], dead[keep]
    step = np.where(at_risk > dead, dead / np.maximum(at_risk * (at_risk - dead), 1), 0.0)
    greenwood = np.cumsum(step)
    survival = s.reindex(times).to_numpy()
    rows = pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk,
            "events": dead,
            "survival": survival,
            "se": survival * np.sqrt(greenwood),
            "lower": ci.iloc[:, 0].reindex(times).to_numpy(),
            "upper": ci.iloc[:, 1].reindex(times).to_numpy(),
        }
    )
    # lifelines gives the interval as the estimate where it is 0 or 1 (no variance).
    flat = (rows["survival"] <= 0) | (rows["survival"] >= 1) | (greenwood == 0)
    rows.loc[flat, ["lower", "upper"]] = rows.loc[flat, ["survival", "survival"]].to_numpy()
    first = _first_row(e)
    table = pd.concat([first, rows], ignore_index=True) if len(rows) else first
    last = float(t.max()) if len(t) else 0.0
    if last > table["time"].iloc[-1]:
        tail = table.tail(1).assign(
            time=last, at_risk=int(np.sum((e < last) & (t >= last))), events=0
        )
        table = pd.concat([table, tail], ignore_index=True)
    return table.astype({"at_risk": int, "events": int})


def _first_row(entry: np.ndarray) -> pd.DataFrame:
    """The curve at time 0: survival 1, with those observed from approval at risk."""
    return pd.DataFrame(
        [
            {
                "time": 0.0,
                "at_risk": int(np.sum(entry <= 0)),
                "events": 0,
                "survival": 1.0,
                "se": 0.0,
                "lower": 1.0,
                "upper": 1.0,
            }
        ]
    )


def at_risk(
    durations: pd.Series | np.ndarray,
    entry: pd.Series | np.ndarray | None,
    times: list[float],
) -> list[int]:
    """Households under observation at each of ``times``: entered before it, not gone."""
    t, _, e = _arrays(durations, np.zeros(len(durations)), entry)
    return [int(np.sum((e <= 0) if u == 0 else (e < u) & (t >= u))) for u in times]


def observed_until(
    durations: pd.Series | np.ndarray,
    entry: pd.Series | np.ndarray | None,
    min_at_risk: int = 1,
) -> float:
    """The longest tenure ``T`` such that at every tenure in (0, T] at least
    ``min_at_risk`` households were under observation: the curve is an estimate up to
    ``T`` (with ``min_at_risk`` 1) and says nothing beyond.

    Each household is under observation over the tenures (entry, duration], so the count
    only changes at those ends: on (b, next b] it is #(entry <= b) - #(duration <= b).
    """
    t, _, e = _arrays(durations, np.zeros(len(durations)), entry)
    if not len(t):
        return 0.0
    entered, gone = np.sort(e), np.sort(t)
    for b in np.unique(np.concatenate([[0.0], e, t])):
        if b >= gone[-1]:
            break
        count = np.searchsorted(entered, b, "right") - np.searchsorted(gone, b, "right")
        if count < min_at_risk:
            return float(b)
    return float(gone[-1])


def survival_at(table: pd.DataFrame, times: list[float], longest: float) -> pd.DataFrame:
    """The step function read at ``times``: the last estimate at or before each time.

    ``longest`` is the tenure up to which the curve is an estimate (see
    :func:`observed_until`); a time beyond it is reported as missing.
    """
    rows = []
    for when in times:
        before = table[table["time"] <= when].iloc[-1]
        known = longest > 0 and when <= longest
        rows.append(
            {
                "time": when,
                **{k: before[k] if known else np.nan for k in ("survival", "lower", "upper")},
            }
        )
    return pd.DataFrame(rows)
