"""Write one council's SYNTHETIC SSDA903 header and episodes files for 2018-19 to 2024-25.

``python scripts/make_example_ssda903.py --council <slug>`` writes
``data/raw/example/<slug>/ssda903/ssda903_{header,episodes}_<year>_SYNTHETIC.csv`` in the
DfE's layout. No row describes a real child. The seed is fixed, so a rerun reproduces
every file byte for byte.

Targets: the council's published DfE placement-stability figures for reporting years 2021 to
2025 (``data/raw/dfe/la_cla_placement_stability.csv``, read by the council's old LA code
from ``councils/<slug>/council.toml``), and the placement mix on 31 March where the
council's published figures give one (``councils/<slug>/published/``). Tuning (sizes, seed,
entry timing) comes from ``calibration.toml`` in the output folder. The children are built
year by year so that, put through :mod:`analysis.stability.measures`, the files reproduce
the targets exactly. Each year: children who must leave (18th birthday) leave; of the rest,
exactly as many stay as the year's cohorts need (the 2-year cohort is every child looked
after on 31 March who was also looked after in the previous year; the long-term one the
under-16s looked after since 30 September two and a half years before); new entrants make up
the total; then moves are allocated so that the 3-or-more-placement counts and the
same-carer count come out exact. Temporary placements, legal-status-only changes,
short-break children and fostering-for-adoption placements that become adoptive placements
with the same carers are added where they cannot change a published count, to exercise the
counting rules.

Every file passes the DfE's own validator (csc-validator-be-903, ``make validator``)
except for its documented bugs: real postcodes from the council's area
(``scripts/postcodes/<new_la_code>.txt``), UPNs with valid check letters, SEX 1/2 until
2023-24 and M/F from 2024-25, and the code combinations and durations the rules allow
(see ``docs/assumptions.md``). The generator checks its output with the project's own
indicator code and stops if any figure differs.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from analysis.sources.ssda903.load import EPISODE_LAYOUT, HEADER_LAYOUT

ROOT = Path(__file__).resolve().parents[1]
FIRST, LAST = 2018, 2024  # first and last collection years' start years
FIRST_REPORTED = 2021  # reporting years with published targets: 2021 (2020-21) to 2025
AGES_2020 = [(1, 5), (3, 7), (5, 8), (7, 9), (9, 10), (11, 11), (13, 12), (14, 11), (15, 9)]
LATE_2018 = 0.12  # share of the 2020 population who arrived from October 2018
WIDTH = 2400  # days of leeway in a long-stay child's date of birth until it is fixed
# SEX is coded 1 (male) / 2 (female) up to 2023-24 and M / F / U from 2024-25 (the DfE
# validator's rule 101 in its lac2024_25 rules; earlier rules accept 1 and 2).
NEW_SEX_FROM = 2024
NEW_SEX = {"1": "M", "2": "F"}
# UPN check letter: DfE, "Unique pupil numbers (UPN): guidance", weights 2 to 13 on
# characters 2 to 13, remainder modulo 23 indexing this alphabet.
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"

REASONS = [
    ("CARPL", 40),
    ("CREQB", 12),
    ("CREQO", 5),
    ("CHILD", 8),
    ("LAREQ", 8),
    ("ALLEG", 3),
    ("STAND", 3),
    ("CLOSE", 3),
    ("APPRR", 1),
    ("OTHER", 17),
]
# PLACE ("change in the status of the placement only") is not drawn for a move: it belongs
# to the episode that ends when a placement changes status with the same carers (RNE T or
# U), which :meth:`Generator.adoption` writes.
ETHNIC = [("WBRI", 55), ("MWBC", 8), ("MOTH", 5), ("AIND", 3), ("APKN", 4), ("BAFR", 9)]
ETHNIC += [("BCRB", 3), ("AOTH", 4), ("OOTH", 5), ("WOTH", 4)]
OWN_URN, AGENCY_URNS = "SC999001", [f"SC9991{i:02d}" for i in range(12)]
HOME_URNS = [f"SC9992{i:02d}" for i in range(30)]
# Placement types with no Ofsted URN (DfE validator rules 218 and 222): blank, or XXXXXXX
# (the guide's code for a placement with no URN) where the 2024-25 rules want one filled.
NO_URN = frozenset({"P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"})
NOT_REGISTERED = frozenset({"H5", "P2"})
NO_PROVIDER = frozenset({"Z1"})
# Unregulated semi-independent (H5) and independent living (P2) placements ended by
# 28 October 2023 (validator rules 217t and 230, the supported accommodation reforms);
# one running past that day is a children's home placement here.
UNREGULATED_UNTIL = date(2023, 10, 28)  # rule 178: "other placements" have no provider code


@dataclass
class Calibration:
    """One council's targets and the generator's tuning, from its calibration.toml."""

    slug: str
    la_code: str  # old three-digit DfE code: the published figures and the UPNs
    new_la_code: str  # ONS code: the validator's localAuthority and the postcode sample
    targets: dict[int, tuple[int, ...]]
    seed: int
    initial_long: int
    initial_recent: int
    leavers_before: int
    leavers_in_year: int
    late_entry: dict[int, float]
    snapshots: dict[int, dict[str, int]]
    own_shares: dict[int, float]
    postcodes: list[str]

    @property
    def out(self) -> Path:
        return ROOT / "data" / "raw" / "example" / self.slug / "ssda903"


def published_targets(la_code: str) -> dict[int, tuple[int, ...]]:
    """The council's published DfE figures by reporting year, in MEASURES order."""
    from analysis.sources.dfe import stability as dfe_stability
    from analysis.stability.measures import MEASURES

    table = dfe_stability.load()
    mine = table.loc[table["area"] == la_code].set_index("year")
    out = {}
    for reporting in range(FIRST_REPORTED, LAST + 2):
        row = mine.loc[dfe_stability.year_label(reporting), MEASURES]
        out[reporting] = tuple(int(v) for v in row)
    return out


def printed_placements(folder: Path) -> dict[int, dict[str, int]]:
    """Children fostered on 31 March by kind, as the council's reports printed them.

    From its published figures (``councils/<slug>/published/``, where it has any):
    connected persons, the council's own carers less connected persons, and agencies;
    keyed by the calendar year of 31 March.
    """
    from analysis.sources.published import load as published

    if not folder.is_dir():
        return {}
    figures = published.preferred(published.load_all(folder))
    figures = figures[(figures["breakdown"] == "") & (figures["basis"] == "")]
    out: dict[int, dict[str, int]] = {}
    for label, rows in figures.groupby("year"):
        got = dict(zip(rows["measure"], rows["number"], strict=True))
        quota = {}
        if "children_with_connected_persons_carers" in got:
            quota["conn"] = int(got["children_with_connected_persons_carers"])
            if "children_with_own_foster_carers" in got:
                quota["own"] = int(got["children_with_own_foster_carers"]) - quota["conn"]
        if "children_with_ifa_carers" in got:
            quota["agency"] = int(got["children_with_ifa_carers"])
        if quota:
            out[int(str(label)[:4]) + 1] = quota
    return out


def printed_own_shares(folder: Path) -> dict[int, float]:
    """The printed share of fostered children living with the council's own households
    (connected persons included) on 31 March, keyed by the calendar year of 31 March."""
    from analysis.sources.published import load as published

    if not folder.is_dir():
        return {}
    figures = published.preferred(published.load_all(folder))
    rows = figures[
        (figures["measure"] == "share_of_foster_children_with_own_carers")
        & (figures["breakdown"] == "")
        & (figures["basis"] == "")
    ]
    pairs = zip(rows["year"], rows["number"], strict=True)
    return {int(str(year)[:4]) + 1: float(number) / 100 for year, number in pairs}


def calibration(slug: str) -> Calibration:
    """Read the council's configuration, published targets and calibration file."""
    from analysis.council import config

    council = config.load(slug)
    folder = ROOT / "data" / "raw" / "example" / council.slug / "ssda903"
    with open(folder / "calibration.toml", "rb") as handle:
        tuning = tomllib.load(handle)
    by_year = lambda table: {int(k): v for k, v in table.items()}  # noqa: E731
    postcodes = (ROOT / "scripts" / "postcodes" / f"{council.new_la_code}.txt").read_text()
    return Calibration(
        slug=council.slug,
        la_code=council.la_code,
        new_la_code=council.new_la_code,
        targets=published_targets(council.la_code),
        seed=tuning["seed"],
        initial_long=tuning["initial_long"],
        initial_recent=tuning["initial_recent"],
        leavers_before=tuning["leavers_before"],
        leavers_in_year=tuning["leavers_in_year"],
        late_entry=by_year(tuning["late_entry"]),
        snapshots=printed_placements(council.published),
        own_shares=printed_own_shares(council.published),
        postcodes=postcodes.split("\n")[:-1],
    )


def fy_start(y: int) -> date:
    return date(y, 4, 1)


def fy_end(y: int) -> date:
    """31 March ending the financial year that starts in ``y``."""
    return date(y + 1, 3, 31)


def birthday(dob: date, years: int) -> date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February
        return date(dob.year + years, 3, 1)


@dataclass
class Child:
    cid: str
    dob: date
    sex: str
    ethnic: str
    entry: date
    moves: list[date] = field(default_factory=list)
    exit: date | None = None
    exit_rec: str = ""
    adoption_chain: bool = False
    upn: str = ""
    home: str = ""
    types: dict[date, tuple[str, str, str, str]] = field(default_factory=dict)
    # The date of birth is fixed late: until then it may be anywhere in [lo, hi], so
    # a child can be placed in whichever age group a year's cohorts need.
    lo: date | None = None
    hi: date | None = None

    def narrow(self, lo: date | None = None, hi: date | None = None) -> None:
        if lo is not None:
            self.lo = max(self.lo, lo)
        if hi is not None:
            self.hi = min(self.hi, hi)
        if self.lo > self.hi:
            raise RuntimeError(f"{self.cid}: no date of birth fits")

    def starts(self) -> list[date]:
        return [self.entry, *self.moves]

    def last_start(self) -> date:
        return self.starts()[-1]

    def moves_in(self, lo: date, hi: date) -> int:
        return sum(lo <= m <= hi for m in self.moves)


class Generator:
    def __init__(self, cal: Calibration) -> None:
        self.cal = cal
        self.rng = random.Random(cal.seed)
        self.children: list[Child] = []
        self.short_breaks: list[Child] = []

    # ---- helpers --------------------------------------------------------------------
    def pick(self, table):
        items, weights = zip(*table, strict=True)
        return self.rng.choices(items, weights=weights)[0]

    def day_between(self, lo: date, hi: date) -> date:
        span = (hi - lo).days
        return lo + timedelta(days=self.rng.randint(0, max(span, 0)))

    def inner_days(self, lo: date, hi: date, k: int) -> list[date]:
        """``k`` distinct days strictly inside (lo, hi), never 1 April or 31 March."""
        pool = [lo + timedelta(days=d) for d in range(1, (hi - lo).days)]
        pool = [d for d in pool if (d.month, d.day) not in ((4, 1), (3, 31))]
        if len(pool) < k:
            raise RuntimeError(f"no room for {k} moves between {lo} and {hi}")
        return sorted(self.rng.sample(pool, k))

    def new_child(self, dob: date, entry: date, width: int = 0) -> Child:
        child = Child(
            cid=f"SYN{len(self.children) + 1:06d}",
            dob=dob,
            sex=self.rng.choice("12"),
            ethnic=self.pick(ETHNIC),
            entry=entry,
        )
        child.lo = dob - timedelta(days=width // 2)
        child.hi = min(dob + timedelta(days=width // 2), entry - timedelta(days=1))
        child.lo = min(child.lo, child.hi)
        self.children.append(child)
        return child

    def pin(self, child: Child) -> None:
        """Fix the date of birth inside its allowed range."""
        child.dob = self.day_between(child.lo, child.hi)
        child.lo = child.hi = child.dob

    def entrant_dob(self, entry: date, staying: bool = False) -> date:
        if staying:  # those who stay are mostly young teenagers
            age = self.pick([(0, 10), (2, 10), (7, 15), (13, 65)])
        else:
            age = self.pick([(0, 14), (2, 15), (7, 20), (13, 36), (16, 8)])
        spread = {0: (0, 360), 2: (365, 1800), 7: (1830, 3600), 13: (3660, 5800), 16: (5845, 6500)}
        lo, hi = spread[age]
        return entry - timedelta(days=self.rng.randint(lo, hi))

    def leave(self, child: Child, lo: date, hi: date) -> None:
        """End ``child``'s care on a day in (lo, hi] (or their 18th birthday), maybe moving once."""
        self.pin(child)
        eighteen = birthday(child.dob, 18)
        if eighteen <= hi:
            child.exit, child.exit_rec = max(eighteen, lo + timedelta(days=1)), "E17"
        else:
            child.exit = self.day_between(lo + timedelta(days=2), hi - timedelta(days=1))
            age = (child.exit - child.dob).days / 365.25
            table = [("E4A", 40), ("E41", 8), ("E47", 10), ("E13", 6), ("E8", 8), ("E3", 3)]
            if age < 6:
                table.append(("E11", 25))
            if age > 15:
                table.append(("E5", 10))
            child.exit_rec = self.pick(table)
        start = max(child.last_start(), lo)
        if (child.exit - start).days > 20 and self.rng.random() < 0.2:
            child.moves += self.inner_days(start, child.exit, 1)
        if child.exit_rec == "E11":
            # Adopted only from an adoptive placement (validator rule 390): fostering for
            # adoption that becomes one, which needs time; otherwise the child goes home.
            if (child.exit - child.last_start()).days > 90:
                child.adoption_chain = True
            else:
                child.exit_rec = "E4A"

    # ---- population -----------------------------------------------------------------
    def initial(self) -> None:
        """Children looked after on 31 March 2020, with history back to 2018, and leavers."""
        census = date(2020, 3, 31)
        for _ in range(self.cal.initial_long):  # looked after for a year or more by 31 March 2020
            age = self.pick(AGES_2020)
            dob = census - timedelta(days=365 * age + self.rng.randint(0, 700))
            earliest = max(dob + timedelta(days=20), date(2008, 1, 1))
            if self.rng.random() < LATE_2018:
                earliest = max(earliest, date(2018, 10, 5))
            entry = self.day_between(earliest, date(2019, 3, 20))
            child = self.new_child(dob, entry, WIDTH)
            self.history_moves(child, entry, census)
        for _ in range(self.cal.initial_recent):  # entered during 2019-20
            entry = self.day_between(date(2019, 4, 5), date(2020, 3, 20))
            child = self.new_child(self.entrant_dob(entry, staying=True), entry, WIDTH)
            self.history_moves(child, entry, census)
        t18 = date(census.year - 18, 3, 31)
        for child in list(self.children):
            if child.hi <= t18:
                self.children.remove(child)
            else:
                child.narrow(lo=t18 + timedelta(days=1))
        for year in (2018, 2019):  # children who came and went before April 2020
            for _ in range(self.cal.leavers_before):
                entry = self.day_between(
                    fy_start(year) - timedelta(days=500), fy_end(year) - timedelta(days=40)
                )
                child = self.new_child(self.entrant_dob(entry), entry)
                self.leave(child, max(entry, fy_start(year)), fy_end(year))
        for i, child in enumerate(self.children):
            child.cid = f"SYN{i + 1:06d}"

    def history_moves(self, child: Child, entry: date, census: date) -> None:
        start = entry
        for lo, hi, rates in (
            (entry, date(2018, 3, 31), (0.55, 0.3, 0.15)),
            (date(2018, 4, 1), date(2019, 3, 31), (0.75, 0.17, 0.08)),
            (date(2019, 4, 1), census, (0.72, 0.18, 0.1)),
        ):
            lo = max(lo, start)
            if hi <= lo or (hi - lo).days < 30:
                continue
            k = self.rng.choices((0, 1, 2), weights=rates)[0]
            if k:
                child.moves += self.inner_days(lo, hi, k)
                start = child.moves[-1]

    def year(self, y: int) -> None:
        """Events in the year to 31 March ``y + 1``, making reporting year ``y + 1`` exact."""
        after = timedelta(days=1)
        n, n3, n2, n23, lt, lts = self.cal.targets[y + 1]
        ws, we = fy_start(y), fy_end(y)
        two_back, lt_cut = fy_end(y - 2), date(y - 2, 9, 30)
        t16, t18 = date(y + 1 - 16, 3, 31), date(y + 1 - 18, 3, 31)
        pool = [c for c in self.children if c.exit is None and c.entry <= we]
        must_go = [c for c in pool if c.hi <= t18]
        pool = [c for c in pool if c.hi > t18]
        # The 2-year cohort: looked after on 31 March and on at least one day in the
        # previous year, so every child still looked after from last year is eligible.
        vets = pool
        prev_lo, prev_hi = fy_start(y - 1), fy_end(y - 1)
        m_prev = {c.cid: c.moves_in(prev_lo, prev_hi) for c in vets}
        serial = {c.cid for c in vets if m_prev[c.cid] >= 2}
        can_lt = {c.cid for c in vets if c.entry <= lt_cut and c.hi > t16}
        can_other = {c.cid for c in vets if c.entry > lt_cut or c.lo <= t16}
        eligible = [c for c in vets if c.cid in can_lt]
        # Children who can only be in the long-term group come first.
        eligible.sort(key=lambda c: (c.cid in can_other, c.lo, c.cid))
        settled = [c for c in eligible if c.last_start() <= two_back]
        unsettled = [c for c in eligible if c.last_start() > two_back]
        cap = n23 - 25  # at most this many stayers already moved twice last year
        extra = max(0, lt - lts - len(unsettled))
        chosen_settled = settled[: lts + extra]
        rest = [c for c in unsettled if c.cid not in serial] + [
            c for c in unsettled if c.cid in serial
        ]
        chosen_unsettled = rest[: lt - len(chosen_settled)]
        chosen_lt = chosen_settled + chosen_unsettled
        taken = {c.cid for c in chosen_lt}
        n_serial = sum(c.cid in serial for c in chosen_lt)
        others = [c for c in vets if c.cid in can_other and c.cid not in taken]
        self.rng.shuffle(others)
        next18 = date(y + 2 - 18, 3, 31)
        # Children who might turn 18 this year stay only if no one else can.
        others.sort(key=lambda c: (c.cid in can_lt, c.lo <= t18, c.hi <= next18, c.cid in serial))
        chosen_o = []
        for c in others:
            if len(chosen_o) == n2 - lt:
                break
            if c.cid in serial:
                if n_serial >= cap:
                    continue
                n_serial += 1
            chosen_o.append(c)
        if len(chosen_lt) != lt or len(chosen_o) != n2 - lt or len(chosen_settled) < lts:
            raise RuntimeError(
                f"{y + 1}: cannot pick the cohorts: {len(settled)} settled and "
                f"{len(unsettled)} unsettled possible under-16s, {len(others)} others"
            )
        for c in chosen_lt:
            c.narrow(lo=t16 + after)
        for c in chosen_o:
            c.narrow(lo=t18 + after)
            if c.entry <= lt_cut:
                c.narrow(hi=t16)
        new_n = n - n2  # this year's entrants still looked after on 31 March
        stay_v = chosen_lt + chosen_o
        same = {c.cid for c in chosen_settled[:lts]}
        must_move = {c.cid for c in chosen_lt if c.cid not in same and c.last_start() <= two_back}
        staying = {c.cid for c in stay_v}
        for c in must_go + [c for c in pool if c.cid not in staying]:
            self.leave(c, max(ws, c.last_start()), we)
        newcomers = []
        for _ in range(new_n):
            if self.rng.random() < self.cal.late_entry[y + 1]:
                entry = self.day_between(date(y, 10, 1), we - timedelta(days=25))
            else:
                entry = self.day_between(ws + timedelta(days=3), date(y, 9, 29))
            child = self.new_child(self.entrant_dob(entry, staying=True), entry, WIDTH)
            child.narrow(lo=t18 + after)
            newcomers.append(child)
        for _ in range(self.cal.leavers_in_year):  # entrants who leave within the year
            entry = self.day_between(ws + timedelta(days=2), we - timedelta(days=40))
            child = self.new_child(self.entrant_dob(entry), entry)
            self.leave(child, entry, we)
        # Moves: twice or more (3+ placements), once, or not at all.
        movers_v_serial = [c for c in stay_v if c.cid in serial][: round(0.35 * n3)]
        fresh = [c for c in stay_v if c.cid not in serial and c.cid not in same]
        fresh.sort(key=lambda c: m_prev[c.cid] == 1)  # spare last year's one-move children
        base = sum(c.cid in serial for c in stay_v)
        one_move = sum(m_prev[c.cid] == 1 for c in fresh)
        n_fresh = max(0, round(0.55 * n3) - len(movers_v_serial))
        n_fresh = max(n_fresh, n23 - base - one_move)
        n_fresh = min(n_fresh, n23 - base, n3 - len(movers_v_serial))
        movers_v = movers_v_serial + fresh[:n_fresh]
        fill = n23 - base - n_fresh
        one_before = [c for c in fresh[n_fresh:] if m_prev[c.cid] == 1]
        if fill < 0 or fill > len(one_before):
            raise RuntimeError(
                f"{y + 1}: cannot reach {n23}: base {base}, fresh {n_fresh}, "
                f"fill {fill} of {len(one_before)}"
            )
        n3_new = n3 - len(movers_v)
        twice = {c.cid for c in movers_v + newcomers[:n3_new]}
        once = {c.cid for c in one_before[:fill]}
        no_move = {c.cid for c in one_before[fill:]} | same
        for c in stay_v + newcomers:
            start = max(ws, c.entry)
            if c.cid in twice:
                k = self.rng.choices((2, 3), weights=(4, 1))[0]
            elif c.cid in once or c.cid in must_move:
                k = 1
            elif c.cid in no_move or (c.cid in m_prev and m_prev[c.cid] == 1):
                k = 0
            else:
                k = 1 if self.rng.random() < 0.12 else 0
            if k:
                c.moves += self.inner_days(start, we, k)

    def add_short_breaks(self) -> None:
        """Disabled children on a series of short breaks (LS V3): in no DfE cohort."""
        for _ in range(14):
            dob = self.day_between(date(2006, 1, 1), date(2014, 1, 1))
            child = Child(
                f"SYNSB{len(self.short_breaks) + 1:04d}",
                dob,
                self.rng.choice("12"),
                "WBRI",
                date(2018, 4, 1),
            )
            self.short_breaks.append(child)

    # ---- placement types ------------------------------------------------------------
    def default_type(self, child: Child, start: date) -> tuple[str, str]:
        age = (start - child.dob).days / 365.25
        if age >= 16:
            return self.pick(
                [
                    (("H5", "PR4"), 30),
                    (("U6", "PR1"), 25),
                    (("U6", "PR4"), 20),
                    (("K2", "PR4"), 15),
                    (("U3", "PR1"), 10),
                ]
            )
        table = [
            (("U6", "PR1"), 26),
            (("U4", "PR1"), 12),
            (("U6", "PR4"), 15),
            (("U4", "PR4"), 6),
            (("U3", "PR1"), 10),
            (("U1", "PR1"), 5),
            (("P1", "PR0"), 7),
            (("Z1", "PR1"), 2),
        ]
        if age >= 9:
            table.append((("K2", "PR4"), 14))
        return self.pick(table)

    def current(self, when: date) -> list[tuple[Child, date]]:
        out = []
        for c in self.children:
            if c.entry <= when and (c.exit is None or c.exit > when):
                out.append((c, max(s for s in c.starts() if s <= when)))
        return out

    def assign_types(self) -> None:
        fixed: dict[tuple[str, date], tuple[str, str]] = {}
        for c in self.children:
            if c.adoption_chain:
                fixed[(c.cid, c.last_start())] = ("U5", "PR1")
        for year, quota in sorted(self.cal.snapshots.items(), reverse=True):
            now = self.current(date(year, 3, 31))
            now.sort(key=lambda pair: pair[0].cid)
            self.rng.shuffle(now)
            counts = {"conn": 0, "own": 0, "agency": 0}
            free = []
            for c, start in now:
                key = (c.cid, start)
                if key in fixed:
                    kind = self.kind(fixed[key])
                    if kind in counts:
                        counts[kind] += 1
                else:
                    free.append((c, start))
            for kind, want in quota.items():
                for _ in range(want - counts[kind]):
                    c, start = free.pop()
                    fixed[(c.cid, start)] = self.of_kind(kind, c, start)
            # with the council's own carers counted, the rest that day are not fostered
            kinds = [
                "none" if "own" in quota else self.pick([("own", 60), ("none", 40)]) for _ in free
            ]
            share = self.cal.own_shares.get(year)
            if share is not None and "agency" not in quota:
                # the printed share with the council's own households sets the agencies' part
                fostered = [i for i, kind in enumerate(kinds) if kind == "own"]
                total = counts["own"] + counts["agency"] + quota.get("conn", 0) + len(fostered)
                agency = round((1 - share) * total) - counts["agency"]
                for i in fostered[: max(agency, 0)]:
                    kinds[i] = "agency"
            for (c, start), kind in zip(free, kinds, strict=True):
                fixed[(c.cid, start)] = self.of_kind(kind, c, start)
        for c in self.children:
            c.home = self.postcode()
            before = None
            ends = [*c.starts()[1:], c.exit]
            for start, end in zip(c.starts(), ends, strict=True):
                place, provider = fixed.get((c.cid, start)) or self.default_type(c, start)
                if place in NOT_REGISTERED and (end is None or end >= UNREGULATED_UNTIL):
                    place, provider = "K2", "PR4"
                provider = "" if place in NO_PROVIDER else provider
                this = (place, provider, self.urn(place, provider), self.postcode())
                # A move changes something (rule 435); only a child placed with parents
                # lives at the home postcode (rule 392d).
                while this == before or (this[3] == c.home and place != "P1"):
                    this = (place, provider, this[2], self.postcode())
                c.types[start] = before = this

    @staticmethod
    def kind(pair: tuple[str, str]) -> str:
        place, provider = pair
        if place in ("U1", "U2", "U3"):
            return "conn"
        if place in ("U4", "U5", "U6"):
            return "own" if provider == "PR1" else "agency"
        return "none"

    def of_kind(self, kind: str, child: Child, start: date) -> tuple[str, str]:
        if kind == "conn":
            return self.pick([("U3", 3), ("U1", 2)]), "PR1"
        if kind == "own":
            return self.pick([("U6", 3), ("U4", 2)]), "PR1"
        if kind == "agency":
            return self.pick([("U6", 3), ("U4", 2)]), "PR4"
        age = (start - child.dob).days / 365.25
        if age >= 16:
            return self.pick([(("H5", "PR4"), 5), (("K2", "PR4"), 3), (("P2", "PR4"), 1)])
        if age >= 9:
            return self.pick([(("K2", "PR4"), 6), (("P1", "PR0"), 2), (("K2", "PR1"), 1)])
        return self.pick([(("P1", "PR0"), 5), (("Z1", "PR1"), 1)])

    def urn(self, place: str, provider: str) -> str:
        if place in NO_URN:
            return ""
        if place in NOT_REGISTERED:
            return "XXXXXXX"
        if place in ("K1", "K2"):
            return self.rng.choice(HOME_URNS)
        return OWN_URN if provider == "PR1" else self.rng.choice(AGENCY_URNS)

    def postcode(self) -> str:
        """A real postcode in the council's area (scripts/postcodes/<new_la_code>.txt)."""
        return self.rng.choice(self.cal.postcodes)

    def upn(self, child: Child) -> str:
        """A UPN with a valid check letter: LA number, school, year of issue, serial."""
        school = self.rng.randint(2000, 7999)
        issued = (birthday(child.dob, 4) if child.dob.year > 2000 else date(2005, 9, 1)).year
        serial = int(child.cid[-6:]) % 1000 if child.cid[-6:].isdigit() else 999
        body = f"{self.cal.la_code}{school:04d}{issued % 100:02d}{serial:03d}"
        total = sum(int(d) * w for d, w in zip(body, range(2, 14), strict=True))
        return UPN_LETTERS[total % 23] + body

    # ---- episodes -------------------------------------------------------------------
    def episodes(self, child: Child) -> list[dict]:
        """The child's episodes as rows with real dates (DEC None while open)."""
        home = child.home
        legal = self.pick([("C1", 70), ("V2", 30)])
        if legal == "V2" and any(t[0] == "P1" for t in child.types.values()):
            legal = "C1"  # placed with parents needs a care order (validator rule 378)
        rows = []
        starts = child.starts()
        ends = [*starts[1:], child.exit]
        for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
            place, provider, urn, postcode = child.types[start]
            rows.append(
                self.row(
                    child,
                    start,
                    end,
                    "S" if i == 0 else "P",
                    legal,
                    place,
                    provider,
                    urn,
                    postcode,
                    home,
                )
            )
            if end is not None and i < len(starts) - 1:
                rows[-1]["REASON_PLACE_CHANGE"] = self.pick(REASONS)
        rows[-1]["REC"] = child.exit_rec if child.exit else ""
        if legal == "C1":
            self.legal_change(rows)
        self.temporary(rows)
        if child.adoption_chain:
            self.adoption(rows)
        return rows

    def row(self, child, start, end, rne, legal, place, provider, urn, postcode, home) -> dict:
        return {
            "CHILD": child.cid,
            "DECOM": start,
            "RNE": rne,
            "LS": legal,
            "CIN": "N1",
            "PLACE": place,
            "PLACE_PROVIDER": provider,
            "DEC": end,
            "REC": "X1" if end else "",
            "REASON_PLACE_CHANGE": "",
            "HOME_POST": home,
            "PL_POST": postcode,
            "URN": urn,
        }

    def split(self, rows: list[dict], i: int, day: date, **changes) -> None:
        first = dict(rows[i])
        second = dict(rows[i], DECOM=day, **changes)
        first.update(DEC=day, REC="X1", REASON_PLACE_CHANGE="")
        rows[i : i + 1] = [first, second]

    def legal_change(self, rows: list[dict]) -> None:
        """Interim care order becomes a full care order: a legal-status-only episode (RNE L)."""
        first = rows[0]
        end = first["DEC"] or date(2025, 3, 31)
        if (end - first["DECOM"]).days > 200 and self.rng.random() < 0.7:
            day = first["DECOM"] + timedelta(
                days=self.rng.randint(120, (end - first["DECOM"]).days - 30)
            )
            if (day.month, day.day) in ((4, 1), (3, 31)):
                day += timedelta(days=2)
            self.split(rows, 0, day, RNE="L")
            for later in rows[1:]:
                later["LS"] = "C2"

    def temporary(self, rows: list[dict]) -> None:
        """A short stay away (T1-T4) and back to the same placement: neither is a move."""
        for i in range(len(rows) - 1, -1, -1):
            r = rows[i]
            end = r["DEC"] or date(2025, 3, 31)
            if (end - r["DECOM"]).days < 120 or self.rng.random() > 0.05:
                continue
            away = r["DECOM"] + timedelta(days=self.rng.randint(30, (end - r["DECOM"]).days - 40))
            while (away.month, away.day) in ((3, 31), (4, 1), (3, 30)) or away.month == 3:
                away += timedelta(days=10)
            back = away + timedelta(days=self.rng.randint(3, 14))
            if back >= end - timedelta(days=5):
                continue
            temp = self.pick([("T1", 1), ("T3", 2), ("T4", 1)])
            if rows[i]["PLACE"] == "P1":
                continue  # a foster carer's holiday needs a foster placement
            original = dict(r)
            where = self.postcode()
            while where in (r["HOME_POST"], r["PL_POST"]):
                where = self.postcode()
            self.split(
                rows,
                i,
                away,
                RNE="P",
                PLACE=temp,
                PLACE_PROVIDER="",
                PL_POST=where,
                URN="",
                REASON_PLACE_CHANGE="",
            )
            # No reason for change into or out of a temporary placement (rules 226, 225).
            if temp == "T4":  # seven days or less (rule 379)
                back = min(back, away + timedelta(days=7))
            rows[i + 1]["DEC"], rows[i + 1]["REC"] = back, "X1"
            rows.insert(i + 2, dict(original, DECOM=back, RNE="P"))
            return

    def adoption(self, rows: list[dict]) -> None:
        """Fostering for adoption (U5) becomes placed for adoption (A5), same carers: RNE T."""
        last = rows[-1]
        span = (last["DEC"] - last["DECOM"]).days
        lo = max(
            last["DECOM"] + timedelta(days=30),
            fy_start(last["DEC"].year - (last["DEC"].month < 4)) + timedelta(days=1),
        )
        hi = last["DEC"] - timedelta(days=30)
        if span < 90 or last["RNE"] not in ("S", "P") or last["PLACE"] != "U5" or hi <= lo:
            last["REC"] = "E4A"  # no adoptive placement, so not adopted (rule 390)
            return
        day = self.day_between(lo, hi)
        # Placement order and adoptive placement together: change of legal status and
        # placement type with the same carers (RNE U; a T would need the same legal status).
        rows[-1:] = [
            dict(last, DEC=day, REC="X1", REASON_PLACE_CHANGE="PLACE"),
            dict(last, DECOM=day, RNE="U", PLACE="A5", LS="E1"),
        ]

    def short_break_rows(self, child: Child) -> list[dict]:
        rows = []
        day = date(2018, 4, 10) + timedelta(days=self.rng.randint(0, 20))
        stop = min(date(2025, 3, 20), birthday(child.dob, 18) - timedelta(days=10))
        while day < stop:
            back = day + timedelta(days=self.rng.randint(2, 4))
            rows.append(
                {
                    "CHILD": child.cid,
                    "DECOM": day,
                    "RNE": "S",
                    "LS": "V3",
                    "CIN": "N2",
                    "PLACE": "K2",
                    "PLACE_PROVIDER": "PR1",
                    "DEC": back,
                    "REC": "E8",
                    "REASON_PLACE_CHANGE": "",
                    "HOME_POST": "",
                    "PL_POST": "",
                    "URN": "",
                }
            )
            day = back + timedelta(days=self.rng.randint(25, 40))
        return rows


def fmt(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    os.replace(tmp, path)


def build(cal: Calibration) -> dict[str, str]:
    """The files' names and contents."""
    gen = Generator(cal)
    gen.initial()
    for y in range(2020, LAST + 1):
        gen.year(y)
    for child in gen.children:
        gen.pin(child)
    gen.assign_types()
    gen.add_short_breaks()
    everyone = [(c, gen.episodes(c)) for c in gen.children]
    everyone += [(c, gen.short_break_rows(c)) for c in gen.short_breaks]
    for child, _ in everyone:
        child.upn = gen.upn(child)
    files = {}
    for y in range(FIRST, LAST + 1):
        lo, hi = fy_start(y), fy_end(y)
        label = f"{y}-{(y + 1) % 100:02d}"
        epi, head = io.StringIO(), io.StringIO()
        ew = csv.DictWriter(epi, EPISODE_LAYOUT, lineterminator="\n")
        hw = csv.DictWriter(head, HEADER_LAYOUT, lineterminator="\n")
        ew.writeheader()
        hw.writeheader()
        for child, rows in sorted(everyone, key=lambda pair: pair[0].cid):
            these = [r for r in rows if r["DECOM"] <= hi and (r["DEC"] is None or r["DEC"] >= lo)]
            if not these:
                continue
            for r in these:
                out = dict(r, DECOM=fmt(r["DECOM"]))
                if r["DEC"] is None or r["DEC"] > hi:
                    out.update(DEC="", REC="", REASON_PLACE_CHANGE="")
                else:
                    out["DEC"] = fmt(r["DEC"])
                ew.writerow(out)
            hw.writerow(
                {
                    "CHILD": child.cid,
                    "SEX": NEW_SEX[child.sex] if y >= NEW_SEX_FROM else child.sex,
                    "DOB": fmt(child.dob),
                    "ETHNIC": child.ethnic,
                    "UPN": child.upn,
                    # Whether a girl is a mother: none is (0); blank for boys.
                    "MOTHER": "0" if child.sex == "2" else "",
                    "MC_DOB": "",
                }
            )
        files[f"ssda903_episodes_{label}_SYNTHETIC.csv"] = epi.getvalue()
        files[f"ssda903_header_{label}_SYNTHETIC.csv"] = head.getvalue()
    return files


def check(cal: Calibration, folder: Path) -> list[str]:
    """Differences between the files' indicators and the published figures (empty if none)."""
    from analysis.sources.ssda903.load import read_returns
    from analysis.stability.measures import MEASURES, compute

    returns = read_returns(
        sorted(folder.glob("ssda903_header_*.csv")), sorted(folder.glob("ssda903_episodes_*.csv"))
    )
    table = compute(returns).set_index("year")
    problems = []
    for reporting, target in cal.targets.items():
        label = f"{reporting - 1}-{reporting % 100:02d}"
        got = tuple(int(v) for v in table.loc[label, MEASURES])
        if got != target:
            problems.append(f"{label}: got {got}, published {target}")
    if len(returns.quarantine):
        problems.append(f"{len(returns.quarantine)} rows quarantined")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--council", help="council slug (default: the default council)")
    args = parser.parse_args(argv)
    from analysis.council import config

    cal = calibration(args.council or config.default_slug())
    files = build(cal)
    for name, text in files.items():
        write_atomic(cal.out / name, text)
    problems = check(cal, cal.out)
    for p in problems:
        print("MISMATCH", p, file=sys.stderr)
    print(f"wrote {len(files)} files to {cal.out.relative_to(ROOT)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
