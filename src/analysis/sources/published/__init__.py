"""A council's published figures, transcribed from its reports."""
