"""Read, map, parse and validate the yearly enquiry extracts; write the clean table.

Each file is ``recruitment/enquiries_<year>*.csv`` or ``.xlsx`` under the raw folder.
A file whose layout is not the one declared for its year stops the run
(:class:`~analysis.core.errors.InputError`, naming the file, the unmatched columns and the
mapping to add). Rows that fail a check are set aside in quarantine with their file,
row and reason; per file, rows read = rows clean + rows quarantined.

Each extract holds every household with an event dated in its year, as the system
stood at 31 March. A household appears in every year it was active; the
household table keeps its record from the latest extract up to the year asked for.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.core import paths, quarantine
from analysis.core.errors import InputError
from analysis.core.years import FinancialYear, require_year
from analysis.recruitment.schema import (
    CATEGORIES,
    DATE_COLUMNS,
    HOUSEHOLD_ID,
    LAYOUT_NAMES,
    REASON_CODES,
    REASON_LOOKUP,
    REASONS,
    RECORDS_START,
    REQUIRED,
    SCHEMA,
    STAGE_DATES,
    UNRECOGNISED_REASON,
    VOCABULARY,
    YEAR_LAYOUTS,
    Layout,
    lookup,
    normalise,
)

if TYPE_CHECKING:
    from analysis.council.config import Council

DATASET = "recruitment"
FILE_NAME = re.compile(r"^enquiries_(\d{4}-\d{2}).*\.(csv|xlsx)$", re.IGNORECASE)


def folder(raw: str = "example") -> Path:
    """The folder holding the enquiry extracts for ``raw`` ("example", "extracts", a path)."""
    return paths.raw_dir(raw) / DATASET


def extract_files(raw: str = "example") -> dict[str, Path]:
    """Year label -> that year's extract file; two files for one year is an error."""
    found: dict[str, Path] = {}
    for path in sorted(folder(raw).glob("enquiries_*")):
        match = FILE_NAME.match(path.name)
        if not match:
            continue
        year = FinancialYear.parse(match.group(1)).label
        if year in found:
            raise InputError(
                path,
                f"a second extract for {year} (also {found[year].name})",
                hint="keep one file per year in the folder",
            )
        found[year] = path
    return found


def available_years(raw: str = "example") -> list[str]:
    """The years that have an enquiry extract."""
    return sorted(extract_files(raw))


def _suggest(headers: list[str], date_format: str, header_row: int) -> str:
    """The declaration an analyst would add, filled in where a header is already known."""
    known = {h: c for layout in LAYOUT_NAMES.values() for h, c in layout.items()}
    lines = [f"    {h!r}: {known.get(h, '?')!r}," for h in headers]
    return (
        "Declare it in src/analysis/recruitment_schema.py, YEAR_LAYOUTS (replace each '?' "
        f"with one of {SCHEMA}):\n"
        "    Layout({\n" + "\n".join("    " + line for line in lines) + "\n"
        f"    }}, {date_format!r}, header_row={header_row}),"
    )


def read_table(path: Path, layout: Layout | None) -> pd.DataFrame:
    """The file's cells (text, or dates from Excel) under its header, with each row's
    file name and spreadsheet row number."""
    header_row = layout.header_row if layout else 1
    try:
        if path.suffix.lower() == ".xlsx":
            cells = pd.read_excel(path, header=None, dtype=object)
            if len(cells) < header_row:
                raise InputError(path, "the file is empty")
            headers = [str(h).strip() for h in cells.iloc[header_row - 1]]
            table = cells.iloc[header_row:].set_axis(headers, axis=1)
            table = table.dropna(how="all")
        else:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, skiprows=header_row - 1)
            table.columns = [str(h).strip() for h in table.columns]
    except pd.errors.EmptyDataError as exc:
        raise InputError(path, "the file is empty") from exc
    if table.empty:
        raise InputError(path, "the file has a header but no rows")
    table = table.reset_index(drop=True)
    table.insert(0, "source_row", range(header_row + 1, header_row + 1 + len(table)))
    table.insert(0, "source_file", path.name)
    return table


def map_columns(table: pd.DataFrame, path: Path, year: str) -> tuple[pd.DataFrame, Layout]:
    """Rename the file's columns to the schema through the year's declared layout."""
    headers = [c for c in table.columns if c not in ("source_file", "source_row")]
    layout = YEAR_LAYOUTS.get(year)
    if layout is None:
        raise InputError(
            path, f"no column layout is declared for {year}", hint=_suggest(headers, "%Y-%m-%d", 1)
        )
    unmatched = [h for h in headers if h not in layout.columns]
    if unmatched:
        raise InputError(
            path,
            f"unknown layout for {year}: columns {unmatched} are not in the declared mapping",
            hint=_suggest(headers, layout.date_format, layout.header_row),
        )
    mapped = table.rename(columns=layout.columns)
    missing = [c for c in REQUIRED if c not in mapped.columns]
    if missing:
        raise InputError(
            path,
            f"required column missing: {missing[0]}",
            column=missing[0],
            hint=f"the file must hold every column of {REQUIRED}",
        )
    for column in SCHEMA:
        if column not in mapped.columns:
            mapped[column] = pd.NA
    return mapped[["source_file", "source_row", *SCHEMA]], layout


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | values.astype("string").str.strip().eq("")


def parse_dates(records: pd.DataFrame, layout: Layout) -> tuple[pd.DataFrame, list]:
    """Dates as timestamps; a cell that is not a date in the declared format is quarantined."""
    parts = []
    for column in DATE_COLUMNS:
        raw = records[column]
        stamps = pd.Series(pd.NaT, index=records.index, dtype="datetime64[ns]")
        is_date = raw.map(lambda v: isinstance(v, date))
        stamps[is_date] = pd.to_datetime(raw[is_date])
        text = ~is_date & ~_blank(raw)
        stamps[text] = pd.to_datetime(
            raw[text].astype(str).str.strip(), format=layout.date_format, errors="coerce"
        )
        bad = text & stamps.isna()
        records, out = quarantine.set_aside(
            records, bad, f"not a date in the declared format {layout.date_format}", column
        )
        parts.append(out)
        records[column] = stamps[records.index].dt.normalize()
    return records, parts


def _categorise(records: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """Map codes and categories onto the clean values; unknown values are quarantined."""
    parts = []
    for column in CATEGORIES:
        table = lookup(VOCABULARY[column])
        text = records[column]
        blank = _blank(text)
        clean = text.map(lambda v, t=table: t.get(normalise(v)))
        records, out = quarantine.set_aside(
            records, ~blank & clean.isna(), f"unknown {column.replace('_', ' ')} value", column
        )
        parts.append(out)
        records[column] = clean[records.index].astype("string")
    code = records["exit_reason_code"].astype("string").str.strip().str.upper()
    unknown = code.notna() & code.ne("") & ~code.isin(list(REASON_CODES))
    records, out = quarantine.set_aside(
        records,
        unknown,
        f"unknown reason code (known: {', '.join(REASON_CODES)})",
        "exit_reason_code",
    )
    parts.append(out)
    records["exit_reason_code"] = code[records.index].replace("", pd.NA)
    text = records["exit_reason"]
    records["exit_reason_text"] = text.where(~_blank(text)).astype("string")
    reason = text.map(lambda v: REASON_LOOKUP.get(normalise(v)))
    reason = reason.where(_blank(text) | reason.notna(), UNRECOGNISED_REASON)
    records["exit_reason"] = reason.where(~_blank(text)).astype("string")
    return records, parts


def _stage_order(records: pd.DataFrame) -> pd.Series:
    """The first pair of dates out of order in each row, or missing when in order."""
    problem = pd.Series(pd.NA, index=records.index, dtype="string")
    ordered = [c for c in STAGE_DATES if c in records]
    for i, later in enumerate(ordered[1:], start=1):
        for earlier in ordered[:i]:
            wrong = records[later] < records[earlier]
            problem = problem.mask(problem.isna() & wrong, f"{later} before {earlier}")
    for earlier in ordered:
        wrong = records["exit_date"] < records[earlier]
        problem = problem.mask(problem.isna() & wrong, f"exit_date before {earlier}")
    return problem


def _gaps(records: pd.DataFrame) -> pd.Series:
    """A stage date with an earlier stage missing (EOI may be missing: not always recorded)."""
    problem = pd.Series(pd.NA, index=records.index, dtype="string")
    needed = ["enquiry_date", "stage1_date", "stage2_date", "panel_date", "approval_date"]
    for i, later in enumerate(needed[1:], start=1):
        for earlier in needed[:i]:
            gap = records[later].notna() & records[earlier].isna()
            problem = problem.mask(problem.isna() & gap, f"{later} without {earlier}")
    return problem


def _outcome_problem(records: pd.DataFrame) -> pd.Series:
    """Outcome, exit fields and approval date that contradict one another."""
    outcome = records["outcome"]
    closed = outcome.isin(["withdrew", "not progressed"])
    rules = [
        (outcome.eq("approved") & records["approval_date"].isna(), "approved without a date"),
        (
            ~outcome.eq("approved") & records["approval_date"].notna(),
            "approval date but outcome is not approved",
        ),
        (closed & records["exit_date"].isna(), "closed without a closure date"),
        (closed & records["exit_stage"].isna(), "closed without the stage left"),
        (closed & records["exit_reason_code"].isna(), "closed without a reason code"),
        (~closed & records["exit_date"].notna(), "closure date but the record is not closed"),
        (outcome.isna(), "no outcome"),
    ]
    problem = pd.Series(pd.NA, index=records.index, dtype="string")
    for wrong, text in rules:
        problem = problem.mask(problem.isna() & wrong.fillna(False), text)
    return problem


def _active(records: pd.DataFrame, fy: FinancialYear) -> pd.Series:
    """Rows with at least one date inside the financial year."""
    active = pd.Series(False, index=records.index)
    for column in DATE_COLUMNS:
        active |= records[column].between(fy.start, fy.end).fillna(False)
    return active


def validate(records: pd.DataFrame, path: Path, year: str) -> tuple[pd.DataFrame, list]:
    """Quarantine rows that break the contract: ids, dates, order, year, outcome."""
    fy = FinancialYear.parse(year)
    if len(records) and not _active(records, fy).any():
        latest = records[DATE_COLUMNS].max().max()
        where = FinancialYear.containing(latest).label if pd.notna(latest) else "no year"
        raise InputError(
            path,
            f"no household in the file has an event in {year}, the year its name "
            f"gives (latest date falls in {where}): is it another year's extract?",
        )
    parts = []
    ident = records["household_id"].astype("string").str.strip()
    records["household_id"] = ident
    records, out = quarantine.set_aside(
        records,
        ~ident.fillna("").str.match(HOUSEHOLD_ID.pattern),
        "household id is not 'H' and six digits (a test or malformed record)",
        "household_id",
    )
    parts.append(out)
    duplicated = records["household_id"].duplicated(keep=False)
    records, out = quarantine.set_aside(
        records, duplicated, "household id appears more than once in the file", "household_id"
    )
    parts.append(out)
    records, out = quarantine.set_aside(
        records, records["enquiry_date"].isna(), "no enquiry date", "enquiry_date"
    )
    parts.append(out)
    for column in DATE_COLUMNS:
        records, early = quarantine.set_aside(
            records,
            records[column] < RECORDS_START,
            f"date before the service's records begin ({RECORDS_START:%d/%m/%Y})",
            column,
        )
        records, late = quarantine.set_aside(
            records,
            records[column] > fy.end,
            f"date after the extract's year ends ({fy.end:%d/%m/%Y}): in the future",
            column,
        )
        parts += [early, late]
    for check, text in ((_gaps, "stage missing"), (_stage_order, "stages out of order")):
        problem = check(records)
        records, out = quarantine.set_aside(
            records.assign(stage_problem=problem), problem.notna(), text, "stage_problem"
        )
        records = records.drop(columns="stage_problem")
        parts.append(out)
    problem = _outcome_problem(records)
    records, out = quarantine.set_aside(
        records.assign(outcome_problem=problem),
        problem.notna(),
        "outcome inconsistent",
        "outcome_problem",
    )
    records = records.drop(columns="outcome_problem")
    parts.append(out)
    active = _active(records, fy)
    records, out = quarantine.set_aside(
        records, ~active, f"no event dated in {year}, the extract's year", "enquiry_date"
    )
    parts.append(out)
    return records, parts


@dataclass(frozen=True)
class FileResult:
    """One extract read: its clean rows, its quarantined rows, and the rows read."""

    year: str
    path: Path
    clean: pd.DataFrame
    quarantined: pd.DataFrame
    read: int


def read_extract(path: Path, year: str) -> FileResult:
    """Read one year's file through its declared layout, parse, validate and reconcile."""
    layout = YEAR_LAYOUTS.get(year)
    table = read_table(path, layout)
    records, layout = map_columns(table, path, year)
    read = len(records)
    records, date_parts = parse_dates(records, layout)
    records, category_parts = _categorise(records)
    records, check_parts = validate(records, path, year)
    records["transferred_from_agency"] = records["channel"].eq("Transfer from another agency")
    records["extract_year"] = year
    held = quarantine.combine(date_parts + category_parts + check_parts)
    quarantine.reconcile(read, records, held)
    return FileResult(year, path, records.reset_index(drop=True), held, read)


@dataclass(frozen=True)
class Loaded:
    """Everything read for one appendix year."""

    year: str
    households: pd.DataFrame
    quarantine: pd.DataFrame
    reconciliation: pd.DataFrame
    files: list[Path]

    @property
    def years(self) -> list[str]:
        """The extract years read, oldest first."""
        return list(self.reconciliation["Extract"])


def load(year: str, raw: str = "example") -> Loaded:
    """Read every extract up to ``year``; one row per household from its latest extract.

    A household whose row in a later extract was set aside is left out altogether
    rather than shown as its earlier, out-of-date record: the quarantine explains it.
    """
    files = extract_files(raw)
    fy = require_year(year, files, "enquiry extract")
    used = {y: p for y, p in files.items() if FinancialYear.parse(y) <= fy}
    results = [read_extract(p, y) for y, p in sorted(used.items())]
    records = pd.concat([r.clean for r in results], ignore_index=True)
    for later in results:
        held_ids = set(later.quarantined.get("household_id", pd.Series()).dropna().astype(str))
        stale = records["household_id"].isin(held_ids) & (records["extract_year"] < later.year)
        records = records[~stale]
    households = (
        records.sort_values(["household_id", "extract_year"], kind="stable")
        .drop_duplicates("household_id", keep="last")
        .sort_values(["enquiry_date", "household_id"], kind="stable")
        .reset_index(drop=True)
    )
    reconciliation = pd.DataFrame(
        {
            "Extract": [r.year for r in results],
            "File": [r.path.name for r in results],
            "Rows read": [r.read for r in results],
            "Rows clean": [len(r.clean) for r in results],
            "Rows set aside": [len(r.quarantined) for r in results],
        }
    )
    held = quarantine.combine([r.quarantined.assign(extract_year=r.year) for r in results])
    return Loaded(fy.label, households, held, reconciliation, [r.path for r in results])


def _atomic_parquet(frame: pd.DataFrame, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_processed(loaded: Loaded, out_dir: Path | None = None) -> list[Path]:
    """Write the household table and the quarantine as parquet, each atomically."""
    out_dir = out_dir or paths.PROCESSED
    households = out_dir / f"recruitment_households_{loaded.year}.parquet"
    held = out_dir / f"recruitment_quarantine_{loaded.year}.parquet"
    _atomic_parquet(loaded.households, households)
    _atomic_parquet(
        loaded.quarantine.astype(
            {c: "string" for c in loaded.quarantine.columns if loaded.quarantine[c].dtype == object}
        ),
        held,
    )
    return [households, held]


def reason_avoidable(reasons: pd.Series) -> pd.Series:
    """Whether each service reason is one the service itself could act on."""
    return reasons.map(lambda r: REASONS[r].avoidable if r in REASONS else False)


def years(council: Council, raw: str = "example") -> list[str]:
    """The years with an enquiry extract for ``council`` (the build's interface)."""
    where = paths.raw_dir(raw, council.slug)
    return available_years(where) if (where / DATASET).is_dir() else []


def inputs(council: Council, year: str, raw: str = "example") -> list[Path]:
    """The year's enquiry extract, every earlier one (households carried across years and
    the cohort and trend views), and the published tables it reconciles against."""
    extracts = extract_files(paths.raw_dir(raw, council.slug))
    published = ["recruitment_funnel", "panel_business", "children_in_care_and_capacity", "sources"]
    return [p for y, p in sorted(extracts.items()) if y <= year] + [
        council.published / f"{name}.csv" for name in published
    ]
