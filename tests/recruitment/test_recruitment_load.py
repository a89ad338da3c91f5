"""Reading the enquiry extracts: layouts, dates, checks, quarantine, and every bad-input case."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from analysis.core.errors import InputError
from analysis.core.years import YearError
from analysis.council import config
from analysis.recruitment.load import available_years, layouts, load, write_processed
from analysis.recruitment.load import read_extract as read_with

COUNCIL = config.load()
HEADER = {schema: header for header, schema in layouts(COUNCIL)["2024-25"].columns.items()}


def read_extract(path: Path, year: str, council: config.Council = COUNCIL):
    """One file read through the default council's declared layouts."""
    return read_with(path, year, council)


def row(**values: str) -> dict[str, str]:
    """One household in the 2022 layout, in progress, with ISO dates; override any field."""
    base = {
        "household_id": "H100001",
        "enquiry_date": "2024-05-01",
        "eoi_date": "",
        "stage1_date": "",
        "stage2_date": "",
        "panel_date": "",
        "approval_date": "",
        "exit_date": "",
        "outcome": "in_progress",
        "exit_stage": "",
        "exit_reason_code": "",
        "exit_reason": "",
        "channel": "website",
        "household_type": "couple",
        "ethnic_group": "White",
    }
    base.update(values)
    return base


GOOD = [
    row(),
    row(
        household_id="H100002",
        enquiry_date="2023-06-01",
        eoi_date="2023-06-20",
        stage1_date="2023-08-01",
        stage2_date="2023-11-01",
        panel_date="2024-05-01",
        approval_date="2024-05-20",
        outcome="approved",
        channel="carer_referral",
    ),
    row(
        household_id="H100003",
        enquiry_date="2024-06-01",
        exit_date="2024-07-01",
        outcome="withdrew",
        exit_stage="enquiry",
        exit_reason_code="AW2",
        exit_reason="not right time",
    ),
]


def write(folder: Path, rows: list[dict[str, str]], year: str = "2024-25", drop=(), rename=None):
    """Write ``rows`` as ``recruitment/enquiries_<year>.csv`` under ``folder``."""
    target = folder / "recruitment"
    target.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows).drop(columns=list(drop)).rename(columns=HEADER)
    frame = frame.rename(columns=rename or {})
    path = target / f"enquiries_{year}.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_good_file_is_read_whole(tmp_path):
    result = read_extract(write(tmp_path, GOOD), "2024-25")
    assert result.read == 3 and len(result.clean) == 3 and result.quarantined.empty
    clean = result.clean.set_index("household_id")
    assert clean.loc["H100002", "approval_date"] == pd.Timestamp(2024, 5, 20)
    assert clean.loc["H100003", "exit_reason"] == "Not the right time"
    assert clean.loc["H100003", "exit_reason_text"] == "not right time"
    assert clean.loc["H100002", "channel"] == "Foster carer referral"


def test_a_declared_column_missing_names_file_column_and_the_columns_there_are(tmp_path):
    path = write(tmp_path, GOOD, drop=["outcome"])
    with pytest.raises(InputError) as caught:
        read_extract(path, "2024-25")
    text = str(caught.value)
    assert text.startswith(
        "enquiries_2024-25.csv, column 'Outcome': column 'Outcome' declared for 2024-25 is "
        "not in the file"
    )
    assert "the file's columns: ['Household ID', 'Enquiry received'," in text
    assert "councils/coventry/layouts/recruitment.toml" in text


def test_an_undeclared_column_stops_and_says_what_to_declare(tmp_path):
    frame = pd.DataFrame(GOOD).rename(columns=HEADER).assign(**{"Social worker": "x"})
    (tmp_path / "recruitment").mkdir()
    path = tmp_path / "recruitment" / "enquiries_2024-25.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(InputError) as caught:
        read_extract(path, "2024-25")
    text = str(caught.value)
    assert "columns ['Social worker'] are not in the 2024-25 declaration" in text
    assert '["2024-25".columns]' in text and '"Social worker" = "?"' in text
    assert "ignore_columns" in text


def test_a_year_with_no_declared_layout_stops_with_the_declaration_to_add(tmp_path):
    path = write(tmp_path, [row(enquiry_date="2025-05-01")], year="2025-26")
    with pytest.raises(InputError, match="no recruitment layout is declared for 2025-26") as caught:
        read_extract(path, "2025-26")
    text = str(caught.value)
    assert '["2025-26"]\n# based_on = "2024-25"' in text
    assert 'date_format = "%Y-%m-%d"' in text
    assert '["2025-26".columns]\n"Household ID" = "household_id"\n"Enquiry received"' in text


def test_the_declaration_offered_is_built_from_the_real_header_below_a_title_row(tmp_path):
    path = write(tmp_path, [row(enquiry_date="2025-05-01")], year="2025-26")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame.rename(columns={"Outcome": "Status now"})
    path.write_text("Enquiries export,,,\n" + frame.to_csv(index=False))
    with pytest.raises(InputError) as caught:
        read_extract(path, "2025-26")
    text = str(caught.value)
    assert "header_row = 2" in text and '"Status now" = "?"' in text
    assert '"Enquiries export"' not in text


def test_unparseable_date_is_quarantined_with_file_row_and_column(tmp_path):
    rows = [*GOOD, row(household_id="H100004", enquiry_date="31/02/2024")]
    result = read_extract(write(tmp_path, rows), "2024-25")
    assert len(result.clean) == 3
    bad = result.quarantined.iloc[0]
    assert bad["source_file"] == "enquiries_2024-25.csv" and bad["source_row"] == 5
    assert bad["column"] == "Enquiry received" and bad["value"] == "31/02/2024"  # the file's header
    assert "not a date in the declared format %Y-%m-%d" in bad["reason"]


def test_stages_out_of_order_are_quarantined(tmp_path):
    rows = [*GOOD, row(household_id="H100004", stage1_date="2024-09-01", stage2_date="2024-08-01")]
    result = read_extract(write(tmp_path, rows), "2024-25")
    bad = result.quarantined.iloc[0]
    assert bad["reason"] == "stages out of order: Stage Two start before Stage One start"
    assert (bad["column"], bad["value"]) == ("Stage Two start", "2024-08-01")
    assert result.read == len(result.clean) + len(result.quarantined)


def test_a_stage_without_the_one_before_is_quarantined(tmp_path):
    rows = [*GOOD, row(household_id="H100004", stage2_date="2024-08-01")]
    bad = read_extract(write(tmp_path, rows), "2024-25").quarantined.iloc[0]
    assert bad["reason"] == "stage missing: Stage Two start without Stage One start"


def test_duplicated_id_sets_aside_every_copy(tmp_path):
    rows = [*GOOD, row(household_id="H100001", enquiry_date="2024-06-02")]
    result = read_extract(write(tmp_path, rows), "2024-25")
    assert sorted(result.quarantined["source_row"]) == [2, 5]
    assert set(result.quarantined["reason"]) == {"household id appears more than once in the file"}
    assert list(result.clean["household_id"]) == ["H100002", "H100003"]


def _withdrawals(codes: list[str]) -> list[dict[str, str]]:
    """One withdrawn household per Ofsted code in ``codes`` (ids from H200000)."""
    return [
        {**GOOD[2], "household_id": f"H2{n:05d}", "exit_reason_code": code}
        for n, code in enumerate(codes)
    ]


def test_an_unknown_reason_code_sets_its_row_aside_naming_file_row_column_and_value(tmp_path):
    rows = [*GOOD, *_withdrawals(["AW1", "AW3", "AW9", "aw2", "AW5", "AW0"] * 2)]
    result = read_extract(write(tmp_path, rows), "2024-25")
    held = result.quarantined
    assert held[["source_file", "source_row", "column", "value"]].values.tolist() == [
        ["enquiries_2024-25.csv", 7, "Ofsted code", "AW9"],  # the file's header
        ["enquiries_2024-25.csv", 13, "Ofsted code", "AW9"],
    ]
    assert set(held["reason"]) == {"unknown reason code (known: AW0, AW1, AW2, AW3, AW4, AW5)"}
    assert result.read == 15 and len(result.clean) == 13  # AW2 in lower case is AW2
    assert result.clean["exit_reason_code"].value_counts()["AW2"] == 3


def test_reason_codes_mostly_unknown_stop_as_a_new_code_list(tmp_path):
    """12 of 13 codes unknown (a new code list): systematic although 30 more rows carry
    no code, so most of the file's rows pass."""
    rows = [*GOOD, *_withdrawals(["W1", "W2", "W3"] * 4)]
    rows += [{**GOOD[0], "household_id": f"H3{n:05d}"} for n in range(30)]
    with pytest.raises(InputError) as caught:
        read_extract(write(tmp_path, rows), "2024-25")
    assert str(caught.value).startswith(
        "enquiries_2024-25.csv, row 5, column 'Ofsted code': 12 of 13 rows that fill "
        "'Ofsted code' fail the same check (unknown reason code (known: AW0, AW1, AW2, "
        "AW3, AW4, AW5)): more than 50% of them"
    )
    assert "sample values: ['W1', 'W2', 'W3']" in str(caught.value)


def test_malformed_id_is_quarantined(tmp_path):
    rows = [*GOOD, row(household_id="TEST")]
    held = read_extract(write(tmp_path, rows), "2024-25").quarantined
    assert set(held["reason"]) == {
        "household id is not 'H' and six digits (a test or malformed record)",
    }


def test_an_unknown_value_stops_with_each_new_value_its_count_and_where_to_declare(tmp_path):
    rows = [
        *GOOD,
        row(household_id="H100004", channel="carrier pigeon"),
        row(household_id="H100005", channel="Carrier pigeon "),
        row(household_id="H100006", channel="radio"),
    ]
    with pytest.raises(InputError) as caught:
        read_extract(write(tmp_path, rows), "2024-25")
    text = str(caught.value)
    assert text.startswith(
        "enquiries_2024-25.csv, row 5, column 'Enquiry source': 3 value(s) not declared for "
        "2024-25: 'carrier pigeon' (1 row), 'Carrier pigeon' (1 row), 'radio' (1 row)"
    )
    assert '["2024-25".values.channel] in councils/coventry/layouts/recruitment.toml' in text
    assert "unknown_to_other under [extracts.recruitment]" in text


def test_unknown_to_other_maps_new_values_and_counts_them(tmp_path):
    rows = [*GOOD, row(household_id="H100004", channel="radio")]
    rows[2] = {**rows[2], "exit_reason": "moved to Spain"}
    council = replace(COUNCIL, unknown_to_other={"recruitment": ("channel", "exit_reason")})
    result = read_extract(write(tmp_path, rows), "2024-25", council)
    clean = result.clean.set_index("household_id")
    assert clean.loc["H100004", "channel"] == "Other"
    assert clean.loc["H100003", "exit_reason"] == "Other (reason text not in the declared list)"
    assert clean.loc["H100003", "exit_reason_text"] == "moved to Spain"
    assert result.other[["column", "value", "count"]].values.tolist() == [
        ["channel", "radio", 1],
        ["exit_reason", "moved to Spain", 1],
    ]


def test_future_and_too_early_dates_are_quarantined(tmp_path):
    rows = [
        *GOOD,
        row(household_id="H100004", stage1_date="2025-04-02"),
        row(household_id="H100005", enquiry_date="1999-01-01", stage1_date="2024-05-01"),
    ]
    held = read_extract(write(tmp_path, rows), "2024-25").quarantined.set_index("source_row")
    assert "in the future" in held.loc[5, "reason"]
    assert "before the service's records begin" in held.loc[6, "reason"]


def test_a_whole_column_of_dates_in_another_format_stops_naming_the_pattern(tmp_path):
    rows = [row(), row(household_id="H100002", enquiry_date="2024-06-03")]
    path = write(tmp_path, rows)
    path.write_text(
        path.read_text().replace("2024-05-01", "01 May 2024").replace("2024-06-03", "03 Jun 2024")
    )
    with pytest.raises(InputError) as caught:
        read_extract(path, "2024-25")
    text = str(caught.value)
    assert "column 'Enquiry received', value '01 May 2024': no date in the column" in text
    assert "sample values ['01 May 2024', '03 Jun 2024'] match the pattern '%d %b %Y'" in text


def test_empty_file_and_header_only_file_stop(tmp_path):
    path = write(tmp_path, GOOD)
    path.write_text("")
    with pytest.raises(InputError, match=r"enquiries_2024-25\.csv: the file is empty"):
        read_extract(path, "2024-25")
    path.write_text(",".join(HEADER.values()) + "\n")
    with pytest.raises(InputError, match="header but no rows"):
        read_extract(path, "2024-25")


def test_a_year_without_a_file_lists_the_years_there_are(tmp_path):
    write(tmp_path, GOOD)
    with pytest.raises(YearError, match="no enquiry extract for 2023-24; years available: 2024-25"):
        load("2023-24", str(tmp_path))


def test_a_file_holding_another_years_records_stops(tmp_path):
    rows = [row(enquiry_date="2024-05-01")]
    path = write(tmp_path, rows, year="2023-24")
    with pytest.raises(InputError, match="latest date falls in 2024-25"):
        read_extract(path, "2023-24")


def test_excel_with_a_title_row_counts_rows_as_the_spreadsheet_shows(tmp_path):
    target = tmp_path / "recruitment"
    target.mkdir()
    book = Workbook()
    sheet = book.active
    sheet.append(["SYNTHETIC title row"])
    headers = [
        "household_ref",
        "date_of_enquiry",
        "eoi_received",
        "stage_1_start",
        "stage_2_start",
        "panel_date",
        "approval_date",
        "date_closed",
        "outcome",
        "stage_at_exit",
        "ofsted_reason_code",
        "reason_detail",
        "how_heard",
        "household_type",
        "ethnicity",
    ]
    sheet.append(headers)
    from datetime import datetime

    sheet.append(
        ["H100001", datetime(2021, 5, 1)]
        + [None] * 6
        + ["in_progress", None, None, None, "event", "single", "White"]
    )
    sheet.append(
        ["H100002", "not a date"]
        + [None] * 6
        + ["in_progress", None, None, None, "event", "single", "White"]
    )
    path = target / "enquiries_2021-22.xlsx"
    book.save(path)
    result = read_extract(path, "2021-22")
    assert list(result.clean["source_row"]) == [3]
    assert list(result.quarantined["source_row"]) == [4]


def test_the_example_files_are_all_found():
    assert available_years() == [f"{y}-{(y + 1) % 100:02d}" for y in range(2018, 2025)]


def test_clean_and_quarantine_tables_are_written_whole_or_not_at_all(tmp_path, monkeypatch):
    rows = [*GOOD, row(household_id="H100004", enquiry_date="31/02/2024")]
    write(tmp_path / "raw", rows)
    loaded = load("2024-25", str(tmp_path / "raw"))
    out = tmp_path / "processed"
    written = write_processed(loaded, out)
    assert [p.name for p in written] == [
        "recruitment_households_2024-25.parquet",
        "recruitment_quarantine_2024-25.parquet",
    ]
    assert len(pd.read_parquet(written[0])) == 3 and len(pd.read_parquet(written[1])) == 1

    def broken(self, path, **kwargs):
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    fresh = tmp_path / "fresh"
    with pytest.raises(OSError, match="disk full"):
        write_processed(loaded, fresh)
    assert list(fresh.iterdir()) == []


def test_a_household_set_aside_in_a_later_extract_is_not_shown_out_of_date(tmp_path):
    earlier = [
        row(household_id="H100009", enquiry_date="2024-01-10"),
        row(household_id="H100010", enquiry_date="2024-02-10"),
    ]
    write(tmp_path, earlier, year="2023-24")
    later = [
        row(household_id="H100009", enquiry_date="2024-01-10", stage1_date="bad"),
        row(household_id="H100010", enquiry_date="2024-02-10", stage1_date="2024-05-01"),
    ]
    write(tmp_path, later, year="2024-25")
    loaded = load("2024-25", str(tmp_path))
    assert list(loaded.households["household_id"]) == ["H100010"]
    assert list(loaded.households["extract_year"]) == ["2024-25"]
    assert list(loaded.quarantine["household_id"]) == ["H100009"]
