"""sources/dfe."""
