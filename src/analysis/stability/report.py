"""Tables, charts and sentences for the placement-stability appendix.

The notebook stays thin: it loads one year's returns with :func:`load_year`, then
asks this module for each table and finding. Every table counts children or moves
(never lists a child), so small-number suppression can be applied by the Appendix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from analysis.core import paths
from analysis.core.atomic import atomic_write
from analysis.core.years import FinancialYear, require_year

if TYPE_CHECKING:
    from analysis.council.config import Council
from analysis.presentation.appendix import Appendix
from analysis.presentation.charts import OKABE_ITO, legend_right, years
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


def headline(data: Year) -> pd.DataFrame:
    """The three indicators for the year: cohort, children meeting it, percentage.

    An indicator whose earlier returns are missing says so in the "Per cent" column.
    """
    r = data.indicators
    rows = []
    for label, (part, whole) in dfe_stability.INDICATORS.items():
        gap = data.missing.get(whole)
        rows.append(
            {
                "Indicator": label,
                "Children in the group": None if gap else int(r[whole]),
                "Children meeting it": None if gap else int(r[part]),
                "Per cent": gap or stability.percent(r[part], r[whole]),
            }
        )
    return pd.DataFrame(rows)


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
    return (
        wide.reindex(columns=order)
        .reindex(list(dfe_stability.INDICATORS))
        .rename_axis("Indicator")
        .reset_index()
    )


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
            palette=OKABE_ITO[: len(names)],
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
        legend_right(axes[-1], title="", fontsize=8)
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


def moves_by(data: Year, column: str, label: str, order: list[str] | None = None) -> pd.DataFrame:
    m = stability.moves(data.history, data.year)
    counts = m[column].value_counts()
    if order is not None:
        counts = counts.reindex(order, fill_value=0)
    return counts.rename_axis(label).rename("Moves").reset_index()


def moves_by_reason(data: Year) -> pd.DataFrame:
    return moves_by(data, "reason", "Reason for the placement change")


def moves_by_type(data: Year) -> pd.DataFrame:
    return moves_by(data, "from_group", "Placement the child moved from", PLACEMENT_GROUPS)


def moves_by_age(data: Year) -> pd.DataFrame:
    return moves_by(data, "age_group", "Age at the move", stability.AGE_GROUPS)


def moves_chart(shown: pd.DataFrame) -> plt.Figure:
    """Moves by reason, from the moves-by-reason table as the page shows it (``shown``):
    a reason whose count is withheld has no bar."""
    label = "Reason for the placement change"
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(shown) + 1))
    ax.barh(shown[label], pd.to_numeric(shown["Moves"], errors="coerce"), color=OKABE_ITO[0])
    ax.invert_yaxis()
    ax.set_xlabel("Moves")
    fig.tight_layout()
    return fig


def moves_alt(shown: pd.DataFrame) -> str:
    """Text alternative for :func:`moves_chart`, from the table as the page shows it."""
    label = "Reason for the placement change"
    moves = shown.assign(n=pd.to_numeric(shown["Moves"], errors="coerce"))
    drawn = moves.dropna(subset=["n"]).sort_values("n", ascending=False)
    parts = [f"{r[label].lower()} {r['n']:,.0f}" for _, r in drawn.iterrows()]
    withheld = len(moves) - len(drawn)
    return (
        "Bar chart of placement moves in the year by reason: "
        + ("; ".join(parts) if parts else "every count withheld")
        + "."
        + (f" {withheld} reasons with a withheld count have no bar." if withheld else "")
    )


def unplanned(data: Year) -> pd.DataFrame:
    """Foster placements that ended in the year, by placement group and whether unplanned."""
    ended = stability.unplanned_foster_endings(data.history, data.year)
    table = ended.pivot_table(
        index="group", columns="unplanned", values="placements", aggfunc="sum", fill_value=0
    )
    table = table.reindex(columns=[True, False], fill_value=0).rename(
        columns={True: "Ended unplanned", False: "Ended otherwise"}
    )
    table = table.reindex(
        [
            g
            for g in PLACEMENT_GROUPS
            if g in ("Own foster carers", "Connected persons", "Agency foster carers", "Other")
        ],
        fill_value=0,
    )
    return table.rename_axis("Foster placement").reset_index()


def unplanned_reasons(data: Year) -> pd.DataFrame:
    ended = stability.unplanned_foster_endings(data.history, data.year)
    hit = ended.loc[ended["unplanned"]].groupby("reason")["placements"].sum()
    return hit.rename_axis("Why the foster placement ended").rename("Placements").reset_index()


def reconciliation(data: Year) -> pd.DataFrame:
    """Our figures from the returns against the DfE's published figures for the year."""
    published = dfe_stability.comparison(data.council)
    pub = published.loc[(published["area"] == "council") & (published["year"] == data.year.label)]
    rows = []
    for measure in stability.MEASURES:
        gap = _gap(data, measure)
        ours = None if gap else int(data.indicators[measure])
        theirs = int(pub[measure].iloc[0]) if len(pub) and pd.notna(pub[measure].iloc[0]) else None
        rows.append(
            {
                "Measure": MEASURE_LABELS[measure],
                "From the returns": gap or ours,
                "Published by the DfE": "not published" if theirs is None else theirs,
                "Difference": "not comparable" if theirs is None or ours is None else ours - theirs,
            }
        )
    return pd.DataFrame(rows)


def snapshot(data: Year) -> pd.DataFrame:
    """Children looked after on 31 March by placement, beside the figures the council's annual
    report printed for the same date, where it printed any (read from its published figures)."""
    from analysis.sources.published import load as published

    counts = stability.snapshot(data.history, data.year).astype(int)
    counts["With the council's own carers (incl. connected persons)"] = (
        counts["Own foster carers"] + counts["Connected persons"]
    )
    table = counts.rename_axis("Placement on 31 March").rename("Children (returns)").reset_index()
    figures = published.load_all(data.council.published)
    printed = published.preferred(figures)
    printed = printed[
        (printed["year"] == data.year.label)
        & printed["measure"].isin(PUBLISHED_SNAPSHOT)
        & (printed["breakdown"] == "")
        & (printed["basis"] == "")
    ]
    if printed.empty:  # a fresh index: rows keep their labels as keys (relate_children)
        own = list(PUBLISHED_SNAPSHOT.values())[2]
        return table[table["Placement on 31 March"] != own].reset_index(drop=True)
    label = f"Annual report {data.year.report_label}"
    shown = dict(zip(printed["measure"].map(PUBLISHED_SNAPSHOT), printed["number"], strict=True))
    table = table[table["Placement on 31 March"].isin(shown)].copy()
    table[label] = table["Placement on 31 March"].map(shown).astype("Int64")
    order = [row for row in PUBLISHED_SNAPSHOT.values() if row in shown]
    return table.set_index("Placement on 31 March").loc[order].reset_index()


def data_quality(data: Year) -> pd.DataFrame:
    return data.returns.reconciliation()


def quarantine_reasons(data: Year) -> pd.DataFrame:
    q = data.returns.quarantine
    if q.empty:
        return pd.DataFrame({"Reason": [], "Field": [], "Rows": []})
    return (
        q.groupby(["reason", "column"])
        .size()
        .rename("Rows")
        .reset_index()
        .rename(columns={"reason": "Reason", "column": "Field"})
    )


def findings(data: Year, appendix: Appendix) -> list[str]:
    """Key findings as sentences, generated from the figures.

    Counts go through ``appendix.count`` and percentages through ``appendix.share``
    under the keys of the tables the notebook shows them in (``headline``, ``reasons``,
    ``unplanned``, and ``moves``, the group the three moves tables break down), so a
    sentence never states what a table withholds."""
    r = data.indicators
    year = data.year
    pub = dfe_stability.rates(dfe_stability.comparison(data.council))
    pub = pub.loc[pub["year"] == year.label].set_index(["indicator", "name"])["percent"]
    labels = {whole: label for label, (_, whole) in dfe_stability.INDICATORS.items()}

    def cohort(whole: str) -> str:
        key = appendix.cell("headline", labels[whole], "Children in the group")
        return appendix.count(int(r[whole]), key)

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
    m = stability.moves(data.history, year)
    if len(m):
        top = m["reason"].value_counts()
        on = ["moves", appendix.cell("reasons", top.index[0], "Moves")]
        share = appendix.share(f"{round(100 * top.iloc[0] / len(m))}%", on)
        out.append(
            f"There were {appendix.count(len(m), 'moves')} placement moves in the year; the "
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
        share = round(100 * ended["Ended unplanned"].sum() / total)
        out.append(
            f"{appendix.share(f'{share}%', on)} of foster placements that ended in the year "
            "ended unplanned (carer request, allegation or standards concern)."
        )
    return out


def relate_reconciliation(appendix: Appendix) -> None:
    """The returns' figures in the ``reconciliation`` table are the ``headline`` table's
    cohorts and children meeting each indicator (one number shown twice)."""
    for label, (part, whole) in dfe_stability.INDICATORS.items():
        for measure, column in ((whole, HEADLINE_COUNTS[0]), (part, HEADLINE_COUNTS[1])):
            appendix.relate(
                appendix.cell("reconciliation", MEASURE_LABELS[measure], "From the returns"),
                [appendix.cell("headline", label, column)],
            )


def relate_children(appendix: Appendix) -> None:
    """Children looked after on 31 March are one group across tables: the ``placements``
    table breaks down the first indicator's cohort (its rows of three or more placements,
    the children meeting it), and in the ``snapshot`` table the five placement groups add
    up to all children looked after, own carers and connected persons to the council's
    own (rows the table does not show relate nothing). "All fostered" also counts foster
    placements in "Other" (an unknown provider), so it is not declared as a sum."""
    label = next(iter(dfe_stability.INDICATORS))
    cohort, meeting = (appendix.cell("headline", label, c) for c in HEADLINE_COUNTS)
    rows = ["1", "2", "3", "4", "5 or more"]
    appendix.relate(cohort, [appendix.cell("placements", r, "children") for r in rows])
    appendix.relate(meeting, [appendix.cell("placements", r, "children") for r in rows[2:]])
    snapshot = {
        row: appendix.cell("snapshot", row, "Children (returns)")
        for row in [*PLACEMENT_GROUPS, *PUBLISHED_SNAPSHOT.values()]
    }
    everyone = snapshot[PUBLISHED_SNAPSHOT["children_in_care"]]
    appendix.relate(everyone, [snapshot[g] for g in PLACEMENT_GROUPS])
    appendix.relate(everyone, [cohort])
    appendix.relate(
        snapshot[PUBLISHED_SNAPSHOT["children_with_own_foster_carers"]],
        [snapshot["Own foster carers"], snapshot["Connected persons"]],
    )


def validator_results(data: Year, appendix: Appendix) -> tuple[pd.DataFrame, str]:
    """What the DfE's validator will query in the year's return: (table, sentence).

    The sentence's count of rows queried goes through ``appendix.count`` (key ``rows
    queried``; :func:`relate_validator` ties it to the table's rows).

    One row per failed rule and table: rule code, the validator's message, rows affected.
    Row numbers stay in the analyst's CSV (``data/processed/<council>/ssda903/``), never on
    the page; the validator's own bugs (``validator.KNOWN_BUGS``) are marked as such.
    """
    table, result = data.checks[data.year.label]
    rules = len(result["status"])
    checked = sum(status in ("pass", "fail") for status in result["status"].values())
    real = table.loc[~table["Known validator bug"]]
    queried = appendix.count(int(real["Rows affected"].sum()), "rows queried")
    sentence = (
        f"The validator's {result['ruleset']} rules ({rules} rules, {checked} of which apply to "
        f"the header and episodes tables with the previous year's) "
        + (
            "find nothing to query."
            if real.empty
            else f"query {queried} rows under {real['Rule'].nunique()} rules."
        )
    )
    if result["note"]:
        sentence += f" Note: {result['note']}."
    shown = table.assign(
        Note=table["Rule"]
        .map(validator.KNOWN_BUGS)
        .fillna("")
        .map(lambda text: f"validator bug: {text}" if text else "")
    )
    return shown[["Rule", "Message", "Table", "Rows affected", "Note"]], sentence


def relate_validator(appendix: Appendix, checks: pd.DataFrame) -> None:
    """The rows the sentence says the validator queries are the ``validator`` table's rows
    that are not the validator's own bugs."""
    keys = appendix.keys("validator", "Rows affected")
    real = [k for k, note in zip(keys, checks["Note"], strict=True) if k and not note]
    appendix.relate("rows queried", real)
