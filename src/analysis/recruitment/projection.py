"""A projection of next year's approvals from the households in progress at the extract date.

Method (also in docs/assumptions.md, "Recruitment: time to event"):

1. Each household in progress on 31 March is placed at the latest stage it has reached
   (enquiry, expression of interest, stage 1, stage 2, panel) and how long it has been
   there (days since that stage's date).
2. Its chance of approval within the next 12 months is estimated from the recent
   progression of households like it: of the households that entered the same stage in
   the last ``recent`` financial years and were still at that stage after as long (to the
   start of the time-in-stage band it falls in: 0, 3, 6 or 12 months), the Aalen-Johansen
   cumulative incidence of approval 12 months on, with withdrawal and "not progressed"
   competing and households still in progress censored at the extract date. Where fewer
   than :data:`MIN_REFERENCE` such households exist, the next shorter band is used.
3. Households are taken as independent, so the number approved is a sum of independent
   yes/no outcomes (Poisson-binomial): its expectation is the sum of the chances, and the
   interval is read off its exact distribution (no simulation, so no seed).

The interval reflects the chance in which households get through, not the uncertainty in
the estimated chances: it is a projection of the present pipeline, not a forecast.

Households who have not yet enquired are a second part, labelled apart
(:func:`new_enquirers`): next year's enquiries are taken as the mean of the last ``recent``
years', each enquiring at a time of year as the recent enquirers did, and approved by the end
of next year with the recent enquiry cohorts' cumulative incidence of approval (Aalen-Johansen,
withdrawal and "not progressed" competing) over the time from its enquiry to 31 March. The
number of enquiries is taken as Poisson, each approved independently, so the number approved
is Poisson too (its mean the expected approvals); the total adds the two independent parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.stats import poisson

from analysis.core.years import FinancialYear
from analysis.disclosure import members
from analysis.recruitment.measures import household_records
from analysis.recruitment.schema import STAGE_LABELS
from analysis.recruitment.time_to_event import (
    APPROVED,
    NOT_PROGRESSED,
    WITHDREW,
    aalen_johansen,
    at_horizon,
    episodes,
    extract_date,
)

if TYPE_CHECKING:
    from analysis.presentation.appendix import Appendix

PIPELINE = ["enquiry", "eoi", "stage1", "stage2", "panel"]
BANDS_DAYS = [0, 91, 182, 365]  # time-in-stage bands: 0, 3, 6 and 12 months
MIN_REFERENCE = 20
HORIZON_MONTHS = 12


def positions(households: pd.DataFrame, year: str) -> pd.DataFrame:
    """Households in progress at the extract date: latest stage reached and days there
    (with each household's ``record``, :func:`analysis.recruitment.measures.household_records`)."""
    live = households[households["outcome"].astype("string").eq("in progress")]
    stage = pd.Series("enquiry", index=live.index, dtype="string")
    since = live["enquiry_date"].copy()
    for name in PIPELINE[1:]:
        reached = live[f"{name}_date"].notna()
        stage = stage.mask(reached, name)
        since = since.mask(reached, live[f"{name}_date"])
    return pd.DataFrame(
        {
            "household_id": live["household_id"],
            "record": household_records(live),
            "stage": stage,
            "days_in_stage": (extract_date(year) - since).dt.days.astype(int),
        }
    ).reset_index(drop=True)


def stage_spells(households: pd.DataFrame, year: str, stage: str, recent: int) -> pd.DataFrame:
    """Households that entered ``stage`` in the last ``recent`` years to ``year``: days from
    entering it to leaving it (a later stage, approval, closure or the extract date), and
    to their outcome (approval or closure; censored at the extract date)."""
    end = extract_date(year)
    first = FinancialYear.parse(year)
    for _ in range(recent - 1):
        first = first.previous
    entered = households[f"{stage}_date"]
    these = households[entered.between(first.start, end)]
    entry = these[f"{stage}_date"]
    later = [f"{s}_date" for s in PIPELINE[PIPELINE.index(stage) + 1 :]]
    outcome = these["outcome"].astype("string")
    finish = these["approval_date"].where(outcome.eq(APPROVED))
    finish = finish.fillna(these["exit_date"].where(outcome.isin([WITHDREW, NOT_PROGRESSED])))
    left = these[[*later, "approval_date", "exit_date"]].min(axis=1).fillna(end)
    cause = outcome.where(outcome.isin([APPROVED, WITHDREW, NOT_PROGRESSED]))
    cause = cause.replace({WITHDREW: "closed", NOT_PROGRESSED: "closed"})
    return pd.DataFrame(
        {
            "in_stage": (left - entry).dt.days.astype(int),
            "to_outcome": (finish.fillna(end) - entry).dt.days.astype(int),
            "cause": cause.astype("string"),
        }
    ).reset_index(drop=True)


def chance_of_approval(spells: pd.DataFrame, days_in_stage: int, horizon_months: float) -> float:
    """Chance of approval within ``horizon_months`` for a household ``days_in_stage`` into
    the stage, from ``spells`` (:func:`stage_spells`): Aalen-Johansen on the spells still
    in the stage by then, their clock started there."""
    still = spells[spells["in_stage"] >= days_in_stage]
    curve = aalen_johansen(
        still["to_outcome"] - days_in_stage, still["cause"], [APPROVED, "closed"]
    ).assign(group="all")
    point = at_horizon(curve, horizon_months, ["group"]).set_index("cause").loc[APPROVED]
    if pd.isna(point["cif"]):  # nobody followed that long: the last estimate the data give
        return float(curve.loc[curve["cause"] == APPROVED, "cif"].iloc[-1])
    return float(point["cif"])


def chances(
    households: pd.DataFrame,
    year: str,
    recent: int = 3,
    horizon_months: float = HORIZON_MONTHS,
    min_reference: int = MIN_REFERENCE,
) -> pd.DataFrame:
    """:func:`positions` with each household's time-in-stage band (``band_days``, after any
    fall-back), the number of reference households behind its chance (``reference``), and
    its chance of approval within ``horizon_months`` (``chance``)."""
    where = positions(households, year)
    spells = {s: stage_spells(households, year, s, recent) for s in PIPELINE}
    found: dict[tuple[str, int], float] = {}  # one fit per stage and band, not per household
    bands, sizes, values = [], [], []
    for row in where.itertuples():
        reference = spells[row.stage]
        candidates = [b for b in BANDS_DAYS if b <= row.days_in_stage][::-1]
        band = next(
            (b for b in candidates if (reference["in_stage"] >= b).sum() >= min_reference), 0
        )
        size = int((reference["in_stage"] >= band).sum())
        if (row.stage, band) not in found:
            found[(row.stage, band)] = (
                chance_of_approval(reference, band, horizon_months) if size else 0.0
            )
        bands.append(band)
        sizes.append(size)
        values.append(found[(row.stage, band)])
    return where.assign(band_days=bands, reference=sizes, chance=values)


def poisson_binomial(probabilities: Sequence[float]) -> np.ndarray:
    """The exact distribution of the number of successes among independent trials."""
    pmf = np.array([1.0])
    for p in probabilities:
        pmf = np.convolve(pmf, [1 - p, p])
    return pmf


@dataclass(frozen=True)
class Projection:
    """Expected approvals in the 12 months after the extract date, and an interval."""

    expected: float
    low: int
    high: int
    level: float
    households: int


# The intervals' level: 95%, as every other interval on the pages (review 16: the projection's
# 90% beside the estimates' 95%).
LEVEL = 0.95


def interval(pmf: np.ndarray, level: float) -> tuple[int, int]:
    """The central ``level`` interval of a distribution on 0, 1, 2, ...: the smallest counts
    whose cumulative probability reaches each tail."""
    cdf = np.cumsum(pmf)
    tail = (1 - level) / 2
    return int(np.searchsorted(cdf, tail - 1e-12)), int(np.searchsorted(cdf, 1 - tail - 1e-12))


def project(chance: pd.Series, level: float = LEVEL) -> Projection:
    """The expected number approved and the central ``level`` interval of its exact
    distribution (:func:`interval`)."""
    low, high = interval(poisson_binomial(chance.to_numpy(dtype=float)), level)
    return Projection(float(chance.sum()), low, high, level, len(chance))


def recent_years(year: str, recent: int) -> list[str]:
    """The last ``recent`` financial years to ``year``, oldest first."""
    years = [FinancialYear.parse(year)]
    for _ in range(recent - 1):
        years.insert(0, years[0].previous)
    return [fy.label for fy in years]


@dataclass(frozen=True)
class NewEnquirers:
    """Expected approvals within the next year from households who have not yet enquired."""

    enquiries: float  # expected enquiries next year: the mean of the recent years'
    chance: float  # an enquirer's chance of approval by the end of the year it enquires in
    expected: float
    low: int
    high: int
    level: float
    years: tuple[str, ...]  # the recent years both are taken from
    # The recent enquirers approved by 31 March of the year they enquired in (their records):
    # the approvals the chance rests on, withheld (with the part) when 1 to 5.
    approved: frozenset[str] = frozenset()


# The ledger key of :attr:`NewEnquirers.approved`'s count, for the page and its sentence.
EARLY = "projection: recent enquirers approved in the year they enquired"


def new_enquirers(
    households: pd.DataFrame,
    year: str,
    recent: int = 3,
    level: float = LEVEL,
    available: Sequence[str] | None = None,
) -> NewEnquirers:
    """Approvals within the 12 months after ``year`` from households enquiring in them.

    Next year's enquiries: the mean number of the last ``recent`` years' (of those
    ``available``, the years whose enquirers are all in the extracts). Each recent enquirer
    stands for one of next year's, enquiring as far into the year: its chance of approval is
    the recent cohorts' Aalen-Johansen cumulative incidence of approval at the days from its
    enquiry to 31 March of its year (so the enquiry dates' spread over the year is the recent
    years'); the chance is their mean. Enquiries Poisson and each approved independently: the
    number approved is Poisson with mean enquiries x chance, its ``level`` interval exact.
    """
    years = [y for y in recent_years(year, recent) if available is None or y in available]
    if not years:
        raise ValueError(f"no year of enquiries to {year} to take next year's from")
    spells = episodes(households, year)  # indexed as ``households``
    spells = spells[spells["cohort"].isin(years)]
    curve = aalen_johansen(spells["days"], spells["outcome"], [APPROVED, WITHDREW, NOT_PROGRESSED])
    approved = curve[curve["cause"] == APPROVED]
    ends = spells["cohort"].map(lambda y: FinancialYear.parse(y).end)
    left = (ends - households.loc[spells.index, "enquiry_date"]).dt.days.to_numpy(dtype=float)
    at = np.searchsorted(approved["days"].to_numpy(), left, side="right") - 1
    chance = float(approved["cif"].to_numpy()[at].mean()) if len(spells) else 0.0
    enquiries = len(spells) / len(years)
    expected = enquiries * chance
    low, high = interval(_poisson(expected), level)
    early = spells["outcome"].eq(APPROVED).fillna(False).to_numpy(bool) & (
        spells["days"].to_numpy() <= left
    )
    return NewEnquirers(
        enquiries, chance, expected, low, high, level, tuple(years),
        frozenset(spells.loc[early, "record"]),
    )  # fmt: skip


def _poisson(mean: float) -> np.ndarray:
    """The Poisson distribution with ``mean`` on 0, 1, 2, ... as far as it has mass."""
    top = int(poisson.ppf(1 - 1e-15, mean)) + 1 if mean > 0 else 0
    return poisson.pmf(np.arange(top + 1), mean)


def combined(chance: pd.Series, new: NewEnquirers) -> Projection:
    """Both parts together: the households in progress (Poisson-binomial, ``chance``) and
    those yet to enquire (Poisson, ``new``), independent, so the total's distribution is
    the two convolved; its interval at ``new``'s level."""
    pmf = np.convolve(poisson_binomial(chance.to_numpy(dtype=float)), _poisson(new.expected))
    low, high = interval(pmf, new.level)
    return Projection(float(chance.sum()) + new.expected, low, high, new.level, len(chance))


def by_stage(chances_: pd.DataFrame) -> pd.DataFrame:
    """Households in progress at each stage, their average chance and expected approvals
    (each stage's households with their records)."""
    grouped = chances_.groupby("stage", sort=False).agg(
        households=("chance", "size"), expected=("chance", "sum"), mean=("chance", "mean")
    )
    grouped = grouped.reindex([s for s in PIPELINE if s in grouped.index])
    table = pd.DataFrame(
        {
            "Stage reached": [STAGE_LABELS[s] for s in grouped.index],
            "Households in progress": grouped["households"].astype(int).to_numpy(),
            "Average chance of approval within 12 months (%)": (100 * grouped["mean"])
            .round(1)
            .to_numpy(),
            "Expected approvals": grouped["expected"].round(1).to_numpy(),
        }
    )
    stage = chances_["stage"].astype(str)
    cells = {
        (i, "Households in progress"): frozenset(chances_.loc[stage.eq(s), "record"])
        for i, s in enumerate(grouped.index)
    }
    return members.attach(table, cells)


def with_total(table: pd.DataFrame, projection: Projection) -> pd.DataFrame:
    """:func:`by_stage` with a total row (households in progress, with every stage's
    records, and expected approvals)."""
    total = pd.DataFrame(
        [
            {
                "Stage reached": "Total",
                "Households in progress": int(table["Households in progress"].sum()),
                "Average chance of approval within 12 months (%)": round(
                    100 * projection.expected / projection.households, 1
                )
                if projection.households
                else 0.0,
                "Expected approvals": round(projection.expected, 1),
            }
        ]
    )
    cells = members.of(table)
    column = "Households in progress"
    everyone = frozenset().union(*(cells[(i, column)] for i in table.index))
    out = pd.concat([table, total], ignore_index=True)
    return members.attach(out, {**cells, (len(table), column): everyone})


PART = "Projected approvals"


def _span(years: Sequence[str]) -> str:
    """Financial years as the page says a span of them: "2022/23 to 2024/25", "2018/19"."""
    labels = [FinancialYear.parse(y).report_label for y in (years[0], years[-1])]
    return " to ".join(dict.fromkeys(labels))


EXPECTED = "Expected approvals"


def parts_table(
    pipeline: Projection, new: NewEnquirers, total: Projection, year: str
) -> pd.DataFrame:
    """The projection's two parts, labelled apart, and their total: expected approvals in
    the year after ``year`` and each one's interval. It states no count of households (the
    households in progress are in :func:`with_total`), so it carries no records."""
    fy = FinancialYear.parse(year)
    rows = [
        (f"From households in progress on 31 March {fy.end.year}", pipeline),
        (f"From households yet to enquire in {fy.next.report_label}", new),
        ("Total", total),
    ]
    return pd.DataFrame(
        {
            PART: [label for label, _ in rows],
            EXPECTED: [round(part.expected, 1) for _, part in rows],
            f"{pipeline.level:.0%} interval": [f"{part.low} to {part.high}" for _, part in rows],
        }
    )


def sentence(
    projection: Projection,
    year: str,
    recent: int,
    app: Appendix,
    name: str,
    records: frozenset[str] | None = None,
    new: NewEnquirers | None = None,
    total: Projection | None = None,
) -> str:
    """The projection in words, labelled as one; the household count (with ``records``,
    the households in progress) keyed to the total row of the table ``name``
    (:func:`with_total`). With ``new`` (:func:`new_enquirers`) and ``total``
    (:func:`combined`), the households yet to enquire and both together too."""
    fy = FinancialYear.parse(year)
    first = FinancialYear(fy.start_year - recent + 1).report_label
    key = app.cell(name, "Total", "Households in progress")
    households = app.count(projection.households, key, records=records)
    # the expected approvals rest on the households in progress: withheld with them, as the
    # table's total row withholds them
    expected = app.share(
        f"about {projection.expected:.0f} of them would be approved in "
        f"{fy.next.report_label} ({projection.level:.0%} interval {projection.low} to "
        f"{projection.high})",
        [key],
        withheld="the number they would give is withheld with them",
    )
    said = (
        f"Projection, not a forecast: if the {households} households in progress on "
        f"31 March {fy.end.year} move on as households at the same stages did from {first} "
        f"to {fy.report_label}, {expected}."
    )
    if new is None or total is None:
        return (
            f"{said} Households who have not yet enquired are not included; the interval "
            "allows for chance, not for change in how the service works."
        )
    # the count the newcomers' projection rests on is shown in it, and withheld with it
    app.count(len(new.approved), EARLY, records=new.approved)
    newcomers = app.share(
        f" If as many households enquire in {fy.next.report_label} as on average in "
        f"{_span(new.years)} (about {new.enquiries:.0f}) and get through as theirs did "
        f"({len(new.approved)} of them were approved by 31 March of the year they enquired "
        f"in), about {new.expected:.0f} more would be approved by 31 March {fy.next.end.year} "
        f"({new.level:.0%} interval {new.low} to {new.high}): about {total.expected:.0f} in "
        f"all ({total.level:.0%} interval {total.low} to {total.high}). The intervals allow "
        "for chance (in how many enquire too, taken as Poisson, which is narrower than the "
        "years' own spread), not for change in how the service works or a trend in enquiries.",
        [EARLY, key],
        withheld=f" Households yet to enquire in {fy.next.report_label} are not projected "
        "here: their projection rests on a count the page withholds. The interval allows for "
        "chance, not for change in how the service works.",
    )
    return said + newcomers
