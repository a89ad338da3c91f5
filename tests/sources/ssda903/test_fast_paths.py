"""The fast paths of reading give what the plain pandas operations they replace give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.sources.ssda903.load import DATE_FORMAT, WORDS, _dates, _text


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
