"""Headline tiles: real text in reading order, withheld with the counts they show."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest
from nbformat import v4

from analysis.presentation import export
from analysis.presentation.appendix import Appendix, Headline


def _tiles(shown: dict[str, dict]) -> list[str]:
    """Each tile's text, tags removed, in page order."""
    [page] = [b["text/html"] for b in shown.values() if "appendix-headlines" in str(b)]
    return [
        " | ".join(re.sub(r"<[^>]+>", "", p) for p in re.findall(r"<p[^>]*>.*?</p>", tile))
        for tile in re.findall(r"<li class='tile'>(.*?)</li>", page)
    ]


def test_tiles_say_the_year_the_change_and_the_comparator_in_reading_order(shown):
    app = Appendix("Test", "2024-25", service="A service")
    app.headlines(
        [
            Headline("Children with 3 or more placements", 11, 12, unit="%", better="lower",
                     comparator=10, published=True, source="DfE, 2025"),
            Headline("Households approved", 20, 17, published=True, count=True),
            Headline("Enquiry to approval", 3.9, 3.9, unit="%", decimals=1, published=True),
        ]
    )  # fmt: skip
    assert _tiles(shown) == [
        "Children with 3 or more placements, 2024/25 | 11% | ▼ Down 1 percentage point on "
        "2023/24 (12%); better | England: 10% | DfE, 2025",
        "Households approved, 2024/25 | 20 | ▲ Up 3 on 2023/24 (17)",
        "Enquiry to approval, 2024/25 | 3.9% | No change on 2023/24 (3.9%)",
    ]


def test_a_comparator_is_printed_as_its_source_prints_it(shown):
    app = Appendix("Test", "2024-25", service="A service")
    app.headlines(
        [
            Headline("Enquiries that became applications", 6.8, 7.3, unit="%", decimals=1,
                     comparator=12, comparator_decimals=0, published=True),
            Headline("Retention rate", 90.4, None, unit="%", decimals=1, comparator=87,
                     published=True),
        ]
    )  # fmt: skip
    assert _tiles(shown) == [
        "Enquiries that became applications, 2024/25 | 6.8% | \u25bc Down 0.5 percentage "
        "points on 2023/24 (7.3%) | England: 12%",
        "Retention rate, 2024/25 | 90.4% | England: 87.0%",
    ]


def test_the_arrow_is_hidden_from_screen_readers_and_points_the_way_of_the_change(shown):
    app = Appendix("Test", "2024-25", service="A service")
    app.headlines([Headline("Carers", 9, 14, count=True, published=True)])
    [page] = [b["text/html"] for b in shown.values() if "appendix-headlines" in str(b)]
    assert "<span aria-hidden='true'>\u25bc</span> Down 5 on 2023/24 (14)" in page
    assert "aria-label='Headline figures, 2024/25'" in page


def test_a_small_count_and_everything_built_on_it_are_withheld(shown):
    app = Appendix("Test", "2024-25", service="A service")
    app.headlines(
        [
            Headline("Households approved", 4, 17, count=True, key="approved"),
            Headline("Approved within a year", 80, 75, unit="%", on=["approved"]),
        ]
    )
    app.finish()
    assert _tiles(shown) == [
        "Households approved, 2024/25 | withheld | 2023/24: 17; change withheld",
        "Approved within a year, 2024/25 | withheld | 2023/24: withheld; change withheld",
    ]


def test_a_tile_is_withheld_with_the_table_cell_it_shares_a_key_with(shown):
    app = Appendix("Test", "2024-25", service="A service")
    # 20 = 3 + 17: a table reveals the 3 unless the 17 is withheld too, and the tile with it.
    app.headlines([Headline("Carers leaving", 17, count=True, key=app.cell("left", "b", "n"))])
    app.table(
        pd.DataFrame({"reason": ["a", "b", "Total"], "n": [3, 17, 20]}),
        "Carers leaving by reason",
        counts=["n"],
        name="left",
    )
    app.finish()
    assert app.shown("left")["n"].tolist() == ["c", "c", 20]
    assert _tiles(shown) == ["Carers leaving, 2024/25 | withheld"]


def test_internal_pages_show_every_figure(shown):
    app = Appendix("Test", "2024-25", "internal", service="A service")
    app.headlines([Headline("Households approved", 4, 3, count=True)])
    app.finish()
    assert _tiles(shown) == ["Households approved, 2024/25 | 4 | ▲ Up 1 on 2023/24 (3)"]


def test_a_page_has_one_to_five_headlines(shown):
    app = Appendix("Test", "2024-25", service="A service")
    with pytest.raises(ValueError, match="1 to 5 headline figures, not 6"):
        app.headlines([Headline(f"Figure {n}", n, published=True) for n in range(6)])


def test_the_export_puts_the_tiles_above_the_key_findings(shown):
    app = Appendix("Test", "2024-25", service="A service")
    app.headlines([Headline("Households approved", 20, 17, count=True, published=True)])
    tiles = next(b for b in shown.values() if "appendix-headlines" in str(b))
    notebook = v4.new_notebook()
    findings = v4.new_markdown_cell("## Key findings\n\n- Approvals rose.")
    later = v4.new_code_cell("appendix.headlines(...)")
    later.outputs = [nbformat.from_dict({"output_type": "display_data", "data": tiles,
                                         "metadata": {}})]  # fmt: skip
    notebook.cells = [findings, later]
    provenance = export.Provenance([], "abc123", False, {}, "2025-04-01T00:00:00+00:00", "public")
    page = export.to_html(
        notebook, title="Test", service="A service", year_label="2024/25", provenance=provenance
    )
    assert page.count('class="appendix-headlines"') == 1
    assert page.index("appendix-headlines") < page.index('<h2 id="Key-findings"')


def test_a_tile_from_a_table_cell_is_withheld_with_it(shown):
    app = Appendix("Test", "2024-25", service="A service")
    app.table(
        pd.DataFrame(
            {
                "Year": ["2023/24", "2024/25"],
                "Enquiries": [40, 50],
                "Approvals": [4, 12],
                "Approved (%)": [10.0, 24.0],
            }
        ),
        "Enquiries and approvals by year",
        counts=["Enquiries", "Approvals"],
        rates={"Approved (%)": ["Enquiries", "Approvals"]},
        name="funnel",
    )
    approvals = app.tile("funnel", "2024/25", "Approvals", "Approvals", previous_row="2023/24")
    rate = app.tile("funnel", "2024/25", "Approved (%)", "Approved", previous_row="2023/24",
                    unit="%", decimals=1)  # fmt: skip
    enquiries = app.tile("funnel", "2024/25", "Enquiries", "Enquiries", previous_row="2023/24")
    assert (approvals.key, approvals.previous_key) == (
        "funnel|2024/25|Approvals",
        "funnel|2023/24|Approvals",
    )
    assert (rate.on, rate.previous_on) == (
        ["funnel|2024/25|Enquiries", "funnel|2024/25|Approvals"],
        ["funnel|2023/24|Enquiries", "funnel|2023/24|Approvals"],
    )
    app.headlines([approvals, rate, enquiries])
    app.finish()
    assert _tiles(shown) == [
        "Approvals, 2024/25 | 12 | 2023/24: withheld; change withheld",
        "Approved, 2024/25 | 24.0% | 2023/24: withheld; change withheld",
        "Enquiries, 2024/25 | 50 | ▲ Up 10 on 2023/24 (40)",
    ]
    with pytest.raises(ValueError, match="table 'funnel' has no row '2025/26'"):
        app.tile("funnel", "2025/26", "Approvals", "Approvals")
