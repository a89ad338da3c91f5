"""The council's published figures, loaded from ``data/raw/published/``.

Each topic file holds the figures exactly as printed (see the folder's README).
:func:`load` checks the file, applies the recorded repairs of text damaged by PDF
extraction (:data:`REPAIRS`, listed by :func:`repairs`, never silent), and reads
every printed value into numbers with :mod:`analysis.sources.published.printed`: one row per figure.
A missing file, a missing column, a bad year, an unknown source or a value that is
not a printed figure stops with an :class:`~analysis.core.errors.InputError` naming the
file, row, column and value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core import paths
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
TOPICS = (
    "recruitment_funnel",
    "carers_ceasing",
    "budget",
    "panel_business",
    "children_in_care_and_capacity",
    "support_and_engagement",
    "adoption",
    "other_councils",
)
# Years a fostering appendix can be built for: those the recruitment tables cover.
FOSTERING_YEARS = ("2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25")
FUNNEL_TABLE = "mainstream_recruitment"


@dataclass(frozen=True)
class Repair:
    """One correction of damaged printed text, applied only where the text still reads ``original``.

    ``repaired`` of ``None`` means the figure is lost and is treated as missing.
    """

    source: str
    table: str
    year: str
    measure: str
    breakdown: str
    original: str
    repaired: str | None
    reason: str


_F24 = "fostering-2024-25"
_REGION = "councils/<council>/published"
REPAIRS: tuple[Repair, ...] = (
    Repair(
        _F24,
        FUNNEL_TABLE,
        "2020-21",
        "households_approved",
        "",
        "nouseholds",
        None,
        "PDF extraction left a fragment of the row label in the cell; the figure is lost "
        "(the 2022/23 report prints 23 for this year)",
    ),
    Repair(
        _F24,
        FUNNEL_TABLE,
        "2021-22",
        "households_approved",
        "",
        "",
        None,
        "PDF extraction left the cell empty; the figure is lost "
        "(the 2022/23 report prints 20 for this year)",
    ),
    Repair(
        _F24,
        FUNNEL_TABLE,
        "2024-25",
        "rate_enquiry_to_full_assessment",
        "",
        "6.5% (any contact) 78.5% (expression of interests)",
        "6.5% (any contact) 78.5% (expression of interest)",
        "'interests' is a typing slip for the label every other year uses",
    ),
    Repair(
        _F24,
        FUNNEL_TABLE,
        "2024-25",
        "rate_enquiry_to_approval",
        "",
        "4% (contact) 47.6%",
        "4% (contact) 47.6% (EOI)",
        "the second figure lost its '(EOI)' label; it stands where every other year prints "
        "the EOI rate and equals approvals / expressions of interest (20 / 42 = 47.6%)",
    ),
    Repair(
        _F24,
        "fostering_budget",
        "2024-25",
        "budget",
        "connected_person_fees",
        "1798",
        "1,798",
        "printed without the thousands separator the rest of the table uses; value unchanged "
        "(the column total confirms 1,798)",
    ),
    Repair(
        _F24,
        "fostering_budget",
        "2024-25",
        "actual",
        "connected_person_fees",
        "2256",
        "2,256",
        "printed without the thousands separator the rest of the table uses; value unchanged "
        "(the column total confirms 2,256)",
    ),
)
_JOINED = "a cell split over two lines by PDF extraction; the lines are joined with a space"


def folder_or_default(folder: Path | None) -> Path:
    """The published folder to read: ``folder`` or the default council's ``published/``."""
    if folder is not None:
        return Path(folder)
    from analysis.council.config import default_slug

    return paths.COUNCILS / default_slug() / "published"


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    """Read a CSV as text, stopping on a missing file, bad CSV or missing columns."""
    if not path.is_file():
        raise InputError(
            path,
            "published figures file is missing",
            hint=f"Expected it in {path.parent}; the published CSVs are tracked in git "
            f"({_REGION}), so restore it with 'git checkout -- {_REGION}'.",
        )
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(path, f"is not a readable CSV file ({exc})") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            path,
            f"missing column(s) {missing}",
            row=1,
            hint=f"The header row must be: {','.join(columns)}",
        )
    frame = frame[columns].copy()
    frame["source_file"] = path.name
    frame["source_row"] = range(2, len(frame) + 2)
    return frame


def sources(folder: Path | None = None) -> pd.DataFrame:
    """The documents the figures come from: id, title, publisher, date, seed file."""
    return _read_csv(folder_or_default(folder) / "sources.csv", SOURCE_COLUMNS)


def _check_rows(frame: pd.DataFrame, path: Path, known_sources: set[str]) -> None:
    """Stop on the first row with a bad year, unknown source or empty required field."""
    for row in frame.itertuples(index=False):
        for column in ("table", "measure", "unit"):
            if not getattr(row, column).strip():
                raise InputError(
                    path,
                    f"{column} is empty",
                    row=row.source_row,
                    column=column,
                    value=getattr(row, column),
                )
        try:
            FinancialYear.parse(row.year)
        except YearError as exc:
            raise InputError(
                path, str(exc), row=row.source_row, column="year", value=row.year
            ) from exc
        if row.source not in known_sources:
            raise InputError(
                path,
                "source is not listed in sources.csv",
                row=row.source_row,
                column="source",
                value=row.source,
                hint=f"Known sources: {', '.join(sorted(known_sources))}",
            )


def _repair(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Join split lines, then apply :data:`REPAIRS`; return the text to parse and the log."""
    text = frame["value"].copy()
    lost = pd.Series(False, index=frame.index)
    log: list[dict[str, object]] = []
    for index in frame.index[text.str.contains("\n")]:
        joined = " ".join(text[index].split())
        log.append(
            {**_where(frame, index), "original": text[index], "repaired": joined, "reason": _JOINED}
        )
        text[index] = joined
    for fix in REPAIRS:
        hit = (
            (frame["source"] == fix.source)
            & (frame["table"] == fix.table)
            & (frame["year"] == fix.year)
            & (frame["measure"] == fix.measure)
            & (frame["breakdown"] == fix.breakdown)
            & (text == fix.original)
        )
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
    return {
        k: row[k]
        for k in ("source", "table", "year", "measure", "breakdown", "source_file", "source_row")
    }


def _read_values(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """One row per figure: the printed cell's readings, with value, decimals, basis, status."""
    out = []
    for row in frame.to_dict("records"):
        try:
            readings = printed.parse(row["value_text"])
        except printed.PrintedFormError as exc:
            raise InputError(
                path,
                f"value is not a printed figure ({exc})",
                row=row["source_row"],
                column="value",
                value=row["value"],
                hint="Transcribe damaged text as it stands and add a Repair to "
                "analysis.sources.published.load.REPAIRS saying why and what it becomes.",
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
    read = ["basis", "number", "decimals", "qualifier", "status"]
    result = pd.DataFrame(out, columns=[*frame.columns, *read])
    result["number"] = pd.to_numeric(result["number"]).astype(float)
    return result.drop(columns="lost")


def load(topic: str, folder: Path | None = None) -> pd.DataFrame:
    """One topic's figures, checked, repaired and read into numbers, with their documents."""
    if topic not in TOPICS:
        raise ValueError(f"unknown published topic {topic!r}; topics: {', '.join(TOPICS)}")
    base = folder_or_default(folder)
    path = base / f"{topic}.csv"
    docs = sources(base)
    frame = _read_csv(path, COLUMNS)
    _check_rows(frame, path, set(docs["source"]))
    repaired, _ = _repair(frame)
    figures = _read_values(repaired, path)
    documents = docs[["source", "title", "date", "seed_file"]].rename(columns={"title": "document"})
    return figures.merge(documents, on="source", how="left", validate="many_to_one")


def load_all(folder: Path | None = None) -> pd.DataFrame:
    """Every topic's figures in one frame (``table`` and ``source_file`` tell them apart)."""
    return pd.concat([load(topic, folder) for topic in TOPICS], ignore_index=True)


def repairs(folder: Path | None = None) -> pd.DataFrame:
    """Every repair applied to the printed text: where, original, repaired, reason."""
    base = folder_or_default(folder)
    logs = []
    for topic in TOPICS:
        path = base / f"{topic}.csv"
        frame = _read_csv(path, COLUMNS)
        logs += _repair(frame)[1]
    columns = [
        "source",
        "table",
        "year",
        "measure",
        "breakdown",
        "source_file",
        "source_row",
        "original",
        "repaired",
        "reason",
    ]
    return pd.DataFrame(logs, columns=columns)


def available_years(folder: Path | None = None) -> list[str]:
    """Years 2018-19 to 2024-25 for which a report prints the mainstream recruitment table."""
    funnel = load("recruitment_funnel", folder)
    printed_years = set(funnel.loc[funnel["table"] == FUNNEL_TABLE, "year"])
    return [year for year in FOSTERING_YEARS if year in printed_years]


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
