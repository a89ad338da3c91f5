"""Read, validate and stitch SSDA903 header and episodes files.

Each council sends the DfE one SSDA903 return a year. The header table holds one row
per child (CHILD, SEX, DOB, ...); the episodes table one row per episode of care
(CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC, REASON_PLACE_CHANGE,
HOME_POST, PL_POST, URN), dates as ``dd/mm/yyyy``. A return lists every episode open
at any time in its year, so an episode open on 31 March appears again in the next
year's return with the same CHILD and DECOM: stitching keeps one row per
(council, CHILD, DECOM), the one from the latest return, which carries the final
DEC and REC. An optional ``LA`` column lets regionally pooled files carry several
councils.

A return's collection year comes from its content (:func:`episodes_year`: the year its
episode ends fall in, bounded by its latest start), the file name being a hint only;
a header takes the year of the episodes file it pairs with (:func:`catalogue`). A file
whose year cannot be told, a name that contradicts the dates, a header and episodes
file from different years, a second file for a year, or a file with no rows stops the
run with an :class:`~analysis.core.errors.InputError` naming the file.

Validation follows the issue's contract: a missing column stops the run with an
:class:`~analysis.core.errors.InputError`; a row that cannot be used (bad date, code not
in that year's code list, episode ending before it starts, outside the return's
year, duplicated, overlapping the child's previous episode, or a child with no
usable header row) is quarantined with the file, row, child, field and reason.

Privacy: HOME_POST is never read. PL_POST is read only to tell whether a child
returned to the same placement after a temporary one; once the returns are stitched
it is replaced by an integer ``placement_key`` and dropped, so it never leaves this
module. DOB stays in the header table, which is used only to
compute ages and never shown.

Speed (a regional hub pools 150 councils' returns): text columns are read by pyarrow (code
columns as dictionaries, coded by the reader; the children's identifiers as text, coded
once, their categories left in pyarrow until the years are united) and held as pandas
Categoricals, so trimming, date parsing and code checks
run once per distinct value and every reorder moves small integers, not strings; dates
written exactly dd/mm/yyyy are parsed by pyarrow and checked against the numbers written
(:func:`_dates`); a pair of columns (council and child, placement and postcode) is keyed by
combining their integer codes; the years' categories are united by one hash of them all;
the file's name and year, one value per file, are coded too while the years are stitched;
rows are ordered by one sort of their keys and positions packed into an integer
(:func:`row_order`) and each file's rows, then the stitched rows, are taken once, in their
final order, after every check (:func:`_rows`); within one :func:`read_returns` an
episodes file is parsed once, its dates (for its year) and its validation sharing the table
read and the columns made of it, and a file's year is told from its distinct dates; the
column names come from the first line (:func:`_first_line`); and two files are read and
checked at a time (:func:`_each`). What is counted is
unchanged. Within a report build each file is read and
validated once (:func:`analysis.core.cache.once`, keyed by its name and content, the
aliases and this code): every year's appendix reads the two returns before it too.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pandas.core.dtypes.cast import coerce_indexer_dtype

from analysis.core import cache, quarantine
from analysis.core.errors import InputError
from analysis.core.layouts import aliases as layout_aliases
from analysis.core.layouts import check_utf8_csv, date_layout_problem, normalise, not_utf8
from analysis.core.quarantine import EARLIEST
from analysis.core.years import FinancialYear
from analysis.sources.ssda903.codes import code_lists

T = TypeVar("T")

# The modules whose code decides what reading and validating a file gives.
CODE = (
    __name__,
    "analysis.sources.ssda903.codes",
    "analysis.core.quarantine",
    "analysis.core.layouts",
    "analysis.core.years",
    "analysis.core.errors",
)
HEADER_COLUMNS = ["CHILD", "SEX", "DOB"]
EPISODE_COLUMNS = [
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "PL_POST",
    "URN",
]
OPTIONAL = ["LA"]
# Columns a file must have (the DfE validator reads them) that the analysis never uses:
# their presence is checked, their values are not read.
PRESENCE_ONLY = ("URN",)
# The full column order of the DfE's header and episodes files (what a council's system
# writes); the pipeline reads the subsets above.
HEADER_LAYOUT = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODE_LAYOUT = [
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
]
DATE_FORMAT = "%d/%m/%Y"
DAY_NS = 86_400_000_000_000
TEXT = pd.ArrowDtype(pa.string())
WORDS = pa.dictionary(pa.int32(), pa.string())  # text as read: each distinct value stored once
# Columns holding one value per file (which file, which year).
PER_FILE = ("source_file", "year")
QUARANTINE_KEEP = ["source_file", "source_row", "column", "value", "reason", "LA", "CHILD"]


@dataclass
class Returns:
    """Stitched, validated SSDA903 data from one or more years' returns."""

    episodes: pd.DataFrame
    header: pd.DataFrame
    quarantine: pd.DataFrame
    years: list[str]
    rows_read: dict[str, int] = field(default_factory=dict)
    superseded: dict[str, int] = field(default_factory=dict)
    files: dict[str, tuple[Path, Path]] = field(default_factory=dict)

    def reconciliation(self) -> pd.DataFrame:
        """Per file: rows read = rows used + rows quarantined + rows superseded.

        A superseded row is an episode repeated in a later year's return (the later
        copy, with its end date, is the one used): not an error, not counted twice.
        """
        read = pd.Series(self.rows_read, name="rows read")
        held = self.quarantine.groupby("source_file").size().reindex(read.index, fill_value=0)
        later = pd.Series(self.superseded, dtype="int64").reindex(read.index, fill_value=0)
        out = pd.DataFrame(
            {"rows read": read, "rows quarantined": held, "rows repeated in a later return": later}
        )
        used = out["rows read"] - out["rows quarantined"] - out["rows repeated in a later return"]
        out.insert(1, "rows used", used)
        return out.rename_axis("file").reset_index()


def name_years(name: str) -> tuple[FinancialYear, ...]:
    """The years a file name may mean (a hint only): ``2024-25``, ``202425``, or ``2024``.

    A bare ``2024`` may be the year the collection starts (2024-25) or ends (2023-24),
    so it gives both; no year in the name gives none.
    """
    stem = Path(name).stem
    pair = re.search(r"(?<!\d)(20\d\d)[-_ ]?(?:20)?(\d\d)(?!\d)", stem)
    if pair and (int(pair.group(1)) + 1) % 100 == int(pair.group(2)):
        return (FinancialYear(int(pair.group(1))),)
    single = re.findall(r"(?<!\d)(20\d\d)(?!\d)", stem)
    if len(single) == 1:
        y = int(single[0])
        return (FinancialYear(y - 1), FinancialYear(y))
    return ()


def _dated_year(frame: pd.DataFrame) -> tuple[FinancialYear | None, FinancialYear | None]:
    """What the dates say: (the year most episode ends fall in, the latest start's year).

    A return lists the episodes open at any time in its year, so every end falls in the
    year and every start is on or before its 31 March: the ends name the year (the one
    most of them agree on, so an odd row is set aside later rather than deciding it);
    without ends, the latest start only bounds it from below. None where the dates are
    silent or the ends are split evenly between years.
    """
    starts, held = _distinct_dates(frame["DECOM"])
    ends, counts = _distinct_dates(frame["DEC"])
    starts = starts[~np.isnat(starts) & (held > 0)]
    floor = FinancialYear.containing(pd.Timestamp(starts.max())) if len(starts) else None
    dated = ~np.isnat(ends) & (counts > 0)
    if not dated.any():
        return None, floor
    when = pd.DatetimeIndex(ends[dated])
    years = pd.Series(counts[dated]).groupby(np.asarray(when.year - (when.month < 4))).sum()
    top = years[years == years.max()]
    return (FinancialYear(int(top.index[0])) if len(top) == 1 else None), floor


def _distinct_dates(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A date column's distinct values parsed (see :func:`_dates`) and how many rows hold
    each: what a file's dates say, worked out once per distinct value."""
    if isinstance(text.dtype, pd.CategoricalDtype):
        codes, uniques = text.cat.codes.to_numpy(), text.cat.categories
    else:
        codes, uniques = pd.factorize(text, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return _dates(np.asarray(uniques, dtype=object)), counts


def episodes_year(path: Path, frame: pd.DataFrame) -> FinancialYear:
    """The collection year of an episodes file, from its dates; its name is a hint only.

    Stops (naming the file) when the two readings disagree or neither can tell.
    """
    hint = name_years(Path(path).name)
    ends, floor = _dated_year(frame)
    said = " or ".join(y.label for y in hint)
    if ends is not None:
        if hint and ends not in hint:
            raise InputError(
                path,
                f"the file name says {said} but its episode dates say {ends.label}",
                hint="Check this is the return you meant and rename it with its collection "
                f"year (e.g. episodes_{ends.label}.csv).",
            )
        return ends
    fits = [y for y in hint if floor is None or y >= floor]
    if len(fits) == 1:
        return fits[0]
    if hint and not fits:
        raise InputError(
            path,
            f"the file name says {said} but its episodes start as late as the {floor.label} year",
            hint="Check this is the return you meant and name it with its collection year.",
        )
    raise InputError(
        path,
        "cannot tell which year this return covers"
        + (f" (the name may mean {said})" if hint else ""),
        hint="Name it with its collection year, e.g. episodes_2024-25.csv.",
    )


def _parse_dates(text: pd.Series) -> pd.Series:
    """dd/mm/yyyy strings to dates (NaT where blank or invalid), parsing each value once."""
    if isinstance(text.dtype, pd.CategoricalDtype):
        codes, uniques = text.cat.codes.to_numpy(), text.cat.categories
    else:
        codes, uniques = pd.factorize(text, use_na_sentinel=True)
    values = np.append(_dates(np.asarray(uniques, dtype=object)), np.datetime64("NaT", "ns"))
    return pd.Series(values[codes], index=text.index)


def _dates(words: np.ndarray) -> np.ndarray:
    """Distinct date strings to ``datetime64[ns]``, as ``pandas.to_datetime`` with
    :data:`DATE_FORMAT` reads them (NaT where it cannot). Strings written exactly
    ``dd/mm/yyyy`` (years 1700 to 2199) are parsed by pyarrow and kept where they would print
    back the same, their day, month and year being the digits written (pyarrow would read
    31/02 as 2 March; comparing the numbers is many times faster than printing the dates);
    pandas reads the rest."""
    text = pa.array(words, pa.string())
    parsed = pc.strptime(text, format=DATE_FORMAT, unit="ns", error_is_null=True)
    written = pc.match_substring_regex(text, r"^\d\d/\d\d/(1[7-9]|2[01])\d\d$")
    digits = pc.if_else(written, text, "01/01/2000")  # every cell's fields then read as numbers
    sure = written
    for part, start, stop in ((pc.day, 0, 2), (pc.month, 3, 5), (pc.year, 6, 10)):
        number = pc.cast(pc.utf8_slice_codeunits(digits, start, stop), pa.int64())
        sure = pc.and_kleene(sure, pc.equal(part(parsed), number))
    out = parsed.to_numpy(zero_copy_only=False).astype("datetime64[ns]")
    rest = ~pc.fill_null(sure, False).to_numpy(zero_copy_only=False)
    if rest.any():
        out[rest] = pd.to_datetime(
            pd.Series(words[rest], dtype="object"), format=DATE_FORMAT, errors="coerce"
        ).to_numpy(dtype="datetime64[ns]")
    return out


def _check_date_layout(path: Path, frame: pd.DataFrame, column: str, parsed: pd.Series) -> None:
    """Stop when a date column's cells not in dd/mm/yyyy are a layout problem rather than
    bad rows (see :func:`analysis.core.layouts.date_layout_problem`): a return exported with
    times or ISO dates, say, would otherwise lose most of its rows one by one."""
    failed = frame[column].notna() & parsed.isna()
    if not failed.any():
        return
    problem = date_layout_problem(frame[column].dropna().astype(str), DATE_FORMAT)
    if problem is None:
        return
    text, guessed = problem
    first = failed.idxmax()
    sample = list(dict.fromkeys(frame.loc[failed, column].astype(str)))[:3]
    raise InputError(
        path,
        f"{text} {DATE_FORMAT!r}",
        row=int(frame.at[first, "source_row"]),
        column=column,
        value=sample[0],
        hint=f"sample values {sample}"
        + (f" match the pattern {guessed!r}" if guessed else "")
        + ". SSDA903 dates are dd/mm/yyyy (DfE specification): export the return again "
        "with dates in that form.",
    )


def _text(column: pa.ChunkedArray) -> pd.Categorical:
    """Trimmed text as a Categorical, blank cells missing, categories in order of first
    appearance: each cell is hashed once (pyarrow, while reading for a column read as a
    dictionary), the trimming is done once per distinct value, and the rows are recoded by
    one numpy lookup. A column read as text (the children's identifiers, a hundred thousand
    a file) keeps its categories in pyarrow's strings: they become Python strings once,
    after the years are united (:func:`_united`), not in every file."""
    identifiers = not pa.types.is_dictionary(column.type)
    if identifiers:
        read = pc.dictionary_encode(column.combine_chunks())
    else:
        read = pa.concat_arrays(column.unify_dictionaries().chunks)
    words = pc.utf8_trim_whitespace(read.dictionary)
    indices = read.indices
    rows = (pc.fill_null(indices, -1) if indices.null_count else indices).to_numpy()
    if not (
        pc.all(pc.equal(words, read.dictionary)).as_py() and pc.min(pc.utf8_length(words)).as_py()
    ):
        words = pc.if_else(pc.equal(words, ""), pa.scalar(None, pa.string()), words)
        distinct = pc.dictionary_encode(words)  # in order of first appearance, blanks missing
        lookup = np.append(pc.fill_null(distinct.indices, -1).to_numpy(), np.int32(-1))
        rows, words = lookup[rows], distinct.dictionary
    if identifiers:
        return categorical(rows, pd.Index(pd.arrays.ArrowStringArray(words)))
    return categorical(rows, pd.Index(words.to_numpy(zero_copy_only=False), dtype=object))


def categorical(codes: np.ndarray, categories: pd.Index) -> pd.Categorical:
    """A Categorical of ``codes`` into ``categories`` that are distinct and never missing
    (a dictionary's, a hash's uniques): neither is checked again, which on a child identifier
    column (a hundred thousand categories) costs more than making it."""
    dtype = pd.CategoricalDtype._from_fastpath(categories, False)
    codes = coerce_indexer_dtype(codes, categories)  # as from_codes stores them
    # what from_codes makes, without its dtype's second check of the categories
    return super(pd.Categorical, pd.Categorical)._simple_new(codes, dtype)


def _filled(column: pd.Series, value: str) -> pd.Series:
    """A Categorical column with its missing cells set to ``value``."""
    if value not in column.cat.categories:
        column = column.cat.add_categories([value])
    return column.fillna(value)


def _pairs(first: pd.Series, second: pd.Series) -> np.ndarray:
    """One integer per distinct (first, second) pair of Categorical values, numbered in order
    of first appearance (as factorizing the joined strings would); -1 where ``second`` is
    missing."""
    a = first.cat.codes.to_numpy().astype(np.int64)
    b = second.cat.codes.to_numpy().astype(np.int64)
    joined = np.where(b < 0, -1, (a + 1) * (len(second.cat.categories) + 1) + b)
    return _numbered(joined)


def _numbered(values: np.ndarray) -> np.ndarray:
    """``pd.factorize(values, use_na_sentinel=False)[0]`` for integers: each distinct value
    numbered in order of first appearance. Rows come in runs of one value (a return is
    listed by child, the years' returns one after another): only the value starting each
    run is hashed, and its number repeated along the run."""
    if not len(values):
        return values
    starts = np.r_[0, np.flatnonzero(values[1:] != values[:-1]) + 1]
    if 2 * len(starts) > len(values):
        return pd.factorize(values, use_na_sentinel=False)[0]
    heads = pd.factorize(values[starts], use_na_sentinel=False)[0]
    return np.repeat(heads, np.diff(np.r_[starts, len(values)]))


def _shared(column: pd.Series, like: pd.Series) -> pd.Series:
    """``column``'s values coded as ``like``'s categories (missing where ``like`` has none)."""
    return pd.Series(pd.Categorical(column, categories=like.cat.categories), index=column.index)


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames one under another, Categorical columns kept Categorical (categories united).

    ``source_file`` and ``year``, one value per file, come out Categorical too (each file's
    value coded once, not 1.5 million strings copied at every reorder): see :func:`_plain`.
    """
    sizes = [len(p) for p in parts]
    out = {}
    for column in parts[0]:
        if column in PER_FILE:
            values = [p[column].iat[0] if len(p) else "" for p in parts]
            categories = sorted(set(values))
            codes = np.repeat([categories.index(v) for v in values], sizes).astype(np.int32)
            out[column] = pd.Categorical.from_codes(codes, categories=categories, validate=False)
        elif isinstance(parts[0][column].dtype, pd.CategoricalDtype):
            out[column] = _united([p[column].array for p in parts])
        else:
            out[column] = np.concatenate([p[column].to_numpy() for p in parts])
    return pd.DataFrame(out, copy=False)


def _one(value: str, rows: int) -> pd.Categorical:
    """One value on every row (a file's name, its year), coded: every reorder and filter of
    the rows then moves bytes, not a column of references to one string."""
    return categorical(np.zeros(rows, dtype=np.int8), pd.Index([value], dtype=object))


def _counts(values: pd.Series) -> dict[str, int]:
    """How many times each value occurs (values that occur only)."""
    counts = values.value_counts()
    return counts[counts > 0].to_dict()


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its per-file columns (see :func:`_concat`) as plain text again, and
    the categories of a column read as text (see :func:`_text`) Python strings."""
    out = frame.copy(deep=False)  # the other columns are not copied
    for column in PER_FILE:
        if column in out and isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(object)
    for column in out:
        dtype = out[column].dtype
        if isinstance(dtype, pd.CategoricalDtype) and dtype.categories.dtype != object:
            words = pd.Index(dtype.categories.to_numpy(object), dtype=object)
            out[column] = categorical(out[column].cat.codes.to_numpy(), words)
    return out


def _united(values: list[pd.Categorical]) -> pd.Categorical:
    """Categoricals one after another, their categories in order of first appearance (as
    :func:`pandas.api.types.union_categoricals` gives them): the parts' categories are
    hashed once, together (pyarrow), and each part's codes recoded by one lookup."""
    words = [_arrow(v.categories) for v in values]
    united = pc.dictionary_encode(pa.concat_arrays(words))
    where = united.indices.to_numpy()
    codes, at = [], 0
    for v, w in zip(values, words, strict=True):
        recode = where[at : at + len(w)]
        if (recode == np.arange(len(w))).all():  # the first part, a code list seen before
            codes.append(v.codes)
        else:
            codes.append(np.append(recode, -1).astype(np.int32)[v.codes])
        at += len(w)
    categories = pd.Index(united.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    return categorical(np.concatenate(codes), categories)


def _arrow(categories: pd.Index) -> pa.Array:
    """Categories as pyarrow strings (those of a column read as text, already)."""
    if categories.dtype == object:
        return pa.array(categories.to_numpy(object), pa.string())
    return pa.array(categories.array, pa.string())


# Per collection year, the council's header -> the DfE column name it stands for
# (``councils/<slug>/layouts/ssda903.toml``, read by :func:`analysis.core.layouts.aliases`).
Aliases = dict[str, dict[str, str]]
# Every DfE column name this module may read: what an alias may stand for.
DFE_NAMES = tuple(dict.fromkeys([*HEADER_COLUMNS, *EPISODE_COLUMNS, *OPTIONAL]))


def declared_aliases(layouts: Path) -> Aliases:
    """The council's declared aliases per year (``<layouts>/ssda903.toml``; {} without)."""
    return layout_aliases(Path(layouts), "ssda903", DFE_NAMES)


def _file_aliases(path: Path, aliases: Aliases | None) -> dict[str, str]:
    """The aliases for a file: its named year's declaration, or, for a file whose name
    gives no single year, every declared year's (they only rename columns)."""
    if not aliases:
        return {}
    years = [y.label for y in name_years(Path(path).name)]
    if len(years) == 1:
        return aliases.get(years[0], {})
    return {h: n for declared in aliases.values() for h, n in declared.items()}


def _matches(columns: list[str], names: list[str], aliases: dict[str, str]) -> dict[str, str]:
    """The file's header -> DfE name for each of ``names`` it has (ignoring case, spaces
    and punctuation, or through a declared alias)."""
    wanted = {normalise(n): n for n in names}
    wanted |= {normalise(h): n for h, n in aliases.items() if n in names}
    return {c: wanted[normalise(c)] for c in columns if normalise(c) in wanted}


def _dfe_names(
    path: Path, columns: list[str], required: list[str], aliases: dict[str, str]
) -> dict[str, str]:
    """The file's header -> DfE name, for every column it has that the analysis reads.

    A header matches a DfE name or a declared alias ignoring case, spaces and
    punctuation; a missing DfE column stops, saying what to declare."""
    found = _matches(columns, [*required, *OPTIONAL], aliases)
    missing = [c for c in required if c not in found.values()]
    if missing:
        years = [y.label for y in name_years(Path(path).name)]
        year = years[0] if len(years) == 1 else "<collection year>"
        declaration = "\n".join(
            [f'["{year}".aliases]', *(f'"<header in the file>" = "{c}"' for c in missing)]
        )
        raise InputError(
            path,
            f"missing DfE column(s) {', '.join(missing)}",
            row=1,
            column=missing[0],
            hint=f"The file's columns: {', '.join(columns)}. An SSDA903 file needs the DfE "
            f"column names {', '.join(required)} (any case). If the system exports one "
            "under another name, declare it in councils/<council>/layouts/ssda903.toml:\n"
            + declaration,
        )
    return found


# Within one :func:`read_returns`, each episodes file's text as read, kept from the first
# reading (its dates, for its year) for the second (validation): parsed once, not twice.
_READ_ONCE: dict[Path, tuple[list[str], pa.Table, dict[str, pd.Categorical]]] | None = None


@contextlib.contextmanager
def _reading_once():
    """Within the block, an episodes file read for its dates is kept for its validation."""
    global _READ_ONCE
    _READ_ONCE = {}
    try:
        yield
    finally:
        _READ_ONCE = None


def _table(path: Path, columns: list[str], identifiers: set[str]) -> pa.Table:
    """The file's ``columns`` as text: pyarrow dictionaries, coded by the reader,
    except the children's ``identifiers`` (nearly one value per row: the reader's
    dictionaries, one per block, would only be hashed again when united), which
    :func:`_text` codes."""
    types = {c: pa.string() if c in identifiers else WORDS for c in columns}
    try:
        return pacsv.read_csv(
            path,
            # one thread a file: two files are read at a time (_each), and the reader's own
            # threads on top of those only add their coordination (CPU, not speed)
            read_options=pacsv.ReadOptions(use_threads=False),
            convert_options=pacsv.ConvertOptions(
                include_columns=columns,
                column_types=types,
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except pa.ArrowInvalid as exc:
        raise (not_utf8(path) or InputError(path, f"cannot read the file as CSV ({exc})")) from None


def _columns(path: Path) -> list[str]:
    """The file's column names (stopping on a file that is not UTF-8 text)."""
    check_utf8_csv(path)
    names = _first_line(path)
    if names is not None:
        return names
    try:
        return list(pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns)
    except UnicodeDecodeError:
        raise not_utf8(path) from None
    except (OSError, pd.errors.EmptyDataError) as exc:
        raise InputError(path, f"cannot read the file ({exc})") from exc


def _first_line(path: Path) -> list[str] | None:
    """The names on a file's first line when pandas would read them as they are written
    (no quotes, none blank or repeated): reading them costs pandas a block of the file.
    None otherwise, for pandas to read."""
    with open(path, "rb") as handle:
        line, ends, _ = handle.read(65536).partition(b"\n")
    try:
        text = line.decode("utf-8-sig").removesuffix("\r")
    except UnicodeDecodeError:
        return None
    names = text.split(",")
    plain = ends and not any(c in text for c in '"\r') and all(n.strip() for n in names)
    return names if plain and len(set(names)) == len(names) else None


def _read(
    path: Path, required: list[str], aliases: dict[str, str] | None = None, *, keep: bool = False
) -> pd.DataFrame:
    """Read the columns the analysis needs as text, under their DfE names (through the
    council's declared ``aliases``, header -> DfE name); stop if any is missing.

    ``keep`` (an episodes file read for its dates inside :func:`read_returns`): read every
    column validation will need too and keep the table for that second call."""
    path = Path(path)
    kept = _READ_ONCE.get(path) if _READ_ONCE is not None else None
    columns = kept[0] if kept else _columns(path)
    names = _dfe_names(path, columns, required, aliases or {})
    header = {n: c for c, n in names.items()}
    use = [c for c in required if c not in PRESENCE_ONLY] + [c for c in OPTIONAL if c in header]
    table, texts = kept[1:] if kept else (None, {})
    if table is None or not all(header[c] in table.column_names for c in use):
        wanted = [header[c] for c in use]
        if keep and _READ_ONCE is not None:
            every = _matches(columns, [*EPISODE_COLUMNS, *OPTIONAL], aliases or {})
            known = [c for c, n in every.items() if n not in PRESENCE_ONLY]
            wanted = list(dict.fromkeys([*wanted, *known]))
        table = _table(path, wanted, set(_matches(columns, ["CHILD"], aliases or {})))
        if keep and _READ_ONCE is not None:
            _READ_ONCE[path] = (columns, table, texts)
    elif not keep:
        del _READ_ONCE[path]
    if table.num_rows == 0:
        raise InputError(
            path,
            "has column names but no rows",
            row=2,
            hint="The export may have failed: export the return again from the case system.",
        )
    for c in use:
        if header[c] not in texts:
            texts[header[c]] = _text(table.column(header[c]))
    frame = pd.DataFrame(
        {c: texts[header[c]] for c in use}, index=pd.RangeIndex(table.num_rows), copy=False
    )
    if "LA" not in frame:
        frame["LA"] = pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8), [""])
    frame["LA"] = _filled(frame["LA"], "")
    frame["source_file"] = _one(path.name, len(frame))  # text again on the way out (_plain)
    frame["source_row"] = np.arange(2, len(frame) + 2)
    return frame


def validate_header(
    path: Path, year: FinancialYear, aliases: Aliases | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One year's header (its year from :func:`catalogue`): (clean rows, quarantined rows)."""
    clean, held = _header(path, year, aliases)
    return _plain(clean), held


def _header(
    path: Path, year: FinancialYear, aliases: Aliases | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`validate_header`, its per-file columns left coded for :func:`_concat`."""
    frame = _read(path, HEADER_COLUMNS, (aliases or {}).get(year.label, {}))
    parts: list[pd.DataFrame] = []
    frame["dob"] = _parse_dates(frame["DOB"])
    _check_date_layout(path, frame, "DOB", frame["dob"])
    checks = [
        (frame["CHILD"].isna(), "child identifier is blank", "CHILD"),
        (frame["dob"].isna(), "date of birth is not dd/mm/yyyy", "DOB"),
        (frame["dob"] > year.end, "date of birth after the end of the year", "DOB"),
        (frame["dob"] < EARLIEST, f"date of birth before {EARLIEST.year}: not plausible", "DOB"),
    ]
    frame = _split(frame, checks, parts)
    repeated = frame.duplicated(["LA", "CHILD"], keep="first").to_numpy()
    frame = _split(frame, [(repeated, "child appears twice in the header", "CHILD")], parts)
    frame = frame.assign(year=_one(year.label, len(frame)))
    frame = frame[["LA", "CHILD", "SEX", "dob", "year", "source_file"]]
    return frame, quarantine.combine(parts)


def _split(frame: pd.DataFrame, checks, parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Apply ``checks`` [(mask, reason, column), ...]; the first failing check is the reason."""
    failed = np.zeros(len(frame), dtype=bool)
    for mask, reason, column in checks:
        hit = np.asarray(mask, dtype=bool) & ~failed
        if hit.any():
            _hold(frame.loc[hit], reason, column, parts)
            failed |= hit
    return frame.loc[~failed] if failed.any() else frame


def _hold(rows: pd.DataFrame, reason: str, column: str, parts: list[pd.DataFrame]) -> None:
    """Set ``rows`` aside with ``reason`` (the quarantine's columns only, into ``parts``)."""
    _, held = quarantine.set_aside(rows, pd.Series(True, index=rows.index), reason, column)
    held = _plain(held[[c for c in QUARANTINE_KEEP if c in held]])
    parts.append(held.astype({c: TEXT for c in ("LA", "CHILD") if c in held}))


def _rows(frame: pd.DataFrame, at: np.ndarray, columns: list[str] | None = None) -> pd.DataFrame:
    """``frame``'s ``columns`` at the positions ``at``: each column taken once, by one call,
    rather than a reorder, a filter and a column selection each copying the frame."""
    columns = list(frame.columns) if columns is None else columns
    if len(at) == len(frame) and _in_place(at):
        return pd.DataFrame({c: frame[c].array for c in columns}, index=frame.index, copy=False)
    taken = {c: frame[c].array.take(at) for c in columns}
    return pd.DataFrame(taken, index=frame.index.take(at), copy=False)


def _in_place(at: np.ndarray) -> bool:
    """Whether positions ``at`` are 0, 1, 2, ... (taking them would only copy)."""
    return bool((at == np.arange(len(at))).all())


def validate_episodes(
    path: Path, aliases: Aliases | None = None, year: FinancialYear | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, FinancialYear]:
    """One year's episodes: (clean rows with parsed dates, quarantined rows, year).

    ``year``: the file's year as :func:`catalogue` read it from the same file's dates
    (:func:`episodes_year`), so it is not worked out twice."""
    clean, held, year = _episodes(path, aliases, year)
    return _plain(clean), held, year


def _episodes(
    path: Path, aliases: Aliases | None, year: FinancialYear | None
) -> tuple[pd.DataFrame, pd.DataFrame, FinancialYear]:
    """:func:`validate_episodes`, its per-file columns left coded for :func:`_concat`."""
    frame = _read(path, EPISODE_COLUMNS, _file_aliases(path, aliases))
    year = year or episodes_year(Path(path), frame)
    parts: list[pd.DataFrame] = []
    frame["decom"] = _parse_dates(frame["DECOM"])
    frame["dec"] = _parse_dates(frame["DEC"])
    decom, dec = frame["decom"], frame["dec"]
    _check_date_layout(path, frame, "DECOM", decom)
    _check_date_layout(path, frame, "DEC", dec)
    checks = [
        (frame["CHILD"].isna(), "child identifier is blank", "CHILD"),
        (decom.isna(), "start date is not dd/mm/yyyy", "DECOM"),
        (frame["DEC"].notna() & dec.isna(), "end date is not dd/mm/yyyy", "DEC"),
        (decom < EARLIEST, f"start date before {EARLIEST.year}: not plausible", "DECOM"),
        (dec > year.end, f"end date after the {year.label} year ends: in the future", "DEC"),
    ]
    for column, valid in code_lists(year).items():
        blank_ok = column not in ("RNE", "LS", "PLACE")
        bad = _not_in(frame[column], valid, blank_ok)
        checks.append((bad, f"code not in the {year.label} {column} code list", column))
    checks += [
        (dec.notna() & frame["REC"].isna(), "episode ended without a reason (REC)", "REC"),
        (dec < decom, "episode ends before it starts", "DEC"),
        ((decom > year.end) | (dec < year.start), f"episode not in the {year.label} year", "DECOM"),
    ]
    frame = _split(frame, checks, parts)
    codes = child_codes(frame)
    decom = frame["decom"].to_numpy("datetime64[ns]")
    dec = frame["dec"].to_numpy("datetime64[ns]")
    # The rows in order of child and start (``at``: their positions), taken once at the end.
    at = row_order((decom, codes))  # ties in file order
    codes, decom, dec = codes[at], decom[at], dec[at]
    repeated = np.zeros(len(codes), dtype=bool)
    repeated[1:] = (codes[1:] == codes[:-1]) & (decom[1:] == decom[:-1])
    if repeated.any():
        reason = "episode repeated (same child and start date)"
        _hold(frame.iloc[at[repeated]], reason, "DECOM", parts)
        at, codes, decom, dec = (at[~repeated], codes[~repeated], decom[~repeated], dec[~repeated])
    overlap = _overlapping(codes, decom, dec)
    if overlap.any():
        reason = "episode starts before the previous one ended"
        _hold(frame.iloc[at[overlap]], reason, "DECOM", parts)
        at = at[~overlap]
    keep = ["LA", "CHILD", "decom", "dec", "RNE", "LS", "PLACE", "PLACE_PROVIDER", "REC"]
    keep += ["REASON_PLACE_CHANGE", "PL_POST", "DECOM", "DEC", "source_file", "source_row"]
    frame = _rows(frame, at, keep)
    frame["year"] = _one(year.label, len(frame))
    return frame, quarantine.combine(parts), year


def _not_in(column: pd.Series, valid, blank_ok: bool) -> np.ndarray:
    """Where a Categorical column's value is not one of ``valid`` (a blank is, if
    ``blank_ok``): looked up once per category."""
    known = np.append(column.cat.categories.isin(list(valid)), blank_ok)
    return ~known[column.cat.codes.to_numpy()]


def _span(values: np.ndarray) -> int:
    """The range of ``values`` (how large a lookup table over them would be)."""
    return int(values.max()) - int(values.min()) if len(values) else 0


def row_order(keys: tuple) -> np.ndarray:
    """The rows' order sorted by ``keys``, the last the primary, ties kept in order: what
    :func:`numpy.lexsort` gives, as one sort of the keys packed into an integer with the
    rows' positions where they fit (whole-day dates, integer codes), which is faster on 1.5
    million rows."""
    packed, bits = None, 0
    for key in reversed(keys):
        key = np.asarray(key)
        if key.dtype.kind == "M":
            key, part = np.divmod(key.astype("datetime64[ns]", copy=False).view(np.int64), DAY_NS)
            if part.any():
                return np.lexsort(keys)
        if key.dtype.kind not in "iub" or not key.size:
            return np.lexsort(keys)
        key = key.astype(np.int64, copy=False)
        low = int(key.min())
        width = (int(key.max()) - low).bit_length()
        bits += width
        if bits > 62:
            return np.lexsort(keys)
        if packed is None:
            packed = key - low  # a new array: the ones below are worked in place
        else:
            packed <<= width
            packed |= key - low
    if (packed[1:] >= packed[:-1]).all():
        return np.arange(len(packed))  # already in order (a return listed by child and date)
    place = (len(packed) - 1).bit_length()
    if bits + place <= 62:
        # Each packed key made distinct by its row's position, so that any sort keeps ties
        # in order: numpy sorts integers many times faster than it argsorts them. Timsort
        # ("stable") merges the runs already in order (each year's return is listed by
        # child and date): 3 to 4 times faster than quicksort on the stitched years.
        distinct = (packed << place) | np.arange(len(packed))
        return np.sort(distinct, kind="stable") & ((1 << place) - 1)
    return np.argsort(packed, kind="stable")


def child_codes(frame: pd.DataFrame) -> np.ndarray:
    """An integer per (LA, CHILD), in order of first appearance (-1 where CHILD is blank)."""
    return _pairs(frame["LA"], frame["CHILD"])


def _overlaps(frame: pd.DataFrame, codes: np.ndarray | None = None) -> pd.Series:
    """True where an episode starts before the same child's previous episode ended.

    ``frame`` must be sorted by child and start date.
    """
    codes = child_codes(frame) if codes is None else codes
    decom = frame["decom"].to_numpy("datetime64[ns]")
    found = _overlapping(codes, decom, frame["dec"].to_numpy("datetime64[ns]"))
    return pd.Series(found, index=frame.index)


def _overlapping(codes: np.ndarray, decom: np.ndarray, dec: np.ndarray) -> np.ndarray:
    """:func:`_overlaps` on the rows' child codes, starts and ends (sorted by both)."""
    same = np.zeros(len(codes), dtype=bool)
    same[1:] = codes[1:] == codes[:-1]
    prev_end = np.full(len(codes), np.datetime64("NaT"), dtype="datetime64[ns]")
    prev_end[1:] = dec[:-1]
    still_open = np.isnat(prev_end) | (prev_end > decom)
    return same & still_open


def _each(function: Callable[..., T], items: Iterable) -> list[T]:
    """``function`` of each item, in order, two files at a time: reading and checking a
    file is mostly pyarrow's and numpy's work, which runs beside Python's (a machine has
    at least two cores). The first failure, in order, stops the run as it would alone."""
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        return list(pool.map(function, items))


def _once(kind: str, path: Path, key: list, compute):
    """``compute()`` for one file, once per report build (see :mod:`analysis.core.cache`)."""
    return cache.once(
        kind, lambda: [cache.code_version(*CODE), cache.files_key([path]), key], compute
    )


def _dates_year(path: Path, aliases: Aliases | None) -> FinancialYear:
    """An episodes file's collection year, reading its dates only."""
    frame = _read(path, ["DECOM", "DEC"], _file_aliases(path, aliases), keep=True)
    return episodes_year(Path(path), frame)


def _pair_key(name: str) -> str:
    """A file name with ``header``/``episodes`` blanked, to pair the two files of a return."""
    return re.sub(r"episodes?|header", "*", name.lower())


def catalogue(
    headers: list[Path], episodes: list[Path], aliases: Aliases | None = None
) -> dict[str, tuple[Path, Path]]:
    """Each collection year with its (header, episodes) files, or stop naming the files.

    An episodes file's year comes from its dates (:func:`episodes_year`); a header's from
    the episodes file it pairs with (same name apart from header/episodes), else from its
    own name. Stops on a year with two files of a kind (a resubmission beside the
    original), a header with no episodes file for its year, or the reverse.
    """
    if not headers or not episodes:
        raise InputError("command line", "give at least one header file and one episodes file")
    found = _each(
        lambda path: _once("ssda903-year", path, [aliases], lambda: _dates_year(path, aliases)),
        episodes,
    )
    epi_years = dict(zip(map(Path, episodes), found, strict=True))
    by_key = {_pair_key(p.name): y for p, y in epi_years.items()}
    head_years: dict[Path, FinancialYear] = {}
    for path in map(Path, headers):
        paired = by_key.get(_pair_key(path.name))
        own = name_years(path.name)
        if paired is not None:
            head_years[path] = paired
        elif len(own) == 1:
            head_years[path] = own[0]
        elif len(headers) == 1 and len(episodes) == 1:
            head_years[path] = next(iter(epi_years.values()))
        else:
            raise InputError(
                path,
                "cannot tell which year this header file covers",
                hint="Name it like its episodes file with 'header' for 'episodes', "
                "e.g. header_2024-25.csv beside episodes_2024-25.csv.",
            )
    for kind, years in (("episodes", epi_years), ("header", head_years)):
        for label in sorted({y.label for y in years.values()}):
            same = sorted(p for p, y in years.items() if y.label == label)
            if len(same) > 1:
                raise InputError(
                    same[1],
                    f"a second {kind} file for {label}, beside {same[0].name}",
                    hint="Keep one return per year (e.g. the resubmission) and move the other "
                    "out of the folder.",
                )
    epi_labels = {y.label for y in epi_years.values()}
    listed = ", ".join(f"{p.name} ({y.label})" for p, y in epi_years.items())
    for path, year in head_years.items():
        if year.label not in epi_labels:
            raise InputError(
                path,
                f"this header is for {year.label} but no episodes file is for that year "
                f"(episodes: {listed})",
                hint="The header and episodes files must come from the same return.",
            )
    head_by = {y.label: p for p, y in head_years.items()}
    out: dict[str, tuple[Path, Path]] = {}
    for path, year in epi_years.items():
        if year.label not in head_by:
            given = ", ".join(f"{p.name} ({y.label})" for p, y in head_years.items())
            raise InputError(
                path,
                f"no header file for {year.label} (headers given: {given})",
                hint="A header and an episodes file from the same return are needed.",
            )
        out[year.label] = (head_by[year.label], path)
    return dict(sorted(out.items()))


def find_returns(folder: Path, aliases: Aliases | None = None) -> dict[str, tuple[Path, Path]]:
    """The returns in ``folder`` by collection year (see :func:`catalogue`); {} if none."""
    found = sorted(Path(folder).iterdir()) if Path(folder).is_dir() else []
    csvs = [p for p in found if p.is_file() and p.suffix.lower() == ".csv"]
    headers = [p for p in csvs if "header" in p.name.lower()]
    episodes = [p for p in csvs if re.search("episode", p.name, re.IGNORECASE)]
    return catalogue(headers, episodes, aliases) if headers or episodes else {}


def read_returns(
    headers: list[Path], episodes: list[Path], aliases: Aliases | None = None
) -> Returns:
    """Validate every file, stitch the years together and hold back unusable rows.

    ``aliases`` (per year, header -> DfE name) are the council's declared column names."""
    with _reading_once():
        return _read_returns(headers, episodes, aliases)


def _read_returns(headers: list[Path], episodes: list[Path], aliases: Aliases | None) -> Returns:
    """:func:`read_returns`, each episodes file parsed once."""
    files = catalogue(headers, episodes, aliases)
    rows_read: dict[str, int] = {}
    head_parts, epi_parts, held = [], [], []
    years: set[str] = set()

    def validated(label: str) -> tuple:
        head_path, epi_path = files[label]
        year = FinancialYear.parse(label)
        return (
            _once(
                "ssda903-header",
                head_path,
                [label, aliases],
                lambda: _header(head_path, year, aliases),
            ),
            _once(
                "ssda903-episodes",
                epi_path,
                [aliases, label],
                lambda: _episodes(epi_path, aliases, year),
            ),
        )

    for (head_path, epi_path), ((clean, bad), (epi_clean, epi_bad, year)) in zip(
        files.values(), _each(validated, files), strict=True
    ):
        rows_read[Path(head_path).name] = len(clean) + len(bad)
        head_parts.append(clean)
        held.append(bad)
        clean, bad = epi_clean, epi_bad
        rows_read[Path(epi_path).name] = len(clean) + len(bad)
        epi_parts.append(clean)
        held.append(bad)
        years.add(year.label)
    header = _concat(head_parts)
    if not header["year"].cat.codes.is_monotonic_increasing:  # catalogue lists them in order
        header = header.sort_values("year", kind="stable")
    repeated = header.duplicated(["LA", "CHILD"], keep="last")
    superseded = _counts(header.loc[repeated, "source_file"])
    header = header.loc[~repeated]
    epi = _concat(epi_parts)
    # The files' frames, now united, let go of before the stitched rows are taken (peak memory).
    clean = epi_clean = None
    head_parts.clear()
    epi_parts.clear()
    codes = child_codes(epi)
    decom = epi["decom"].to_numpy("datetime64[ns]")
    at = row_order((epi["year"].cat.codes.to_numpy(), decom, codes))
    codes, decom = codes[at], decom[at]
    repeated = np.zeros(len(codes), dtype=bool)
    repeated[:-1] = (codes[1:] == codes[:-1]) & (decom[1:] == decom[:-1])
    superseded.update(_counts(epi["source_file"].iloc[at[repeated]]))
    epi, codes = _rows(epi, at[~repeated]), codes[~repeated]
    # Stitched together, an episode left open in an older return that the next
    # return contradicts (it starts another episode instead) gives way to the later one.
    clash = _overlaps(epi, codes).to_numpy()
    if clash.any():
        year_code = epi["year"].cat.codes.to_numpy()
        later_year = np.append(year_code[1:], -1)
        earlier = np.zeros(len(clash), dtype=bool)
        earlier[:-1] = clash[1:]
        earlier &= year_code < later_year
        reason = "left open, but a later return starts another episode"
        epi = _split(epi, [(earlier, reason, "DEC")], held)
        reason = "episode starts before the previous one ended"
        epi = _split(epi, [(_overlaps(epi).to_numpy(), reason, "DECOM")], held)
    la, child = epi["LA"], epi["CHILD"]
    width = len(child.cat.categories) + 1
    listed = _shared(header["LA"], la).cat.codes.to_numpy().astype(np.int64) * width
    listed += _shared(header["CHILD"], child).cat.codes.to_numpy()
    codes = la.cat.codes.to_numpy().astype(np.int64) * width + child.cat.codes.to_numpy()
    known = np.isin(codes, listed, kind="table" if _span(listed) < 1 << 28 else "sort")
    epi = _split(epi, [(~known, "child has no usable header row", "CHILD")], held)
    held_all = quarantine.combine(held)
    for name, read in rows_read.items():
        quarantine.stop_if_systematic(name, read, held_all[held_all["source_file"].eq(name)])
    # The placement key: same PLACE and placement postcode means the same placement, as in
    # the DfE validator's rule 383 (return from a temporary placement). URN is left out: it is
    # often filled on one episode and blank on the next. Postcodes go no further than this.
    place = _pairs(_filled(epi["PL_POST"], ""), epi["PLACE"])
    kept = {c: epi[c].array for c in epi if c not in ("PL_POST", "DECOM", "DEC")}
    epi = pd.DataFrame({**kept, "placement_key": place}, copy=False)
    return Returns(
        episodes=_plain(epi),
        header=_plain(header.set_axis(pd.RangeIndex(len(header)))),
        quarantine=held_all,
        years=sorted(years),
        rows_read=rows_read,
        superseded=superseded,
        files=files,
    )
