"""Kaplan-Meier survival with Greenwood confidence intervals and delayed entry.

Used for "how long do fostering households keep fostering": a household still
approved at the end of the data is *censored* (we know only that it lasted at
least that long), not counted as a leaver. Households already approved when the
data begin enter the risk set only from the tenure they had then (delayed entry,
or left truncation); counting them from approval would overstate survival,
because households that left before the data began are missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

Z_95 = 1.959963984540054


def kaplan_meier(
    durations: pd.Series | np.ndarray,
    events: pd.Series | np.ndarray,
    entry: pd.Series | np.ndarray | None = None,
    z: float = Z_95,
) -> pd.DataFrame:
    """The Kaplan-Meier estimate at each time an event happens.

    ``durations`` are times from the origin (e.g. approval) to the event or
    censoring; ``events`` is true for an event, false for censored; ``entry`` is
    the time each subject came under observation (0 if omitted). At a tie, events
    are counted before censorings. Returns one row per distinct event time with
    ``at_risk``, ``events``, ``survival``, Greenwood ``se`` and a confidence interval
    on the log(-log) scale (always inside 0-1). A first row at time 0 has survival 1,
    and a last row at the longest follow-up carries the final estimate to it.
    """
    t = np.asarray(durations, dtype=float)
    d = np.asarray(events, dtype=bool)
    e = np.zeros_like(t) if entry is None else np.asarray(entry, dtype=float)
    if len(t) != len(d) or len(t) != len(e):
        raise ValueError("durations, events and entry must have the same length")
    if np.any(e > t):
        raise ValueError("an entry time is after its duration")
    rows = [
        {
            "time": 0.0,
            "at_risk": int(np.sum(e <= 0)),
            "events": 0,
            "survival": 1.0,
            "se": 0.0,
            "lower": 1.0,
            "upper": 1.0,
        }
    ]
    survival, greenwood = 1.0, 0.0
    for time in np.unique(t[d]):
        at_risk = int(np.sum((e < time) & (t >= time)))
        dead = int(np.sum((t == time) & d))
        if at_risk == 0:
            continue
        survival *= 1 - dead / at_risk
        if at_risk > dead:
            greenwood += dead / (at_risk * (at_risk - dead))
        se = survival * np.sqrt(greenwood)
        lower, upper = _loglog_interval(survival, greenwood, z)
        rows.append(
            {
                "time": float(time),
                "at_risk": at_risk,
                "events": dead,
                "survival": survival,
                "se": se,
                "lower": lower,
                "upper": upper,
            }
        )
    last = float(t.max()) if len(t) else 0.0
    if last > rows[-1]["time"]:
        rows.append(
            {
                **rows[-1],
                "time": last,
                "at_risk": int(np.sum((e < last) & (t >= last))),
                "events": 0,
            }
        )
    return pd.DataFrame(rows)


def _loglog_interval(survival: float, greenwood: float, z: float) -> tuple[float, float]:
    """Confidence interval for S on the log(-log S) scale (Kalbfleisch and Prentice)."""
    if survival <= 0 or survival >= 1 or greenwood == 0:
        return survival, survival
    theta = z * np.sqrt(greenwood) / abs(np.log(survival))
    return survival ** np.exp(theta), survival ** np.exp(-theta)


def survival_at(table: pd.DataFrame, times: list[float], longest: float) -> pd.DataFrame:
    """The step function read at ``times``: the last estimate at or before each time.

    ``longest`` is the longest time any subject was followed; a time beyond it is
    reported as missing, since the curve says nothing about it.
    """
    rows = []
    for when in times:
        before = table[table["time"] <= when].iloc[-1]
        known = when <= longest
        rows.append(
            {
                "time": when,
                **{k: before[k] if known else np.nan for k in ("survival", "lower", "upper")},
            }
        )
    return pd.DataFrame(rows)
