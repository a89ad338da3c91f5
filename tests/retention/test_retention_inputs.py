"""Register files that are wrong as a whole stop naming the file; implausible dates are
rows set aside with their reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.core.years import FinancialYear
from analysis.council import config
from analysis.retention.load import available_files, read_year

COUNCIL = config.load("coventry")
FILES = available_files(paths.raw_dir("example", "coventry"))
YEAR = FinancialYear.parse("2024-25")
NAME = "household_register_2024-25.csv"


def register() -> pd.DataFrame:
    return pd.read_csv(FILES["2024-25"], dtype=str, keep_default_na=False)


def refusal(path: Path) -> str:
    """The message with which reading the register ``path`` for 2024-25 stops."""
    with pytest.raises(InputError) as caught:
        read_year(path, YEAR, COUNCIL)
    return str(caught.value)


def test_last_years_register_under_this_years_name_stops(tmp_path):
    path = shutil.copy(FILES["2023-24"], tmp_path / NAME)
    assert refusal(path).startswith(
        f"{NAME}: no approval or deregistration in the file is dated in 2024-25, the year its "
        "name gives (the latest date falls in 2023-24): is it another year's register?"
    )


def test_a_register_that_is_only_a_header_stops(tmp_path):
    path = tmp_path / NAME
    path.write_text(FILES["2024-25"].read_text(encoding="utf-8").splitlines()[0] + "\n")
    with pytest.raises(InputError, match=rf"^{NAME}: the file has a header but no rows$"):
        read_year(path, YEAR, COUNCIL)


def test_a_header_differing_from_the_declaration_only_in_case_is_refused(tmp_path):
    path = tmp_path / NAME
    register().rename(columns={"approved_on": "Approved_On"}).to_csv(path, index=False)
    assert refusal(path).startswith(
        f"{NAME}, column 'Approved_On': header 'Approved_On' differs only in case from "
        "'approved_on', declared for 2024-25 (the 'approval_date' column)"
    )


def test_leavers_mostly_without_a_reason_stop_though_most_households_stayed(tmp_path):
    """A new export that lost the deregistration reasons: every leaver would be set aside
    (and no one counted as ceasing to foster) while most of the register passes."""
    frame = register()
    leavers = frame["deregistered_on"].ne("")
    frame.loc[leavers, "reason_for_leaving"] = ""
    frame.to_csv(tmp_path / NAME, index=False)
    first = int(frame.index[leavers][0]) + 2
    assert refusal(tmp_path / NAME).startswith(
        f"{NAME}, row {first}, column 'reason': {leavers.sum()} of {leavers.sum()} rows that "
        "fill 'reason' fail the same check (deregistered (a leaver) with no reason recorded)"
    )
    assert leavers.sum() < len(frame) / 2


def test_an_approval_in_1850_and_a_deregistration_in_the_future_are_set_aside(tmp_path):
    frame = register()
    frame.loc[0, "approved_on"] = "1850-02-04"
    leaver = frame.index[frame["deregistered_on"].ne("")][0]
    frame.loc[leaver, "deregistered_on"] = "2026-01-10"
    frame.to_csv(tmp_path / NAME, index=False)
    clean, held, read, _ = read_year(tmp_path / NAME, YEAR, COUNCIL)
    assert read == len(frame) and len(clean) == len(frame) - 2
    reasons = held.set_index("source_row")["reason"]
    assert reasons[2] == "approved before 1900: not a plausible date"
    assert reasons[leaver + 2] == "deregistered after the extract's 31 March: a date in the future"


def test_a_register_mostly_in_another_date_format_stops_naming_the_pattern(tmp_path):
    frame = register()
    day = pd.to_datetime(frame["approved_on"], format="%Y-%m-%d")
    frame["approved_on"] = day.dt.strftime("%d.%m.%Y")
    frame.loc[:4, "approved_on"] = day[:5].dt.strftime("%Y-%m-%d")
    frame.to_csv(tmp_path / NAME, index=False)
    with pytest.raises(InputError) as caught:
        read_year(tmp_path / NAME, YEAR, COUNCIL)
    text = str(caught.value)
    assert text.startswith(f"{NAME}, row 7, column 'approved_on', value ")
    assert f"{len(frame) - 5} of {len(frame)} dates are not in the declared format" in text
    assert "match the pattern '%d.%m.%Y': declare date_format = \"%d.%m.%Y\"" in text


@pytest.mark.parametrize("huge", ["1e30", "99999999999999999999999", "21"])
def test_a_huge_number_of_places_stops_naming_row_column_and_value(tmp_path, huge):
    frame = register()
    frame.loc[3, "approved_care_arrangements"] = huge
    frame.to_csv(tmp_path / NAME, index=False)
    with pytest.raises(InputError) as caught:
        read_year(tmp_path / NAME, YEAR, COUNCIL)
    assert str(caught.value) == (
        f"{NAME}, row 5, column 'approved_places', value {huge!r}: more than 20 places for one "
        "household: not plausible"
    )
