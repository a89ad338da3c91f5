"""Yearly extract layouts declared as data, and the one runner that reads a file through them.

A case-management system renames, reorders and adds columns, changes its date format,
its category spellings and its export (title rows above the header, total rows below
the data) without notice. Each change is declared, per year, in the council's folder:
``councils/<slug>/layouts/<kind>.toml``. A table per financial year holds

- ``based_on``: an earlier declared year whose declaration this one changes (optional);
- ``columns``: the header as the system spells it -> the schema column (a new spelling of
  a schema column replaces the earlier one);
- ``ignore_columns``: headers in the file that the analysis does not read;
- ``date_format``: the strftime pattern of the dates written as text;
- ``header_row``: the spreadsheet row of the header (1 unless title rows sit above it);
- ``skip_rows``: data rows whose first cell starts with one of these texts (totals);
- ``values.<column>``: a spelling -> the schema code (added to the earlier year's).

Every extract kind is read the same way by :func:`read`: a year with no declaration,
a declared column that is absent, a column the declaration does not know, an unknown
key, a whole column of dates in another format and a value outside the declared
vocabulary each stop the run with an :class:`~analysis.core.errors.InputError` that
says what to declare, and where. Values are compared after :func:`normalise`.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.years import FinancialYear, YearError

# The one definition of a household id: "H" and six digits, shared by the recruitment
# and retention extracts (the same household keeps its id after approval).
HOUSEHOLD_ID = re.compile(r"^H\d{6}$")

KEYS = {
    "based_on": str,
    "columns": dict,
    "ignore_columns": list,
    "date_format": str,
    "header_row": int,
    "skip_rows": list,
    "values": dict,
}
# Patterns tried when a column's dates are not in the declared format.
COMMON_DATE_FORMATS = (
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d/%m/%y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d %B %Y",
    "%Y/%m/%d",
    "%m/%d/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%dT%H:%M:%S",
)
SCAN_ROWS = 20  # rows searched for the header when a title row may sit above it


class LayoutError(InputError):
    """A layout declaration that is wrong: named from the repository root."""

    whole_path = True


@dataclass(frozen=True)
class Spec:
    """What an extract kind's schema expects, declared by the analysis that reads it."""

    kind: str
    columns: tuple[str, ...]
    optional: frozenset[str] = frozenset()
    dates: tuple[str, ...] = ()
    codes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    other: Mapping[str, str] = field(default_factory=dict)

    @property
    def required(self) -> list[str]:
        """Schema columns every layout must map."""
        return [c for c in self.columns if c not in self.optional]


@dataclass(frozen=True)
class Layout:
    """One year's declaration, with the earlier year it is based on already applied."""

    kind: str
    year: str
    declared_in: Path
    columns: dict[str, str]
    ignore_columns: tuple[str, ...]
    date_format: str
    header_row: int
    skip_rows: tuple[str, ...]
    values: dict[str, dict[str, str]]  # column -> spelling as declared -> code

    def has(self, column: str) -> bool:
        """Whether the year's file carries the schema ``column``."""
        return column in self.columns.values()


@dataclass(frozen=True)
class Extract:
    """One file read through its layout: schema columns as text (or Excel dates)."""

    path: Path
    layout: Layout
    records: pd.DataFrame
    skipped: int
    other: pd.DataFrame  # column, value, count of values mapped to "other"


def normalise(text: object) -> str:
    """Lower case, punctuation and underscores as spaces, runs of spaces collapsed."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text).lower()).split())


def blank(values: pd.Series) -> pd.Series:
    """Cells that are missing or only spaces."""
    return values.isna() | values.astype("string").str.strip().eq("")


def _toml_key(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- declarations -------------------------------------------------------------------


def _check_keys(table: dict, keys: dict[str, type], path: Path, where: str) -> None:
    """A declaration table holds only ``keys``, each of its declared type."""
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise LayoutError(
            path,
            f"unknown key {unknown[0]!r} in {where}",
            column=unknown[0],
            hint=f"known keys: {', '.join(keys)}",
        )
    for key, kind in keys.items():
        if key in table and not isinstance(table[key], kind):
            raise LayoutError(
                path, f"{where} {key} must be a {kind.__name__}", column=key, value=table[key]
            )


def _check_table(table: object, path: Path, year: str, spec: Spec) -> dict:
    where = f"[{_toml_key(year)}]"
    if not isinstance(table, dict):
        raise LayoutError(path, f"{where} must be a table of keys", column=year)
    _check_keys(table, KEYS, path, where)
    for header, column in table.get("columns", {}).items():
        if column not in spec.columns:
            raise LayoutError(
                path,
                f"{where} maps {header!r} to {column!r}, which is not a {spec.kind} column",
                column=header,
                value=column,
                hint=f"schema columns: {', '.join(spec.columns)}",
            )
    for column, spellings in table.get("values", {}).items():
        if column not in spec.codes:
            raise LayoutError(
                path,
                f"{where} declares values for {column!r}, which has no code list",
                column=f"values.{column}",
                hint=f"coded columns: {', '.join(spec.codes)}",
            )
        if not isinstance(spellings, dict):
            raise LayoutError(path, f"{where} values.{column} must be a table", column=column)
        for spelling, code in spellings.items():
            if code not in spec.codes[column]:
                raise LayoutError(
                    path,
                    f"{where} values.{column} maps {spelling!r} to {code!r}, not a known code",
                    column=f"values.{column}",
                    value=code,
                    hint=f"codes: {', '.join(spec.codes[column])}",
                )
    if "date_format" in table and "%" not in table["date_format"]:
        raise LayoutError(
            path, f"{where} date_format is not a strftime pattern", value=table["date_format"]
        )
    return table


def _resolve(year: str, tables: dict, path: Path, spec: Spec, seen: tuple = ()) -> Layout:
    table = tables[year]
    parent_year = table.get("based_on")
    if parent_year is None:
        missing = [k for k in ("columns", "date_format") if k not in table]
        if missing:
            raise LayoutError(
                path,
                f"[{_toml_key(year)}] has no based_on, so it must declare {missing[0]}",
                column=missing[0],
            )
        columns: dict[str, str] = {}
        values: dict[str, dict[str, str]] = {}
        base = {"ignore_columns": (), "header_row": 1, "skip_rows": ()}
    else:
        if parent_year not in tables or parent_year in seen or parent_year >= year:
            raise LayoutError(
                path,
                f"[{_toml_key(year)}] is based on {parent_year!r}, which is not an earlier "
                "declared year",
                column="based_on",
                value=parent_year,
            )
        parent = _resolve(parent_year, tables, path, spec, (*seen, year))
        columns, values = dict(parent.columns), {c: dict(v) for c, v in parent.values.items()}
        base = {
            "ignore_columns": parent.ignore_columns,
            "header_row": parent.header_row,
            "skip_rows": parent.skip_rows,
            "date_format": parent.date_format,
        }
    for header, column in table.get("columns", {}).items():
        columns = {h: c for h, c in columns.items() if c != column}
        columns[header] = column
    for column, spellings in table.get("values", {}).items():
        values.setdefault(column, {}).update(spellings)
    missing = [c for c in spec.required if c not in columns.values()]
    if missing:
        raise LayoutError(
            path,
            f"[{_toml_key(year)}] maps no header to the required column {missing[0]!r}",
            column=missing[0],
        )
    return Layout(
        kind=spec.kind,
        year=year,
        declared_in=path,
        columns=columns,
        ignore_columns=tuple(table.get("ignore_columns", base["ignore_columns"])),
        date_format=table.get("date_format", base.get("date_format", "")),
        header_row=table.get("header_row", base["header_row"]),
        skip_rows=tuple(table.get("skip_rows", base["skip_rows"])),
        values=values,
    )


def declarations(folder: Path, spec: Spec) -> dict[str, Layout]:
    """Every year declared in ``folder/<kind>.toml``, checked, based_on applied."""
    path = Path(folder) / f"{spec.kind}.toml"
    try:
        with open(path, "rb") as handle:
            tables = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as error:
        raise LayoutError(path, f"not valid TOML: {error}") from None
    for year, table in tables.items():
        try:
            label = FinancialYear.parse(year).label
        except YearError:
            label = None
        if label != year:
            raise LayoutError(
                path,
                f'unknown key {year!r}: each table is a financial year such as ["2024-25"]',
                column=year,
            )
        _check_table(table, path, year, spec)
    return {year: _resolve(year, tables, path, spec) for year in sorted(tables)}


# ---- reading ------------------------------------------------------------------------


def _cells(path: Path) -> list[list[object]]:
    """Every row of the file as a list of cells (text; dates and numbers from Excel)."""
    try:
        if path.suffix.lower() == ".xlsx":
            sheet = pd.read_excel(path, header=None, dtype=object)
            return [[None if pd.isna(v) else v for v in row] for row in sheet.to_numpy().tolist()]
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputError(path, f"cannot read the file ({error})") from None


def _filled(row: list[object]) -> int:
    return sum(1 for v in row if v is not None and str(v).strip() != "")


def detect_header_row(rows: list[list[object]]) -> int:
    """The spreadsheet row of the header: the first of the widest rows near the top
    (a title row above it fills one cell)."""
    top = rows[:SCAN_ROWS]
    if not top:
        return 1
    widest = max(_filled(r) for r in top)
    return next(i for i, r in enumerate(top, start=1) if _filled(r) == widest)


def _headers(row: list[object]) -> list[str]:
    return [str(h).strip() if h is not None else "" for h in row]


def guess_date_format(values: pd.Series) -> str | None:
    """The first common strftime pattern that reads every sample value, if any."""
    text = values[~blank(values)].astype(str).str.strip()
    if text.empty:
        return None
    for pattern in COMMON_DATE_FORMATS:
        if pd.to_datetime(text, format=pattern, errors="coerce").notna().all():
            return pattern
    return None


def suggestion(path: Path, year: str, known: dict[str, Layout], spec: Spec) -> str:
    """The TOML declaration to add for ``year``, built from the file's real header."""
    rows = _cells(path)
    header_row = detect_header_row(rows)
    headers = [h for h in _headers(rows[header_row - 1]) if h] if rows else []
    names = {h: c for layout in known.values() for h, c in layout.columns.items()}
    body = pd.DataFrame(rows[header_row:]).iloc[:, : len(headers)]
    body.columns = headers[: body.shape[1]]
    dates = [h for h in headers if names.get(h) in spec.dates and h in body]
    guessed = {guess_date_format(body[h]) for h in dates if not _excel_dates(body[h])}
    fmt = next(iter(guessed - {None}), None) if len(guessed - {None}) == 1 else None
    latest = max(known) if known else None
    lines = [f"[{_toml_key(year)}]"]
    if latest:
        lines.append(f"# based_on = {_toml_key(latest)}  # to keep its value spellings")
    lines.append(f"date_format = {_toml_key(fmt or '?')}")
    if header_row != 1:
        lines.append(f"header_row = {header_row}")
    lines.append(f"[{_toml_key(year)}.columns]")
    lines += [f"{_toml_key(h)} = {_toml_key(names.get(h, '?'))}" for h in headers]
    return (
        f"Add this to {_shown(path=known and next(iter(known.values())).declared_in)} "
        f'(or to councils/<council>/layouts/{spec.kind}.toml), replacing each "?" with one '
        f"of {', '.join(spec.columns)} (or listing the header in ignore_columns), and "
        "declare its value spellings under values.<column> (see data/raw/README.md):\n"
        + "\n".join(lines)
    )


def _shown(path: Path | None) -> str:
    if not path:
        return "the council's layouts folder"
    return LayoutError(path, "")._shown()


def _excel_dates(values: pd.Series) -> bool:
    return bool(values.map(lambda v: isinstance(v, date)).any())


def read(path: Path, year: str, known: dict[str, Layout], spec: Spec) -> Extract:
    """Read one file through the layout declared for ``year``: schema columns, each row's
    file name and spreadsheet row, total rows skipped; stop on any layout problem."""
    path = Path(path)
    layout = known.get(year)
    if layout is None:
        raise InputError(
            path,
            f"no {spec.kind} layout is declared for {year}",
            hint=suggestion(path, year, known, spec),
        )
    rows = _cells(path)
    if len(rows) < layout.header_row or not _filled(rows[layout.header_row - 1]):
        raise InputError(path, "the file is empty")
    headers = _headers(rows[layout.header_row - 1])
    while headers and headers[-1] == "":
        headers.pop()
    width = len(headers)
    body = [(r + [None] * width)[:width] for r in rows[layout.header_row :]]
    numbers = range(layout.header_row + 1, layout.header_row + 1 + len(body))
    table = pd.DataFrame(body, columns=headers, dtype=object)
    table.insert(0, "source_row", list(numbers))
    keep = pd.Series([_filled(r) > 0 for r in body], index=table.index, dtype=bool)
    skip = {normalise(s) for s in layout.skip_rows}
    first = pd.Series([next((str(v) for v in r if _filled([v])), "") for r in body], dtype=object)
    totals = keep & first.map(lambda v: any(normalise(v).startswith(s) for s in skip if s))
    table = table[keep & ~totals].reset_index(drop=True)
    if table.empty:
        raise InputError(path, "the file has a header but no rows")
    _check_headers(path, headers, layout, spec)
    table.insert(0, "source_file", path.name)
    records = table[["source_file", "source_row", *layout.columns]].rename(columns=layout.columns)
    for column in spec.columns:
        if column not in records:
            records[column] = pd.NA
    records = records[["source_file", "source_row", *spec.columns]]
    return Extract(path, layout, records, int(totals.sum()), _empty_other())


def _check_headers(path: Path, headers: list[str], layout: Layout, spec: Spec) -> None:
    where = _shown(layout.declared_in)
    absent = [h for h in layout.columns if h not in headers]
    if absent:
        raise InputError(
            path,
            f"column {absent[0]!r} declared for {layout.year} is not in the file",
            column=absent[0],
            hint=f"the file's columns: {headers}. If the system renamed it, declare the new "
            f"name under [{_toml_key(layout.year)}.columns] in {where}.",
        )
    extra = [h for h in headers if h not in layout.columns and h not in layout.ignore_columns]
    if extra:
        table = "\n".join(f'{_toml_key(h)} = "?"' for h in extra)
        raise InputError(
            path,
            f"columns {extra} are not in the {layout.year} declaration",
            column=extra[0],
            hint=f"declare each in {where}: under [{_toml_key(layout.year)}.columns] with its "
            f"schema column (one of {', '.join(spec.columns)}):\n{table}\n"
            "or, if the analysis does not need it, in ignore_columns = [...].",
        )
    if len(set(headers)) != len(headers):
        repeated = sorted({h for h in headers if headers.count(h) > 1})
        raise InputError(path, f"the header repeats {repeated}", column=repeated[0])


def _empty_other() -> pd.DataFrame:
    return pd.DataFrame({"column": [], "value": [], "count": []}).astype(
        {"column": "string", "value": "string", "count": "int64"}
    )


# ---- dates and values ---------------------------------------------------------------


def parse_dates(
    extract: Extract, records: pd.DataFrame, columns: list[str]
) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """Dates as day timestamps, and per column the cells that are not dates.

    A column none of whose filled cells is a date in the declared format is a layout
    problem, not bad rows: the run stops naming the pattern those values do match."""
    records = records.copy()
    bad: dict[str, pd.Series] = {}
    fmt = extract.layout.date_format
    for column in columns:
        raw = records[column]
        stamps = pd.Series(pd.NaT, index=records.index, dtype="datetime64[ns]")
        is_date = raw.map(lambda v: isinstance(v, (date, datetime)))
        stamps[is_date] = pd.to_datetime(raw[is_date])
        text = ~is_date & ~blank(raw)
        stamps[text] = pd.to_datetime(
            raw[text].astype(str).str.strip(), format=fmt, errors="coerce"
        )
        failed = text & stamps.isna()
        if failed.any() and failed.sum() == (text | is_date).sum():
            sample = list(dict.fromkeys(raw[failed].astype(str).str.strip()))[:3]
            guessed = guess_date_format(raw[failed])
            raise InputError(
                extract.path,
                f"no date in the column is in the declared format {fmt!r}",
                column=_header(extract.layout, column),
                value=sample[0],
                hint=f"sample values {sample} "
                + (
                    f"match the pattern {guessed!r}: declare date_format = {_toml_key(guessed)} "
                    if guessed
                    else "match none of the common patterns: declare their strftime pattern "
                )
                + f"under [{_toml_key(extract.layout.year)}] in "
                f"{_shown(extract.layout.declared_in)}",
            )
        bad[column] = failed
        records[column] = stamps.dt.normalize()
    return records, bad


def _header(layout: Layout, column: str) -> str:
    return next((h for h, c in layout.columns.items() if c == column), column)


def map_values(
    extract: Extract, records: pd.DataFrame, spec: Spec, unknown_to_other: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coded columns as schema codes through the declared spellings (blank stays missing).

    A value not declared stops the run, listing every new value with its count and where
    to declare it, unless the council's ``council.toml`` lists the column under
    ``[extracts.<kind>] unknown_to_other``: then it becomes the column's "other" code and
    is counted in the second table returned (column, value, count)."""
    records = records.copy()
    counted = []
    for column, spellings in extract.layout.values.items():
        table = {normalise(spelling): code for spelling, code in spellings.items()}
        text = records[column]
        empty = blank(text)
        clean = text.map(lambda v, t=table: t.get(normalise(v)))
        unknown = ~empty & clean.isna()
        if unknown.any():
            new = text[unknown].astype(str).str.strip().value_counts(sort=True)
            other = spec.other.get(column)
            if column in unknown_to_other and other is not None:
                clean = clean.where(~unknown, other)
                counted += [(column, value, int(n)) for value, n in new.items()]
            else:
                _stop_unknown(extract, records, column, unknown, new, other)
        records[column] = clean.where(~empty).astype("string")
    other = pd.DataFrame(counted, columns=["column", "value", "count"]) if counted else None
    return records, other if other is not None else _empty_other()


def _stop_unknown(
    extract: Extract,
    records: pd.DataFrame,
    column: str,
    unknown: pd.Series,
    new: pd.Series,
    allowed: str | None,
) -> None:
    layout = extract.layout
    listed = ", ".join(f"{value!r} ({n} row{'s' if n != 1 else ''})" for value, n in new.items())
    first = unknown.idxmax()
    add = "\n".join(f'{_toml_key(value)} = "?"' for value in new.index)
    raise InputError(
        extract.path,
        f"{len(new)} value(s) not declared for {layout.year}: {listed}",
        row=int(records.at[first, "source_row"]),
        column=_header(layout, column),
        hint=f"declare each spelling with its code under [{_toml_key(layout.year)}.values."
        f"{column}] in {_shown(layout.declared_in)}:\n{add}"
        + (
            f"\nor, to count them as {allowed!r}, add {column!r} to unknown_to_other under "
            f"[extracts.{layout.kind}] in the council's council.toml"
            if allowed
            else ""
        ),
    )


# ---- column aliases (extracts read by name, such as the SSDA903 return) ------------

ALIAS_KEYS = {"based_on": str, "aliases": dict}


def aliases(folder: Path, kind: str, names: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Per declared year, the council's header -> the official column name it stands for,
    from ``folder/<kind>.toml`` (``{}`` without one: the file uses the official names).

    A year's table holds ``aliases`` (header as the system exports it = official name) and
    optionally ``based_on`` (an earlier declared year whose aliases it adds to). An unknown
    key, a name that is not one of ``names`` or a bad ``based_on`` stops with a
    :class:`LayoutError` naming the file and the key."""
    path = Path(folder) / f"{kind}.toml"
    try:
        with open(path, "rb") as handle:
            tables = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as error:
        raise LayoutError(path, f"not valid TOML: {error}") from None
    out: dict[str, dict[str, str]] = {}
    for year in sorted(tables):
        table = tables[year]
        try:
            label = FinancialYear.parse(year).label
        except YearError:
            label = None
        where = f"[{_toml_key(year)}]"
        if label != year or not isinstance(table, dict):
            raise LayoutError(
                path,
                f'unknown key {year!r}: each table is a financial year such as ["2024-25"]',
                column=year,
            )
        _check_keys(table, ALIAS_KEYS, path, where)
        parent = table.get("based_on")
        if parent is not None and parent not in out:
            raise LayoutError(
                path,
                f"{where} is based on {parent!r}, which is not an earlier declared year",
                column="based_on",
                value=parent,
            )
        declared = dict(out[parent]) if parent else {}
        for header, name in table.get("aliases", {}).items():
            if name not in names:
                raise LayoutError(
                    path,
                    f"{where} aliases {header!r} to {name!r}, which is not a {kind} column",
                    column=f"aliases.{header}",
                    value=name,
                    hint=f"{kind} columns: {', '.join(names)}",
                )
            declared[header] = name
        out[year] = declared
    return out
