"""An episode the DfE's validator finds unusable is set aside, named by the rule, and left
out of the indicators; a row our own loader set aside already is not set aside twice."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.core import paths
from analysis.council import config
from analysis.disclosure import members
from analysis.presentation import appendix as page
from analysis.presentation.appendix import Appendix
from analysis.sources.ssda903 import validator
from analysis.stability import report

pytestmark = [
    pytest.mark.validator,
    pytest.mark.skipif(
        not (paths.ROOT / validator.VENV / "bin" / "python").exists(),
        reason="the validator environment .venv-903 is missing: run make (make test makes it)",
    ),
]

SOURCE = paths.EXAMPLE / "leicester" / "ssda903"
EPISODES = "ssda903_episodes_2024-25_SYNTHETIC.csv"
RULE_435 = (
    "DfE validator rule 435: Reason for new episode is that child\u2019s placement has changed "
    "but not the legal status, but this is not reflected in the episode data recorded."
)


def _edit(path, row: int, **values: str) -> None:
    """Set ``values`` in spreadsheet ``row`` (header is row 1) of a CSV written as text."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column, value in values.items():
        frame.loc[row - 2, column] = value
    frame.to_csv(path, index=False, lineterminator="\n")


@pytest.fixture
def planted(tmp_path, monkeypatch):
    """Leicester's 2024-25 return with two planted faults.

    Spreadsheet row 806 (SYN002079's second of three placements in the year, a move coded
    P): its placement is made the same as the one before (U6, PR1, LE4 0RE, SC999001), so
    "placement changed" contradicts the data. Our loader accepts it (every code is valid)
    and would count it as a move, giving the child three placements; the DfE's rule 435
    rejects it. Row 22 (SYN000048's only episode, ended April 2024, in no cohort): PLACE
    Q9, which our loader rejects (not in the code list) and rule 146 rejects too.
    """
    where = tmp_path / "raw" / "ssda903"
    where.mkdir(parents=True)
    for kind in ("header", "episodes"):
        shutil.copy(SOURCE / f"ssda903_{kind}_2024-25_SYNTHETIC.csv", where)
    _edit(where / EPISODES, 806, PLACE="U6", PL_POST="LE4 0RE", URN="SC999001")
    _edit(where / EPISODES, 22, PLACE="Q9")
    monkeypatch.setattr(paths, "PROCESSED", tmp_path / "processed")
    return tmp_path / "raw"


def test_a_row_the_dfe_rules_reject_is_set_aside_and_left_out(planted):
    council = config.load("leicester")
    data = report.load_year("2024-25", council, planted)
    table = data.checks["2024-25"][0]
    failed = table.loc[table["Rule"] != "231", ["Rule", "Rows"]]  # 231: the validator's bug
    assert failed.values.tolist() == [["435", "806"], ["146", "22"]]
    # Without row 806 SYN002079 has U6 to 1 March and Z1 from 25 March: two placements, so
    # the child is still looked after on 31 March but no longer has three placements.
    headline = report.headline(data).iloc[0]
    assert headline[["Children in the group", "Children meeting it", "Per cent"]].tolist() == [
        595,
        30,
        5,
    ]
    held = data.returns.quarantine.set_index("source_row")
    assert held.loc[806, ["CHILD", "column", "value", "reason"]].tolist() == [
        "SYN002079",
        "RNE",
        "P",
        RULE_435,
    ]
    # Row 22 is held once, under our loader's reason, not again under rule 146.
    assert held.loc[[22], "reason"].tolist() == ["code not in the 2024-25 PLACE code list"]
    reasons = report.quarantine_reasons(data)
    assert reasons.values.tolist() == [
        [RULE_435, "RNE", 1],
        ["code not in the 2024-25 PLACE code list", "PLACE", 1],
    ]
    quality = report.data_quality(data).set_index("File").loc[EPISODES]
    assert quality[["Rows set aside", "Rows used"]].tolist() == [2, quality["Rows read"] - 2]
    written = paths.processed_dir("leicester", planted) / "ssda903" / "quarantine_2024-25.csv"
    rows = pd.read_csv(written, dtype=str)
    assert rows[["source_row", "reason"]].values.tolist() == [
        ["22", "code not in the 2024-25 PLACE code list"],
        ["806", RULE_435],
    ]


def test_the_validator_and_set_aside_tables_count_the_same_rows(planted, monkeypatch):
    # Row 806, queried under rule 435 and set aside for it, is one record in the validator
    # table, the sentence's rows queried, the set-aside reasons and the data-quality table.
    monkeypatch.setattr(page, "display", lambda *a, **k: None)
    data = report.load_year("2024-25", config.load("leicester"), planted)
    app = Appendix("Test", "2024-25", service="Test service")
    table, _ = report.validator_results(data, app)
    row_806, row_22 = f"row:{EPISODES}:806", f"row:{EPISODES}:22"
    by_rule = {table["Rule"].iloc[i]: ids for (i, _), ids in members.of(table).items()}
    assert by_rule == {"435": {row_806}, "146": {row_22}}
    assert app.ledger.members["rows queried"] == {row_806}  # 146: marked a validator bug
    reasons = report.quarantine_reasons(data)
    assert list(members.of(reasons).values()) == [{row_806}, {row_22}]
    quality = report.data_quality(data)
    at = quality.index[quality["File"].eq(EPISODES)][0]
    assert members.of(quality)[(at, "Rows set aside")] == {row_806, row_22}


def test_the_example_return_sets_nothing_aside():
    data = report.load_year("2024-25", config.load("leicester"))
    assert data.returns.quarantine.empty
    assert data.indicators[["cla_31_march", "cla_31_march_3_plus"]].tolist() == [595, 31]
