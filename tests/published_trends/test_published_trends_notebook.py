"""The published-trends notebook: executed for every year, bad input, and its HTML export."""

import re
import shutil
from pathlib import Path

import nbformat
import papermill
import pytest

from analysis import build
from analysis.core import paths
from analysis.core.years import YearError, require_year
from analysis.sources.published import load as published

pytestmark = pytest.mark.notebook

NOTEBOOK = paths.NOTEBOOKS / "published_trends.ipynb"
YEARS = published.available_years()
AVAILABLE = "years available: " + ", ".join(YEARS)


@pytest.fixture(scope="module")
def run_year(built_reports):
    """The notebook as ``make report`` executed it for a year (one shared build)."""

    def run(year: str) -> Path:
        return built_reports / year / "published_trends.ipynb"

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


@pytest.mark.parametrize("year", YEARS)
def test_notebook_runs_for_every_published_year(run_year, year):
    outputs = _outputs(run_year(year))
    assert not [o for o in outputs if o["output_type"] in ("error", "stream")], "errors or warnings"
    text = _text(outputs)
    shown = year.replace("-", "/")
    assert f"# Published fostering figures and trends: {shown}" in text
    assert "## Key findings" in text
    assert f"In {shown} the service received" in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 4
    assert re.findall(r"Figure (\d+):", text) == ["1", "2", "3", "4"]
    tables = re.findall(r"Table (\d+):", text)
    assert tables == [str(n) for n in range(1, len(tables) + 1)] and len(tables) >= 8
    assert f"Headline published figures, {shown}" in text


def test_exported_html_has_charts_and_tables_but_no_code(built_reports):
    html = (built_reports / "2024-25" / "published_trends.html").read_text()
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


def test_missing_published_csv_stops_the_notebook(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    shutil.copytree(
        (paths.COUNCILS / "coventry" / "published"), root / "data" / "raw" / "published"
    )
    (root / "data" / "raw" / "published" / "recruitment_funnel.csv").unlink()
    monkeypatch.setenv("FOSTERING_ROOT", str(root))
    with pytest.raises(papermill.PapermillExecutionError) as error:
        papermill.execute_notebook(
            str(NOTEBOOK),
            str(tmp_path / "out.ipynb"),
            parameters={"year": "2024-25"},
            cwd=str(root),
            progress_bar=False,
        )
    assert "recruitment_funnel.csv: published figures file is missing" in str(error.value)
