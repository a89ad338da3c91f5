"""Recruitment drop-off: from enquiry to approval."""
