"""The page's disclosure decision as the appendix takes it: once per state of the ledger."""

from __future__ import annotations

import pandas as pd

from analysis.disclosure import page
from analysis.presentation.appendix import Appendix


def test_the_decision_is_taken_again_until_it_finds_nothing_new_then_kept(monkeypatch):
    """The decision registers what it finds in the ledger (a chain of counts, here, on its
    first taking only): it is taken again with that known from the start, and then kept
    through the page's later redraws (the closing cell's), not taken a third time."""
    calls = []

    def decide(ledger, audit=True, search=True):
        calls.append(audit)
        if audit and calls.count(True) == 1:
            ledger.chains["chain|found"] = ({"a": 1.0}, 1.0)
        return set()

    monkeypatch.setattr(page, "decide", decide)
    app = Appendix("Test", "2024-25", service="A service")
    app.table(pd.DataFrame({"Households": [12, 30]}, index=["x", "y"]), "Figures")
    assert calls.count(True) == 2
    app.close()
    app.finish()
    assert calls.count(True) == 2
