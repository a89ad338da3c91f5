"""Finding each year's extract by its name: any case; a bad name stops, naming the file."""

from __future__ import annotations

import pytest

from analysis.core.errors import InputError
from analysis.core.paths import yearly_files
from analysis.recruitment.load import available_years
from analysis.retention.load import available_files


def touch(folder, *names):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text("x\n")


def test_names_match_whatever_their_case(tmp_path):
    touch(
        tmp_path,
        "Enquiries_2023-24.CSV",
        "ENQUIRIES_2024-25_final.XLSX",
        "enquiries_2022-23.csv",
        "~$enquiries_2024-25.xlsx",  # Excel's lock file beside an open workbook
        ".enquiries_2021-22.csv",
        "README.md",
    )
    found = yearly_files(tmp_path, "enquiries_")
    assert {y: p.name for y, p in found.items()} == {
        "2022-23": "enquiries_2022-23.csv",
        "2023-24": "Enquiries_2023-24.CSV",
        "2024-25": "ENQUIRIES_2024-25_final.XLSX",
    }


@pytest.mark.parametrize(
    "name", ["enquiries_2024-26.csv", "enquiries_24-25.csv", "enquiries_2024.csv", "enquiries_.csv"]
)
def test_a_name_whose_year_is_malformed_names_the_file(tmp_path, name):
    touch(tmp_path / "recruitment", "enquiries_2023-24.csv", name)
    with pytest.raises(InputError) as caught:
        available_years(tmp_path)
    assert str(caught.value).startswith(
        f"{name}: the file name gives no financial year after its prefix\n"
        "name it with the year it covers, like enquiries_2024-25.csv"
    )
    # Renamed, the folder reads again: nothing of the bad name is kept anywhere.
    (tmp_path / "recruitment" / name).rename(tmp_path / "recruitment" / "enquiries_2024-25.csv")
    assert available_years(tmp_path) == ["2023-24", "2024-25"]


def test_a_second_file_for_a_year_names_both(tmp_path):
    touch(
        tmp_path / "retention",
        "household_register_2024-25.csv",
        "Household_Register_2024-25 (1).csv",
    )
    with pytest.raises(InputError) as caught:
        available_files(tmp_path)
    assert str(caught.value).startswith(
        "household_register_2024-25.csv: a second extract for 2024-25, beside "
        "Household_Register_2024-25 (1).csv"
    )


def test_an_extract_in_another_format_is_named_not_skipped(tmp_path):
    touch(tmp_path / "retention", "household_register_2024-25.xls")
    with pytest.raises(InputError, match=r"^household_register_2024-25.xls: an extract must be"):
        available_files(tmp_path)
