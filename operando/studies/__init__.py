"""Studies: the work behind each command (sessions, plans, storage), without printing."""
