"""Small-number suppression for shared exports, in the style of DfE statistics.

Rule ``public`` (the default):

1. *Primary*: a count of people from 1 to 5 is shown as ``c``. Zero is shown.
2. *Secondary*: wherever counts add up to a total shown in the same table (a total
   column, or a total row), a group with exactly one ``c`` could be solved by
   subtraction, so the next smallest positive count in that group is withheld too
   (the total itself only when no other count is left). This repeats until every
   group holds no ``c`` or at least two.
3. *Rates*: a rate built on a withheld count is withheld.

Rule ``internal``: nothing is suppressed, and every page says it is not for
circulation. The same rule decides chart labels (:func:`label`, :func:`chart_values`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence

import numpy as np
import pandas as pd

RULES = {
    "public": (
        "Disclosure control (DfE convention): 'c' marks a withheld figure: a count of 1 to "
        "5 people, or another count of any size (zeros too) withheld so that no total or "
        "difference on the page reveals one, a rate built on either, or a median or "
        "average of fewer than 6 people. "
        "Published figures, and the data's counts of the same people, are shown as printed."
    ),
    "internal": "INTERNAL: NOT FOR CIRCULATION. No small-number suppression has been applied.",
}
SUPPRESSED = "c"
LOWEST, HIGHEST = 1, 5
TOTAL_WORDS = ("total", "all")

Cell = tuple[int, int]


def check_rule(rule: str) -> None:
    """Stop on an unknown rule name."""
    if rule not in RULES:
        raise ValueError(f"unknown disclosure rule {rule!r}; use one of {sorted(RULES)}")


def describe(rule: str) -> str:
    """The sentence an export prints to say which rule it applied."""
    check_rule(rule)
    return RULES[rule]


def is_small(value: object) -> bool:
    """True for a count that the public rule withholds (1 to 5)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return LOWEST <= number <= HIGHEST


def label(value: object, rule: str = "public", fmt: str = "{:,.0f}") -> str:
    """A chart annotation for a count: ``c`` when the rule withholds it.

    Pass values from the table :func:`apply` returned, so that counts withheld by
    secondary suppression (already ``c``) stay withheld on the chart too.
    """
    check_rule(rule)
    if value == SUPPRESSED or (rule == "public" and is_small(value)):
        return SUPPRESSED
    return fmt.format(value)


def chart_values(values: Iterable[object], rule: str = "public") -> list[float]:
    """Counts to plot: withheld ones (small, or already ``c``) become NaN so nothing shows them."""
    check_rule(rule)
    return [
        np.nan if v == SUPPRESSED or (rule == "public" and is_small(v)) else float(v)  # type: ignore[arg-type]
        for v in values
    ]


def _is_total_label(value: object) -> bool:
    text = str(value).strip().lower()
    return any(text == word or text.startswith(word + " ") for word in TOTAL_WORDS)


def _total_row_position(frame: pd.DataFrame, total_row: Hashable | None) -> int | None:
    """Where the row of column totals is: by index label, or by the first column's text."""
    if total_row is None:
        return None
    if total_row in frame.index:
        return int(frame.index.get_loc(total_row))
    first = frame.iloc[:, 0].astype(str)
    hits = np.flatnonzero(first == str(total_row))
    if len(hits) != 1:
        raise ValueError(f"total row {total_row!r} not found (or found twice) in the table")
    return int(hits[0])


def _detect_total_row(frame: pd.DataFrame, numbers: pd.DataFrame) -> int | None:
    """A row labelled 'Total'/'All ...' that really is the sum of the rows above and below."""
    labels = [*frame.index] if not isinstance(frame.index, pd.RangeIndex) else []
    candidates = [i for i, v in enumerate(labels) if _is_total_label(v)]
    if not candidates and frame.shape[1] and pd.api.types.is_object_dtype(frame.dtypes.iloc[0]):
        candidates = [i for i, v in enumerate(frame.iloc[:, 0]) if _is_total_label(v)]
    for position in candidates:
        rest = numbers.drop(index=numbers.index[position])
        if len(rest) > 1 and np.allclose(rest.sum(), numbers.iloc[position], equal_nan=False):
            return position
    return None


def _detect_total_columns(numbers: pd.DataFrame) -> dict[str, list[str]]:
    """A count column named 'Total'/'All ...' that equals the sum of the other counts."""
    found = {}
    for column in numbers.columns:
        others = [c for c in numbers.columns if c != column]
        adds_up = len(others) > 1 and np.allclose(numbers[others].sum(axis=1), numbers[column])
        if _is_total_label(column) and adds_up:
            found[column] = others
    return found


def _groups(
    columns: list[str], rows: int, totals: dict[str, Sequence[str]], total_row: int | None
) -> list[tuple[list[Cell], Cell]]:
    """Every (components, total) set of cells that adds up within the table."""
    where = {c: j for j, c in enumerate(columns)}
    groups = []
    for total, parts in totals.items():
        for i in range(rows):
            groups.append(([(i, where[p]) for p in parts], (i, where[total])))
    if total_row is not None:
        others = [i for i in range(rows) if i != total_row]
        for j in range(len(columns)):
            groups.append(([(i, j) for i in others], (total_row, j)))
    return groups


def secondary(
    values: np.ndarray, withheld: np.ndarray, groups: list[tuple[list[Cell], Cell]]
) -> np.ndarray:
    """Extend ``withheld`` until no group can be solved for a single withheld cell.

    In a group with exactly one withheld cell, the smallest positive unwithheld
    component is withheld too (the first, on ties); the group's total only when no
    such component is left. Repeats until nothing changes.
    """
    withheld = withheld.copy()
    changed = True
    while changed:
        changed = False
        for parts, total in groups:
            cells = [*parts, total]
            if sum(withheld[c] for c in cells) != 1:
                continue
            open_parts = [c for c in parts if not withheld[c] and values[c] > 0]
            if open_parts:
                choice = min(open_parts, key=lambda c: values[c])
            elif not withheld[total] and values[total] > 0:
                choice = total
            else:
                continue
            withheld[choice] = True
            changed = True
    return withheld


def apply(
    frame: pd.DataFrame,
    rule: str,
    *,
    counts: Sequence[str] = (),
    rates: dict[str, Sequence[str]] | None = None,
    totals: dict[str, Sequence[str]] | None = None,
    total_row: Hashable | None = None,
) -> pd.DataFrame:
    """Return a copy of ``frame`` with small counts, what would reveal them, and rates as ``c``.

    ``counts`` are the columns counting people. ``totals`` maps a total column to the
    count columns it adds up; ``total_row`` names the row (index label, or the text in
    the first column) holding column totals. Without them, a count column or row
    labelled "Total"/"All ..." that really equals the sum of the others is found and
    used. ``rates`` maps a rate column to the count columns it is built on.
    """
    check_rule(rule)
    if rule == "internal" or not counts:
        return frame.copy()
    counts = list(counts)
    rates = rates or {}
    numbers = frame[counts].apply(pd.to_numeric, errors="coerce")
    totals = dict(totals) if totals is not None else _detect_total_columns(numbers)
    for total, parts in totals.items():
        missing = [c for c in [total, *parts] if c not in counts]
        if missing:
            raise ValueError(f"totals name columns not listed in counts: {missing}")
    if total_row is not None:
        row = _total_row_position(frame, total_row)
    else:
        row = _detect_total_row(frame, numbers)
    values = numbers.to_numpy(dtype=float)
    primary = (values >= LOWEST) & (values <= HIGHEST)
    withheld = secondary(
        np.nan_to_num(values, nan=0.0), primary, _groups(counts, len(frame), totals, row)
    )
    out = frame.copy().astype({c: "object" for c in [*counts, *rates]})
    for j, column in enumerate(counts):
        out.loc[withheld[:, j], column] = SUPPRESSED
    hidden = pd.DataFrame(withheld, index=frame.index, columns=counts)
    for rate, bases in rates.items():
        out.loc[hidden[list(bases)].any(axis=1), rate] = SUPPRESSED
    return out
