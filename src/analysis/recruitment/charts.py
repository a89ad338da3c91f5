"""Charts for the recruitment appendix. Each takes a table as the page shows it
(``Appendix.shown``) and returns a Figure; values the page withholds ("c") are not drawn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.presentation.charts import (
    ACTIONABLE,
    ALL_WITHHELD,
    COMPARATOR,
    COUNCIL,
    EARLIER,
    EDGE,
    PURPLE,
    SELECTED,
    SKY_BLUE,
    STAGE_STYLES,
    STANDING_STYLES,
    WITHHELD,
    WITHHELD_LABEL,
    case_light,
    category,
    encodes,
    legend_below,
    legend_right,
    mark_withheld,
    span,
    with_withheld,
    wrapped,
    year,
    years,
)
from analysis.recruitment.measures import (
    COHORT_COLUMNS,
    EIGHT_MONTHS_DAYS,
    EVENT_COLUMNS,
    INTERVALS,
)
from analysis.recruitment.schema import CODES, STAGE_LABELS

EVENT_STAGES = {label: stage for stage, label in EVENT_COLUMNS.items()}
STANDINGS = {label: standing for standing, label in COHORT_COLUMNS.items()}

AVOIDABLE, OTHER = ACTIONABLE, EARLIER  # the shared vocabulary: "other" is grey


def _numbers(shown: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``shown`` (a table as the page shows it) with withheld values ("c") as missing."""
    out = shown.copy()
    for column in columns:
        out[column] = pd.to_numeric(out[column], errors="coerce")
    return out


def _said(value: object, fmt: str = "{:,.0f}", missing: str = "withheld") -> str:
    """A shown figure for a text alternative: the number, else ``missing`` (a withheld
    "c", or a figure not recorded)."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return missing if pd.isna(number) else fmt.format(number)


def _any_c(table: pd.DataFrame) -> bool:
    """Whether the table as shown withholds any cell."""
    return bool(table.astype(str).eq("c").any().any())


NOT_RECORDED = "not recorded"  # the events table's word for a stage a year did not record


def funnel_over_time(events: pd.DataFrame) -> plt.Figure:
    """Events per year at each stage as bars, on two linear panels: enquiries (ten times
    the rest) on their own, the later stages together. ``events`` is the events-by-year
    table as the page shows it: a withheld count has no bar and is marked "c"; a stage a
    year did not record has no bar and says "not recorded"."""
    stages = [c for c in events.columns if c != "Year"]
    first, rest = stages[0], stages[1:]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), width_ratios=[1, 1.8])
    x = np.arange(len(events))
    for ax, columns, title in ((axes[0], [first], first), (axes[1], rest, "Later stages")):
        width = 0.8 / len(columns)
        drawn = events[columns].apply(pd.to_numeric, errors="coerce")
        top = max(float(drawn.max().max()) if drawn.notna().any().any() else 0.0, 1.0)
        for i, column in enumerate(columns):
            values = pd.to_numeric(events[column], errors="coerce")
            where = x - 0.4 + width * (i + 0.5)
            colour, hatch, _ = STAGE_STYLES[EVENT_STAGES[column]]  # as on every page
            ax.bar(where, values.fillna(0), width=width, color=colour, label=column,
                   hatch=hatch, edgecolor=EDGE, linewidth=0.6)  # fmt: skip
            for at, shown in zip(where, events[column], strict=True):
                if str(shown) == "c":
                    ax.text(at, top * 0.01, "c", ha="center", va="bottom", fontsize=7)
                elif str(shown) == NOT_RECORDED:  # review 16: a gap said, not left blank
                    ax.text(at, top * 0.01, NOT_RECORDED, ha="center", va="bottom",
                            fontsize=7, rotation=90)  # fmt: skip
        ax.set_title(title, fontsize=11)
        ax.set_xticks(x, list(events["Year"]), rotation=45)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("Financial year")
    axes[0].set_ylabel("Households")
    legend_below(axes[1], ncol=3, fontsize=9)
    fig.tight_layout()
    return fig


def funnel_over_time_alt(events: pd.DataFrame) -> str:
    """Text alternative for :func:`funnel_over_time`: each stage's first and last year,
    from the table as the page shows it."""
    first, last = events.iloc[0], events.iloc[-1]
    stages = [c for c in events.columns if c != "Year"]

    def said(value: object) -> str:
        return NOT_RECORDED if str(value) == NOT_RECORDED else _said(value)

    one = len(events) == 1
    parts = [
        f"{s.lower()} {said(last[s])}"
        if one
        else f"{s.lower()} {said(first[s])} in {first['Year']} and {said(last[s])} in "
        f"{last['Year']}"
        for s in stages
    ]
    return (
        f"Bar charts of events at each stage by financial year, {span(events['Year'])}, "
        "enquiries in the left panel and the later stages in the right (a withheld count has "
        "no bar and is marked c"
        + (
            ", and a stage not recorded has none and says so"
            if any(str(v) == NOT_RECORDED for s in stages for v in events[s])
            else ""
        )
        + "): "
        + "; ".join(parts)
        + "."
    )


def cohort_status(cohorts: pd.DataFrame, status_columns: Sequence[str]) -> plt.Figure:
    """Where each enquiry cohort stands, as shares of its enquiries (stacked bars)."""
    shown = _numbers(cohorts, [*status_columns, "Enquiries"]).set_index("Enquiry year")
    shown.index = years(shown.index)
    shares = with_withheld(100 * shown[list(status_columns)].div(shown["Enquiries"], axis=0))
    fig, ax = plt.subplots(figsize=(9, 3.8))
    styles = [STANDING_STYLES[STANDINGS[c]] for c in status_columns]  # as on every page
    styles += [WITHHELD] if WITHHELD_LABEL in shares else []
    shares.plot.barh(stacked=True, ax=ax, color=[c for c, _ in styles], width=0.7,
                              edgecolor=EDGE, linewidth=0.6)  # fmt: skip
    for container, (_, hatch) in zip(ax.containers, styles, strict=True):
        for bar in container:
            bar.set_hatch(hatch)
    empty = shares.isna().all(axis=1)
    mark_withheld(ax, range(len(shares)), shares.sum(axis=1).where(~empty), True, ALL_WITHHELD)
    ax.set_xlabel("% of the year's enquiries")
    ax.set_ylabel("")
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    legend_right(ax)
    fig.tight_layout()
    return fig


def cohort_status_alt(cohorts: pd.DataFrame) -> str:
    """Text alternative for :func:`cohort_status`, from the cohorts table as shown."""

    def approved(r: pd.Series) -> str:
        share = _said(r["Approved (%)"], "{:.1f}%", "")
        return _said(r["Approved"]) + (f" ({share})" if share else "")

    parts = [
        f"{year(r['Enquiry year'])}: {_said(r['Enquiries'])} enquiries, approved "
        f"{approved(r)}, still in progress {_said(r['Still in progress'])}"
        for _, r in cohorts.iterrows()
    ]
    return (
        "Stacked bar chart, one bar per enquiry year, of where each year's enquirers stand "
        "as a share of its enquiries; most left after enquiry"
        + (
            "; the withheld parts of a bar are one hatched segment together"
            if _any_c(cohorts)
            else ""
        )
        + ". "
        + "; ".join(parts)
        + "."
    )


# Each step's marker, by the stage it leaves, the same on every page (a lone point between
# withheld years shows no line style): the stage's colour and line, and this marker.
STEP_MARKERS = {"enquiry": "o", "eoi": "s", "stage1": "^", "stage2": "D", "panel": "v"}


def conversion_over_time(conversion: pd.DataFrame) -> plt.Figure:
    """Share moving on from each stage to the next, by the year the stage was entered.

    A step is drawn in the style of the stage it leaves (:data:`STAGE_STYLES`), with a
    marker of its own, since a year between withheld ones is a lone point whose line style
    cannot show. Every year of the table is on the axis; a year with withheld shares says
    how many under its label."""
    shown = _numbers(conversion, ["Entered", "Moved on", "Moved on (%)"])
    shown["Step"] = shown["From"] + " to " + shown["To"].str.lower()
    shown["Year"] = years(shown["Year"])
    steps = list(dict.fromkeys(shown["Step"]))
    labels = list(dict.fromkeys(shown["Year"]))
    stages = {label: stage for stage, label in STAGE_LABELS.items()}
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for i, step in enumerate(steps):
        rows = shown[shown["Step"] == step]
        start = stages.get(rows["From"].iloc[0])
        colour, _, dash = STAGE_STYLES[start] if start else (category(i)[0], "", "-")
        ax.plot([labels.index(y) for y in rows["Year"]], rows["Moved on (%)"], color=colour,
                linestyle=dash, marker=STEP_MARKERS.get(start, "P"), markersize=7,
                markeredgecolor=EDGE, label=step)  # fmt: skip
    missing = shown.groupby("Year", sort=False)["Moved on (%)"].apply(lambda v: v.isna().sum())
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels([y + _withheld_tick(missing[y], len(steps)) for y in labels])
    ax.set_xlim(-0.4, len(labels) - 0.6)
    ax.set_ylim(0, 105)
    ax.set_ylabel("% moved on to the next stage")
    ax.set_xlabel("Year the stage was entered")
    case_light(fig)  # before the legend copies the lines
    legend_right(ax, title=None)
    fig.tight_layout()
    return fig


def _withheld_tick(withheld: int, of: int) -> str:
    """What a year's axis label adds when some of its points are withheld ("c")."""
    if not withheld:
        return ""
    return "\nall withheld (c)" if withheld == of else f"\n{withheld} of {of}\nwithheld (c)"


def conversion_alt(conversion: pd.DataFrame) -> str:
    """Text alternative for :func:`conversion_over_time`: each step's share in each year."""
    parts = []
    for (start, end), rows in conversion.groupby(["From", "To"], sort=False):
        values = ", ".join(
            f"{_said(r['Moved on (%)'], '{:.1f}%')} in {year(r['Year'])}"
            for _, r in rows.iterrows()
        )
        parts.append(f"{start} to {end.lower()}: {values}")
    return (
        "Line chart of the share of households moving on to the next stage, by the year the "
        "stage was entered, one line per step. " + "; ".join(parts) + "."
    )


def reasons_chart(reasons: pd.DataFrame) -> plt.Figure:
    """Households leaving by stage and reason on a linear axis, each bar labelled with its
    count; reasons the service can act on in orange (outlined), the others in grey."""
    shown = _numbers(reasons, ["Households"]).dropna(subset=["Households"])
    # labels wrapped, so that long reasons do not squeeze the bars into a sliver
    labels = wrapped(shown["Stage left"] + ": " + shown["Reason"])
    shown = shown.assign(label=labels).sort_values("Households", ascending=True)
    lines = max((label.count("\n") + 1 for label in shown["label"]), default=1)
    fig, ax = plt.subplots(figsize=(9, max(3, (0.2 + 0.2 * lines) * len(shown) + 1.5)))
    colours = [AVOIDABLE if a == "yes" else OTHER for a in shown["Avoidable"]]
    ax.barh(shown["label"], shown["Households"], color=colours, edgecolor=EDGE, linewidth=0.6)
    for y, value in enumerate(shown["Households"]):
        ax.text(value, y, f" {value:,.0f}", va="center", fontsize=8)
    ax.set_xlim(0, shown["Households"].max() * 1.12 if len(shown) else 1)
    ax.set_xlabel("Households leaving in the year")
    handles = [plt.Rectangle((0, 0), 1, 1, facecolor=c, edgecolor=EDGE, linewidth=0.6)
               for c in (AVOIDABLE, OTHER)]  # fmt: skip
    legend_below(ax, handles, ["Service can act on it", "Other reasons"])
    fig.tight_layout()
    return fig


def reasons_alt(reasons: pd.DataFrame) -> str:
    """Text alternative for :func:`reasons_chart`, from the reasons table as shown."""
    shown = _numbers(reasons, ["Households"])
    drawn = shown.dropna(subset=["Households"]).sort_values("Households", ascending=False)
    top = "; ".join(
        f"{r['Stage left'].lower()}, {r['Reason'].lower()}: {r['Households']:,.0f}"
        for _, r in drawn.head(3).iterrows()
    )
    acted = drawn[drawn["Avoidable"] == "yes"]
    hidden = shown[shown["Households"].isna() & (shown["Avoidable"] == "yes")]
    withheld = len(shown) - len(drawn)
    return (
        f"Bar chart of households leaving in the year by stage and reason, {len(drawn)} "
        f"reasons drawn. Largest: {top}. Reasons the service can act on (orange): "
        f"{len(acted)} drawn, {acted['Households'].sum():,.0f} households in all"
        + (f", and {len(hidden)} with a withheld count" if len(hidden) else "")
        + "."
        + (f" Reasons with a withheld count ({withheld}) are not drawn." if withheld else "")
    )


APPLICATION_TO_APPROVAL = INTERVALS[5][0]
EIGHT_MONTHS_LABEL = f"Statutory guidance: about 8 months ({EIGHT_MONTHS_DAYS} days)"


def durations_chart(durations: pd.DataFrame) -> plt.Figure:
    """Median days at each step with the middle half of households (quartiles), and
    statutory guidance's about eight months marked on application to approval; a step
    whose figures are withheld keeps its row, marked c, with nothing drawn."""
    stats = ["Median days", "Lower quartile (days)", "Upper quartile (days)"]
    every = _numbers(durations, stats).iloc[::-1].reset_index(drop=True)
    drawn = every.dropna(subset=stats)
    fig, ax = plt.subplots(figsize=(9, 4))
    low, high, median = stats[1], stats[2], stats[0]
    ax.barh(drawn.index, drawn[high] - drawn[low], left=drawn[low], color=SKY_BLUE,
            edgecolor=EDGE, linewidth=0.6, label="Middle half")  # fmt: skip
    ax.scatter(drawn[median], drawn.index, color=PURPLE, edgecolor=EDGE, zorder=3,
               label="Median")  # fmt: skip
    for y in every.index.difference(drawn.index):
        ax.text(0, y, " c", va="center", fontsize=9)
    # statutory guidance's timescale, on the one step it is for (review 16)
    for y in every.index[every["Step"] == APPLICATION_TO_APPROVAL]:
        ax.vlines(EIGHT_MONTHS_DAYS, y - 0.42, y + 0.42, colors=EDGE, linestyles="--",
                  linewidth=1.4, label=EIGHT_MONTHS_LABEL, zorder=4)  # fmt: skip
    ax.set_yticks(every.index, every["Step"])
    ax.set_xlabel("Days")
    ax.set_xlim(left=0, right=max(ax.get_xlim()[1], EIGHT_MONTHS_DAYS * 1.1))
    legend_right(ax)
    fig.tight_layout()
    return fig


def durations_alt(durations: pd.DataFrame) -> str:
    """Text alternative for :func:`durations_chart`, from the durations table as shown."""
    parts = [
        f"{r['Step'].lower()}: median {_said(r['Median days'])} days (middle half "
        f"{_said(r['Lower quartile (days)'])} to {_said(r['Upper quartile (days)'])})"
        for _, r in durations.iterrows()
    ]
    marked = (
        f" A dashed mark at {EIGHT_MONTHS_DAYS} days on {APPLICATION_TO_APPROVAL.lower()}: "
        "statutory guidance's about eight months."
        if APPLICATION_TO_APPROVAL in set(durations["Step"])
        else ""
    )
    return (
        "Chart of the days households spent at each step: a dot for the median and a bar "
        "for the middle half. " + "; ".join(parts) + "." + marked
    )


def channel_mix_chart(counts: pd.DataFrame) -> plt.Figure:
    """How enquirers heard about fostering, share of each year's enquiries (from the table
    of enquiries by year and channel; withheld counts are one segment together, at the
    end of the bar)."""
    shown = _numbers(counts.set_index("Year"), [c for c in counts.columns if c != "Year"])
    shown.index = years(shown.index)
    mix = with_withheld(100 * shown.drop(columns="Total").div(shown["Total"], axis=0))
    fig, ax = plt.subplots(figsize=(9, 4))
    styles = {c: (CHANNEL_COLOURS.get(c) or category(i)[0], "") for i, c in enumerate(mix)}
    styles[WITHHELD_LABEL] = WITHHELD
    mix.plot.bar(stacked=True, ax=ax, color=[styles[c][0] for c in mix.columns], width=0.75,
                 edgecolor=EDGE, linewidth=0.6)  # fmt: skip
    for container, column in zip(ax.containers, mix.columns, strict=True):
        for bar in container:
            bar.set_hatch(styles[column][1])
    empty = mix.isna().all(axis=1)
    mark_withheld(ax, range(len(mix)), mix.sum(axis=1).where(~empty), False, ALL_WITHHELD)
    ax.set_ylabel("% of the year's enquiries")
    ax.set_xlabel("Year of enquiry")
    ax.set_ylim(0, 100)
    ax.tick_params(axis="x", rotation=0)
    legend_right(ax)
    fig.tight_layout()
    return fig


def channel_mix_alt(counts: pd.DataFrame) -> str:
    """Text alternative for :func:`channel_mix_chart`: the latest year's channels, largest
    first, as shares of its enquiries (a withheld count is said to be withheld)."""
    last = counts.iloc[-1]
    total = pd.to_numeric(pd.Series([last["Total"]]), errors="coerce").iloc[0]
    channels = [c for c in counts.columns if c not in ("Year", "Total")]
    values = {c: pd.to_numeric(pd.Series([last[c]]), errors="coerce").iloc[0] for c in channels}
    order = sorted(channels, key=lambda c: -1 if pd.isna(values[c]) else -values[c])
    parts = [
        f"{c} withheld" if pd.isna(values[c]) else f"{c} {100 * values[c] / total:.1f}%"
        for c in order
    ]
    return (
        f"Stacked bar chart of each year's enquiries by how they heard, {span(counts['Year'])}"
        + (
            "; the withheld channels of a year are one hatched segment together"
            if _any_c(counts)
            else ""
        )
        + f". In {year(last['Year'])} ({_said(total)} enquiries): "
        + ", ".join(parts)
        + "."
    )


def minority_chart(groups: pd.DataFrame, children_share: float) -> plt.Figure:
    """Minority-ethnic share at each stage against the share of children in care."""
    shown = _numbers(groups, ["Minority ethnic (%)"])
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.barh(shown["Group"], shown["Minority ethnic (%)"], color=COUNCIL)
    mark_withheld(ax, range(len(shown)), shown["Minority ethnic (%)"].tolist(), horizontal=True)
    ax.axvline(children_share, color=COMPARATOR, linestyle="--",
               label=f"Children in care: {children_share:g}%")  # fmt: skip
    ax.set_xlabel("% minority ethnic (of households whose ethnicity is known)")
    ax.set_xlim(0, max(children_share, shown["Minority ethnic (%)"].max()) * 1.15)
    ax.invert_yaxis()
    legend_below(ax, ncol=1)
    fig.tight_layout()
    return fig


def minority_alt(groups: pd.DataFrame, children_share: float) -> str:
    """Text alternative for :func:`minority_chart`, from the groups table as shown."""
    parts = [
        f"{r['Group'].lower()} {_said(r['Minority ethnic (%)'], '{:.1f}%')}"
        for _, r in groups.iterrows()
    ]
    return (
        "Bar chart of the minority-ethnic share at each stage against a dashed line for the "
        f"children in care ({children_share:g}%): " + "; ".join(parts) + "."
    )


NO_POINTS = "Nothing above 0% to draw:\nevery estimate shown is 0\nor withheld"
# A line style for each line of a panel, so no line relies on colour alone.
STYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 3))]
_YEAR = re.compile(r"^\d{4}[-/]\d{2}$")


# One colour per channel on every chart of every page (issue 13's review: referrals were
# purple in the channel mix and green in the outcomes by channel), in the schema's order;
# "Other" takes the grey of "other" beside named series.
CHANNEL_COLOURS = {
    c: EARLIER if c == "Other" else category(i)[0] for i, c in enumerate(CODES["channel"])
}


def group_colours(order: Sequence[str]) -> list[str]:
    """A line colour for each group of a chart in the shared vocabulary: groups that are
    financial years (enquiry cohorts) are the selected year (the latest, the page's own) in
    the council's colour and the earlier years grey, told apart by line style; channels
    their own colours (:data:`CHANNEL_COLOURS`); other groups (household types) take the
    category colours in order."""
    if order and all(_YEAR.match(str(g)) for g in order):
        return [SELECTED if i == len(order) - 1 else EARLIER for i in range(len(order))]
    if order and set(order) <= set(CHANNEL_COLOURS):
        return [CHANNEL_COLOURS[g] for g in order]
    return [category(i)[0] for i in range(len(order))]


def _extent(points: pd.DataFrame) -> float:
    """Months to the last horizon drawn, rounded up to six months (12 at least)."""
    drawn = points.dropna(subset=["cif"]) if len(points) else points
    longest = drawn["months"].max() if len(drawn) else 12
    return max(12, 6 * np.ceil(longest / 6))


def _axes(ax: plt.Axes, title: str, months: float, xlabel: bool = True) -> None:
    """One incidence panel's title, linear axes from 0 and percentage ticks."""
    from matplotlib.ticker import MaxNLocator, MultipleLocator, PercentFormatter

    ax.set_title(title, fontsize=11)
    ax.set_xlim(0, months)
    ax.xaxis.set_major_locator(MultipleLocator(6))
    ax.set_ylim(bottom=0)
    # Whole percentages, or one decimal on a panel that stays under 10%: ticks at steps of
    # 1, 2 or 5 (never 2.5, which whole percentages would print rounded).
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=int(ax.get_ylim()[1] < 0.1)))
    if xlabel:
        ax.set_xlabel("Months since enquiry")


def _curves(
    ax: plt.Axes,
    points: pd.DataFrame,
    by: str,
    order: Sequence[str],
    band: str | None,
    months: float,
) -> None:
    """Lines of one outcome, one per group in ``order`` (those with points to draw): each
    joins the group's estimates at the horizons its table shows, a marker at each, and
    breaks where the table withholds one. A panel with no estimate above 0% says so."""
    above = False
    colours = group_colours(order)
    for i, group in enumerate(order):
        rows = points[points[by] == group].sort_values("months")
        if rows["cif"].notna().sum() < 2:  # the origin alone, or nothing
            continue
        colour, style = colours[i], STYLES[i % len(STYLES)]
        ax.plot(rows["months"], rows["cif"], color=colour, linestyle=style, marker="o",
                markersize=3.5, label=year(group), clip_on=False)  # fmt: skip
        _name_lone_points(ax, rows, year(group), months)
        above = above or bool((rows["cif"] > 0).any())
        if group == band:
            both = (rows["lower"].notna() & rows["upper"].notna()).to_numpy()
            ax.fill_between(rows["months"], rows["lower"], rows["upper"], where=both,
                            color=colour, alpha=0.15, linewidth=0)  # fmt: skip
    case_light(ax.figure)  # before any legend copies the lines
    if not above:
        ax.text(0.5, 0.5, NO_POINTS, transform=ax.transAxes, ha="center", va="center",
                fontsize=9, wrap=True)  # fmt: skip


def _name_lone_points(ax: plt.Axes, rows: pd.DataFrame, name: str, months: float) -> None:
    """Name a point with no shown estimate either side (a line's style cannot say whose a
    lone point is: issue 13's review, "lone points" in the approved panel)."""
    shown = rows["cif"].notna().to_numpy()
    for at in np.flatnonzero(shown):
        before = at > 0 and shown[at - 1]
        after = at < len(shown) - 1 and shown[at + 1]
        if not (before or after):
            point = rows.iloc[at]
            # in the edge's dark grey, text at 4.5:1 whatever the line's colour; to the left
            # of a point in the axis's last quarter, so it never runs into the legend
            left = point["months"] > 0.75 * months
            ax.annotate(name, (point["months"], point["cif"]), xytext=(-4 if left else 4, 0),
                        textcoords="offset points", ha="right" if left else "left",
                        va="center", fontsize=8, color=EDGE)  # fmt: skip


def incidence_chart(
    points: pd.DataFrame,
    by: str,
    order: Sequence[str],
    outcomes: dict[str, str],
    band: str | None = None,
    months: float | None = None,
) -> plt.Figure:
    """Cumulative incidence of each outcome (a panel each) by months since enquiry, a line
    per group through its estimates at the horizons of its table; ``points`` is what the
    page shows (:func:`time_to_event.points`), and ``band`` the group whose 95% interval
    is shaded. The axis runs to ``months`` (default: the last horizon drawn, to the next
    six months). The chart says which counts it rests on (:func:`encodes`)."""
    months = months or _extent(points)
    fig, axes = plt.subplots(1, len(outcomes), figsize=(10, 3.8), sharex=True)
    for ax, (cause, title) in zip(np.atleast_1d(axes), outcomes.items(), strict=True):
        _curves(ax, points[points["cause"] == cause], by, order, band, months)
        _axes(ax, title, months)
    np.atleast_1d(axes)[0].set_ylabel("% of households (cumulative)")
    found: dict[str, object] = {}
    for ax in np.atleast_1d(axes):
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            found.setdefault(label, handle)
    labels = [year(g) for g in order if year(g) in found]
    if labels:
        fig.legend([found[x] for x in labels], labels, loc="lower center", frameon=False,
                   ncol=min(len(labels), 4), bbox_to_anchor=(0.5, -0.02))  # fmt: skip
    fig.tight_layout(rect=(0, 0.12 if labels else 0, 1, 1))
    return encodes(fig, _resting(points, by, order, outcomes))


def _resting(
    points: pd.DataFrame, by: str, order: Sequence[str], outcomes: dict[str, str]
) -> list[str]:
    """The counts the drawn points of ``outcomes`` and ``order`` rest on."""
    drawn = points[points["cause"].isin(list(outcomes)) & points[by].isin(list(order))]
    return [k for cells in drawn["cells"] for k in cells]


def incidence_grid(
    points: pd.DataFrame, by: str, rows: dict[str, Sequence[str]], outcomes: dict[str, str]
) -> plt.Figure:
    """:func:`incidence_chart` for several breakdowns at once: a row of panels per
    breakdown (``rows``: its name -> its groups in order), each with its own legend, so
    that no two lines of a panel share a colour."""
    months = _extent(points)
    fig, axes = plt.subplots(
        len(rows), len(outcomes), figsize=(10, 3.3 * len(rows)), sharex=True, squeeze=False
    )
    for i, (line, (name, order)) in enumerate(zip(axes, rows.items(), strict=True)):
        for ax, (cause, title) in zip(line, outcomes.items(), strict=True):
            _curves(ax, points[points["cause"] == cause], by, order, None, months)
            _axes(ax, title, months, xlabel=i == len(rows) - 1)
        found: dict[str, object] = {}
        for ax in line:
            for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
                found.setdefault(label, handle)
        labels = [g for g in order if g in found]
        line[0].set_ylabel("% of households (cumulative)")
        if labels:
            line[-1].legend([found[g] for g in labels], labels, title=name, frameon=False,
                            loc="upper left", bbox_to_anchor=(1.02, 1))  # fmt: skip
    fig.tight_layout()
    every = [g for order in rows.values() for g in order]
    return encodes(fig, _resting(points, by, every, outcomes))


# -- titles that state each chart's finding, from the tables as the page shows them ------


def reasons_title(reasons: pd.DataFrame, year_label: str) -> str:
    """The largest shown group of leavers: "The largest group of leavers in 2024/25: 120
    households who left at enquiry (no response to contact), a reason the service can act
    on". A withheld count is never stated."""
    shown = _numbers(reasons, ["Households"]).dropna(subset=["Households"])
    if shown.empty or shown["Households"].max() == 0:
        return "Households leaving by stage and reason; reasons the service can act on in orange"
    top = shown.loc[shown["Households"].idxmax()]
    acted = ", a reason the service can act on" if top["Avoidable"] == "yes" else ""
    return (
        f"The largest group of leavers in {year(year_label)}: {top['Households']:,.0f} "
        f"households who left at {top['Stage left'].lower()} ({top['Reason'].lower()}){acted}"
    )


# The steps from one stage to the next: the durations table's first five (then whole spans).
STEPS = tuple(label for label, _, _ in INTERVALS[:5])


def durations_title(durations: pd.DataFrame, year_label: str) -> str:
    """The step with the longest shown median, and enquiry to approval: "Stage 1 to stage 2
    took longest in 2024/25, a median of 124 days; enquiry to approval took 301 days"."""
    shown = _numbers(durations, ["Median days"]).set_index("Step")["Median days"]
    every = shown.reindex([s for s in STEPS if s in shown.index])
    steps = every.dropna()
    if steps.empty:
        return "Median days at each step and the middle half"
    # a withheld step may be the longest: then the title speaks of the steps shown only
    of = "" if len(steps) == len(every) else " of the steps shown"
    title = (
        f"{steps.idxmax()} took longest{of} in {year(year_label)}, a median of "
        f"{steps.max():,.0f} days"
    )
    whole = shown.get("Enquiry to approval")
    if whole is not None and pd.notna(whole):
        title += f"; enquiry to approval took {whole:,.0f} days"
    return title
