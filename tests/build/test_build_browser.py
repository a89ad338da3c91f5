"""Every export opened in headless Chromium (Playwright) with the network cut off.

Skipped, with instructions, where Chromium is not installed; never skipped in CI
(``CI=true``), where a missing browser fails instead. Accessibility (axe-core) is
asserted in ``tests/presentation/test_accessibility.py``.
"""

from __future__ import annotations

import io
from pathlib import Path

import browser as chromium
import pytest
from browser import Browser
from fixtures import demo_repo

pytestmark = [pytest.mark.browser, pytest.mark.notebook]


@pytest.fixture(scope="session")
def browser():
    yield from chromium.session()


def _check_all(browser: Browser, reports: Path) -> None:
    pages = sorted(p for p in reports.rglob("*.html") if p.name != "index.html")
    assert pages, f"no exports under {reports}"
    problems = {}
    for page in pages:
        report = browser.check(page, page.with_suffix(".png"))  # screenshot kept beside it
        assert page.with_suffix(".png").stat().st_size > 10_000
        assert report.toc > 0, f"{page} has no table of contents"
        found = report.problems()
        if found:
            problems[str(page.relative_to(reports))] = found
    assert problems == {}
    index = reports / "index.html"
    report = browser.check(index, reports / "index.png")
    assert report.problems() == []


def test_fixture_exports_load_offline_cleanly(browser, demo_site):
    _check_all(browser, demo_repo.reports(demo_site))
    images = browser.check(
        demo_repo.reports(demo_site) / "2024-25/demo.html", demo_site / "shot.png"
    ).images
    assert len(images) == 1 and images[0]["width"] > 100 and not images[0]["blank"]


def test_the_checks_catch_a_request_a_blank_chart_and_a_broken_link(browser, demo_site, tmp_path):
    page = (demo_repo.reports(demo_site) / "2024-25/demo.html").read_text()
    blank = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAYAAABytg0kAAAAEUlEQVR4nGP4"
        "//8/AwMDAwMACfsD/QX4ZcwAAAAASUVORK5CYII="
    )
    broken = page.replace(
        "</main>",
        "<script src='https://cdn.example.org/x.js'></script><img src='" + blank + "'>"
        "<a href='#nowhere'>x</a><script>console.error('boom')</script></main>",
    )
    target = tmp_path / "broken.html"
    target.write_text(broken)
    problems = "\n".join(browser.check(target, tmp_path / "broken.png").problems())
    assert "cdn.example.org" in problems
    assert "image is blank" in problems
    assert "#nowhere" in problems
    assert "boom" in problems


def test_real_exports_load_offline_cleanly(browser, built_reports):
    _check_all(browser, built_reports)


def test_internal_working_copy_with_pdf(browser, demo_copy):
    """--disclosure internal: nothing suppressed, every page marked; --pdf prints it."""
    from fixtures import demo_repo

    from analysis import build

    outcome = build.run(
        demo_repo.analyses(demo_copy),
        demo_copy,
        demo_repo.council(demo_copy),
        only=["demo"],
        year="2024-25",
        disclosure="internal",
        pdf=True,
        out=io.StringIO(),
    )
    assert outcome.built == ["2024-25/demo"], outcome
    reports = demo_repo.reports(demo_copy)
    page = (reports / "2024-25/demo.html").read_text()
    assert page.count("INTERNAL: NOT FOR CIRCULATION") >= 2  # top band, footer band
    assert "<td>3</td>" in page and "<td>7</td>" in page  # nothing withheld
    assert ".appendix-internal { position: fixed" in page  # repeated on every printed page
    pdf = (reports / "2024-25/demo.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    index = (reports / "index.html").read_text()
    assert "2024-25/demo.pdf" in index and "internal: not for circulation" in index
    assert "INTERNAL: NOT FOR CIRCULATION (this index lists internal copies)" in index
    public = {
        j.slot: j.key
        for j in build.plan(demo_repo.analyses(demo_copy), demo_copy, demo_repo.council(demo_copy))[
            0
        ]
    }
    internal = build.Manifest.load(reports).entries["2024-25/demo"]["key"]
    assert public["2024-25/demo"] != internal  # a public build will not take it for its own
    report = browser.check(reports / "2024-25/demo.html", reports / "2024-25/demo.png")
    assert report.problems() == []
