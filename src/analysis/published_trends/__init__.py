"""published_trends."""
