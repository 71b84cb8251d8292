"""YAML bytes -> model."""
