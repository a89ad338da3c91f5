"""The transcribed published figures: provenance, repairs, totals, and the loader's errors."""

import shutil
from pathlib import Path

import pandas as pd
import pytest
from _published_helpers import funnel, row, write_folder

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.published_trends import consistency
from analysis.sources.published import load as published

LEICESTER = paths.COUNCILS / "leicester" / "published"
YEARS = ["2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]


@pytest.fixture(scope="module")
def figures():
    return published.load_all()


@pytest.fixture(scope="module")
def raw():
    return {
        topic: pd.read_csv(
            (paths.COUNCILS / "coventry" / "published") / f"{topic}.csv",
            dtype=str,
            keep_default_na=False,
        )
        for topic in published.TOPICS
    }


def test_available_years_are_every_year_with_a_usable_figure():
    # 2015-16: the 149 occupied placements at the start of the transformation project.
    assert published.available_years() == ["2015-16", *YEARS]
    assert published.available_years(LEICESTER) == ["2024-25"]


def test_every_source_is_described_in_the_readme():
    readme = ((paths.COUNCILS / "coventry" / "published") / "README.md").read_text()
    for source in published.sources().itertuples():
        assert source.source in readme and source.seed_file in readme


def test_both_reports_are_kept_where_they_print_the_same_year(figures):
    funnel_rows = figures[figures["table"] == "mainstream_recruitment"]
    for year in ["2020-21", "2021-22", "2022-23"]:
        sources = set(funnel_rows.loc[funnel_rows["year"] == year, "source"])
        assert sources == {"fostering-2022-23", "fostering-2024-25"}
    budget = figures[figures["table"] == "fostering_budget"]
    assert set(budget.loc[budget["year"] == "2021-22", "source"]) == {
        "fostering-2022-23",
        "fostering-2024-25",
    }


def test_damaged_text_is_transcribed_as_printed(raw):
    funnel_csv = raw["recruitment_funnel"]
    damaged = funnel_csv[
        (funnel_csv["source"] == "fostering-2024-25")
        & (funnel_csv["measure"] == "households_approved")
    ].set_index("year")["value"]
    assert damaged.to_dict() == {
        "2020-21": "nouseholds",
        "2021-22": "",
        "2022-23": "16",
        "2023-24": "17",
        "2024-25": "20",
    }
    budget = raw["budget"]
    printed = budget[
        (budget["year"] == "2024-25") & (budget["breakdown"] == "connected_person_fees")
    ]
    assert sorted(printed["value"]) == ["1798", "2256"]
    rates = funnel_csv[funnel_csv["measure"] == "rate_enquiry_to_full_assessment"]
    split = rates[(rates["source"] == "fostering-2024-25") & (rates["year"] == "2024-25")]
    assert split["value"].tolist() == ["6.5% (any contact)\n78.5% (expression of interests)"]


def test_every_repair_is_recorded_with_original_and_reason():
    repairs = published.repairs()
    assert repairs["reason"].str.len().gt(20).all()
    found = set(
        zip(
            repairs["year"],
            repairs["measure"],
            repairs["original"],
            repairs["repaired"],
            strict=True,
        )
    )
    assert ("2020-21", "households_approved", "nouseholds", "missing") in found
    assert ("2021-22", "households_approved", "", "missing") in found
    assert (
        "2024-25",
        "rate_enquiry_to_approval",
        "4% (contact) 47.6%",
        "4% (contact) 47.6% (EOI)",
    ) in found
    assert ("2024-25", "budget", "1798", "1,798") in found
    assert ("2024-25", "actual", "2256", "2,256") in found
    assert len(repairs) == 11  # the five split rate cells, the 'interests' slip, and the above


def test_lost_figures_are_marked_lost_and_the_earlier_report_fills_the_trend(figures):
    lost = figures[figures["status"] == "lost"]
    assert sorted(lost["year"]) == ["2020-21", "2021-22"]
    best = published.preferred(figures)
    approvals = best[
        (best["table"] == "mainstream_recruitment") & (best["measure"] == "households_approved")
    ].set_index("year")
    assert approvals["number"].to_dict() == {
        "2018-19": 33,
        "2019-20": 21,
        "2020-21": 23,
        "2021-22": 20,
        "2022-23": 16,
        "2023-24": 17,
        "2024-25": 20,
    }
    assert approvals.loc["2020-21", "source"] == "fostering-2022-23"
    assert approvals.loc["2024-25", "source"] == "fostering-2024-25"


def test_headline_figures_as_published(figures):
    get = published.figure
    assert get(figures, "initial_enquiries", "2024-25", table="mainstream_recruitment") == 511
    assert get(figures, "initial_enquiries", "2024-25", table="scrutiny_minutes") == 511
    assert get(figures, "households_approved", "2024-25", table="scrutiny_minutes") == 20
    assert get(figures, "children_in_care", "2022-23") == 726
    assert get(figures, "children_in_foster_care", "2022-23") == 499
    assert get(figures, "children_with_own_foster_carers", "2022-23") == 362
    assert not figures["source"].str.contains("leicester").any()
    assert get(figures, "children_with_ifa_carers", "2022-23") == 137
    assert get(figures, "budget", "2024-25", breakdown="connected_person_fees") == 1798
    assert get(figures, "indicator", "2022-23", breakdown="A3", basis="part") == 39
    assert get(figures, "rate_enquiry_to_full_assessment", "2020-21", basis="enquiries") == 12


def test_figure_lookup_says_what_is_missing_or_ambiguous(figures):
    with pytest.raises(LookupError, match="no published figure for initial_enquiries 2031-32"):
        published.figure(figures, "initial_enquiries", "2031-32")
    with pytest.raises(LookupError, match=r"several different figures .* 191 .* 194"):
        published.figure(figures, "approved_households", "2024-25")


def test_leicester_publishes_a_subset_of_topics():
    assert published.topics(LEICESTER) == [
        "children_in_care_and_capacity",
        "support_and_engagement",
    ]
    figures = published.load_all(LEICESTER)
    get = published.figure
    assert get(figures, "children_with_3plus_placement_moves_share", "2024-25") == 5
    assert (
        get(figures, "children_with_3plus_placement_moves_share", "2024-25", breakdown="england")
        == 11
    )
    assert get(figures, "kinship_carers", "2024-25") == 43
    assert get(figures, "lado_concerns_substantiated", "2024-25") == 3
    assert len(figures) == 6 and set(figures["status"]) == {"value"}
    assert published.load("recruitment_funnel", LEICESTER).empty
    assert published.repairs(LEICESTER).empty
    readme = (LEICESTER / "README.md").read_text()
    for source in published.sources(LEICESTER).itertuples():
        assert source.source in readme and source.seed_file in readme


def _independent_sums(raw, topic, table):
    """Each printed total and the sum of its printed parts, computed here without the package."""
    frame = raw[topic]
    frame = frame[frame["table"] == table]
    out = []
    for (source, year, measure), group in frame.groupby(["source", "year", "measure"]):
        numbers = pd.to_numeric(group["value"].str.replace(",", ""), errors="coerce")
        total = numbers[group["breakdown"] == "total"].iloc[0]
        parts = numbers[group["breakdown"] != "total"].sum()
        out.append((source, year, measure, total, parts))
    return out


@pytest.mark.parametrize(
    ("topic", "table"),
    [("carers_ceasing", "mainstream_households_ceasing"), ("budget", "fostering_budget")],
)
def test_every_table_adds_up_or_the_check_reports_it(raw, figures, topic, table):
    reported = consistency.disagreements(consistency.run(figures))
    reported = reported[reported["check"] == "total"]
    for source, year, measure, total, parts in _independent_sums(raw, topic, table):
        if total != parts:
            hit = reported[
                (reported["year"] == year)
                & (reported["printed_value"] == total)
                & (reported["recomputed"] == parts)
            ]
            assert not hit.empty, f"{source} {year} {measure}: {parts} != {total} not reported"


def test_only_the_2018_19_leavers_total_fails_to_add_up(raw):
    sums = _independent_sums(raw, "carers_ceasing", "mainstream_households_ceasing")
    wrong = [(s, y, t, p) for s, y, _, t, p in sums if t != p]
    assert wrong == [("fostering-2022-23", "2018-19", 15, 16)]
    budget = _independent_sums(raw, "budget", "fostering_budget")
    assert all(t == p for *_, t, p in budget)


# --- the loader's errors ------------------------------------------------------------------


@pytest.fixture
def copy_of_published(tmp_path):
    return shutil.copytree((paths.COUNCILS / "coventry" / "published"), tmp_path / "published")


def test_missing_topic_is_simply_absent(copy_of_published):
    (copy_of_published / "recruitment_funnel.csv").unlink()
    (copy_of_published / "repairs.csv").write_text(
        (copy_of_published / "repairs.csv").read_text().splitlines()[0] + "\n"
    )
    assert "recruitment_funnel" not in published.topics(copy_of_published)
    figures = published.load_all(copy_of_published)
    assert "mainstream_recruitment" not in set(figures["table"])
    assert published.available_years(copy_of_published)[-1] == "2024-25"


def test_missing_sources_file_names_the_file(copy_of_published):
    (copy_of_published / "sources.csv").unlink()
    with pytest.raises(InputError, match=r"sources.csv: published figures file is missing\n"):
        published.load_all(copy_of_published)


def test_unknown_csv_is_refused_by_name(copy_of_published):
    (copy_of_published / "other_councils.csv").write_text("table,year\n")
    with pytest.raises(InputError, match=r"other_councils.csv: is not a published-figures topic"):
        published.load_all(copy_of_published)


def test_repair_whose_original_no_longer_matches_is_reported(copy_of_published):
    path = copy_of_published / "recruitment_funnel.csv"
    path.write_text(path.read_text().replace(",nouseholds,", ",23,"))
    with pytest.raises(InputError) as error:
        published.load("recruitment_funnel", copy_of_published)
    message = str(error.value)
    assert "repairs.csv, row 2, column 'original', value 'nouseholds'" in message
    assert "no longer matches" in message and "reads '23'" in message
    assert "delete the repair" in message


def test_repair_naming_no_printed_figure_is_reported(tmp_path):
    folder = write_folder(tmp_path, {"recruitment_funnel": funnel("2024-25", 511, 42, 35, 33, 20)})
    (folder / "repairs.csv").write_text(
        "source,table,year,measure,breakdown,original,repaired,reason\n"
        'report-a,fostering_budget,2024-25,budget,total,1798,"1,798",no separator\n'
    )
    with pytest.raises(InputError, match=r"repairs.csv, row 2, .*names no printed figure"):
        published.load_all(folder)


def test_missing_column_names_the_column(copy_of_published):
    path = copy_of_published / "budget.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="unit")
    frame.to_csv(path, index=False)
    with pytest.raises(InputError, match=r"budget.csv, row 1: missing column\(s\) \['unit'\]"):
        published.load("budget", copy_of_published)


def _bad_year(folder: Path, *, blank_line: bool = False) -> None:
    """Give the fourth line of ``carers_ceasing.csv`` the year 2020-22, after a blank line
    below the header when ``blank_line``."""
    path = folder / "carers_ceasing.csv"
    text = path.read_text().splitlines()
    text[3] = text[3].replace(",2020-21,", ",2020-22,", 1)
    path.write_text("\n".join([text[0], *([""] if blank_line else []), *text[1:]]) + "\n")


def test_bad_year_names_file_row_column_and_value(copy_of_published):
    _bad_year(copy_of_published)
    with pytest.raises(InputError) as error:
        published.load("carers_ceasing", copy_of_published)
    message = str(error.value)
    assert "carers_ceasing.csv, row 4, column 'year', value '2020-22'" in message
    assert "'2020-21'" in message


def test_value_that_is_not_a_figure_names_the_row(tmp_path):
    folder = write_folder(
        tmp_path,
        {
            "recruitment_funnel": [
                *funnel("2024-25", 511, 42, 35, 33, 20),
                row("mainstream_recruitment", "2023-24", "households_approved", "nouseholds"),
            ]
        },
    )
    with pytest.raises(InputError) as error:
        published.load("recruitment_funnel", folder)
    message = str(error.value)
    assert "recruitment_funnel.csv, row 7, column 'value', value 'nouseholds'" in message
    assert "repairs.csv" in message


def test_unknown_source_is_refused(tmp_path):
    folder = write_folder(
        tmp_path,
        {
            "budget": [
                row("fostering_budget", "2024-25", "budget", "1,000", source="nowhere"),
            ]
        },
    )
    with pytest.raises(InputError, match=r"budget.csv, row 2, column 'source', value 'nowhere'"):
        published.load("budget", folder)


def test_unreadable_csv_is_refused(copy_of_published):
    path = copy_of_published / "adoption.csv"
    path.write_text(path.read_text() + 'adoption_activity,2024-25,x,,"unclosed,1,count\n')
    with pytest.raises(InputError, match=r"adoption\.csv: is not a readable CSV file"):
        published.load("adoption", copy_of_published)


def test_unknown_topic_lists_the_topics():
    with pytest.raises(ValueError, match="unknown published topic 'funnel'; topics: recruitment"):
        published.load("funnel")


def test_a_published_csv_saved_in_windows_encoding_names_the_byte_and_row(copy_of_published):
    path = copy_of_published / "budget.csv"  # its first '£' is on spreadsheet row 2
    path.write_bytes(path.read_text().encode("cp1252"))
    with pytest.raises(InputError, match=r"budget\.csv, row 2: byte \d+ cannot be read as utf-8"):
        published.load("budget", copy_of_published)


def test_a_workbook_saved_as_a_published_csv_says_what_it_is(copy_of_published):
    (copy_of_published / "budget.csv").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    with pytest.raises(InputError, match=r"budget\.csv: .*Excel workbook"):
        published.load("budget", copy_of_published)


def test_rows_are_numbered_as_a_spreadsheet_shows_them_blank_lines_counted(copy_of_published):
    _bad_year(copy_of_published, blank_line=True)
    with pytest.raises(InputError, match=r"carers_ceasing\.csv, row 5, column 'year'"):
        published.load("carers_ceasing", copy_of_published)
