"""One small module per CLI command; each imports its heavy module lazily and makes one call."""
