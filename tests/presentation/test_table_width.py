"""A wide table (recruitment's 19 columns of outcomes by months since enquiry) fits the page
at 1280 pixels and on a printed A4 sheet, landscape: it wraps, it never scrolls sideways or
is cut off (issue 13's review of recruitment Tables 5 and 11)."""

from __future__ import annotations

import browser as chromium
import nbformat
import pytest

from analysis.presentation import export

pytestmark = [pytest.mark.browser]

COLUMNS = ["Enquiry year", "Outcome", "Households"] + [
    f"By {m} month{'s' * (m > 1)} ({what})"
    for m in (1, 2, 3, 6, 9, 12, 18, 24)
    for what in ("households", "%, 95% CI")
]


@pytest.fixture(scope="module")
def browser():
    yield from chromium.session()


def _wide_page(tmp_path):
    """An export holding one table as the appendix shows it, 19 columns wide."""
    head = "".join(f"<th>{c}</th>" for c in COLUMNS)
    cells = ["2021/22", "Not progressed by the service", "504"] + ["72", "14.3 (11.4 to 17.5)"] * 8
    row = "".join(f"<td>{c}</td>" for c in cells)
    table = (
        "<figure class='table' id='table-5'><figcaption>Table 5: Enquirers approved, withdrawn "
        "and not progressed by months since enquiry</figcaption><table class='dataframe data'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join([f'<tr>{row}</tr>'] * 3)}</tbody>"
        "</table></figure>"
    )
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": table})]
    notebook.cells = [cell]
    page = tmp_path / "wide.html"
    page.write_text(
        export.to_html(
            notebook,
            title="Recruitment",
            service="A fostering service",
            year_label="2024/25",
            provenance=export.Provenance(
                inputs=[], commit="c0ffee", dirty=False, parameters={"year": "2024-25"},
                built="2026-12-04T00:00:00+00:00", rule="public",
            ),
        ),
        encoding="utf-8",
    )  # fmt: skip
    return page


def test_a_19_column_table_fits_1280_pixels_and_an_a4_sheet(browser, tmp_path):
    page = _wide_page(tmp_path)
    assert "(house&shy;holds)" in page.read_text(encoding="utf-8")  # a heading may break there
    assert browser.too_wide(page, 1280, 800) == []
    assert browser.too_wide(page, 1123, 794, media="print") == []  # its landscape sheet
    # on a phone (WCAG 1.4.10) the table scrolls in its own box; the page never sideways
    assert "the page scrolls sideways" not in browser.too_wide(page, 320, 640)
    # printed, the table takes a landscape A4 sheet of its own: no shrinking to fit portrait
    assert "landscape" in browser.sheets(page)


def test_a_narrow_table_prints_on_portrait_sheets_only(browser, tmp_path):
    page = tmp_path / "narrow.html"
    page.write_text(
        "<html><body><figure class='table'><table class='data'><tr><th>Year</th>"
        "<th>Children</th></tr><tr><td>2024/25</td><td>684</td></tr></table></figure>"
        "</body></html>",
        encoding="utf-8",
    )
    assert set(browser.sheets(page)) == {"portrait"}


def test_the_width_check_finds_a_table_that_scrolls(browser, tmp_path):
    page = tmp_path / "bad.html"
    cells = "".join(f"<td>{'x' * 40}</td>" for _ in range(19))
    page.write_text(
        "<html><body><div style='width:600px;overflow:auto'><figure class='table' id='t'>"
        f"<table><tr>{cells}</tr></table></figure></div></body></html>"
    )
    found = browser.too_wide(page, 1280, 800)
    assert "t: wider than the page" in found
    assert any(f.startswith("t: scrolls or is cut off") for f in found)
