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
- ``values.<column>``: a spelling -> the schema code (added to the earlier year's);
- ``encoding``: the text encoding of a CSV that is not UTF-8 (such as ``"cp1252"``);
- ``date_format_confirmed``: headers whose every date reads both day-first and month-first
  (all days 1 to 12), checked by hand to be in ``date_format`` (this year only).

Every extract kind is read the same way by :func:`read`: a year with no declaration,
a declared column that is absent, a column the declaration does not know, an unknown
key, a file that is not a CSV (a workbook, a web page, semicolons) or not in its
encoding, a header below undeclared title rows, a row cut short or with a stray
delimiter, a date column mostly in another format (:func:`date_layout_problem`) or whose
every date reads both day-first and month-first (:func:`reads_both_ways`), a header that
differs from its declared name only in case, and a value outside the declared vocabulary
each stop the run with an :class:`~analysis.core.errors.InputError` that says what to
declare, and where. Values are compared after :func:`normalise`; headers exactly.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tomllib
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from analysis.core.errors import InputError
from analysis.core.quarantine import SYSTEMATIC_MIN, SYSTEMATIC_SHARE
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
    "encoding": str,
    "date_format_confirmed": list,
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
NOTE_CELLS = 2  # a data row filling no more cells is a total or note, never a record


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
    encoding: str = ""  # the text encoding of a CSV ("" when UTF-8, told from the bytes)
    # headers whose dates all read both ways, checked by hand to be in date_format
    date_format_confirmed: tuple[str, ...] = ()

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
    if "encoding" in table:
        try:
            codecs.lookup(table["encoding"])
        except LookupError:
            raise LayoutError(
                path,
                f"{where} encoding {table['encoding']!r} is not a text encoding Python knows",
                column="encoding",
                hint='for example "cp1252" (Windows, Excel\'s "CSV"), "latin-1", "utf-16"',
            ) from None
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
        coded = [c for c in table.get("columns", {}).values() if c in spec.codes]
        unspelt = [c for c in coded if c not in table.get("values", {})]
        if unspelt:
            raise LayoutError(
                path,
                f"[{_toml_key(year)}] has no based_on, so it must declare the spellings of "
                f"{unspelt[0]!r} under [{_toml_key(year)}.values.{unspelt[0]}]",
                column="based_on",
                hint="To keep an earlier year's spellings, declare based_on = \"<that "
                'year>" (uncomment it, if the suggested declaration was pasted); otherwise '
                f"list every spelling of {', '.join(unspelt)} with its code.",
            )
        columns: dict[str, str] = {}
        values: dict[str, dict[str, str]] = {}
        base = {"ignore_columns": (), "header_row": 1, "skip_rows": (), "encoding": ""}
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
            "encoding": parent.encoding,
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
        encoding=table.get("encoding", base["encoding"]),
        date_format_confirmed=tuple(table.get("date_format_confirmed", ())),
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


def _line_of(data: bytes, offset: int) -> int:
    """The spreadsheet row (1-based line) holding byte ``offset``."""
    return data.count(b"\n", 0, offset) + 1


def _looks_like(path: Path, data: bytes) -> None:
    """Stop on a file that is not a CSV at all: a workbook or a web page under a .csv name."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if data.startswith(b"PK\x03\x04"):
        looks = "an Excel workbook (.xlsx) saved under a .csv name"
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        looks = "an old Excel workbook (.xls) saved under a .csv name"
    elif head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<table" in head:
        looks = "a web page (HTML) saved under a .csv name"
    else:
        return
    raise InputError(
        path,
        f"the file is not a CSV: it looks like {looks}",
        hint="Open it in Excel and save it as 'CSV UTF-8 (Comma delimited)', or give a "
        "workbook its .xlsx name.",
    )


def decode(path: Path, data: bytes, encoding: str = "") -> str:
    """A CSV's bytes as text: in the declared ``encoding``, else UTF-8 (with or without a
    byte-order mark) or UTF-16 with one; anything else stops naming the byte and row
    where it fails, and the encoding to declare. Never a silent misreading."""
    where = "under the year's table in councils/<council>/layouts/"
    if not encoding:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            encoding = "utf-16"
        elif b"\x00" in data[:4096]:
            offset = data.index(b"\x00")
            raise InputError(
                path,
                f"byte {offset} holds a NUL: the file looks like UTF-16 without a byte-order mark",
                row=_line_of(data, offset),
                hint=f'declare encoding = "utf-16-le" {where}, or save it as CSV UTF-8.',
            )
        else:
            encoding = "utf-8-sig"
    elif codecs.lookup(encoding).name == "utf-8":
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        sample = data[error.start : error.start + 4]
        if encoding == "utf-8-sig":
            hint = (
                f"the bytes {sample!r} are not UTF-8; read as cp1252 (Windows, Excel's CSV) "
                f"they are {sample.decode('cp1252', errors='replace')!r}. If that is right, "
                f'declare encoding = "cp1252" {where}; otherwise save the file as CSV UTF-8.'
            )
        else:
            hint = f"the bytes {sample!r} are not {encoding}: check the declared encoding."
        raise InputError(
            path,
            f"byte {error.start} cannot be read as {encoding.removesuffix('-sig')}",
            row=_line_of(data, error.start),
            hint=hint,
        ) from None
    _misread(path, data, text, encoding)
    return text


def _misread(path: Path, data: bytes, text: str, encoding: str) -> None:
    """Stop when a declared single-byte encoding would turn the file's text into mojibake:
    its bytes are valid UTF-8 with letters beyond ASCII, or it reads control characters."""
    if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig") or encoding.startswith("utf"):
        return
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            offset = next(i for i, b in enumerate(data) if b > 0x7F)
            raise InputError(
                path,
                f"the file is declared {encoding} but its text is UTF-8 (from byte {offset}): "
                f"read as {encoding} it would be garbled",
                row=_line_of(data, offset),
                hint="remove the encoding key from the year's declaration.",
            )
    control = re.search("[\x80-\x9f]", text)
    if control:
        offset = len(text[: control.start()].encode(encoding))
        raise InputError(
            path,
            f"byte {offset} reads as a control character in {encoding}",
            row=_line_of(data, offset),
            hint='the file is probably Windows text: declare encoding = "cp1252".',
        )


def _delimited_otherwise(path: Path, text: str, rows: list[list[str]]) -> None:
    """Stop on a file separated by semicolons or tabs (a CSV saved with another locale's
    list separator), which a comma reader sees as one column."""
    widest = max((_filled(r) for r in rows[:SCAN_ROWS]), default=0)
    for line in text[:65536].splitlines()[:SCAN_ROWS]:
        for delimiter, name in ((";", "semicolons"), ("\t", "tabs")):
            if line.count(delimiter) >= 2 and line.count(delimiter) + 1 > widest:
                raise InputError(
                    path,
                    f"the file's columns are separated by {name}, not commas",
                    hint="Save it from Excel as 'CSV UTF-8 (Comma delimited)'.",
                )


def check_utf8_csv(path: Path) -> None:
    """Stop on a file read by name as UTF-8 CSV (such as an SSDA903 return) that is a
    workbook or a web page, UTF-16, or separated by semicolons or tabs; its first bytes
    are enough to tell (the whole file's UTF-8 is checked by :func:`not_utf8`)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
    except OSError as error:
        raise InputError(path, f"cannot read the file ({error.strerror or error})") from None
    _looks_like(path, head)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        raise InputError(
            path,
            "the file is UTF-16 text (as Excel's 'Unicode text' saves it), not UTF-8",
            hint="Save it from Excel as 'CSV UTF-8 (Comma delimited)'.",
        )
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    _delimited_otherwise(path, text, list(csv.reader(io.StringIO(text))))


def not_utf8(path: Path) -> InputError | None:
    """The error naming the first byte of ``path`` that is not UTF-8 (its offset and
    row), or None when the whole file is UTF-8."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        sample = data[error.start : error.start + 4]
        return InputError(
            path,
            f"byte {error.start} cannot be read as utf-8",
            row=_line_of(data, error.start),
            hint=f"the bytes {sample!r} are not UTF-8 (read as Windows text they are "
            f"{sample.decode('cp1252', errors='replace')!r}): save the file as CSV UTF-8.",
        )
    return None


def _cells(path: Path, encoding: str = "") -> list[list[object]]:
    """Every row of the file as a list of cells (text; dates and numbers from Excel)."""
    try:
        if path.suffix.lower() == ".xlsx":
            sheet = pd.read_excel(path, header=None, dtype=object)
            return [[None if pd.isna(v) else v for v in row] for row in sheet.to_numpy().tolist()]
        data = path.read_bytes()
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise InputError(path, f"cannot read the file ({error})") from None
    _looks_like(path, data)
    text = decode(path, data, encoding)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise InputError(path, f"cannot read the file as CSV ({error})") from None
    _delimited_otherwise(path, text, rows)
    return rows


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
    """The first common strftime pattern that reads every sample value, if any; none when
    the values read both day-first and month-first (that is for a person to say)."""
    text = values[~blank(values)].astype(str).str.strip()
    if text.empty:
        return None
    for pattern in COMMON_DATE_FORMATS:
        if pd.to_datetime(text, format=pattern, errors="coerce").notna().all():
            return None if reads_both_ways(text, pattern, least=1) else pattern
    return None


def swapped(fmt: str) -> str | None:
    """``fmt`` with day and month exchanged: None unless it starts with one of them and has
    both as numbers (year first, as in ISO dates, is never read day last)."""
    if not fmt.startswith(("%d", "%m")) or "%d" not in fmt or "%m" not in fmt:
        return None
    return re.sub(r"%[dm]", lambda m: "%m" if m.group() == "%d" else "%d", fmt)


def reads_both_ways(values: pd.Series, fmt: str, least: int = SYSTEMATIC_MIN) -> bool:
    """Whether every one of ``values`` (at least ``least`` of them) reads as a date both in
    ``fmt`` and with day and month exchanged: such a column cannot show which it is, and
    a system that swapped them would be read without error, every date wrong."""
    other = swapped(fmt)
    if other is None or len(values) < least:
        return False
    return bool(
        pd.to_datetime(values, format=fmt, errors="coerce").notna().all()
        and pd.to_datetime(values, format=other, errors="coerce").notna().all()
    )


def suggestion(path: Path, year: str, known: dict[str, Layout], spec: Spec) -> str:
    """The TOML declaration to add for ``year``, built from the file's real header."""
    encoding = ""
    try:
        rows = _cells(path)
    except InputError as error:
        if not error.problem.endswith("cannot be read as utf-8"):
            raise
        encoding = "cp1252"  # a CSV from Excel on Windows; if not, reading says so
        rows = _cells(path, encoding)
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
    if encoding:
        lines.append(f"encoding = {_toml_key(encoding)}  # the file is not UTF-8")
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
    rows = _cells(path, layout.encoding)
    if len(rows) < layout.header_row or not _filled(rows[layout.header_row - 1]):
        raise InputError(path, "the file is empty")
    headers = _headers(rows[layout.header_row - 1])
    while headers and headers[-1] == "":
        headers.pop()
    _check_header_row(path, rows, headers, layout)
    width = len(headers)
    raw = rows[layout.header_row :]
    body = [(r + [None] * width)[:width] for r in raw]
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
    _check_widths(path, raw, width, numbers, keep & ~totals, layout)
    table.insert(0, "source_file", path.name)
    records = table[["source_file", "source_row", *layout.columns]].rename(columns=layout.columns)
    for column in spec.columns:
        if column not in records:
            records[column] = pd.NA
    records = records[["source_file", "source_row", *spec.columns]]
    return Extract(path, layout, records, int(totals.sum()), _empty_other())


def _check_header_row(
    path: Path, rows: list[list[object]], headers: list[str], layout: Layout
) -> None:
    """Stop when the declared header is not on the declared row but another row near the
    top holds it (title rows added above it, or removed): naming the row to declare."""
    if all(h in headers for h in layout.columns):
        return
    wanted = set(layout.columns)
    matches = [len(wanted & set(_headers(r))) for r in rows[:SCAN_ROWS]]
    best = max(range(len(matches)), key=lambda i: matches[i], default=0)
    if not matches or matches[best] * 2 <= len(wanted) or best + 1 == layout.header_row:
        return
    raise InputError(
        path,
        f"the header is on spreadsheet row {best + 1}, not on row {layout.header_row} as "
        f"declared for {layout.year}",
        row=best + 1,
        hint=f"title rows above the header: declare header_row = {best + 1} under "
        f"[{_toml_key(layout.year)}] in {_shown(layout.declared_in)} (and any total rows "
        "below the data in skip_rows = [...]).",
    )


def _check_widths(
    path: Path,
    raw: list[list[object]],
    width: int,
    numbers: range,
    data: pd.Series,
    layout: Layout,
) -> None:
    """Stop on a data row with a value beyond the header's last column (a stray delimiter),
    a row of at most ``NOTE_CELLS`` filled cells under a header of five or more (a total
    or note row not declared in ``skip_rows``), or, in a CSV, a row with fewer cells than
    the header (the file cut short, a broken line): values would otherwise land in the
    wrong columns, be lost, or a note be read as a record."""
    csv_file = path.suffix.lower() != ".xlsx"
    skip = (
        f"if it is a total or note row, declare skip_rows = [{{first}}] under "
        f"[{_toml_key(layout.year)}] in {_shown(layout.declared_in)}"
    )
    for cells, number, used in zip(raw, numbers, data, strict=True):
        if not used:
            continue
        beyond = [v for v in cells[width:] if _filled([v])]
        if beyond:
            raise InputError(
                path,
                f"the row has a value beyond the header's {width} columns",
                row=number,
                value=beyond[0],
                hint="a stray delimiter: a value holding an unquoted comma, or an extra "
                "column with no header. Export the file again (values with commas quoted).",
            )
        first = _toml_key(next((str(v) for v in cells if _filled([v])), "")[:20])
        if width >= 5 and _filled(cells) <= NOTE_CELLS:
            raise InputError(
                path,
                f"the row fills {_filled(cells)} of the header's {width} columns: not a record",
                row=number,
                hint=skip.format(first=first) + ".",
            )
        if csv_file and len(cells) < width:
            raise InputError(
                path,
                f"the row has {len(cells)} of the header's {width} cells",
                row=number,
                hint="the file may be cut short, or a value holds an unquoted line break: "
                "export the file again.",
            )


def _check_headers(path: Path, headers: list[str], layout: Layout, spec: Spec) -> None:
    where = _shown(layout.declared_in)
    absent = [h for h in layout.columns if h not in headers]
    declared = [*absent, *(h for h in layout.ignore_columns if h not in headers)]
    for name in declared:
        resembles = [h for h in headers if h.casefold() == name.casefold()]
        if resembles:
            column = layout.columns.get(name)
            kind = f"the {column!r} column" if column else "in ignore_columns"
            raise InputError(
                path,
                f"header {resembles[0]!r} differs only in case from {name!r}, declared for "
                f"{layout.year} ({kind}): headers must match the declaration exactly",
                column=resembles[0],
                hint=f"if it is the same column, declare {_toml_key(resembles[0])} in place of "
                f"{_toml_key(name)} under [{_toml_key(layout.year)}] in {where}; a header is "
                "never matched by resemblance, so a renamed column cannot be read as another.",
            )
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

    Odd cells are bad rows (returned, for the caller to set aside), but a column whose
    dates are mostly in another format is a layout problem: see :func:`date_layout_problem`."""
    records = records.copy()
    bad: dict[str, pd.Series] = {}
    fmt = extract.layout.date_format
    for column in columns:
        raw = records[column]
        stamps = pd.Series(pd.NaT, index=records.index, dtype="datetime64[ns]")
        is_date = raw.map(lambda v: isinstance(v, (date, datetime)))
        stamps[is_date] = pd.to_datetime(raw[is_date])
        text = ~is_date & ~blank(raw)
        values = raw[text].astype(str).str.strip()
        stamps[text] = pd.to_datetime(values, format=fmt, errors="coerce")
        failed = text & stamps.isna()
        header = header_of(extract.layout, column)
        if header not in extract.layout.date_format_confirmed and reads_both_ways(values, fmt):
            _stop_both_ways(extract, records, column, values)
        if failed.any():
            problem = date_layout_problem(values, fmt, int(is_date.sum()))
            if problem:
                _stop_dates(extract, records, column, failed, problem)
        bad[column] = failed
        records[column] = stamps.dt.normalize()
    return records, bad


def _read_counts(values: pd.Series) -> dict[str, int]:
    """How many of ``values`` each common pattern reads (each distinct value parsed once)."""
    counts = values.value_counts()
    distinct = pd.Series(counts.index, dtype=object)
    weights = counts.to_numpy()
    out = {}
    for pattern in COMMON_DATE_FORMATS:
        read = pd.to_datetime(distinct, format=pattern, errors="coerce").notna().to_numpy()
        out[pattern] = int(weights[read].sum())
    return out


def date_layout_problem(
    values: pd.Series, fmt: str, excel: int = 0
) -> tuple[str, str | None] | None:
    """Why a date column's text ``values`` show a layout problem rather than bad rows, with
    the pattern they match (or None); None when the cells not in ``fmt`` are odd rows.

    A problem when no date is in ``fmt``; or, in a column of at least ``SYSTEMATIC_MIN``
    values (fewer cannot tell a pattern from chance), when another common pattern reads
    more of them than ``fmt`` does (a changed format, or day and month swapped: then
    ``fmt`` reads only the values that read both ways) or more than ``SYSTEMATIC_SHARE``
    of them are not in ``fmt`` (docs/assumptions.md). ``excel`` counts the column's
    cells Excel stored as dates."""
    total = len(values)
    read = int(pd.to_datetime(values, format=fmt, errors="coerce").notna().sum())
    failed = total - read
    if failed == 0:
        return None
    counts = _read_counts(values)
    best = max(counts, key=lambda p: counts[p])
    guessed = best if counts[best] else None
    if read == 0 and excel == 0:
        return "no date in the column is in the declared format", guessed
    if total < SYSTEMATIC_MIN:
        return None
    if guessed and counts[best] > read:
        return (
            f"{failed} of {total} dates are not in the declared format, and more ("
            f"{counts[best]}) read as {best!r} than as the format",
            guessed,
        )
    if failed > SYSTEMATIC_SHARE * total:
        return (
            f"{failed} of {total} dates (more than {SYSTEMATIC_SHARE:.0%}) are not in the "
            "declared format, a layout problem rather than bad rows: format",
            guessed,
        )
    return None


def _stop_dates(
    extract: Extract,
    records: pd.DataFrame,
    column: str,
    failed: pd.Series,
    problem: tuple[str, str | None],
) -> None:
    layout = extract.layout
    text, guessed = problem
    raw = records.loc[failed, column].astype(str).str.strip()
    sample = list(dict.fromkeys(raw))[:3]
    raise InputError(
        extract.path,
        f"{text} {layout.date_format!r}",
        row=int(records.at[failed.idxmax(), "source_row"]),
        column=header_of(layout, column),
        value=sample[0],
        hint=f"sample values {sample} "
        + (
            f"match the pattern {guessed!r}: declare date_format = {_toml_key(guessed)} "
            if guessed
            else "match none of the common patterns: declare their strftime pattern "
        )
        + f"under [{_toml_key(layout.year)}] in {_shown(layout.declared_in)} (one pattern "
        "per year: a file mixing formats must be exported again)",
    )


def _stop_both_ways(
    extract: Extract, records: pd.DataFrame, column: str, values: pd.Series
) -> None:
    layout = extract.layout
    header = header_of(layout, column)
    other = swapped(layout.date_format)
    sample = list(dict.fromkeys(values))[:3]
    raise InputError(
        extract.path,
        f"every one of the column's {len(values)} dates reads both as "
        f"{layout.date_format!r} and as {other!r} (no day is above 12), so the file cannot "
        "show whether day or month comes first",
        column=header,
        hint=f"sample values {sample}. Check a few of them in the case-management system, "
        f"then declare under [{_toml_key(layout.year)}] in {_shown(layout.declared_in)} "
        f"either date_format_confirmed = [{_toml_key(header)}] (they are "
        f"{layout.date_format!r}) or date_format = {_toml_key(other or '?')} (month first; "
        "if the other date columns differ, the file mixes formats: export it again).",
    )


def header_of(layout: Layout, column: str) -> str:
    """The file's header for schema ``column`` (the schema name where none is declared)."""
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
        column=header_of(layout, column),
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
