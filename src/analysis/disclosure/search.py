"""A reader's combination search: sets of 1 to 5 records that a page states nowhere, yet
a reader reads by adding and subtracting several of the counts it shows.

:func:`analysis.disclosure.page.decide` protects such sets when they are the difference
of two nested counts, or of three (:meth:`analysis.disclosure.page.Ledger.differences`).
Red team 15 (issue 12) found longer ones by integer programming over a page's atoms: on the
2024/25 recruitment example, enquirers less those who withdrew, were not progressed or are
in progress are the approved (withheld, but pinned); approvals in the years less those
are approvals from earlier enquiries; less the 13 approved from 2021/22's enquiries leaves
3 households, from six shown counts. This module finds them the same way, for an analyst
to check a built page before it is published (``python -m analysis.disclosure.search
reports/.../recruitment.ipynb``); :func:`analysis.disclosure.page.decide` runs it once its
audit settles and protects each set found as it protects a difference.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat
import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis.disclosure.page import Ledger
from analysis.disclosure.suppression import HIGHEST, LOWEST

ATOM = "atom|"
MOST_TERMS = 8  # counts added or subtracted in one combination
MOST_FOUND = 20


@dataclass(frozen=True)
class Combination:
    """Shown counts (key -> +1 or -1) that add up to exactly one set of ``value`` records."""

    terms: Mapping[str, int]
    value: int
    printed: bool  # every term a figure the council printed: its own publication
    atoms: frozenset[str] = frozenset()  # the set of records, as the page's atoms

    def __str__(self) -> str:
        said = " ".join(f"{'+' if s > 0 else '-'} {k}" for k, s in self.terms.items())
        return f"{self.value}: {said}" + (" (printed figures only)" if self.printed else "")


def _atoms_of(ledger: Ledger) -> dict[str, frozenset[str]]:
    """Each count's atoms, from the ledger's records or, read back from a page, from the
    relations that say each count is the sum of its atoms."""
    if ledger.members:
        _, relations = ledger.atoms()
    else:
        relations = ledger.relations
    out = {}
    for relation in relations:
        totals = [k for k, v in relation.items() if v == -1 and not k.startswith(ATOM)]
        rest = {k: v for k, v in relation.items() if k not in totals}
        if (
            len(totals) == 1
            and rest
            and all(k.startswith(ATOM) and v == 1 for k, v in rest.items())
        ):
            out[totals[0]] = frozenset(rest)
    return out


def _shown(ledger: Ledger, hidden: set[str]) -> dict[frozenset[str], str]:
    """The shown counts with records (stated, not in ``hidden``): each set of atoms -> the
    first count of it (counts of the same records are one term to the reader)."""
    atoms_of = _atoms_of(ledger)
    by_set: dict[frozenset[str], str] = {}
    for key in sorted(atoms_of):
        if key in ledger.stated and key not in hidden:
            by_set.setdefault(atoms_of[key], key)
    return by_set


def shown(ledger: Ledger, hidden: Iterable[str]) -> frozenset[frozenset[str]]:
    """The sets of atoms of the counts a search with ``hidden`` withheld combines (for
    ``beyond`` in :func:`combinations`)."""
    return frozenset(_shown(ledger, set(hidden)))


def combinations(
    ledger: Ledger,
    hidden: Iterable[str],
    most: int = MOST_TERMS,
    limit: int = MOST_FOUND,
    exclude: Iterable[frozenset[str]] = (),
    beyond: Iterable[frozenset[frozenset[str]]] = (),
) -> list[Combination]:
    """The sets of 1 to 5 records that some sum and difference of at most ``most`` shown
    counts (stated, not in ``hidden``, with records) make exactly, fewest counts first, one
    combination per set of records, at most ``limit`` of them; none of the sets (of atoms)
    in ``exclude``.

    Each of ``beyond`` is what an earlier search combined (:func:`shown`) when it found
    every combination there was, all of whose sets are in ``exclude`` now: a combination of
    those counts alone makes one of those sets, so each combination found here takes at
    least one count outside each of them (none at all if every count here is in one). Exact,
    and what keeps the searches after the first quick: a few counts shown again, not the
    whole page."""
    hidden = set(hidden)
    atoms_of = _atoms_of(ledger)
    by_set = _shown(ledger, hidden)
    keys = list(by_set.values())
    atoms = sorted(set().union(*by_set)) if by_set else []
    if len(keys) < 2:
        return []
    index = {a: i for i, a in enumerate(atoms)}
    rows, cols = [], []
    for j, key in enumerate(keys):
        for atom in atoms_of[key]:
            rows.append(index[atom])
            cols.append(j)
    n_keys, n_atoms = len(keys), len(atoms)
    incidence = sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n_atoms, n_keys))
    values = np.array([ledger.values[k] for k in keys])
    # variables: plus_j, minus_j (0/1: the count added, or subtracted), in_a (0/1: the atom
    # is in the set); each atom's net count of terms is 0 or 1, which is in_a
    constraints = [
        LinearConstraint(sparse.hstack([incidence, -incidence, -sparse.eye(n_atoms)]), 0, 0),
        LinearConstraint(
            np.concatenate([values, -values, np.zeros(n_atoms)])[None, :], LOWEST, HIGHEST
        ),
        LinearConstraint(
            sparse.hstack(
                [sparse.eye(n_keys), sparse.eye(n_keys), sparse.csr_array((n_keys, n_atoms))]
            ),
            0,
            1,
        ),
        LinearConstraint(
            np.concatenate([np.ones(2 * n_keys), np.zeros(n_atoms)])[None, :], 2, most
        ),
    ]
    cost = np.concatenate([np.ones(2 * n_keys), np.zeros(n_atoms)])

    def cut(chosen: np.ndarray) -> None:  # the next solution makes another set of records
        row = np.concatenate([np.zeros(2 * n_keys), np.where(chosen, 1.0, -1.0)])
        constraints.append(LinearConstraint(row[None, :], -np.inf, int(chosen.sum()) - 1))

    for atoms_before in exclude:
        if atoms_before <= set(index):
            cut(np.isin(np.array(atoms, dtype=object), list(atoms_before)))
    for earlier in beyond:
        new = np.array([atoms_of[key] not in earlier for key in keys], dtype=float)
        if not new.any():
            return []
        row = np.concatenate([new, new, np.zeros(n_atoms)])
        constraints.append(LinearConstraint(row[None, :], 1, np.inf))
    found: list[Combination] = []
    while len(found) < limit:
        result = milp(cost, constraints=constraints, integrality=np.ones(len(cost)),
                      bounds=Bounds(0, 1))  # fmt: skip
        if result.status == 2:  # infeasible: no other set
            break
        if result.x is None:  # anything else would pass for "no other set"
            raise RuntimeError(f"the reader's search could not finish: {result.message}")
        x = np.round(result.x)
        terms = {keys[j]: int(x[j] - x[n_keys + j]) for j in range(n_keys) if x[j] != x[n_keys + j]}
        chosen = x[2 * n_keys :] > 0.5
        value = round(sum(s * ledger.values[k] for k, s in terms.items()))
        printed = all(k in ledger.published for k in terms)
        members = frozenset(a for a, c in zip(atoms, chosen, strict=True) if c)
        found.append(Combination(terms, value, printed, members))
        cut(chosen)
    return found


def main(paths: Iterable[str]) -> int:
    """Print each public page's combinations; 1 if any rests on a figure not printed."""
    from analysis.presentation import export

    status = 0
    for path in paths:
        for entry in export.ledgers(nbformat.read(Path(path), as_version=4)):
            if entry["disclosure"] != "public":
                continue
            ledger = Ledger.from_json(entry["ledger"])
            found: list[Combination] = []
            while True:  # batch after batch, as the page's decision does (red team 16)
                batch = combinations(ledger, entry["hidden"], exclude=[c.atoms for c in found])
                found += batch
                if len(batch) < MOST_FOUND:
                    break
            print(f"{path}: {len(found)} found")
            for combination in found:
                print(f"  {combination}")
                status |= not combination.printed
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
