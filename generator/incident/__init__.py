"""The incident record."""
