"""No identifier from the raw data may appear in any exported appendix."""

from __future__ import annotations

import pytest
from fixtures import demo_repo
from identifiers import hits, identifiers

from analysis.core import paths

pytestmark = pytest.mark.notebook


def _leaks(reports, raw) -> dict[str, list[str]]:
    values = identifiers(raw)
    assert values, f"no identifying columns found under {raw}: the scan would prove nothing"
    pages = sorted(reports.rglob("*.html"))
    assert pages, f"no exports under {reports}"
    found = {
        str(p.relative_to(reports)): hits(p.read_text(encoding="utf-8"), values) for p in pages
    }
    return {page: leaked for page, leaked in found.items() if leaked}


def test_the_scan_finds_every_kind_of_identifier_in_the_fixture_data(demo_site):
    values = identifiers(demo_site / "data/raw/example")
    assert {"CH240001", "CH230001"} <= values  # child ids
    assert any(v.startswith("HH") for v in values)  # household ids
    assert any(v.startswith("CV") and " " in v for v in values)  # postcodes
    assert any(len(v.split()) == 2 and v.split()[1] in ("Okafor", "Smith", "Patel") for v in values)
    dob = next(v for v in values if v[:2] == "20" and v[4] == "-")
    day = dob[8:10] + "/" + dob[5:7] + "/" + dob[:4]
    assert day in values  # dates of birth are also looked for as printed in the UK
    page = (demo_repo.reports(demo_site) / "2024-25/demo.html").read_text()
    planted = page.replace("</main>", "<p>Child CH240001 (" + day + ")</p></main>")
    assert hits(planted, values) == sorted({"CH240001", day})
    assert hits(planted.replace("CH240001", "CH2400012"), values) == [day]  # whole tokens only


def test_fixture_exports_hold_no_identifier(demo_site):
    assert _leaks(demo_repo.reports(demo_site), demo_site / "data/raw/example") == {}


def test_real_exports_hold_no_identifier(built_reports):
    assert _leaks(built_reports, paths.EXAMPLE) == {}
