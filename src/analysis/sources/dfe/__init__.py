"""DfE published statistics: LA codes, regions, statistical neighbours, placement stability."""
