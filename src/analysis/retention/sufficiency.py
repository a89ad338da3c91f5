"""Sufficiency outlook: mainstream households and places three years ahead, and the
approvals a year that would keep places level or reach the council's target.

The projection is a stock-flow: each year the households at 31 March are last
year's, less those that leave (each with the observed exit rate), plus the year's
approvals (the observed mean). It is simulated so the interval carries both the
chance in a year's events (binomial exits, Poisson approvals) and the uncertainty in
the rates themselves, estimated from only a few years (each run draws its exit rate
from a Beta and its approval rate from a Gamma distribution given the observed
counts, Jeffreys priors). Places are households times the places per household at
the last 31 March; filled places are those times the last occupancy. Demand is not
projected: the children in foster care at the last 31 March are the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.years import FinancialYear
from analysis.sources.ssda903.load import Aliases, find_returns, read_returns

HORIZON = 3
RATE_YEARS = 3  # the most recent years the rates are estimated from
RUNS = 5000
SEED = 20250331
FOSTER_PLACEMENTS = ("U1", "U2", "U3", "U4", "U5", "U6")
OTHER_FOSTER_CARERS = ("U4", "U5", "U6")  # not a relative or friend of the child
OWN_PROVISION = "PR1"


@dataclass(frozen=True)
class Rates:
    """Observed approvals and exits over ``years`` years, and the households exposed."""

    years: int
    approvals: int
    exits: int
    exposed: int

    @property
    def approvals_a_year(self) -> float:
        return self.approvals / self.years

    @property
    def exit_rate(self) -> float:
        return self.exits / self.exposed if self.exposed else np.nan


def observed_rates(flow: pd.DataFrame, years: int = RATE_YEARS) -> Rates:
    """Approvals, and exits (ceasing to foster and other exits) per household at 1 April,
    over the last ``years`` years of :func:`analysis.retention.measures.flows` that have a
    start (the first year of the register has none)."""
    recent = _recent(flow, years)
    return Rates(
        years=len(recent),
        approvals=int(recent["joiners"].sum()),
        exits=int((recent["leavers"] + recent["other exits"]).sum()),
        exposed=int(recent["start"].sum()),
    )


def _recent(flow: pd.DataFrame, years: int) -> pd.DataFrame:
    return flow[flow["start"] > 0].tail(years)


def rate_years(flow: pd.DataFrame, years: int = RATE_YEARS) -> list[str]:
    """The years :func:`observed_rates` reads: the last ``years`` with a start."""
    return _recent(flow, years)["year"].tolist()


def stock_flow(start: float, approvals: float, exit_rate: float, years: int = HORIZON) -> list:
    """The expected households at each of the next ``years`` 31 Marches:
    N(t+1) = N(t) (1 - exit rate) + approvals."""
    path, n = [], float(start)
    for _ in range(years):
        n = n * (1 - exit_rate) + approvals
        path.append(n)
    return path


def simulate(
    start: int,
    rates: Rates,
    years: int = HORIZON,
    runs: int = RUNS,
    seed: int = SEED,
    uncertain_rates: bool = True,
    chance: bool = True,
) -> np.ndarray:
    """Households at each of the next ``years`` 31 Marches in ``runs`` simulated futures
    (runs x years), from a fixed seed. With ``uncertain_rates`` false every run uses the
    observed rates themselves; with ``chance`` false too, a year's exits and approvals
    are their expected numbers, and every run is the stock-flow of :func:`stock_flow`."""
    rng = np.random.default_rng(seed)
    if uncertain_rates:
        q = rng.beta(rates.exits + 0.5, rates.exposed - rates.exits + 0.5, size=runs)
        lam = rng.gamma(rates.approvals + 0.5, 1 / rates.years, size=runs)
    else:
        q = np.full(runs, rates.exit_rate)
        lam = np.full(runs, rates.approvals_a_year)
    n = np.full(runs, float(start))
    out = np.empty((runs, years))
    for t in range(years):
        exits = rng.binomial(n.astype(int), q) if chance else n * q
        n = n - exits + (rng.poisson(lam) if chance else lam)
        out[:, t] = n
    return out


def projection(
    year: FinancialYear,
    start: int,
    rates: Rates,
    places_per_household: float,
    occupancy: float,
    years: int = HORIZON,
    runs: int = RUNS,
    seed: int = SEED,
) -> pd.DataFrame:
    """The projection as a table: for each future 31 March, households, approved and
    filled places, each as the simulated median with a 95% interval (whole numbers)."""
    sims = simulate(start, rates, years, runs, seed)
    rows = []
    for t in range(years):
        day = FinancialYear(year.start_year + t + 1).end.year
        households = sims[:, t]
        row: dict[str, object] = {"31 March": day}
        for label, scale in [
            ("households", 1.0),
            ("approved places", places_per_household),
            ("filled places", places_per_household * occupancy / 100),
        ]:
            low, mid, high = np.percentile(households * scale, [2.5, 50, 97.5])
            row[f"{label} (median)"] = round(mid)
            row[f"{label} 95% interval"] = f"{low:,.0f} to {high:,.0f}"
        rows.append(row)
    return pd.DataFrame(rows)


def approvals_needed(start: float, exit_rate: float, target: float, years: int) -> float:
    """Approvals a year for the expected households to reach ``target`` after ``years``
    years: solves target = N (1-q)^y + A (1 + (1-q) + ... + (1-q)^(y-1)) for A.
    With target = start this is the approvals that keep households (and places) level."""
    keep = 1 - exit_rate
    return (target - start * keep**years) / sum(keep**k for k in range(years))


def children_records(
    folder: Path, year: FinancialYear, aliases: Aliases | None = None
) -> dict[str, frozenset[str]] | None:
    """Children looked after at 31 March of ``year`` placed with foster carers (PLACE U1-U6)
    in the council's SSDA903 return for that year, as records ``child:<year>:<LA>:<CHILD>``:
    in all, with foster carers who are not relatives or friends (U4-U6), and of those, with
    the council's own carers (PLACE_PROVIDER PR1), the nearest to its mainstream filled
    places. None when there is no return for the year."""
    found = find_returns(folder, aliases)
    if year.label not in found:
        return None
    header, episodes = found[year.label]
    epi = read_returns([header], [episodes], aliases).episodes
    open_ = (epi["decom"] <= year.end) & (epi["dec"].isna() | (epi["dec"] > year.end))
    foster = epi[open_ & epi["PLACE"].isin(FOSTER_PLACEMENTS)]
    other = foster[foster["PLACE"].isin(OTHER_FOSTER_CARERS)]
    own = other[other["PLACE_PROVIDER"] == OWN_PROVISION]

    def children(frame: pd.DataFrame) -> frozenset[str]:
        la = frame["LA"].astype(str) if "LA" in frame else pd.Series("", index=frame.index)
        ids = f"{year.label}:" + la + ":" + frame["CHILD"].astype(str)
        return frozenset(f"child:{i}" for i in ids)

    return {
        "in foster care (U1-U6)": children(foster),
        "with foster carers who are not relatives or friends (U4-U6)": children(other),
        "of those, with the council's own carers (PR1)": children(own),
    }


def children_in_foster_care(
    folder: Path, year: FinancialYear, aliases: Aliases | None = None
) -> dict[str, int] | None:
    """How many children :func:`children_records` finds of each kind (None: no return)."""
    found = children_records(folder, year, aliases)
    return None if found is None else {k: len(v) for k, v in found.items()}


def return_files(folder: Path, year: FinancialYear, aliases: Aliases | None = None) -> list[Path]:
    """The SSDA903 files :func:`children_in_foster_care` reads for ``year`` (for the build)."""
    return list(find_returns(folder, aliases).get(year.label, ()))
