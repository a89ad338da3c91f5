"""Small-number suppression for shared exports, in the style of DfE statistics.

Rule ``public`` (the default): counts of 1 to 5 are shown as ``c``; rates built on
a suppressed count are shown as ``c`` too. Rule ``internal``: nothing is
suppressed, and every page says it is not for circulation.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

RULES = {
    "public": (
        "Disclosure control: counts of 1 to 5 people are shown as 'c' and rates built "
        "on them are withheld (DfE convention). Figures already published by the "
        "council are shown as printed."
    ),
    "internal": "INTERNAL: NOT FOR CIRCULATION. No small-number suppression has been applied.",
}
SUPPRESSED = "c"
LOWEST, HIGHEST = 1, 5


def check_rule(rule: str) -> None:
    """Stop on an unknown rule name."""
    if rule not in RULES:
        raise ValueError(f"unknown disclosure rule {rule!r}; use one of {sorted(RULES)}")


def describe(rule: str) -> str:
    """The sentence an export prints to say which rule it applied."""
    check_rule(rule)
    return RULES[rule]


def apply(
    frame: pd.DataFrame,
    rule: str,
    *,
    counts: Sequence[str] = (),
    rates: dict[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Return a copy of ``frame`` with small counts (and the rates built on them) as ``c``."""
    check_rule(rule)
    if rule == "internal" or not counts:
        return frame.copy()
    out = frame.copy().astype({c: "object" for c in [*counts, *(rates or {})]})
    small = pd.DataFrame(False, index=frame.index, columns=list(counts))
    for column in counts:
        values = pd.to_numeric(frame[column], errors="coerce")
        small[column] = values.between(LOWEST, HIGHEST)
        out.loc[small[column], column] = SUPPRESSED
    for rate, bases in (rates or {}).items():
        hit = small[list(bases)].any(axis=1)
        out.loc[hit, rate] = SUPPRESSED
    return out
