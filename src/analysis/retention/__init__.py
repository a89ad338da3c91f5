"""Carer retention and capacity."""
