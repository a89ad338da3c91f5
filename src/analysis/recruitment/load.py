"""Read, map, parse and validate the yearly enquiry extracts; write the clean table.

Each file is ``recruitment/enquiries_<year>*.csv`` or ``.xlsx`` under the raw folder.
Each file is read through the layout the council declares for its year
(``councils/<slug>/layouts/recruitment.toml``, by :mod:`analysis.core.layouts`): a year
with no declaration, a changed header, a new date format or a new category spelling
stops the run with an :class:`~analysis.core.errors.InputError` naming the file and
what to declare. Rows that fail a check are set aside in quarantine with their file,
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
from pathlib import Path

import pandas as pd

from analysis.core import cache, paths, quarantine
from analysis.core import layouts as layouts_core
from analysis.core.errors import InputError
from analysis.core.layouts import HOUSEHOLD_ID
from analysis.core.years import FinancialYear, require_year
from analysis.council import config
from analysis.council.config import Council
from analysis.recruitment.schema import (
    DATE_COLUMNS,
    REASON_CODES,
    REASONS,
    RECORDS_START,
    SPEC,
    STAGE_DATES,
)

DATASET = "recruitment"
# The modules whose code decides what reading one extract gives (the build cache's key).
CODE = (
    __name__,
    "analysis.recruitment.schema",
    "analysis.core.layouts",
    "analysis.core.quarantine",
    "analysis.core.years",
    "analysis.core.errors",
)


def folder(raw: str = "example") -> Path:
    """The folder holding the enquiry extracts for ``raw`` ("example", "extracts", a path)."""
    return paths.raw_dir(raw) / DATASET


def extract_files(raw: str = "example") -> dict[str, Path]:
    """Year label -> that year's extract file (see :func:`analysis.core.paths.yearly_files`:
    a malformed name or two files for one year stop, naming the file)."""
    return paths.yearly_files(folder(raw), "enquiries_")


def available_years(raw: str = "example") -> list[str]:
    """The years that have an enquiry extract."""
    return sorted(extract_files(raw))


def _blank(values: pd.Series) -> pd.Series:
    return layouts_core.blank(values)


def layouts(council: Council) -> dict[str, layouts_core.Layout]:
    """The council's declared enquiry-extract layouts, year label -> layout."""
    return layouts_core.declarations(council.layouts, SPEC)


def parse_dates(extract: layouts_core.Extract, records: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """Dates as timestamps; a cell that is not a date in the declared format is quarantined
    (a whole column of them stops the run: see :func:`analysis.core.layouts.parse_dates`)."""
    parsed, bad = layouts_core.parse_dates(extract, records, DATE_COLUMNS)
    kept, parts = parsed, []
    for column in DATE_COLUMNS:
        kept, out = quarantine.set_aside(
            kept.assign(**{column: records.loc[kept.index, column]}),
            bad[column].loc[kept.index],
            f"not a date in the declared format {extract.layout.date_format}",
            column,
        )
        kept[column] = parsed.loc[kept.index, column]
        parts.append(out)
    return kept, parts


def _categorise(
    extract: layouts_core.Extract, records: pd.DataFrame, unknown_to_other: tuple[str, ...]
) -> tuple[pd.DataFrame, list, pd.DataFrame]:
    """Codes and categories as the clean values (an undeclared spelling stops the run
    unless the council maps it to "other"); an unknown Ofsted code is quarantined."""
    text = records["exit_reason"]
    records = records.assign(exit_reason_text=text.where(~_blank(text)).astype("string"))
    records, other = layouts_core.map_values(extract, records, SPEC, unknown_to_other)
    code = records["exit_reason_code"].astype("string").str.strip().str.upper()
    unknown = code.notna() & code.ne("") & ~code.isin(list(REASON_CODES))
    records, out = quarantine.set_aside(
        records,
        unknown,
        f"unknown reason code (known: {', '.join(REASON_CODES)})",
        "exit_reason_code",
    )
    records["exit_reason_code"] = code[records.index].replace("", pd.NA)
    return records, [out], other


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
        (
            outcome.eq("withdrew") & records["exit_reason_code"].isna(),
            "withdrawn without a reason code",
        ),
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


def _as_filed(held: pd.DataFrame, layout: layouts_core.Layout) -> pd.DataFrame:
    """Rows set aside with their columns named as the file names them, in the column and
    in the reason ("Stage Two start before Stage One start"), so an analyst can find the
    cell and a reader of the annex meets no schema names."""
    names = {c: layouts_core.header_of(layout, c) for c in layout.columns.values()}
    if held.empty or not names:
        return held
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names, key=len)[::-1])) + r")\b")
    return held.assign(
        column=held["column"].map(lambda c: names.get(c, c)),
        reason=held["reason"].str.replace(pattern, lambda m: names[m.group()], regex=True),
    )


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
        for found in problem.dropna().unique():  # one reason per pair: "X before Y"
            wrong = problem.reindex(records.index).eq(found)
            records, out = quarantine.set_aside(
                records, wrong, f"{text}: {found}", found.split()[0]
            )
            parts.append(out)
    problem = _outcome_problem(records)
    for found in problem.dropna().unique():
        wrong = problem.reindex(records.index).eq(found)
        records, out = quarantine.set_aside(
            records, wrong, f"outcome inconsistent: {found}", "outcome"
        )
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
    other: pd.DataFrame  # values mapped to "other" (column, value, count)


def read_extract(
    path: Path, year: str, council: Council, known: dict[str, layouts_core.Layout] | None = None
) -> FileResult:
    """Read one year's file through its declared layout, parse, validate and reconcile."""
    known = layouts(council) if known is None else known
    extract = layouts_core.read(path, year, known, SPEC)
    allowed = council.unknown_to_other.get(DATASET, ())
    records, category_parts, other = _categorise(extract, extract.records, allowed)
    read = len(extract.records)
    records, date_parts = parse_dates(extract, records)
    records, check_parts = validate(records, path, year)
    records["transferred_from_agency"] = records["channel"].eq("Transfer from another agency")
    records["extract_year"] = year
    held = _as_filed(quarantine.combine(category_parts + date_parts + check_parts), extract.layout)
    codes = int((~_blank(extract.records["exit_reason_code"])).sum())
    header = layouts_core.header_of(extract.layout, "exit_reason_code")
    quarantine.stop_if_systematic(path, read, held, {header: codes})
    quarantine.reconcile(read, records, held)
    return FileResult(
        year, path, records.reset_index(drop=True), held, read, other.assign(extract_year=year)
    )


def _read_once(
    path: Path, year: str, council: Council, known: dict[str, layouts_core.Layout]
) -> FileResult:
    """:func:`read_extract`, once per report build for the same file content, year, declared
    layouts and code (:func:`analysis.core.cache.once`): every later year's appendix and
    every page's shared-count decision reads the earlier extracts too."""
    allowed = council.unknown_to_other.get(DATASET, ())
    return cache.once(
        "recruitment-extract",
        cache.extract_key(CODE, path, year, known, allowed),
        lambda: read_extract(path, year, council, known),
    )


@dataclass(frozen=True)
class Loaded:
    """Everything read for one appendix year."""

    year: str
    households: pd.DataFrame
    quarantine: pd.DataFrame
    reconciliation: pd.DataFrame
    files: list[Path]
    other: pd.DataFrame  # values mapped to "other" by council.toml (column, value, count)

    @property
    def years(self) -> list[str]:
        """The extract years read, oldest first."""
        return list(self.reconciliation["Extract"])


def load(year: str, raw: str = "example", council: Council | None = None) -> Loaded:
    """Read every extract up to ``year``; one row per household from its latest extract.

    ``council`` gives the declared layouts (the default council when None).

    A household whose row in a later extract was set aside is left out altogether
    rather than shown as its earlier, out-of-date record: the quarantine explains it.
    """
    files = extract_files(raw)
    fy = require_year(year, files, "enquiry extract")
    used = {y: p for y, p in files.items() if FinancialYear.parse(y) <= fy}
    council = council or config.load()
    known = layouts(council)
    results = [_read_once(p, y, council, known) for y, p in sorted(used.items())]
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
    other = pd.concat([r.other for r in results], ignore_index=True)
    return Loaded(fy.label, households, held, reconciliation, [r.path for r in results], other)


def _atomic_parquet(frame: pd.DataFrame, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_processed(loaded: Loaded, out_dir: Path) -> list[Path]:
    """Write the household table and the quarantine as parquet, each atomically, into the
    council's and data source's own folder (``paths.processed_dir``)."""
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


def shared_inputs(council: Council, year: str, raw: str = "example") -> list[Path]:
    """What another appendix's disclosure decision reads of this one's data (the shared
    counts, :mod:`analysis.disclosure.shared_counts`): the enquiry extracts up to ``year``
    and their declared layouts."""
    extracts = extract_files(paths.raw_dir(raw, council.slug))
    return [p for y, p in sorted(extracts.items()) if y <= year] + [
        council.layouts / f"{DATASET}.toml"
    ]


def inputs(council: Council, year: str, raw: str = "example") -> list[Path]:
    """The year's enquiry extract, every earlier one (households carried across years and
    the cohort and trend views), their declared layouts, the council's published figures
    (the funnel it reconciles against; every topic for the national comparison, which
    reads them all) and Ofsted's national figures."""
    from analysis.sources.ofsted import national

    published = sorted(council.published.glob("*.csv")) if council.published.is_dir() else []
    return [*shared_inputs(council, year, raw), *published, national.FILE]
