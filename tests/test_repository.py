"""The repository's own rules: one dependency list, stripped notebooks, data kept out of git."""

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {}
    extras = [spec for group in project["optional-dependencies"].values() for spec in group]
    for spec in project["dependencies"] + extras:
        name, version = spec.split("==")
        pins[name.lower()] = version
    return pins


def _environment_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        match = re.match(r"^\s+- ([A-Za-z0-9_.-]+)=([0-9][^\s=]*)$", line)
        if match and match.group(1) != "python":
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    assert _environment_pins() == _pyproject_pins()


def _tracked(pattern: str) -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files", pattern], cwd=ROOT, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return out.stdout.split()


def test_committed_notebooks_have_no_outputs():
    notebooks = _tracked("notebooks/*.ipynb")
    for name in notebooks:
        nb = json.loads((ROOT / name).read_text())
        dirty = [
            i
            for i, cell in enumerate(nb["cells"])
            if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
        ]
        assert not dirty, f"{name} is committed with outputs in cells {dirty}: run nbstripout"


def test_every_notebook_has_a_parameters_cell_with_year():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{path.name} needs exactly one 'parameters' cell"
        assert re.search(r"^year\s*=\s*['\"]\d{4}-\d{2}['\"]", "".join(tagged[0]["source"]), re.M)


def test_no_raw_extract_or_build_output_is_tracked():
    allowed = (
        "data/raw/README.md",
        "data/raw/published/",
        "data/raw/dfe/",
        "data/raw/ofsted/",
        "data/raw/example/",
    )
    for name in _tracked("data/raw"):
        assert name.startswith(allowed), f"{name} is tracked: raw extracts must stay out of git"
    outputs = [
        n for n in _tracked("reports") + _tracked("data/processed") if not n.endswith(".gitkeep")
    ]
    assert not outputs, f"build outputs are tracked: {outputs}"


def test_gitignore_keeps_real_extracts_out():
    try:
        out = subprocess.run(
            [
                "git",
                "check-ignore",
                "data/raw/extracts/2024-25/enquiries.csv",
                "data/raw/enquiries_2024-25.xlsx",
                "reports/2024-25/x.html",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    except OSError:
        pytest.skip("git is not installed")
    assert len(out.stdout.split()) == 3


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    readme = (ROOT / "README.md").read_text()
    assert readme.index("make report") < readme.index("make test") < 2000


def test_no_module_names_a_council():
    """Everything council-specific lives in councils/<slug>/ and the example data."""
    named = subprocess.run(
        [
            "git",
            "grep",
            "-l",
            "-i",
            "-E",
            "coventry|leicester",
            "--",
            "src",
            "scripts",
            "notebooks",
            "benchmarks",
            "Makefile",
            ".ci",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert named == []
