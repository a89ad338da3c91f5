"""An attacker's audit of one page: what each withheld count could be, from what is shown.

The attacker knows every number the page shows (and every published figure), and every
linear relation between them that the page implies (row and column totals, breakdowns
of a named group, a stock at two dates and the flows between). Each withheld count is
an unknown, at least 0 (a page may withhold a zero to protect another count). The range
each one could take is the linear-programming relaxation over non-negative values: its
minimum and maximum subject to the relations (HiGHS, through ``highspy``). A withheld
count is *recoverable* when that range pins it to one whole number, lies within 1 to 5
(the attacker then knows it is a small count), or within 0 to 4 (read with "c", at least
1, narrower than the 1 to 5 it stands for): :func:`is_exposed`.

A second reader takes every "c" to be at least 1, as nearly every one is (red team 17: 271
of 274), wherever the page lets them: where it cannot be so (three c's in a row adding to a
printed 2), they give up that reading for each c that could be the zero, and no other
(:meth:`Model.doubted`). For them "1 to 5" is what "c" says; a count is exposed when they
can pin it or put it within 1 to 4 or 2 to 5 (:func:`is_exposed` with ``at_least_one``),
and only when their range holds its true value (a reader misled by a withheld zero has
been told nothing).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import math
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import highspy
import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis.disclosure.suppression import HIGHEST

Relation = Mapping[str, float]  # sum(coefficient * value) == 0
TOLERANCE = 1e-6
# A withheld count known to be 0 to 4 or less is exposed: a reader who takes a "c" to be at
# least 1 (nearly every one is: red team 17) has it within 1 to 4, narrower than "c" says.
FEWEST = 4


@dataclass(frozen=True)
class Exposure:
    """A withheld count an attacker can narrow down: its key and the range it must lie in."""

    key: str
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.key} must lie in [{self.low:g}, {self.high:g}]"


class Model:
    """One page's relations as one HiGHS model (``A x = 0``, a column for every count the
    relations name), kept for the page's whole decision.

    What the attacker can read is only a matter of bounds: a shown count's column is fixed
    at its value, a withheld one runs from 0 (or 1, for a hand-made question), and a relation
    none of whose counts is unknown is dropped (it says nothing about an unknown). Changing
    which counts are withheld changes bounds, never the model, so each question starts
    from the last basis (a few pivots, not a new solve); the answers under the last few
    views are kept, since a decision returns to the same view many times.
    """

    KEPT = 64  # views whose answers are kept

    def __init__(self, names: Iterable[str], relations: Iterable[Relation]) -> None:
        self.names = sorted(set(names))
        self.column = {name: n for n, name in enumerate(self.names)}
        starts: list[int] = []
        columns: list[int] = []
        weights: list[float] = []
        for relation in relations:
            if not relation or any(k not in self.column for k in relation):
                continue
            starts.append(len(columns))
            for key, weight in sorted(relation.items()):
                columns.append(self.column[key])
                weights.append(float(weight))
        size, rows = len(self.names), len(starts)
        self._starts = np.array(starts, dtype=np.int64)
        self._columns = np.array(columns, dtype=np.int64)
        self._weights = np.array(weights, dtype=float)
        _silenced()
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        # No presolve, primal simplex: a new objective leaves the last basis feasible, so
        # each bound takes a few pivots from it (dual simplex was four times slower here).
        self.highs.setOptionValue("presolve", "off")
        self.highs.setOptionValue("simplex_strategy", 4)
        self.lower = np.zeros(size)
        self.upper = np.full(size, highspy.kHighsInf)
        self.highs.addVars(size, self.lower, self.upper)
        self._live = np.ones(rows, dtype=bool)
        if rows:
            self.highs.addRows(
                rows,
                np.zeros(rows),
                np.zeros(rows),
                len(columns),
                self._starts.astype(np.int32),
                self._columns.astype(np.int32),
                np.array(weights, dtype=float),
            )
        self._touched = np.zeros(size, dtype=bool)  # in a relation (else bounded by itself)
        self._touched[self._columns] = True
        self._views: dict[bytes, tuple[dict[tuple[str, float], float], np.ndarray]] = {}
        self._found: dict[tuple[str, float], float] = {}
        self._reached = np.full(size, -np.inf)  # each count's most in a solution so far
        self._doubted: dict[bytes, frozenset[str]] = {}

    def __deepcopy__(self, memo: dict[int, object]) -> Model:
        """The same model: its relations never change, and every question sets its own
        view first (a copied ledger that grows builds a model of its own)."""
        return self

    def view(self, known: Mapping[str, float], positive: Iterable[str] = ()) -> None:
        """The attacker reads ``known``; every other count is unknown, at least 1 if in
        ``positive``, else at least 0."""
        lower = np.zeros(len(self.names))
        upper = np.full(len(self.names), highspy.kHighsInf)
        for key, value in known.items():
            if key in self.column:
                lower[self.column[key]] = upper[self.column[key]] = float(value)
        for key in positive:
            if key in self.column and key not in known:
                lower[self.column[key]] = 1.0
        changed = np.flatnonzero((lower != self.lower) | (upper != self.upper))
        if changed.size:
            self.highs.changeColsBounds(
                changed.size, changed.astype(np.int32), lower[changed], upper[changed]
            )
            self.lower, self.upper = lower, upper
            unknown = (lower != upper).astype(np.int64)
            live = (
                np.add.reduceat(unknown[self._columns], self._starts) > 0
                if self._starts.size
                else self._live
            )
            flipped = np.flatnonzero(live != self._live)
            if flipped.size:
                self.highs.changeRowsBounds(
                    flipped.size,
                    flipped.astype(np.int32),
                    np.where(live[flipped], 0.0, -highspy.kHighsInf),
                    np.where(live[flipped], 0.0, highspy.kHighsInf),
                )
                self._live = live
        view = lower.tobytes() + upper.tobytes()
        if view not in self._views:
            if len(self._views) >= self.KEPT:
                self._views.pop(next(iter(self._views)))
            self._views[view] = ({}, np.full(len(self.names), -np.inf))
        self._found, self._reached = self._views[view]

    def reaches(self, key: str, level: float) -> bool:
        """Whether some reading of the page under the current view already found (any
        programme's solution so far) puts ``key`` above ``level``, in whole numbers: then
        its maximum is too, with no programme of its own."""
        reached = self._reached[self.column[key]]
        return math.isfinite(reached) and math.floor(reached + TOLERANCE) > level

    def view_at_least_one(self, known: Mapping[str, float], withheld: Iterable[str]) -> None:
        """The view of the reader who takes every ``withheld`` count to be at least 1, but
        those the page shows cannot all be (:meth:`doubted`)."""
        withheld = set(withheld)
        self.view(known, withheld)
        if not self.feasible():
            self.view(known, withheld - self.doubted(known, withheld))

    def feasible(self) -> bool:
        """Whether some values satisfy the relations under the current view."""
        status = self._run(highspy.HighsModelStatus.kInfeasible)
        return status == highspy.HighsModelStatus.kOptimal

    def _run(self, other: highspy.HighsModelStatus) -> highspy.HighsModelStatus:
        """Solve; where a warm start stops at neither optimal nor ``other`` ("unknown", or
        "unbounded or infeasible"), solve again from scratch for a definite answer."""
        self.highs.run()
        status = self.highs.getModelStatus()
        if status not in (highspy.HighsModelStatus.kOptimal, other):
            self.highs.clearSolver()
            self.highs.run()
            status = self.highs.getModelStatus()
        return status

    def doubted(self, known: Mapping[str, float], withheld: Iterable[str]) -> frozenset[str]:
        """The ``withheld`` counts that are 0 in some reading of the page with as few zeros
        among them as the relations allow: a reader who takes every "c" to be at least 1,
        seeing that three c's add to a printed 2, knows one of them is 0 but not which,
        so takes each of the three to be at least 0, and every other c still at least 1.

        A mixed-integer programme (HiGHS, through scipy): the counts relaxed as elsewhere,
        a whole flag for each withheld count saying it may be 0 (the count plus its flag
        at least 1); the fewest flags in all; then, at that fewest, every count some such
        reading flags, found by asking for readings that flag others until none does. The
        flags are whole: with fractions, any c tied to a forced zero through a few
        relations would seem to share its doubt (a page's whole withheld set, on the
        retention example)."""
        self.view(known)
        key = self.lower.tobytes() + self.upper.tobytes() + "|".join(sorted(withheld)).encode()
        if key in self._doubted:
            return self._doubted[key]
        aim = sorted(k for k in withheld if k in self.column and k not in known)
        if not aim:
            return frozenset()
        size, count = len(self.names), len(aim)
        ends = np.append(self._starts, self._columns.size)
        live = np.repeat(self._live, np.diff(ends))
        rows = np.repeat(np.arange(self._starts.size), np.diff(ends))[live]
        relations = sparse.csr_array(
            (self._weights[live], (rows, self._columns[live])), shape=(self._starts.size, size)
        )
        picks = np.arange(count)
        columns = np.r_[[self.column[k] for k in aim], size + picks]
        flagged = sparse.csr_array(
            (np.ones(2 * count), (np.r_[picks, picks], columns)), shape=(count, size + count)
        )
        flags = np.r_[np.zeros(size), np.ones(count)]
        unflagged = sparse.csr_array((self._starts.size, count))
        rules = [
            LinearConstraint(sparse.hstack([relations, unflagged]), 0, 0),
            LinearConstraint(flagged, 1, np.inf),
        ]
        bounds = Bounds(np.r_[self.lower, np.zeros(count)], np.r_[self.upper, np.ones(count)])
        with _quiet():
            fewest = milp(flags, constraints=rules, integrality=flags, bounds=bounds)
        if fewest.status != 0:
            raise ValueError("the page's numbers are inconsistent (with every count at least 0)")
        rules.append(LinearConstraint(flags[None, :], 0, round(fewest.fun)))
        found = {aim[i] for i in np.flatnonzero(fewest.x[size:] > 0.5)}
        while len(found) < count:
            others = np.r_[np.zeros(size), [0.0 if k in found else -1.0 for k in aim]]
            with _quiet():
                more = milp(others, constraints=rules, integrality=flags, bounds=bounds)
            raised = (
                set()
                if more.status != 0
                else {aim[i] for i in np.flatnonzero(more.x[size:] > 0.5)} - found
            )
            if not raised:
                break
            found |= raised
        self._doubted[key] = frozenset(found)
        return self._doubted[key]

    def bound(self, key: str, sign: float) -> float:
        """The minimum (``sign`` 1) or maximum (-1) of ``key`` under the current view."""
        if (key, sign) not in self._found:
            j = self.column[key]
            if self.lower[j] == self.upper[j] or not self._touched[j]:
                value = self.lower[j] if sign > 0 else self.upper[j]
            else:
                value = self._solve(j, sign)
            self._found[(key, sign)] = value
        return self._found[(key, sign)]

    def pinning(self, key: str) -> list[str]:
        """The counts the attacker reads that hold ``key``'s maximum down under the current
        view: those with a non-zero reduced cost where it is reached. Withholding one of
        them is what can raise it (from a count of 1 to 5, or off a pinned value)."""
        j = self.column[key]
        if self.lower[j] == self.upper[j] or not self._touched[j]:
            return []
        self._solve(j, -1.0, keep=True)
        reduced = np.asarray(self.highs.getSolution().col_dual)
        self.highs.changeColCost(j, 0.0)
        fixed = (self.lower == self.upper) & (np.abs(reduced) > TOLERANCE)
        return [self.names[i] for i in np.flatnonzero(fixed)]

    def _solve(self, j: int, sign: float, keep: bool = False) -> float:
        self.highs.changeColCost(j, sign)
        status = self._run(highspy.HighsModelStatus.kUnbounded)
        objective = self.highs.getInfo().objective_function_value
        if not keep:  # else the caller reads the solution first, then resets the cost
            self.highs.changeColCost(j, 0.0)
        if status == highspy.HighsModelStatus.kUnbounded:  # only when maximising
            return math.inf
        if status != highspy.HighsModelStatus.kOptimal:
            reason = self.highs.modelStatusToString(status)
            raise ValueError(f"the page's numbers are inconsistent ({reason})")
        # a reading of the page like any other: what it gives every count is reached
        np.maximum(self._reached, self.highs.getSolution().col_value, out=self._reached)
        return sign * objective


def ranges(
    known: Mapping[str, float],
    hidden: Iterable[str],
    relations: Iterable[Relation],
    targets: Iterable[str] | None = None,
    positive: Iterable[str] = (),
) -> dict[str, tuple[float, float]]:
    """(min, max) of each hidden count in ``targets`` (all of them by default) over
    non-negative values satisfying ``relations``; those in ``positive`` are at least 1.
    ``known`` holds every value the attacker can read; a relation naming a count that is
    neither known nor hidden is ignored (the page never stated that number)."""
    hidden = set(hidden)
    model = Model(set(known) | hidden, relations)
    model.view(known, positive)
    aim = sorted(hidden if targets is None else hidden & set(targets))
    return {key: (model.bound(key, 1.0), model.bound(key, -1.0)) for key in aim}


@functools.cache
def _silenced() -> None:
    """Make the process's first HiGHS instance with standard output sent nowhere: HiGHS
    prints its banner from C on the first, which a kernel would put into the notebook."""
    with _quiet():
        highspy.Highs()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Standard output sent nowhere, from C too: HiGHS's mixed-integer solver can print a
    line of its own (a kernel would put it into the notebook)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as nowhere:
            os.dup2(nowhere.fileno(), 1)
            try:
                yield
            finally:
                ctypes.CDLL(None).fflush(None)
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def is_exposed(low: float, high: float, at_least_one: bool = False) -> bool:
    """Pinned to one whole number, known to be 1 to 5 (issue 12's test), or known to be
    0 to 4 or less (:data:`FEWEST`). With ``at_least_one``, the range of the reader who
    takes a "c" to be at least 1: pinned, 4 or less, or 2 to 5 (1 to 5 is what "c" says).

    A withheld count known only to be 0 to 5 is not exposed: "c" says a count is 1 to 5 (or
    withheld to protect one), and a reader who takes it to be at least 1 is left all five of
    those values (red team 15's N3: a scheme's short-stay households, at most 5 from the
    scheme total less the schemes shown). 0 to 4 is exposed: read so, it is 1 to 4.
    """
    # Counts are whole numbers, so the relaxation's bounds round inwards: a count of at
    # most 5.5 is at most 5 (the attacker can solve in whole numbers too).
    if not math.isfinite(high):
        return False
    lowest, highest = math.ceil(low - TOLERANCE), math.floor(high + TOLERANCE)
    if at_least_one:
        return lowest >= highest or highest <= FEWEST or (highest <= HIGHEST and lowest >= 2)
    return lowest >= highest or (highest <= HIGHEST and (lowest >= 1 or highest <= FEWEST))


def exposures(
    known: Mapping[str, float],
    hidden: Iterable[str],
    relations: Iterable[Relation],
    unstated: Iterable[str] = (),
    values: Mapping[str, float] | None = None,
    targets: Iterable[str] | None = None,
) -> list[Exposure]:
    """Every withheld count the page lets an attacker pin down or bound too narrowly
    (:func:`is_exposed`).

    ``unstated`` are counts the page never shows but that its relations involve (the
    size of a group two tables break down): unknowns to the attacker, never reported.
    ``values`` and ``targets`` as for :func:`exposed`.
    """
    hidden = set(hidden)
    model = Model(set(known) | hidden | set(unstated), relations)
    model.view(known)
    return exposed(model, hidden if targets is None else hidden & set(targets), values)


def exposed(
    model: Model,
    targets: Iterable[str],
    values: Mapping[str, float] | None = None,
    at_least_one: bool = False,
) -> list[Exposure]:
    """The counts in ``targets`` that ``model``'s current view exposes (:func:`is_exposed`).
    With the counts' true ``values`` (the page's own), a count whose maximum is
    above both 5 and its value is safe without its minimum: one programme, not two;
    ``at_least_one`` (the view of :meth:`Model.view_at_least_one`) reports a count only
    where its range holds its value."""
    found = []
    for key in sorted(targets):
        value = None if values is None else values.get(key)
        # the programmes solved already may have read the page with the count that high
        if value is not None and model.reaches(key, max(HIGHEST, value)):
            continue
        high = model.bound(key, -1.0)
        if value is not None and (
            not math.isfinite(high) or math.floor(high + TOLERANCE) > max(HIGHEST, value)
        ):
            continue
        low = model.bound(key, 1.0)
        misled = value is not None and not low - TOLERANCE <= value <= high + TOLERANCE
        if is_exposed(low, high, at_least_one) and not (at_least_one and misled):
            found.append(Exposure(key, low, high))
    return found


def chart_leaks(
    charts: Iterable[Mapping[str, object]],
    values: Mapping[str, float],
    hidden: Iterable[str],
) -> list[str]:
    """Charts that draw a value the page withholds (and shows nowhere else in their scope),
    or rest on a count it withholds.

    A chart's scope is the table it names (``table``) or else the whole page. A chart's
    ``cells`` are the counts (ledger keys) its points rest on: a share drawn as a point
    encodes its count of households and its group's size, which a comparison of drawn
    values with counts cannot see (7/16 is no count), so any of them withheld is a leak.
    """
    hidden = set(hidden)
    problems = []
    for chart in charts:
        resting = sorted(set(chart.get("cells", ())) & hidden)  # type: ignore[arg-type]
        if resting:
            problems.append(f"figure {chart['number']} rests on withheld count(s) {resting}")
        table = chart.get("table")
        scope = [k for k in values if not table or k.startswith(f"{table}|")]
        withheld = {values[k] for k in scope if k in hidden} - {
            values[k] for k in scope if k not in hidden
        }
        drawn = {float(v) for v in chart.get("values", [])}  # type: ignore[attr-defined]
        leaked = sorted(v for v in drawn & withheld if v >= 0)
        if leaked:
            problems.append(f"figure {chart['number']} draws withheld value(s) {leaked}")
    return problems
