"""Check -> Result."""
