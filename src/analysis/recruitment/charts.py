"""Charts for the recruitment appendix. Each takes a table as the page shows it
(``Appendix.shown``) and returns a Figure; values the page withholds ("c") are not drawn.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

sns.set_theme(style="whitegrid", context="notebook")
AVOIDABLE, OTHER = "#c0392b", "#95a5a6"


def _numbers(shown: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``shown`` (a table as the page shows it) with withheld values ("c") as missing."""
    out = shown.copy()
    for column in columns:
        out[column] = pd.to_numeric(out[column], errors="coerce")
    return out


def funnel_over_time(history: pd.DataFrame, labels: dict[str, str]) -> plt.Figure:
    """Events per year at each stage (log scale: enquiries are ten times the rest)."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for stage in history.columns:
        values = pd.to_numeric(history[stage], errors="coerce")
        ax.plot(history.index, values, marker="o", label=labels[stage])
    ax.set_yscale("log")
    ax.set_ylabel("Households (log scale)")
    ax.set_xlabel("Financial year")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
    fig.tight_layout()
    return fig


def cohort_status(cohorts: pd.DataFrame, status_columns: Sequence[str]) -> plt.Figure:
    """Where each enquiry cohort stands, as shares of its enquiries (stacked bars)."""
    shown = _numbers(cohorts, [*status_columns, "Enquiries"]).set_index("Enquiry year")
    shares = shown[list(status_columns)].div(shown["Enquiries"], axis=0)
    fig, ax = plt.subplots(figsize=(9, 3.8))
    shares.mul(100).plot.barh(stacked=True, ax=ax, colormap="tab20c", width=0.7)
    ax.set_xlabel("% of the year's enquiries")
    ax.set_ylabel("")
    ax.invert_yaxis()
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
    fig.tight_layout()
    return fig


def conversion_over_time(conversion: pd.DataFrame) -> plt.Figure:
    """Share moving on from each stage to the next, by the year the stage was entered."""
    shown = _numbers(conversion, ["Entered", "Moved on", "% moved on"])
    shown["Step"] = shown["From"] + " to " + shown["To"].str.lower()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    sns.lineplot(data=shown, x="Year", y="% moved on", hue="Step", marker="o", ax=ax)
    ax.set_ylim(0, 105)
    ax.set_ylabel("% moved on to the next stage")
    ax.set_xlabel("Year the stage was entered")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False, title=None)
    fig.tight_layout()
    return fig


def reasons_chart(reasons: pd.DataFrame) -> plt.Figure:
    """Households leaving by stage and reason; reasons the service can act on in red."""
    shown = _numbers(reasons, ["Households"]).dropna(subset=["Households"])
    shown = shown.assign(label=shown["Stage left"] + ": " + shown["Reason"])
    shown = shown.sort_values("Households", ascending=True)
    fig, ax = plt.subplots(figsize=(9, max(3, 0.3 * len(shown) + 1)))
    colours = [AVOIDABLE if a == "yes" else OTHER for a in shown["Avoidable"]]
    ax.barh(shown["label"], shown["Households"], color=colours)
    ax.set_xscale("symlog", linthresh=10)
    ax.set_xlabel("Households leaving in the year (symmetric log scale)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in (AVOIDABLE, OTHER)]
    ax.legend(handles, ["Service can act on it", "Other reasons"], loc="lower right")
    fig.tight_layout()
    return fig


def durations_chart(durations: pd.DataFrame) -> plt.Figure:
    """Median days at each step with the middle half of households (quartiles)."""
    stats = ["Median (days)", "Lower quartile", "Upper quartile"]
    shown = _numbers(durations, stats).dropna(subset=stats).iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.barh(shown["Step"], shown["Upper quartile"] - shown["Lower quartile"],
            left=shown["Lower quartile"], color="#aed6f1", label="Middle half")  # fmt: skip
    ax.scatter(shown["Median (days)"], shown["Step"], color="#1b4f72", zorder=3, label="Median")
    ax.set_xlabel("Days")
    ax.set_xlim(left=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
    fig.tight_layout()
    return fig


def channel_mix_chart(counts: pd.DataFrame) -> plt.Figure:
    """How enquirers heard about fostering, share of each year's enquiries (from the table
    of enquiries by year and channel; a withheld count leaves its segment out)."""
    shown = _numbers(counts.set_index("Year"), [c for c in counts.columns if c != "Year"])
    mix = 100 * shown.drop(columns="Total").div(shown["Total"], axis=0)
    fig, ax = plt.subplots(figsize=(9, 4))
    mix.plot.bar(stacked=True, ax=ax, colormap="Set2", width=0.75)
    ax.set_ylabel("% of the year's enquiries")
    ax.set_xlabel("Year of enquiry")
    ax.tick_params(axis="x", rotation=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
    fig.tight_layout()
    return fig


def minority_chart(groups: pd.DataFrame, children_share: float) -> plt.Figure:
    """Minority-ethnic share at each stage against the share of children in care."""
    shown = _numbers(groups, ["% minority ethnic"])
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.barh(shown["Group"], shown["% minority ethnic"], color="#5dade2")
    ax.axvline(children_share, color="#c0392b", linestyle="--",
               label=f"Children in care: {children_share:g}%")  # fmt: skip
    ax.set_xlabel("% minority ethnic (of households whose ethnicity is known)")
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


# Okabe-Ito colours (safe for the common colour-vision deficiencies), yellow left out
# for contrast on white, with a line style each so no line relies on colour alone.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
STYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 3))]


def _extent(curves: pd.DataFrame) -> float:
    """Months to the end of the longest curve, rounded up to six months (12 at least)."""
    longest = curves["days"].max() / 30.44 if len(curves) else 12
    return max(12, 6 * np.ceil(longest / 6))


def _axes(ax: plt.Axes, title: str, months: float, xlabel: bool = True) -> None:
    """One incidence panel's title, linear axes from 0 and percentage ticks."""
    from matplotlib.ticker import MultipleLocator, PercentFormatter

    ax.set_title(title, fontsize=11)
    ax.set_xlim(0, months)
    ax.xaxis.set_major_locator(MultipleLocator(6))
    ax.set_ylim(bottom=0)
    # Whole percentages, or one decimal on a panel that stays under 10%.
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=int(ax.get_ylim()[1] < 0.1)))
    if xlabel:
        ax.set_xlabel("Months since enquiry")


def _curves(
    ax: plt.Axes, curves: pd.DataFrame, by: str, order: Sequence[str], band: str | None
) -> None:
    """Step curves of one outcome, one per group in ``order`` (those with points to draw)."""
    for i, group in enumerate(order):
        rows = curves[curves[by] == group].sort_values("days")
        if rows.empty:
            continue
        months = rows["days"] / 30.44
        colour, style = OKABE_ITO[i % len(OKABE_ITO)], STYLES[i % len(STYLES)]
        label = str(group).replace("-", "/")
        ax.step(months, rows["cif"], where="post", color=colour, linestyle=style, label=label)
        if group == band:
            ax.fill_between(months, rows["lower"], rows["upper"], step="post", color=colour,
                            alpha=0.15, linewidth=0)  # fmt: skip


def incidence_chart(
    curves: pd.DataFrame,
    by: str,
    order: Sequence[str],
    outcomes: dict[str, str],
    band: str | None = None,
    months: float | None = None,
) -> plt.Figure:
    """Cumulative incidence of each outcome (a panel each) by months since enquiry, a line
    per group; ``curves`` is what the page may draw (:func:`time_to_event.drawable`), and
    ``band`` the group whose 95% interval is shaded. The axis runs to ``months`` (default:
    the longest drawn curve, to the next six months)."""
    months = months or _extent(curves)
    fig, axes = plt.subplots(1, len(outcomes), figsize=(10, 3.8), sharex=True)
    for ax, (cause, title) in zip(np.atleast_1d(axes), outcomes.items(), strict=True):
        _curves(ax, curves[curves["cause"] == cause], by, order, band)
        _axes(ax, title, months)
    np.atleast_1d(axes)[0].set_ylabel("% of households (cumulative)")
    found: dict[str, object] = {}
    for ax in np.atleast_1d(axes):
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            found.setdefault(label, handle)
    labels = [g.replace("-", "/") for g in map(str, order) if g.replace("-", "/") in found]
    if labels:
        fig.legend([found[x] for x in labels], labels, loc="lower center", frameon=False,
                   ncol=min(len(labels), 4), bbox_to_anchor=(0.5, -0.02))  # fmt: skip
    fig.tight_layout(rect=(0, 0.12 if labels else 0, 1, 1))
    return fig


def incidence_grid(
    curves: pd.DataFrame, by: str, rows: dict[str, Sequence[str]], outcomes: dict[str, str]
) -> plt.Figure:
    """:func:`incidence_chart` for several breakdowns at once: a row of panels per
    breakdown (``rows``: its name -> its groups in order), each with its own legend, so
    that no two lines of a panel share a colour."""
    months = _extent(curves)
    fig, axes = plt.subplots(
        len(rows), len(outcomes), figsize=(10, 3.3 * len(rows)), sharex=True, squeeze=False
    )
    for i, (line, (name, order)) in enumerate(zip(axes, rows.items(), strict=True)):
        for ax, (cause, title) in zip(line, outcomes.items(), strict=True):
            _curves(ax, curves[curves["cause"] == cause], by, order, None)
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
    return fig
