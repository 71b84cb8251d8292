"""Loaded runbooks -> located problems."""
