"""The declared-layout runner: layout problems stop naming file, row and column; odd rows
are set aside; encodings are read as declared or stop; never a silent misreading."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import layouts, paths
from analysis.core.errors import InputError
from analysis.core.layouts import LayoutError, date_layout_problem
from analysis.council import config
from analysis.recruitment import load as recruitment
from analysis.recruitment.schema import SPEC

COUNCIL = config.load("coventry")
EXAMPLE = paths.raw_dir("example", "coventry") / "recruitment" / "enquiries_2024-25_SYNTHETIC.csv"
ROWS = 575  # households in the 2024-25 example extract


def extract(tmp_path: Path) -> pd.DataFrame:
    """The 2024-25 example extract, as text."""
    return pd.read_csv(EXAMPLE, dtype=str, keep_default_na=False)


def save(tmp_path: Path, frame: pd.DataFrame, name: str = "enquiries_2024-25.csv") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def council_with(tmp_path: Path, declaration: str, encoding: str = "") -> config.Council:
    """The default council with ``declaration`` added to its recruitment layouts and, if
    given, 2024-25 declared in ``encoding``."""
    folder = tmp_path / "council"
    shutil.copytree(COUNCIL.folder, folder)
    toml = folder / "layouts" / "recruitment.toml"
    text = toml.read_text(encoding="utf-8")
    if encoding:
        table = '["2024-25"]\nbased_on = "2023-24"'
        assert table in text
        text = text.replace(table, f'{table}\nencoding = "{encoding}"')
    toml.write_text(text + "\n" + declaration, encoding="utf-8")
    return replace(COUNCIL, folder=folder)


def read(path: Path, council: config.Council = COUNCIL, year: str = "2024-25"):
    return recruitment.read_extract(path, year, council)


def refusal(path: Path, year: str = "2024-25") -> str:
    """The message with which reading ``path`` stops."""
    with pytest.raises(InputError) as caught:
        read(path, year=year)
    return str(caught.value)


# ---- the threshold between odd rows and a layout problem (docs/assumptions.md) ------


def dates(good: int, bad: int, fmt: str = "%d/%m/%Y") -> pd.Series:
    """``good`` distinct dates in ``fmt`` (days 13 and on: they read one way only) and
    ``bad`` cells that are no date at all."""
    days = pd.date_range("2024-04-13", periods=good, freq="MS") + pd.Timedelta(days=12)
    return pd.Series([d.strftime(fmt) for d in days] + ["not known"] * bad)


def test_at_half_the_values_failing_rows_are_set_aside_and_above_half_the_run_stops():
    assert date_layout_problem(dates(5, 5), "%d/%m/%Y") is None  # exactly half: odd rows
    assert date_layout_problem(dates(6, 4), "%d/%m/%Y") is None
    text, _ = date_layout_problem(dates(4, 6), "%d/%m/%Y")
    assert text.startswith("6 of 10 dates (more than 50%) are not in the declared format")


def test_below_ten_values_only_a_column_with_no_date_in_the_format_stops():
    assert date_layout_problem(dates(1, 8), "%d/%m/%Y") is None  # 9 values: too few to tell
    assert date_layout_problem(dates(0, 9), "%d/%m/%Y") == (
        "no date in the column is in the declared format",
        None,
    )
    assert date_layout_problem(dates(0, 3, "%Y-%m-%d"), "%d/%m/%Y")[0].startswith("no date")


def test_a_pattern_that_reads_more_values_than_the_declared_one_stops_even_below_half():
    ambiguous = ["01/02/2024", "03/04/2024", "05/06/2024", "07/08/2024"]  # read both ways
    swapped = ["01/13/2024", "02/14/2024", "03/15/2024", "04/16/2024"]  # month first
    declared = ["13/01/2024", "14/02/2024", "15/03/2024"]  # day first
    values = pd.Series(ambiguous + swapped + declared)
    text, pattern = date_layout_problem(values, "%d/%m/%Y")
    assert pattern == "%m/%d/%Y"
    assert text == (
        "4 of 11 dates are not in the declared format, and more (8) read as '%m/%d/%Y' than "
        "as the format"
    )
    # One value fewer read by the other pattern is a tie: the declared format stands.
    assert date_layout_problem(pd.Series(ambiguous + swapped[:3] + declared), "%d/%m/%Y") is None


def test_the_reviewers_file_mostly_in_another_format_stops_naming_the_pattern(tmp_path):
    frame = extract(tmp_path)
    iso = pd.to_datetime(frame["Enquiry received"], format="%Y-%m-%d")
    changed = frame.index >= ROWS - 547  # 547 of 575 in dd/mm/yyyy, the rest ISO
    frame.loc[changed, "Enquiry received"] = iso[changed].dt.strftime("%d/%m/%Y")
    with pytest.raises(InputError) as caught:
        read(save(tmp_path, frame))
    text = str(caught.value)
    assert text.startswith(
        "enquiries_2024-25.csv, row 30, column 'Enquiry received', value "
        f"{frame.at[28, 'Enquiry received']!r}: 547 of 575 dates are not in the declared "
        "format, and more (547) read as '%d/%m/%Y' than as the format '%Y-%m-%d'"
    )
    assert "match the pattern '%d/%m/%Y': declare date_format = \"%d/%m/%Y\"" in text
    assert 'under ["2024-25"] in councils/coventry/layouts/recruitment.toml' in text


def test_a_file_mostly_of_dates_no_pattern_reads_stops_as_a_layout_problem(tmp_path):
    frame = extract(tmp_path)
    frame.loc[: ROWS // 2, "Enquiry received"] = "see notes"
    with pytest.raises(InputError) as caught:
        read(save(tmp_path, frame))
    assert (
        "column 'Enquiry received', value 'see notes': 288 of 575 dates (more than 50%) are not "
        "in the declared format, a layout problem rather than bad rows: format '%Y-%m-%d'"
    ) in str(caught.value)


def test_a_header_differing_from_the_declaration_only_in_case_is_refused(tmp_path):
    frame = extract(tmp_path).rename(columns={"Enquiry received": "Enquiry Received"})
    text = refusal(save(tmp_path, frame))
    assert text.startswith(
        "enquiries_2024-25.csv, column 'Enquiry Received': header 'Enquiry Received' differs "
        "only in case from 'Enquiry received', declared for 2024-25 (the 'enquiry_date' "
        "column): headers must match the declaration exactly"
    )
    assert 'declare "Enquiry Received" in place of "Enquiry received"' in text


def test_a_date_column_every_value_of_which_reads_both_ways_stops_until_confirmed(tmp_path):
    """2018-19 is declared day first; kept are the rows whose panel date has a day of at most
    12 (14 of them), so the column cannot show whether day or month comes first."""
    original = EXAMPLE.with_name("enquiries_2018-19_SYNTHETIC.csv")
    frame = pd.read_csv(original, dtype=str, keep_default_na=False)
    frame = frame[frame["Panel Date"].eq("") | frame["Panel Date"].str[:2].le("12")]
    path = save(tmp_path, frame, "enquiries_2018-19.csv")
    text = refusal(path, "2018-19")
    assert text.startswith(
        "enquiries_2018-19.csv, column 'Panel Date': every one of the column's 14 dates "
        "reads both as '%d/%m/%Y' and as '%m/%d/%Y' (no day is above 12), so the file "
        "cannot show whether day or month comes first"
    )
    assert 'declare under ["2018-19"] in councils/coventry/layouts/recruitment.toml' in text
    assert 'date_format_confirmed = ["Panel Date"]' in text
    assert 'date_format = "%m/%d/%Y"' in text
    confirmed = council_with(tmp_path, "")
    toml = confirmed.folder / "layouts" / "recruitment.toml"
    table = '["2018-19"]\ndate_format = "%d/%m/%Y"\n'
    assert table in toml.read_text()
    toml.write_text(
        toml.read_text().replace(table, table + 'date_format_confirmed = ["Panel Date"]\n')
    )
    result = read(path, confirmed, year="2018-19")
    dates = result.clean["panel_date"].dropna()
    assert len(dates) == 14 and dates.dt.day.le(12).all()


def test_a_suggested_declaration_never_guesses_between_day_and_month_first():
    assert layouts.guess_date_format(pd.Series(["01/02/2024", "03/04/2024"])) is None
    assert layouts.guess_date_format(pd.Series(["01/02/2024", "13/04/2024"])) == "%d/%m/%Y"
    assert layouts.guess_date_format(pd.Series(["2024-02-01", "2024-04-03"])) == "%Y-%m-%d"


def test_a_few_dates_in_another_format_are_rows_set_aside(tmp_path):
    frame = extract(tmp_path)
    iso = pd.to_datetime(frame["Enquiry received"], format="%Y-%m-%d")
    frame.loc[:2, "Enquiry received"] = iso[:3].dt.strftime("%d/%m/%Y")
    held = read(save(tmp_path, frame)).quarantined
    odd = held[held["column"].eq("Enquiry received")]
    assert odd["source_row"].tolist() == [2, 3, 4]
    assert set(odd["reason"]) == {"not a date in the declared format %Y-%m-%d"}


def test_most_rows_failing_one_check_stop_as_a_layout_problem(tmp_path):
    frame = extract(tmp_path)
    frame.loc[: ROWS // 2, "Household ID"] = "C" + frame.loc[: ROWS // 2, "Household ID"]
    text = refusal(save(tmp_path, frame))
    assert text.startswith(
        "enquiries_2024-25.csv, row 2, column 'Household ID': 288 of 575 rows fail the same "
        "check (household id is not 'H' and six digits (a test or malformed record)): more "
        "than 50% of the file"
    )
    assert f"sample values: {['C' + v for v in extract(tmp_path)['Household ID'][:3]]}" in text


def test_one_check_failing_exactly_half_of_a_file_sets_rows_aside():
    from analysis.core.quarantine import stop_if_systematic

    def held(n: int) -> pd.DataFrame:
        return pd.DataFrame(
            {"source_row": range(2, n + 2), "column": "x", "value": "v", "reason": "bad"}
        )

    stop_if_systematic("f.csv", 20, held(10))  # exactly half
    stop_if_systematic("f.csv", 17, held(9))  # most, but fewer than ten rows
    with pytest.raises(InputError, match=r"^f.csv, row 2, column 'x': 10 of 19 rows fail"):
        stop_if_systematic("f.csv", 19, held(10))
    with pytest.raises(InputError, match="11 of 20 rows fail the same check"):
        stop_if_systematic("f.csv", 20, held(11))


# ---- a suggested declaration pasted with based_on still commented out -------------


def test_a_declaration_without_based_on_must_spell_its_coded_columns(tmp_path):
    path = shutil.copy(EXAMPLE, tmp_path / "enquiries_2025-26.csv")
    known = recruitment.layouts(COUNCIL)
    offered = layouts.suggestion(Path(path), "2025-26", known, SPEC)
    declaration = offered[offered.index('["2025-26"]') :]
    assert '# based_on = "2024-25"' in declaration
    with pytest.raises(LayoutError) as caught:
        recruitment.layouts(council_with(tmp_path, declaration))
    assert str(caught.value).startswith(
        "recruitment.toml, column 'based_on': [\"2025-26\"] has no based_on, so it must "
        "declare the spellings of 'outcome' under [\"2025-26\".values.outcome]"
    )
    assert "uncomment it" in str(caught.value)
    fixed = council_with(tmp_path / "2", declaration.replace("# based_on", "based_on"))
    assert recruitment.layouts(fixed)["2025-26"].values == known["2024-25"].values


# ---- encodings and files that are not CSV at all ----------------------------------

CAFE = '["2024-25".values.channel]\n"Café event £5" = "Event"\n'


def with_cafe(tmp_path: Path) -> pd.DataFrame:
    frame = extract(tmp_path)
    frame.loc[[3, 7], "Enquiry source"] = "Café event £5"
    return frame


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_a_windows_csv_is_read_as_declared(tmp_path, encoding):
    frame = with_cafe(tmp_path)
    path = tmp_path / "enquiries_2024-25.csv"
    frame.to_csv(path, index=False, encoding=encoding)
    result = read(path, council_with(tmp_path, CAFE, encoding))
    expected = read(save(tmp_path / "utf8", frame), council_with(tmp_path / "utf8", CAFE))
    assert result.read == ROWS and len(result.clean) == ROWS - 1  # one malformed id
    assert result.clean.set_index("source_row").at[5, "channel"] == "Event"
    pd.testing.assert_frame_equal(result.clean, expected.clean)


def test_a_windows_csv_not_declared_stops_naming_the_byte_and_row(tmp_path):
    path = tmp_path / "enquiries_2024-25.csv"
    with_cafe(tmp_path).to_csv(path, index=False, encoding="cp1252")
    offset = path.read_bytes().index("é".encode("cp1252"))
    with pytest.raises(InputError) as caught:
        read(path, council_with(tmp_path, CAFE))
    text = str(caught.value)
    assert text.startswith(f"enquiries_2024-25.csv, row 5: byte {offset} cannot be read as utf-8")
    assert "read as cp1252 (Windows, Excel's CSV) they are 'é" in text
    assert 'declare encoding = "cp1252"' in text


def test_the_declaration_offered_for_a_windows_csv_declares_its_encoding(tmp_path):
    path = tmp_path / "enquiries_2025-26.csv"
    with_cafe(tmp_path).to_csv(path, index=False, encoding="cp1252")
    with pytest.raises(InputError) as caught:
        read(path, year="2025-26")
    text = str(caught.value)
    assert text.startswith("enquiries_2025-26.csv: no recruitment layout is declared for 2025-26")
    assert 'encoding = "cp1252"  # the file is not UTF-8' in text
    assert '"Household ID" = "household_id"' in text


def test_a_utf8_file_declared_as_windows_text_stops_rather_than_garble(tmp_path):
    path = save(tmp_path, with_cafe(tmp_path))
    with pytest.raises(InputError, match="row 5: the file is declared cp1252 but its text is"):
        read(path, council_with(tmp_path, CAFE, "cp1252"))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_utf8_with_a_byte_order_mark_and_utf16_are_read_whole(tmp_path, encoding):
    path = tmp_path / "enquiries_2024-25.csv"
    with_cafe(tmp_path).to_csv(path, index=False, encoding=encoding)
    result = read(path, council_with(tmp_path, CAFE))
    assert result.read == ROWS and len(result.clean) == ROWS - 1
    assert result.clean.set_index("source_row").at[5, "channel"] == "Event"


def test_utf16_without_a_byte_order_mark_stops(tmp_path):
    path = tmp_path / "enquiries_2024-25.csv"
    path.write_bytes(EXAMPLE.read_text(encoding="utf-8").encode("utf-16-le"))
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value).startswith(
        "enquiries_2024-25.csv, row 1: byte 1 holds a NUL: the file looks like UTF-16 "
        "without a byte-order mark"
    )
    assert 'declare encoding = "utf-16-le"' in str(caught.value)


def test_an_unknown_encoding_is_a_declaration_error(tmp_path):
    with pytest.raises(LayoutError, match="encoding 'win' is not a text encoding Python knows"):
        recruitment.layouts(council_with(tmp_path, "", "win"))


@pytest.mark.parametrize(
    ("content", "looks"),
    [
        (b"<!DOCTYPE html><html><body><table><tr><td>Household ID</td></tr></table>", "HTML"),
        (b"\n  <html>\n<head></head><body>Session expired</body></html>", "HTML"),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "an Excel workbook (.xlsx)"),
    ],
)
def test_a_web_page_or_workbook_saved_as_csv_stops_saying_what_it_looks_like(
    tmp_path, content, looks
):
    path = tmp_path / "enquiries_2024-25.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value).startswith("enquiries_2024-25.csv: the file is not a CSV: it looks")
    assert looks in str(caught.value)


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_semicolon_or_tab_separated_file_stops(tmp_path, sep, name):
    path = tmp_path / "enquiries_2024-25.csv"
    extract(tmp_path).to_csv(path, index=False, sep=sep)
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value).startswith(
        f"enquiries_2024-25.csv: the file's columns are separated by {name}, not commas"
    )


# ---- implausible dates --------------------------------------------------------------


def test_dates_before_1900_and_after_the_extract_are_set_aside_with_their_reason(tmp_path):
    frame = extract(tmp_path)
    frame.loc[0, "Enquiry received"] = "1850-05-01"
    frame.loc[1, "Closed date"] = "2031-01-01"
    held = read(save(tmp_path, frame)).quarantined.set_index("source_row")
    assert held.at[2, "reason"] == "date before the service's records begin (01/04/2000)"
    assert held.at[2, "value"].startswith("1850-05-01")
    assert held.at[3, "reason"] == "date after the extract's year ends (31/03/2025): in the future"


# ---- next year's unannounced changes, as a careless analyst meets them ----------------

UPGRADE = """header_row = 4
skip_rows = ["Total"]
date_format = "%d/%m/%Y"
["2024-25".columns]
"Household reference" = "household_id"
"Source of enquiry" = "channel"
["2024-25".values.channel]
"TikTok" = "Social media"
"""
DATES = ["Enquiry received", "EOI date", "Stage One start", "Stage Two start", "Panel date"]
DATES += ["ADM approval date", "Closed date"]


def upgraded(tmp_path: Path) -> Path:
    """The 2024-25 extract as a system upgrade exports it: two columns renamed, every column
    reordered, dates day first, a new spelling of a channel, and an Excel workbook with
    title rows above the header and a total row below the data."""
    from openpyxl import Workbook

    frame = extract(tmp_path)
    for column in DATES:
        day = pd.to_datetime(frame[column], format="%Y-%m-%d")
        frame[column] = day.dt.strftime("%d/%m/%Y").fillna("")
    frame.loc[frame["Enquiry source"].eq("social_media"), "Enquiry source"] = "TikTok"
    frame = frame.rename(
        columns={"Household ID": "Household reference", "Enquiry source": "Source of enquiry"}
    )
    frame = frame[list(reversed(frame.columns))]
    book = Workbook()
    sheet = book.active
    sheet.append(["Fostering enquiries, 1 April 2024 to 31 March 2025"])
    sheet.append(["Exported 01/04/2025 09:12"])
    sheet.append([])
    sheet.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        sheet.append([v if v != "" else None for v in values])
    sheet.append([])
    sheet.append(["Total", len(frame)])
    path = tmp_path / "enquiries_2024-25.xlsx"
    book.save(path)
    return path


def test_an_upgraded_export_stops_until_declared_then_gives_the_same_figures(tmp_path):
    path = upgraded(tmp_path)
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value).startswith(
        "enquiries_2024-25.xlsx, row 4: the header is on spreadsheet row 4, not on row 1 as "
        "declared for 2024-25\ntitle rows above the header: declare header_row = 4"
    )
    columns = (
        '["2024-25".columns]\n"Household reference" = "household_id"\n'
        '"Source of enquiry" = "channel"\n'
    )
    steps = [
        ("header_row = 4\n", "column 'Household ID': column 'Household ID' declared for "),
        ("header_row = 4\n" + columns, f"row {ROWS + 6}: the row fills 2 of the header's 15"),
        (
            'header_row = 4\nskip_rows = ["Total"]\n' + columns,
            "row 12, column 'Source of enquiry': 1 value(s) not declared for 2024-25: 'TikTok'",
        ),
        (
            UPGRADE.replace('date_format = "%d/%m/%Y"\n', ""),
            "row 5, column 'Enquiry received', value ",
        ),
    ]
    for number, (declared, stop) in enumerate(steps):
        with pytest.raises(InputError) as caught:
            read(path, council_with(tmp_path / str(number), declared))
        assert str(caught.value).startswith(f"enquiries_2024-25.xlsx, {stop}")
    result = read(path, council_with(tmp_path / "done", UPGRADE))
    expected = read(EXAMPLE)
    assert result.read == expected.read == ROWS
    drop = ["source_file", "source_row"]
    pd.testing.assert_frame_equal(
        result.clean.drop(columns=drop), expected.clean.drop(columns=drop)
    )
    assert result.clean["source_row"].iloc[0] == 5  # the spreadsheet's row, title rows counted


def test_a_stray_delimiter_and_a_file_cut_short_stop_naming_the_row(tmp_path):
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "enquiries_2024-25.csv"
    path.write_text("\n".join([*lines[:9], lines[9] + ",x", *lines[10:]]) + "\n")
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value).startswith(
        "enquiries_2024-25.csv, row 10, value 'x': the row has a value beyond the header's 15 "
        "columns"
    )
    path.write_text("\n".join(lines)[:-25])
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value).startswith(f"enquiries_2024-25.csv, row {len(lines)}: the row has ")
    assert "the file may be cut short" in str(caught.value)
    path.write_text("\n".join([*lines, "", "Total,575"]) + "\n")
    with pytest.raises(InputError) as caught:
        read(path)
    assert str(caught.value).startswith(
        f"enquiries_2024-25.csv, row {len(lines) + 2}: the row fills 2 of the header's 15 "
        'columns: not a record\nif it is a total or note row, declare skip_rows = ["Total"]'
    )


def test_an_undeclared_total_row_below_a_workbooks_data_stops(tmp_path):
    path = upgraded(tmp_path)
    with pytest.raises(InputError) as caught:
        read(path, council_with(tmp_path, UPGRADE.replace('skip_rows = ["Total"]\n', "")))
    assert str(caught.value).startswith(
        f"enquiries_2024-25.xlsx, row {ROWS + 6}: the row fills 2 of the header's 15 columns"
    )
