"""How a page prints an estimated share where no household had the outcome.

A share of 0 has no two-sided interval worth printing (0.0 to 0.0 would claim a certainty
the data do not give). Where every household of the group is known to have been free of the
outcome by the time (none left unobserved before it), the page gives instead the exact
one-sided 95% upper confidence bound for a proportion with 0 events in ``n`` (Clopper-Pearson:
``1 - 0.05 ** (1 / n)``, close to the "rule of three", 3 / n), "0.0 (95% upper bound 13.9)".
Otherwise it says "0.0 (none yet)".

The bound is a function of ``n`` and so tells the reader ``n``: it is given only where ``n``
is the group's household count that the table shows beside it, the cell the rate is
withheld with (the page's disclosure decision withholds the rate whenever that count is
withheld), and never for fewer than 6 households (a count the public rule withholds).
"""

from __future__ import annotations

import re

from analysis.disclosure.suppression import HIGHEST

NONE_YET = "0.0 (none yet)"
ALPHA = 0.05  # one-sided: a 95% upper bound
_ZERO = re.compile(r"^0\.0 \((?:none yet|95% upper bound (\d+(?:\.\d+)?))\)$")


def upper_bound(n: int, alpha: float = ALPHA) -> float:
    """The exact (Clopper-Pearson) one-sided ``1 - alpha`` upper confidence bound for a
    proportion with no events in ``n`` trials: the ``p`` with ``(1 - p) ** n = alpha``."""
    if n < 1:
        raise ValueError("a bound needs at least one household")
    return 1 - alpha ** (1 / n)


def zero_text(n: int | None) -> str:
    """A share of 0 as the page prints it: with the 95% upper bound (in %) where ``n``
    households were all followed to the time and it is shown (at least 6), else
    "0.0 (none yet)". ``n`` is None where some household's outcome by then is unknown."""
    if n is None or n <= HIGHEST:
        return NONE_YET
    return f"0.0 (95% upper bound {100 * upper_bound(n):.1f})"


def is_zero(text: object) -> bool:
    """Whether ``text`` is a printed share of 0 (:func:`zero_text`)."""
    return _ZERO.match(str(text).strip()) is not None


def bound_of(text: object) -> float | None:
    """The upper bound (in %) a printed share of 0 gives, None where it gives none."""
    found = _ZERO.match(str(text).strip())
    return None if found is None or found.group(1) is None else float(found.group(1))


def said(text: object) -> str:
    """A printed share of 0 as a sentence or text alternative says it: "none yet", or
    "none yet (95% upper bound 13.9%)"."""
    bound = bound_of(text)
    return "none yet" if bound is None else f"none yet (95% upper bound {bound:.1f}%)"
