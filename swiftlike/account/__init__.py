"""Account server, broker and daemons."""
