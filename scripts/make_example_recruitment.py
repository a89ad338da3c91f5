"""Write the SYNTHETIC example enquiry extracts, 2018-19 to 2024-25.

    python scripts/make_example_recruitment.py [--out FOLDER]

Real enquiry extracts are personal data, so the repository ships a stand-in that
describes no real person. The generator builds one history per enquiring household
(enquiry, expression of interest, stage 1, stage 2, panel, approval or exit) so that
the number of events dated in each financial year equals the mainstream recruitment
funnel the council published (annual reports 2022/23 and 2024/25), then writes one
file per year in that year's layout, drifting the way real extracts do.

Everything is drawn from one seeded generator, written in a fixed order, with fixed
timestamps inside the .xlsx, so running this again reproduces every file byte for
byte (tests/recruitment/test_recruitment_example.py checks). The choices made here are listed in
docs/assumptions.md, section "Recruitment drop-off".
"""

from __future__ import annotations

import argparse
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from analysis.core import paths
from analysis.council import config
from analysis.council.config import Council
from analysis.sources.published import load as published

SEED = 20250331

# Financial years written out; 2017-18 is a warm-up year (never written) so that the
# first written year has people already part-way through the funnel.
WARM_UP = 2017
YEARS = list(range(2018, 2025))

# Published mainstream funnel: events dated in each financial year. Sources:
# Fostering Annual Report 2022/23 (2018/19-2022/23) and 2024/25 (2020/21-2024/25).
# Expressions of interest were not recorded before 2020/21; the values for 2017-18 to
# 2019-20 are invented (the events happened, the system did not keep them).
# Panel counts: 20 (2021/22) and 17 (2022/23) Form F applications are published; the
# other years are invented, near the approvals. The 2017-18 column is invented.
TARGETS = {
    "enquiry": [760, 815, 609, 552, 504, 709, 372, 511],
    "eoi": [190, 205, 150, 156, 52, 48, 42, 42],
    "stage1": [140, 151, 91, 83, 42, 37, 27, 35],
    "stage2": [56, 58, 58, 64, 42, 35, 27, 33],
    "panel": [30, 34, 22, 24, 20, 17, 18, 21],
    "approval": [28, 33, 21, 23, 20, 16, 17, 20],
}
STAGES = list(TARGETS)
# Days from the previous stage: (median, log-spread, shortest, longest). Medians sum to
# about ten months from enquiry to approval, with a long tail (see assumptions).
LAGS = {
    "eoi": (21, 0.9, 1, 365),
    "stage1": (42, 0.7, 7, 450),
    "stage2": (95, 0.55, 28, 540),
    "panel": (150, 0.5, 50, 640),
    "approval": (14, 0.45, 3, 60),
}
# Days from the last stage reached to the record being closed, for those who leave.
EXIT_LAGS = {
    "enquiry": (30, 0.8),
    "eoi": (45, 0.7),
    "stage1": (60, 0.6),
    "stage2": (75, 0.6),
    "panel": (14, 0.4),
}

# Channel mix of enquiries by year (share of all enquiries) and each channel's relative
# chance of passing each later stage. Digital marketing declines; by 2024-25 most
# enquiries come from foster carer referrals and events (2024/25 report, section 4).
CHANNELS = ["Website", "Social media", "Event", "Foster carer referral", "Other", "Transfer"]
CHANNEL_MIX = {
    2017: [0.36, 0.34, 0.10, 0.10, 0.09, 0.01],
    2018: [0.35, 0.35, 0.10, 0.10, 0.09, 0.01],
    2019: [0.34, 0.34, 0.10, 0.12, 0.09, 0.01],
    2020: [0.36, 0.38, 0.04, 0.12, 0.09, 0.01],
    2021: [0.32, 0.32, 0.10, 0.16, 0.09, 0.01],
    2022: [0.28, 0.28, 0.16, 0.18, 0.09, 0.01],
    2023: [0.22, 0.18, 0.24, 0.27, 0.08, 0.01],
    2024: [0.17, 0.14, 0.28, 0.32, 0.08, 0.01],
}
CHANNEL_PASS = [1.0, 0.75, 1.15, 1.45, 0.95, 1.0]
# How each year's file names the channel.
CHANNEL_TEXT = {
    "old": [
        "Website",
        "Facebook/Social Media",
        "Event",
        "Word of mouth (carer)",
        "Other",
        "Transfer from IFA",
    ],
    "new": ["website", "social_media", "event", "carer_referral", "other", "agency_transfer"],
}

# Reasons for leaving, by the stage left: (service's reason, Ofsted AW code, weight); no
# code for a closure the service decided (outcome "not progressed").
REASONS = {
    "enquiry": [
        ("No response to follow-up contact", "AW0", 34),
        ("Only wanted information", "AW0", 20),
        ("Not the right time", "AW0", 15),
        ("No spare bedroom", None, 12),
        ("Change in circumstances", "AW3", 8),
        ("Chose another fostering service", "AW0", 6),
        ("Allowances lower than expected", "AW4", 5),
    ],
    "eoi": [
        ("No response to follow-up contact", "AW0", 14),
        ("Not the right time", "AW0", 18),
        ("Change in circumstances", "AW3", 14),
        ("Chose another fostering service", "AW0", 15),
        ("Delay in contact from the service", "AW2", 14),
        ("Allowances lower than expected", "AW4", 12),
        ("No spare bedroom", None, 13),
    ],
    "stage1": [
        ("Change in circumstances", "AW3", 18),
        ("Health", "AW3", 10),
        ("Length of assessment", "AW2", 16),
        ("Intrusiveness of assessment", "AW2", 8),
        ("Chose another fostering service", "AW0", 12),
        ("Unsuitable: checks and references", None, 16),
        ("Not the right time", "AW0", 10),
        ("Allowances lower than expected", "AW4", 10),
    ],
    "stage2": [
        ("Length of assessment", "AW2", 22),
        ("Change in circumstances", "AW3", 20),
        ("Health", "AW3", 10),
        ("Unsuitable: assessment findings", None, 20),
        ("Chose another fostering service", "AW0", 10),
        ("Impact on own children", "AW1", 18),
    ],
    "panel": [("Not recommended for approval", None, 1)],
}
# How staff typed each reason: the first spelling is the usual one.
SPELLINGS = {
    "No response to follow-up contact": [
        "No response to follow-up contact",
        "no response to follow up",
        "No contact - NFA",
    ],
    "Only wanted information": ["Only wanted information", "info only", "Information only"],
    "Not the right time": ["Not the right time", "not right time", "Not the right time now"],
    "No spare bedroom": ["No spare bedroom", "no spare room", "No spare bed room"],
    "Change in circumstances": [
        "Change in circumstances",
        "change of circumstances",
        "Change in circs",
    ],
    "Chose another fostering service": [
        "Chose another fostering service",
        "Gone with IFA",
        "went to another agency",
    ],
    "Allowances lower than expected": [
        "Allowances lower than expected",
        "Finances / allowances",
        "allowance too low",
    ],
    "Delay in contact from the service": [
        "Delay in contact from the service",
        "delay in contact",
        "Not contacted in time",
    ],
    "Health": ["Health", "health reasons", "Health issues"],
    "Length of assessment": [
        "Length of assessment",
        "length of assesment",
        "Assessment taking too long",
    ],
    "Intrusiveness of assessment": [
        "Intrusiveness of assessment",
        "Too intrusive",
        "intrusive assessment",
    ],
    "Unsuitable: checks and references": [
        "Unsuitable: checks and references",
        "Checks/references not satisfactory",
        "unsuitable - checks",
    ],
    "Unsuitable: assessment findings": [
        "Unsuitable: assessment findings",
        "Negative assessment",
        "unsuitable - assessment",
    ],
    "Impact on own children": [
        "Impact on own children",
        "impact on birth children",
        "Concern re own children",
    ],
    "Not recommended for approval": [
        "Not recommended for approval",
        "Panel - not recommended",
        "ADM not approved",
    ],
}

# Ethnic group of the main applicant (ONS five groups). Minority-ethnic enquirers are
# about 30%; their relative chance of passing each stage is set so that the approved
# are near the 17% the 2022/23 report gives for approved carers.
MINORITY = [
    "Asian or Asian British",
    "Black or Black British",
    "Mixed or multiple",
    "Other ethnic group",
]
MINORITY_MIX = [0.45, 0.32, 0.15, 0.08]
MINORITY_SHARE_ENQUIRERS = 0.30
MINORITY_SHARE_APPROVED = 0.17
ETHNIC_TEXT = {
    "old": {
        "White": "White British",
        "Asian or Asian British": "Asian",
        "Black or Black British": "Black",
        "Mixed or multiple": "Mixed",
        "Other ethnic group": "Other",
        "Not known": "Not stated",
    },
    "new": {
        "White": "White",
        "Asian or Asian British": "Asian or Asian British",
        "Black or Black British": "Black or Black British",
        "Mixed or multiple": "Mixed or Multiple ethnic groups",
        "Other ethnic group": "Other ethnic group",
        "Not known": "Not known",
    },
}
COUPLE_SHARE_ENQUIRERS = 0.48
COUPLE_PASS = 1.12
# Approvals each year that transferred from another fostering agency; 2022-23's six
# are published, the rest invented.
TRANSFERS = {2017: 2, 2018: 3, 2019: 2, 2020: 2, 2021: 3, 2022: 6, 2023: 3, 2024: 4}


@dataclass(frozen=True)
class Layout:
    """How one year's file is delivered."""

    columns: dict[str, str]  # schema name -> header in the file
    date_format: str
    excel: bool = False
    words: str = "new"  # vocabulary of codes and categories


OLD = {
    "household_id": "Ref",
    "enquiry_date": "Enquiry Date",
    "stage1_date": "Stage 1 Start",
    "stage2_date": "Stage 2 Start",
    "panel_date": "Panel Date",
    "approval_date": "Approval Date",
    "exit_date": "Closure Date",
    "outcome": "Status",
    "exit_stage": "Closed At Stage",
    "exit_reason_code": "Withdrawal Code",
    "exit_reason": "Withdrawal Reason",
    "channel": "Source",
    "household_type": "Applicant Type",
    "ethnic_group": "Ethnicity",
}
MIDDLE = {
    "household_id": "household_ref",
    "enquiry_date": "date_of_enquiry",
    "eoi_date": "eoi_received",
    "stage1_date": "stage_1_start",
    "stage2_date": "stage_2_start",
    "panel_date": "panel_date",
    "approval_date": "approval_date",
    "exit_date": "date_closed",
    "outcome": "outcome",
    "exit_stage": "stage_at_exit",
    "exit_reason_code": "ofsted_reason_code",
    "exit_reason": "reason_detail",
    "channel": "how_heard",
    "household_type": "household_type",
    "ethnic_group": "ethnicity",
}
NEW = {
    "household_id": "Household ID",
    "enquiry_date": "Enquiry received",
    "eoi_date": "EOI date",
    "stage1_date": "Stage One start",
    "stage2_date": "Stage Two start",
    "panel_date": "Panel date",
    "approval_date": "ADM approval date",
    "exit_date": "Closed date",
    "outcome": "Outcome",
    "exit_stage": "Stage left",
    "exit_reason_code": "Ofsted code",
    "exit_reason": "Reason (detail)",
    "channel": "Enquiry source",
    "household_type": "Household",
    "ethnic_group": "Ethnic group (main applicant)",
}
LAYOUTS = {
    2018: Layout(OLD, "%d/%m/%Y", words="old"),
    2019: Layout(OLD, "%d/%m/%Y", words="old"),
    2020: Layout(MIDDLE, "%Y-%m-%d"),
    2021: Layout(MIDDLE, "%Y-%m-%d", excel=True),
    2022: Layout(NEW, "%d/%m/%Y"),
    2023: Layout(NEW, "%Y-%m-%d"),
    2024: Layout(NEW, "%Y-%m-%d"),
}
OUTCOME_TEXT = {
    "old": {
        "approved": "Approved",
        "withdrew": "Withdrawn",
        "not progressed": "Closed - not progressed",
        "in progress": "Open",
    },
    "new": {
        "approved": "approved",
        "withdrew": "withdrew",
        "not progressed": "not_progressed",
        "in progress": "in_progress",
    },
}
STAGE_TEXT = {
    "old": {
        "enquiry": "Enquiry",
        "eoi": "Enquiry",
        "stage1": "Stage 1",
        "stage2": "Stage 2",
        "panel": "Panel",
    },
    "new": {
        "enquiry": "enquiry",
        "eoi": "eoi",
        "stage1": "stage_1",
        "stage2": "stage_2",
        "panel": "panel",
    },
}
HOUSEHOLD_TEXT = {
    "old": {"single": "Single applicant", "couple": "Joint applicants"},
    "new": {"single": "single", "couple": "couple"},
}
EOI_RECORDED_FROM = date(2020, 4, 1)
# Test records the system administrator left in two extracts: they are not households
# and the cleaning must set them aside.
TEST_RECORDS = {2022: "TEST-RECORD", 2024: "H00000X"}


def fy_start(year: int) -> date:
    return date(year, 4, 1)


def fy_end(year: int) -> date:
    return date(year + 1, 3, 31)


def truncated_lognormal(
    rng: np.random.Generator, median: float, spread: float, low: float, high: float
) -> float:
    """One draw from a log-normal with this median, limited to [low, high] days."""
    from statistics import NormalDist

    dist = NormalDist(np.log(median), spread)
    lo = dist.cdf(np.log(max(low, 0.5)))
    hi = dist.cdf(np.log(high))
    return float(np.exp(dist.inv_cdf(lo + (hi - lo) * rng.uniform(0.0001, 0.9999))))


def window_weight(median: float, spread: float, low: float, high: float) -> float:
    """Probability that a log-normal lag falls in [low, high] days."""
    from statistics import NormalDist

    if high < max(low, 0.5):
        return 0.0
    dist = NormalDist(np.log(median), spread)
    return dist.cdf(np.log(high)) - dist.cdf(np.log(max(low, 0.5)))


def enquiry_dates(rng: np.random.Generator, year: int, n: int) -> list[date]:
    """``n`` enquiry dates in the year, busier in January and September."""
    days = [fy_start(year) + timedelta(d) for d in range((fy_end(year) - fy_start(year)).days + 1)]
    weight = np.array([1.3 if d.month in (1, 9) else 0.85 if d.month == 12 else 1.0 for d in days])
    picks = rng.choice(len(days), size=n, replace=True, p=weight / weight.sum())
    return sorted(days[i] for i in picks)


def progress(rng: np.random.Generator, dates: dict[str, list], stage: str, prev: str) -> None:
    """Choose who reaches ``stage`` in each year, so the yearly count is the target exactly."""
    median, spread, shortest, longest = LAGS[stage]
    for k, year in enumerate([WARM_UP, *YEARS]):
        need = TARGETS[stage][k]
        start, end = fy_start(year), fy_end(year)
        pool = [
            i
            for i, d in enumerate(dates[prev])
            if d is not None and dates[stage][i] is None and d <= end
        ]
        weights = np.array(
            [
                window_weight(
                    median,
                    spread,
                    max(shortest, (start - dates[prev][i]).days),
                    min(longest, (end - dates[prev][i]).days),
                )
                for i in pool
            ]
        )
        if (weights > 0).sum() < need:
            raise RuntimeError(f"cannot place {need} {stage} events in {year}")
        chosen = rng.choice(pool, size=need, replace=False, p=weights / weights.sum())
        for i in sorted(int(c) for c in chosen):
            before = dates[prev][i]
            low = max(shortest, (start - before).days)
            high = min(longest, (end - before).days)
            lag = round(truncated_lognormal(rng, median, spread, low, high))
            dates[stage][i] = before + timedelta(min(max(lag, low), high))


def build_histories(rng: np.random.Generator) -> pd.DataFrame:
    """One row per household: its dates, how it ended, and who it is."""
    enquiries = [
        d
        for k, y in enumerate([WARM_UP, *YEARS])
        for d in enquiry_dates(rng, y, TARGETS["enquiry"][k])
    ]
    n = len(enquiries)
    dates: dict[str, list] = {s: [None] * n for s in STAGES}
    dates["enquiry"] = enquiries
    for prev, stage in pairwise(STAGES):
        progress(rng, dates, stage, prev)
    frame = pd.DataFrame(dates)
    depth = frame[STAGES].notna().sum(axis=1) - 1  # stages passed after enquiry
    frame["enquiry_year"] = [d.year if d.month >= 4 else d.year - 1 for d in enquiries]

    last = frame[STAGES].apply(lambda r: [s for s in STAGES if r[s] is not None][-1], axis=1)
    frame["last_stage"] = last
    exit_dates, reasons, codes = [], [], []
    for i in range(n):
        stage = last[i]
        if stage == "approval":
            exit_dates.append(None)
            reasons.append(None)
            codes.append(None)
            continue
        median, spread = EXIT_LAGS[stage]
        lag = round(truncated_lognormal(rng, median, spread, 1, 730))
        exit_dates.append(frame.at[i, stage] + timedelta(lag))
        options = REASONS[stage]
        w = np.array([o[2] for o in options], dtype=float)
        reason, code, _ = options[rng.choice(len(options), p=w / w.sum())]
        reasons.append(reason)
        codes.append(code)
    frame["exit_date"] = exit_dates
    frame["reason"] = reasons
    frame["code"] = codes

    # Channel: the year's mix, tilted by how well each channel converts.
    channel = []
    for i in range(n):
        mix = np.array([*CHANNEL_MIX[frame.at[i, "enquiry_year"]][:5], 0.0])
        tilt = np.array(CHANNEL_PASS) ** depth[i]
        p = mix * tilt
        channel.append(CHANNELS[rng.choice(len(CHANNELS), p=p / p.sum())])
    frame["channel"] = channel
    # Transfers from other agencies: the quickest approvals of the year.
    approved = frame[frame["approval"].notna()].copy()
    approved["approval_year"] = [
        d.year if d.month >= 4 else d.year - 1 for d in approved["approval"]
    ]
    approved["days"] = [
        (a - e).days for a, e in zip(approved["approval"], approved["enquiry"], strict=True)
    ]
    for year, group in approved.groupby("approval_year"):
        quickest = group.sort_values("days", kind="stable").index[: TRANSFERS[int(year)]]
        frame.loc[quickest, "channel"] = "Transfer"
    # A few transfer enquiries that did not get far.
    early = frame.index[(depth <= 1) & (frame["channel"] != "Transfer")]
    frame.loc[rng.choice(early, size=int(0.01 * len(early)), replace=False), "channel"] = "Transfer"

    # Household type and ethnicity, tilted by how far the household got.
    p_couple = [
        COUPLE_SHARE_ENQUIRERS
        * COUPLE_PASS**d
        / (COUPLE_SHARE_ENQUIRERS * COUPLE_PASS**d + (1 - COUPLE_SHARE_ENQUIRERS))
        for d in depth
    ]
    frame["household_type"] = np.where(rng.uniform(size=n) < p_couple, "couple", "single")
    odds = MINORITY_SHARE_ENQUIRERS / (1 - MINORITY_SHARE_ENQUIRERS)
    step = ((MINORITY_SHARE_APPROVED / (1 - MINORITY_SHARE_APPROVED)) / odds) ** (1 / 5)
    p_minority = [odds * step**d / (1 + odds * step**d) for d in depth]
    minority = rng.uniform(size=n) < p_minority
    group = [MINORITY[rng.choice(4, p=MINORITY_MIX)] if m else "White" for m in minority]
    unknown = rng.uniform(size=n) < np.where(depth == 0, 0.15, 0.02)
    frame["ethnic_group"] = np.where(unknown, "Not known", group)
    # Approved households: exactly 17% (rounded) minority ethnic in every year.
    for _, chosen in approved.groupby("approval_year"):
        want = round(MINORITY_SHARE_APPROVED * len(chosen))
        order = rng.permutation(chosen.index.to_numpy())
        for k, i in enumerate(order):
            frame.at[i, "ethnic_group"] = (
                MINORITY[rng.choice(4, p=MINORITY_MIX)] if k < want else "White"
            )

    ids = rng.choice(np.arange(100000, 1000000), size=n, replace=False)
    frame["household_id"] = [f"H{i:06d}" for i in ids]
    frame["spelling"] = [
        None if r is None else SPELLINGS[r][rng.choice(3, p=[0.6, 0.25, 0.15])]
        for r in frame["reason"]
    ]
    return frame


def status_at(row: pd.Series, census: date) -> tuple[str, str | None]:
    """The household's outcome and the stage it left at, as the system showed on ``census``."""
    if row["approval"] is not None and row["approval"] <= census:
        return "approved", None
    if row["exit_date"] is not None and row["exit_date"] <= census:
        outcome = "not progressed" if row["code"] is None else "withdrew"
        return outcome, row["last_stage"]
    return "in progress", None


def extract(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """The year's extract: every household with an event dated in the year, as at 31 March."""
    start, end = fy_start(year), fy_end(year)
    layout = LAYOUTS[year]
    words = layout.words
    rows = []
    for _, h in frame.iterrows():
        events = [h[s] for s in STAGES] + [h["exit_date"]]
        if not any(e is not None and start <= e <= end for e in events):
            continue
        outcome, left = status_at(h, end)

        def seen(d: date | None) -> date | None:
            return d if d is not None and d <= end else None

        closed = outcome in ("withdrew", "not progressed")
        eoi = seen(h["eoi"])
        if eoi is not None and eoi < EOI_RECORDED_FROM:
            eoi = None
        record = {
            "household_id": h["household_id"],
            "enquiry_date": h["enquiry"],
            "eoi_date": eoi,
            "stage1_date": seen(h["stage1"]),
            "stage2_date": seen(h["stage2"]),
            "panel_date": seen(h["panel"]),
            "approval_date": seen(h["approval"]),
            "exit_date": h["exit_date"] if closed else None,
            "outcome": OUTCOME_TEXT[words][outcome],
            "exit_stage": STAGE_TEXT[words][left] if closed else None,
            "exit_reason_code": h["code"] if closed else None,
            "exit_reason": h["spelling"] if closed else None,
            "channel": CHANNEL_TEXT[words][CHANNELS.index(h["channel"])],
            "household_type": HOUSEHOLD_TEXT[words][h["household_type"]],
            "ethnic_group": ETHNIC_TEXT[words][h["ethnic_group"]],
        }
        rows.append(record)
    out = pd.DataFrame(rows).sort_values(["enquiry_date", "household_id"], kind="stable")
    if year in TEST_RECORDS:
        test = dict.fromkeys(out.columns)
        test.update(
            household_id=TEST_RECORDS[year],
            enquiry_date=start + timedelta(days=40),
            outcome=OUTCOME_TEXT[words]["in progress"],
            channel=CHANNEL_TEXT[words][0],
            household_type=HOUSEHOLD_TEXT[words]["single"],
            ethnic_group=ETHNIC_TEXT[words]["Not known"],
        )
        out = pd.concat([out.iloc[:100], pd.DataFrame([test]), out.iloc[100:]])
    keep = [c for c in layout.columns if c in out.columns]
    return out[keep].rename(columns=layout.columns).reset_index(drop=True)


def write_csv(frame: pd.DataFrame, layout: Layout, path: Path) -> None:
    text = frame.copy()
    for column in text.columns:
        if text[column].map(lambda v: isinstance(v, date)).any():
            text[column] = text[column].map(
                lambda v: v.strftime(layout.date_format) if isinstance(v, date) else ""
            )
    path.write_bytes(text.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def write_xlsx(frame: pd.DataFrame, year: int, path: Path) -> None:
    """An .xlsx with a title row above the header, with fixed timestamps throughout."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Enquiries"
    sheet.append(
        [f"SYNTHETIC EXAMPLE - Fostering enquiries {year}/{(year + 1) % 100:02d} - not real people"]
    )
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(
            [
                None
                if v is None or (isinstance(v, float) and np.isnan(v))
                else datetime(v.year, v.month, v.day)
                if isinstance(v, date)
                else v
                for v in row
            ]
        )
    for cells in sheet.iter_rows(min_row=3):
        for cell in cells:
            if isinstance(cell.value, datetime):
                cell.number_format = "dd/mm/yyyy"
    fixed = datetime(year + 1, 4, 1)
    stamp = fixed.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    book.properties.created = fixed
    book.properties.modified = fixed
    book.properties.creator = "make_example_recruitment.py"
    raw = io.BytesIO()
    book.save(raw)
    # Re-pack the zip with a fixed date on every member so the bytes never change.
    repacked = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(repacked, "w") as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(year + 1, 4, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            body = src.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps the save time
                body = re.sub(
                    rb"<dcterms:modified([^>]*)>[^<]*<",
                    rb"<dcterms:modified\1>" + stamp + b"<",
                    body,
                )
            dst.writestr(info, body)
    path.write_bytes(repacked.getvalue())


def check_targets(council: Council) -> None:
    """Stop unless the funnel targets above equal every funnel figure the council published
    (read through the published-figures loader): the constants only fill unpublished years."""
    figures = published.load_all(council.published)
    measures = {
        "enquiry": "initial_enquiries",
        "eoi": "expressions_of_interest",
        "stage1": "stage1_started",
        "stage2": "stage2_started",
        "approval": "households_approved",
    }
    for stage, measure in measures.items():
        for year, target in zip([WARM_UP, *YEARS], TARGETS[stage], strict=True):
            label = f"{year}-{(year + 1) % 100:02d}"
            hit = published.select(figures, measure, label, table=published.FUNNEL_TABLE)
            if not hit.empty and hit["number"].nunique() == 1 and hit["number"].iloc[0] != target:
                raise SystemExit(
                    f"{council.slug}: published {measure} {label} is "
                    f"{hit['number'].iloc[0]:g}, the generator's target {target}"
                )


def file_name(year: int) -> str:
    suffix = "xlsx" if LAYOUTS[year].excel else "csv"
    return f"enquiries_{year}-{(year + 1) % 100:02d}_SYNTHETIC.{suffix}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the synthetic enquiry extracts.")
    parser.add_argument("--council", help="council slug (default: the default council)")
    parser.add_argument("--out", type=Path, help="folder (default: the council's example folder)")
    args = parser.parse_args(argv)
    council = config.load(args.council)
    out = args.out or paths.raw_dir("example", council.slug) / "recruitment"
    check_targets(council)
    rng = np.random.default_rng(SEED)
    frame = build_histories(rng)
    out.mkdir(parents=True, exist_ok=True)
    for year in YEARS:
        table = extract(frame, year)
        path = out / file_name(year)
        if LAYOUTS[year].excel:
            write_xlsx(table, year, path)
        else:
            write_csv(table, LAYOUTS[year], path)
        print(f"wrote {path}: {len(table)} rows")


if __name__ == "__main__":
    main()
