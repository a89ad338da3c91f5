"""When households leave: the leaving rate by year of service, and a Cox model of who leaves.

The life table counts, for each year of service, the households observed in it, the
household-years they were observed for and the leavers, so a rate per 100
household-years compares years fairly even though many households entered
observation part-way through their service (delayed entry) or are still fostering.

The proportional-hazards model (lifelines ``CoxPHFitter``, with delayed entry) relates
leaving to what the register records about a household when it is first seen: its
type, the carer's age band, whether it transferred in from another fostering service
(the approval route the register records) and whether a child was placed with it.
Its proportional-hazards assumption is tested on the scaled Schoenfeld residuals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from scipy.stats import chi2

from analysis.core.years import FinancialYear
from analysis.retention.load import Register

LEAVERS_PER_COMPARISON = 10  # the usual rule of thumb for a stable Cox model
SERVICE_YEARS = 10  # single years of service 0-1 ... 9-10, then "10 years or more"
AGE_REFERENCE = "45-54"
COVARIATES = {
    "connected persons": "Connected persons (against mainstream)",
    "transferred in": "Transferred in from another service (against assessed here)",
    "child placed": "A child placed when first seen (against none)",
}


def _years_of_service(top: int) -> list[tuple[str, float, float]]:
    """Each year of service of the life table: (name, start, end) in years since approval."""
    years = [(f"{k} to {k + 1} years", float(k), k + 1.0) for k in range(top)]
    return [*years, (f"{top} years or more", float(top), np.inf)]


def life_masks(data: pd.DataFrame, top: int = SERVICE_YEARS) -> list[tuple[pd.Series, pd.Series]]:
    """For each year of service of :func:`life_table`: which households were observed in it
    and which left in it."""
    out = []
    for _, low, high in _years_of_service(top):
        overlap = (np.minimum(data["duration"], high) - np.maximum(data["entry"], low)).clip(0)
        seen = overlap > 0
        out.append(
            (seen, data["event"] & (data["duration"] >= low) & (data["duration"] < high) & seen)
        )
    return out


def life_table(data: pd.DataFrame, top: int = SERVICE_YEARS) -> pd.DataFrame:
    """Households observed, household-years, leavers and the leaving rate per year of service.

    ``data`` is :func:`analysis.retention.measures.survival_data` (``entry``,
    ``duration``, ``event`` in years). A household is observed in year of service
    [k, k+1) if its observed span (entry, duration] overlaps it; it leaves in that year
    if its event falls in it.
    """
    rows = []
    for (name, low, high), (seen, left) in zip(
        _years_of_service(top), life_masks(data, top), strict=True
    ):
        overlap = (np.minimum(data["duration"], high) - np.maximum(data["entry"], low)).clip(0)
        exposure = float(overlap.sum())
        rows.append(
            {
                "year of service": name,
                "households observed": int(seen.sum()),
                "leavers": int(left.sum()),
                "household-years": round(exposure, 1),
                "leaving rate per 100 household-years": (
                    100 * left.sum() / exposure if exposure else np.nan
                ),
            }
        )
    return pd.DataFrame(rows)


def model_data(register: Register, data: pd.DataFrame) -> pd.DataFrame:
    """The covariates of :data:`COVARIATES` and age band, one row per household: connected
    persons or mainstream as last recorded, the rest as recorded at the first 31 March it
    is on the register while approved. (Mainstream schemes are not told apart: a page
    saying that none of their households ceased to foster would make each scheme's joiners
    the change in its stock, red team 19.)

    Not its last record, where a leaver's empty placements would be a consequence of
    leaving rather than a cause. Each household enters the model at its tenure on that
    31 March (or when the data begin, if later), so no one is credited with time before
    its covariates were recorded; a household that left before any 31 March in the data
    has no such record and is left out (``in model`` false).
    """
    snaps = register.snapshots
    known = snaps[snaps["filled_places"].notna()].sort_values(["household_id", "year"])
    first = known.drop_duplicates("household_id").set_index("household_id")
    out = data[["household_id", "approval_date", "entry", "duration", "event", "type group"]].copy()
    ids = out["household_id"]
    recorded = ids.map(first["year"]).map(
        lambda y: FinancialYear.parse(y).end if isinstance(y, str) else pd.NaT
    )
    at = (pd.to_datetime(recorded) - out["approval_date"]).dt.days / 365.25
    out["entry"] = np.maximum(out["entry"], at.fillna(np.inf))
    out["in model"] = ids.isin(first.index) & (out["entry"] < out["duration"])
    out["age band"] = ids.map(first["age_band"].astype(str))
    out["connected persons"] = out["type group"].eq("Connected persons").astype(int)
    out["transferred in"] = ids.map(first["transferred_in"]).eq(True).astype(int)
    out["child placed"] = ids.map(first["filled_places"]).gt(0).fillna(False).astype(int)
    out["event"] = out["event"].astype(int)
    out["still fostering"] = data["deregistration_date"].isna().to_numpy()
    return out.reset_index(drop=True)


def _design(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Indicator columns (age bands against the reference); drops any with no leavers in it,
    since their hazard ratio cannot be estimated; returns the columns dropped."""
    ages = pd.get_dummies(frame["age band"], prefix="age", dtype=int)
    ages = ages.drop(columns=f"age_{AGE_REFERENCE}", errors="ignore")
    x = pd.concat([frame[list(COVARIATES)], ages], axis=1)
    empty = [c for c in x if x[c].sum() == 0 or frame.loc[x[c] == 1, "event"].sum() == 0]
    x = x.drop(columns=empty)
    return pd.concat([frame[["entry", "duration", "event"]], x], axis=1), empty


def label(column: str) -> str:
    """A model column as the page names the comparison."""
    if column.startswith("age_"):
        return f"Carer aged {column.removeprefix('age_').lower()} (against {AGE_REFERENCE})"
    return COVARIATES[column]


def leavers_needed(frame: pd.DataFrame) -> int:
    """Leavers in the model needed to fit it: 10 for each comparison it sets out to make
    (the covariates, and each age band but the reference)."""
    bands = frame.loc[frame["in model"], "age band"].nunique()
    comparisons = len(COVARIATES) + max(bands - 1, 0)
    return LEAVERS_PER_COMPARISON * comparisons


def cox_model(frame: pd.DataFrame) -> tuple[CoxPHFitter, pd.DataFrame, list[str]]:
    """Fit the model on :func:`model_data`; return it, its design and the columns left out."""
    design, dropped = _design(frame[frame["in model"]].reset_index(drop=True))
    model = CoxPHFitter()
    model.fit(design, duration_col="duration", event_col="event", entry_col="entry")
    return model, design, dropped


def hazard_ratios(model: CoxPHFitter) -> pd.DataFrame:
    """Each covariate's hazard ratio with its 95% interval and p-value."""
    s = model.summary
    return pd.DataFrame(
        {
            "compared": [label(c) for c in s.index],
            "hazard ratio": s["exp(coef)"].to_numpy(),
            "95% interval": [
                f"{lo:.2f} to {hi:.2f}"
                for lo, hi in zip(s["exp(coef) lower 95%"], s["exp(coef) upper 95%"], strict=True)
            ],
            "p-value": [_p(p) for p in s["p"]],
        }
    )


def _p(p: float) -> str:
    return "under 0.001" if p < 0.001 else f"{p:.3f}"


def schoenfeld(model: CoxPHFitter, design: pd.DataFrame) -> pd.DataFrame:
    """Scaled Schoenfeld residuals, one row per leaver, indexed by time of leaving.

    Written out because lifelines does not give residuals for a model with delayed
    entry: a leaver's residual is its covariates less their hazard-weighted mean over
    the households at risk then (entered before, not yet gone), scaled by the number of
    leavers times the model's variance, as in Grambsch and Therneau (1994).
    """
    columns = list(model.params_.index)
    x = design[columns].to_numpy(float)
    entry, stop = design["entry"].to_numpy(float), design["duration"].to_numpy(float)
    weight = np.exp(x @ model.params_.to_numpy())
    events = np.flatnonzero(design["event"].to_numpy(bool))
    rows = []
    for i in events:
        risk = (entry < stop[i]) & (stop >= stop[i])
        mean = weight[risk] @ x[risk] / weight[risk].sum()
        rows.append(x[i] - mean)
    raw = np.array(rows).reshape(len(events), len(columns))
    scaled = len(events) * raw @ model.variance_matrix_.to_numpy()
    return pd.DataFrame(scaled, columns=columns, index=stop[events]).sort_index()


def ph_test(model: CoxPHFitter, design: pd.DataFrame) -> pd.DataFrame:
    """The test of proportional hazards for each model column: do its scaled Schoenfeld
    residuals trend with the rank of time (chi-squared, 1 degree of freedom; the test
    lifelines ``proportional_hazard_test`` and R's ``cox.zph`` make)."""
    resid = schoenfeld(model, design)
    ranks = pd.Series(resid.index).rank().to_numpy()
    centred = ranks - ranks.mean()
    variance = np.diag(model.variance_matrix_.to_numpy())
    statistic = (centred @ resid.to_numpy()) ** 2 / (len(resid) * variance * (centred**2).sum())
    return pd.DataFrame(
        {"test statistic": statistic, "p": chi2.sf(statistic, df=1)}, index=resid.columns
    )


def assumption_tests(model: CoxPHFitter, design: pd.DataFrame) -> pd.DataFrame:
    """:func:`ph_test` for the page: each comparison, and whether the assumption holds at 5%."""
    test = ph_test(model, design)
    return pd.DataFrame(
        {
            "compared": [label(c) for c in test.index],
            "test statistic": test["test statistic"].to_numpy(),
            "p-value": [_p(v) for v in test["p"]],
            "proportional hazards": np.where(test["p"] < 0.05, "rejected at 5%", "not rejected"),
        }
    )


def assumption_words(tests: pd.DataFrame) -> str:
    """The assumption check in a sentence."""
    broken = tests.loc[tests["proportional hazards"] != "not rejected", "compared"].tolist()
    if not broken:
        return (
            "The proportional-hazards assumption was tested for each comparison on the "
            "scaled Schoenfeld residuals against the rank of time: none departs from it at "
            "the 5% level."
        )
    return (
        "The proportional-hazards assumption was tested for each comparison on the scaled "
        "Schoenfeld residuals against the rank of time. It is rejected at the 5% level for: "
        + "; ".join(broken)
        + ". For these the hazard ratio is an average over years of service, and the effect "
        "changes with length of service."
    )


def highest_risk(
    model: CoxPHFitter, frame: pd.DataFrame, disclosure: str, n: int = 10
) -> pd.DataFrame:
    """Internal copies only: the ``n`` mainstream households still fostering with the
    highest modelled hazard of leaving, for the support team. Refused for a public copy."""
    if disclosure != "internal":
        raise PermissionError("the households at highest modelled risk are for internal copies")
    frame = frame[frame["in model"]].reset_index(drop=True)
    design, _ = _design(frame)
    current = frame["still fostering"] & frame["type group"].ne("Connected persons")
    risk = model.predict_partial_hazard(design.loc[current, model.params_.index])
    out = frame.loc[current, ["household_id", "type group", "age band", "duration"]].assign(
        relative=risk.to_numpy()
    )
    out = out.sort_values("relative", ascending=False).head(n)
    return (
        out.rename(
            columns={
                "household_id": "household",
                "type group": "type",
                "duration": "years fostered",
                "relative": "hazard against the average household",
            }
        )
        .round({"years fostered": 1, "hazard against the average household": 2})
        .reset_index(drop=True)
    )
