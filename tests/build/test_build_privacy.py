"""No identifier from the raw data, and no Python output or local path, may appear in any
exported appendix or index."""

from __future__ import annotations

import pytest
from fixtures import demo_repo
from identifiers import hits, identifiers, leaked_text

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


def _pages(reports) -> list:
    pages = sorted(reports.rglob("*.html"))
    assert reports / "index.html" in pages, f"no index under {reports}"
    return pages


def test_every_councils_exports_hold_no_identifier(built_councils):
    for slug, reports in built_councils.items():
        raw = paths.raw_dir("example", slug)
        values = identifiers(raw)
        assert any(v.startswith("SYN") for v in values), f"no SSDA903 CHILD found under {raw}"
        assert any(len(v) == 13 and v[0].isalpha() and v[1:].isdigit() for v in values)  # UPN
        assert any(len(v.split()) == 2 and v[:2] == "CV" for v in values) or slug != "coventry"
        assert _leaks(reports, raw) == {}, slug


def _python_output(reports, keep=lambda page, kind: True) -> dict[str, dict[str, list[str]]]:
    found = {}
    for page in _pages(reports):
        leaked = leaked_text(page.read_text(encoding="utf-8"))
        leaked = {kind: shown for kind, shown in leaked.items() if keep(page, kind)}
        if leaked:
            found[str(page.relative_to(reports))] = leaked
    return found


def _retention_missing(page, kind) -> bool:
    return page.stem == "retention" and kind == "a missing value printed"


def test_every_councils_exports_show_no_python_output_path_or_missing_value(built_councils):
    for slug, reports in built_councils.items():
        found = _python_output(reports, lambda page, kind: not _retention_missing(page, kind))
        assert found == {}, slug


def test_retention_exports_print_no_missing_value(built_councils):
    for slug, reports in built_councils.items():
        assert _python_output(reports, _retention_missing) == {}, slug


def test_the_scan_finds_python_output_paths_and_missing_values():
    page = (
        "<html><body><p>Rate 3%</p><table><tr><td>None</td><td>&lt;NA&gt;</td></tr></table>"
        "<pre>/work/main/src/analysis/x.py:12: FutureWarning: use other</pre>"
        "<pre>Traceback (most recent call last):</pre><p>None of these is a leak.</p>"
        "<script>var a = NaN; x = '/tmp/y'</script></body></html>"
    )
    found = leaked_text(page)
    assert set(found) == {
        "a traceback",
        "a Python warning",
        "an absolute path",
        "a missing value printed",
    }
    assert found["a missing value printed"][1:] == ["None", "<NA>"]  # a snippet, then cells
    assert "/tmp/y" not in str(found) and "NaN;" not in str(found)  # scripts are not text
    assert leaked_text("<p>None of the figures for 2024-25 is published.</p>") == {}


def test_what_cells_write_to_stderr_is_left_out_of_the_export():
    import nbformat

    from analysis.presentation.export import for_reader

    cell = nbformat.v4.new_code_cell("x")
    warning = "/work/main/src/analysis/x.py:1: UserWarning: no labels\n"
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text=warning),
        nbformat.v4.new_output("stream", name="stdout", text="printed\n"),
        nbformat.v4.new_output("display_data", data={"text/plain": "shown"}),
    ]
    notebook = for_reader(nbformat.v4.new_notebook(cells=[cell]))
    assert [o["data"]["text/plain"] for o in notebook.cells[0].outputs] == ["shown"]
