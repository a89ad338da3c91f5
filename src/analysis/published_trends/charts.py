"""Charts of the published trends, drawn with seaborn; each returns a Figure for the appendix.

The selected year is marked on every chart so a reader sees where it sits in the
seven-year run. Axes are linear from zero, colours are the shared colour-blind-safe
palette (:mod:`analysis.presentation.charts`), and legends sit outside the data. Each
chart has a text alternative written from the same figures (``*_alt``).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from analysis.presentation.charts import (
    COUNCIL,
    EARLIER,
    EDGE,
    STAGE_STYLES,
    case_light,
    category,
    house_style,
    legend_below,
    legend_right,
    year,
    year_colours,
)

# Each published stage as :data:`analysis.presentation.charts.STAGE_STYLES` names it.
FUNNEL_STAGES = {
    "Initial enquiries": "enquiry",
    "Expressions of interest": "eoi",
    "Stage 1 started": "stage1",
    "Stage 2 (full assessment) started": "stage2",
    "Households approved": "approval",
}


def _line(stage: str) -> str:
    """A published stage's line style, as :data:`STAGE_STYLES` gives it."""
    return STAGE_STYLES[FUNNEL_STAGES[stage]][2]


STAGES = {
    "initial_enquiries": "Initial enquiries",
    "expressions_of_interest": "Expressions of interest",
    "stage1_started": "Stage 1 started",
    "stage2_started": "Stage 2 (full assessment) started",
    "households_approved": "Households approved",
}


def _mark(ax: plt.Axes, years: list[str], selected: str) -> None:
    """Shade the selected year on a categorical year axis."""
    if selected in years:
        position = years.index(selected)
        ax.axvspan(position - 0.4, position + 0.4, color="0.9", zorder=0)


def _value(value: object, fmt: str = "{:,.0f}") -> str:
    return "not published" if value is None or pd.isna(value) else fmt.format(value)


def funnel_chart(funnel: pd.DataFrame, selected: str) -> plt.Figure:
    """Enquiries and expressions of interest (left) and assessments and approvals (right)."""
    long = (
        funnel.reset_index()
        .melt(id_vars="year", var_name="stage", value_name="households")
        .dropna(subset=["households"])
    )
    long["stage"] = long["stage"].map(STAGES)
    long["year"] = long["year"].map(year)
    years = [year(y) for y in funnel.index]
    with house_style():
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
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
                style="stage",
                style_order=stages,
                dashes={
                    s: "" if STAGE_STYLES[FUNNEL_STAGES[s]][2] == "-" else (4, 2) for s in stages
                },
                marker="o",
                palette=[STAGE_STYLES[FUNNEL_STAGES[s]][0] for s in stages],  # as on every page
                ax=ax,
                sort=False,
            )
            ax.set_xticks(range(len(years)), years, fontsize=9)
            _mark(ax, years, year(selected))
            ax.set(title=title, xlabel="", ylabel="Households", ylim=(0, None))
        case_light(fig)  # before the legends copy the lines
        for ax in axes:
            legend_below(ax, title=None, fontsize=9, ncol=1)
        fig.tight_layout()
    return fig


def funnel_alt(funnel: pd.DataFrame, selected: str) -> str:
    """Text alternative for :func:`funnel_chart`: each stage in the selected year and the
    year before, and the span of years drawn."""
    years = list(funnel.index)
    before = years[years.index(selected) - 1] if selected in years[1:] else None
    parts = []
    for column, name in STAGES.items():
        if column not in funnel or selected not in funnel.index:
            continue
        text = f"{name.lower()} {_value(funnel.loc[selected, column])}"
        if before is not None:
            text += f" ({_value(funnel.loc[before, column])} in {year(before)})"
        parts.append(text)
    said = (
        f"In {year(selected)}: " + "; ".join(parts)
        if parts
        else f"No funnel is published for {year(selected)}"
    )
    return (
        f"Line charts of the published recruitment funnel by year, {year(years[0])} to "
        f"{year(years[-1])}: enquiries and expressions of interest on the left, assessments and "
        f"approvals on the right. {said}."
    )


RATE_MARKERS = ["o", "s", "^", "D", "v", "P", "*", "h"]  # "X" is the printed rate


def rates_chart(rates: pd.DataFrame, selected: str) -> plt.Figure:
    """Each conversion rate recomputed from the funnel (lines) with the printed rate (crosses)."""
    data = rates.assign(year=rates["year"].map(year))
    years = list(dict.fromkeys(data["year"]))
    order = list(dict.fromkeys(data["rate"]))
    palette = {rate: category(i)[0] for i, rate in enumerate(order)}
    with house_style():
        fig, ax = plt.subplots(figsize=(11, 3.6))
        sns.lineplot(
            data=data,
            x="year",
            y="recomputed",
            hue="rate",
            hue_order=order,
            style="rate",
            style_order=order,
            # a marker of its own for each rate: past four, colours repeat (told apart by
            # line style and marker, which a legend's short sample shows)
            markers=dict(zip(order, RATE_MARKERS, strict=False)),
            palette=palette,
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
            palette=palette,
            ax=ax,
            legend=False,
        )
        ax.set_xticks(range(len(years)), years)
        _mark(ax, years, year(selected))
        # the reports' names for their rates, each a period ratio (review 16): the later
        # stage's count per 100 of the earlier stage's, in the same year
        ax.set(xlabel="", ylabel="Per 100 at the earlier stage", ylim=(0, 100))
        case_light(fig)  # before the legend copies the lines
        legend_right(
            ax,
            title="The year's later stage per 100\nof its earlier stage: recomputed\n"
            "(line), as printed (cross)",
            fontsize=9,
            title_fontsize=9,
        )
        fig.tight_layout()
    return fig


def rates_alt(rates: pd.DataFrame, selected: str) -> str:
    """Text alternative for :func:`rates_chart`: each rate in the selected year,
    recomputed and as printed."""
    now = rates[rates["year"] == selected]
    parts = [
        f"{r['rate'].lower()} {_value(r['recomputed'], '{:.1f}%')} recomputed, "
        f"{_value(r['printed'], '{:.1f}%')} as printed"
        for _, r in now.iterrows()
    ]
    said = (
        f"In {year(selected)}: " + "; ".join(parts)
        if parts
        else f"No conversion rate is published for {year(selected)}"
    )
    return (
        "Line chart of each conversion rate by year, recomputed from the published counts, "
        f"with crosses for the rates as printed. {said}."
    )


def leavers_chart(leavers: pd.DataFrame, selected: str) -> plt.Figure:
    """Households ceasing to foster each year: a small panel per reason (one scale for all),
    a bar per year, the selected year's bar in the council's colour and labelled, the
    earlier years' grey."""
    reasons = leavers.drop(columns="Total (as printed)")
    reasons = reasons.loc[:, reasons.fillna(0).sum() > 0]
    years = [year(y) for y in reasons.index]
    top = max(float(reasons.max().max()), 1.0)
    columns = min(5, max(len(reasons.columns), 1))
    rows = math.ceil(len(reasons.columns) / columns) or 1
    with house_style():
        fig, axes = plt.subplots(
            rows, columns, figsize=(11, 1.8 * rows + 0.8), sharex=True, sharey=True, squeeze=False
        )
        flat = list(axes.flat)
        for ax, reason in zip(flat, reasons.columns, strict=False):
            values = reasons[reason]
            colours = year_colours(years, selected)
            ax.bar(years, values.fillna(0), color=colours, width=0.7)
            for x, value in enumerate(values):
                if year(selected) == years[x]:
                    ax.text(x, (0 if pd.isna(value) else value) + top * 0.03,
                            _value(value), ha="center", fontsize=8)  # fmt: skip
            ax.set_title(textwrap.fill(reason, 26), fontsize=9)
            ax.set_ylim(0, top * 1.25)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=3))
            ax.tick_params(axis="x", rotation=90, labelsize=8)
        for ax in flat[len(reasons.columns) :]:
            fig.delaxes(ax)
        for ax in axes[:, 0]:
            ax.set_ylabel("Households")
        fig.tight_layout()
    return fig


def leavers_alt(leavers: pd.DataFrame, selected: str) -> str:
    """Text alternative for :func:`leavers_chart`: the selected year's reasons, largest first,
    and the printed total."""
    if selected not in leavers.index:
        return (
            "Bar charts, one per reason, of households ceasing to foster each year, "
            f"{year(leavers.index[0])} to {year(leavers.index[-1])}. No table of households "
            f"ceasing to foster is published for {year(selected)}."
        )
    row = leavers.loc[selected]
    reasons = row.drop("Total (as printed)").dropna().sort_values(ascending=False)
    parts = [f"{name.lower()} {value:,.0f}" for name, value in reasons.items() if value]
    return (
        f"Bar charts, one per reason, of households ceasing to foster each year, "
        f"{year(leavers.index[0])} to {year(leavers.index[-1])}. In {year(selected)} the total "
        f"printed is {_value(row['Total (as printed)'])}: " + "; ".join(parts) + "."
    )


def budget_chart(budget: pd.DataFrame, selected: str) -> plt.Figure:
    """Total budget against actual spend (left) and each line's variance (right), £000."""
    data = budget.assign(year=budget["year"].map(year))
    total = data[data["line"] == "Total"].melt(
        id_vars="year", value_vars=["budget", "actual"], var_name="measure", value_name="£000"
    )
    total["measure"] = total["measure"].str.capitalize()
    lines = data[data["line"] != "Total"]
    years = list(dict.fromkeys(data["year"]))
    names = list(dict.fromkeys(lines["line"]))
    with house_style():
        fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
        # Full saturation (seaborn's default dulls the palette below 3:1) and outlined.
        outlined = {"saturation": 1, "edgecolor": EDGE, "linewidth": 0.6}
        sns.barplot(data=total, x="year", y="£000", hue="measure",
                    palette=[EARLIER, COUNCIL], ax=axes[0], **outlined)  # fmt: skip
        axes[0].set(title="Total budget and actual spend", xlabel="", ylabel="£000")
        sns.barplot(data=lines, x="year", y="variance", hue="line", hue_order=names,
                    palette=[category(i)[0] for i in range(len(names))], ax=axes[1],
                    **outlined)  # fmt: skip
        axes[1].axhline(0, color="0.3", linewidth=0.8)
        axes[1].set(title="Actual minus budget, by line", xlabel="", ylabel="£000")
        for ax in axes:
            _mark(ax, years, year(selected))
            ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        legend_below(axes[0], title=None, fontsize=9, ncol=2)
        legend_below(axes[1], title=None, fontsize=9, ncol=2)
        fig.tight_layout()
    return fig


def budget_alt(budget: pd.DataFrame, selected: str) -> str:
    """Text alternative for :func:`budget_chart`: the selected year's total budget, actual
    spend and the lines furthest over and under budget."""
    years = list(dict.fromkeys(budget["year"]))
    now = budget[budget["year"] == selected]
    total = now[now["line"] == "Total"]
    lines = now[now["line"] != "Total"].sort_values("variance")
    said = (
        f"Bar charts of the fostering budget against actual spending, {year(years[0])} to "
        f"{year(years[-1])} (£000), and each line's actual minus budget."
    )
    if total.empty:
        return said + f" No budget is published for {year(selected)}."
    t = total.iloc[0]
    said += (
        f" In {year(selected)}: budget {_value(t['budget'])}, actual {_value(t['actual'])} "
        f"({t['variance']:+,.0f})."
    )
    if len(lines):
        over, under = lines.iloc[-1], lines.iloc[0]
        said += (
            f" Furthest over budget: {over['line'].lower()} ({over['variance']:+,.0f}); "
            f"furthest under: {under['line'].lower()} ({under['variance']:+,.0f})."
        )
    return said


# -- titles that state each chart's finding (the figures are all published) --------------


def _latest(index: Sequence[object], selected: str) -> str | None:
    """The selected year if the chart draws it, else the latest year it draws before it."""
    drawn = [str(y) for y in index if str(y) <= selected]
    return selected if selected in drawn else (drawn[-1] if drawn else None)


def _before(index: Sequence[object], when: str) -> str | None:
    drawn = [str(y) for y in index]
    at = drawn.index(when)
    return drawn[at - 1] if at else None


def _moved(now: float, before: float | None) -> str:
    """``rose from 20 to 24``, ``fell from ...``, ``stayed at 20`` or, with no year before,
    ``were 20`` (of a plural: "Approvals were 20")."""
    if before is None or pd.isna(before):
        return f"were {now:,.0f}"
    if round(now) == round(before):
        return f"stayed at {now:,.0f}"
    return f"{'rose' if now > before else 'fell'} from {before:,.0f} to {now:,.0f}"


def funnel_title(funnel: pd.DataFrame, selected: str) -> str:
    """The year's enquiries and approvals against the year before, as printed:
    "Approvals fell from 24 to 17 in 2022/23, from 372 initial enquiries"."""
    when = _latest(funnel.index, selected)
    approved = funnel.get("households_approved")
    if when is None or approved is None or pd.isna(approved.get(when)):
        return "Mainstream recruitment funnel by year, as published"
    before = _before(funnel.index, when)
    title = f"Approvals {_moved(approved[when], approved.get(before))} in {year(when)}"
    enquiries = funnel.get("initial_enquiries")
    if enquiries is not None and pd.notna(enquiries.get(when)):
        title += f", from {enquiries[when]:,.0f} initial enquiries"
    return title


def rates_title(rates: pd.DataFrame, selected: str) -> str:
    """Enquiry to approval in the year, recomputed from the printed counts, as the period
    ratio it is (a year's approvals mostly follow earlier years' enquiries, so it is not the
    share of the year's enquirers approved): "Approvals in 2022/23 were 4.6 for every 100
    enquiries in the year (6.0 in 2021/22), recomputed from the published counts"."""
    rate = rates[(rates["rate"] == "Enquiry to approval")].dropna(subset=["recomputed"])
    when = _latest(rate["year"].tolist(), selected)
    if when is None:
        return "Conversion rates by year, recomputed and as printed"
    by_year = rate.set_index("year")["recomputed"]
    before = _before(by_year.index, when)
    title = (
        f"Approvals in {year(when)} were {by_year[when]:.1f} for every 100 enquiries in the year"
    )
    if before is not None:
        title += f" ({by_year[before]:.1f} in {year(before)})"
    return title + ", recomputed from the published counts"


def leavers_title(leavers: pd.DataFrame, selected: str) -> str:
    """The year's printed total and its largest reason: "15 households ceased to foster
    in 2018/19, most often for personal circumstances (10)"."""
    when = _latest(leavers.index, selected)
    if when is None:
        return "Mainstream households ceasing to foster, by reason, as published"
    row = leavers.loc[when]
    total = row["Total (as printed)"]
    reasons = row.drop("Total (as printed)").dropna().sort_values(ascending=False)
    said = f"{total:,.0f} households" if pd.notna(total) else "Households"
    title = f"{said} ceased to foster in {year(when)}"
    if len(reasons) and reasons.iloc[0] > 0:
        title += f", most often for {reasons.index[0].lower()} ({reasons.iloc[0]:,.0f})"
    return title


def budget_title(budget: pd.DataFrame, selected: str) -> str:
    """The year's total spending against its budget: "Fostering spent £10,250k against a
    budget of £9,800k in 2023/24 (£450k over)"."""
    total = budget[budget["line"] == "Total"].set_index("year")
    when = _latest(total.index, selected)
    if when is None:
        return "Fostering budget and actual spending (£000), as published"
    t = total.loc[when]
    gap = t["actual"] - t["budget"]
    side = "over" if gap > 0 else "under"
    return (
        f"Fostering spent £{t['actual']:,.0f}k against a budget of £{t['budget']:,.0f}k in "
        f"{year(when)}" + (f" (£{abs(gap):,.0f}k {side})" if round(gap) else " (on budget)")
    )
