"""One hand-made household of a recruitment extract, as the recruitment tests write them."""

from __future__ import annotations

import pandas as pd

STAGES = ["eoi", "stage1", "stage2", "panel", "approval"]


def household(ident, enquiry, *stages, outcome="in progress", exit_stage=None,
              exit_date=None, reason=None, code=None, channel="Website", kind="single",
              ethnic="White"):  # fmt: skip
    """One household: its enquiry date, then the dates of the later stages it reached (in
    the order of :data:`STAGES`; None or NaT for a stage skipped)."""
    dates = [*stages, *[None] * (len(STAGES) - len(stages))]
    return {
        "household_id": ident,
        "enquiry_date": pd.Timestamp(enquiry),
        **{
            f"{s}_date": pd.NaT if d is None or d is pd.NaT else pd.Timestamp(d)
            for s, d in zip(STAGES, dates, strict=True)
        },
        "exit_date": pd.Timestamp(exit_date) if exit_date else pd.NaT,
        "outcome": outcome,
        "exit_stage": exit_stage,
        "exit_reason_code": code,
        "exit_reason": reason,
        "channel": channel,
        "household_type": kind,
        "ethnic_group": ethnic,
    }
