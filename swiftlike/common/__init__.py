"""Shared building blocks: no module here imports a server."""
