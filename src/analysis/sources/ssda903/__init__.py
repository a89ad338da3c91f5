"""SSDA903 returns: reading, validating, code lists."""
