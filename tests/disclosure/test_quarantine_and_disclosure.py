"""Shared plumbing: quarantine keeps every row; suppression hides small counts."""

import pandas as pd
import pytest

from analysis.core.quarantine import reconcile, set_aside
from analysis.disclosure import suppression as disclosure


def test_set_aside_keeps_every_row_with_its_reason():
    records = pd.DataFrame({"source_file": "f.csv", "source_row": [2, 3, 4], "age": [30, -1, 40]})
    kept, bad = set_aside(records, records["age"] < 0, "age is negative", column="age")
    assert kept["source_row"].tolist() == [2, 4]
    assert bad[["source_row", "column", "value", "reason"]].values.tolist() == [
        [3, "age", "-1", "age is negative"]
    ]
    assert reconcile(3, kept, bad).balanced


def test_reconcile_refuses_lost_rows():
    with pytest.raises(AssertionError, match="read 3, clean 1, quarantined 1"):
        reconcile(3, pd.DataFrame(index=[0]), pd.DataFrame(index=[0]))


def test_public_rule_suppresses_one_to_five_and_dependent_rates():
    table = pd.DataFrame({"n": [0, 1, 5, 6], "rate": [0.0, 0.1, 0.5, 0.6]})
    shown = disclosure.apply(table, "public", counts=["n"], rates={"rate": ["n"]})
    assert shown["n"].tolist() == [0, "c", "c", 6]
    assert shown["rate"].tolist() == [0.0, "c", "c", 0.6]


def test_internal_rule_shows_everything_and_says_so():
    table = pd.DataFrame({"n": [1]})
    assert disclosure.apply(table, "internal", counts=["n"])["n"].tolist() == [1]
    assert "NOT FOR CIRCULATION" in disclosure.describe("internal")


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown disclosure rule"):
        disclosure.apply(pd.DataFrame(), "open")
