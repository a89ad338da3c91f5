"""Charts for the retention and capacity appendix; each returns a matplotlib Figure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from analysis.retention.schema import INFLUENCE_ORDER

PALETTE = {"up": "#2a7f62", "down": "#b8413b", "total": "#3b5b92", "grey": "#9a9a9a"}
INFLUENCE_COLOURS = dict(zip(INFLUENCE_ORDER, ["#b8413b", "#3b5b92", "#d39b2a"], strict=True))


def waterfall(row: pd.Series, title: str) -> plt.Figure:
    """Households at the start, joiners, leavers, other exits and the end, as a waterfall."""
    steps = [
        ("At 1 April", row["start"], "total"),
        ("Approved", row["joiners"], "up"),
        ("Ceased to foster", -row["leavers"], "down"),
    ]
    if row["other exits"]:
        steps.append(("Other exits", -row["other exits"], "down"))
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    level = 0
    for i, (_label, change, kind) in enumerate(steps):
        bottom = 0 if kind == "total" else (level if change >= 0 else level + change)
        ax.bar(i, abs(change), bottom=bottom, color=PALETTE[kind], width=0.6)
        ax.text(
            i,
            bottom + abs(change) + 2,
            f"{'+' if kind == 'up' else ''}{int(change)}",
            ha="center",
            va="bottom",
            fontsize=9,
        )
        level = change if kind == "total" else level + change
    end = len(steps)
    ax.bar(end, row["end"], color=PALETTE["total"], width=0.6)
    ax.text(end, row["end"] + 2, f"{int(row['end'])}", ha="center", va="bottom", fontsize=9)
    ax.set_xticks(range(end + 1), [s[0] for s in steps] + ["At 31 March"])
    low = min(row["start"], row["end"]) - row["leavers"] - row["other exits"] - 10
    ax.set_ylim(max(0, low), max(row["start"], row["end"]) + row["joiners"] + 15)
    ax.set_ylabel("Mainstream households")
    ax.set_title(title, loc="left", fontsize=11)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def retention_trend(flow: pd.DataFrame, national: float, council: str) -> plt.Figure:
    """Retention rate by year against the national figure the council quotes;
    ``council`` is the council's short name, for the legend."""
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    ax.plot(
        flow["year"],
        flow["retention rate %"],
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
    """Approved mainstream places at each 31 March, split into filled and unoccupied."""
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
            trend[column],
            bottom=bottom,
            label=label,
            color=colour,
            width=0.65,
        )
        bottom = bottom + trend[column]
    for x, (occ, total) in enumerate(
        zip(trend["occupancy %"], trend["approved places"], strict=True)
    ):
        ax.text(x, total + 4, f"{occ:.1f}%", ha="center", fontsize=8)
    ax.set_ylabel("Approved mainstream places")
    ax.set_xlabel("31 March")
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1, 1))
    sns.despine(fig)
    fig.tight_layout()
    return fig
