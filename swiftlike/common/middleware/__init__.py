"""Proxy middlewares, one module each."""
