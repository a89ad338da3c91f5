"""Councils are kept apart: building one never overwrites, lists or links another's pages."""

from __future__ import annotations

import io

from fixtures import demo_repo

from analysis import build


def _snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_building_one_council_leaves_the_others_reports_untouched(demo_copy):
    second = demo_repo.add_council(demo_copy, "second", "856")
    before = _snapshot(demo_copy / "reports" / "demo")
    log = io.StringIO()
    outcome = build.run(demo_repo.analyses(demo_copy), demo_copy, second, jobs=2, out=log)
    assert outcome.code == 0, log.getvalue()
    assert sorted(outcome.built) == [
        "2023-24/demo",
        "2023-24/other",
        "2024-25/demo",
        "2024-25/other",
    ]
    assert _snapshot(demo_copy / "reports" / "demo") == before
    index = (demo_repo.reports(demo_copy, "second") / "index.html").read_text()
    assert "Second Fostering Service" in index and "Demo Fostering Service" not in index
    assert "../" not in index and "/demo/" not in index
    page = (demo_repo.reports(demo_copy, "second") / "2024-25" / "demo.html").read_text()
    assert "Second Fostering Service" in page and "Demo Fostering Service" not in page
    # the second council's records, not the first's, were read (the footer names an input
    # for a reader, with its SHA-256, not by its path)
    theirs = build.sha256_file(demo_copy / "data/raw/example/second/children_2024-25.csv")
    ours = build.sha256_file(demo_copy / "data/raw/example/demo/children_2024-25.csv")
    assert f"<td>Children 2024-25</td><td><code>{theirs}</code>" in page and ours not in page


def test_an_analysis_with_no_data_for_a_council_is_listed_as_not_supplied(demo_copy):
    second = demo_repo.add_council(demo_copy, "second", "856")
    for path in (demo_copy / "data" / "raw" / "example" / "second").glob("*.csv"):
        path.unlink()
    log = io.StringIO()
    outcome = build.run(demo_repo.analyses(demo_copy), demo_copy, second, jobs=1, out=log)
    assert outcome.code == 0 and outcome.built == []
    assert log.getvalue().count("no data supplied for Second Council; not built") == 2
    index = (demo_repo.reports(demo_copy, "second") / "index.html").read_text()
    assert index.count("no extract supplied") == 2
