"""Tables, charts and sentences for the placement-stability appendix.

The notebook stays thin: it loads one year's returns with :func:`load_year`, then
asks this module for each table and finding. Every table counts children, placements,
moves or rows of the returns (never lists a child), and carries the records each count
counts (:mod:`analysis.disclosure.members`), so the page's disclosure decision knows
every relation between them with none declared by hand:

- ``child``: a child looked after, ``<year>:<LA>:<CHILD>`` (a return's CHILD id is
  unique within one council's returns; the year keeps one page's records apart from
  another year's);
- ``placement``: a placement, ``<child>@<start date>#<n>`` (``n`` numbers the child's
  placements, so two starting on one day stay two). A move is counted as the placement
  the child left, so a move from a foster placement is also one of the foster
  placements that ended in the year (it is);
- ``row``: a row of a return's file, ``<file>:<spreadsheet row>``, the same for the
  validator's results and the rows set aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from analysis.core import paths
from analysis.core.atomic import atomic_write
from analysis.core.years import FinancialYear, require_year

if TYPE_CHECKING:
    from analysis.council.config import Council
from analysis.disclosure import members
from analysis.presentation.appendix import Appendix
from analysis.presentation.charts import (
    COUNCIL,
    ENGLAND,
    GREY,
    LOST,
    NEIGHBOURS,
    REGION,
    bars_alt,
    legend_below,
    legend_right,
    mark_withheld,
    years,
)
from analysis.sources.dfe import stability as dfe_stability
from analysis.sources.ssda903 import validator
from analysis.sources.ssda903.codes import PLACEMENT_GROUPS
from analysis.sources.ssda903.load import (
    QUARANTINE_KEEP,
    Aliases,
    Returns,
    declared_aliases,
    find_returns,
    read_returns,
)
from analysis.stability import measures as stability

FOLDER = "ssda903"
MEASURE_LABELS = {
    "cla_31_march": "Looked after on 31 March",
    "cla_31_march_3_plus": "... with 3 or more placements in the year",
    "cla_2_years": "Looked after on 31 March and at some time in the year before",
    "cla_2_years_3_plus": "... with 3 or more placements in 2 years",
    "long_term": "Under 16, looked after 2.5 years or more",
    "long_term_same_carer": "... with the same carer for 2 years or more",
}
HEADLINE_COUNTS = ["Children in the group", "Children meeting it"]
UNPLANNED_COUNTS = ["Ended unplanned", "Ended otherwise"]
PLACEMENT_BANDS = ["1", "2", "3", "4", "5 or more"]
# The data-quality table's columns as the page heads them.
QUALITY_COLUMNS = {
    "file": "File",
    "rows read": "Rows read",
    "rows used": "Rows used",
    "rows quarantined": "Rows set aside",
    "rows repeated in a later return": "Rows repeated in a later return",
}
# What a council's annual report prints about where children in care lived on 31 March
# (measures of its published figures), and the row of the snapshot each one matches.
PUBLISHED_SNAPSHOT = {
    "children_in_care": "All children looked after",
    "children_in_foster_care": "All fostered",
    "children_with_own_foster_carers": "With the council's own carers (incl. connected persons)",
    "children_with_ifa_carers": "Agency foster carers",
    "children_with_connected_persons_carers": "Connected persons",
}


def folder(raw: str = "example") -> Path:
    """Where the SSDA903 files are for the notebook's ``raw`` parameter."""
    return paths.raw_dir(raw) / FOLDER


def available_years(where: Path, aliases: Aliases | None = None) -> list[str]:
    """Years with a return (header and episodes) in ``where``, each year read from its dates."""
    return list(find_returns(where, aliases))


def _window(found: dict[str, tuple[Path, Path]], year: FinancialYear) -> list[tuple[Path, Path]]:
    """The (header, episodes) pairs of the year and the two before it, where present."""
    labels = [FinancialYear(year.start_year - k).label for k in (2, 1, 0)]
    return [found[label] for label in labels if label in found]


def inputs(where: Path, year: str, aliases: Aliases | None = None) -> list[Path]:
    """The files one year's indicators read: its return and the two before, where present."""
    found = find_returns(where, aliases)
    return [p for pair in _window(found, FinancialYear.parse(year)) for p in pair]


@dataclass
class Year:
    """One year's returns, history, headline indicators and the DfE validator's results."""

    year: FinancialYear
    council: Council
    returns: Returns
    history: stability.History
    indicators: pd.Series
    missing: dict[str, str]
    checks: dict[str, tuple[pd.DataFrame, dict]]


def load_year(year: str, council: Council, raw: str | Path = "example") -> Year:
    """Read and validate the year's return and the two before it (those present).

    Each return is checked by our loader and then by the DfE's validator (with the
    return before it, as the DfE runs it; cached by content): an episode row failing a
    rule that makes it unusable (``validator.UNUSABLE``) is set aside with "DfE
    validator rule NNN: message" as its reason, beside the loader's own (a row the loader
    has set aside already is not set aside twice), and is in none of the indicators. The
    validator's environment must exist (``validator.ValidatorMissing`` says how to make it).

    The year needs its own return; an indicator that needs an earlier return that is
    not there is reported as not available (``missing``), not as a figure.
    """
    where = folder(paths.raw_dir(raw, council.slug))
    aliases = declared_aliases(council.layouts)
    found = find_returns(where, aliases)
    fy = require_year(year, list(found), "SSDA903 returns")
    chosen = _window(found, fy)
    returns = read_returns([h for h, _ in chosen], [e for _, e in chosen], aliases)
    checks = {
        label: validator.validate_year(
            council.slug,
            council.new_la_code,
            where,
            label,
            validator.files_for(found, label, aliases),
        )
        for label in returns.years
    }
    returns = validator.set_aside(
        returns, {found[label][1].name: table for label, (table, _) in checks.items()}
    )
    write_quarantine(returns, paths.processed_dir(council.slug, where.parent), fy)
    history = stability.build_history(returns)
    row = stability.indicators(history, fy, returns.years).iloc[0]
    missing = stability.not_available(fy, returns.years)
    return Year(fy, council, returns, history, row, missing, checks)


def write_quarantine(returns: Returns, out_dir: Path, year: FinancialYear) -> Path:
    """Write every row the year's indicators set aside (the loader's and the validator's)
    for the analyst: ``<out_dir>/ssda903/quarantine_<year>.csv``, file, spreadsheet row,
    field, value and reason. It names children, so it stays under ``data/processed/``."""
    held = returns.quarantine
    target = out_dir / "ssda903" / f"quarantine_{year.label}.csv"
    columns = [c for c in QUARANTINE_KEEP if c in held]
    atomic_write(target, held[columns].to_csv(index=False, lineterminator="\n"))
    return target


def child_records(data: Year) -> np.ndarray:
    """Each child code's record id (``child:<year>:<LA>:<CHILD>``), by the history's code."""
    children = data.history.children
    ids = f"{data.year.label}:" + children["LA"].astype(str) + ":" + children["CHILD"].astype(str)
    return np.asarray([f"child:{i}" for i in ids], dtype=object)  # as members.records


def _by_child(
    data: Year, codes: pd.Series | np.ndarray, mask: pd.Series | np.ndarray | None = None
) -> frozenset[str]:
    """The records of the children with ``codes`` (where ``mask`` is True)."""
    codes = np.asarray(codes)
    if mask is not None:
        codes = codes[np.asarray(mask, dtype=bool)]
    return frozenset(child_records(data)[codes])


def measure_records(data: Year) -> dict[str, frozenset[str]]:
    """The children each of the six counts behind the indicators counts (one council)."""
    c = stability.cohorts(data.history, data.year)
    flags = stability.flags(c)
    return {m: _by_child(data, c["child"], flags[m]) for m in stability.MEASURES}


def headline(data: Year) -> pd.DataFrame:
    """The three indicators for the year: cohort, children meeting it, percentage.

    An indicator whose earlier returns are missing says so in the "Per cent" column.
    Each count carries the children it counts.
    """
    r = data.indicators
    found = measure_records(data)
    rows, cells = [], {}
    for i, (label, (part, whole)) in enumerate(dfe_stability.INDICATORS.items()):
        gap = data.missing.get(whole)
        rows.append(
            {
                "Indicator": label,
                "Children in the group": None if gap else int(r[whole]),
                "Children meeting it": None if gap else int(r[part]),
                "Per cent": gap or stability.percent(r[part], r[whole]),
            }
        )
        if not gap:
            cells[(i, HEADLINE_COUNTS[0])] = found[whole]
            cells[(i, HEADLINE_COUNTS[1])] = found[part]
    table = pd.DataFrame(rows).astype(dict.fromkeys(HEADLINE_COUNTS, "Int64"))  # never 892.0
    return members.attach(table, cells)


def _gap(data: Year, measure: str) -> str | None:
    """Why a measure is not available for the year (None when it is)."""
    for indicator, (columns, _) in stability.INDICATORS.items():
        if measure in columns:
            return data.missing.get(indicator)
    return None


def benchmark_table(data: Year) -> pd.DataFrame:
    """Published percentages for the year: the council, England, its region, neighbours."""
    rates = dfe_stability.rates(dfe_stability.comparison(data.council))
    wide = rates.loc[rates["year"] == data.year.label].pivot(
        index="indicator", columns="name", values="percent"
    )
    order = [data.council.short_name, "Statistical neighbours", data.council.region, "England"]
    wide = wide.astype("Int64")
    table = (
        wide.reindex(columns=order)
        .reindex(list(dfe_stability.INDICATORS))
        .rename_axis(index="Indicator", columns=None)
        .reset_index()
    )
    return table if table[order].notna().any(axis=None) else table.iloc[:0]


def _published_years(data: Year) -> list[str]:
    """The years up to the selected one with a published percentage (``2020-21``)."""
    rates = dfe_stability.rates(dfe_stability.comparison(data.council))
    rates = rates.loc[rates["percent"].notna() & (rates["year"] <= data.year.label)]
    return sorted(set(rates["year"]))


def published_gap(data: Year, lead: str = "None to show") -> str:
    """Why the benchmarks table of a year is empty: the DfE's figures held start later."""
    rates = dfe_stability.rates(dfe_stability.comparison(data.council))
    held = sorted(set(rates.loc[rates["percent"].notna(), "year"]))
    if not held:
        return f"{lead}: no DfE published figures are held for this council."
    first = FinancialYear.parse(held[0]).report_label
    return (
        f"{lead} for {data.year.report_label}: the DfE's published figures this appendix "
        f"uses (Children looked after in England) start with {first}."
    )


def trend_instead(data: Year) -> str | None:
    """The sentence in place of :func:`trend_chart` when there is no trend to draw: no
    published year up to the selected one, or only one (None when there are two or more)."""
    held = _published_years(data)
    if not held:
        return published_gap(data, "No trend to draw")
    if len(held) == 1:
        return (
            f"No trend to draw yet: {FinancialYear.parse(held[0]).report_label} is the first "
            "year of the DfE's published figures this appendix uses; the table above gives them."
        )
    return None


def _trend_rates(data: Year) -> pd.DataFrame:
    """The published indicators up to the selected year, long format, years as printed."""
    rates = dfe_stability.rates(dfe_stability.comparison(data.council))
    rates = rates.loc[rates["year"] <= data.year.label]
    return rates.assign(year=years(rates["year"]))


def trend_chart(data: Year) -> plt.Figure:
    """Each published indicator over time: council against England, region and neighbours,
    a panel each on a linear axis from 0, the legend beside the panels."""
    rates = _trend_rates(data)
    names = list(dict.fromkeys(rates["name"]))
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharex=True)
    for ax, label in zip(axes, dfe_stability.INDICATORS, strict=True):
        sns.lineplot(
            data=rates.loc[rates["indicator"] == label],
            x="year",
            y="percent",
            hue="name",
            hue_order=names,
            style="name",
            style_order=names,
            palette=[COUNCIL, ENGLAND, REGION, NEIGHBOURS][: len(names)],  # their roles
            marker="o",
            ax=ax,
            legend=ax is axes[-1],
        )
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("")
        ax.set_ylabel("Per cent")
        ax.set_ylim(0, ax.get_ylim()[1] * 1.08)  # from 0, with room above the top point
        ax.tick_params(axis="x", rotation=45)
    if axes[-1].get_legend_handles_labels()[1]:  # no line to label: no legend (nor warning)
        legend_right(axes[-1], title="", fontsize=9)
    fig.tight_layout()
    return fig


def trend_alt(data: Year) -> str:
    """Text alternative for :func:`trend_chart`: each indicator's first and latest year,
    the council beside England (published percentages)."""
    rates = _trend_rates(data)
    parts = []
    for label in dfe_stability.INDICATORS:
        rows = rates.loc[(rates["indicator"] == label) & rates["percent"].notna()]
        if rows.empty:
            continue
        first, last = rows["year"].min(), rows["year"].max()

        def at(name: str, when: str, rows: pd.DataFrame = rows) -> str:
            hit = rows.loc[(rows["name"] == name) & (rows["year"] == when), "percent"]
            return f"{hit.iloc[0]:.0f}%" if len(hit) else "not published"

        council = data.council.short_name
        parts.append(
            f"{label}: {council} {at(council, first)} in {first} and {at(council, last)} in "
            f"{last}, England {at('England', last)} in {last}"
        )
    return (
        "Line charts, one per indicator, of the published percentages by year for the "
        "council, its statistical neighbours, its region and England. "
        + ("; ".join(parts) if parts else "No published figures to draw")
        + "."
    )


def trend_title(data: Year) -> str:
    """The latest published share of children with three or more placements in the year,
    the council beside England: "10% of the council's children looked after had 3 or more
    placements in 2023/24, against 10% in England"."""
    rates = _trend_rates(data)
    first = next(iter(dfe_stability.INDICATORS))
    rows = rates.loc[(rates["indicator"] == first) & rates["percent"].notna()]
    council = data.council.short_name
    mine = rows.loc[rows["name"] == council]
    if mine.empty:
        return (
            f"Trend in the three indicators (published figures), {council} against its benchmarks"
        )
    when = mine["year"].max()
    title = (
        f"{mine.loc[mine['year'] == when, 'percent'].iloc[0]:.0f}% of {council}'s children "
        f"looked after had 3 or more placements in {when}"
    )
    england = rows.loc[(rows["name"] == "England") & (rows["year"] == when), "percent"]
    if len(england):
        title += f", against {england.iloc[0]:.0f}% in England"
    return title + " (published figures)"


def moves_title(shown: pd.DataFrame) -> str:
    """The commonest reason for a placement move, from the table as the page shows it:
    "Change to/implementation of care plan was the commonest reason for a placement move in
    the year (103 moves)"."""
    label = "Reason for the placement change"
    moves = pd.to_numeric(shown["Moves"], errors="coerce")
    if moves.notna().sum() == 0 or moves.max() == 0:
        return "Placement moves in the year by reason"
    top = shown.loc[moves.idxmax()]
    shown_only = "" if moves.notna().all() else " shown"
    return (
        f"{top[label]} was the commonest reason{shown_only} for a placement move in the year "
        f"({moves.max():,.0f} moves)"
    )


def placement_records(data: Year, rows: np.ndarray) -> np.ndarray:
    """Record ids of the history's placements at positions ``rows``
    (``placement:<child>@<start>#<n>``, ``n`` its position among the history's)."""
    p = data.history.placements
    rows = np.asarray(rows, dtype=int)
    child = [c.removeprefix("child:") for c in child_records(data)[p["child"].to_numpy()[rows]]]
    start = pd.DatetimeIndex(p["start"].to_numpy()[rows]).strftime("%Y-%m-%d")
    ids = zip(child, start, rows, strict=True)
    return np.asarray([f"placement:{c}@{d}#{n}" for c, d, n in ids], dtype=object)


def moves(data: Year) -> pd.DataFrame:
    """The year's moves (:func:`analysis.stability.measures.moves`), each with its record:
    the placement the child left."""
    m = stability.moves(data.history, data.year)
    return m.assign(record=placement_records(data, m["left"].to_numpy()))


def _counted(
    frame: pd.DataFrame, column: str, label: str, count: str, order: list[str] | None = None
) -> pd.DataFrame:
    """Rows of ``frame`` counted by ``column`` (one row per value, in ``order`` when
    given), each count with the records (``frame["record"]``) it counts."""
    counts = frame[column].value_counts()
    if order is not None:
        counts = counts.reindex(order, fill_value=0)
    table = counts.rename_axis(label).rename(count).reset_index()
    values = frame[column].astype(object)
    cells = {
        (i, count): frozenset(frame["record"][values.eq(v).to_numpy()])
        for i, v in enumerate(table[label])
    }
    return members.attach(table, cells)


def moves_by(data: Year, column: str, label: str, order: list[str] | None = None) -> pd.DataFrame:
    """The year's moves by ``column``, each count with the moves it counts."""
    return _counted(moves(data), column, label, "Moves", order)


def moves_by_reason(data: Year) -> pd.DataFrame:
    return moves_by(data, "reason", "Reason for the placement change")


def moves_by_type(data: Year) -> pd.DataFrame:
    return moves_by(data, "from_group", "Placement the child moved from", PLACEMENT_GROUPS)


def moves_by_age(data: Year) -> pd.DataFrame:
    return moves_by(data, "age_group", "Age at the move", stability.AGE_GROUPS)


def moves_chart(shown: pd.DataFrame) -> plt.Figure:
    """Moves by reason, from the moves-by-reason table as the page shows it (``shown``):
    a reason whose count is withheld has no bar and is marked "c"."""
    label = "Reason for the placement change"
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(shown) + 1))
    moves = pd.to_numeric(shown["Moves"], errors="coerce")
    ax.barh(shown[label], moves, color=COUNCIL)
    mark_withheld(ax, range(len(shown)), moves, horizontal=True)
    ax.invert_yaxis()
    ax.set_xlabel("Moves")
    fig.tight_layout()
    return fig


FOSTER_GROUPS = [
    g
    for g in PLACEMENT_GROUPS
    if g in ("Own foster carers", "Connected persons", "Agency foster carers", "Other")
]


def foster_endings(data: Year) -> pd.DataFrame:
    """Foster placements that ended in the year, one row each, with its record."""
    ended = stability.foster_endings(data.history, data.year)
    return ended.assign(record=placement_records(data, ended["placement"].to_numpy()))


def moves_alt(shown: pd.DataFrame) -> str:
    """Text alternative for :func:`moves_chart`, from the table as the page shows it."""
    label = "Reason for the placement change"
    return bars_alt(
        shown,
        "Moves",
        lambda r, n: f"{r[label].lower()} {n:,.0f}",
        "Bar chart of placement moves in the year by reason: ",
        empty="every count withheld",
        withheld="Reasons with a withheld count ({n}) have no bar and are marked c.",
    )


def unplanned(data: Year) -> pd.DataFrame:
    """Foster placements that ended in the year, by placement group and whether unplanned,
    each count with the placements it counts; the "Other" group only where a placement of
    it ended (review 16: a row of zeros for a group the year did not use)."""
    ended = foster_endings(data)
    groups = [g for g in FOSTER_GROUPS if g != "Other" or ended["group"].eq(g).any()]
    table = pd.DataFrame({"Foster placement": groups})
    cells = {}
    for column, unplanned_ in ((UNPLANNED_COUNTS[0], True), (UNPLANNED_COUNTS[1], False)):
        hit = ended.loc[ended["unplanned"].eq(unplanned_)]
        table[column] = [int(hit["group"].eq(g).sum()) for g in groups]
        for i, g in enumerate(groups):
            cells[(i, column)] = frozenset(hit.loc[hit["group"].eq(g), "record"])
    return members.attach(table, cells)


def unplanned_reasons(data: Year) -> pd.DataFrame:
    """Unplanned foster endings by reason, each count with the placements it counts."""
    ended = foster_endings(data)
    hit = ended.loc[ended["unplanned"]]
    order = sorted(hit["reason"].unique())
    return _counted(hit, "reason", "Why the foster placement ended", "Placements", order)


def _all_shown(shown: pd.DataFrame, columns: list[str]) -> pd.DataFrame | None:
    """``shown[columns]`` as numbers when the page shows every one of them, else None: a
    sum or share is written only from counts the reader can see."""
    numbers = shown[columns].apply(pd.to_numeric, errors="coerce")
    return None if numbers.isna().any().any() else numbers


def unplanned_chart(shown: pd.DataFrame) -> plt.Figure:
    """Foster placements ending in the year by placement, unplanned beside otherwise, from
    the table as the page shows it (a withheld count has no bar and is marked "c")."""
    label = "Foster placement"
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(shown) + 1.4))
    rows = np.arange(len(shown))
    bars = ((-0.2, UNPLANNED_COUNTS[0], LOST), (0.2, UNPLANNED_COUNTS[1], GREY))
    for offset, column, colour in bars:
        values = pd.to_numeric(shown[column], errors="coerce")
        ax.barh(rows + offset, values, height=0.4, color=colour, label=column)
        mark_withheld(ax, rows + offset, values, horizontal=True)
    ax.set_yticks(rows, shown[label])
    ax.invert_yaxis()
    ax.set_xlabel("Foster placements ending in the year")
    legend_below(ax)
    return fig


def unplanned_title(shown: pd.DataFrame, year: FinancialYear) -> str:
    """The share of the year's foster endings that were unplanned, when the page shows
    every count it rests on: "12 of the 85 foster placements that ended in 2024/25 ended
    unplanned (14.1%)"."""
    numbers = _all_shown(shown, UNPLANNED_COUNTS)
    generic = "Foster placements ending in the year, unplanned or otherwise"
    if numbers is None:
        return _unplanned_of_one(shown, year) or generic
    unplanned_, total = int(numbers[UNPLANNED_COUNTS[0]].sum()), int(numbers.to_numpy().sum())
    if total == 0:
        return generic
    return (
        f"{unplanned_:,} of the {total:,} foster placements that ended in {year.report_label} "
        f"ended unplanned ({100 * unplanned_ / total:.1f}%)"
    )


def _unplanned_of_one(shown: pd.DataFrame, year: FinancialYear) -> str | None:
    """The share for the placement with the most endings whose counts are both shown, when
    a count of another is withheld (review 16: a title stating no finding): "13 of the 168
    foster placements with own foster carers that ended in 2024/25 ended unplanned (7.7%)"."""
    numbers = shown[UNPLANNED_COUNTS].apply(pd.to_numeric, errors="coerce")
    whole = numbers.dropna()
    whole = whole[whole.sum(axis=1) > 0]
    if whole.empty:
        return None
    at = whole.sum(axis=1).idxmax()
    unplanned_, total = int(whole.loc[at, UNPLANNED_COUNTS[0]]), int(whole.loc[at].sum())
    return (
        f"{unplanned_:,} of the {total:,} foster placements with "
        f"{shown.loc[at, 'Foster placement'].lower()} that ended in {year.report_label} ended "
        f"unplanned ({100 * unplanned_ / total:.1f}%)"
    )


def unplanned_alt(shown: pd.DataFrame) -> str:
    """Text alternative for :func:`unplanned_chart`, from the table as the page shows it."""
    parts = []
    for _, row in shown.iterrows():
        said = [
            f"{row[c]} {c.lower()}"
            if pd.notna(pd.to_numeric(row[c], errors="coerce"))
            else f"{c.lower()} withheld"
            for c in UNPLANNED_COUNTS
        ]
        parts.append(f"{row['Foster placement'].lower()}: {', '.join(said)}")
    return (
        "Bar chart of foster placements ending in the year, by placement, unplanned beside "
        "otherwise (a withheld count has no bar and is marked c): " + "; ".join(parts) + "."
    )


def placements_chart(shown: pd.DataFrame) -> plt.Figure:
    """Children looked after on 31 March by number of placements in the year, from the table
    as the page shows it (a withheld count has no bar and is marked "c")."""
    label = "Placements in the year"
    fig, ax = plt.subplots(figsize=(7, 3.4))
    children = pd.to_numeric(shown["Children"], errors="coerce")
    ax.bar(shown[label], children, color=COUNCIL)
    mark_withheld(ax, range(len(shown)), children)
    ax.set_xlabel("Placements in the year")
    ax.set_ylabel("Children")
    fig.tight_layout()
    return fig


def looked_after(headline: pd.DataFrame) -> int | None:
    """The children looked after on 31 March as the headline table shows them (the first
    indicator's group: every child of the cohort, as the placements table counts them), or
    None where it does not."""
    group = pd.to_numeric(headline["Children in the group"], errors="coerce").iloc[0]
    return None if pd.isna(group) else int(group)


def placements_title(shown: pd.DataFrame, children: int | None = None) -> str:
    """How many of the children looked after on 31 March had one placement all year, from
    the table as the page shows it: "812 of the 903 children looked after on 31 March
    (89.9%) had one placement all year"; of ``children`` (:func:`looked_after`) where a band
    is withheld (review 16: the title had no denominator)."""
    label = "Placements in the year"
    one = pd.to_numeric(shown.loc[shown[label] == PLACEMENT_BANDS[0], "Children"], errors="coerce")
    if one.empty or one.isna().all():
        return "Children looked after on 31 March by number of placements in the year"
    n = int(one.iloc[0])
    numbers = _all_shown(shown, ["Children"])
    total = children if numbers is None else int(numbers["Children"].sum())
    if not total:
        return f"{n:,} children looked after on 31 March had one placement all year"
    return (
        f"{n:,} of the {total:,} children looked after on 31 March ({100 * n / total:.1f}%) "
        "had one placement all year"
    )


def placements_alt(shown: pd.DataFrame) -> str:
    """Text alternative for :func:`placements_chart`, from the table as the page shows it."""
    label = "Placements in the year"
    return bars_alt(
        shown,
        "Children",
        lambda r, n: f"{r[label]} placement{'' if r[label] == '1' else 's'}: {n:,.0f} children",
        "Bar chart of children looked after on 31 March by number of placements in the year: ",
        empty="every count withheld",
        withheld="Bands with a withheld count ({n}) have no bar and are marked c.",
    )


def placements(data: Year) -> pd.DataFrame:
    """Children looked after on 31 March by number of placements in the year, each count
    with the children it counts."""
    c = stability.cohorts(data.history, data.year)
    bands = np.minimum(c["placements_year"], 5).map(dict(enumerate(PLACEMENT_BANDS, start=1)))
    frame = pd.DataFrame({"band": bands, "record": child_records(data)[c["child"].to_numpy()]})
    return _counted(frame, "band", "Placements in the year", "Children", PLACEMENT_BANDS)


def at_risk(data: Year) -> pd.DataFrame:
    """Children looked after on 31 March who have moved twice or more this year, by the
    placement they are in now, each count with the children it counts."""
    c = stability.cohorts(data.history, data.year)
    per_child = stability.moves(data.history, data.year).groupby("child").size()
    moved = per_child.reindex(c["child"]).fillna(0).to_numpy() >= 2
    risk = pd.DataFrame(
        {
            "group": c["group"].to_numpy()[moved],
            "record": child_records(data)[c["child"].to_numpy()[moved]],
        }
    )
    return _counted(risk, "group", "Placement now", "Children", PLACEMENT_GROUPS)


def reconciliation(data: Year) -> pd.DataFrame:
    """Our figures from the returns against the DfE's published figures for the year.

    "From the returns" carries the children each count counts (the ``headline`` table's,
    so the two are one number to the page); the DfE's figures are published, shown as
    printed, and no count of this page."""
    published = dfe_stability.comparison(data.council)
    pub = published.loc[(published["area"] == "council") & (published["year"] == data.year.label)]
    found = measure_records(data)
    rows, cells = [], {}
    for i, measure in enumerate(stability.MEASURES):
        gap = _gap(data, measure)
        ours = None if gap else int(data.indicators[measure])
        theirs = int(pub[measure].iloc[0]) if len(pub) and pd.notna(pub[measure].iloc[0]) else None
        rows.append(
            {
                "Measure": MEASURE_LABELS[measure],
                "From the returns": gap or ours,
                "Published by the DfE (children)": "not published" if theirs is None else theirs,
                "Difference (children)": "not comparable"
                if theirs is None or ours is None
                else ours - theirs,
            }
        )
        if not gap:
            cells[(i, "From the returns")] = found[measure]
    return members.attach(pd.DataFrame(rows), cells)


def snapshot(data: Year) -> pd.DataFrame:
    """Children looked after on 31 March by placement, beside the figures the council's annual
    report printed for the same date, where it printed any (read from its published figures).

    Each count carries the children it counts; the annual report's are published. With
    no printed figure the table shows the five placement groups, all fostered and all
    children looked after."""
    from analysis.sources.published import load as published

    c = stability.cohorts(data.history, data.year)
    groups = c["group"].to_numpy()
    own, connected = "Own foster carers", "Connected persons"
    masks = {g: groups == g for g in PLACEMENT_GROUPS}
    masks["All fostered"] = c["PLACE"].isin(stability.FOSTER).to_numpy()
    masks["All children looked after"] = np.ones(len(c), dtype=bool)
    masks[PUBLISHED_SNAPSHOT["children_with_own_foster_carers"]] = masks[own] | masks[connected]
    figures = published.load_all(data.council.published)
    printed = published.preferred(figures)
    printed = printed[
        (printed["year"] == data.year.label)
        & printed["measure"].isin(PUBLISHED_SNAPSHOT)
        & (printed["breakdown"] == "")
        & (printed["basis"] == "")
    ]
    shown = dict(zip(printed["measure"].map(PUBLISHED_SNAPSHOT), printed["number"], strict=True))
    if shown:
        order = [row for row in PUBLISHED_SNAPSHOT.values() if row in shown]
    else:
        order = [*PLACEMENT_GROUPS, "All fostered", "All children looked after"]
    column = "Children (returns)"
    table = pd.DataFrame(
        {"Placement on 31 March": order, column: [int(masks[r].sum()) for r in order]}
    )
    if shown:
        table[f"Annual report {data.year.report_label} (children)"] = pd.array(
            [shown[r] for r in order], dtype="Int64"
        )
    cells = {(i, column): _by_child(data, c["child"], masks[r]) for i, r in enumerate(order)}
    return members.attach(table, cells)


def data_quality(data: Year) -> pd.DataFrame:
    """Per file: rows read = rows used + rows set aside + rows repeated in a later return
    (declared as a total); the rows set aside carry their records (``row``)."""
    table = data.returns.reconciliation()
    held = data.returns.quarantine
    ids = _row_records(held)
    cells = {
        (i, "Rows set aside"): frozenset(ids[held["source_file"].eq(f).to_numpy()])
        for i, f in enumerate(table["file"])
    }
    table = table.rename(columns=QUALITY_COLUMNS)
    return members.attach(table, cells)


def _row_records(rows: pd.DataFrame) -> np.ndarray:
    """Record ids of rows of the returns' files (``row:<file>:<spreadsheet row>``)."""
    return np.asarray(
        [
            f"row:{f}:{int(n)}"
            for f, n in zip(rows["source_file"].astype(str), rows["source_row"], strict=True)
        ],
        dtype=object,
    )


def quarantine_reasons(data: Year) -> pd.DataFrame:
    """Rows set aside by reason and field, each count with the rows it counts."""
    q = data.returns.quarantine
    if q.empty:
        return pd.DataFrame({"Reason": [], "Field": [], "Rows": []})
    ids = _row_records(q)
    table = (
        q.groupby(["reason", "column"])
        .size()
        .rename("Rows")
        .reset_index()
        .rename(columns={"reason": "Reason", "column": "Field"})
    )
    cells = {
        (i, "Rows"): frozenset(ids[(q["reason"].eq(r) & q["column"].eq(f)).to_numpy()])
        for i, (r, f) in enumerate(zip(table["Reason"], table["Field"], strict=True))
    }
    return members.attach(table, cells)


def findings(data: Year, appendix: Appendix) -> list[str]:
    """Key findings as sentences, generated from the figures: at most five
    (:data:`analysis.presentation.appendix.MAX_FINDINGS`), the three national indicators
    (or why one is not available), the year's moves and their main reason, and the share
    of foster placements ending unplanned. The reconciliation with the DfE's figures and
    the validator's queries are said in the technical annex, not here.

    Counts go through ``appendix.count`` with the records they count and under the keys
    of the ``headline`` table's cells, and percentages through ``appendix.share`` on the
    counts of the tables the notebook shows them in (``headline``, ``reasons``,
    ``unplanned``), so a sentence never states what a table withholds."""
    r = data.indicators
    year = data.year
    pub = dfe_stability.rates(dfe_stability.comparison(data.council))
    pub = pub.loc[pub["year"] == year.label].set_index(["indicator", "name"])["percent"]
    labels = {whole: label for label, (_, whole) in dfe_stability.INDICATORS.items()}
    found = measure_records(data)

    def cohort(whole: str) -> str:
        key = appendix.cell("headline", labels[whole], "Children in the group")
        return appendix.count(int(r[whole]), key, records=found[whole])

    def percent(part: str, whole: str) -> str:
        on = [appendix.cell("headline", labels[whole], c) for c in HEADLINE_COUNTS]
        return appendix.share(f"{stability.percent(r[part], r[whole])}%", on)

    out = []
    eng = pub.get(("3+ placements in the year", "England"))
    compare = (
        "" if eng is None or pd.isna(eng) else f", against {eng:.0f}% in England (lower is better)"
    )
    out.append(
        f"Of the {cohort('cla_31_march')} children looked after on 31 March {year.end.year}, "
        f"{percent('cla_31_march_3_plus', 'cla_31_march')} had three or more placements "
        f"during {year.report_label}{compare}."
    )
    if "cla_2_years" in data.missing:
        out.append(f"The two-year indicator is {data.missing['cla_2_years']}.")
    else:
        out.append(
            f"Of the {cohort('cla_2_years')} children looked after on 31 March {year.end.year} "
            f"who were also in care during the previous year, "
            f"{percent('cla_2_years_3_plus', 'cla_2_years')} had three or more placements "
            "over the two years."
        )
    if "long_term" in data.missing:
        out.append(f"The long-term stability indicator is {data.missing['long_term']}.")
    else:
        eng3 = pub.get(("Same carer 2+ years (under 16s)", "England"))
        tail = "" if eng3 is None or pd.isna(eng3) else f" (England: {eng3:.0f}%, higher is better)"
        out.append(
            f"Of the {cohort('long_term')} under-16s looked after for at least two and a half "
            f"years, {percent('long_term_same_carer', 'long_term')} had lived with the same "
            f"carer for two years or more{tail}."
        )
    m = moves(data)
    if len(m):
        top = m["reason"].value_counts()
        total = appendix.count(len(m), "moves", records=frozenset(m["record"]))
        on = ["moves", appendix.cell("reasons", top.index[0], "Moves")]
        share = appendix.share(f"{100 * top.iloc[0] / len(m):.1f}%", on)
        out.append(
            f"There were {total} placement moves in the year; the "
            f"most common recorded reason was '{top.index[0]}' ({share} of moves)."
        )
    ended = unplanned(data)
    total = int(ended[UNPLANNED_COUNTS].to_numpy().sum())
    if total:
        on = [
            appendix.cell("unplanned", group, column)
            for group in ended["Foster placement"]
            for column in UNPLANNED_COUNTS
        ]
        share = f"{100 * ended['Ended unplanned'].sum() / total:.1f}"
        out.append(
            f"{appendix.share(f'{share}%', on)} of foster placements that ended in the year "
            "ended unplanned (carer request, allegation or standards concern)."
        )
    return out


def _validator_records(data: Year, failed: pd.DataFrame) -> list[frozenset[str]]:
    """For each failed rule and table, the rows it queries as ``row`` records (the same
    ids as the rows set aside): the year's file for "Header"/"Episodes", the previous
    year's for "Header_last"/"Episodes_last"."""
    files = {label: (h.name, e.name) for label, (h, e) in data.returns.files.items()}
    last = data.year.previous.label
    out = []
    for table, rows in zip(failed["Table"], failed["Rows"], strict=True):
        label = last if table.endswith("_last") else data.year.label
        pair = files.get(label, (f"{label} header", f"{label} episodes"))
        name = pair[0] if table.startswith("Header") else pair[1]
        out.append(frozenset(f"row:{name}:{int(n)}" for n in str(rows).split()))
    return out


def neighbours_note(council: Council) -> str:
    """Which councils the pooled statistical neighbours are, and from which model."""
    from analysis.sources.dfe import areas

    names = areas.authorities()
    listed = ", ".join(names[code]["name"] for code in council.neighbours)
    model = areas.statistical_neighbours(council.la_code) == list(council.neighbours)
    where = (
        f"the {len(council.neighbours)} councils the DfE's 2025 statistical-neighbour model "
        f"finds most like {council.short_name}, closest first"
        if model
        else f"the {len(council.neighbours)} councils {council.short_name}'s configuration names"
    )
    return (
        f"Statistical neighbours: {where}: {listed}. Their children are added together before "
        "each percentage is worked out, and the same list is used for every year shown."
    )


def _rules_year(ruleset: str) -> str:
    """``2024/25`` from the validator's name for a year's rules (``lac2024_25``)."""
    found = re.fullmatch(r"lac(\d{4})_(\d{2})", ruleset)
    return f"{found[1]}/{found[2]}" if found else ruleset


def validator_results(data: Year, appendix: Appendix) -> tuple[pd.DataFrame, str]:
    """What the DfE's validator will query in the year's return: (table, sentence).

    One row per rule the return fails and table: rule code, the validator's message,
    rows affected (with the rows as ``row`` records); the validator's own bugs
    (``validator.KNOWN_BUGS``) are marked as such. A rule that raised an error checked
    nothing, so the return does not fail it: the sentence names it, the table does not.
    The sentence's count of rows queried (distinct rows failing a rule that is not a
    known bug) goes through ``appendix.count`` with its records. Row numbers stay in the
    analyst's CSV (``data/processed/<council>/ssda903/``), never on the page.
    """
    table, result = data.checks[data.year.label]
    rules = len(result["status"])
    checked = sum(status in ("pass", "fail") for status in result["status"].values())
    errors = sorted(code for code, status in result["status"].items() if status == "error")
    failed = table.loc[table["Rule"].map(result["status"]).eq("fail")].reset_index(drop=True)
    records = _validator_records(data, failed)
    real = [r for r, bug in zip(records, failed["Known validator bug"], strict=True) if not bug]
    rows = frozenset().union(*real)
    n_rules = failed.loc[~failed["Known validator bug"], "Rule"].nunique()
    queried = appendix.count(len(rows), "rows queried", records=rows)
    ruleset = _rules_year(result["ruleset"])
    sentence = (
        f"The validator's checks for {ruleset} ({checked} of its {rules} rules apply to the "
        "header and episode records with the previous year's) "
        + (
            "find nothing to query."
            if not real
            else f"query {queried} rows under {n_rules} rule{'' if n_rules == 1 else 's'}."
        )
    )
    if result["note"]:
        sentence += (
            f" It has no checks of its own for {data.year.report_label}, so those for "
            f"{ruleset} were used."
        )
    for code in errors:
        bug = validator.KNOWN_BUGS.get(code)
        sentence += f" One check (rule {code}) could not be run" + (
            f": a fault in the validator, not the return (it {bug})." if bug else "."
        )
    shown = failed.assign(
        Note=failed["Rule"]
        .map(validator.KNOWN_BUGS)
        .fillna("")
        .map(lambda text: f"A fault in the validator: it {text}" if text else "")
    )[["Rule", "Message", "Table", "Rows affected", "Note"]]
    cells = {(i, "Rows affected"): r for i, r in enumerate(records)}
    return members.attach(shown, cells), sentence
