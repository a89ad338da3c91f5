"""The DfE's three placement-stability indicators, computed from SSDA903 returns.

Sources quoted (DfE, "Children looked after in England including adoptions", data
guidance for the 2022 and 2023 reporting years, as copied in the repository
``BenGoodair/childrens_social_care_data``: ``Raw_Data/LA_level/Children_Placement_
Characteristics/post_2017/data-guidance/data-guidance.txt`` (2022) and
``.../post_2017_updated24/data-guidance/data-guidance.txt`` (2023); read 2025):

- all figures: "Figures exclude children looked after under a series of short-term
  placements" (2023, LA file, footnote 1);
- 2-year cohort: "Includes children looked after on 31 March each year who also spent at
  least one day in care in the previous year ending 31 March" (2023, footnote 4);
- 2.5-year measure: "the figures now a. exclude children who started a period of care
  under an agreed series of short-term placements which later became continuous and
  b. include children in fostering placements with relative(s) or friend(s) or other
  foster carers who is/are also an approved adopter(s) - fostering for adoption/concurrent
  planning (placement codes U2 and U5) as a placement change" (2023, footnote 2; the 2022
  guidance has the same text) and "A child is included as having been a. in care for at
  least 2.5 years if their period of care start date was on or before the 30 September of
  the relevant year and b. with the same carer for at least 2 years if their episode start
  date for the relevant placement was on or before the 31 March of the relevant year"
  (2023, footnote 3).

The indicators for the year ending 31 March Y:

1. **Looked after on 31 March with 3 or more placements during the year.** Cohort: every
   child looked after on 31 March (an episode that started on or before 31 March and had
   not ended by then). Placements counted: every placement the child occupied at any time
   between 1 April and 31 March, the one they were in on 1 April included.
2. **Looked after for 2 years on 31 March with 3 or more placements during the previous
   2 years.** Cohort: looked after on 31 March Y *and* on at least one day of the previous
   year, 1 April Y-2 to 31 March Y-1, in any period of care (gaps allowed). Placements
   counted over 1 April Y-2 to 31 March Y.
3. **Under 16, looked after continuously for at least 2.5 years, living with the same
   carer for at least 2 years** (or placed for adoption, the adoptive and the previous
   placement together lasting 2 years). Cohort: under 16 on 31 March Y, current period of
   care started on or before 30 September Y-3; same carer: the current placement started
   on or before 31 March Y-2. "Relevant year" is not defined; these dates are 2.5 and 2
   years before 31 March Y, both inclusive as the guidance says ("on or before").

Counting rules (the guidance is silent on each unless a quote above covers it):

- **Periods of care** are stitched from *all* episodes, short breaks included: a period
  starts with RNE ``S`` or where an episode does not start on the day the previous one ended.
- **Short breaks** (legal status V3/V4). A child whose episode on 31 March is V3/V4 is in
  no cohort. A period of care whose first episode is V3/V4 is left out whole, so the child
  is in none of the three cohorts: the guidance says so for the 2.5-year measure; for the
  other two it is silent, and we apply the same reading so one child is never in one
  cohort and out of another for the same reason. A V3/V4 episode inside a period does not
  break it and is not a placement ("Figures exclude children looked after under a series
  of short-term placements": a short break is not a placement move); like a temporary
  placement, the return from it to the same placement is not a move. Days under V3/V4 are
  not days "in care" for the 2-year cohort.
- **A new placement** starts with an episode whose reason for new episode (RNE) is ``S``,
  ``P`` or ``B``. ``L`` (legal status only) and ``T``/``U`` (same carer) are not moves: the
  2023 guidance measures the "same carer". A move *into* a U2/U5 fostering-for-adoption
  placement is a move (RNE P or B), as the 2021 change ("U2 and U5 ... as a placement
  change") says; the later change to placed for adoption with the same carers (RNE T or U,
  validator rule 217) is not, so the U2/U5 and adoptive placement are one placement.
- **Temporary placements** (PLACE T0 to T4) are not placements, and the return to the
  placement the child was in before one (same PLACE and placement postcode, validator
  rule 383) is not a move.
- A placement that ended on 1 April (the child moved that day) is not counted as occupied
  during the year; one that started on 31 March is. The same boundary decides whether a
  child was in care during the previous year.
- Placements in an earlier period of care within the window are counted.
- **Age**: under 16 on 31 March means the 16th birthday falls after 31 March.
- Percentages are rounded half up to whole numbers, as the DfE publishes them.

No DfE methodology text on these points was found; ``docs/assumptions.md`` lists each
reading. Reproducing published figures from synthetic data shows self-consistency only.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.core.years import FinancialYear, YearError, require_year
from analysis.sources.ssda903.codes import (
    FOSTER,
    PLACED_FOR_ADOPTION,
    PLACEMENT_GROUPS,
    REASON_PLACE_CHANGE,
    SHORT_BREAKS,
    TEMPORARY,
    UNPLANNED_ENDINGS,
    placement_group,
)
from analysis.sources.ssda903.load import (
    Returns,
    categorical,
    child_codes,
    read_returns,
    row_order,
)

NEW_PLACEMENT_RNE = ("S", "P", "B")
MEASURES = [
    "cla_31_march",
    "cla_31_march_3_plus",
    "cla_2_years",
    "cla_2_years_3_plus",
    "long_term",
    "long_term_same_carer",
]
AGE_GROUPS = ["Under 1", "1 to 4", "5 to 9", "10 to 15", "16 and over"]
# Each indicator, its two counts, and how many earlier years' returns its window reaches:
# the year (1 April to 31 March), the two years from 1 April Y-2, and 30 September Y-3.
INDICATORS = {
    "cla_31_march": (("cla_31_march", "cla_31_march_3_plus"), 0),
    "cla_2_years": (("cla_2_years", "cla_2_years_3_plus"), 1),
    "long_term": (("long_term", "long_term_same_carer"), 2),
}


@dataclass
class History:
    """Episodes in date order with their placements and periods of care numbered.

    ``episodes``: one row per episode (periods of care that began under short breaks
    removed), ``child`` an integer per (LA, CHILD); ``temporary`` marks temporary stays
    and short breaks inside a period, ``short_break`` the latter. ``placements``: one
    row per placement with its child, start, end, type, the reason recorded when it
    ended, and the start of the previous placement in the same period of care.
    ``children``: LA, CHILD and date of birth per child code (private: ages only).
    """

    episodes: pd.DataFrame
    placements: pd.DataFrame
    children: pd.DataFrame

    @cached_property
    def councils(self) -> tuple[np.ndarray, np.ndarray]:
        """Each child code's council as a position in the councils, and the councils in
        order: worked out once, for every year's indicators (each child's council hashed,
        the councils sorted, not a search among them for every child)."""
        codes, found = pd.factorize(self.children["LA"].to_numpy(object), use_na_sentinel=False)
        order = np.argsort(np.asarray(found, dtype=object), kind="stable")
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order))
        return rank[codes], np.asarray(found, dtype=object)[order]

    @cached_property
    def episode_days(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The episodes' starts and ends as integers (:func:`_days`), their children and
        whether each is not a short break: worked out once, for every year's windows."""
        epi = self.episodes
        return (
            _days(epi["decom"].to_numpy(), open_as=_LATEST),
            _days(epi["dec"].to_numpy(), open_as=_LATEST),
            epi["child"].to_numpy(),
            ~epi["short_break"].to_numpy(bool),
        )

    @cached_property
    def placement_days(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The placements' starts and ends as integers (:func:`_days`) and their children."""
        p = self.placements
        return (
            _days(p["start"].to_numpy(), open_as=_LATEST),
            _days(p["end"].to_numpy(), open_as=_LATEST),
            p["child"].to_numpy(),
        )


_LATEST = np.iinfo(np.int64).max


def _days(dates: np.ndarray, open_as: int) -> np.ndarray:
    """Dates as int64 nanoseconds, a missing one (NaT) as ``open_as``: an end not yet
    reached is after every day, and a missing start is on no day (both compare as the
    dates do, without a test for NaT on every window)."""
    dates = np.asarray(dates, dtype="datetime64[ns]")
    out = dates.view(np.int64).copy()
    out[np.isnat(dates)] = open_as
    return out


def _text(column: pd.Series) -> np.ndarray:
    """A text column as a plain object array, missing values as None."""
    return column.to_numpy(dtype=object, na_value=None)


def _shift(values: np.ndarray, fill) -> np.ndarray:
    return np.r_[np.array([fill], dtype=values.dtype), values[:-1]] if len(values) else values


def _category(column: pd.Series) -> pd.Categorical:
    """A code column as a Categorical (small integers; missing stays missing)."""
    codes, uniques = pd.factorize(column)
    return categorical(codes, pd.Index(np.asarray(uniques, dtype=object)))


def _periods(child: np.ndarray, decom: np.ndarray, dec: np.ndarray, rne) -> np.ndarray:
    """True where an episode starts a period of care (rows sorted by child, then start)."""
    first = child != _shift(child, -1)
    joined = ~first & (decom == _shift(dec, np.datetime64("NaT")))
    return first | ~joined | np.asarray(rne == "S")


def build_history(returns: Returns, *, groups: bool = True) -> History:
    """Number placements and periods of care under the DfE counting rules (vectorised).

    Periods of care are stitched from every episode, short breaks included; a period
    whose first episode is a short break (V3/V4) is then left out whole. With ``groups``,
    each placement's group (foster, residential, ...) too, which the indicators do not
    need (:func:`compute` leaves it out).
    """
    epi = returns.episodes
    child_all = child_codes(epi)
    decom_all = epi["decom"].to_numpy("datetime64[ns]")
    dec_all = epi["dec"].to_numpy("datetime64[ns]")
    order = row_order((decom_all, child_all))
    starts_all = _periods(
        child_all[order], decom_all[order], dec_all[order], epi["RNE"].array.take(order)
    )
    short_all = _among(epi["LS"], SHORT_BREAKS)[order]
    began_short = short_all[np.maximum.accumulate(np.where(starts_all, np.arange(len(epi)), 0))]
    keep = ~began_short if len(epi) else short_all
    # The rows kept, in order (``at``: their positions in the returns), each column taken once.
    at, period_start, short = order[keep], starts_all[keep], short_all[keep]
    # Renumber children in date order so each child's rows are contiguous and ascending.
    # (rows sorted by child code: numbering in order of appearance counts the changes)
    ordered = child_all[at]
    child = np.cumsum(np.r_[False, ordered[1:] != ordered[:-1]]) if len(at) else ordered
    n = len(at)
    decom, dec = decom_all[at], dec_all[at]
    rne = _category(epi["RNE"].array.take(at))
    place = _category(epi["PLACE"].array.take(at))
    key = epi["placement_key"].to_numpy()[at].astype("uint64")
    first = child != _shift(child, -1)
    period = np.cumsum(period_start)
    # Temporary stays and short breaks inside a period are not placements of their own.
    temp = np.asarray(place.isin(list(TEMPORARY))) | short
    idx = np.arange(n)
    period_first = np.maximum.accumulate(np.where(period_start, idx, 0)) if n else idx
    # Return from a run of temporary placements to the placement held before it: the last
    # placement that is not temporary, within the period (a forward fill by period).
    held = np.maximum.accumulate(np.where(temp, -1, idx)) if n else idx
    base = np.where(held >= period_first, key.astype("float64")[held], np.nan)
    back = ~period_start & _shift(temp, False) & (key.astype("float64") == _shift(base, np.nan))
    new = period_start | (np.asarray(rne.isin(NEW_PLACEMENT_RNE)) & ~temp & ~back)
    starts = np.flatnonzero(new)
    lasts = np.r_[starts[1:] - 1, n - 1] if n else starts
    placement = np.cumsum(new) - 1
    provider = _category(epi["PLACE_PROVIDER"].array.take(at))
    reason = _category(epi["REASON_PLACE_CHANGE"].array.take(at))
    episodes = pd.DataFrame(
        {
            "child": child,
            "decom": decom,
            "dec": dec,
            "RNE": rne,
            "PLACE": place,
            "PLACE_PROVIDER": provider,
            "REASON_PLACE_CHANGE": reason,
            "period": period,
            "period_start": decom[period_first],
            "placement": placement,
            "new_placement": new,
            "starts_period": period_start,
            "temporary": temp,
            "short_break": short,
        },
        copy=False,  # fresh arrays: one block each, not merged into copies
    )
    p_period = period[starts]
    prev_start = _shift(decom[starts], np.datetime64("NaT"))
    prev_start[_shift(p_period, -1) != p_period] = np.datetime64("NaT")
    placements = pd.DataFrame(
        {
            "child": child[starts],
            "start": decom[starts],
            "end": dec[lasts],
            "PLACE": place[starts],
            "PLACE_PROVIDER": provider[starts],
            "ended_reason": reason[lasts],
            "starts_period": period_start[starts],
            "previous_start": prev_start,
        },
        copy=False,
    )
    if groups:
        placements["group"] = _groups(placements["PLACE"], placements["PLACE_PROVIDER"])
    la, child_id = epi["LA"].iloc[at[first]], epi["CHILD"].iloc[at[first]]
    children = pd.DataFrame(
        {
            "LA": _text(la),
            "CHILD": _text(child_id),
            "dob": _header_dob(returns.header, la, child_id),
        }
    )
    return History(episodes, placements, children)


def _among(column: pd.Series, values) -> np.ndarray:
    """Where a Categorical column's value is one of ``values`` (looked up per category)."""
    return np.append(column.cat.categories.isin(list(values)), False)[column.cat.codes.to_numpy()]


def _header_dob(header: pd.DataFrame, la: pd.Series, child: pd.Series) -> np.ndarray:
    """Each (``la``, ``child``)'s date of birth in the (deduplicated) header, NaT where it
    has none: what a left merge on the two columns gives, matched by integer codes."""
    width = len(child.cat.categories) + 1

    def keys(a: pd.Series, b: pd.Series) -> np.ndarray:
        a_codes = pd.Categorical(a, categories=la.cat.categories).codes.astype(np.int64)
        b_codes = pd.Categorical(b, categories=child.cat.categories).codes
        return np.where((a_codes < 0) | (b_codes < 0), -1, a_codes * width + b_codes)

    listed = keys(header["LA"], header["CHILD"])
    known = np.flatnonzero(listed >= 0)
    found = pd.Index(listed[known]).get_indexer(keys(la, child))
    dob = np.append(header["dob"].to_numpy("datetime64[ns]")[known], np.datetime64("NaT", "ns"))
    return dob[found]


def _groups(place, provider) -> np.ndarray:
    """The report's placement group for each (PLACE, PLACE_PROVIDER) pair (each distinct
    pair looked up once, the pairs keyed by their integer codes; missing reads as blank)."""

    def coded(values) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(values.dtype, pd.CategoricalDtype):
            codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
        else:
            codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
        uniques = np.append(np.asarray(uniques, dtype=object), "")
        return np.where(codes < 0, len(uniques) - 1, codes).astype(np.int64), uniques

    p_codes, p_values = coded(place)
    q_codes, q_values = coded(provider)
    joined = p_codes * len(q_values) + q_codes
    pairs = len(p_values) * len(q_values)
    if pairs <= 1 << 16:  # code lists: every pair's group in a table, no hash of the rows
        present = np.flatnonzero(np.bincount(joined, minlength=pairs))
        table = np.empty(pairs, dtype=object)
        table[present] = np.array(
            [
                placement_group(p_values[k // len(q_values)], q_values[k % len(q_values)])
                for k in present
            ],
            dtype=object,
        )
        return table[joined]
    codes, unique = pd.factorize(joined)
    pairs = zip(p_values[unique // len(q_values)], q_values[unique % len(q_values)], strict=True)
    groups = np.array([placement_group(p, q) for p, q in pairs], dtype=object)
    return groups[codes]


def _day(value: pd.Timestamp) -> np.datetime64:
    return np.datetime64(value, "ns")


def _int_day(value: pd.Timestamp) -> int:
    """A day as :func:`_days` holds it."""
    return int(_day(value).astype(np.int64))


def _open_at(history: History, day: pd.Timestamp) -> pd.DataFrame:
    """The episode each child was in on ``day`` (children looked after that day)."""
    return history.episodes.iloc[_open_rows(history, day)]


def _open_rows(history: History, day: pd.Timestamp) -> np.ndarray:
    """:func:`_open_at`'s rows: their positions in ``history.episodes``."""
    decom, dec, child, _ = history.episode_days
    when = _int_day(day)
    rows = np.flatnonzero((decom <= when) & (dec > when))
    # A child's episodes are contiguous (see build_history): the last open one is the last
    # of its run, as drop_duplicates("child", keep="last") would find it.
    child = child[rows]
    last = np.ones(len(rows), dtype=bool)
    last[:-1] = child[1:] != child[:-1]
    return rows[last]


def placement_counts(history: History, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Placements each child occupied at any time from ``start`` to ``end`` (per child code)."""
    starts, ends, child = history.placement_days
    hit = (starts <= _int_day(end)) & (ends > _int_day(start))
    return np.bincount(child[hit], minlength=len(history.children))


def in_care_during(history: History, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
    """Per child code: looked after (not on a short break) on at least one day in the span."""
    decom, dec, child, in_care = history.episode_days
    hit = in_care & (decom <= _int_day(end)) & (dec > _int_day(start))
    return np.bincount(child[hit], minlength=len(history.children)) > 0


def cohorts(history: History, year: FinancialYear, *, groups: bool = True) -> pd.DataFrame:
    """One row per child looked after on 31 March (not on a short break), with the flags;
    with ``groups``, the placement they are in now (PLACE and its group) too, which the
    indicators do not need."""
    end = year.end
    previous = FinancialYear(year.start_year - 1)
    two_back = FinancialYear(year.start_year - 2)
    epi, placements = history.episodes, history.placements
    rows = _open_rows(history, end)
    rows = rows[~epi["short_break"].to_numpy(bool)[rows]]
    child = epi["child"].to_numpy()[rows]
    temporary = epi["temporary"].to_numpy()[rows]
    # The placement each child is in (the columns at its rows, taken once each).
    at = epi["placement"].to_numpy()[rows]
    counts_1 = placement_counts(history, year.start, end)
    counts_2 = placement_counts(history, previous.start, end)
    cared_before = in_care_during(history, previous.start, previous.end)
    dob = history.children["dob"].to_numpy("datetime64[ns]")[child]
    under_16 = dob > _day(end - pd.DateOffset(years=16))
    period_start = epi["period_start"].to_numpy()[rows]
    # What the child is in now; a temporary stay counts as the placement it interrupts. The
    # episodes and placements share their PLACE and PLACE_PROVIDER categories (build_history).
    place_now = _now(epi["PLACE"], placements["PLACE"], rows, at, temporary)
    # Placed for adoption now: the adoptive placement, including any fostering for adoption
    # with the same carers before it (merged into one placement), counts together with the
    # placement before it. Reading documented in docs/assumptions.md (not confirmed by DfE text).
    adoption = _among(place_now, PLACED_FOR_ADOPTION)
    previous_start = placements["previous_start"].to_numpy()[at]
    carer_since = np.where(
        adoption & ~np.isnat(previous_start), previous_start, placements["start"].to_numpy()[at]
    )
    out = pd.DataFrame(
        {
            "child": child,
            "LA": history.children["LA"].to_numpy()[child],
            "placements_year": counts_1[child],
            "placements_2_years": counts_2[child],
            "cla_2_years": cared_before[child],
            "long_term": under_16
            & (period_start <= _day(pd.Timestamp(two_back.start_year, 9, 30))),
            "same_carer_2_years": carer_since <= _day(two_back.end),
        },
        copy=False,
    )
    if groups:
        provider = epi["PLACE_PROVIDER"]
        provider_now = _now(provider, placements["PLACE_PROVIDER"], rows, at, temporary)
        out["group"] = _groups(place_now, provider_now)
        out["PLACE"] = place_now.to_numpy()
    return out


def _now(
    episodes: pd.Series, placements: pd.Series, rows: np.ndarray, at: np.ndarray, temporary
) -> pd.Series:
    """A code column's value now: the episode's at ``rows``, the placement's (``at``) where
    the episode is a temporary stay. Both columns have the same categories."""
    codes = np.where(
        temporary,
        placements.cat.codes.to_numpy()[at],
        episodes.cat.codes.to_numpy()[rows],
    )
    return pd.Series(pd.Categorical.from_codes(codes, dtype=episodes.dtype))


def returns_needed(indicator: str, year: FinancialYear) -> list[str]:
    """The returns an indicator's window reaches into, earliest first."""
    back = INDICATORS[indicator][1]
    return [FinancialYear(year.start_year - k).label for k in range(back, -1, -1)]


def not_available(year: FinancialYear, loaded: list[str]) -> dict[str, str]:
    """Indicators whose returns are not all loaded, each with what it needs."""
    out = {}
    for indicator in INDICATORS:
        missing = [y for y in returns_needed(indicator, year) if y not in loaded]
        if missing:
            plural = "return" if len(missing) == 1 else "returns"
            out[indicator] = f"not available: needs the {' and '.join(missing)} {plural}"
    return out


def flags(c: pd.DataFrame) -> pd.DataFrame:
    """For each child of :func:`cohorts`, whether they count in each of :data:`MEASURES`."""
    return pd.DataFrame(
        {
            "cla_31_march": np.ones(len(c), dtype=bool),
            "cla_31_march_3_plus": (c["placements_year"] >= 3).to_numpy(),
            "cla_2_years": c["cla_2_years"].to_numpy(bool),
            "cla_2_years_3_plus": (c["cla_2_years"] & (c["placements_2_years"] >= 3)).to_numpy(),
            "long_term": c["long_term"].to_numpy(bool),
            "long_term_same_carer": (c["long_term"] & c["same_carer_2_years"]).to_numpy(),
        },
        index=c.index,
    )


def indicators(
    history: History, year: FinancialYear, loaded: list[str] | None = None
) -> pd.DataFrame:
    """The three indicators for every council in ``history``: one row per LA.

    With ``loaded`` (the years whose returns were read), an indicator whose window
    reaches a return not loaded is missing (``<NA>``) rather than a wrong figure.
    """
    c = cohorts(history, year, groups=False)
    council, las = history.councils
    where = council[c["child"].to_numpy()]
    counts = {
        name: np.bincount(where[flag.to_numpy()], minlength=len(las))
        for name, flag in flags(c).items()
    }
    out = pd.DataFrame({"LA": las, **{k: pd.array(v, dtype="Int64") for k, v in counts.items()}})
    for indicator in not_available(year, loaded) if loaded is not None else {}:
        out.loc[:, list(INDICATORS[indicator][0])] = pd.NA
    out.insert(1, "year", year.label)
    return out


def percent(part: int, whole: int) -> int | None:
    """A whole-number percentage, as the DfE publishes it (None when the base is 0 or NA)."""
    if pd.isna(part) or pd.isna(whole) or not whole:
        return None
    return int(np.floor(100 * part / whole + 0.5))


RECORD_KEYS = {
    "cla_31_march": ("cla_31_march", "total", "with_3_or_more_placements"),
    "cla_2_years": ("cla_2_years", "total", "with_3_or_more_placements_in_2_years"),
    "long_term": ("long_term_under_16", "total", "same_carer_2_years"),
}


def as_records(table: pd.DataFrame, loaded: list[str]) -> list[dict]:
    """Indicator rows as JSON-ready records: counts, the DfE's percentage, and the returns
    each indicator used, or what it needs when it is not available."""
    records = []
    for row in table.to_dict("records"):
        year = FinancialYear.parse(row["year"])
        missing = not_available(year, loaded)
        record = {"year": row["year"]}
        if row["LA"]:
            record["la"] = row["LA"]
        for indicator, (name, total, part) in RECORD_KEYS.items():
            whole_col, part_col = INDICATORS[indicator][0]
            if indicator in missing:
                record[name] = {"not_available": missing[indicator]}
                continue
            record[name] = {
                total: int(row[whole_col]),
                part: int(row[part_col]),
                "percent": percent(row[part_col], row[whole_col]),
                "returns_used": returns_needed(indicator, year),
            }
        records.append(record)
    return records


# ---- the detail behind the indicators (one council) ---------------------------------


def age_group(age: pd.Series) -> pd.Categorical:
    """Age in whole years to the DfE's age bands."""
    bins = [-1, 0, 4, 9, 15, 200]
    return pd.cut(age, bins=bins, labels=AGE_GROUPS)


def _age(dob: np.ndarray, when: np.ndarray) -> pd.Series:
    dob_ts, when_ts = pd.DatetimeIndex(dob), pd.DatetimeIndex(when)
    years = when_ts.year - dob_ts.year
    before = (when_ts.month < dob_ts.month) | (
        (when_ts.month == dob_ts.month) & (when_ts.day < dob_ts.day)
    )
    return pd.Series(np.asarray(years - before.astype(int)))


def moves(history: History, year: FinancialYear) -> pd.DataFrame:
    """Every placement move in the year: the reason, the placement left (``left``, its
    position in ``history.placements``), age at the move."""
    p = history.placements
    start = p["start"].to_numpy()
    in_year = (
        (start >= _day(year.start)) & (start <= _day(year.end)) & ~p["starts_period"].to_numpy()
    )
    rows = np.flatnonzero(in_year)
    before = p.iloc[rows - 1]
    dob = history.children["dob"].to_numpy("datetime64[ns]")[p["child"].to_numpy()[rows]]
    reason = before["ended_reason"].astype(object).fillna("Not recorded").to_numpy()
    return pd.DataFrame(
        {
            "child": p["child"].to_numpy()[rows],
            "left": rows - 1,
            "date": start[rows],
            "reason": [REASON_PLACE_CHANGE.get(r, r) for r in reason],
            "reason_code": reason,
            "from_group": before["group"].to_numpy(),
            "to_group": p["group"].to_numpy()[rows],
            "age_group": age_group(_age(dob, start[rows])).to_numpy(),
        }
    )


def foster_endings(history: History, year: FinancialYear) -> pd.DataFrame:
    """Foster placements ending in the year, one row each (``placement``: its position in
    ``history.placements``): its group, the reason, and whether it ended unplanned (the
    carer asked, an allegation, or standards)."""
    p = history.placements
    end = p["end"].to_numpy()
    ended = (end >= _day(year.start)) & (end <= _day(year.end))
    foster = p["PLACE"].isin(FOSTER).to_numpy()
    rows = np.flatnonzero(ended & foster)
    reason = p["ended_reason"].astype(object).iloc[rows]
    return pd.DataFrame(
        {
            "placement": rows,
            "group": p["group"].to_numpy()[rows],
            "reason": reason.map(REASON_PLACE_CHANGE).fillna("Left care / not recorded").to_numpy(),
            "unplanned": reason.isin(UNPLANNED_ENDINGS).to_numpy(),
        }
    )


def snapshot(history: History, year: FinancialYear) -> pd.Series:
    """Children looked after on 31 March by placement group (plus all fostered)."""
    c = cohorts(history, year)
    counts = c["group"].value_counts().reindex(PLACEMENT_GROUPS, fill_value=0)
    counts["All fostered"] = int(c["PLACE"].isin(FOSTER).sum())
    counts["All children looked after"] = len(c)
    return counts


def compute(returns: Returns, years: list[str] | None = None) -> pd.DataFrame:
    """Indicators for every council, for ``years`` (default: every year with a return).

    A year needs its own return; an indicator that also needs earlier returns not
    loaded is ``<NA>`` (see :func:`not_available`).
    """
    wanted = years or returns.years
    for label in wanted:
        require_year(label, returns.years, "SSDA903 return")
    if not wanted:
        return pd.DataFrame(columns=["LA", "year", *MEASURES])
    history = build_history(returns, groups=False)
    parts = [indicators(history, FinancialYear.parse(y), returns.years) for y in wanted]
    return pd.concat(parts, ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.stability``: the indicators as JSON on standard output."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis.stability",
        description="DfE placement-stability indicators from SSDA903 header and episodes "
        "files. Each return's year is read from its dates; the file names are a hint only.",
    )
    parser.add_argument("--header", action="append", required=True, type=Path, help="header CSV")
    parser.add_argument(
        "--episodes", action="append", required=True, type=Path, help="episodes CSV"
    )
    parser.add_argument("--year", action="append", help="financial year, e.g. 2024-25")
    args = parser.parse_args(argv)
    try:
        years = [FinancialYear.parse(y).label for y in args.year] if args.year else None
        returns = read_returns(args.header, args.episodes)
        table = compute(returns, years)
    except (InputError, YearError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    reasons = returns.quarantine.groupby("reason").size().to_dict()
    out = {
        "returns": [
            {"year": label, "header": head.name, "episodes": epi.name}
            for label, (head, epi) in returns.files.items()
        ],
        "indicators": as_records(table, returns.years),
        "quarantined_rows": len(returns.quarantine),
        "quarantine_reasons": {k: int(v) for k, v in reasons.items()},
    }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0
