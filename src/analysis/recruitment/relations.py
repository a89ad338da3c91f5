"""Relations between the recruitment page's counts that its tables do not declare.

Found by reading the built 2024-25 page as an attacker with a pencil would (issue 12):
each is an identity of how the counts are made, so a reader can subtract with it.

- The latest year's approvals are those from earlier enquiries plus the year's own
  enquirers approved by now (no one is approved after the appendix's year).
- The channel table follows the same enquirers as the cohort table (up to the last three
  years): its channels' enquirers reaching stage 1, and approved, add up to the cohorts'.
- A stage's households are those of known ethnicity plus the "Not known" row of the
  ethnic breakdown.
- The households approved in the last three years (who gets through) are the period
  approvals of those years; the steps ending in approval completed in the year are the
  year's approvals.

Each relation is declared only where it holds in the page's counts (an extract whose
dates break one, say an approval dated after the year, leaves it out rather than give
the audit an impossible page).
"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.presentation.appendix import Appendix

APPROVAL_STEPS = (
    "Enquiry to approval",
    "Panel to approval",
    "Start of assessment (stage 1) to approval",
)


def _relate_if_true(
    app: Appendix, total: str, plus: Iterable[str], minus: Iterable[str] = ()
) -> None:
    """``app.relate(total, plus, minus)`` where every count is on the page and it holds."""
    values = app.ledger.values
    plus, minus = list(plus), list(minus)
    present = all(k in values for k in [total, *plus, *minus])
    if present and values[total] == sum(values[k] for k in plus) - sum(values[k] for k in minus):
        app.relate(total, plus, minus)


def relate_page(app: Appendix, years: list[str]) -> None:
    """Declare the identities above on ``app`` (call after every table is shown; the
    page's decision is taken again and what it changes is redrawn).

    ``years`` are the extract years, oldest first.
    """
    latest, recent = years[-1], years[-3:]
    period = "period vs cohort"
    _relate_if_true(
        app,
        app.cell(period, latest, "Approvals"),
        [
            app.cell(period, latest, "Approvals from earlier enquiries"),
            app.cell(period, latest, "Enquirers approved by now"),
        ],
    )
    channels = sorted({k.split("|")[1] for k in app.ledger.values if k.startswith("channels|")})
    for column in ("Reached stage 1", "Approved"):
        cohort = [app.cell("cohorts", y, column) for y in recent]
        by_channel = [app.cell("channels", c, column) for c in channels]
        if all(k in app.ledger.values for k in cohort):
            _relate_if_true(app, cohort[0], by_channel, cohort[1:])
    for stage in ("Enquirers", "Applicants (started stage 1)", "Approved households"):
        _relate_if_true(
            app,
            app.cell("groups", stage, "Households"),
            [app.cell("groups", stage, "Ethnicity known"), app.cell("ethnic", "Not known", stage)],
        )
    _relate_if_true(
        app,
        app.cell("groups", "Approved households", "Households"),
        [app.cell(period, y, "Approvals") for y in recent],
    )
    for step in APPROVAL_STEPS:
        _relate_if_true(
            app,
            app.cell("durations", step, "Households"),
            [app.cell(period, latest, "Approvals")],
        )
