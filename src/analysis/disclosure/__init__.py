"""Disclosure control for public exports."""
