"""Row ordering for stitching: the packed-key sort gives exactly numpy's lexsort order."""

from __future__ import annotations

import numpy as np

from analysis.sources.ssda903.load import row_order


def test_packed_keys_sort_as_lexsort_ties_kept_in_order():
    rng = np.random.default_rng(3)
    n = 5_000
    child = rng.integers(-1, 300, n)  # -1: a blank child, sorted first
    start = (np.datetime64("2018-04-01") + rng.integers(0, 40, n)).astype("datetime64[ns]")
    year = rng.integers(0, 3, n).astype(np.int8)
    for keys in [(year, start, child), (np.arange(n)[::-1], start, child), (start, child)]:
        np.testing.assert_array_equal(row_order(keys), np.lexsort(keys))


def test_keys_that_do_not_pack_fall_back_to_lexsort():
    start = np.array(["2024-04-01T10:30", "2024-04-01", "NaT"], dtype="datetime64[ns]")
    wide = np.array([2**40, 0, 2**41])
    for keys in [(start, np.array([1, 1, 0])), (wide, wide, np.array([0, 1, 0]))]:
        np.testing.assert_array_equal(row_order(keys), np.lexsort(keys))
    assert row_order((np.array([], dtype=np.int64),)).size == 0


def test_keys_too_wide_for_the_rows_positions_sort_stably():
    rng = np.random.default_rng(5)
    wide = rng.integers(0, 2**55, 3_000)
    wide[::7] = wide[0]  # ties, kept in order
    keys = (rng.integers(0, 4, 3_000), wide)
    np.testing.assert_array_equal(row_order(keys), np.lexsort(keys))


def test_keys_already_in_order_give_the_rows_in_place_as_lexsort():
    child = np.repeat(np.arange(50), 3)
    start = np.tile(np.array(["2020-01-01", "2020-01-01", "2021-05-02"], "datetime64[ns]"), 50)
    keys = (start, child)
    order = row_order(keys)
    np.testing.assert_array_equal(order, np.lexsort(keys))
    np.testing.assert_array_equal(order, np.arange(150))
