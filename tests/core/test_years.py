"""Financial-year parameters: the forms accepted and the messages for the rest."""

import pandas as pd
import pytest

from analysis.core.years import FinancialYear, YearError, financial_year_labels, require_year


def test_parses_the_reports_form():
    year = FinancialYear.parse("2024-25")
    assert year.start == pd.Timestamp("2024-04-01")
    assert year.end == pd.Timestamp("2025-03-31")
    assert year.label == "2024-25"
    assert year.report_label == "2024/25"
    assert year.previous.label == "2023-24"


def test_century_boundary():
    assert FinancialYear.parse("1999-00").end == pd.Timestamp("2000-03-31")


@pytest.mark.parametrize("bad", ["2024", "24-25", "2024-26", "2024/25", "", "2024-2025"])
def test_malformed_years_are_rejected_with_the_expected_form(bad):
    with pytest.raises(YearError, match=r"2024-25|followed by"):
        FinancialYear.parse(bad)


def test_year_without_data_lists_the_available_years():
    with pytest.raises(YearError) as err:
        require_year("2031-32", ["2023-24", "2024-25"], "published figures")
    assert str(err.value) == ("no published figures for 2031-32; years available: 2023-24, 2024-25")


def test_financial_year_of_dates():
    dates = pd.Series(pd.to_datetime(["2024-03-31", "2024-04-01", None]))
    assert financial_year_labels(dates).tolist()[:2] == ["2023-24", "2024-25"]
    assert pd.isna(financial_year_labels(dates).iloc[2])
    assert FinancialYear.containing(pd.Timestamp("2025-01-15")).label == "2024-25"


def test_a_comparator_of_another_year_is_called_the_nearest_figure():
    from analysis.core.years import comparator_year

    assert comparator_year("2022-23", "2022-23", "March 2024") == "the figure for 2022/23"
    for page in ("2020-21", "2024-25"):
        assert comparator_year("2022-23", page, "March 2024") == (
            "the nearest figure, for 2022/23 (published March 2024)"
        )
