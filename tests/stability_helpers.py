"""Write hand-made SSDA903 histories as yearly returns, as a council's system would."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

EPISODE_FIELDS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC"]
EPISODE_FIELDS += ["REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"]


def d(text: str) -> date:
    return date.fromisoformat(text)


def ep(
    child,
    start,
    rne,
    place,
    end=None,
    rec="",
    reason="",
    ls="C2",
    provider="PR1",
    post="CV1 1AA",
    urn="SC000001",
):
    """One episode; dates as ISO strings, ``end`` None while open."""
    return {
        "CHILD": child,
        "DECOM": d(start),
        "RNE": rne,
        "LS": ls,
        "CIN": "N1",
        "PLACE": place,
        "PLACE_PROVIDER": provider,
        "DEC": d(end) if end else None,
        "REC": rec or ("X1" if end else ""),
        "REASON_PLACE_CHANGE": reason,
        "HOME_POST": "CV2 2BB",
        "PL_POST": post,
        "URN": urn,
    }


def write_returns(folder: Path, dobs: dict[str, str], episodes: list[dict], years: range):
    """One header and one episodes file per year (start years), each holding what was open."""
    headers, episode_files = [], []
    for y in years:
        lo, hi = date(y, 4, 1), date(y + 1, 3, 31)
        label = f"{y}-{(y + 1) % 100:02d}"
        rows = [e for e in episodes if e["DECOM"] <= hi and (e["DEC"] is None or e["DEC"] >= lo)]
        epath = folder / f"episodes_{label}.csv"
        with epath.open("w", newline="") as out:
            w = csv.DictWriter(out, EPISODE_FIELDS)
            w.writeheader()
            for e in rows:
                row = dict(e, DECOM=e["DECOM"].strftime("%d/%m/%Y"))
                if e["DEC"] is None or e["DEC"] > hi:
                    row.update(DEC="", REC="", REASON_PLACE_CHANGE="")
                else:
                    row["DEC"] = e["DEC"].strftime("%d/%m/%Y")
                w.writerow(row)
        hpath = folder / f"header_{label}.csv"
        with hpath.open("w", newline="") as out:
            w = csv.writer(out)
            w.writerow(["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"])
            for child in sorted({e["CHILD"] for e in rows}):
                w.writerow([child, "1", d(dobs[child]).strftime("%d/%m/%Y"), "WBRI", "UN1", "", ""])
        headers.append(hpath)
        episode_files.append(epath)
    return headers, episode_files
