"""Errors that say exactly which input is wrong.

A bad file stops the run with an :class:`InputError` naming the file, the row (as
a spreadsheet shows it: the header is row 1), the column and the value. Rows that
can be set aside instead go to quarantine (see :mod:`analysis.core.quarantine`).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path


class InputError(ValueError):
    """An input file that cannot be used as it stands.

    The message names the file by its name only (a data file's folder can hold personal
    details, such as a user name); subclasses for files of the repository's own set
    ``whole_path`` to name them from the repository root.
    """

    whole_path = False

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
        where = [self._shown()]
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

    def _shown(self) -> str:
        if not self.whole_path:
            return self.file.name
        from analysis.core import paths

        try:
            return self.file.resolve().relative_to(paths.ROOT.resolve()).as_posix()
        except ValueError:
            return self.file.name
