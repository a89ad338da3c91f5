"""SSDA903 files that are not what they claim stop naming the file; implausible dates are
rows set aside with their reason."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.core.years import FinancialYear
from analysis.sources.ssda903.load import find_returns, validate_episodes, validate_header

FOLDER = paths.raw_dir("example", "coventry") / "ssda903"
HEADER = FOLDER / "ssda903_header_2024-25_SYNTHETIC.csv"
EPISODES = FOLDER / "ssda903_episodes_2024-25_SYNTHETIC.csv"
YEAR = FinancialYear.parse("2024-25")


def table(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_dates_of_birth_with_a_time_stop_naming_the_pattern(tmp_path):
    frame = table(HEADER)
    frame["DOB"] = frame["DOB"] + " 00:00"
    frame.to_csv(tmp_path / "header_2024-25.csv", index=False)
    with pytest.raises(InputError) as caught:
        validate_header(tmp_path / "header_2024-25.csv", YEAR)
    text = str(caught.value)
    assert text.startswith(
        f"header_2024-25.csv, row 2, column 'DOB', value {frame.at[0, 'DOB']!r}: no date in "
        "the column is in the declared format '%d/%m/%Y'"
    )
    assert "match the pattern '%d/%m/%Y %H:%M'" in text


def test_dates_of_birth_month_first_stop_though_some_read_both_ways(tmp_path):
    frame = table(HEADER)
    day = pd.to_datetime(frame["DOB"], format="%d/%m/%Y")
    frame["DOB"] = day.dt.strftime("%m/%d/%Y")
    frame.to_csv(tmp_path / "header_2024-25.csv", index=False)
    with pytest.raises(InputError) as caught:
        validate_header(tmp_path / "header_2024-25.csv", YEAR)
    both = int((day.dt.day <= 12).sum())
    assert (
        f"{len(frame) - both} of {len(frame)} dates are not in the declared format, and more "
        f"({len(frame)}) read as '%m/%d/%Y' than as the format '%d/%m/%Y'"
    ) in str(caught.value)


def test_a_birth_in_1850_a_start_in_1850_and_an_end_in_the_future_are_set_aside(tmp_path):
    header = table(HEADER)
    header.loc[0, "DOB"] = "04/10/1850"
    header.to_csv(tmp_path / "header_2024-25.csv", index=False)
    _, held = validate_header(tmp_path / "header_2024-25.csv", YEAR)
    reason = held.set_index("source_row").at[2, "reason"]
    assert reason == "date of birth before 1900: not plausible"
    episodes = table(EPISODES)
    episodes.loc[0, "DECOM"] = "23/05/1850"
    ended = episodes.index[episodes["DEC"].ne("")][1]
    episodes.loc[ended, "DEC"] = "01/06/2026"
    episodes.to_csv(tmp_path / "episodes_2024-25.csv", index=False)
    _, held, _ = validate_episodes(tmp_path / "episodes_2024-25.csv")
    reasons = held.set_index("source_row")["reason"]
    assert reasons[2] == "start date before 1900: not plausible"
    assert reasons[ended + 2] == "end date after the 2024-25 year ends: in the future"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            b"<html><body><table><tr><td>CHILD</td></tr></table></body></html>",
            "the file is not a CSV: it looks like a web page (HTML)",
        ),
        (b"PK\x03\x04" + b"\x00" * 60, "the file is not a CSV: it looks like an Excel workbook"),
        ("CHILD,SEX,DOB\nA1,1,01/01/2010\n".encode("utf-16"), "the file is UTF-16 text"),
        (b"CHILD;SEX;DOB\nA1;1;01/01/2010\n", "the file's columns are separated by semicolons"),
    ],
)
def test_a_file_that_is_not_a_utf8_csv_stops_saying_what_it_is(tmp_path, content, problem):
    path = tmp_path / "header_2024-25.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        validate_header(path, YEAR)
    assert str(caught.value).startswith(f"header_2024-25.csv: {problem}")


def test_a_byte_that_is_not_utf8_is_named_with_its_row(tmp_path):
    data = HEADER.read_bytes()
    lines = data.split(b"\n")
    lines[3] = lines[3].replace(b",F,", b",F\xe9,", 1).replace(b",M,", b",M\xe9,", 1)
    path = tmp_path / "header_2024-25.csv"
    path.write_bytes(b"\n".join(lines))
    offset = path.read_bytes().index(b"\xe9")
    with pytest.raises(InputError) as caught:
        validate_header(path, YEAR)
    assert str(caught.value).startswith(
        f"header_2024-25.csv, row 4: byte {offset} cannot be read as utf-8"
    )


def test_utf8_with_a_byte_order_mark_and_upper_case_names_are_read(tmp_path):
    names = ((HEADER, "SSDA903_HEADER_2024-25.CSV"), (EPISODES, "Episodes_2024-25.Csv"))
    for source, name in names:
        (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    found = find_returns(tmp_path)
    assert {y: (h.name, e.name) for y, (h, e) in found.items()} == {
        "2024-25": ("SSDA903_HEADER_2024-25.CSV", "Episodes_2024-25.Csv")
    }
    clean, held = validate_header(found["2024-25"][0], YEAR)
    assert len(clean) + len(held) == len(table(HEADER)) and "CHILD" in clean


def test_most_rows_failing_one_check_stop(tmp_path):
    frame = table(EPISODES)
    frame.loc[: len(frame) // 2, "PLACE"] = "Z9"
    frame.to_csv(tmp_path / "episodes_2024-25.csv", index=False)
    shutil.copy(HEADER, tmp_path / "header_2024-25.csv")
    from analysis.sources.ssda903.load import read_returns

    with pytest.raises(InputError) as caught:
        read_returns([tmp_path / "header_2024-25.csv"], [tmp_path / "episodes_2024-25.csv"])
    assert str(caught.value).startswith(
        f"episodes_2024-25.csv, row 2, column 'PLACE': {len(frame) // 2 + 1} of {len(frame)} rows "
        "fail the same check (code not in the 2024-25 PLACE code list)"
    )
