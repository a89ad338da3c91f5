"""Ofsted's national fostering statistics, for national context beside a council's figures."""
