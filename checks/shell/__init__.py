"""What bash would read."""
