"""Recruitment as competing outcomes over time: approval, withdrawal, not progressed.

Each household's clock starts at its enquiry. It ends at the first of approval, withdrawal
(by its Ofsted code, AW0 to AW5) or "not progressed by the service" (the service closed
the application: outcome ``not progressed``, which has no Ofsted code); a household still
in progress is censored at the extract date (31 March of the appendix year). The
cumulative incidence of each outcome is the Aalen-Johansen estimate, so a recent cohort
whose households are still in progress is compared fairly with an old one: its shares
are estimated, not biased low.

Times are whole days (dates carry no time of day), shown in months of 30.44 days.
Every function takes the household table from :func:`analysis.recruitment.load.load`
(or frames derived from it here) and returns a DataFrame; nothing here reads files or draws.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.stats import norm

from analysis.core.years import FinancialYear, comparator_year, financial_year_labels
from analysis.disclosure import members
from analysis.presentation.charts import year as shown_year
from analysis.presentation.estimates import zero_text
from analysis.recruitment.measures import (
    DAYS_PER_MONTH,
    eoi_recorded,
    household_records,
)
from analysis.recruitment.schema import REASON_CODES, STAGE_LABELS

if TYPE_CHECKING:
    from analysis.presentation.appendix import Appendix

APPROVED, NOT_PROGRESSED, WITHDREW = "approved", "not progressed", "withdrew"
WITHDRAWAL_CODES = list(REASON_CODES)
OUTCOME_LABELS = {
    APPROVED: "Approved",
    WITHDREW: "Withdrew (any reason)",
    NOT_PROGRESSED: "Not progressed by the service",
    **{code: f"Withdrew: {REASON_CODES[code].lower()} ({code})" for code in WITHDRAWAL_CODES},
}
# The months since enquiry at which the incidence charts draw each estimate: the points of
# the charts' tables (a chart draws only figures a table on the page shows).
POINTS = (1, 2, 3, 6, 9, 12, 18, 24)
# An estimate as printed: the share, then its interval, or a share of 0 with its upper
# bound or "none yet" (:mod:`analysis.presentation.estimates`), drawn as 0 with no band.
_ESTIMATE = re.compile(
    r"^(\d+(?:\.\d+)?)(?: \((?:(\d+(?:\.\d+)?) to (\d+(?:\.\d+)?)"
    r"|none yet|95% upper bound \d+(?:\.\d+)?)\))?$"
)


def extract_date(year: str) -> pd.Timestamp:
    """The date the appendix year's extract stands at (31 March): where follow-up ends."""
    return FinancialYear.parse(year).end


def episodes(households: pd.DataFrame, year: str) -> pd.DataFrame:
    """One row per household: its enquiry cohort, days from enquiry to its outcome or to
    the extract date, and the outcome (``cause``: approved, AW0-AW5, not progressed; missing
    when censored) with its coarse form (``outcome``: approved, withdrew, not progressed),
    and its ``record`` (:func:`analysis.recruitment.measures.household_records`).

    Withdrawals are split by their recorded code; a "not progressed" closure is one
    outcome whatever its code (the service, not the household, ended it).
    """
    end = extract_date(year)
    outcome = households["outcome"].astype("string")
    closed = outcome.isin([WITHDREW, NOT_PROGRESSED])
    stop = households["approval_date"].where(outcome.eq(APPROVED))
    stop = stop.fillna(households["exit_date"].where(closed)).fillna(end)
    code = households["exit_reason_code"].astype("string")
    cause = pd.Series(pd.NA, index=households.index, dtype="string")
    cause = cause.mask(outcome.eq(APPROVED), APPROVED)
    cause = cause.mask(outcome.eq(NOT_PROGRESSED), NOT_PROGRESSED)
    cause = cause.mask(outcome.eq(WITHDREW), code.fillna("AW0"))
    coarse = outcome.where(outcome.isin([APPROVED, WITHDREW, NOT_PROGRESSED]))
    return pd.DataFrame(
        {
            "household_id": households["household_id"],
            "record": household_records(households),
            "cohort": financial_year_labels(households["enquiry_date"]),
            "channel": households["channel"].astype("string"),
            "household_type": households["household_type"].astype("string"),
            "exit_stage": households["exit_stage"].astype("string"),
            "days": (stop - households["enquiry_date"]).dt.days.astype(int),
            "cause": cause,
            "outcome": coarse.astype("string"),
        }
    )


def aalen_johansen(
    days: pd.Series, events: pd.Series, causes: Sequence[str] | None = None, alpha: float = 0.05
) -> pd.DataFrame:
    """The Aalen-Johansen cumulative incidence of each cause, with a confidence interval.

    ``events`` names each row's cause, missing for a censored row. One row per distinct
    time (0 and every time with an event or a censoring) and cause: ``at_risk`` (rows with
    time >= t), ``events`` (the cause at t), ``cumulative`` (the cause up to t), ``cif``,
    ``variance``, ``lower``, ``upper`` and ``survival`` (the estimated share still in
    progress just after t).

    Ties are handled exactly, with no jitter, so the same data give the same answer every
    time: all events at one time leave together (the overall survival falls by
    ``d/n`` with ``d`` every event at t), each cause's incidence rises by
    ``S(t-) * d_cause / n``, and a household censored at t counts as at risk at t
    (events before censorings). The variance is lifelines' (Collett's Greenwood-type
    delta-method formula) and the interval is on the log(-log) scale, as lifelines'
    ``AalenJohansenFitter`` computes them; on data without tied event times the two are
    equal (tests/recruitment), except that where every household still at risk has an
    event (the last time of a cohort whose outcomes are all known) lifelines gives no
    variance and this takes the term's limit, 0. Where the estimate is 0 the interval is 0
    to 0; where it is 1 there is none (the log(-log) scale has no room).
    """
    frame = pd.DataFrame({"t": np.asarray(days, dtype=float), "e": pd.array(events, "string")})
    causes = list(causes) if causes is not None else sorted(frame["e"].dropna().unique())
    times = np.union1d([0.0], frame["t"].unique())
    at_risk = len(frame) - np.searchsorted(np.sort(frame["t"].to_numpy()), times, side="left")
    observed = frame.dropna(subset=["e"])
    counts = pd.crosstab(observed["t"], observed["e"]).reindex(
        index=times, columns=causes, fill_value=0
    )
    every = observed.groupby("t").size().reindex(times, fill_value=0).to_numpy(dtype=float)
    n = at_risk.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(1 - np.where(n > 0, every / n, 0.0))
        lagged = np.concatenate([[1.0], survival[:-1]])
        # Where every household at risk has an event the term is 0 * inf at that, the last,
        # time: its limit is 0 (F(t) - F(t_i) = 0), so the variance stays defined.
        a = np.where((every > 0) & (every < n), every / (n * (n - every)), 0.0)
    z = norm.ppf(1 - alpha / 2)
    parts = []
    for cause in causes:
        d = counts[cause].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            step = np.where(d > 0, lagged * d / n, 0.0)
            cif = np.cumsum(step)
            first = np.cumsum(a * cif**2) - 2 * cif * np.cumsum(a * cif) + cif**2 * np.cumsum(a)
            second = np.cumsum(np.where(d > 0, lagged**2 * d * (n - d) / n**3, 0.0))
            b = np.where(d > 0, lagged * d / n**2, 0.0)
            third = cif * np.cumsum(b) - np.cumsum(b * cif)
            variance = first + second - 2 * third
            transformed = np.log(-np.log(cif))
            se = np.sqrt(variance) / (cif * np.abs(np.log(cif)))
            lower = np.exp(-np.exp(transformed + z * se))
            upper = np.exp(-np.exp(transformed - z * se))
        zero, whole = cif == 0, np.isclose(cif, 1)
        parts.append(
            pd.DataFrame(
                {
                    "cause": cause,
                    "days": times,
                    "at_risk": at_risk,
                    "events": d.astype(int),
                    "cumulative": np.cumsum(d).astype(int),
                    "cif": cif,
                    "variance": variance,
                    "lower": np.where(zero, 0.0, np.where(whole, np.nan, lower)),
                    "upper": np.where(zero, 0.0, np.where(whole, np.nan, upper)),
                    "survival": survival,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def cumulative_incidence(
    spells: pd.DataFrame,
    by: Sequence[str] = ("cohort",),
    level: str = "outcome",
    causes: Sequence[str] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """:func:`aalen_johansen` within each group of ``spells`` (:func:`episodes`).

    ``level`` is ``outcome`` (approved, withdrew, not progressed) or ``cause`` (approved,
    each withdrawal code, not progressed); the outcomes compete in either. Adds the group
    columns and ``households`` (the group's size).
    """
    if causes is None:
        causes = (
            [APPROVED, WITHDREW, NOT_PROGRESSED]
            if level == "outcome"
            else [APPROVED, *WITHDRAWAL_CODES, NOT_PROGRESSED]
        )
    parts = []
    for key, group in spells.groupby(list(by), sort=True, observed=True):
        curve = aalen_johansen(group["days"], group[level], causes, alpha)
        for column, value in zip(by, key if isinstance(key, tuple) else (key,), strict=True):
            curve.insert(0, column, value)
        parts.append(curve.assign(households=len(group)))
    columns = [*by, "cause", "days", "at_risk", "events", "cumulative", "cif", "variance",
               "lower", "upper", "survival", "households"]  # fmt: skip
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def at_horizon(curves: pd.DataFrame, months: float, by: Sequence[str]) -> pd.DataFrame:
    """Each group's and cause's estimate ``months`` after enquiry (the step function's value
    at the last time on or before it). Missing where no household of the group was followed
    that long and some were still in progress when their follow-up ended: beyond the data,
    not zero. (Where every household's outcome is known the estimate is final.)"""
    horizon = months * DAYS_PER_MONTH
    keys = [*by, "cause"]
    ordered = curves.sort_values("days", kind="stable")
    value = ordered[ordered["days"] <= horizon].groupby(keys, sort=False).tail(1)
    last = ordered.groupby(keys, sort=False)[["days", "survival"]].last()
    last = last.rename(columns={"days": "followed", "survival": "left"}).reset_index()
    value = value.drop(columns="days").merge(last, on=keys)
    seen = (value["followed"] >= horizon) | (value["left"] <= 0)
    for column in ("cif", "lower", "upper", "cumulative"):
        value[column] = value[column].where(seen)
    return value.drop(columns=["followed", "left"]).reset_index(drop=True)


def _percent(cif: float, lower: float, upper: float, known: int | None = None) -> str:
    """An estimate as the table prints it: with its interval, or "not yet observed"; where
    no household had the outcome, 0.0 with the exact 95% upper bound from the ``known``
    households (every household of the group, each followed to the horizon or with an
    outcome before it; None where some were censored before it), or "0.0 (none yet)"
    (:func:`analysis.presentation.estimates.zero_text`, as retention's tables say it)."""
    if pd.isna(cif):
        return "not yet observed"
    if cif == 0:
        return zero_text(known)
    interval = (
        "" if pd.isna(lower) or pd.isna(upper) else f" ({100 * lower:.1f} to {100 * upper:.1f})"
    )
    return f"{100 * cif:.1f}{interval}"


def _months(n: int) -> str:
    return "month" if n == 1 else "months"


def counted(months: int) -> str:
    """The column of :func:`incidence_table` counting households with the outcome by
    ``months`` (as observed)."""
    return f"By {months} {_months(months)} (households)"


def estimated(months: int) -> str:
    """The column of :func:`incidence_table` with the estimated % by ``months``."""
    return f"By {months} {_months(months)} (%, 95% CI)"


def incidence_table(
    curves: pd.DataFrame,
    spells: pd.DataFrame,
    by: str,
    by_label: str,
    months: Sequence[int] = (3, 12),
    causes: Sequence[str] = (APPROVED, WITHDREW, NOT_PROGRESSED),
    order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The cumulative incidence of each outcome at a few horizons, one row per group (in
    ``order``, default sorted) and outcome, as the page shows it: households in the group,
    households with the outcome by each horizon (as observed) and the estimated % with its
    95% interval (a 0 with its 95% upper bound where every household of the group was
    followed to the horizon or had an outcome before it, :func:`_percent`). ``curves``
    are :func:`cumulative_incidence` of ``spells`` by ``by``; each count carries the
    households (``spells["record"]``) it counts.

    The index labels each row uniquely ("<group>: <outcome>") for the page's ledger.
    """
    rows, cells = [], {}
    points = {m: at_horizon(curves, m, [by]).set_index([by, "cause"]) for m in months}
    sizes = curves.groupby(by, sort=True)["households"].first()
    if order is not None:
        sizes = sizes.reindex([g for g in order if g in sizes.index])
    group_of = spells[by].astype(str)
    for group, size in sizes.items():
        these = spells[group_of.eq(str(group))]
        label = shown_year(group) if by == "cohort" else str(group)
        censored = these.loc[these["cause"].isna(), "days"]
        known = {m: None if (censored < m * DAYS_PER_MONTH).any() else size for m in months}
        for cause in causes:
            outcome = OUTCOME_LABELS[cause]
            row = {by_label: label, "Outcome": outcome, "Households": size}
            index = f"{label}: {outcome}"
            cells[(index, "Households")] = frozenset(these["record"])
            had = these[these["cause"].eq(cause) | these["outcome"].eq(cause)]
            for m in months:
                point = points[m].loc[(group, cause)]
                observed = pd.notna(point["cumulative"])
                row[counted(m)] = int(point["cumulative"]) if observed else ""
                row[estimated(m)] = _percent(point["cif"], point["lower"], point["upper"], known[m])
                if observed:
                    inside = had["days"] <= m * DAYS_PER_MONTH
                    cells[(index, counted(m))] = frozenset(had.loc[inside, "record"])
            rows.append(row)
    table = pd.DataFrame(rows)
    table.index = table[by_label] + ": " + table["Outcome"]
    return members.attach(table, cells)


def incidence_rates(months: Sequence[int] = (3, 12)) -> dict[str, list[str]]:
    """The rate columns of :func:`incidence_table` and the counts each is built on."""
    return {estimated(m): ["Households", counted(m)] for m in months}


def points(
    app: Appendix, name: str, by: str, by_label: str, order: Sequence[str], months: Sequence[int]
) -> pd.DataFrame:
    """What an incidence chart draws: each group's and outcome's estimate at each of
    ``months``, read from the table ``name`` (:func:`incidence_table` with those months) as
    the page shows it now, so a chart encodes only figures the page shows.

    One row per group (``by``: its value in ``order``), outcome (``cause``) and horizon
    (``months``, from 0, where every estimate is 0): ``cif``, ``lower`` and ``upper`` as
    the table prints them (fractions), missing where the table shows no estimate (withheld
    "c", or not yet observed), and ``cells``, the ledger keys of the counts the point rests
    on (the households with the outcome by then and the group's size). A group with no
    estimate shown has no rows.
    """
    shown = app.shown(name)
    groups = {(shown_year(g) if by == "cohort" else str(g)): g for g in order}
    causes = {label: cause for cause, label in OUTCOME_LABELS.items()}
    sizes = app.keys(name, "Households")
    counts = {m: app.keys(name, counted(m)) for m in months}
    rows = []
    for i in range(len(shown)):
        row = shown.iloc[i]
        group = groups.get(str(row[by_label]))
        if group is None:
            continue
        found = []
        for m in months:
            estimate = _ESTIMATE.match(str(row[estimated(m)]).strip())
            count = pd.to_numeric(pd.Series([row[counted(m)]]), errors="coerce").iloc[0]
            drawn = estimate is not None and pd.notna(count) and counts[m][i] is not None
            cif, lower, upper = (
                [None if v is None else float(v) / 100 for v in estimate.groups()]
                if drawn
                else (None, None, None)
            )
            found.append((m, cif, lower, upper, [sizes[i], counts[m][i]] if drawn else []))
        if not any(cif is not None for _, cif, _, _, _ in found):
            continue
        for m, cif, lower, upper, cells in [(0, 0.0, 0.0, 0.0, []), *found]:
            rows.append({by: group, "cause": causes[row["Outcome"]], "months": m, "cif": cif,
                         "lower": lower, "upper": upper, "cells": cells})  # fmt: skip
    columns = [by, "cause", "months", "cif", "lower", "upper", "cells"]
    out = pd.DataFrame(rows, columns=columns)
    for column in ("cif", "lower", "upper"):
        out[column] = pd.to_numeric(out[column], errors="coerce")
    return out


def last_cohorts(years: Sequence[str], n: int) -> list[str]:
    """The last ``n`` extract years: enquiry cohorts whose enquirers are all in the extracts."""
    return sorted(years)[-n:]


# -- time to each stage and the eight-month benchmark -----------------------------------

MILESTONES = ["eoi", "stage1", "stage2", "approval"]


def time_to_stage(households: pd.DataFrame, years: Sequence[str]) -> pd.DataFrame:
    """Median whole days from enquiry to each stage among households that reached it, by
    the year they reached it (so each year's figure is complete, not waiting on the slow);
    each count of households with the households it counts."""
    ids = household_records(households)
    rows, cells = [], {}
    for i, year in enumerate(years):
        fy = FinancialYear.parse(year)
        row: dict[str, object] = {"Year reached": shown_year(year)}
        for stage in MILESTONES:
            name = STAGE_LABELS[stage]
            if stage == "eoi" and not eoi_recorded(households, year):
                row[f"{name}: households"] = ""
                row[f"{name}: median days"] = "not recorded"
                continue
            inside = households[f"{stage}_date"].between(fy.start, fy.end)
            reached = households[inside]
            days = (reached[f"{stage}_date"] - reached["enquiry_date"]).dt.days
            row[f"{name}: households"] = len(reached)
            row[f"{name}: median days"] = round(days.median()) if len(days) else ""
            cells[(i, f"{name}: households")] = frozenset(ids[inside.to_numpy()])
        rows.append(row)
    return members.attach(pd.DataFrame(rows), cells)


def time_to_stage_rates() -> dict[str, list[str]]:
    """The median columns of :func:`time_to_stage` and the count each is built on."""
    names = [STAGE_LABELS[s] for s in MILESTONES]
    return {f"{n}: median days": [f"{n}: households"] for n in names}


@dataclass(frozen=True)
class Benchmark:
    """A national figure to compare with, with where it comes from and what it says."""

    value: float
    year: str
    measure: str
    quote: str
    source: str
    url: str
    caveat: str
    published: str  # when the source came out, for a page of another year

    def when(self, page_year: str, what: str = "figure") -> str:
        """The figure's year as a page for ``page_year`` says it ("for 2022/23", or "the
        nearest figure, for 2022/23 (published March 2024)")."""
        return comparator_year(self.year, page_year, self.published, what)


# From ../shared/reference/ofsted/fostering_in_england_national.csv (measure
# share_approved_within_8_months); the test checks this copy against that row.
EIGHT_MONTHS = Benchmark(
    value=75.0,
    year="2022-23",
    measure="share_approved_within_8_months",
    quote=(
        "47 per cent (1,740) were submitted and approved in a year - of these 75 per cent "
        "were completed within around eight months"
    ),
    source=(
        "Ofsted, Recruitment and retention in mainstream fostering (transparency data, March "
        "2024), as reported by BASW/PSW"
    ),
    url="https://basw.co.uk/about-social-work/psw-magazine/articles/foster-care-applications-hit-new-five-year-low",
    caveat=(
        "a second-hand report of Ofsted's figure; its base is applications submitted and "
        "approved in the same year, and it may refer to independent agencies only"
    ),
    published="March 2024",
)


MEDIAN_FROM_APPLICATION = "Median days from application to approval"


def within_months_of_application(
    households: pd.DataFrame, years: Sequence[str], months: int = 8
) -> pd.DataFrame:
    """Households approved in each year, how many of them were approved within ``months``
    calendar months of application (the start of stage 1 assessment): approval on or
    before the application date plus ``months`` months, and their median whole days from
    application to approval (a figure every year can show, for the page's headline tile).
    Each count carries the households it counts."""
    approved = households[households["approval_date"].notna()]
    ids = household_records(approved)
    year = financial_year_labels(approved["approval_date"])
    deadline = approved["stage1_date"] + pd.DateOffset(months=months)
    inside = approved["approval_date"] <= deadline
    quick_column = f"Within {months} months of application"
    rows, cells = [], {}
    for i, label in enumerate(years):
        these = year.eq(label)
        count, quick = int(these.sum()), int((these & inside).sum())
        days = (approved["approval_date"] - approved["stage1_date"]).dt.days[these]
        rows.append(
            {
                "Year approved": shown_year(label),
                "Households approved": count,
                quick_column: quick,
                f"Within {months} months (%)": round(100 * quick / count, 1) if count else pd.NA,
                MEDIAN_FROM_APPLICATION: round(days.median()) if days.notna().any() else pd.NA,
            }
        )
        cells[(i, "Households approved")] = frozenset(ids[these.to_numpy()])
        cells[(i, quick_column)] = frozenset(ids[(these & inside).to_numpy()])
    return members.attach(pd.DataFrame(rows), cells)


# -- when withdrawals happen -------------------------------------------------------------


def _after_months(months: int) -> int:
    """The first whole day past ``months`` months: the bands end where the incidence tables'
    "by N months" ends (days up to N x 30.44), so the two count the same households."""
    return math.floor(months * DAYS_PER_MONTH) + 1


BANDS = [(0, 14, "Within 2 weeks"), (14, 28, "2 to 4 weeks"), (28, 56, "4 to 8 weeks"),
         (56, _after_months(3), "8 weeks to 3 months"),
         (_after_months(3), _after_months(6), "3 to 6 months"),
         (_after_months(6), _after_months(12), "6 to 12 months"),
         (_after_months(12), None, "More than 12 months")]  # fmt: skip
WITHIN = {"Within 2 weeks": "two weeks", "2 to 4 weeks": "four weeks",
          "4 to 8 weeks": "eight weeks", "8 weeks to 3 months": "three months",
          "3 to 6 months": "six months",
          "6 to 12 months": "twelve months", "More than 12 months": "the whole period"}  # fmt: skip
BEFORE_EOI = "Of whom before an expression of interest"
SHARE = "Of all withdrawals (%)"


def withdrawal_timing(
    spells: pd.DataFrame, cohorts: Sequence[str], eoi: bool = True
) -> pd.DataFrame:
    """Withdrawals of the ``cohorts``' enquirers by time from enquiry, and (where ``eoi``:
    every cohort's years record expressions of interest) how many of them came before one
    (left at the enquiry stage), with a total row; each count with its households."""
    gone = spells[spells["cohort"].isin(cohorts) & spells["outcome"].eq(WITHDREW)]
    rows, cells = [], {}
    for i, (low, high, label) in enumerate(BANDS):
        inside = gone["days"].ge(low) & (gone["days"].lt(high) if high else True)
        band = gone[inside]
        early = band[band["exit_stage"].eq("enquiry")]
        rows.append({"Time since enquiry": label, "Withdrew": len(band), BEFORE_EOI: len(early)})
        cells[(i, "Withdrew")] = frozenset(band["record"])
        cells[(i, BEFORE_EOI)] = frozenset(early["record"])
    table = pd.DataFrame(rows)
    total = int(table["Withdrew"].sum())
    table[SHARE] = (100 * table["Withdrew"] / total).round(1) if total else 0.0
    total_row = {
        "Time since enquiry": "Total",
        "Withdrew": total,
        BEFORE_EOI: int(table[BEFORE_EOI].sum()),
        SHARE: 100.0 if total else 0.0,
    }
    n = len(table)
    for column in ("Withdrew", BEFORE_EOI):
        cells[(n, column)] = frozenset().union(*(cells[(i, column)] for i in range(n)))
    table = pd.concat([table, pd.DataFrame([total_row])], ignore_index=True)
    if not eoi:
        table = table.drop(columns=BEFORE_EOI)
        cells = {cell: r for cell, r in cells.items() if cell[1] != BEFORE_EOI}
    return members.attach(table, cells)


def withdrawal_concentration(
    timing: pd.DataFrame, app: Appendix, name: str, latest: str | None = None
) -> str | None:
    """A sentence saying where withdrawals concentrate in time, from the table ``name``
    (:func:`withdrawal_timing`): the earliest bands that hold half of them, and the share
    of those that came before an expression of interest. ``latest`` is the last cohort the
    table pools: its enquirers were followed for under a year, so the table counts only the
    withdrawals seen so far and leans early; the sentence says so. Its counts go through
    ``app.count`` with the households they count (the total under the table's own cell
    key), so the page withholds what the table does and what subtraction would reveal."""
    found = members.of(timing)
    body = timing[timing["Time since enquiry"] != "Total"].reset_index(drop=True)
    total = int(body["Withdrew"].sum())
    if not total:
        return None
    last = int((body["Withdrew"].cumsum() >= total / 2).idxmax())
    bands = list(body.loc[:last, "Time since enquiry"])
    early = int(body.loc[:last, "Withdrew"].sum())
    total_key = app.cell(name, "Total", "Withdrew")
    early_key = f"{name}: withdrew within {bands[-1].lower()}"

    def union(column: str) -> frozenset[str]:
        return frozenset().union(*(found[(i, column)] for i in range(last + 1)))

    share = app.share(f"{100 * early / total:.1f}%", [early_key, total_key])
    sentence = (
        f"Withdrawals come early: {app.count(early, early_key, records=union('Withdrew'))} of "
        f"the {app.count(total, total_key, records=found[(len(body), 'Withdrew')])} "
        f"withdrawals ({share}) came within {WITHIN[bands[-1]]} of the enquiry"
    )
    caveat = (
        f" The enquirers of {shown_year(latest)} had been followed for under a year by "
        f"{extract_date(latest).strftime('%-d %B %Y')}: their later withdrawals are still to "
        "come, so the shares lean early."
        if latest
        else ""
    )
    if BEFORE_EOI not in body:
        return sentence + "." + caveat
    before = int(body.loc[:last, BEFORE_EOI].sum())
    before_key = f"{name}: of these, before an expression of interest"
    app.count(before, before_key, records=union(BEFORE_EOI))
    before_share = app.share(f"{100 * before / early:.1f}%", [before_key, early_key])
    return (
        f"{sentence}, and {before_share} of those before the household had expressed "
        "interest (the extract records no first-contact date, so the enquiry stage stands in "
        f"for it).{caveat}"
    )


# -- what the page says ------------------------------------------------------------------


def _first(text: object) -> str:
    """A shown estimate's percentage ("12.3 (10.1 to 14.8)" -> "12.3%"), as a reader hears it."""
    value = str(text)
    if value == "c":
        return "withheld"
    if value == "not yet observed":
        return value
    return f"{value.split(' ')[0]}%"


def incidence_title(shown: pd.DataFrame, by_label: str, months: Sequence[int]) -> str:
    """The chart's finding, from the incidence table as the page shows it: the latest
    group's withdrawals by the first of ``months``, and the latest shown approval estimate
    by the second ("74.0% of 2024/25's enquirers withdrew within 3 months of enquiry; 2.1%
    of 2022/23's were approved within 12 months")."""

    def latest(outcome: str, horizon: int) -> tuple[str, str] | None:
        for group, rows in list(shown.groupby(by_label, sort=False))[::-1]:
            value = rows.set_index("Outcome")[estimated(horizon)].get(OUTCOME_LABELS[outcome])
            if _ESTIMATE.match(str(value)) is not None:
                return str(group), _first(value)
        return None

    early, later = months[0], months[1]
    withdrew, approved = latest(WITHDREW, early), latest(APPROVED, later)
    said = []
    if withdrew is not None:
        said.append(
            f"{withdrew[1]} of {withdrew[0]}'s enquirers withdrew within {early} months of enquiry"
        )
    if approved is not None:
        said.append(
            f"{approved[1]} of {approved[0]}'s enquirers were approved within {later} months"
        )
    return (
        "; ".join(said) or "Share of each year's enquirers approved, withdrawn and not progressed"
    )


def incidence_alt(
    shown: pd.DataFrame, by_label: str, months: Sequence[int], what: str, outcomes: Sequence[str]
) -> str:
    """The text alternative of an incidence chart, from its table as the page shows it
    (withheld figures are said to be withheld): each group's estimates at ``months``."""
    said = []
    for m in months:
        column = estimated(m)
        parts = []
        for group, rows in shown.groupby(by_label, sort=False):
            values = ", ".join(
                f"{r['Outcome'].lower()} {_first(r[column])}" for _, r in rows.iterrows()
            )
            parts.append(f"{group}: {values}")
        said.append(f"By {m} {_months(m)}: " + "; ".join(parts) + ".")
    listed = ", ".join(o.lower() for o in outcomes)
    return (
        f"Step charts, one panel per outcome ({listed}), of the cumulative percentage of "
        f"{what} by months since enquiry, one line per group. "
        + " ".join(said)
        + " Each line joins the estimates the tables show; a withheld estimate is a gap."
    )


def eight_month_sentence(
    table: pd.DataFrame,
    app: Appendix,
    name: str,
    page_year: str,
    benchmark: Benchmark = EIGHT_MONTHS,
) -> str | None:
    """The latest year's share approved within eight months of application beside the
    earlier years' and the national figure (dated as a page for ``page_year`` dates it),
    its counts keyed to the table ``name`` (:func:`within_months_of_application`)."""
    if table.empty or not table["Households approved"].iloc[-1]:
        return None
    found = members.of(table)
    counts = ("Within 8 months of application", "Households approved")

    def keys(i: int) -> list[str]:
        return [app.cell(name, table["Year approved"].iloc[i], c) for c in counts]

    last = len(table) - 1
    row = table.iloc[last]
    year = row["Year approved"]
    quick, whole = (
        app.count(int(row[c]), k, records=found.get((table.index[last], c)))
        for c, k in zip(counts, keys(last), strict=True)
    )
    share = app.share(f"{row['Within 8 months (%)']:.1f}%", keys(last))
    earlier = table.iloc[:-1]
    before = ""
    if earlier["Households approved"].sum():
        pooled = (
            100
            * earlier["Within 8 months of application"].sum()
            / earlier["Households approved"].sum()
        )
        span = " to ".join(dict.fromkeys(earlier["Year approved"].iloc[[0, -1]]))
        on = [k for i in range(last) for k in keys(i)]
        before = app.share(f", against {pooled:.1f}% of those approved in {span}", on, withheld="")
    when = benchmark.when(page_year, "national figure")
    return (
        f"Of the {whole} households approved in {year}, {quick} ({share}) were approved within "
        f"eight months of applying (starting stage 1){before}. "
        f"{when[0].upper()}{when[1:]}: {benchmark.value:g}%, "
        f'"{benchmark.quote}" '
        f"({benchmark.source}; {benchmark.caveat})."
    )


HOUSEHOLD_TYPES = {"single": "Single applicant", "couple": "Couple"}


def by_channel_and_type(spells: pd.DataFrame) -> pd.DataFrame:
    """``spells`` twice over, with a ``group`` column: once by how they heard, once by
    household type (for one table and chart of both breakdowns)."""
    return pd.concat(
        [
            spells.assign(group=spells["channel"]),
            spells.assign(group=spells["household_type"].map(HOUSEHOLD_TYPES)),
        ],
        ignore_index=True,
    )
