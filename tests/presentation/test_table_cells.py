"""What a table cell shows when a value is missing: a blank, never "None" or "<NA>"."""

from __future__ import annotations

import re

import pandas as pd

from analysis.presentation import appendix
from analysis.presentation.appendix import Appendix


def test_missing_values_print_as_blank_cells(monkeypatch):
    shown: list[dict] = []
    monkeypatch.setattr(appendix, "display", lambda bundle, **kw: shown.append(bundle))
    frame = pd.DataFrame(
        {
            "Measure": ["Looked after", None],
            "Published": pd.array([684, None], dtype="Int64"),
            "Rate (%)": [11.0, None],
            "Note": ["", pd.NA],
        }
    )
    Appendix("Test", "2024-25", service="A service").table(frame, "Figures", published=True)
    page = next(b["text/html"] for b in shown if "Table 1" in b.get("text/html", ""))
    cells = page.split("<tbody>")[1]
    assert "None" not in cells and "&lt;NA&gt;" not in cells
    assert "<td>684</td>" in cells and "<td>11.0</td>" in cells


def test_a_table_with_no_rows_says_why_instead_of_printing_its_headers(monkeypatch):
    shown: list[dict] = []
    monkeypatch.setattr(appendix, "display", lambda bundle, **kw: shown.append(bundle))
    empty = pd.DataFrame({"Reason": [], "Field": [], "Rows": []})
    Appendix("Test", "2024-25", service="A service").table(
        empty, "Rows set aside", counts=["Rows"], empty="No rows were set aside."
    )
    page = next(b["text/html"] for b in shown if "Table 1" in b.get("text/html", ""))
    assert "<table" not in page
    assert "<figcaption>Table 1: Rows set aside</figcaption>" in page
    assert "<p class='table-empty'>No rows were set aside.</p>" in page


def test_a_decimal_column_is_written_in_one_style_and_a_count_never_as_892_0(monkeypatch):
    shown: list[dict] = []
    monkeypatch.setattr(appendix, "display", lambda bundle, **kw: shown.append(bundle))
    frame = pd.DataFrame(
        {
            "31 March": [2019, 2020, 2021],
            "Children": [892.0, None, 960.0],  # a count made float by a missing row
            "Occupancy (%)": [72.0, 71.2, 69.9],
            "Places per household": [1.9, 1.91, 1.98],
            "As printed": [1.4, 2.0, 1.9],
        }
    )
    Appendix("Test", "2024-25", service="A service").table(
        frame, "Capacity", counts=["Children"], published=["As printed"]
    )
    page = next(b["text/html"] for b in shown if "Table 1" in b.get("text/html", ""))
    body = page.split("<tbody>")[1]
    rows = [re.findall(r"<td>([^<]*)</td>", row) for row in body.split("</tr>")[:-1]]
    assert rows == [
        ["2019", "892", "72.0", "1.90", "1.4"],
        ["2020", "", "71.2", "1.91", "2.0"],
        ["2021", "960", "69.9", "1.98", "1.9"],
    ]


def test_a_rate_that_states_no_figure_is_not_marked_withheld(shown):
    frame = pd.DataFrame(
        {
            "Group": ["Approved 2018/19", "Approved 2022/23"],
            "Households": [40, 30],
            "Left within 3 years": [12, 3],
            "Left within 3 years (%)": ["30.0 (16.0 to 44.0)", "no estimate"],
        }
    )
    app = Appendix("Test", "2024-25", service="A service")
    app.table(
        frame,
        "Still fostering",
        counts=["Households", "Left within 3 years"],
        rates={"Left within 3 years (%)": ["Left within 3 years", "Households"]},
        name="still",
    )
    app.finish()
    table = app.shown("still")
    assert list(table["Left within 3 years"]) == [12, "c"]  # 3 is withheld
    assert list(table["Left within 3 years (%)"]) == ["30.0 (16.0 to 44.0)", "no estimate"]


def test_a_withheld_cell_of_words_reads_withheld_not_c(shown):
    """A sentence or a word resting on a withheld count ("Matches the published figure.",
    "yes") reads "withheld": "c" is for numbers, and alone in a column of words it reads as
    a slip (issue 13's review of the Explanation and Reproduced columns)."""
    frame = pd.DataFrame(
        {
            "Stage": ["Enquiries", "Approvals"],
            "Households": [511, 3],
            "Share (%)": ["85.0", "0.6"],
            "Explanation": ["Matches the published figure.", "Matches the published figure."],
            "Reproduced": ["yes", "yes"],
        }
    )
    app = Appendix("Test", "2024-25", service="A service")
    app.table(
        frame,
        "Events",
        counts=["Households"],
        rates={c: ["Households"] for c in ("Share (%)", "Explanation", "Reproduced")},
        name="events",
    )
    app.finish()
    table = app.shown("events")
    assert list(table["Households"]) == [511, "c"]
    assert list(table["Share (%)"]) == ["85.0", "c"]
    assert list(table["Explanation"]) == ["Matches the published figure.", "withheld"]
    assert list(table["Reproduced"]) == ["yes", "withheld"]


def test_a_median_of_fewer_than_6_people_is_withheld_though_their_count_is_printed(monkeypatch):
    """Issue 12's review: "2 households, median years fostered 3.3" described two households."""
    monkeypatch.setattr(appendix, "display", lambda bundle, **kw: None)
    frame = pd.DataFrame(
        {
            "Reason": ["Quality of care", "Personal circumstances"],
            "Households": [2, 12],
            "Median years fostered": [3.3, 6.1],
            "Of all leavers (%)": [14.3, 85.7],
        }
    )
    app = Appendix("Test", "2024-25", service="A service")
    shown = app.table(
        frame,
        "Leavers",
        counts=["Households"],
        published=["Households"],  # the council printed both counts
        rates={"Median years fostered": ["Households"], "Of all leavers (%)": ["Households"]},
        name="leavers",
    )
    assert shown["Households"].tolist() == [2, 12]
    assert shown["Median years fostered"].tolist() == ["c", 6.1]
    assert shown["Of all leavers (%)"].tolist() == [14.3, 85.7]  # worked out from what is shown


def test_a_count_header_names_its_unit_or_the_caption_does(monkeypatch):
    """Issue 13: units in every header ("Approved" alone could be households or places)."""
    shown: list[dict] = []
    monkeypatch.setattr(appendix, "display", lambda bundle, **kw: shown.append(bundle))
    app = Appendix("Test", "2024-25", service="A service")
    mixed = pd.DataFrame(
        {"Year": ["2024/25"], "Households at 1 April": [200], "Approved": [20], "Left": [18]}
    )
    app.table(
        mixed, "Joiners", counts=["Households at 1 April", "Approved", "Left"], unit="households"
    )
    years = pd.DataFrame({"Reason": ["Retired"], "2022/23": [7], "2023/24": [8], "2024/25": [9]})
    app.table(years, "Leavers", counts=["2022/23", "2023/24", "2024/25"], unit="households")
    pages = [b["text/html"] for b in shown if "<figure class='table'" in b.get("text/html", "")]
    assert "<th>Approved (households)</th>" in pages[0] and "<th>Left (households)</th>" in pages[0]
    assert "<th>Households at 1 April</th>" in pages[0]  # names its unit already
    assert "Table 2: Leavers (number of households)</figcaption>" in pages[1]
    assert "<th>2024/25</th>" in pages[1]
    assert appendix.with_unit("Stage 2 (full) assessments started", "households").endswith(
        "started (households)"
    )


def test_a_table_showing_a_printed_count_of_1_to_5_says_why_it_is_not_withheld(monkeypatch):
    """Red team 14 (W1): a reader who meets a '2' on a page that withholds 1 to 5 should be
    told it is the council's own published figure, not a slip."""
    shown: list[dict] = []
    monkeypatch.setattr(appendix, "display", lambda bundle, **kw: shown.append(bundle))
    frame = pd.DataFrame({"Reason": ["Retired", "Moved away"], "Households": [2, 12]})
    app = Appendix("Test", "2024-25", service="A service")
    app.table(frame, "Printed", counts=["Households"], published=["Households"], name="printed")
    app.table(frame, "Records", counts=["Households"], name="records")
    pages = [b["text/html"] for b in shown if "<figure class='table'" in b.get("text/html", "")]
    assert appendix.PRINTED_SMALL in pages[0]
    assert appendix.PRINTED_SMALL not in pages[1]  # its 2 is withheld, nothing to explain
