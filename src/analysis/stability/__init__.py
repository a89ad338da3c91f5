"""Placement stability: the DfE's three indicators from the SSDA903 return."""
