"""Errors that say exactly which input is wrong.

A bad file stops the run with an :class:`InputError` naming the file, the row (as
a spreadsheet shows it: the header is row 1), the column and the value. Rows that
can be set aside instead go to quarantine (see :mod:`analysis.quarantine`).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path


class InputError(ValueError):
    """An input file that cannot be used as it stands."""

    def __init__(
        self,
        file: str | PathLike[str],
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        hint: str | None = None,
    ) -> None:
        self.file = Path(file)
        self.row = row
        self.column = column
        self.value = value
        self.problem = problem
        self.hint = hint
        where = [self.file.name]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        if value is not None:
            where.append(f"value {value!r}")
        message = f"{', '.join(where)}: {problem}"
        if hint:
            message += f"\n{hint}"
        super().__init__(message)
