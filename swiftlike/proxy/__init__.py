"""The proxy server: public REST API (arrives with the proxy issue)."""
