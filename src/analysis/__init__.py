"""Analysis helpers for a local-authority fostering service.

Modules load, clean, validate and measure each year's data and draw the charts;
the notebooks in ``notebooks/`` stay thin and call into them.
"""

__version__ = "0.1.0"
