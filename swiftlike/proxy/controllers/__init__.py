"""Proxy controllers."""
