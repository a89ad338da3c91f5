"""Rows set aside, with their reason, so that nothing is silently dropped.

Every cleaning step returns ``(clean, quarantined)``. The quarantine table keeps the
original record plus where it came from and why it was set aside, and
:func:`reconcile` proves that rows read = rows clean + rows quarantined.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# Columns every quarantine table carries in front of the record's own columns.
QUARANTINE_COLUMNS = ["source_file", "source_row", "column", "value", "reason"]


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
