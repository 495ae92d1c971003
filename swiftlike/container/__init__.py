"""Container server, broker and daemons."""
