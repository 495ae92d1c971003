"""Command-line entry points; bin/ holds thin wrappers around these."""
