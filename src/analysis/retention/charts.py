"""Charts for the retention and capacity appendix; each returns a matplotlib Figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from analysis.retention.schema import INFLUENCE_ORDER

PALETTE = {"up": "#2a7f62", "down": "#b8413b", "total": "#3b5b92", "grey": "#9a9a9a"}
INFLUENCE_COLOURS = dict(zip(INFLUENCE_ORDER, ["#b8413b", "#3b5b92", "#d39b2a"], strict=True))


def _number(value: object) -> float:
    """A count as the page shows it: a number, or NaN where it is withheld ("c")."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float(number)


def waterfall(row: pd.Series, title: str) -> plt.Figure:
    """Households at the start, joiners, leavers, other exits and the end, as a waterfall.

    ``row`` is the year's row of the flows table as the page shows it. While every count
    in it is shown the bars float (each flow starts where the previous one ended); once
    any is withheld the position of a later bar would give it away, so every bar stands on
    zero and a withheld count is an empty slot labelled "c"."""
    value = {c: _number(row[c]) for c in ("start", "joiners", "leavers", "other exits", "end")}
    steps = [("At 1 April", "start", "total"), ("Approved", "joiners", "up")]
    steps.append(("Ceased to foster", "leavers", "down"))
    if value["other exits"] != 0:
        steps.append(("Other exits", "other exits", "down"))
    steps.append(("At 31 March", "end", "total"))
    floating = not any(np.isnan(v) for v in value.values())
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    level = 0.0
    for i, (_label, column, kind) in enumerate(steps):
        size = value[column]
        if np.isnan(size):
            ax.text(i, 2, "c", ha="center", va="bottom", fontsize=9)
            continue
        change = -size if kind == "down" else size
        bottom = 0.0
        if floating and kind != "total":
            bottom = level if change >= 0 else level + change
        ax.bar(i, size, bottom=bottom, color=PALETTE[kind], width=0.6)
        sign = "+" if kind == "up" else "-" if kind == "down" else ""
        ax.text(i, bottom + size + 2, f"{sign}{int(size)}", ha="center", va="bottom", fontsize=9)
        level = size if kind == "total" else level + change
    ax.set_xticks(range(len(steps)), [s[0] for s in steps])
    if floating:
        low = min(value["start"], value["end"]) - value["leavers"] - value["other exits"] - 10
        ax.set_ylim(max(0, low), max(value["start"], value["end"]) + value["joiners"] + 15)
    ax.set_ylabel("Mainstream households")
    ax.set_title(title, loc="left", fontsize=11)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def retention_trend(rates: pd.DataFrame, national: float, council: str) -> plt.Figure:
    """Retention rate by year against the national figure the council quotes.

    ``rates`` is the retention-rate table as the page shows it: a withheld rate is a gap
    in the line. ``council`` is the council's short name, for the legend."""
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    ax.plot(
        rates["year"],
        pd.to_numeric(rates["retention rate %"], errors="coerce"),
        marker="o",
        color=PALETTE["total"],
        label=f"{council} (register)",
    )
    ax.axhline(
        national,
        color=PALETTE["grey"],
        linestyle="--",
        label=f"National figure the council quotes ({national:.0f}%)",
    )
    ax.set_ylim(80, 100)
    ax.set_ylabel("Retention rate %")
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    sns.despine(fig)
    fig.tight_layout()
    return fig


def leavers_by_influence(tenure: pd.DataFrame) -> plt.Figure:
    """Leavers in the year by reason, coloured by whether the service could influence it.

    ``tenure`` is the reasons-and-tenure table as the page shows it: a reason with a
    withheld count is left out."""
    shown = tenure.assign(n=pd.to_numeric(tenure["households"], errors="coerce"))
    counts = (
        shown.groupby(["influence", "reason label"])["n"].sum(min_count=1).dropna().reset_index()
    )
    counts = counts.sort_values(["influence", "n"])
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * max(len(counts), 3) + 1))
    ax.barh(
        counts["reason label"],
        counts["n"],
        color=[INFLUENCE_COLOURS[g] for g in counts["influence"]],
    )
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in INFLUENCE_COLOURS.values()]
    ax.legend(
        handles,
        [g.capitalize() for g in INFLUENCE_COLOURS],
        frameon=False,
        fontsize=8,
        loc="lower right",
    )
    ax.set_xlabel("Households that ceased to foster")
    sns.despine(fig)
    fig.tight_layout()
    return fig


def survival(curves: dict[str, pd.DataFrame], title: str, max_years: float = 10) -> plt.Figure:
    """Kaplan-Meier step curves with 95% bands, one per group."""
    fig, ax = plt.subplots(figsize=(7.5, 4))
    colours = sns.color_palette("colorblind", len(curves))
    for (name, table), colour in zip(curves.items(), colours, strict=True):
        t = table[table["time"] <= max_years]
        if table["time"].max() > max_years:  # followed beyond the axis: carry the step to it
            t = pd.concat([t, t.tail(1).assign(time=max_years)])
        ax.step(t["time"], 100 * t["survival"], where="post", color=colour, label=name)
        ax.fill_between(
            t["time"], 100 * t["lower"], 100 * t["upper"], step="post", color=colour, alpha=0.15
        )
    ax.set_xlim(0, max_years)
    ax.set_ylim(0, 102)
    ax.set_xlabel("Years since approval")
    ax.set_ylabel("% still fostering")
    ax.set_title(title, loc="left", fontsize=11)
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    sns.despine(fig)
    fig.tight_layout()
    return fig


def capacity_trend(trend: pd.DataFrame) -> plt.Figure:
    """Approved mainstream places at each 31 March, split into filled and unoccupied.

    ``trend`` is the capacity table as the page shows it: a withheld part is left out of
    its stack (so no bar's position depends on it) and a withheld occupancy is not written."""
    trend = trend.apply(pd.to_numeric, errors="coerce")
    parts = [
        ("filled places", "Filled", PALETTE["total"]),
        ("vacant places", "Vacant (free to match)", PALETTE["up"]),
        ("unavailable places", "Unavailable (carer choice or matching)", PALETTE["down"]),
        ("on hold or blocked places", "On hold or blocked", "#d39b2a"),
    ]
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    bottom = pd.Series(0, index=trend.index)
    for column, label, colour in parts:
        ax.bar(
            trend["31 March"].astype(str),
            trend[column].fillna(0),
            bottom=bottom,
            label=label,
            color=colour,
            width=0.65,
        )
        bottom = bottom + trend[column].fillna(0)
    for x, (occ, top) in enumerate(zip(trend["occupancy %"], bottom, strict=True)):
        if not np.isnan(occ):
            ax.text(x, top + 4, f"{occ:.1f}%", ha="center", fontsize=8)
    ax.set_ylabel("Approved mainstream places")
    ax.set_xlabel("31 March")
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    sns.despine(fig)
    fig.tight_layout()
    return fig
