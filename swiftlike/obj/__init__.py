"""Object server, DiskFile and daemons."""
