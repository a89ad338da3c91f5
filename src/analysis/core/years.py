"""Financial years as the reports use them: ``2024-25`` runs 1 April 2024 to 31 March 2025.

The notebooks take ``year`` in that form. Anything else (``2024``, ``24-25``,
``2024-26``) or a year with no data stops the run with a message that lists the
years that are available.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas only where a date is made: planning a build never imports it
    import pandas as pd

_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


class YearError(ValueError):
    """A ``year`` parameter that is malformed or has no data."""


@dataclass(frozen=True, order=True)
class FinancialYear:
    """One financial year, 1 April to 31 March."""

    start_year: int

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        """Read ``2024-25``; reject ``2024``, ``24-25``, ``2024-26`` with a clear message."""
        match = _YEAR.match(str(text).strip())
        if not match:
            raise YearError(
                f"year {text!r} is not a financial year written like '2024-25' "
                "(four-digit start year, hyphen, two-digit end year)"
            )
        start, end = int(match.group(1)), int(match.group(2))
        if (start + 1) % 100 != end:
            raise YearError(
                f"year {text!r} is not a financial year: {start} must be followed by "
                f"{(start + 1) % 100:02d}, as in '{start}-{(start + 1) % 100:02d}'"
            )
        return cls(start)

    @classmethod
    def containing(cls, day: date | pd.Timestamp) -> FinancialYear:
        """The financial year a date falls in."""
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def label(self) -> str:
        """``2024-25``: the form used in parameters, folders and file names."""
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def report_label(self) -> str:
        """``2024/25``: the form the council's reports print."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> pd.Timestamp:
        """1 April."""
        import pandas as pd

        return pd.Timestamp(self.start_year, 4, 1)

    @property
    def end(self) -> pd.Timestamp:
        """31 March: the census date of the year."""
        import pandas as pd

        return pd.Timestamp(self.start_year + 1, 3, 31)

    @property
    def previous(self) -> FinancialYear:
        return FinancialYear(self.start_year - 1)

    @property
    def next(self) -> FinancialYear:
        return FinancialYear(self.start_year + 1)

    def __str__(self) -> str:
        return self.label


def financial_year_labels(dates: pd.Series) -> pd.Series:
    """The ``2024-25`` label of each date (missing stays missing), vectorised."""
    start = (dates.dt.year - (dates.dt.month < 4)).astype("Int64")
    end = (start + 1) % 100
    labels = start.astype("string") + "-" + end.astype("string").str.zfill(2)
    return labels.where(dates.notna())


def require_year(text: str, available: Iterable[str], what: str) -> FinancialYear:
    """Parse ``text`` and check ``what`` has data for it, or stop with the years it has."""
    labels = sorted(set(available))
    listed = ", ".join(labels) if labels else "none"
    year = FinancialYear.parse(text)
    if year.label not in labels:
        raise YearError(f"no {what} for {year.label}; years available: {listed}")
    return year


def comparator_year(
    for_year: str, page_year: str, published: str = "", what: str = "figure"
) -> str:
    """Which year a comparator is for, as a page for ``page_year`` says it (the one rule for
    every comparator, docs/assumptions.md): ``the figure for 2024/25`` when it is the page's
    own year; otherwise ``the nearest figure, for 2022/23 (published March 2024)``, so that
    no reader takes a figure of another year, earlier or later, for the page's own."""
    shown = FinancialYear.parse(for_year).report_label
    if FinancialYear.parse(for_year) == FinancialYear.parse(page_year):
        return f"the {what} for {shown}"
    return f"the nearest {what}, for {shown}" + (f" (published {published})" if published else "")


def built_on(moment: str) -> str:
    """``7 December 2026 at 05:52 UTC`` from an ISO 8601 time (a page's or the index's
    build time, as a reader writes a date)."""
    when = datetime.fromisoformat(moment).astimezone(UTC)
    return f"{when.day} {when:%B %Y} at {when:%H:%M} UTC"
