"""Rows set aside, with their reason, so that nothing is silently dropped.

Every cleaning step returns ``(clean, quarantined)``. The quarantine table keeps the
original record plus where it came from and why it was set aside, and
:func:`reconcile` proves that rows read = rows clean + rows quarantined.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike

import pandas as pd

from analysis.core.errors import InputError

# Columns every quarantine table carries in front of the record's own columns.
QUARANTINE_COLUMNS = ["source_file", "source_row", "column", "value", "reason"]
# Bad rows or a bad layout: a check failed by more than this share of a file's rows (or a
# column's values), when at least SYSTEMATIC_MIN of them fail it, is a problem with the
# file or its declaration, not with rows, and stops the run (docs/assumptions.md).
SYSTEMATIC_SHARE = 0.5
SYSTEMATIC_MIN = 10
# No date in any extract can be before this: earlier ones are typing errors.
EARLIEST = pd.Timestamp(1900, 1, 1)


def set_aside(
    records: pd.DataFrame, mask: pd.Series, reason: str, column: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``records`` into those kept and those where ``mask`` is true, with ``reason``.

    ``records`` must carry ``source_file`` and ``source_row``; the offending
    ``column`` and its value are recorded when given.
    """
    mask = mask.fillna(False).astype(bool)
    bad = records.loc[mask].copy()
    bad["column"] = column
    bad["value"] = bad[column].astype("string") if column else pd.NA
    bad["reason"] = reason
    ordered = QUARANTINE_COLUMNS + [c for c in bad.columns if c not in QUARANTINE_COLUMNS]
    return records.loc[~mask].copy(), bad[ordered]


def stop_if_systematic(
    file: str | PathLike[str],
    read: int,
    held: pd.DataFrame,
    filled: Mapping[str, int] | None = None,
) -> None:
    """Stop when one check set aside most of a file's ``read`` rows (more than
    ``SYSTEMATIC_SHARE`` and at least ``SYSTEMATIC_MIN``): naming the file, the first row,
    the column, the reason and a sample of the values, since quarantining row by row
    would quietly leave out most of the year.

    ``filled`` gives, for a column most rows leave blank (a withdrawal's reason code), how
    many rows fill it: a check on that column is systematic when it fails most of those
    (every code of a new code list unknown), however few of the file's rows they are."""
    if held.empty or read == 0:
        return
    filled = filled or {}
    counts = held.groupby(["column", "reason"], dropna=False, sort=False).size()
    for (column, reason), n in counts.items():
        of = filled.get(column, read)
        if n < SYSTEMATIC_MIN or n <= SYSTEMATIC_SHARE * of:
            continue
        rows = held[held["column"].eq(column).fillna(False) & held["reason"].eq(reason)]
        sample = list(dict.fromkeys(rows["value"].dropna().astype(str)))[:3]
        rows_of, whole = (
            (f"rows that fill {column!r}", "them") if column in filled else ("rows", "the file")
        )
        raise InputError(
            file,
            f"{n} of {of} {rows_of} fail the same check ({reason}): more than "
            f"{SYSTEMATIC_SHARE:.0%} of {whole}, a problem with its layout or its "
            "declaration rather than with rows",
            row=int(rows["source_row"].min()),
            column=None if pd.isna(column) else str(column),
            hint=f"sample values: {sample}. Check the column's declaration for this year "
            "(its header, spellings and date format) against the file.",
        )


def combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """One quarantine table from several steps' (possibly empty) tables."""
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class Reconciliation:
    """Rows read, kept and set aside for one file or one year."""

    read: int
    clean: int
    quarantined: int

    @property
    def balanced(self) -> bool:
        return self.read == self.clean + self.quarantined


def reconcile(read: int, clean: pd.DataFrame, quarantined: pd.DataFrame) -> Reconciliation:
    """Check that no row was lost; raise if rows read != clean + quarantined."""
    result = Reconciliation(read, len(clean), len(quarantined))
    if not result.balanced:
        raise AssertionError(
            f"rows do not reconcile: read {read}, clean {len(clean)}, "
            f"quarantined {len(quarantined)}"
        )
    return result
