"""Ofsted's national fostering figures: exact values and sources from the reference file,
and a clear message naming the row of a damaged one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.sources.ofsted import national

SHARED = Path("/work/shared/reference/ofsted") / national.FILE.name


@pytest.fixture(scope="module")
def figures():
    return national.load()


def test_the_file_is_the_shared_reference_unchanged():
    if not SHARED.exists():
        pytest.skip("no shared reference folder on this machine")
    assert national.FILE.read_bytes() == SHARED.read_bytes()


def test_every_row_is_read_and_the_official_ones_are_marked(figures):
    assert len(figures) == 159
    assert int(figures["official"].sum()) == 35  # as the reference's README says


def test_la_sector_enquiry_to_application_2022_23_is_ofsteds_own_12_percent(figures):
    found = national.figure(figures, "2022-23", "LA", "enquiry_to_application_percent")
    assert (found.value, found.unit, found.official) == (12.0, "percent", True)
    assert found.shown == "12%"
    assert found.citation == (
        "Ofsted, Recruitment and retention in mainstream fostering (25 March 2024)"
    )
    assert "for local authorities, this was 12%" in found.quote
    assert found.url.endswith("recruitment-and-retention-in-mainstream-fostering")


def test_a_restated_figure_is_cited_as_reported_by_its_publisher(figures):
    found = national.figure(figures, "2024-25", "LA", "households_deregistered")
    assert (found.value, found.official, found.shown) == (2540.0, False, "2,540")
    assert found.citation == "Ofsted's figure for 2024/25, as reported by The Forester (PA/RADAR)"


def test_the_official_row_wins_and_a_differing_restatement_is_kept(figures):
    enquiries = national.figure(figures, "2020-21", "all", "initial_enquiries")
    assert (enquiries.value, enquiries.official, enquiries.others) == (160635.0, True, ())
    applications = national.figure(figures, "2020-21", "all", "applications_received")
    assert (applications.value, applications.others) == (10145.0, (11235.0,))


def test_latest_falls_back_to_the_last_year_with_the_figure(figures):
    found = national.latest(figures, "2024-25", "LA", "enquiry_to_application_percent")
    assert (found.year, found.value) == ("2022-23", 12.0)
    assert national.latest(figures, "2017-18", "LA", "enquiry_to_application_percent") is None
    assert national.figure(figures, "2024-25", "LA", "enquiry_to_application_percent") is None


def test_enquiry_figures_carry_the_definition_change(figures):
    assert national.ENQUIRY_CAVEAT in national.caveats("enquiry_to_application_percent")
    assert national.caveats("households_deregistered") == [national.ROUNDING]


def test_context_table_names_sector_year_and_source(figures):
    found = national.figure(figures, "2023-24", "LA", "approved_households_31_march")
    table = national.context_table([found])
    assert table.to_dict("records") == [
        {
            "Figure": "Approved households at 31 March",
            "Sector": "local-authority fostering services in England",
            "Year": "2023/24",
            "National figure": "18,860",
            "Source": "Ofsted's figure for 2023/24, as reported by MNR Journal (PA/RADAR): "
            + found.url,
        }
    ]


def _damaged(tmp_path: Path, old: str, new: str) -> Path:
    file = tmp_path / national.FILE.name
    shutil.copy(national.FILE, file)
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return file


def test_a_value_that_is_not_a_number_names_file_row_column_and_value(tmp_path):
    file = _damaged(
        tmp_path,
        "fostering_households_31_march,44450,",
        "fostering_households_31_march,44450 (est),",
    )
    with pytest.raises(national.OfstedError) as error:
        national.load(file)
    assert str(error.value) == (
        "fostering_in_england_national.csv, row 2, column 'value', value '44450 (est)': "
        "not a number"
    )


def test_an_unknown_sector_is_refused(tmp_path):
    file = _damaged(
        tmp_path, "2018-19,IFA,carers_non_white", "2018-19,independent,carers_non_white"
    )
    with pytest.raises(
        national.OfstedError,
        match=r"row 6, column 'sector', value 'independent': sector must be one of all, LA, IFA",
    ):
        national.load(file)
