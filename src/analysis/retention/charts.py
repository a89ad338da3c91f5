"""Charts for the retention and capacity appendix; each returns a matplotlib Figure."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from analysis.presentation import estimates
from analysis.presentation.charts import (
    ACTIONABLE,
    COMPARATOR,
    COUNCIL,
    EARLIER,
    EDGE,
    ENGLAND,
    GREEN,
    LOST,
    PURPLE,
    SKY_BLUE,
    YELLOW,
    bars_alt,
    case_light,
    category,
    legend_below,
    legend_right,
    wrapped,
    year,
    years,
)
from analysis.retention import tables as t
from analysis.retention.schema import INFLUENCE_ORDER

# The shared vocabulary: the council's households in its colour, joiners a category colour,
# leavers the colour of households lost; a reason the service could act on orange, one it
# could not grey ("other"), quality of care or safeguarding a category colour.
PALETTE = {"up": GREEN, "down": LOST, "total": COUNCIL}
INFLUENCE_COLOURS = dict(zip(INFLUENCE_ORDER, [ACTIONABLE, EARLIER, PURPLE], strict=True))


def _number(value: object) -> float:
    """A count as the page shows it: a number, or NaN where it is withheld ("c")."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return float(number)


def waterfall(row: pd.Series, title: str) -> plt.Figure:
    """Households at the start, joiners, leavers, other exits and the end, as a waterfall.

    ``row`` is the year's row of the flows table as the page shows it. While every count
    in it is shown the bars float (each flow starts where the previous one ended); once
    any is withheld the position of a later bar would give it away, so every bar stands on
    zero and a withheld count is an empty slot labelled "c". The axis starts at 0."""
    value = {c: _number(row[label]) for c, label in t.FLOW.items()}
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
    ax.set_ylim(0, ax.get_ylim()[1] * 1.05)  # from 0: no cut axis, room above the labels
    ax.set_ylabel("Mainstream households")
    ax.set_title(title, loc="left", fontsize=11)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def retention_trend(
    rates: pd.DataFrame,
    national: float | None,
    council: str,
    when: str = "",
    national_year: str | None = None,
) -> plt.Figure:
    """Retention rate by year against the national figure the council quotes (None: the
    council declares none, and the line is drawn alone).

    ``rates`` is the retention-rate table as the page shows it: a withheld rate is a gap
    in the line. ``council`` is the council's short name, for the legend; ``when`` the
    national figure's year as the page says it ("the nearest figure, for 2022/23 ...").
    The national figure is one year's: drawn as a point at ``national_year`` where that
    year is on the axis (not as a line across years it was never measured for), else as
    a dashed level."""
    labels = years(rates[t.YEAR])
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    ax.plot(
        labels,
        pd.to_numeric(rates[t.RATE], errors="coerce"),
        marker="o",
        color=COUNCIL,
        label=f"{council} (register)",
    )
    if national is not None:
        label = f"National figure the council quotes ({national:.0f}%" + (
            f", {when})" if when else ")"
        )
        at = year(national_year) if national_year else None
        if at in labels:
            ax.plot([at], [national], marker="D", markersize=8, linestyle="none",
                    color=ENGLAND, label=label)  # fmt: skip
        else:
            ax.axhline(national, color=ENGLAND, linestyle="--", label=label)
    ax.set_ylim(0, 100)  # from zero, so a change of a few points is not drawn as a cliff
    ax.set_ylabel("Retention rate %")
    ax.set_xlabel("Financial year")
    legend_below(ax, fontsize=9, ncol=1)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def leavers_by_influence(tenure: pd.DataFrame) -> plt.Figure:
    """Leavers in the year by reason, coloured by whether the service could influence it.

    ``tenure`` is the reasons-and-tenure table as the page shows it: a reason with a
    withheld count is left out."""
    shown = tenure.assign(
        n=pd.to_numeric(tenure[t.TENURE_TOTAL], errors="coerce"),
        influence=tenure[t.INFLUENCE].str.lower(),
    )
    counts = shown.groupby(["influence", t.REASON])["n"].sum(min_count=1).dropna().reset_index()
    counts = counts.sort_values(["influence", "n"])
    labels = wrapped(counts[t.REASON])
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    fig, ax = plt.subplots(figsize=(7.5, (0.25 + 0.2 * lines) * max(len(counts), 3) + 1))
    ax.barh(
        labels,
        counts["n"],
        color=[INFLUENCE_COLOURS[g] for g in counts["influence"]],
        edgecolor=EDGE,
        linewidth=0.6,
    )
    ax.set_xlabel("Households that ceased to foster")
    if counts.empty:  # every count withheld: say so rather than draw empty axes
        ax.set_axis_off()
        ax.text(0.5, 0.5, "The register's counts by reason are withheld on this page:\n"
                "the council's printed counts are in the table of reasons above", ha="center",
                va="center", transform=ax.transAxes, fontsize=10)  # fmt: skip
    else:
        handles = [plt.Rectangle((0, 0), 1, 1, facecolor=c, edgecolor=EDGE, linewidth=0.6)
                   for c in INFLUENCE_COLOURS.values()]  # fmt: skip
        labels = [g.capitalize() for g in INFLUENCE_COLOURS]
        legend_below(ax, handles, labels, fontsize=9, ncol=1)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def influence_chart(influence: pd.DataFrame) -> plt.Figure:
    """The year's leavers by whether the service could influence the reason, a bar each,
    labelled with its count; ``influence`` is that table as the page shows it (a withheld
    count has no bar and is marked c)."""
    n = pd.to_numeric(influence[t.HOUSEHOLDS], errors="coerce")
    colours = [INFLUENCE_COLOURS[g] for g in influence[t.INFLUENCE].str.lower()]
    rows = np.arange(len(influence))
    drawn = n.notna().to_numpy()
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(influence) + 1.2))
    ax.barh(rows[drawn], n[drawn], color=np.array(colours)[drawn], edgecolor=EDGE, linewidth=0.6)
    for y, value in zip(rows, n, strict=True):
        said = " c" if pd.isna(value) else f" {value:,.0f}"
        ax.text(0 if pd.isna(value) else value, y, said, va="center", fontsize=9)
    ax.set_yticks(rows, influence[t.INFLUENCE])
    ax.invert_yaxis()
    ax.set_xlim(0, (n.max() if n.notna().any() else 1) * 1.15)
    ax.set_xlabel("Households that ceased to foster")
    sns.despine(fig)
    fig.tight_layout()
    return fig


def influence_alt(influence: pd.DataFrame) -> str:
    """Text alternative for :func:`influence_chart`, from the table as the page shows it."""
    parts = [f"{r[t.INFLUENCE].lower()} {_count(r[t.HOUSEHOLDS])}" for _, r in influence.iterrows()]
    return (
        "Bar chart of the households that ceased to foster in the year, by whether the "
        "service could influence the reason (a withheld count has no bar and is marked c): "
        + "; ".join(parts)
        + "."
    )


def influence_title(influence: pd.DataFrame, year_label: str) -> str:
    """How many of the year's leavers left for reasons the service could (else could not)
    influence: "9 of the 22 households that ceased to foster in 2024/25 left for reasons
    the service could influence". A withheld count is never stated."""
    n = pd.to_numeric(influence[t.HOUSEHOLDS], errors="coerce")
    groups = influence[t.INFLUENCE].str.lower()
    total = f" of the {n.sum():,.0f}" if n.notna().all() else ""
    for group in INFLUENCE_ORDER[:2]:  # could influence, could not influence
        count = n[groups.eq(group)].dropna()
        if len(count):
            return (
                f"{count.iloc[0]:,.0f}{total} households that ceased to foster in "
                f"{year(year_label)} left for reasons the service {group}"
            )
    return (
        f"Households that ceased to foster in {year(year_label)}, by whether the service could "
        "influence the reason"
    )


LINE_STYLES = ["-", "--", ":", "-."]


def _estimate(text: object) -> tuple[float, float, float] | None:
    """A still-fostering table's share that left, as the page shows it, read back as the
    % still fostering with its 95% interval; None where the page gives no number
    (withheld "c" or "no estimate")."""
    text = str(text)
    if estimates.is_zero(text):  # none left: drawn at 100 with no band (its bound is one-sided)
        return 100.0, 100.0, 100.0
    found = re.fullmatch(r"([\d.]+) \(([\d.]+) to ([\d.]+)\)", text)
    if found is None:
        return None
    left, low, high = (float(v) for v in found.groups())
    return 100 - left, 100 - high, 100 - low


def survival(
    still: pd.DataFrame,
    title: str,
    at_risk: pd.DataFrame,
    max_years: float = 10,
) -> plt.Figure:
    """The share still fostering at approval and at 1, 3 and 5 years, one line per group
    with its 95% intervals, drawn from the still-fostering table as the page shows it, and
    the number at risk beneath at each column of ``at_risk`` (as shown: "c" where withheld).

    Only the page's own estimates are drawn, never the Kaplan-Meier steps between them:
    each step is a count of households leaving (often 1), and a drawn curve would give
    away a share the table withholds. A withheld estimate is left out and marked "c";
    the line is broken there rather than drawn across it, and a group with no estimate
    after approval keeps only its key."""
    fig, (ax, below) = plt.subplots(2, 1, figsize=(8.5, 4.6), height_ratios=[4, 1.1], sharex=True)
    colours = [category(k)[0] for k in range(len(at_risk))]
    columns = [c for c in at_risk.columns if c.startswith("At ")]
    times = [float(c.split()[1]) for c in columns]
    estimates = still.set_index(t.GROUP)
    shift = 0.12
    drawn = []
    withheld = False  # a withheld estimate is left out, said under the chart (no "c" in the
    # data area, where a letter near 0% reads as a value: issue 13's review)
    for k, (_, row) in enumerate(at_risk.iterrows()):
        name, colour, style = row[t.GROUP], colours[k], LINE_STYLES[k % len(LINE_STYLES)]
        offset = (k - (len(at_risk) - 1) / 2) * shift  # groups side by side at each time
        if name in estimates.index:
            points = [(0.0, (100.0, 100.0, 100.0))] + [
                (float(n), _estimate(estimates.at[name, t.left_share(n)]))
                for n in t.SURVIVAL_TIMES
                if t.left_share(n) in estimates.columns
            ]
            runs: list[list[tuple[float, tuple[float, float, float]]]] = [[]]
            for when, value in points:
                if value is None:
                    withheld |= str(estimates.at[name, t.left_share(int(when))]) == "c"
                    runs.append([])
                else:
                    runs[-1].append((when, value))
            labelled = False
            for run in (r for r in runs if r and r[-1][0] > 0):  # not approval alone
                x = [when + offset for when, _ in run]
                y = [value[0] for _, value in run]
                ax.plot(
                    x,
                    y,
                    color=colour,
                    ls=style,
                    marker="o",
                    ms=4,
                    label=None if labelled else year(name),
                )
                labelled = True
                low = [value[0] - value[1] for _, value in run]
                high = [value[2] - value[0] for _, value in run]
                ax.errorbar(x, y, yerr=[low, high], fmt="none", ecolor=colour, capsize=3, lw=1)
            if not labelled:  # nothing the page shows to draw: its key says why
                said = [str(estimates.at[name, t.left_share(n)]) for n in t.SURVIVAL_TIMES
                        if t.left_share(n) in estimates.columns]  # fmt: skip
                why = "withheld" if "c" in said else t.NO_ESTIMATE  # red team 20
                ax.plot([], [], color=colour, ls=style, marker="o", ms=4,
                        label=f"{year(name)}: {why}")  # fmt: skip
        drawn.append((name, colour))
        for when, column in zip(times, columns, strict=True):
            below.text(
                when,
                len(at_risk) - 1 - k,
                str(row[column]),
                ha="center",
                va="center",
                fontsize=9,
                color=EDGE,  # text in an image needs 4.5:1 (WCAG 1.4.3): the row names the group
            )
    case_light(fig)  # before the legend copies the lines
    ax.set_xlim(-0.5, max_years + 0.3)
    ax.set_ylim(0, 102)
    ax.set_ylabel("% still fostering")
    ax.set_title(title, loc="left", fontsize=11)
    legend_right(ax, fontsize=9)
    below.set_ylim(-0.6, len(at_risk) - 0.4)
    below.set_yticks(range(len(at_risk)), years([n for n, _ in drawn][::-1]), fontsize=8)
    below.set_xticks(times, [f"{t:g}" for t in times])
    below.set_xlabel(
        "Years since approval\n(numbers: households still observed, at risk"
        + ("; a withheld estimate is left out)" if withheld else ")"),
        fontsize=9,
    )
    below.tick_params(left=False)
    sns.despine(fig)
    sns.despine(ax=below, left=True)
    fig.tight_layout()
    return fig


def leaving_rate(table: pd.DataFrame) -> plt.Figure:
    """Leaving rate per 100 household-years by year of service, from the life table as the
    page shows it; a withheld rate has no bar and is marked "c"."""
    rate = pd.to_numeric(table[t.LIFE["leaving rate per 100 household-years"]], errors="coerce")
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    labels = [
        y.replace(" years or more", "+").replace(" years", "").replace(" to ", "-")
        for y in table[t.LIFE["year of service"]]
    ]
    ax.bar(labels, rate.fillna(0), color=COUNCIL, width=0.65)
    for x, value in enumerate(rate):
        text = "c" if np.isnan(value) else f"{value:.1f}"
        ax.text(x, (0 if np.isnan(value) else value) + 0.3, text, ha="center", fontsize=8)
    # room for the labels, and an axis even where every rate is withheld (all "c")
    top = float(rate.max()) if rate.notna().any() else 0.0
    ax.set_ylim(0, max(top * 1.15 + 0.6, 1.0))
    ax.set_xlabel("Year of service (years since approval)")
    ax.set_ylabel("Leavers per 100 household-years")
    sns.despine(fig)
    fig.tight_layout()
    return fig


def outlook(
    history: pd.DataFrame,
    projected: pd.DataFrame,
    measure: str,
    lines: dict[str, float],
) -> plt.Figure:
    """Observed ``measure`` at each 31 March (``history``: rows of the capacity table as the
    page shows it), then the simulated median with its 95%
    interval, with horizontal reference ``lines`` (label -> level: the council's target,
    the children in foster care) in distinct styles."""
    shown = pd.to_numeric(history[t.CAPACITY[measure]], errors="coerce")
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    ax.plot(
        history[t.DAY],
        shown,
        color=COUNCIL,
        marker="o",
        label=f"{measure.capitalize()} (register)",
    )
    last = shown.iloc[-1]
    years = [history[t.DAY].iloc[-1], *projected["31 March"]]
    median = [last, *projected[f"{measure} (median)"]]
    bounds = projected[f"{measure} 95% interval"].str.replace(",", "").str.split(" to ")
    low = [last, *[float(b[0]) for b in bounds]]
    high = [last, *[float(b[1]) for b in bounds]]
    ax.plot(
        years,
        median,
        color=COUNCIL,
        ls="--",
        marker="o",
        mfc="white",
        markevery=list(range(1, len(years))),  # the last 31 March is the register's point
        label="Projection (median of simulations)",
    )
    ax.fill_between(years, low, high, color=COUNCIL, alpha=0.15, label="95% of simulated futures")
    for (label, level), (colour, style) in zip(
        lines.items(), [(COMPARATOR, "-."), (COMPARATOR, ":")], strict=False
    ):
        ax.axhline(level, color=colour, ls=style, lw=1.5, label=label)
    ax.set_xticks(list(history[t.DAY]) + years[1:])
    ax.set_xlabel("31 March")
    ax.set_ylabel(measure.capitalize())
    ax.set_ylim(0, np.nanmax([*high, *lines.values(), *shown]) * 1.1)
    legend_below(ax, fontsize=9, ncol=2)
    sns.despine(fig)
    fig.tight_layout()
    return fig


OCCUPANCY_KEY = "% above a bar: occupancy\n(filled as a % of approved)"


def capacity_trend(trend: pd.DataFrame) -> plt.Figure:
    """Approved mainstream places at each 31 March, split into filled and unoccupied.

    ``trend`` is the capacity table as the page shows it: a withheld part is left out of
    its stack (so no bar's position depends on it) and a withheld occupancy is not written;
    the legend says what the percentages above the bars are."""
    trend = trend.apply(pd.to_numeric, errors="coerce")
    parts = [
        (t.CAPACITY["filled places"], "Filled", GREEN),
        (t.CAPACITY["vacant places"], "Vacant (free to match)", SKY_BLUE),
        (t.CAPACITY["unavailable places"], "Unavailable (carer choice or matching)", PURPLE),
        (t.CAPACITY["on hold or blocked places"], "On hold or blocked", YELLOW),
    ]
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    bottom = pd.Series(0, index=trend.index)
    for column, label, colour in parts:
        ax.bar(
            trend[t.DAY].astype(str),
            trend[column].fillna(0),
            bottom=bottom,
            label=label,
            color=colour,
            edgecolor=EDGE,
            linewidth=0.6,
            width=0.65,
        )
        bottom = bottom + trend[column].fillna(0)
    occupancy = trend[t.CAPACITY["occupancy %"]]
    for x, (occ, top) in enumerate(zip(occupancy, bottom, strict=True)):
        if not np.isnan(occ):
            ax.text(x, top + 4, f"{occ:.1f}%", ha="center", fontsize=8)
    if occupancy.notna().any():  # review 16: the labels' key, in the legend
        ax.plot([], [], " ", label=OCCUPANCY_KEY)
    ax.set_ylabel("Approved mainstream places")
    ax.set_xlabel("31 March")
    legend_right(ax, fontsize=9)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def _left(value: object) -> str:
    """A still-fostering table's share that left, as a text alternative says it."""
    text = str(value)
    if text == "c":
        return "withheld"
    if text == t.NO_ESTIMATE:
        return "no estimate"
    if estimates.is_zero(text):
        return estimates.said(text)
    return f"{text.split()[0]}%"


def survival_alt(still: pd.DataFrame, caption: str) -> str:
    """Text alternative for :func:`survival`, from the still-fostering table as shown."""
    columns = [t.left_share(n) for n in t.SURVIVAL_TIMES if t.left_share(n) in still]
    parts = [
        f"{year(row[t.GROUP])}: " + ", ".join(_left(row[c]) for c in columns)
        for _, row in still.iterrows()
    ]
    return (
        f"Line chart, {caption.lower()}: the estimated share still fostering (0 to 100%) at "
        "approval and 1, 3 and 5 years after, one line per group with its 95% intervals, and "
        "the households observed beneath at 0, 1, 3, 5 and 10 years. Estimated share that "
        "left within 1, 3 and 5 years: " + "; ".join(parts) + "."
    )


def leaving_rate_alt(table: pd.DataFrame) -> str:
    """Text alternative for :func:`leaving_rate`, from the life table as shown."""
    rate = pd.to_numeric(table[t.LIFE["leaving rate per 100 household-years"]], errors="coerce")
    shown = rate.dropna()
    if shown.empty:
        return "Bar chart of leavers per 100 household-years by year of service: all withheld."
    high, low = shown.idxmax(), shown.idxmin()
    name = table[t.LIFE["year of service"]]
    return (
        "Bar chart of leavers per 100 household-years by year of service, from 0-1 years to "
        f"{name.iloc[-1]}. Highest: {shown[high]:.1f} in {name[high]}; lowest: "
        f"{shown[low]:.1f} in {name[low]}; first year: "
        + ("withheld" if np.isnan(rate.iloc[0]) else f"{rate.iloc[0]:.1f}")
        + "."
    )


def outlook_alt(projected: pd.DataFrame, measure: str, lines: dict[str, float]) -> str:
    """Text alternative for :func:`outlook`, from the projection and its reference lines."""
    last = projected.iloc[-1]
    refs = "; ".join(f"{label}: {level:,.0f}" for label, level in lines.items())
    return (
        f"Line chart of {measure} at 31 March: the register's recent figures, then the "
        f"projection to {last['31 March']}, a median of {last[f'{measure} (median)']:,.0f} "
        f"(95% of simulations {last[f'{measure} 95% interval']})."
        + (f" Horizontal lines: {refs}." if refs else "")
    )


def _count(value: object) -> str:
    """A count as shown for a text alternative: the number, or "withheld"."""
    number = _number(value)
    return "withheld" if np.isnan(number) else f"{number:,.0f}"


def waterfall_alt(row: pd.Series, year_label: str) -> str:
    """Text alternative for :func:`waterfall`, from the year's row of the flows table as
    shown (a withheld count is said to be withheld)."""
    flow = {c: row[label] for c, label in t.FLOW.items()}
    other = _number(flow["other exits"])
    return (
        f"Waterfall chart of mainstream households in {year(year_label)}: "
        f"{_count(flow['start'])} at 1 April, {_count(flow['joiners'])} approved, "
        f"{_count(flow['leavers'])} ceased to foster"
        + ("" if other == 0 else f", {_count(flow['other exits'])} other exits")
        + f", {_count(flow['end'])} at 31 March."
    )


def retention_trend_alt(
    rates: pd.DataFrame, national: float | None, council: str, when: str = ""
) -> str:
    """Text alternative for :func:`retention_trend`, from the retention-rate table as shown."""
    parts = [f"{year(r[t.YEAR])} {_rate(r[t.RATE])}" for _, r in rates.iterrows()]
    dated = f", {when}" if when else ""
    against = (
        ""
        if national is None
        else f" The national figure the council quotes, a point at its year: {national:.0f}%"
        f"{dated}."
    )
    return f"Line chart of {council}'s retention rate by year: " + ", ".join(parts) + "." + against


def _rate(value: object) -> str:
    number = _number(value)
    return "withheld" if np.isnan(number) else f"{number:.1f}%"


def leavers_by_influence_alt(tenure: pd.DataFrame) -> str:
    """Text alternative for :func:`leavers_by_influence`, from the tenure table as shown."""
    return bars_alt(
        tenure,
        t.TENURE_TOTAL,
        lambda r, n: f"{r[t.REASON]} {n:,.0f} ({r[t.INFLUENCE].lower()})",
        "Bar chart of households that ceased to foster in the year by reason, coloured by "
        "whether the service could influence it: ",
        empty="no reason with a count that can be shown",
        withheld="Reasons with a withheld count ({n}) are not drawn.",
    )


def capacity_alt(trend: pd.DataFrame) -> str:
    """Text alternative for :func:`capacity_trend`, from the capacity table as shown."""
    first, last = trend.iloc[0], trend.iloc[-1]
    dates = trend[t.DAY].astype(str)
    approved, filled, occupancy = (
        t.CAPACITY[c] for c in ("approved places", "filled places", "occupancy %")
    )
    earliest = (
        ""
        if len(trend) == 1
        else f"At 31 March {dates.iloc[0]}: {_count(first[approved])} places, occupancy "
        f"{_rate(first[occupancy])}; at"
    )
    return (
        "Stacked bar chart of approved mainstream places at each 31 March, split into filled, "
        f"vacant, unavailable and on hold. {earliest or 'At'} 31 March {dates.iloc[-1]}: "
        f"{_count(last[approved])} places, {_count(last[filled])} filled, occupancy "
        f"{_rate(last[occupancy])}."
    )


# -- titles that state each chart's finding, from the tables as the page shows them ------


def waterfall_title(row: pd.Series, year_label: str) -> str:
    """The year's change in mainstream households: "Mainstream households fell from 205 to
    191 in 2024/25: 20 approved, 22 ceased to foster, 12 other exits" (no other exits, none
    said). A withheld count is left out."""
    flow = {c: _number(row[label]) for c, label in t.FLOW.items()}
    start, end = flow["start"], flow["end"]
    if np.isnan(start) or np.isnan(end):
        return f"Mainstream fostering households from 1 April to 31 March, {year(year_label)}"
    moved = (
        f"stayed at {end:,.0f}"
        if start == end
        else f"{'rose' if end > start else 'fell'} from {start:,.0f} to {end:,.0f}"
    )
    parts = [
        f"{flow[c]:,.0f} {what}"
        for c, what in (
            ("joiners", "approved"),
            ("leavers", "ceased to foster"),
            ("other exits", "other exits"),
        )
        if not np.isnan(flow[c]) and (flow[c] or c != "other exits")
    ]
    return f"Mainstream households {moved} in {year(year_label)}" + (
        ": " + ", ".join(parts) if parts else ""
    )


def retention_trend_title(rates: pd.DataFrame, national: float | None, year_label: str) -> str:
    """The year's retention rate and its change on last year: "Retention was 89.3% in
    2024/25, down from 92.2% in 2023/24" (the rate alone where last year's is not shown).
    Not a finding against the national figure the council quotes: one all-sector figure of
    another year (review 16); the chart draws it as a point at its year."""
    shown = {str(r[t.YEAR]): _number(r[t.RATE]) for _, r in rates.iterrows()}
    rate = shown.get(str(year_label), float("nan"))
    if np.isnan(rate):
        return "Retention rate by year" + (
            "" if national is None else ", with the national figure the council quotes"
        )
    title = f"Retention was {rate:.1f}% in {year(year_label)}"
    years = list(shown)
    before = years[years.index(str(year_label)) - 1] if years.index(str(year_label)) else None
    was = float("nan") if before is None else shown[before]
    if np.isnan(was):
        return title
    side = "up from" if rate > was else "down from" if rate < was else "unchanged from"
    return f"{title}, {side} {was:.1f}% in {year(before)}"
