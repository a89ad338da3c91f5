"""The withdrawal codes are Ofsted's own, word for word, checked against the quoted guidance."""

import re

from analysis.core import paths
from analysis.recruitment.schema import REASON_CODES, REASONS

GUIDANCE = paths.ROOT / "data" / "raw" / "ofsted" / "DATA_COLLECTION.md"


def _ofsted_codes() -> dict[str, str]:
    """The AW codes and labels as quoted from Ofsted's annual-changes guidance (section 5)."""
    line = next(x for x in GUIDANCE.read_text().splitlines() if "Application withdrawal" in x)
    return dict(re.findall(r'(AW\d) "([^"]+)"', line))


def test_reason_codes_are_ofsteds_labels_word_for_word():
    assert _ofsted_codes() == REASON_CODES


def test_a_closure_the_service_decided_has_no_withdrawal_code():
    service = [r for r in REASONS if r.startswith(("Unsuitable", "Not recommended", "No spare"))]
    assert service and all(REASONS[r].code is None for r in service)
    assert all(reason.code in REASON_CODES for reason in REASONS.values() if reason.code)
