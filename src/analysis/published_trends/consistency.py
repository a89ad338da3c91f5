"""The engine of the consistency check: judge a printed figure against its recomputed value.

A check recomputes a printed rate, percentage, average, change or total from the figures
it is built on (the topic checks are in :mod:`analysis.published_trends.checks`) and hands
both to :func:`record`, which judges them at the precision the figure was printed with
:func:`judge`: ``43%`` agrees with anything from 42.5% to 42.9...%; hedged figures
(``just over 93%``, ``around 2%``) get the leeway their words give. :class:`Figures` looks
the parts up; :func:`run` runs every check and returns one row per comparison with both
values, the difference, a verdict, the likely cause of a disagreement where the printed
figures show one, and both sources. A check whose figures are not published makes no row.

Every year's appendix runs the same checks on the same figures: within a report build the
table is computed once and reused (:func:`analysis.core.cache.once`, keyed by the figures'
content, ``own`` and the checks' source).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import pandas as pd

from analysis.core import cache
from analysis.core.years import FinancialYear
from analysis.sources.published import load as published

COLUMNS = [
    "check",
    "year",
    "figure",
    "printed",
    "printed_value",
    "recomputed",
    "formula",
    "difference",
    "verdict",
    "likely_cause",
    "printed_in",
    "parts_from",
]
AGREES, DISAGREES, CANNOT = "agrees", "disagrees", "cannot check"
# How a check names the council's own carers when no name is given.
OWN = "the council's own"


@dataclass(frozen=True)
class Part:
    """A figure used in a check: its value, how it was printed, and where."""

    value: float
    text: str
    source: str
    year: str


def _round(value: float, decimals: int, mode: str = ROUND_HALF_UP) -> float:
    return float(Decimal(f"{value:.12f}").quantize(Decimal(1).scaleb(-decimals), rounding=mode))


def _unit_step(decimals: int) -> float:
    return 10.0**-decimals


def judge(printed: float, decimals: int, qualifier: str, recomputed: float) -> tuple[str, str]:
    """Verdict and rounding note for a printed figure against its recomputed value.

    Plain figures agree when the recomputed value rounds (half up) to the printed
    one at the printed number of decimals. ``just over X`` agrees from X up to one
    printed unit above; ``nearly X`` from one unit below up to X; ``over X`` above
    X; ``around X`` within the larger of one printed unit and a tenth of X.
    """
    step = _unit_step(decimals)
    if qualifier == "just over":
        ok = printed <= recomputed < printed + step
    elif qualifier == "nearly":
        ok = printed - step < recomputed <= printed
    elif qualifier == "over":
        ok = recomputed > printed
    elif qualifier == "around":
        ok = abs(recomputed - printed) <= max(step, abs(printed) / 10)
    else:
        ok = _round(recomputed, decimals) == _round(printed, decimals)
    if ok:
        return AGREES, ""
    if not qualifier and _round(recomputed, decimals, ROUND_DOWN) == _round(printed, decimals):
        return DISAGREES, (
            f"truncated rather than rounded: {recomputed:.{decimals + 2}f} cut to "
            f"{decimals} decimal place{'' if decimals == 1 else 's'} gives the printed figure"
        )
    return DISAGREES, ""


class Figures:
    """Look-ups into the loaded published figures for the checks.

    ``own`` names the council's own carers in check names (the council's short
    name, or :data:`OWN`): "Children with {own} foster carers".
    """

    def __init__(self, figures: pd.DataFrame, own: str = OWN) -> None:
        self.all = figures
        self.own = own
        self.usable = figures[figures["status"] == "value"]
        self.titles = dict(zip(figures["source"], figures["document"], strict=False))

    def rows(
        self,
        measure: str,
        year: str,
        breakdown: str = "",
        basis: str = "",
        source: str | None = None,
        table: str | None = None,
    ) -> pd.DataFrame:
        return published.select(
            self.usable, measure, year, breakdown=breakdown, basis=basis, source=source, table=table
        )

    def part(
        self,
        measure: str,
        year: str,
        breakdown: str = "",
        basis: str = "",
        source: str | None = None,
        table: str | None = None,
    ) -> Part | None:
        """The figure as ``source`` prints it, else the latest document's, else None."""
        hit = self.rows(measure, year, breakdown, basis, source, table)
        if hit.empty:
            hit = self.rows(measure, year, breakdown, basis, None, table)
        if hit.empty:
            return None
        row = hit.sort_values("date", ascending=False, kind="stable").iloc[0]
        return Part(float(row["number"]), shown(row), row["source"], year)

    def where(self, row: pd.Series) -> str:
        """Where a figure is printed, for a reader: the document, its date and section (the
        stored text copy's hashed file name stays in ``sources.csv``)."""
        return f"{row['document']} ({printed_date(row['date'])}), {row['section']}"

    def title(self, source: str) -> str:
        return self.titles.get(source, source)


def printed_date(date: str) -> str:
    """A source's date to the precision it was recorded ("2025", "October 2025" or
    "16 October 2025"): a year alone is never shown as 1 January."""
    parts = str(date).strip().split("-")
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return pd.Timestamp(int(parts[0]), int(parts[1]), 1).strftime("%B %Y")
    return pd.Timestamp(str(date)).strftime("%-d %B %Y")


def shown(row: pd.Series) -> str:
    """A figure as printed, for the table: ``4.4%``, ``just over 93%``, ``1,798``."""
    decimals = int(row["decimals"])
    text = f"{row['number']:,.{decimals}f}"
    if row["unit"] == "percent":
        text += "%"
    if row["qualifier"]:
        text = f"{row['qualifier']} {text}"
    return text


# The transcriptions' short names in a reader's words: phrases first, then single words.
PHRASES = {
    "transfer other la": "transfer to another local authority",
    "transfer ifa": "transfer to an independent fostering agency",
    "on sgo": "on a special guardianship order",
    "at irh": "at the issues resolution hearing",
    "change la": "change in local-authority",
}
WORDS = {
    "adm": "agency decision maker",
    "stage1": "stage 1",
    "stage2": "stage 2",
    "la": "local-authority",
    "ifa": "independent fostering agency",
    "sgo": "special guardianship order",
    "irh": "issues resolution hearing",
    "lado": "LADO",
    "eoi": "expression of interest",
    "england": "England",
}
UNIT_WORDS = ("miles", "years", "weeks", "days", "months")  # a name ending in its unit


def words(name: str) -> str:
    """A short name in words: ``rate_stage2_to_approval`` -> ``Conversion rate, stage 2 to
    approval``; ``placement_radius_miles`` -> ``Placement radius (miles)``."""
    text = f" {name.replace('_', ' ').strip()} "
    for short, long in PHRASES.items():
        text = text.replace(f" {short} ", f" {long} ")
    said = [WORDS.get(w, w) for w in text.split()]
    if len(said) > 1 and said[-1] in UNIT_WORDS:
        said[-1] = f"({said[-1]})"
    text = " ".join(said)
    if text.startswith("rate ") and " to " in text:
        text = "conversion rate, " + text.removeprefix("rate ")
    return text[:1].upper() + text[1:]


def describe(row: pd.Series) -> str:
    """A figure's measure in words: ``households_approved`` -> ``Households approved``."""
    extra = [words(x).lower() if x.lower() != "england" else "England"
             for x in (row["breakdown"], row["basis"]) if x]  # fmt: skip
    return words(row["measure"]) + (f" ({', '.join(extra)})" if extra else "")


def fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}"


def record(
    kind: str,
    figures: Figures,
    row: pd.Series,
    name: str,
    recomputed: float | None,
    formula: str,
    parts: Iterable[Part],
    cause: str = "",
) -> dict[str, object]:
    """One comparison: judge the printed ``row`` against ``recomputed``."""
    printed_value = float(row["number"])
    sources = sorted({p.source for p in parts})
    base = {
        "check": kind,
        "year": row["year"],
        "figure": name,
        "printed": shown(row),
        "printed_value": printed_value,
        "printed_in": figures.where(row),
        "parts_from": "; ".join(figures.title(s) for s in sources),
    }
    if recomputed is None:
        return {
            **base,
            "recomputed": None,
            "formula": formula,
            "difference": None,
            "verdict": CANNOT,
            "likely_cause": cause,
        }
    verdict, rounding = judge(printed_value, int(row["decimals"]), row["qualifier"], recomputed)
    causes = [c for c in (rounding, cause if verdict == DISAGREES else "") if c]
    return {
        **base,
        "recomputed": recomputed,
        "formula": formula,
        "difference": printed_value - recomputed,
        "verdict": verdict,
        "likely_cause": "; ".join(causes),
    }


def percent(num: Part, den: Part) -> float:
    return 100 * num.value / den.value


def previous(year: str, back: int = 1) -> str:
    start = FinancialYear.parse(year).start_year - back
    return FinancialYear(start).label


def ratio(
    figures: Figures,
    kind: str,
    row: pd.Series,
    name: str,
    num: Part | None,
    den: Part | None,
    percent: bool,
    label: str,
    cause: str = "",
) -> dict[str, object]:
    if num is None or den is None:
        return record(kind, figures, row, name, None, label, [], "a part is not printed")
    recomputed = (100 if percent else 1) * num.value / den.value
    formula = f"{label} = {num.text} / {den.text} = {recomputed:.{3 if not percent else 2}f}"
    formula += "%" if percent else ""
    return record(kind, figures, row, name, recomputed, formula, [num, den], cause)


Check = Callable[[Figures], list[dict[str, object]]]


def run(
    figures: pd.DataFrame, checks: Sequence[Check] | None = None, *, own: str = OWN
) -> pd.DataFrame:
    """Every comparison of a printed figure with its recomputed value; see the module docstring.

    ``checks`` defaults to every topic check (:data:`analysis.published_trends.checks.ALL`);
    ``own`` is how check names call the council's own carers (its short name).
    """
    if checks is None:
        from analysis.published_trends.checks import ALL

        def key() -> list:
            code = cache.code_version(
                __name__,
                "analysis.published_trends.checks",
                "analysis.sources.published.load",
                "analysis.core.years",
            )
            return [code, cache.frame_key(figures), own]

        return cache.once("consistency", key, lambda: _run(figures, ALL, own))
    return _run(figures, checks, own)


def _run(figures: pd.DataFrame, checks: Sequence[Check], own: str) -> pd.DataFrame:
    look = Figures(figures, own)
    records = [row for check in checks for row in check(look)]
    table = pd.DataFrame(records, columns=COLUMNS)
    return table.sort_values(["year", "check", "figure"], kind="stable").reset_index(drop=True)


def disagreements(checks: pd.DataFrame, year: str | None = None) -> pd.DataFrame:
    """The comparisons that disagree beyond rounding, for one year or all."""
    hit = checks[checks["verdict"] == DISAGREES]
    if year is not None:
        hit = hit[hit["year"] == year]
    return hit.reset_index(drop=True)
