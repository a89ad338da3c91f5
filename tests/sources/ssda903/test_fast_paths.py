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
    _numbered,
    _one,
    _rows,
    _text,
    categorical,
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
    pd.testing.assert_extension_array_equal(coded, expected)
    # read as text (identifiers), the categories stay pyarrow strings until the years are united
    assert plain.categories.dtype == pd.StringDtype("pyarrow")
    for got in (plain, coded):
        assert got.codes.tolist() == expected.codes.tolist()
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


@pytest.mark.parametrize("grouped", [True, False])
def test_numbering_by_runs_is_what_factorize_gives(grouped):
    rng = np.random.default_rng(5)
    for _ in range(200):
        values = np.repeat(rng.integers(-1, 8, 20), rng.integers(1, 5, 20)).astype(np.int64)
        if not grouped:
            rng.shuffle(values)
        expected = pd.factorize(values, use_na_sentinel=False)[0]
        got = _numbered(values)
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == expected.dtype


def test_categorical_is_what_from_codes_gives():
    categories = pd.Index(["b", "a", "c"], dtype=object)
    for codes in (np.array([0, 2, -1, 1], np.int32), np.array([], np.int64)):
        got = categorical(codes, categories)
        expected = pd.Categorical.from_codes(codes, categories=categories)
        assert got.dtype == expected.dtype and got.codes.dtype == expected.codes.dtype
        assert pd.Series(got).equals(pd.Series(expected))
    assert list(_one("episodes_2024-25.csv", 3)) == ["episodes_2024-25.csv"] * 3


def test_rows_in_place_are_the_frame_as_it_is():
    frame = pd.DataFrame({"a": [3, 1, 2], "b": list("xyz")}, index=[5, 6, 7])
    assert _rows(frame, np.arange(3)).equals(frame)
    assert _rows(frame, np.array([2, 0]), ["b"]).equals(frame.iloc[[2, 0]][["b"]])
