"""SSDA903 column aliases declared per year in councils/<slug>/layouts/ssda903.toml."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from analysis.core.errors import InputError
from analysis.core.layouts import LayoutError
from analysis.core.years import FinancialYear
from analysis.council import config
from analysis.sources.ssda903.load import declared_aliases, read_returns
from analysis.stability import measures as stability
from analysis.stability import report

EXAMPLE = Path(__file__).resolve().parents[3] / "data" / "raw" / "example" / "coventry" / "ssda903"
YEARS = ("2022-23", "2023-24", "2024-25")
# The system's names for two DfE columns, and every other header in lower case.
RENAMED = {"URN": "PLACEMENT_URN", "DOB": "DATE_OF_BIRTH"}
DECLARATION = '["2022-23".aliases]\nPLACEMENT_URN = "URN"\nDATE_OF_BIRTH = "DOB"\n' + "".join(
    f'["{y}"]\nbased_on = "2022-23"\n' for y in YEARS[1:]
)


def _files(folder: Path) -> tuple[list[Path], list[Path]]:
    headers = [folder / f"ssda903_header_{y}_SYNTHETIC.csv" for y in YEARS]
    episodes = [folder / f"ssda903_episodes_{y}_SYNTHETIC.csv" for y in YEARS]
    return headers, episodes


def _system_export(tmp_path: Path) -> Path:
    """The example returns as a system that renames URN and DOB and writes lower case."""
    folder = tmp_path / "ssda903"
    folder.mkdir()
    for path in [*_files(EXAMPLE)[0], *_files(EXAMPLE)[1]]:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame = frame.rename(columns=lambda c: RENAMED.get(c, c.lower()))
        frame.to_csv(folder / path.name, index=False)
    return folder


def _layouts(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "layouts"
    folder.mkdir(exist_ok=True)
    (folder / "ssda903.toml").write_text(text, encoding="utf-8")
    return folder


def _indicators(returns) -> pd.DataFrame:
    history = stability.build_history(returns)
    return stability.indicators(history, FinancialYear.parse("2024-25"), returns.years)


def test_declared_aliases_give_the_same_indicators(tmp_path):
    expected = read_returns(*_files(EXAMPLE))
    folder = _system_export(tmp_path)
    aliases = declared_aliases(_layouts(tmp_path, DECLARATION))
    assert aliases["2024-25"] == {"PLACEMENT_URN": "URN", "DATE_OF_BIRTH": "DOB"}
    got = read_returns(*_files(folder), aliases)
    assert got.rows_read == expected.rows_read
    pd.testing.assert_frame_equal(_indicators(got), _indicators(expected))
    pd.testing.assert_frame_equal(got.quarantine, expected.quarantine)


def test_the_stability_appendix_reads_the_councils_aliases(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(_system_export(tmp_path), raw / "ssda903")
    council = config.load("coventry")
    folder = tmp_path / "council"
    shutil.copytree(council.folder, folder)
    _layouts(folder, DECLARATION)
    data = report.load_year("2024-25", replace(council, folder=folder), raw)
    expected = report.load_year("2024-25", council)
    assert data.indicators.equals(expected.indicators)


def test_an_undeclared_header_stops_naming_what_is_missing_and_what_to_declare(tmp_path):
    folder = _system_export(tmp_path)
    with pytest.raises(InputError) as error:
        read_returns(*_files(folder))
    text = str(error.value)
    assert "ssda903_header_2022-23_SYNTHETIC.csv" in text
    assert "missing DfE column(s) DOB" in text
    assert "The file's columns: child, sex, DATE_OF_BIRTH" in text
    assert 'councils/<council>/layouts/ssda903.toml:\n["2022-23".aliases]\n' in text
    assert '"<header in the file>" = "DOB"' in text


def test_an_unknown_key_or_name_in_the_declaration_stops(tmp_path):
    with pytest.raises(LayoutError, match=r"unknown key 'alias' in \[\"2024-25\"\]"):
        declared_aliases(_layouts(tmp_path, '["2024-25"]\nalias = {URN2 = "URN"}\n'))
    with pytest.raises(LayoutError, match="aliases 'URN2' to 'PLACE_URN', which is not"):
        declared_aliases(_layouts(tmp_path, '["2024-25".aliases]\nURN2 = "PLACE_URN"\n'))
    with pytest.raises(LayoutError, match="based on '2023-24', which is not an earlier"):
        declared_aliases(_layouts(tmp_path, '["2024-25"]\nbased_on = "2023-24"\n'))
    assert declared_aliases(tmp_path / "nowhere") == {}
