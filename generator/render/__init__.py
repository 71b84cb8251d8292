"""Model -> page Markdown."""
