"""pytest plugin: ``pytest --runbooks PATH`` (being written by the executor work)."""
