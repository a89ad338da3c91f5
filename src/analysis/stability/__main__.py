"""``python -m analysis.stability``: the placement-stability indicators as JSON."""

import sys

from analysis.stability.measures import main

sys.exit(main())
