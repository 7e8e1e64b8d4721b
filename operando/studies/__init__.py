"""Studies: the work behind the CLI commands (sessions, plans, storage)."""
