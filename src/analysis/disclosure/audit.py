"""An attacker's audit of one page: what each withheld count could be, from what is shown.

The attacker knows every number the page shows (and every published figure), and every
linear relation between them that the page implies (row and column totals, breakdowns
of a named group, a stock at two dates and the flows between). Each withheld count is
an unknown, at least 1 (a page shows a zero as 0, so a withheld count is never 0). The
range each one could take is the linear-programming
relaxation: its minimum and maximum subject to the relations (HiGHS, through ``highspy``).
A withheld count is *recoverable* when that range pins it to one whole number, or lies
within 1 to 5 (the attacker then knows it is a small count).
"""

from __future__ import annotations

import ctypes
import functools
import math
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import highspy
import numpy as np

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


Row = tuple[tuple[tuple[str, float], ...], float]  # unknowns' weights, the constant they sum to
Problem = tuple[tuple[Row, ...], tuple[tuple[str, float], ...], str]  # rows, lower bounds, target


def problems(
    known: Mapping[str, float],
    hidden: Iterable[str],
    relations: Iterable[Relation],
    targets: Iterable[str] | None = None,
    positive: Iterable[str] = (),
) -> dict[str, Problem]:
    """For each hidden count in ``targets`` (all by default): the relations of its own
    connected group of unknowns, every unknown's lower bound (1 for those in ``positive``,
    else 0) and its name, the question :func:`ranges` answers.

    ``known`` holds every value the attacker can read; a relation naming a key that is
    neither known nor hidden is ignored (the page never stated that number). Unknowns that
    share no relation cannot constrain one another, so each count is bounded over its own
    group only: the same ranges as one programme over the whole page, at a fraction of the
    cost.
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
    signatures: dict[int, tuple[Row, ...]] = {}
    found: dict[str, Problem] = {}
    positive = set(positive)
    for key in hidden if targets is None else sorted(set(targets) & set(hidden)):
        group = root(where[key])
        if group not in signatures:
            signatures[group] = tuple(
                sorted(
                    (tuple(sorted((hidden[m], w) for m, w in coefficients.items())), b)
                    for coefficients, b in group_rows.get(group, [])
                )
            )
        signature = signatures[group]
        members = {name for row, _ in signature for name, _ in row} | {key}
        lows = tuple(sorted((name, 1.0 if name in positive else 0.0) for name in members))
        found[key] = (signature, lows, key)
    return found


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
    See :func:`problems`."""
    return {
        key: (_bound(*problem, 1.0), _bound(*problem, -1.0))
        for key, problem in problems(known, hidden, relations, targets, positive).items()
    }


@functools.cache
def _silenced() -> None:
    """Make the process's first HiGHS instance with standard output sent nowhere: HiGHS
    prints its banner from C on the first, which a kernel would put into the notebook."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as nowhere:
            os.dup2(nowhere.fileno(), 1)
            highspy.Highs()
            ctypes.CDLL(None).fflush(None)
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class _Group:
    """One group of relations (``A x = b``, every unknown at least its lower bound) as a
    HiGHS model, kept while the group is unchanged: each withheld count's bound is the
    same model with another objective, solved from the last basis (warm start)."""

    def __init__(self, signature: tuple[Row, ...], lows: tuple[tuple[str, float], ...]) -> None:
        low = dict(lows)
        members = sorted(low)
        self.column = {name: n for n, name in enumerate(members)}
        starts, columns, weights = [], [], []
        for row, _ in signature:
            starts.append(len(columns))
            for name, weight in row:
                columns.append(self.column[name])
                weights.append(weight)
        constants = np.array([b for _, b in signature], dtype=float)
        _silenced()
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        # No presolve, primal simplex: each bound starts from the last one's basis, which a
        # new objective leaves feasible (a few pivots, not a new solve).
        self.highs.setOptionValue("presolve", "off")
        self.highs.setOptionValue("simplex_strategy", 4)
        self.highs.addVars(
            len(members),
            np.array([low[m] for m in members], dtype=float),
            np.full(len(members), highspy.kHighsInf),
        )
        self.highs.addRows(
            len(signature),
            constants,
            constants,
            len(columns),
            np.array(starts, dtype=np.int32),
            np.array(columns, dtype=np.int32),
            np.array(weights, dtype=float),
        )
        self.found: dict[tuple[str, float], float] = {}

    def bound(self, key: str, sign: float) -> float:
        """The minimum (``sign`` 1) or maximum (-1) of unknown ``key``."""
        if (key, sign) not in self.found:
            j = self.column[key]
            self.highs.changeColCost(j, sign)
            self.highs.run()
            status = self.highs.getModelStatus()
            if status not in (
                highspy.HighsModelStatus.kOptimal,
                highspy.HighsModelStatus.kUnbounded,
            ):
                # A warm start can stop at "unknown" or "unbounded or infeasible": solve
                # again from scratch for a definite answer.
                self.highs.clearSolver()
                self.highs.run()
                status = self.highs.getModelStatus()
            objective = self.highs.getInfo().objective_function_value
            self.highs.changeColCost(j, 0.0)
            if status == highspy.HighsModelStatus.kUnbounded:  # only when maximising
                value = math.inf
            elif status != highspy.HighsModelStatus.kOptimal:
                reason = self.highs.modelStatusToString(status)
                raise ValueError(f"the page's numbers are inconsistent ({reason})")
            else:
                value = sign * objective
            self.found[(key, sign)] = value
        return self.found[(key, sign)]


@functools.lru_cache(maxsize=256)
def _group(signature: tuple[Row, ...], lows: tuple[tuple[str, float], ...]) -> _Group:
    return _Group(signature, lows)


def _bound(
    signature: tuple[Row, ...],
    lows: tuple[tuple[str, float], ...],
    key: str,
    sign: float,
) -> float:
    """The minimum (``sign`` 1) or maximum (-1) of unknown ``key`` over one group of
    relations. A page's decision asks the same question of an unchanged group many times
    as the page grows, so each group's model and answers are kept."""
    if not signature:
        return dict(lows)[key] if sign > 0 else math.inf
    return _group(signature, lows).bound(key, sign)


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
    values: Mapping[str, float] | None = None,
    targets: Iterable[str] | None = None,
) -> list[Exposure]:
    """Every withheld count the page lets an attacker pin down or bound within 1 to 5.

    ``unstated`` are counts the page never shows but that its relations involve (the
    size of a group two tables break down): unknowns to the attacker, never reported.
    With the withheld counts' true ``values`` (the page's own), a count whose maximum is
    above both 5 and its value is safe without its minimum: one programme, not two.
    ``targets`` limits the question to some of the withheld counts.
    """
    hidden = set(hidden)
    aim = hidden if targets is None else hidden & set(targets)
    found = []
    for key, problem in problems(
        known, hidden | set(unstated), relations, targets=aim, positive=hidden
    ).items():
        high = _bound(*problem, -1.0)
        value = None if values is None else values.get(key)
        if value is not None and high > max(HIGHEST, value) + TOLERANCE:
            continue
        low = _bound(*problem, 1.0)
        if is_exposed(low, high):
            found.append(Exposure(key, low, high))
    return found


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
