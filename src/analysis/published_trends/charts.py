"""Charts of the published trends, drawn with seaborn; each returns a Figure for the appendix.

The selected year is marked on every chart so a reader sees where it sits in the
seven-year run.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

STYLE = "whitegrid"
PALETTE = "colorblind"


def _label(year: str) -> str:
    return year.replace("-", "/")


def _mark(ax: plt.Axes, years: list[str], year: str) -> None:
    """Shade the selected year on a categorical year axis."""
    if year in years:
        position = years.index(year)
        ax.axvspan(position - 0.4, position + 0.4, color="0.9", zorder=0)


def funnel_chart(funnel: pd.DataFrame, year: str) -> plt.Figure:
    """Enquiries and expressions of interest (left) and assessments and approvals (right)."""
    long = (
        funnel.reset_index()
        .melt(id_vars="year", var_name="stage", value_name="households")
        .dropna(subset=["households"])
    )
    names = {
        "initial_enquiries": "Initial enquiries",
        "expressions_of_interest": "Expressions of interest",
        "stage1_started": "Stage 1 started",
        "stage2_started": "Stage 2 (full assessment) started",
        "households_approved": "Households approved",
    }
    long["stage"] = long["stage"].map(names)
    long["year"] = long["year"].map(_label)
    years = [_label(y) for y in funnel.index]
    with sns.axes_style(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
        for ax, stages, title in (
            (axes[0], ["Initial enquiries", "Expressions of interest"], "Enquiries"),
            (
                axes[1],
                ["Stage 1 started", "Stage 2 (full assessment) started", "Households approved"],
                "Assessments and approvals",
            ),
        ):
            part = long[long["stage"].isin(stages)]
            sns.lineplot(
                data=part,
                x="year",
                y="households",
                hue="stage",
                hue_order=stages,
                marker="o",
                palette=PALETTE,
                ax=ax,
                sort=False,
            )
            ax.set_xticks(range(len(years)), years)
            _mark(ax, years, _label(year))
            ax.set(title=title, xlabel="", ylabel="Households", ylim=(0, None))
            ax.legend(title=None, fontsize=8)
        fig.tight_layout()
    return fig


def rates_chart(rates: pd.DataFrame, year: str) -> plt.Figure:
    """Each conversion rate recomputed from the funnel (lines) with the printed rate (crosses)."""
    data = rates.assign(year=rates["year"].map(_label))
    years = list(dict.fromkeys(data["year"]))
    order = list(dict.fromkeys(data["rate"]))
    with sns.axes_style(STYLE):
        fig, ax = plt.subplots(figsize=(11, 4.5))
        sns.lineplot(
            data=data,
            x="year",
            y="recomputed",
            hue="rate",
            hue_order=order,
            marker="o",
            palette=PALETTE,
            ax=ax,
            sort=False,
        )
        sns.scatterplot(
            data=data,
            x="year",
            y="printed",
            hue="rate",
            hue_order=order,
            marker="X",
            s=110,
            edgecolor="black",
            zorder=3,
            palette=PALETTE,
            ax=ax,
            legend=False,
        )
        ax.set_xticks(range(len(years)), years)
        _mark(ax, years, _label(year))
        ax.set(xlabel="", ylabel="Per cent", ylim=(0, 100))
        ax.legend(
            title="Recomputed rate (line); printed rate (cross)",
            fontsize=8,
            title_fontsize=8,
            loc="upper left",
        )
        fig.tight_layout()
    return fig


def leavers_chart(leavers: pd.DataFrame, year: str) -> plt.Figure:
    """Households ceasing to foster each year, stacked by reason."""
    reasons = leavers.drop(columns="Total (as printed)").fillna(0)
    reasons.index = [_label(y) for y in reasons.index]
    colours = sns.color_palette(PALETTE, n_colors=len(reasons.columns))
    with sns.axes_style(STYLE):
        fig, ax = plt.subplots(figsize=(11, 4.8))
        reasons.plot(kind="bar", stacked=True, color=colours, ax=ax, width=0.7, rot=0)
        years = list(reasons.index)
        _mark(ax, years, _label(year))
        ax.set(xlabel="", ylabel="Households ceasing to foster")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
        fig.tight_layout()
    return fig


def budget_chart(budget: pd.DataFrame, year: str) -> plt.Figure:
    """Total budget against actual spend (left) and each line's variance (right), £000."""
    data = budget.assign(year=budget["year"].map(_label))
    total = data[data["line"] == "Total"].melt(
        id_vars="year", value_vars=["budget", "actual"], var_name="measure", value_name="£000"
    )
    total["measure"] = total["measure"].str.capitalize()
    lines = data[data["line"] != "Total"]
    years = list(dict.fromkeys(data["year"]))
    with sns.axes_style(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
        sns.barplot(data=total, x="year", y="£000", hue="measure", palette=PALETTE, ax=axes[0])
        axes[0].set(title="Total budget and actual spend", xlabel="", ylabel="£000")
        axes[0].legend(title=None, fontsize=8)
        sns.barplot(data=lines, x="year", y="variance", hue="line", palette=PALETTE, ax=axes[1])
        axes[1].axhline(0, color="0.3", linewidth=0.8)
        axes[1].set(title="Actual minus budget, by line", xlabel="", ylabel="£000")
        axes[1].legend(title=None, fontsize=7)
        for ax in axes:
            _mark(ax, years, _label(year))
        fig.tight_layout()
    return fig
