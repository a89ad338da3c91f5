"""Key findings as a director reads them: sentences open upper case, a withheld count's
share is not said again, and a finding whose every number is withheld is left out."""

from __future__ import annotations

import pytest

from analysis.presentation.appendix import MAX_FINDINGS, Appendix


def _findings(shown: dict[str, dict]) -> str:
    """The findings as shown, less the disclosure rule the page says under them."""
    [text] = [b["text/markdown"] for b in shown.values() if "Key findings" in str(b)]
    findings, rule = text.rsplit("\n\n", 1)
    assert rule.startswith("*Disclosure control")
    return findings


def test_findings_open_upper_case_and_one_that_says_nothing_is_left_out(shown):
    app = Appendix("Test", "2024-25", service="A service")
    app.count(3, "ended")  # 1 to 5: withheld
    moves = app.count(179, "moves")
    approved = app.count(2, "approved")
    app.findings(
        [
            f"There were {moves} placement moves in the year.",
            f"{app.share('16%', ['ended'])} of foster placements ended unplanned.",
            f"{app.share('9.6%', ['moves'])} of moves were planned.",
            f"Of the {moves} moves, {approved} ({app.share('1.1%', ['approved'])}) were approved.",
            "The two-year indicator is not available.",
        ]
    )
    app.finish()
    assert _findings(shown) == (
        "## Key findings\n\n"
        "- There were 179 placement moves in the year.\n"
        "- 9.6% of moves were planned.\n"
        "- The two-year indicator is not available."
    )


def test_a_finding_with_any_number_withheld_is_left_out_and_an_optional_clause_goes(shown):
    """Issue 13's review: "of the 372 households that enquired, a withheld share left at the
    first enquiry" is a finding made of a blank. A clause written with ``withheld=""`` is
    left out instead, and the rest of its sentence stays; a finding opening with a number
    is capitalised."""
    app = Appendix("Test", "2024-25", service="A service")
    app.findings(
        [
            f"{app.share('5%', ['small'])} of carers left, of {app.count(40, 'all')} approved.",
            f"{app.share('12.5%', ['all'])} of approvals were quick"
            + app.share(", 4 of them couples", ["small"], withheld="")
            + ".",
        ]
    )
    app.count(4, "small")
    app.finish()
    assert _findings(shown) == "## Key findings\n\n- 12.5% of approvals were quick."


def test_more_than_five_findings_stop_the_run_and_say_where_the_rest_go(shown):
    app = Appendix("Test", "2024-25", service="A service")
    with pytest.raises(
        ValueError,
        match=r"6 key findings given; a page shows at most 5\. The rest belong in their sections",
    ):
        app.findings([f"Finding {n}." for n in range(6)])
    assert not [b for b in shown.values() if "Key findings" in str(b)]
    app.findings([f"Finding {n}." for n in range(MAX_FINDINGS)])
    app.finish()
    assert _findings(shown).count("\n- ") == MAX_FINDINGS


def test_a_withheld_count_before_a_noun_reads_a_withheld_number_of():
    from analysis.presentation.appendix import Appendix

    app = Appendix("Test", "2024-25", "public", service="A service")
    few, many = app.count(3, "few"), app.count(40, "many")
    app.finish()
    assert app.stated(
        f"started assessments for {few} households and approved {many} households; "
        f"{few} were still in progress; the {few} households"
    ) == (
        "started assessments for a withheld number of households and approved 40 households; "
        "a withheld number were still in progress; the withheld number of households"
    )


def test_a_withheld_count_s_share_is_not_said_again_in_any_sentence():
    """Red team 17: "9 of the 20 approvals, a withheld number (a withheld share), were
    quick" in a body sentence; the share of a withheld count adds nothing."""
    from analysis.presentation.appendix import Appendix

    app = Appendix("Test", "2024-25", "public", service="A service")
    few = app.count(3, "few")
    app.count(40, "many")
    share = app.share("7.5%", ["few", "many"])
    app.finish()
    assert app.stated(f"{few} ({share}) were quick") == "a withheld number were quick"
