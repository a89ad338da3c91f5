"""axe-core, in headless Chromium, finds no WCAG 2.2 A or AA violation on any page:
every export of the built reports and of the stand-in repository, and their index pages.

On failure each violation is listed with its rule id, impact, help text and the first
offending selectors.
"""

from __future__ import annotations

from pathlib import Path

import browser as chromium
import pytest
from fixtures import demo_repo

pytestmark = [pytest.mark.browser, pytest.mark.notebook]


@pytest.fixture(scope="session")
def browser():
    yield from chromium.session()


def _barriers(reports: Path, shots: Path) -> dict[str, list[str]]:
    """Each page's axe-core violations, the pages checked one browser per CPU at once."""
    pages = sorted(reports.rglob("*.html"))
    assert any(p.name == "index.html" for p in pages) and len(pages) > 1, pages
    shots = [shots / "-".join(p.relative_to(reports).with_suffix(".png").parts) for p in pages]
    reports_seen = chromium.check_all(list(zip(pages, shots, strict=True)))
    found = {}
    for page, report in zip(pages, reports_seen, strict=True):
        if barriers := report.barriers():
            found[str(page.relative_to(reports))] = barriers
    return found


def test_axe_reports_what_a_page_gets_wrong(browser, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>x</title></head><body><main><h1>Bad</h1>"
        "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='>"
        "<p style='color:#bbb;background:#fff'>faint text</p></main></body></html>"
    )
    barriers = "\n".join(browser.check(page, tmp_path / "bad.png").barriers())
    assert "html-has-lang (serious)" in barriers
    assert "image-alt (critical)" in barriers and "img" in barriers
    assert "color-contrast (serious)" in barriers


@pytest.mark.usefixtures("browser")  # skipped, or failed in CI, without Chromium
def test_stand_in_pages_have_no_wcag_violations(demo_site, tmp_path):
    found = _barriers(demo_repo.reports(demo_site), tmp_path)
    assert found == {}, "\n".join(f"{p}:\n  " + "\n  ".join(v) for p, v in found.items())


@pytest.mark.usefixtures("browser")
def test_built_reports_have_no_wcag_violations(built_reports, tmp_path):
    found = _barriers(built_reports, tmp_path)
    assert found == {}, "\n".join(f"{p}:\n  " + "\n  ".join(v) for p, v in found.items())
