"""Communication templates."""
