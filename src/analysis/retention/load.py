"""Read, clean and validate the yearly household register extracts.

Each file is read through the layout the council declares for its year
(``councils/<slug>/layouts/retention.toml``, by :mod:`analysis.core.layouts`). A wrong
column, label or date stops the run with an :class:`InputError` naming the file, row,
column and value: the year's declaration must be reviewed. A row that is internally
inconsistent (deregistered before approval, a leaver with no reason, more places
filled than approved, an id seen twice...) is set aside in quarantine with its
reason, so the rest of the year can still be counted and nothing is lost silently.
"""

from __future__ import annotations

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
from analysis.retention.schema import (
    CANONICAL,
    MAINSTREAM_TYPES,
    REASONS,
    SPEC,
    YES_NO,
)
from analysis.retention.targets import READINGS_FILE

DATASET = "retention"
# The modules whose code decides what reading one extract gives (the build cache's key).
CODE = (
    __name__,
    "analysis.retention.schema",
    "analysis.core.layouts",
    "analysis.core.quarantine",
    "analysis.core.years",
    "analysis.core.errors",
)
# The usual fostering limit is three children (Children Act 1989, Schedule 7), exceeded only
# for sibling groups: more places than this for one household is an error in the file.
MOST_PLACES = 20
PLACE_COLUMNS = ["approved_places", "filled_places", "vacant_places", "unavailable_places"]


def register_dir(raw: str = "example") -> Path:
    """The folder holding the yearly register extracts for ``raw``."""
    return paths.raw_dir(raw) / DATASET


def available_files(raw: str = "example") -> dict[str, Path]:
    """Year label -> extract file, for every register extract in the folder (see
    :func:`analysis.core.paths.yearly_files`: a malformed name or two files for one year
    stop, naming the file)."""
    return paths.yearly_files(register_dir(raw), "household_register_")


def available_years(raw: str = "example") -> list[str]:
    return sorted(available_files(raw))


def _stop_at_first(
    frame: pd.DataFrame,
    bad: pd.Series,
    path: Path,
    column: str,
    text: pd.Series,
    problem: str,
    hint: str | None = None,
) -> None:
    """Raise an InputError naming the first row where ``bad`` holds (file, row, column, value)."""
    if bad.any():
        first = bad.idxmax()
        raise InputError(
            path,
            problem,
            row=int(frame.at[first, "source_row"]),
            column=column,
            value=text[first],
            hint=hint,
        )


def _parse_counts(frame: pd.DataFrame, path: Path, column: str) -> pd.Series:
    """A place count as a whole number from 0 to ``MOST_PLACES``; anything else stops naming
    the row (a huge number is a typing or export error, not a household's places)."""
    text = frame[column].map(_count_text)
    numbers = pd.to_numeric(text.where(text.ne("")), errors="coerce")
    bad = (numbers.isna() & text.ne("")) | (numbers.notna() & ((numbers < 0) | (numbers % 1 != 0)))
    _stop_at_first(frame, bad, path, column, text, "not a whole number of places")
    _stop_at_first(
        frame,
        numbers > MOST_PLACES,
        path,
        column,
        text,
        f"more than {MOST_PLACES} places for one household: not plausible",
    )
    return numbers.astype("Int64")


def layouts(council: Council) -> dict[str, layouts_core.Layout]:
    """The council's declared register layouts, year label -> layout."""
    return layouts_core.declarations(council.layouts, SPEC)


def read_year(
    path: Path,
    year: FinancialYear,
    council: Council,
    known: dict[str, layouts_core.Layout] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, int, pd.DataFrame]:
    """One year's extract as canonical columns: (clean rows, quarantined rows, rows read,
    labels mapped to "other" by the council's configuration)."""
    known = layouts(council) if known is None else known
    extract = layouts_core.read(path, year.label, known, SPEC)
    allowed = council.unknown_to_other.get(DATASET, ())
    frame, other = layouts_core.map_values(extract, extract.records, SPEC, allowed)
    _stop_at_first(
        frame,
        frame["household_type"].isna(),
        path,
        "household_type",
        frame["household_type"].fillna(""),
        "no household type",
    )
    for column in ("transferred_in", "transferred_out"):
        frame[column] = frame[column].map(YES_NO).astype(object).where(frame[column].notna())
    frame, bad = layouts_core.parse_dates(extract, frame, list(SPEC.dates))
    for column in SPEC.dates:
        _stop_at_first(
            frame,
            bad[column],
            path,
            column,
            extract.records[column].astype(str),
            f"not a date in the form {extract.layout.date_format}",
        )
    _check_year(frame, path, year)
    for column in PLACE_COLUMNS:
        frame[column] = _parse_counts(frame, path, column)
    frame["household_id"] = frame["household_id"].astype("string").str.strip()
    frame["year"] = year.label
    clean, held = _quarantine_rows(frame, year)
    # A leaver's reason is checked against the leavers, not the whole register: a file
    # whose every leaver lost its reason would otherwise publish no one ceasing to foster.
    leavers = int((frame["deregistration_date"].notna() | frame["reason"].notna()).sum())
    quarantine.stop_if_systematic(path, len(frame), held, {"reason": leavers})
    return clean, held, len(frame), other.assign(year=year.label)


def _read_once(
    path: Path, year: FinancialYear, council: Council, known: dict[str, layouts_core.Layout]
) -> tuple[pd.DataFrame, pd.DataFrame, int, pd.DataFrame]:
    """:func:`read_year`, once per report build for the same file content, year, declared
    layouts and code (:func:`analysis.core.cache.once`): every later year's appendix and
    every page's shared-count decision reads the earlier extracts too."""
    allowed = council.unknown_to_other.get(DATASET, ())
    return cache.once(
        "retention-extract",
        cache.extract_key(CODE, path, year.label, known, allowed),
        lambda: read_year(path, year, council, known),
    )


def _check_year(frame: pd.DataFrame, path: Path, year: FinancialYear) -> None:
    """Stop on a register none of whose approvals or deregistrations falls in ``year``, the
    year its name gives: another year's file under this year's name (a register of a
    service that neither approved nor lost a household all year is not plausible)."""
    dates = frame[list(SPEC.dates)]
    if dates.apply(lambda d: d.between(year.start, year.end)).any(axis=None):
        return
    latest = dates.max().max()
    where = FinancialYear.containing(latest).label if pd.notna(latest) else "no year"
    raise InputError(
        path,
        f"no approval or deregistration in the file is dated in {year.label}, the year its "
        f"name gives (the latest date falls in {where}): is it another year's register?",
        hint="Check the file is the register taken at 31 March of its year and name it with "
        "that year.",
    )


def _count_text(value: object) -> str:
    """A place count as text; a whole number from Excel loses its ".0"."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _quarantine_rows(frame: pd.DataFrame, year: FinancialYear):
    """Set aside rows that cannot be used, each with the reason."""
    parts = []
    checks = [
        (
            lambda f: ~f["household_id"].fillna("").str.match(HOUSEHOLD_ID.pattern),
            "household id is not 'H' followed by six digits",
            "household_id",
        ),
        (
            lambda f: f["household_id"].duplicated(keep=False),
            "household id appears more than once in this extract",
            "household_id",
        ),
        (lambda f: f["approval_date"].isna(), "no approval date", "approval_date"),
        (
            lambda f: f["approval_date"] > year.end,
            "approved after the extract's 31 March",
            "approval_date",
        ),
        (
            lambda f: f["approval_date"] < quarantine.EARLIEST,
            f"approved before {quarantine.EARLIEST.year}: not a plausible date",
            "approval_date",
        ),
        (
            lambda f: f["deregistration_date"] > year.end,
            "deregistered after the extract's 31 March: a date in the future",
            "deregistration_date",
        ),
        (
            lambda f: f["deregistration_date"] < f["approval_date"],
            "deregistration date is before the approval date",
            "deregistration_date",
        ),
        (
            lambda f: f["deregistration_date"] < year.start,
            "deregistered before this year began",
            "deregistration_date",
        ),
        (
            lambda f: f["deregistration_date"].notna() & f["reason"].isna(),
            "deregistered (a leaver) with no reason recorded",
            "reason",
        ),
        (
            lambda f: f["deregistration_date"].isna() & f["reason"].notna(),
            "reason for leaving given but no deregistration date",
            "reason",
        ),
        (
            lambda f: f["filled_places"] > f["approved_places"],
            "more places filled than approved",
            "filled_places",
        ),
        (
            lambda f: _active_at(f, year.end) & f[PLACE_COLUMNS].isna().any(axis=1),
            "on the register at 31 March but places not recorded",
            "approved_places",
        ),
        (
            lambda f: (f["filled_places"] + f["vacant_places"] + f["unavailable_places"])
            != f["approved_places"],
            "filled + vacant + unavailable places do not add up to approved places",
            "approved_places",
        ),
        (
            lambda f: (f["unavailable_places"] > 0) & f["unavailable_reason"].isna(),
            "places unavailable but no reason recorded",
            "unavailable_reason",
        ),
    ]
    kept = frame
    for test, reason, column in checks:
        kept, held = quarantine.set_aside(kept, test(kept).fillna(False), reason, column)
        parts.append(held)
    return kept.reset_index(drop=True), quarantine.combine(parts)


def _active_at(frame: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """Households approved on or before ``day`` and not deregistered by then."""
    return (frame["approval_date"] <= day) & (
        frame["deregistration_date"].isna() | (frame["deregistration_date"] > day)
    )


@dataclass
class Register:
    """Every year's cleaned extract up to a year, what was set aside, and row counts."""

    year: FinancialYear
    snapshots: pd.DataFrame
    quarantined: pd.DataFrame
    rows: pd.DataFrame
    other: pd.DataFrame  # labels mapped to "other" by council.toml (column, value, count)

    @property
    def households(self) -> pd.DataFrame:
        """One row per household: its record in the latest extract it appears in."""
        latest = self.snapshots.sort_values(["household_id", "year"]).drop_duplicates(
            "household_id", keep="last"
        )
        return latest.reset_index(drop=True)

    def snapshot(self, year: FinancialYear) -> pd.DataFrame:
        """The cleaned extract for one year."""
        return self.snapshots[self.snapshots["year"] == year.label].reset_index(drop=True)


def load_register(year: str, raw: str = "example", council: Council | None = None) -> Register:
    """Read and clean every extract up to and including ``year`` through the layouts
    ``council`` declares (the default council when None)."""
    council = council or config.load()
    known = layouts(council)
    files = available_files(raw)
    target = require_year(year, files, "household register extract")
    snapshots, held, rows, other = [], [], [], []
    for label, path in files.items():
        fy = FinancialYear.parse(label)
        if fy > target:
            continue
        clean, bad, read, mapped = _read_once(path, fy, council, known)
        other.append(mapped)
        quarantine.reconcile(read, clean, bad)
        snapshots.append(clean)
        held.append(bad.assign(year=label))
        rows.append(
            {
                "year": label,
                "file": path.name,
                "rows read": read,
                "rows used": len(clean),
                "rows set aside": len(bad),
            }
        )
    frame = pd.concat(snapshots, ignore_index=True)
    frame = frame.assign(
        mainstream=frame["household_type"].isin(MAINSTREAM_TYPES),
        ceasing=frame["reason"].map({k: v["ceasing"] for k, v in REASONS.items()}).eq(True),
    )
    return Register(
        target,
        frame[["year", *CANONICAL, "mainstream", "ceasing", "source_file", "source_row"]],
        quarantine.combine(held),
        pd.DataFrame(rows),
        pd.concat(other, ignore_index=True),
    )


def years(council: Council, raw: str = "example") -> list[str]:
    """The years with a register extract for ``council`` (the build's interface)."""
    where = paths.raw_dir(raw, council.slug)
    return available_years(where) if (where / DATASET).is_dir() else []


def inputs(council: Council, year: str, raw: str = "example") -> list[Path]:
    """Every register extract up to ``year`` (survival uses the whole history), their
    declared layouts, the published figures the register reconciles against (every
    file the published-figures loader reads, and the council's readings of them), and the
    year's SSDA903 return (the sufficiency outlook's children in foster care), and Ofsted's
    national figures (the national comparison)."""
    from analysis.retention.sufficiency import return_files
    from analysis.sources.ofsted import national
    from analysis.sources.ssda903.load import declared_aliases

    published = sorted(council.published.glob("*.csv")) if council.published.is_dir() else []
    returns = return_files(
        paths.raw_dir(raw, council.slug) / "ssda903",
        FinancialYear.parse(year),
        declared_aliases(council.layouts),
    )
    return [
        *shared_inputs(council, year, raw),
        *published,
        council.published / READINGS_FILE,
        *returns,
        national.FILE,
    ]


def shared_inputs(council: Council, year: str, raw: str = "example") -> list[Path]:
    """What another appendix's disclosure decision reads of this one's data (the shared
    counts, :mod:`analysis.disclosure.shared_counts`): the register extracts up to
    ``year`` and their declared layouts."""
    files = available_files(paths.raw_dir(raw, council.slug))
    return [p for y, p in files.items() if y <= year] + [council.layouts / f"{DATASET}.toml"]
