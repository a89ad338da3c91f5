"""The council's published retention and capacity figures, as targets to reconcile against.

Each figure carries the range of register values that would reproduce it as printed
(``low``-``high``: a count must match exactly; "66.6%" allows 66.6-66.7 because the
report appears to truncate; "around 40%" allows one point either side), and where
it was printed. Sources: ``fostering-2022-23`` is the Fostering Service Annual
Report 2022/23 (Cabinet Member, 15 Jan 2024); ``fostering-2024-25`` the Fostering
Annual Report 2024/25 (Scrutiny Board 16 Oct 2025). The same figures are
transcribed in ``data/raw/published/`` (issue 2); these are kept here so the
reconciliation states the tolerance it applies to each.
"""

from __future__ import annotations

import pandas as pd

R22 = "Fostering Annual Report 2022/23"
R24 = "Fostering Annual Report 2024/25"
_TABLE_22 = f"{R22}, Foster Carer Retention table"
_TABLE_24 = f"{R24}, 3.2.2 table"

_CEASING = {
    # reason: values 2018-19 .. 2024-25 (None = blank in the report)
    "permanence": [2, 4, 0, 1, 0, 3, 3],
    "transfer_la": [1, 1, 1, 0, 0, 0, 0],
    "transfer_ifa": [0, 0, 1, 1, 1, 1, 1],
    "personal": [10, 12, 4, 7, 6, 8, 12],
    "not_for_them": [None, None, 5, 3, 3, 1, 4],
    "dissatisfied": [0, 0, 1, 0, 1, 0, 0],
    "safeguarding": [0, 0, 0, 0, 2, 3, 0],
    "resigned_quality": [2, 1, 1, 2, 1, 0, 2],
    "other": [1, 0, 1, 0, 0, 0, 0],
}
_YEARS = ["2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]


def _exact(year, measure, value, source, note=""):
    return (year, measure, value, value, value, source, note)


def _rows() -> list[tuple]:
    rows = []
    for reason, values in _CEASING.items():
        for year, value in zip(_YEARS, values, strict=True):
            if value is not None:
                source = _TABLE_22 if year < "2023-24" else _TABLE_24
                rows.append(_exact(year, f"leavers: {reason}", value, source))
    totals = [15, 18, 14, 14, 14, 16, 22]
    for year, total in zip(_YEARS, totals, strict=True):
        note = (
            "printed total; the printed rows sum to 16, and the register follows the rows"
            if year == "2018-19"
            else ""
        )
        rows.append(
            _exact(
                year, "leavers: total", total, _TABLE_22 if year < "2023-24" else _TABLE_24, note
            )
        )
    for year, value in zip(_YEARS, [33, 21, 23, 20, 16, 17, 20], strict=True):
        rows.append(
            _exact(
                year, "approvals", value, f"{R22 if year < '2023-24' else R24}, recruitment table"
            )
        )
    for year, value in zip(_YEARS[:5], [184, 187, 196, 202, 204], strict=True):
        rows.append(_exact(year, "households at 31 March", value, f"{R22}, recruitment table"))
    rows += [
        _exact("2024-25", "households at 31 March", 191, f"{R24}, 3.2.1"),
        _exact(
            "2024-25",
            "households at 31 March",
            194,
            f"{R24}, 3.1",
            "'approvals continue to show a steady growth with 194 households': no date",
        ),
        (
            "2022-23",
            "retention rate %",
            93.0,
            93.0,
            93.99,
            f"{R22}, Foster Carer Retention",
            "'just over 93%'",
        ),
        _exact(
            "2021-22",
            "approved places",
            389,
            f"{R22}, Occupancy",
            "printed as 'on 31/3/22' in the 2022/23 report",
        ),
        _exact("2024-25", "approved places", 379, f"{R24}, 3.2.1"),
        (
            "2022-23",
            "places per household",
            1.9,
            1.9,
            1.99,
            f"{R22}, Occupancy",
            "printed to one decimal, apparently truncated",
        ),
        (
            "2024-25",
            "places per household",
            1.4,
            1.35,
            1.45,
            f"{R24}, 3.2.1",
            "inconsistent with the same paragraph: 379 places / 191 households = 1.98",
        ),
        ("2020-21", "occupancy %", 70, 69.5, 70.5, f"{R22}, Occupancy", ""),
        ("2021-22", "occupancy %", 68, 67.5, 68.5, f"{R22}, Occupancy", ""),
        (
            "2022-23",
            "occupancy %",
            66.6,
            66.6,
            66.7,
            f"{R22}, Occupancy",
            "266 children in 399 places is 66.67%: printed truncated",
        ),
        ("2023-24", "occupancy %", 76, 75.5, 76.5, f"{R24}, 3.2.1", ""),
        ("2024-25", "occupancy %", 65, 64.5, 65.5, f"{R24}, 3.2.1", ""),
        _exact(
            "2022-23",
            "filled places",
            266,
            f"{R22}, Ongoing Fostering Growth",
            "children placed in an internal mainstream fostering placement on 31/3/23",
        ),
        (
            "2022-23",
            "carer not considering more, % of unoccupied",
            40,
            39,
            41,
            f"{R22}, Occupancy",
            "'around 40%'",
        ),
        (
            "2022-23",
            "vacant for matching, % of unoccupied",
            17,
            16,
            18,
            f"{R22}, Occupancy",
            "'around 17%'",
        ),
        (
            "2022-23",
            "vacant for matching, % of approved",
            2,
            1.5,
            2.5,
            f"{R22}, Occupancy",
            "'around 2% of all approved beds': inconsistent with 17% of unoccupied",
        ),
        (
            "2024-25",
            "unavailable, % of approved",
            23.7,
            23.65,
            23.75,
            f"{R24}, 3.2.1",
            "printed as a share of unoccupied; only reproducible as a share of approved",
        ),
        (
            "2024-25",
            "on hold or blocked, % of approved",
            11.3,
            11.25,
            11.35,
            f"{R24}, 3.2.1",
            "printed as a share of unavailable; only reproducible as a share of approved",
        ),
        _exact("2021-22", "connected persons: children at 31 March", 105, f"{R22}, Connected"),
        _exact("2022-23", "connected persons: children at 31 March", 98, f"{R22}, Connected"),
        _exact(
            "2024-25",
            "connected persons: children at 31 March",
            132,
            f"{R24}, 3.3",
            "no date printed; taken as 31 March 2025",
        ),
        _exact(
            "2021-22",
            "connected persons: deregistrations",
            33,
            f"{R22}, Fostering Panel",
            "resignations and de-registrations presented to panel",
        ),
        _exact(
            "2022-23",
            "connected persons: deregistrations",
            30,
            f"{R22}, Fostering Panel",
            "resignations and de-registrations presented to panel",
        ),
        _exact("2022-23", "Next Steps households at 31 March", 7, f"{R22}, Next Steps"),
        _exact("2024-25", "Next Steps households at 31 March", 11, f"{R24}, 3.2.3 a)"),
        _exact("2024-25", "Next Steps children placed at 31 March", 11, f"{R24}, 3.2.3 a)"),
        _exact("2022-23", "out of hours households joining", 2, f"{R22}, out of hours scheme"),
        _exact("2024-25", "out of hours households joining", 6, f"{R24}, 3.2.3 b)"),
        _exact("2024-25", "out of hours households leaving the scheme", 1, f"{R24}, 3.2.3 b)"),
        _exact("2024-25", "parent and child households at 31 March", 2, f"{R24}, 3.2.3 c)"),
    ]
    return rows


# The national retention figure the 2022/23 report compares against.
NATIONAL_RETENTION = {
    "value": 87.0,
    "source": f"{R22}, Foster Carer Retention",
    "note": "national average retention rate as quoted by the council",
}


def targets() -> pd.DataFrame:
    """Every published retention and capacity figure, with its tolerance and source."""
    return pd.DataFrame(
        _rows(), columns=["year", "measure", "published", "low", "high", "source", "note"]
    )
