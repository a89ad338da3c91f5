"""Adding next year (issue 11): a system upgrade, declared as data/raw/README.md says.

The latest example year of each extract kind is relabelled to a made-up year far in the
future (dates moved 28 years: the Gregorian calendar repeats, so every weekday, leap day
and interval is unchanged), then changed the way an unannounced upgrade would change it:
renamed and reordered columns, a new column, a new date format, a new category spelling,
a title row above the header and a total row below the data, exported to .xlsx. Only the
declaration the procedure says to add is added; the figures must equal the unchanged file's.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.core.years import FinancialYear
from analysis.council import config
from analysis.recruitment import measures as rec
from analysis.recruitment.load import read_extract
from analysis.retention.load import available_files, read_year

SHIFT = pd.DateOffset(years=28)
LATEST, FUTURE = "2024-25", "2052-53"


@pytest.fixture
def council(tmp_path):
    """The default council with its folder copied, so declarations can be added."""
    la = config.load()
    folder = tmp_path / "councils" / la.slug
    shutil.copytree(la.folder, folder)
    return replace(la, folder=folder)


def declare(council: config.Council, kind: str, text: str) -> None:
    """Step 2 of the procedure: append the year's declaration to the kind's TOML."""
    path = council.layouts / f"{kind}.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


def shifted(text: pd.Series, old: str, new: str) -> pd.Series:
    """Dates written in ``old`` format moved 28 years and written in ``new`` format."""
    dates = pd.to_datetime(text.where(text.ne("")), format=old)
    return (dates + SHIFT).dt.strftime(new).fillna("")


def write_xlsx(frame: pd.DataFrame, path: Path, title: str, total: list) -> None:
    """An export with a title row, the header, the rows (text) and a total row."""
    book = Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        sheet.append([v if v != "" else None for v in values])
    sheet.append(total)
    book.save(path)


def test_recruitment_next_year_after_a_system_upgrade(council, tmp_path):
    source = rec.folder(paths.raw_dir("example")) / f"enquiries_{LATEST}_SYNTHETIC.csv"
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    dates = [c for c in frame.columns if "date" in c.lower() or "start" in c.lower()]
    dates += ["Enquiry received", "EOI date", "Closed date"]
    for column in dict.fromkeys(dates):
        frame[column] = shifted(frame[column], "%Y-%m-%d", "%d-%b-%Y")
    frame["Enquiry source"] = frame["Enquiry source"].replace("website", "Web form")
    assert frame["Enquiry source"].eq("Web form").any()
    frame = frame.rename(columns={"Household ID": "Household reference", "Outcome": "Status"})
    frame.insert(3, "Social worker", "SW")
    frame = frame[list(reversed(frame.columns))]
    target = tmp_path / "recruitment"
    target.mkdir()
    path = target / f"enquiries_{FUTURE}.xlsx"
    write_xlsx(frame, path, "Fostering enquiries export", ["Total", len(frame)])

    with pytest.raises(InputError, match=f"no recruitment layout is declared for {FUTURE}"):
        read_extract(path, FUTURE, council)
    declare(
        council,
        "recruitment",
        f'''["{FUTURE}"]
based_on = "{LATEST}"
date_format = "%d-%b-%Y"
header_row = 2
skip_rows = ["Total"]
ignore_columns = ["Social worker"]
["{FUTURE}".columns]
"Household reference" = "household_id"
"Status" = "outcome"
["{FUTURE}".values.channel]
"Web form" = "Website"
''',
    )
    upgraded = read_extract(path, FUTURE, council)
    before = read_extract(source, LATEST, config.load())
    assert upgraded.read == before.read and len(upgraded.quarantined) == len(before.quarantined)
    assert list(upgraded.clean["source_row"]) == [r + 1 for r in before.clean["source_row"]]
    for column in ["enquiry_date", "stage1_date", "approval_date", "exit_date"]:
        pd.testing.assert_series_equal(upgraded.clean[column] - SHIFT, before.clean[column])
    for column in ["household_id", "outcome", "exit_stage", "exit_reason", "channel"]:
        pd.testing.assert_series_equal(upgraded.clean[column], before.clean[column])
    assert (
        rec.period_counts(upgraded.clean, FUTURE).tolist()
        == rec.period_counts(before.clean, LATEST).tolist()
    )
    assert rec.stage_durations(upgraded.clean, FUTURE).equals(
        rec.stage_durations(before.clean, LATEST)
    )


def test_retention_next_year_after_a_system_upgrade(council, tmp_path):
    source = available_files(paths.raw_dir("example"))[LATEST]
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    for column in ("approved_on", "deregistered_on"):
        frame[column] = shifted(frame[column], "%Y-%m-%d", "%d/%m/%Y")
    frame["carer_type"] = frame["carer_type"].replace("Mainstream", "Mainstream carer")
    frame = frame.rename(columns={"carer_type": "household_category", "transfer_in": "tx_in"})
    frame["link_worker"] = "LW"
    frame = frame[sorted(frame.columns)]
    target = tmp_path / "retention"
    target.mkdir()
    path = target / f"household_register_{FUTURE}.xlsx"
    write_xlsx(frame, path, "Household register at 31 March", ["Total households", len(frame)])
    future = FinancialYear.parse(FUTURE)

    with pytest.raises(InputError, match=f"no retention layout is declared for {FUTURE}"):
        read_year(path, future, council)
    declare(
        council,
        "retention",
        f'''["{FUTURE}"]
based_on = "{LATEST}"
date_format = "%d/%m/%Y"
header_row = 2
skip_rows = ["Total"]
ignore_columns = ["link_worker"]
["{FUTURE}".columns]
"household_category" = "household_type"
"tx_in" = "transferred_in"
["{FUTURE}".values.household_type]
"Mainstream carer" = "mainstream"
''',
    )
    clean, held, read, other = read_year(path, future, council)
    base, base_held, base_read, _ = read_year(source, FinancialYear.parse(LATEST), config.load())
    assert (read, len(held), len(clean)) == (base_read, len(base_held), len(base))
    assert other.empty
    for column in ("approval_date", "deregistration_date"):
        pd.testing.assert_series_equal(clean[column] - SHIFT, base[column])
    same = ["household_id", "household_type", "reason", "transferred_in", "approved_places"]
    same += ["filled_places", "vacant_places", "unavailable_places", "unavailable_reason"]
    pd.testing.assert_frame_equal(clean[same], base[same])
    counts = clean.groupby("household_type")["filled_places"].sum()
    assert counts.equals(base.groupby("household_type")["filled_places"].sum())


def test_a_bad_declaration_key_is_named(council, tmp_path):
    declare(council, "retention", f'["{FUTURE}"]\nbased_on = "{LATEST}"\nheader = 2\n')
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n")
    with pytest.raises(InputError) as caught:
        read_year(path, FinancialYear.parse(FUTURE), council)
    text = str(caught.value)
    assert (
        text.startswith(
            "councils/coventry/layouts/retention.toml, column 'header': unknown key 'header' in "
            f'["{FUTURE}"]'
        )
        or "retention.toml, column 'header': unknown key 'header'" in text
    )
    assert "known keys: based_on, columns, ignore_columns, date_format" in text
