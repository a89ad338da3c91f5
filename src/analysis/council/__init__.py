"""One council's configuration (``councils/<slug>/``) and the command that scaffolds a new one."""
