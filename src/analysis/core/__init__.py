"""Shared core: financial years, paths, errors, quarantine, atomic writes."""
