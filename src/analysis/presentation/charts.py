"""What every appendix's charts share: one colour-blind-safe palette with one colour
vocabulary, one year style, one house style (:func:`house_style`), and legends placed
outside the plotting area so they never cover a bar or a line.

The palette is Okabe and Ito's (distinguishable under the common colour-vision
deficiencies). Its colours have roles, the same on every page (:data:`ROLES`): blue is the
council and the selected year, black England or the national figure, greys what else the
council is compared with (its region, neighbours, a reference level, earlier years, or
"other"), vermilion households leaving or lost, orange a reason the service could act on;
series with no role (stages, reasons, channels, groups) take green, reddish purple, sky
blue and yellow, then Paul Tol's indigo and wine (:data:`CATEGORIES`). Orange, sky blue
and yellow (under 3:1 on white) are outlined or cased in a dark edge. Financial years are
written as the council's reports and the appendices' text write them, "2024/25".
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from textwrap import fill

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib import patheffects, transforms
from matplotlib.colors import to_hex

# Okabe and Ito's colours. Orange, sky blue and yellow are under 3:1 on white (WCAG 2.2
# 1.4.11, non-text contrast): a filled shape in one is outlined in EDGE, and a line in one
# is cased in EDGE (:func:`case_light`), which gives it the contrast.
BLUE, VERMILLION, GREEN, PURPLE, BLACK = "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000"
ORANGE, SKY_BLUE, YELLOW = "#E69F00", "#56B4E9", "#F0E442"
OKABE_ITO = [BLUE, VERMILLION, GREEN, PURPLE, BLACK, ORANGE, SKY_BLUE, YELLOW]
# Two dark colours of Paul Tol's colour-blind-safe "muted" scheme, so that a chart of up to
# six series with no role never repeats a colour (issue 13's review: six stages in four
# colours). Under simulated protanopia, deuteranopia and tritanopia (Machado et al. 2009)
# each is further from every category and role colour than the closest Okabe-Ito pair
# already is (docs/assumptions.md).
INDIGO, WINE = "#332288", "#882255"
TOL_MUTED = [INDIGO, WINE]
EDGE = "#333333"
LIGHT = (ORANGE, SKY_BLUE, YELLOW)  # outlined or cased in EDGE wherever drawn

# The colour vocabulary (issue 13): each role below has one colour on every page, and no
# other series takes that colour, so a colour means the same thing wherever it is seen.
COUNCIL = BLUE  # the council and its own figures, and the page's (selected) year
SELECTED = COUNCIL
ENGLAND = BLACK  # England, or the national figure the council quotes (dashed: one level)
# What the council is compared with, other than England, in greys told apart by line
# style: its region, its statistical neighbours, any other reference (the children in
# care, a target); and the years before the selected one, or "other" beside named series.
REGION, NEIGHBOURS = "#595959", "#767676"
COMPARATOR = REGION
EARLIER = GREY = "#8C8C8C"  # several earlier years as lines: told apart by line style
LOST = VERMILLION  # households leaving or lost: withdrew, not progressed, ceased to foster
ACTIONABLE = ORANGE  # leavers whose reason the service could act on (influence)
# The part of a stacked bar of shares that the page withholds, drawn together as one
# segment so that every bar reaches 100% and says where its missing part went.
WITHHELD = ("#FFFFFF", "xxx")
WITHHELD_LABEL = "Withheld (c), together"
ROLES = {
    "the council, or the selected year": COUNCIL,
    "England, or the national figure the council quotes": ENGLAND,
    "the region, or another reference level": REGION,
    "statistical neighbours": NEIGHBOURS,
    "earlier years, or other": EARLIER,
    "households leaving or lost": LOST,
    "a reason the service could act on": ACTIONABLE,
}
# Series with no role (stages, steps, reasons, channels, groups, places by use): these in
# order within a chart, never a role's colour; past six, bars repeat them hatched and
# lines in another style.
CATEGORIES = [GREEN, PURPLE, SKY_BLUE, YELLOW, INDIGO, WINE]
HATCHES = ["", "//", "..", "xx"]
# One style per recruitment stage on every page (issue 13's review): the events of a stage,
# or the households at it, are drawn alike wherever they appear, here or in the published
# trends. Approvals take green (the waterfall's joiners); the five earlier stages a colour
# each, the last two also hatched (bars) or dashed (lines), a second cue in print. Keys are
# :data:`analysis.recruitment.schema.STAGE_LABELS`'s.
STAGE_STYLES = {
    "enquiry": (PURPLE, "", "-"),
    "eoi": (SKY_BLUE, "", "-"),
    "stage1": (YELLOW, "", "-"),
    "stage2": (INDIGO, "//", "--"),
    "panel": (WINE, "//", "--"),
    "approval": (GREEN, "", "-"),
}
# Where an enquiry cohort stands: approved in the approvals' green, still in progress in
# sky blue, and those who left in the leavers' vermilion, hatched by the stage they left.
STANDING_STYLES = {
    "approved": (GREEN, ""),
    "left at enquiry": (VERMILLION, ""),
    "left at eoi": (VERMILLION, "//"),
    "left at stage1": (VERMILLION, ".."),
    "left at stage2": (VERMILLION, "xx"),
    "in progress": (SKY_BLUE, ""),
}
STYLE, CONTEXT = "whitegrid", "notebook"  # seaborn's axes style and sizes, on every page


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """Draw in the appendices' one style and palette, whatever a module or cell set globally
    before: a chart looks the same whichever page, cell or moment draws it."""
    with sns.axes_style(STYLE), sns.plotting_context(CONTEXT), sns.color_palette(CATEGORIES):
        yield


def category(i: int) -> tuple[str, str]:
    """The colour and hatch of the ``i``-th series with no role in a chart (a bar's hatch;
    lines past the fourth take another line style instead)."""
    return CATEGORIES[i % len(CATEGORIES)], HATCHES[(i // len(CATEGORIES)) % len(HATCHES)]


def year_colours(labels: Sequence[object], selected: object) -> list[str]:
    """A bar's colour for each year in ``labels``: the selected year the council's, the
    others the earlier years' grey."""
    return [SELECTED if year(x) == year(selected) else EARLIER for x in labels]


def case_light(fig: plt.Figure) -> plt.Figure:
    """Case every line drawn in a light colour (:data:`LIGHT`) in EDGE and outline its
    markers, so that it has 3:1 contrast on white as the dark ones do."""
    light = {to_hex(c) for c in LIGHT}
    for ax in fig.axes:
        for line in ax.lines:
            if to_hex(line.get_color()) in light:
                width = line.get_linewidth()
                line.set_path_effects([patheffects.Stroke(linewidth=width + 1.6, foreground=EDGE),
                                       patheffects.Normal()])  # fmt: skip
                line.set_markeredgecolor(EDGE)
    return fig


def year(label: object) -> str:
    """A financial year as the pages print it: ``2024-25`` -> ``2024/25``; anything else
    (a calendar year, a group name containing years) has its ``yyyy-yy`` years rewritten."""
    return re.sub(r"\b(\d{4})-(\d{2})\b", r"\1/\2", str(label))


def years(labels: Sequence[object]) -> list[str]:
    """:func:`year` for each label."""
    return [year(x) for x in labels]


def span(labels: Sequence[object]) -> str:
    """The years a chart covers, for its text alternative: ``2018/19 to 2024/25``, or the
    one year alone (never "2018/19 to 2018/19")."""
    shown = list(dict.fromkeys(years(labels)))
    return shown[0] if len(shown) == 1 else f"{shown[0]} to {shown[-1]}"


def no_trend(labels: Sequence[object]) -> str | None:
    """The sentence shown in place of a line chart of a trend over ``labels`` (years) that
    has fewer than two of them: one point is not a trend. None when there are two or more."""
    shown = list(dict.fromkeys(years(labels)))
    if len(shown) > 1:
        return None
    if not shown:
        return "No trend to draw: no year has figures."
    return (
        f"No trend to draw yet: {shown[0]} is the only year with figures; the table above "
        "gives them."
    )


def legend_right(ax: plt.Axes, *args: object, **kwargs: object) -> None:
    """A legend to the right of the axes, outside the data area."""
    ax.legend(*args, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, **kwargs)


def legend_below(ax: plt.Axes, *args: object, ncol: int = 2, **kwargs: object) -> None:
    """A legend beneath the axes, under its tick labels and x-axis label, so it covers
    neither the data nor the axis text. The gap is measured in points (text keeps its size
    when the figure is laid out again), from the axes' bottom edge."""
    fig = ax.figure
    fig.tight_layout()
    text = ax.get_tightbbox(fig.canvas.get_renderer())
    gap = (ax.bbox.y0 - text.y0) * 72 / fig.dpi + 4
    anchor = transforms.offset_copy(ax.transAxes, fig=fig, y=-gap, units="points")
    ax.legend(
        *args,
        loc="upper center",
        bbox_to_anchor=(0.5, 0),
        bbox_transform=anchor,
        frameon=False,
        ncol=ncol,
        **kwargs,
    )


LABEL_WIDTH = 34  # characters on a line of a bar's label


def wrapped(labels: Iterable[object], width: int = LABEL_WIDTH) -> list[str]:
    """Bar labels wrapped onto lines of at most ``width`` characters, so that long reasons
    do not squeeze a horizontal bar chart's bars into a sliver (issue 13's review)."""
    return [fill(str(label), width) for label in labels]


def mark_withheld(
    ax: plt.Axes,
    positions: Sequence[float],
    values: Sequence[float],
    horizontal: bool = False,
    label: str = "c",
) -> None:
    """Write ``label`` ("c") at the base of each bar whose value is withheld (missing), so
    that a bar left out is not read as a zero (issue 13's review: no bar at 3 or 4
    placements beside a true zero at 5 or more)."""
    for at, value in zip(positions, values, strict=True):
        if pd.isna(value):
            if horizontal:
                ax.annotate(label, (0, at), xytext=(3, 0), textcoords="offset points",
                            ha="left", va="center", color=EDGE, fontsize=9)  # fmt: skip
            else:
                ax.annotate(label, (at, 0), xytext=(0, 3), textcoords="offset points",
                            ha="center", va="bottom", color=EDGE, fontsize=9,
                            rotation=90 if len(label) > 1 else 0)  # fmt: skip


ALL_WITHHELD = "all withheld (c)"  # a stacked bar of shares the page withholds every part of


def bars_alt(
    shown: pd.DataFrame,
    count: str,
    bar: Callable[[pd.Series, float], str],
    lead: str,
    *,
    empty: str,
    withheld: str,
) -> str:
    """Text alternative for a bar chart drawn from a table as the page shows it: ``lead``,
    each drawn bar largest first (``bar(row, value)``), ``empty`` when none is, then
    ``withheld`` (with ``{n}``) for the rows whose ``count`` is withheld (no bar drawn)."""
    numbers = shown.assign(_n=pd.to_numeric(shown[count], errors="coerce"))
    drawn = numbers.dropna(subset=["_n"]).sort_values("_n", ascending=False)
    parts = [bar(row, row["_n"]) for _, row in drawn.iterrows()]
    missing = len(numbers) - len(drawn)
    return (
        lead
        + ("; ".join(parts) if parts else empty)
        + "."
        + (" " + withheld.format(n=missing) if missing else "")
    )


ENCODED = "fostering_counts"  # the attribute a chart's drawing function leaves on it


def encodes(fig: plt.Figure, keys: Iterable[str]) -> plt.Figure:
    """Say which of the page's counts (ledger keys) ``fig`` encodes beyond its own numbers:
    a share drawn as a point rests on the count of households with the outcome and on the
    group's size. :meth:`analysis.presentation.appendix.Appendix.figure` registers them
    with the chart, so the page's chart audit sees a share drawn from a withheld count."""
    setattr(fig, ENCODED, list(dict.fromkeys(keys)))
    return fig


def encoded(fig: plt.Figure) -> list[str]:
    """The ledger keys :func:`encodes` left on ``fig`` (none by default)."""
    return list(getattr(fig, ENCODED, []))


def with_withheld(shares: pd.DataFrame, whole: float = 100.0) -> pd.DataFrame:
    """``shares`` (a row per bar, summing to ``whole``) with a last column,
    :data:`WITHHELD_LABEL`, holding what the withheld (NaN) shares of each row add to: the
    shown shares stay where they are, and the withheld ones, at least two to a row under
    the page's suppression, are drawn as one segment the table's total already gives.

    A row with every share withheld has no bar at all (a bar wholly "withheld" says
    nothing): its withheld column is missing too, for :func:`mark_withheld` to label
    :data:`ALL_WITHHELD`."""
    rest = (whole - shares.sum(axis=1, skipna=True)).where(shares.isna().any(axis=1), 0.0)
    rest = rest.where(shares.notna().any(axis=1))
    if not rest.gt(0).any():
        return shares
    return shares.assign(**{WITHHELD_LABEL: rest.clip(lower=0)})
