"""The fast paths of reading give what the plain pandas operations they replace give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analysis.sources.ssda903.load import (
    DATE_FORMAT,
    WORDS,
    _dates,
    _distinct_dates,
    _each,
    _first_line,
    _text,
)


def test_dates_read_as_pandas_reads_them():
    words = np.array(
        [
            "01/05/2024",
            "1/5/2024",  # one digit: pandas reads it, pyarrow is not trusted with it
            "31/02/2024",  # pyarrow alone would read 2 March
            "29/02/2024",
            "29/02/2023",
            "01/01/1899",
            "2024-05-01",
            "00/01/2020",
            "01/13/2020",
            "01/01/2261",
            "31/12/1677",
            "01/01/1600",  # before pandas' earliest date
            "x",
            "",
            "01/05/2024 ",
            "\u0660\u0661/\u0660\u0665/\u0662\u0660\u0662\u0664",  # Arabic-Indic digits
        ],
        dtype=object,
    )
    expected = pd.to_datetime(pd.Series(words, dtype=object), format=DATE_FORMAT, errors="coerce")
    np.testing.assert_array_equal(_dates(words), expected.to_numpy("datetime64[ns]"))
    assert _dates(np.array([], dtype=object)).size == 0


def test_text_is_the_same_read_as_a_dictionary_or_as_strings():
    values = ["B", " A", None, "A", "  ", "B ", "C", None, "A"]
    chunks = [values[:4], values[4:]]  # as a reader's blocks
    plain = _text(pa.chunked_array(chunks, pa.string()))
    coded = _text(pa.chunked_array([pa.array(c, pa.string()).cast(WORDS) for c in chunks]))
    expected = pd.Categorical(
        ["B", "A", None, "A", None, "B", "C", None, "A"], categories=["B", "A", "C"]
    )
    for got in (plain, coded):
        pd.testing.assert_extension_array_equal(got, expected)
        assert list(got.categories) == ["B", "A", "C"]  # order of first appearance


@pytest.mark.parametrize(
    "first",
    [
        b"CHILD,DECOM,RNE\n1,01/04/2024,S\n",
        b"\xef\xbb\xbfchild ,Decom\r\n1,01/04/2024\r\n",  # a byte-order mark, Windows lines
    ],
)
def test_a_plain_first_line_gives_the_names_pandas_reads(tmp_path, first):
    path = tmp_path / "episodes.csv"
    path.write_bytes(first)
    expected = list(pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns)
    assert _first_line(path) == expected


@pytest.mark.parametrize(
    "first",
    [b'"CHILD",DECOM\n', b"CHILD,CHILD\n", b"CHILD,,DECOM\n", b"CHILD,DECOM", b"CHILD\r,X\n"],
)
def test_a_first_line_pandas_would_change_is_left_to_pandas(tmp_path, first):
    path = tmp_path / "episodes.csv"
    path.write_bytes(first)
    assert _first_line(path) is None


def test_distinct_dates_are_parsed_and_counted():
    column = pd.Series(pd.Categorical(["01/04/2024", None, "31/02/2024", "01/04/2024"]))
    dates, counts = _distinct_dates(column)
    assert list(column.cat.categories) == ["01/04/2024", "31/02/2024"]
    np.testing.assert_array_equal(dates, np.array(["2024-04-01", "NaT"], dtype="datetime64[ns]"))
    np.testing.assert_array_equal(counts, [2, 1])
    plain, plain_counts = _distinct_dates(pd.Series(["02/04/2024", "", "02/04/2024"]))
    np.testing.assert_array_equal(plain, np.array(["2024-04-02", "NaT"], dtype="datetime64[ns]"))
    np.testing.assert_array_equal(plain_counts, [2, 1])


def test_files_are_worked_on_in_order_and_the_first_failure_stops():
    assert _each(lambda n: n * n, range(5)) == [0, 1, 4, 9, 16]

    def fails(n):
        if n in (2, 3):
            raise ValueError(n)
        return n

    with pytest.raises(ValueError, match="2"):
        _each(fails, range(5))
