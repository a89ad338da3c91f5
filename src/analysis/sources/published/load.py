"""A council's published figures, loaded from ``councils/<slug>/published/``.

Each topic file holds the figures exactly as printed (see the folder's README). A council
ships any subset of the :data:`TOPICS`: a topic without a file has no figures, and a CSV
that is neither a topic, ``sources.csv`` nor ``repairs.csv`` stops the load. :func:`load`
checks the file, applies the council's recorded repairs of text damaged by PDF extraction
(``repairs.csv``, listed by :func:`repairs`, never silent; a repair whose original text no
longer matches the cell stops the load), and reads every printed value into numbers with
:mod:`analysis.sources.published.printed`: one row per figure. A missing ``sources.csv``, a
missing column, a bad year, an unknown source or a value that is not a printed figure stops
with a :class:`PublishedError` naming the file, row, column and value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core import layouts, paths
from analysis.core.errors import InputError
from analysis.core.years import FinancialYear, YearError
from analysis.sources.published import printed

COLUMNS = [
    "table",
    "year",
    "measure",
    "breakdown",
    "label",
    "value",
    "unit",
    "source",
    "section",
    "note",
]
SOURCE_COLUMNS = ["source", "title", "publisher", "date", "seed_file"]
REPAIR_COLUMNS = [
    "source",
    "table",
    "year",
    "measure",
    "breakdown",
    "original",
    "repaired",
    "reason",
]
SOURCES_FILE = "sources.csv"
REPAIRS_FILE = "repairs.csv"
TOPICS = (
    "recruitment_funnel",
    "carers_ceasing",
    "budget",
    "panel_business",
    "children_in_care_and_capacity",
    "support_and_engagement",
    "adoption",
)
FUNNEL_TABLE = "mainstream_recruitment"
_KEY = ["source", "table", "year", "measure", "breakdown"]
_JOINED = "a cell split over two lines by PDF extraction; the lines are joined with a space"
_READ = ["basis", "number", "decimals", "qualifier", "status"]


class PublishedError(InputError):
    """A published-figures file of the repository that cannot be used as it stands."""

    whole_path = True


@dataclass(frozen=True)
class Repair:
    """One correction of damaged printed text, applied only where the text still reads ``original``.

    ``repaired`` of ``None`` (an empty cell in ``repairs.csv``) means the figure is lost and
    is treated as missing. ``row`` is the repair's row in ``repairs.csv``.
    """

    source: str
    table: str
    year: str
    measure: str
    breakdown: str
    original: str
    repaired: str | None
    reason: str
    row: int = 0


def folder_or_default(folder: Path | None) -> Path:
    """The published folder to read: ``folder`` or the default council's ``published/``."""
    if folder is not None:
        return Path(folder)
    from analysis.council.config import default_slug

    return paths.COUNCILS / default_slug() / "published"


def _restore_hint(path: Path) -> str:
    try:
        where = path.parent.resolve().relative_to(paths.ROOT.resolve()).as_posix()
    except ValueError:
        where = str(path.parent.name)
    return (
        f"Expected it in {where}; the published CSVs are tracked in git, so restore it with "
        f"'git checkout -- {where}'."
    )


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    """Read a CSV as text, stopping on a missing file, a file that is not UTF-8 CSV (a
    workbook, a web page, another encoding or separator), bad CSV or missing columns. Rows
    are numbered as a spreadsheet shows them, blank lines counted (and then dropped)."""
    if not path.is_file():
        raise PublishedError(path, "published figures file is missing", hint=_restore_hint(path))
    try:
        layouts.check_utf8_csv(path)
        if (problem := layouts.not_utf8(path)) is not None:
            raise problem
    except InputError as exc:
        raise PublishedError(path, exc.problem, row=exc.row, hint=exc.hint) from None
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8", skip_blank_lines=False
        )
    except pd.errors.ParserError as exc:
        raise PublishedError(path, f"is not a readable CSV file ({exc})") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PublishedError(
            path,
            f"missing column(s) {missing}",
            row=1,
            hint=f"The header row must be: {','.join(columns)}",
        )
    frame = frame[columns].copy()
    frame["source_file"] = path.name
    frame["source_row"] = range(2, len(frame) + 2)
    return frame[frame[columns].ne("").any(axis=1)]


def topics(folder: Path | None = None) -> list[str]:
    """The topics the council publishes (those with a file), refusing any unknown CSV."""
    base = folder_or_default(folder)
    if not base.is_dir():
        return []
    known = {f"{t}.csv" for t in TOPICS} | {SOURCES_FILE, REPAIRS_FILE}
    for path in sorted(base.glob("*.csv")):
        if path.name not in known:
            raise PublishedError(
                path,
                "is not a published-figures topic",
                hint=f"Known topics: {', '.join(TOPICS)} (plus {SOURCES_FILE} and "
                f"{REPAIRS_FILE}); rename the file to one of them or move it out of the folder.",
            )
    return [t for t in TOPICS if (base / f"{t}.csv").is_file()]


def sources(folder: Path | None = None) -> pd.DataFrame:
    """The documents the figures come from: id, title, publisher, date, seed file.

    Empty when the council publishes no topic; required as soon as it publishes one.
    """
    base = folder_or_default(folder)
    if not topics(base) and not (base / SOURCES_FILE).is_file():
        return pd.DataFrame(columns=[*SOURCE_COLUMNS, "source_file", "source_row"])
    return _read_csv(base / SOURCES_FILE, SOURCE_COLUMNS)


def _check_year(path: Path, row: int, year: str) -> None:
    try:
        FinancialYear.parse(year)
    except YearError as exc:
        raise PublishedError(path, str(exc), row=row, column="year", value=year) from exc


def _check_source(path: Path, row: int, source: str, known: set[str]) -> None:
    if source not in known:
        raise PublishedError(
            path,
            f"source is not listed in {SOURCES_FILE}",
            row=row,
            column="source",
            value=source,
            hint=f"Known sources: {', '.join(sorted(known)) or 'none'}",
        )


def _check_rows(frame: pd.DataFrame, path: Path, known_sources: set[str]) -> None:
    """Stop on the first row with a bad year, unknown source or empty required field."""
    for row in frame.itertuples(index=False):
        for column in ("table", "measure", "unit"):
            if not getattr(row, column).strip():
                raise PublishedError(
                    path,
                    f"{column} is empty",
                    row=row.source_row,
                    column=column,
                    value=getattr(row, column),
                )
        _check_year(path, row.source_row, row.year)
        _check_source(path, row.source_row, row.source, known_sources)


def repair_list(folder: Path | None = None) -> list[Repair]:
    """The council's recorded repairs (``repairs.csv``; none if there is no file), checked."""
    base = folder_or_default(folder)
    path = base / REPAIRS_FILE
    if not path.is_file():
        return []
    frame = _read_csv(path, REPAIR_COLUMNS)
    known = set(sources(base)["source"])
    out = []
    for row in frame.itertuples(index=False):
        for column in ("table", "measure", "reason"):
            if not getattr(row, column).strip():
                raise PublishedError(
                    path, f"{column} is empty", row=row.source_row, column=column, value=""
                )
        _check_year(path, row.source_row, row.year)
        _check_source(path, row.source_row, row.source, known)
        if row.repaired and row.repaired == row.original:
            raise PublishedError(
                path,
                "the repair leaves the text unchanged",
                row=row.source_row,
                column="repaired",
                value=row.repaired,
            )
        out.append(
            Repair(
                row.source,
                row.table,
                row.year,
                row.measure,
                row.breakdown,
                row.original,
                row.repaired or None,
                row.reason,
                row.source_row,
            )
        )
    return out


def _stale(fix: Repair, path: Path, cells: pd.DataFrame) -> PublishedError:
    """The error for a repair whose original text no longer matches its cell(s)."""
    if cells.empty:
        problem = "the repair names no printed figure of any published topic"
        hint = "Correct its source, table, year, measure and breakdown, or delete the repair."
    else:
        now = "; ".join(
            f"{r.source_file} row {r.source_row} reads {r.value_text!r}"
            for r in cells.itertuples(index=False)
        )
        problem = "the repair's original text no longer matches the printed cell"
        hint = (
            f"Now {now}. If the CSV was corrected, delete the repair; otherwise make "
            "'original' the text as it stands."
        )
    return PublishedError(
        path.parent / REPAIRS_FILE,
        problem,
        row=fix.row,
        column="original",
        value=fix.original,
        hint=hint,
    )


def _matches(frame: pd.DataFrame, fix: Repair) -> pd.Series:
    hit = pd.Series(True, index=frame.index)
    for column in _KEY:
        hit &= frame[column] == getattr(fix, column)
    return hit


def _repair(
    frame: pd.DataFrame, fixes: list[Repair], path: Path
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Join split lines, then apply the repairs; return the text to parse and the log.

    A repair naming cells of this file none of which holds its original text stops.
    """
    text = frame["value"].copy()
    lost = pd.Series(False, index=frame.index)
    log: list[dict[str, object]] = []
    for index in frame.index[text.str.contains("\n")]:
        joined = " ".join(text[index].split())
        log.append(
            {**_where(frame, index), "original": text[index], "repaired": joined, "reason": _JOINED}
        )
        text[index] = joined
    for fix in fixes:
        cells = _matches(frame, fix)
        if not cells.any():
            continue
        hit = cells & (text == fix.original)
        if not hit.any():
            raise _stale(fix, path, frame[cells].assign(value_text=text[cells]))
        for index in frame.index[hit]:
            text[index] = fix.repaired or ""
            lost[index] = fix.repaired is None
            log.append(
                {
                    **_where(frame, index),
                    "original": fix.original,
                    "repaired": "missing" if fix.repaired is None else fix.repaired,
                    "reason": fix.reason,
                }
            )
    return frame.assign(value_text=text, lost=lost), log


def _where(frame: pd.DataFrame, index: object) -> dict[str, object]:
    row = frame.loc[index]
    return {k: row[k] for k in (*_KEY, "source_file", "source_row")}


def _read_values(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """One row per figure: the printed cell's readings, with value, decimals, basis, status."""
    out = []
    for row in frame.to_dict("records"):
        try:
            readings = printed.parse(row["value_text"])
        except printed.PrintedFormError as exc:
            raise PublishedError(
                path,
                f"value is not a printed figure ({exc})",
                row=row["source_row"],
                column="value",
                value=row["value"],
                hint=f"Transcribe damaged text as it stands and add a row to {REPAIRS_FILE} "
                "in the same folder saying what it becomes and why.",
            ) from exc
        for reading in readings:
            out.append(
                {
                    **row,
                    "basis": reading.basis,
                    "number": reading.value,
                    "decimals": reading.decimals,
                    "qualifier": reading.qualifier,
                    "status": "lost" if row["lost"] else reading.status,
                    "unit": reading.unit or row["unit"],
                }
            )
    result = pd.DataFrame(out, columns=[*frame.columns, *_READ])
    result["number"] = pd.to_numeric(result["number"]).astype(float)
    result["decimals"] = result["decimals"].astype(int)
    return result.drop(columns="lost")


def _empty_topic() -> pd.DataFrame:
    frame = pd.DataFrame(columns=COLUMNS, dtype=str)
    return frame.assign(source_file=pd.Series(dtype=str), source_row=pd.Series(dtype=int))


def _raw(topic: str, base: Path) -> tuple[pd.DataFrame, Path]:
    """A topic's rows as printed (none if the council has no file for it), checked."""
    if topic not in TOPICS:
        raise ValueError(f"unknown published topic {topic!r}; topics: {', '.join(TOPICS)}")
    path = base / f"{topic}.csv"
    if topic not in topics(base):
        return _empty_topic(), path
    frame = _read_csv(path, COLUMNS)
    _check_rows(frame, path, set(sources(base)["source"]))
    return frame, path


def load(topic: str, folder: Path | None = None) -> pd.DataFrame:
    """One topic's figures, checked, repaired and read into numbers, with their documents.

    No rows (with every column) when the council publishes nothing on the topic.
    """
    base = folder_or_default(folder)
    frame, path = _raw(topic, base)
    repaired, _ = _repair(frame, repair_list(base), path)
    figures = _read_values(repaired, path)
    docs = sources(base)
    documents = docs[["source", "title", "date", "seed_file"]].rename(columns={"title": "document"})
    return figures.merge(documents, on="source", how="left", validate="many_to_one")


def _check_every_repair_used(base: Path) -> None:
    """Stop on a repair that names no printed figure of any published topic."""
    frames = [_raw(topic, base)[0] for topic in topics(base)]
    every = pd.concat([_empty_topic(), *frames], ignore_index=True)
    for fix in repair_list(base):
        if not _matches(every, fix).any():
            raise _stale(fix, base / REPAIRS_FILE, every.iloc[0:0].assign(value_text=""))


def load_all(folder: Path | None = None) -> pd.DataFrame:
    """Every published topic's figures in one frame (``table`` and ``source_file`` tell them apart).

    Stops on a repair that names no printed figure at all.
    """
    base = folder_or_default(folder)
    _check_every_repair_used(base)
    present = topics(base)
    if not present:
        return load(TOPICS[0], base)  # no rows, with every column
    return pd.concat([load(topic, base) for topic in present], ignore_index=True)


def repairs(folder: Path | None = None) -> pd.DataFrame:
    """Every repair applied to the printed text: where, original, repaired, reason."""
    base = folder_or_default(folder)
    _check_every_repair_used(base)
    fixes = repair_list(base)
    logs = []
    for topic in topics(base):
        frame, path = _raw(topic, base)
        logs += _repair(frame, fixes, path)[1]
    return pd.DataFrame(
        logs, columns=[*_KEY, "source_file", "source_row", "original", "repaired", "reason"]
    )


def available_years(folder: Path | None = None) -> list[str]:
    """Every financial year with at least one usable published figure, in order.

    A figure is usable when its printed text reads as a number (status ``value``, after
    repairs); its year is the ``year`` column (a figure at 31 March belongs to the year
    ending that day).
    """
    figures = load_all(folder)
    years = set(figures.loc[figures["status"] == "value", "year"])
    return sorted(years, key=lambda y: FinancialYear.parse(y).start_year)


def preferred(figures: pd.DataFrame) -> pd.DataFrame:
    """One figure per table, year, measure, breakdown and basis: the latest document's, unless lost.

    Where two reports print the same year, the later report is taken (it may carry
    revisions); where its figure is missing or lost to damage, the earlier report's is.
    """
    usable = figures[figures["status"] == "value"]
    ordered = usable.sort_values(["date", "source"], ascending=False, kind="stable")
    keys = ["table", "year", "measure", "breakdown", "basis"]
    return ordered.drop_duplicates(keys).sort_values(keys, kind="stable").reset_index(drop=True)


def select(
    figures: pd.DataFrame,
    measure: str,
    year: str,
    *,
    breakdown: str = "",
    basis: str = "",
    source: str | None = None,
    table: str | None = None,
) -> pd.DataFrame:
    """The usable figures (status ``value``) for a measure and year, optionally from one
    source document or table."""
    hit = figures[
        (figures["measure"] == measure)
        & (figures["year"] == year)
        & (figures["breakdown"] == breakdown)
        & (figures["basis"] == basis)
        & (figures["status"] == "value")
    ]
    if source is not None:
        hit = hit[hit["source"] == source]
    if table is not None:
        hit = hit[hit["table"] == table]
    return hit


def figure(
    figures: pd.DataFrame,
    measure: str,
    year: str,
    *,
    breakdown: str = "",
    basis: str = "",
    source: str | None = None,
    table: str | None = None,
) -> float:
    """The single figure matching the arguments, or a LookupError that says what matched."""
    hit = select(
        figures, measure, year, breakdown=breakdown, basis=basis, source=source, table=table
    )
    wanted = (
        f"{measure} {year} breakdown={breakdown!r} basis={basis!r} source={source} table={table}"
    )
    if hit.empty:
        raise LookupError(f"no published figure for {wanted}")
    if hit["number"].nunique() > 1:
        found = ", ".join(f"{n:g} ({s})" for n, s in zip(hit["number"], hit["source"], strict=True))
        raise LookupError(f"several different figures for {wanted}: {found}")
    return float(hit["number"].iloc[0])
