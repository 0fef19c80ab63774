"""Newsletter: models."""
