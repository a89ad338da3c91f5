"""``python -m analysis.council``: list the configured councils, or scaffold a new one.

``python -m analysis.council new <slug> --la-code 856`` creates ``councils/<slug>/`` from
the DfE files; ``python -m analysis.council list`` shows every council and the default.
"""

from __future__ import annotations

import argparse
import sys

from analysis.core import paths
from analysis.core.errors import InputError
from analysis.council import config, scaffold


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.council", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("new", help="scaffold councils/<slug>/ from the DfE files")
    new.add_argument("slug", help="the council's folder name, e.g. york")
    new.add_argument("--la-code", required=True, help="the DfE's three-digit LA code, e.g. 856")
    commands.add_parser("list", help="list the configured councils")
    args = parser.parse_args(argv)
    try:
        if args.command == "new":
            written = scaffold.new(args.slug, args.la_code)
            council = config.load(args.slug)
            print(
                f"created {written.relative_to(paths.ROOT)}: {council.name}, {council.region}, "
                f"LA {council.la_code} ({council.new_la_code}); statistical neighbours "
                f"{', '.join(council.neighbours)}.\nNext: check the service name in it, add the "
                f"council's extracts under data/raw/extracts/{args.slug}/ and build with "
                f'`make report COUNCIL={args.slug} ARGS="--raw extracts"`.'
            )
        else:
            try:
                default = config.default_slug()
            except InputError as error:
                default = None
                print(f"warning: {error}", file=sys.stderr)
            for slug in config.available():
                council = config.load(slug)
                mark = " (default)" if slug == default else ""
                print(f"{slug}{mark}: {council.name}, LA {council.la_code}, {council.region}")
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
