"""Which records each count of a table counts, carried with the table to the page.

A table builder knows, for every count it makes, which records it counts (households,
children, placements). It attaches them with :func:`attach`; the page's ledger turns them
into *atoms*, the groups of records that every count on the page treats alike
(:meth:`analysis.disclosure.page.Ledger.atoms`). Each count is then the sum of its atoms,
so the attacker's audit knows every relation the counts imply, whichever tables or
sentences they are in: a total that is the sum of a breakdown, two breakdowns of one
group, a count never larger than one that contains it. No relation has to be declared by
hand, and none can be forgotten.

The records travel in the table's ``DataFrame.attrs`` (pandas keeps them through row
filters and column drops), never into the page: the ledger keeps only the atoms.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping

import pandas as pd

KEY = "fostering.members"
Cells = dict[tuple[Hashable, str], frozenset[str]]


class _Attached(dict):
    """A table's attached records. pandas deep-copies ``attrs`` at every operation on a
    frame; the records never change once attached, so a copy is the same object (copying
    thousands of records at each step made a page several times slower to build)."""

    def __deepcopy__(self, memo: dict[int, object]) -> _Attached:
        return self


def records(kind: str, ids: Iterable[Hashable]) -> frozenset[str]:
    """``ids`` as records of one ``kind`` ("household", "child"): ids of two kinds never meet."""
    return frozenset(f"{kind}:{i}" for i in ids)


def where(kind: str, ids: pd.Series, mask: pd.Series) -> frozenset[str]:
    """The records of ``kind`` whose row of ``ids`` is True in ``mask`` (same index)."""
    return records(kind, ids[mask.fillna(False).astype(bool)])


def attach(
    table: pd.DataFrame, cells: Mapping[tuple[Hashable, str], Iterable[str]]
) -> pd.DataFrame:
    """``table`` with the records each count counts: (row's index label, column) -> records
    (from :func:`records` or :func:`where`). Cells left out are counts with no records
    attached (a published figure, say); :meth:`Appendix.table` relates them as before."""
    out = table.copy()
    found: Cells = {cell: frozenset(ids) for cell, ids in cells.items()}
    unknown = sorted({c for _, c in found} - set(map(str, out.columns)))
    if unknown:
        raise ValueError(f"records attached to columns the table does not have: {unknown}")
    out.attrs[KEY] = _Attached(found)
    return out


def of(table: pd.DataFrame) -> Cells:
    """The records attached to ``table``'s cells (none when nothing is attached)."""
    return dict(table.attrs.get(KEY, {}))
