"""The published-trends notebook: executed for every year, bad input, and its HTML export."""

import io
import re
import shutil
from pathlib import Path

import nbformat
import papermill
import pytest

from analysis import build
from analysis.core import paths
from analysis.core.years import YearError, require_year
from analysis.council import config
from analysis.published_trends import measures as trends
from analysis.registry import ANALYSES
from analysis.sources.published import load as published

pytestmark = pytest.mark.notebook

NOTEBOOK = paths.NOTEBOOKS / "published_trends.ipynb"
YEARS = published.available_years()
AVAILABLE = "years available: " + ", ".join(YEARS)
# The years Coventry prints a recruitment funnel for: its appendices before this change.
FUNNEL_YEARS = list(trends.funnel(published.load_all()).index)


def _build(slug: str) -> Path:
    """The published-trends appendices of one council, built as ``make report`` builds them."""
    council = config.load(slug)
    log = io.StringIO()
    only = [a for a in ANALYSES if a.name == "published_trends"]
    outcome = build.run(only, paths.ROOT, council, jobs=2, out=log)
    assert outcome.code == 0, log.getvalue()
    return build.reports_dir(paths.ROOT, council, "example")


@pytest.fixture(scope="module")
def coventry_reports() -> Path:
    return _build("coventry")


@pytest.fixture(scope="module")
def leicester_reports() -> Path:
    return _build("leicester")


@pytest.fixture(scope="module")
def run_year(coventry_reports):
    """The notebook as ``make report`` executed it for a year (one shared build)."""

    def run(year: str) -> Path:
        return coventry_reports / year / "published_trends.ipynb"

    return run


def _outputs(path: Path) -> list[dict]:
    notebook = nbformat.read(path, as_version=4)
    return [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]


def _text(outputs: list[dict]) -> str:
    parts = []
    for out in outputs:
        data = out.get("data", {})
        parts.append(data.get("text/markdown", "") + data.get("text/html", ""))
    return "\n".join(parts)


def test_coventry_years_are_the_funnel_years_and_the_2015_16_baseline():
    assert [f"{y}-{(y + 1) % 100:02d}" for y in range(2018, 2025)] == FUNNEL_YEARS
    assert ["2015-16", *FUNNEL_YEARS] == YEARS


@pytest.mark.parametrize("year", FUNNEL_YEARS)
def test_notebook_runs_for_every_published_year(run_year, year):
    outputs = _outputs(run_year(year))
    assert not [o for o in outputs if o["output_type"] in ("error", "stream")], "errors or warnings"
    text = _text(outputs)
    shown = year.replace("-", "/")
    assert f"# Published fostering figures and trends: {shown}" in text
    assert "## Key findings" in text
    assert f"In {shown} the service received" in text
    # A year's page stops at the year: the budget chart only once a budget is published.
    charts = 4 if year >= "2020-21" else 3
    assert sum("image/png" in o.get("data", {}) for o in outputs) == charts
    assert re.findall(r"Figure (\d+):", text) == [str(n) for n in range(1, charts + 1)]
    if charts == 3:
        assert f"give no budget for {shown} or any year before it" in text
    tables = re.findall(r"Table (\d+):", text)
    assert tables == [str(n) for n in range(1, len(tables) + 1)] and len(tables) >= 8
    assert f"Headline published figures, {shown}" in text


def test_a_year_with_only_a_baseline_figure_says_what_was_not_published(run_year):
    outputs = _outputs(run_year("2015-16"))
    assert not [o for o in outputs if o["output_type"] in ("error", "stream")]
    text = _text(outputs)
    assert "For 2015/16 the published papers we hold give 2 figures from 2 documents" in text
    assert "give no recruitment funnel (enquiries, assessments and approvals)" in text
    assert "Figures published for 2015/16, as printed" in text


def test_leicester_appendix_shows_what_was_published_and_says_what_was_not(leicester_reports):
    path = leicester_reports / "2024-25" / "published_trends.ipynb"
    outputs = _outputs(path)
    assert not [o for o in outputs if o["output_type"] in ("error", "stream")]
    text = _text(outputs)
    assert "# Published fostering figures and trends: 2024/25" in text
    assert "What Leicester's published fostering reports say about the year" in text
    assert "For 2024/25 the published papers we hold give 6 figures from one document" in text
    assert (
        "The published papers we hold give no recruitment funnel (enquiries, assessments and "
        "approvals), table of households ceasing to foster or budget for 2024/25." in text
    )
    assert (
        "Children with three or more placement moves: 5% in 2024/25, against 11% for England "
        "as the papers quote it." in text
    )
    assert "None of the figures published for 2024/25 can be recomputed" in text
    assert "43 kinship carers" in text and "Three concerns were substantiated" in text
    assert "image/png" not in str(outputs)
    html = (leicester_reports / "2024-25" / "published_trends.html").read_text()
    assert "Leicester City Council Fostering Service" in html
    assert "coventry" not in html.lower()
    assert "Traceback" not in html


def test_exported_html_has_charts_and_tables_but_no_code(coventry_reports):
    html = (coventry_reports / "2024-25" / "published_trends.html").read_text()
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', html)) == 4
    assert html.count("<table") >= 9
    assert "Table 1: Headline published figures, 2024/25 and 2023/24" in html
    assert "Do the published figures add up?" in html
    for code in ("import ", '<span class="kn">import</span>', "highlight hl-ipython3", "appendix."):
        assert code not in html, f"exported HTML shows code: {code!r}"


@pytest.mark.parametrize("bad", ["2031-32", "2024", "24-25", "2024-26"])
def test_require_year_names_the_available_years(bad):
    with pytest.raises(YearError) as error:
        require_year(bad, YEARS, "published fostering figures")
    assert bad in str(error.value)
    if bad == "2031-32":
        assert str(error.value) == f"no published fostering figures for 2031-32; {AVAILABLE}"


@pytest.mark.parametrize("bad", ["2031-32", "2024"])
def test_bad_year_stops_the_build_and_leaves_no_report(bad, tmp_path, capsys):
    shutil.copytree(paths.NOTEBOOKS, tmp_path / "notebooks")
    shutil.copytree(paths.COUNCILS, tmp_path / "councils")
    code = build.main(["--year", bad, "--only", "published_trends"], root=tmp_path)
    assert code == 2
    message = capsys.readouterr().err
    if bad == "2031-32":
        assert AVAILABLE in message
    else:
        assert "is not a financial year written like '2024-25'" in message
    left = [p.name for p in (tmp_path / "reports").rglob("*") if p.suffix in (".html", ".ipynb")]
    assert left == [], f"half-written output left behind: {left}"

    with pytest.raises(papermill.PapermillExecutionError) as error:
        papermill.execute_notebook(
            str(NOTEBOOK),
            str(tmp_path / "out.ipynb"),
            parameters={"year": bad},
            cwd=str(paths.ROOT),
            progress_bar=False,
        )
    assert "YearError" in str(error.value)


def test_unknown_published_csv_stops_the_build_naming_it(tmp_path, capsys):
    shutil.copytree(paths.NOTEBOOKS, tmp_path / "notebooks")
    shutil.copytree(paths.COUNCILS, tmp_path / "councils")
    (tmp_path / "councils" / "coventry" / "published" / "notes.csv").write_text("a,b\n")
    code = build.main(["--year", "2024-25", "--only", "published_trends"], root=tmp_path)
    assert code != 0
    assert "notes.csv: is not a published-figures topic" in capsys.readouterr().err
