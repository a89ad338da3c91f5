"""Data sources shared by the analyses: published figures, DfE statistics, SSDA903 returns."""
