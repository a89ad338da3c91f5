"""What a reader sees: the Appendix notebooks show everything through, and the HTML export."""
