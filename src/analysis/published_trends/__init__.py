"""Published trends: a council's published figures over the years, and their consistency."""
