"""Each validation rule: the file, row, child, field and reason of every row set aside."""

from __future__ import annotations

import pytest
from stability_helpers import EPISODE_FIELDS

from analysis.core.errors import InputError
from analysis.sources.ssda903.load import read_returns, validate_episodes

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
GOOD = "X1,01/05/2024,S,C2,N1,U6,PR1,,,,CV1 1AA,CV2 2BB,SC000001\n"
# Two episodes ending in 2024-25: the dates, not only the name, say which year this is,
# so one odd row is set aside rather than deciding the year.
DATED = (
    GOOD
    + "X2,01/05/2024,S,C2,N1,U6,PR1,01/06/2024,E8,,,,\n"
    + "X3,01/05/2023,S,C2,N1,U6,PR1,01/02/2025,E8,,,,\n"
)


def episodes_file(tmp_path, body: str, name: str = "episodes_2024-25.csv"):
    path = tmp_path / name
    path.write_text(",".join(EPISODE_FIELDS) + "\n" + body)
    return path


def held(tmp_path, body: str, name: str = "episodes_2024-25.csv"):
    clean, quarantined, _ = validate_episodes(episodes_file(tmp_path, body, name))
    return clean, quarantined


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("C1,31/02/2024,S,C2,N1,U6,PR1,,,,,,\n", "DECOM", "start date is not dd/mm/yyyy"),
        ("C1,2024-05-01,S,C2,N1,U6,PR1,,,,,,\n", "DECOM", "start date is not dd/mm/yyyy"),
        ("C1,01/05/2024,S,C2,N1,U6,PR1,1/13/2024,E8,,,,\n", "DEC", "end date is not dd/mm/yyyy"),
        ("C1,01/05/2024,Q,C2,N1,U6,PR1,,,,,,\n", "RNE", "code not in the 2024-25 RNE code list"),
        ("C1,01/05/2024,S,XX,N1,U6,PR1,,,,,,\n", "LS", "code not in the 2024-25 LS code list"),
        (
            "C1,01/05/2024,S,C2,N1,U9,PR1,,,,,,\n",
            "PLACE",
            "code not in the 2024-25 PLACE code list",
        ),
        (
            "C1,01/05/2024,S,C2,N1,U6,PR9,,,,,,\n",
            "PLACE_PROVIDER",
            "code not in the 2024-25 PLACE_PROVIDER code list",
        ),
        (
            "C1,01/05/2024,S,C2,N1,U6,PR1,01/06/2024,E99,,,,\n",
            "REC",
            "code not in the 2024-25 REC code list",
        ),
        (
            "C1,01/05/2024,S,C2,N1,U6,PR1,01/06/2024,X1,BORED,,,\n",
            "REASON_PLACE_CHANGE",
            "code not in the 2024-25 REASON_PLACE_CHANGE code list",
        ),
        (
            "C1,01/05/2024,S,C2,N1,U6,PR1,01/06/2024,,,,,\n",
            "REC",
            "episode ended without a reason (REC)",
        ),
        (
            "C1,01/05/2024,S,C2,N1,U6,PR1,01/04/2024,E8,,,,\n",
            "DEC",
            "episode ends before it starts",
        ),
        ("C1,01/05/2025,S,C2,N1,U6,PR1,,,,,,\n", "DECOM", "episode not in the 2024-25 year"),
        (
            "C1,01/05/2023,S,C2,N1,U6,PR1,01/06/2023,E8,,,,\n",
            "DECOM",
            "episode not in the 2024-25 year",
        ),
        (",01/05/2024,S,C2,N1,U6,PR1,,,,,,\n", "CHILD", "child identifier is blank"),
    ],
)
def test_bad_row_is_quarantined_with_file_row_child_and_field(tmp_path, row, column, reason):
    clean, quarantined = held(tmp_path, DATED + row)
    assert sorted(clean["CHILD"]) == ["X1", "X2", "X3"]
    assert len(quarantined) == 1
    q = quarantined.iloc[0]
    assert (q["source_file"], q["source_row"], q["column"], q["reason"]) == (
        "episodes_2024-25.csv",
        5,
        column,
        reason,
    )
    if column != "CHILD":
        assert q["CHILD"] == "C1"


def test_k3_accepted_only_from_2024_25(tmp_path):
    row = "C1,01/05/2023,S,C2,N1,K3,PR4,,,,,,\n"
    _, q_old = held(tmp_path, row, "episodes_2023-24.csv")
    assert list(q_old["reason"]) == ["code not in the 2023-24 PLACE code list"]
    row = "C1,01/05/2024,S,C2,N1,K3,PR4,,,,,,\n"
    clean, q_new = held(tmp_path, row, "episodes_2024-25.csv")
    assert q_new.empty and list(clean["PLACE"]) == ["K3"]


def test_overlap_and_repeat_are_quarantined(tmp_path):
    body = (
        "C1,01/05/2024,S,C2,N1,U6,PR1,,,,,,\n"  # open...
        "C1,01/06/2024,P,C2,N1,U4,PR1,,,,,,\n"  # ...so this one overlaps it
        "C2,01/05/2024,S,C2,N1,U6,PR1,,,,,,\n"
        "C2,01/05/2024,S,C2,N1,U6,PR1,,,,,,\n"  # repeated
    )
    _, quarantined = held(tmp_path, body)
    got = set(
        zip(quarantined["CHILD"], quarantined["source_row"], quarantined["reason"], strict=True)
    )
    assert got == {
        ("C1", 3, "episode starts before the previous one ended"),
        ("C2", 5, "episode repeated (same child and start date)"),
    }


def test_missing_column_stops_with_file_row_and_column(tmp_path):
    path = tmp_path / "episodes_2024-25.csv"
    path.write_text("CHILD,DECOM,RNE,LS\nC1,01/05/2024,S,C2\n")
    with pytest.raises(InputError) as err:
        validate_episodes(path)
    assert "episodes_2024-25.csv, row 1, column 'PLACE'" in str(err.value)


def test_child_without_header_and_bad_dob(tmp_path):
    epi = episodes_file(
        tmp_path,
        GOOD + "C9,01/05/2024,S,C2,N1,U6,PR1,,,,,,\n" + "C8,01/05/2024,S,C2,N1,U6,PR1,,,,,,\n",
    )
    head = tmp_path / "header_2024-25.csv"
    head.write_text(HEADER + "X1,1,01/01/2010,WBRI,UN1,,\nC8,2,2010-01-01,WBRI,UN1,,\n")
    returns = read_returns([head], [epi])
    q = returns.quarantine.set_index(["source_file", "source_row"])
    assert q.loc[("header_2024-25.csv", 3), "reason"] == "date of birth is not dd/mm/yyyy"
    assert q.loc[("header_2024-25.csv", 3), "column"] == "DOB"
    assert q.loc[("episodes_2024-25.csv", 3), "reason"] == "child has no usable header row"
    assert q.loc[("episodes_2024-25.csv", 4), "reason"] == "child has no usable header row"
    assert list(returns.episodes["CHILD"]) == ["X1"]
    recon = returns.reconciliation()
    assert (
        recon["rows read"]
        == recon["rows used"] + recon["rows quarantined"] + recon["rows repeated in a later return"]
    ).all()


def test_postcodes_never_leave_the_loader(tmp_path):
    epi = episodes_file(tmp_path, GOOD)
    head = tmp_path / "header_2024-25.csv"
    head.write_text(HEADER + "X1,1,01/01/2010,WBRI,UN1,,\n")
    returns = read_returns([head], [epi])
    assert not {"HOME_POST", "PL_POST"} & set(returns.episodes.columns)
    assert "CV2 2BB" not in returns.episodes.astype(str).to_numpy()


def test_open_episode_contradicted_by_a_later_return(tmp_path):
    old = episodes_file(tmp_path, "C1,01/05/2023,S,C2,N1,U6,PR1,,,,,,\n", "episodes_2023-24.csv")
    new = episodes_file(tmp_path, "C1,01/06/2024,S,C2,N1,U4,PR1,,,,,,\n", "episodes_2024-25.csv")
    heads = []
    for label in ("2023-24", "2024-25"):
        head = tmp_path / f"header_{label}.csv"
        head.write_text(HEADER + "C1,1,01/01/2012,WBRI,UN1,,\n")
        heads.append(head)
    returns = read_returns(heads, [old, new])
    q = returns.quarantine
    assert list(zip(q["source_file"], q["source_row"], q["reason"], strict=True)) == [
        ("episodes_2023-24.csv", 2, "left open, but a later return starts another episode")
    ]
    assert len(returns.episodes) == 1
