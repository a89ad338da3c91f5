"""An attacker's audit of one page: what each withheld count could be, from what is shown.

The attacker knows every number the page shows (and every published figure), and every
linear relation between them that the page implies (row and column totals, breakdowns
of a named group, a stock at two dates and the flows between). Each withheld count is
an unknown, at least 1 (a page shows a zero as 0, so a withheld count is never 0). The
range each one could take is the linear-programming
relaxation: its minimum and maximum subject to the relations (``scipy.optimize.linprog``).
A withheld count is *recoverable* when that range pins it to one whole number, or lies
within 1 to 5 (the attacker then knows it is a small count).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from analysis.disclosure.suppression import HIGHEST, LOWEST

Relation = Mapping[str, float]  # sum(coefficient * value) == 0
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Exposure:
    """A withheld count an attacker can narrow down: its key and the range it must lie in."""

    key: str
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.key} must lie in [{self.low:g}, {self.high:g}]"


def ranges(
    known: Mapping[str, float],
    hidden: Iterable[str],
    relations: Iterable[Relation],
    targets: Iterable[str] | None = None,
    positive: Iterable[str] = (),
) -> dict[str, tuple[float, float]]:
    """(min, max) of each hidden count in ``targets`` (all of them by default) over
    non-negative values satisfying ``relations``; those in ``positive`` are at least 1
    (a page shows a zero as 0, so the attacker knows every withheld count is not 0).

    ``known`` holds every value the attacker can read; a relation naming a key that is
    neither known nor hidden is ignored (the page never stated that number). Unknowns that
    share no relation cannot constrain one another, so each count is bounded over the
    relations of its own connected group of unknowns only: the same ranges as one
    programme over the whole page, at a fraction of the cost.
    """
    hidden = sorted(set(hidden))
    where = {key: i for i, key in enumerate(hidden)}
    parent = list(range(len(hidden)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    rows: list[tuple[dict[int, float], float]] = []
    for relation in relations:
        if any(k not in where and k not in known for k in relation):
            continue
        coefficients: dict[int, float] = {}
        constant = 0.0
        for key, weight in relation.items():
            if key in where:
                coefficients[where[key]] = coefficients.get(where[key], 0.0) + weight
            else:
                constant += weight * known[key]
        coefficients = {i: w for i, w in coefficients.items() if w}
        if coefficients:
            rows.append((coefficients, -constant))
            first, *rest = coefficients
            for other in rest:
                parent[root(other)] = root(first)
    group_rows: dict[int, list[tuple[dict[int, float], float]]] = {}
    for row in rows:
        group_rows.setdefault(root(next(iter(row[0]))), []).append(row)
    found: dict[str, tuple[float, float]] = {}
    positive = set(positive)
    for key in hidden if targets is None else sorted(set(targets) & set(hidden)):
        own = group_rows.get(root(where[key]), [])
        signature = tuple(
            sorted(
                (tuple(sorted((hidden[m], w) for m, w in coefficients.items())), b)
                for coefficients, b in own
            )
        )
        members = {name for row, _ in signature for name, _ in row} | {key}
        lows = tuple(sorted((name, 1.0 if name in positive else 0.0) for name in members))
        found[key] = _bounds(signature, lows, key)
    return found


@functools.lru_cache(maxsize=65536)
def _bounds(
    signature: tuple[tuple[tuple[tuple[str, float], ...], float], ...],
    lows: tuple[tuple[str, float], ...],
    key: str,
) -> tuple[float, float]:
    """(min, max) of unknown ``key`` over one group of relations (each row: its unknowns'
    weights and the constant they sum to). A page's decision asks the same question of
    an unchanged group many times as the page grows, so answers are kept."""
    low = dict(lows)
    if not signature:
        return low[key], math.inf
    members = sorted({name for row, _ in signature for name, _ in row})
    column = {name: n for n, name in enumerate(members)}
    a_eq = np.zeros((len(signature), len(members)))
    for r, (row, _) in enumerate(signature):
        for name, weight in row:
            a_eq[r, column[name]] = weight
    b_eq = np.array([b for _, b in signature])
    bounds = []
    for sign in (1.0, -1.0):
        objective = np.zeros(len(members))
        objective[column[key]] = sign
        result = linprog(
            objective,
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=[(low[m], None) for m in members],
            method="highs",
        )
        if result.status == 3:  # unbounded: only possible when maximising
            bounds.append(math.inf)
        elif result.status != 0:
            raise ValueError(f"the page's numbers are inconsistent ({result.message})")
        else:
            bounds.append(sign * result.fun)
    return bounds[0], bounds[1]


def is_exposed(low: float, high: float) -> bool:
    """Pinned to one whole number, or known to be a count of 1 to 5."""
    pinned = math.isfinite(high) and math.ceil(low - TOLERANCE) >= math.floor(high + TOLERANCE)
    small = low >= LOWEST - TOLERANCE and high <= HIGHEST + TOLERANCE
    return pinned or small


def exposures(
    known: Mapping[str, float],
    hidden: Iterable[str],
    relations: Iterable[Relation],
    unstated: Iterable[str] = (),
) -> list[Exposure]:
    """Every withheld count the page lets an attacker pin down or bound within 1 to 5.

    ``unstated`` are counts the page never shows but that its relations involve (the
    size of a group two tables break down): unknowns to the attacker, never reported.
    """
    hidden = set(hidden)
    found = ranges(known, hidden | set(unstated), relations, targets=hidden, positive=hidden)
    return [
        Exposure(key, low, high)
        for key, (low, high) in found.items()
        if key in hidden and is_exposed(low, high)
    ]


def chart_leaks(
    charts: Iterable[Mapping[str, object]],
    values: Mapping[str, float],
    hidden: Iterable[str],
) -> list[str]:
    """Charts that draw a value the page withholds (and shows nowhere else in their scope).

    A chart's scope is the table it names (``table``) or else the whole page.
    """
    hidden = set(hidden)
    problems = []
    for chart in charts:
        table = chart.get("table")
        scope = [k for k in values if not table or k.startswith(f"{table}|")]
        withheld = {values[k] for k in scope if k in hidden} - {
            values[k] for k in scope if k not in hidden
        }
        drawn = {float(v) for v in chart.get("values", [])}  # type: ignore[attr-defined]
        leaked = sorted(v for v in drawn & withheld if v >= LOWEST)
        if leaked:
            problems.append(f"figure {chart['number']} draws withheld value(s) {leaked}")
    return problems
