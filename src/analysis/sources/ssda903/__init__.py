"""sources/ssda903."""
