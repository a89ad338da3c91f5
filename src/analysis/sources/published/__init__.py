"""sources/published."""
